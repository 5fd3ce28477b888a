import { css } from 'lit';
import { themeStyles } from '../shared/theme.js';

export const presenceStyles = [
  themeStyles,
  css`
    :host {
      display: inline-block;
      --_size: var(--comet-avatar-size, 2rem);
    }
    [part='base'] {
      display: inline-flex;
      align-items: center;
      gap: 0.5rem;
    }
    [part='list'] {
      display: flex;
      list-style: none;
      margin: 0;
      padding: 0;
    }
    [part~='avatar'],
    [part='overflow'] {
      inline-size: var(--_size);
      block-size: var(--_size);
      border-radius: var(--comet-avatar-radius, 50%);
      display: grid;
      place-items: center;
      font-size: calc(var(--_size) * 0.4);
      font-weight: 600;
      border: 2px solid var(--comet-avatar-ring, var(--_raised));
      margin-inline-start: calc(var(--_size) * -0.25);
      box-sizing: border-box;
      line-height: 1;
    }
    li:first-child [part~='avatar'] {
      margin-inline-start: 0;
    }
    [part~='avatar'] {
      background: hsl(var(--_hue) 45% 32%);
      color: #fff;
    }
    [part~='self'] {
      outline: 2px solid var(--_accent);
      outline-offset: 0;
    }
    [part='overflow'] {
      background: var(--_surface);
      color: var(--_muted);
      cursor: pointer;
      padding: 0;
      font-size: calc(var(--_size) * 0.34);
    }
    [part='count'] {
      color: var(--_muted);
      font-size: 0.9em;
    }
    [part='panel'] {
      margin: 0;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
      background: var(--_raised);
      color: inherit;
      box-shadow: var(--_shadow);
      padding: 0.5rem 0;
      max-block-size: 20rem;
      overflow: auto;
      min-inline-size: 12rem;
    }
    [part='panel'] ul {
      list-style: none;
      margin: 0;
      padding: 0;
    }
    [part='panel'] li {
      padding: 0.25rem 0.75rem;
      overflow-wrap: anywhere;
    }
  `,
];
