import { css } from 'lit';
import { themeStyles } from '../shared/theme.js';

export const statusStyles = [
  themeStyles,
  css`
    :host {
      display: inline-block;
      border-radius: var(--_radius);
    }
    :host([theme]) {
      padding: 0.15em 0.5em;
    }
    [part='base'] {
      display: inline-flex;
      align-items: center;
      gap: 0.4em;
    }
    [part='indicator'] {
      inline-size: 0.65em;
      block-size: 0.65em;
      border-radius: 50%;
      background: var(--comet-status-color, var(--_muted));
      flex: none;
    }
    :host([state='open']) [part='indicator'] {
      background: var(--comet-status-open, var(--_success));
    }
    :host([state='connecting']) [part='indicator'],
    :host([state='reconnecting']) [part='indicator'] {
      background: var(--comet-status-connecting, var(--_warning));
    }
    :host([state='closed']) [part='indicator'] {
      background: var(--comet-status-closed, var(--_danger));
    }
    [part='transport'] {
      color: var(--_muted);
      font-size: 0.85em;
    }
    [part='details'],
    [part='reason'] {
      color: var(--_muted);
      font-size: 0.8em;
      overflow-wrap: anywhere;
    }
    [part='retry'] {
      border: 1px solid var(--_border);
      background: var(--_raised);
      border-radius: var(--_radius);
      padding: 0.1em 0.5em;
      cursor: pointer;
    }
    :host([compact]) [part='label'],
    :host([compact]) [part='transport'],
    :host([compact]) [part='reason'] {
      position: absolute;
      inline-size: 1px;
      block-size: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  `,
];
