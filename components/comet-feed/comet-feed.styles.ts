import { css } from 'lit';
import { themeStyles } from '../shared/theme.js';

export const feedStyles = [
  themeStyles,
  css`
    :host {
      display: block;
      position: relative;
      --_gap: var(--comet-feed-gap, 0.25rem);
    }
    [part='list'] {
      display: block;
      max-block-size: var(--comet-feed-height, 22rem);
      overflow: auto;
      overscroll-behavior: contain;
    }
    [part='list'].virtual {
      block-size: var(--comet-feed-height, 22rem);
      contain: strict;
    }
    [part~='item'] {
      display: grid;
      grid-template-columns: 1fr auto;
      gap: 0 0.75rem;
      inline-size: 100%;
      box-sizing: border-box;
      padding: var(--comet-feed-item-padding, 0.5rem 0.75rem);
      border-radius: var(--_radius);
      background: var(--_surface);
      overflow-wrap: anywhere;
      /* Margin inside the virtualized item keeps measured heights honest. */
      border-block-end: var(--_gap) solid var(--comet-feed-background, transparent);
      background-clip: padding-box;
    }
    [part~='item']:focus-visible {
      outline-offset: -2px;
    }
    [part='type'] {
      font-size: 0.75em;
      text-transform: uppercase;
      letter-spacing: 0.04em;
      color: var(--_muted);
    }
    [part='time'] {
      grid-row: 1 / span 2;
      grid-column: 2;
      font-size: 0.8em;
      color: var(--_muted);
      white-space: nowrap;
    }
    [part='status'] {
      color: var(--_muted);
      padding: 0.5rem 0;
      margin: 0;
    }
    [part='retry'] {
      margin-inline-start: 0.5rem;
      border: 1px solid var(--_border);
      background: var(--_raised);
      border-radius: var(--_radius);
      cursor: pointer;
    }
    [part='new-pill'] {
      position: absolute;
      z-index: 1;
      inset-block-start: 0.5rem;
      inset-inline-start: 50%;
      translate: -50% 0;
      border: 0;
      border-radius: 999px;
      padding: 0.3rem 0.9rem;
      background: var(--comet-feed-pill, var(--_accent));
      color: var(--comet-feed-pill-text, var(--_on-accent));
      box-shadow: var(--_shadow);
      cursor: pointer;
      font-size: 0.85em;
      font-weight: 600;
    }
    :host(:dir(rtl)) [part='new-pill'] {
      translate: 50% 0;
    }
    [virtualizer-sizer] {
      visibility: hidden;
    }
  `,
];
