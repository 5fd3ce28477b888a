import { css } from 'lit';
import { themeStyles } from '../shared/theme.js';

export const bellStyles = [
  themeStyles,
  css`
    :host {
      display: inline-block;
    }
    [part='button'] {
      position: relative;
      display: inline-grid;
      place-items: center;
      inline-size: var(--comet-bell-size, 2.5rem);
      block-size: var(--comet-bell-size, 2.5rem);
      border-radius: var(--comet-bell-radius, 50%);
      border: 1px solid var(--_border);
      background: var(--comet-bell-background, var(--_raised));
      cursor: pointer;
      padding: 0;
    }
    [part='icon'] {
      inline-size: 55%;
      block-size: 55%;
    }
    [part='badge'] {
      position: absolute;
      inset-block-start: -0.3rem;
      inset-inline-end: -0.4rem;
      min-inline-size: 1.25rem;
      block-size: 1.25rem;
      padding: 0 0.3rem;
      box-sizing: border-box;
      border-radius: 999px;
      background: var(--comet-bell-badge, var(--_danger));
      color: var(--comet-bell-badge-text, light-dark(#fff, #2b0a08));
      font-size: 0.72rem;
      font-weight: 700;
      line-height: 1.25rem;
      text-align: center;
    }
    [part='panel'] {
      margin: 0;
      padding: 0;
      inline-size: min(var(--comet-bell-panel-width, 24rem), calc(100vw - 1rem));
      max-block-size: min(var(--comet-bell-panel-height, 28rem), calc(100vh - 4rem));
      overflow: auto;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_raised);
      color: inherit;
      box-shadow: var(--_shadow);
    }
    [part='header'] {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 0.5rem;
      padding: 0.6rem 0.75rem;
      border-block-end: 1px solid var(--_border);
      position: sticky;
      inset-block-start: 0;
      background: inherit;
    }
    [part='heading'] {
      margin: 0;
      font-size: 1rem;
    }
    [part='mark-all'],
    [part='mark-read'] {
      border: 0;
      background: transparent;
      color: var(--_accent);
      cursor: pointer;
      padding: 0.2rem 0.3rem;
      border-radius: var(--_radius);
      font-size: 0.85em;
    }
    [part='mark-all']:disabled {
      color: var(--_muted);
      cursor: default;
    }
    [part='list'] {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    [part~='item'] {
      display: grid;
      grid-template-columns: 1fr auto;
      gap: 0.15rem 0.5rem;
      padding: 0.6rem 0.75rem;
      border-block-end: 1px solid var(--_border);
      overflow-wrap: anywhere;
    }
    [part~='unread'] {
      background: var(--comet-bell-unread, var(--_surface));
      box-shadow: inset 3px 0 0 var(--_accent);
    }
    :host(:dir(rtl)) [part~='unread'] {
      box-shadow: inset -3px 0 0 var(--_accent);
    }
    [part='title'] {
      font-weight: 600;
    }
    [part~='unread'] [part='title']::before {
      content: '';
    }
    [part='body'],
    [part='time'] {
      color: var(--_muted);
      font-size: 0.85em;
    }
    [part='link'] {
      color: var(--_accent);
    }
    [part='empty'] {
      padding: 1rem 0.75rem;
      color: var(--_muted);
      margin: 0;
    }
  `,
];
