import { css } from 'lit';

/** The push switch's look, inside the element that shows it (`::part(push)`, `::part(push-switch)`, `::part(push-status)`). */
export const pushToggleStyles = css`
  [part='push'] {
    display: grid;
    gap: 0.25rem;
    padding: 0.5rem 0.75rem;
    border-block-start: 1px solid var(--_border);
  }
  [part='push-label'] {
    display: flex;
    gap: 0.5rem;
    align-items: center;
    font-weight: 600;
  }
  [part='push-switch'] {
    inline-size: 1.1rem;
    block-size: 1.1rem;
    margin: 0;
    accent-color: var(--_accent);
    cursor: pointer;
  }
  [part='push-switch']:disabled {
    cursor: not-allowed;
  }
  [part~='push-status'] {
    margin: 0;
    font-size: 0.85em;
    color: var(--_muted);
  }
`;
