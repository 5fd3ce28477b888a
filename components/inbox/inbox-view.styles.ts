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
