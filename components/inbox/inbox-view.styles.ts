import { css } from 'lit';

/** Styles of the inbox view, loaded with its code and added to the element's shadow root. */
export const inboxViewStyles = css`
  .inbox-scroll {
    max-block-size: var(--comet-feed-height, 24rem);
    overflow-y: auto;
  }
  [part='inbox-bar'] {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
    justify-content: space-between;
    padding: 0.5rem 0.75rem;
  }
  [part='views'] {
    display: inline-flex;
    gap: 0.25rem;
  }
  [part~='view'],
  [part='mark-all'],
  [part='load-older'],
  [part='actions'] button {
    font: inherit;
    font-size: 0.85em;
    padding: 0.2rem 0.55rem;
    border-radius: var(--comet-radius, 0.4rem);
    border: 1px solid var(--_border, #8886);
    background: var(--_raised, transparent);
    color: inherit;
    cursor: pointer;
  }
  [part~='view-current'] {
    font-weight: 700;
    border-color: currentColor;
  }
  [part='notice']:empty {
    display: none;
  }
  [part='notice'] {
    margin: 0 0.75rem 0.5rem;
    padding: 0.4rem 0.6rem;
    border-radius: var(--comet-radius, 0.4rem);
    border: 1px solid var(--_danger, #c62828);
  }
  [part='inbox'] [part='list'] {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  [part='inbox'] [part~='item'] {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.15rem 0.5rem;
    padding: 0.55rem 0.75rem;
    border-block-start: 1px solid var(--_border, #8884);
  }
  [part='inbox'] [part~='unread'] {
    background: var(--comet-inbox-unread, var(--comet-bell-unread, var(--_surface)));
  }
  [part='inbox'] [part~='unread'] [part='title'] {
    font-weight: 700;
  }
  [part='actions'] {
    display: inline-flex;
    gap: 0.25rem;
  }
  [part~='avatar'] {
    display: inline-grid;
    place-items: center;
    inline-size: 1.6rem;
    block-size: 1.6rem;
    margin-inline-end: 0.4rem;
    vertical-align: middle;
    border-radius: 50%;
    object-fit: cover;
    font-size: 0.7em;
    font-weight: 700;
    background: var(--_surface, #8883);
  }
  [part='severity'] {
    font-size: 0.75em;
    font-weight: 700;
    padding: 0 0.35em;
    border-radius: var(--comet-radius, 0.4rem);
    color: var(--_tone);
    border: 1px solid currentColor;
  }
  [part~='item'] {
    --_tone: var(--comet-inbox-info, var(--_accent, #1a5fb4));
  }
  [part~='severity-success'] {
    --_tone: var(--comet-inbox-success, light-dark(#1b6e2e, #7fd491));
  }
  [part~='severity-warning'] {
    --_tone: var(--comet-inbox-warning, light-dark(#8a5300, #f2b85c));
  }
  [part~='severity-error'] {
    --_tone: var(--comet-inbox-error, var(--_danger, light-dark(#b3261e, #ff8a80)));
  }
  [part='inbox'] [part~='item'][part*='severity-'] {
    border-inline-start: 3px solid var(--_tone);
  }
  [part='group'] {
    grid-column: 1 / -1;
    font-size: 0.9em;
    font-weight: 600;
  }
  [part='group-count'] {
    margin-inline-start: 0.3em;
    font-size: 0.8em;
    padding: 0 0.45em;
    border-radius: 999px;
    border: 1px solid currentColor;
  }
  [part='body'] code {
    font-size: 0.9em;
    padding: 0 0.2em;
    border-radius: 0.2rem;
    background: var(--_surface, #8883);
  }
  [part='item-actions'] {
    grid-column: 1 / -1;
    display: flex;
    gap: 0.4rem;
  }
  [part~='action'] {
    font: inherit;
    font-size: 0.85em;
    padding: 0.2rem 0.7rem;
    border-radius: var(--comet-radius, 0.4rem);
    border: 1px solid var(--_tone);
    background: transparent;
    color: inherit;
    cursor: pointer;
    text-decoration: none;
  }
  [part~='action-primary'] {
    background: var(--_tone);
    color: var(--comet-inbox-action-text, light-dark(#fff, #111));
  }
  [part~='action'][aria-disabled='true'] {
    opacity: 0.6;
    cursor: progress;
  }
  [part='result'] {
    grid-column: 1 / -1;
    font-size: 0.85em;
    font-style: italic;
  }
  [part='menu'] {
    display: inline-block;
    position: relative;
  }
  [part='menu-button'] {
    list-style: none;
    cursor: pointer;
    font-size: 0.85em;
    padding: 0.2rem 0.55rem;
    border-radius: var(--comet-radius, 0.4rem);
    border: 1px solid var(--_border, #8886);
  }
  [part='menu-button']::-webkit-details-marker {
    display: none;
  }
  [part='menu-list'] {
    position: absolute;
    inset-inline-end: 0;
    z-index: 1;
    display: grid;
    gap: 0.2rem;
    padding: 0.3rem;
    border-radius: var(--comet-radius, 0.4rem);
    border: 1px solid var(--_border, #8886);
    background: var(--_raised, Canvas);
    box-shadow: var(--_shadow, none);
  }
  [part='snooze'] {
    font: inherit;
    font-size: 0.85em;
    white-space: nowrap;
    padding: 0.2rem 0.55rem;
    border: 0;
    border-radius: var(--comet-radius, 0.4rem);
    background: transparent;
    color: inherit;
    cursor: pointer;
    text-align: start;
  }
  [part='snooze']:hover,
  [part='snooze']:focus-visible {
    background: var(--_surface, #8883);
  }
  [part='load-older'] {
    display: block;
    margin: 0.5rem auto;
  }
  .visually-hidden {
    position: absolute;
    inline-size: 1px;
    block-size: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
`;
