import { css } from 'lit';

export const feedStyles = css`
  :host {
    display: block;
    font: var(--comet-font, inherit);
    color: var(--comet-color, inherit);
    --_gap: var(--comet-feed-gap, 0.25rem);
  }
  [part='list'] {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: var(--_gap);
  }
  [part='item'] {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0 0.75rem;
    padding: var(--comet-feed-item-padding, 0.5rem 0.75rem);
    border-radius: var(--comet-radius, 0.375rem);
    background: var(--comet-surface, light-dark(#f6f7f9, #1e2127));
    overflow-wrap: anywhere;
  }
  [part='type'] {
    font-size: 0.75em;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--comet-muted, light-dark(#5b6170, #a5abb8));
  }
  [part='time'] {
    grid-row: 1 / span 2;
    grid-column: 2;
    font-size: 0.8em;
    color: var(--comet-muted, light-dark(#5b6170, #a5abb8));
  }
  [part='status'] {
    color: var(--comet-muted, light-dark(#5b6170, #a5abb8));
    padding: 0.5rem 0;
  }
`;
