import { css } from 'lit';
import { themeStyles } from '../shared/theme.js';

export const preferencesStyles = [
  themeStyles,
  css`
    :host {
      display: block;
    }
    fieldset {
      margin: 0;
      padding: 0.75rem;
      border: 1px solid var(--_border);
      border-radius: var(--_radius);
    }
    legend {
      font-weight: 700;
      padding: 0 0.3rem;
    }
    [part='global'] {
      display: flex;
      gap: 0.5rem;
      align-items: center;
      margin-block-end: 0.5rem;
      font-weight: 600;
    }
    [part='table'] {
      border-collapse: collapse;
      inline-size: 100%;
    }
    th,
    td {
      padding: 0.4rem 0.5rem;
      border-block-end: 1px solid var(--_border);
      text-align: center;
    }
    th[scope='row'],
    thead th:first-child {
      text-align: start;
      font-weight: 500;
    }
    [part='critical'] {
      display: block;
      font-size: 0.8em;
      color: var(--_muted);
    }
    input[type='checkbox'] {
      inline-size: 1.1rem;
      block-size: 1.1rem;
      accent-color: var(--_accent);
      cursor: pointer;
    }
    input:disabled {
      cursor: not-allowed;
    }
    [part='status'] {
      margin: 0.4rem 0 0;
      color: var(--_muted);
    }
    [part='push'] {
      padding-inline: 0;
      margin-block-end: 0.5rem;
      border-block-start: none;
    }
    [part='status']:empty,
    [hidden] {
      display: none;
    }
  `,
];
