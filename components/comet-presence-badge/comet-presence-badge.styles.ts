import { css } from 'lit';
import { themeStyles } from '../shared/theme.js';

export const badgeStyles = [
  themeStyles,
  css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 0.35em;
      vertical-align: middle;
    }
    [part='dot'] {
      inline-size: var(--comet-badge-size, 0.6em);
      block-size: var(--comet-badge-size, 0.6em);
      border-radius: 50%;
      background: var(--comet-badge-offline, var(--_muted));
      box-shadow: 0 0 0 2px var(--comet-badge-ring, var(--_raised));
    }
    :host([online]) [part='dot'] {
      background: var(--comet-badge-online, var(--_success));
    }
  `,
];
