import { css } from 'lit';

/**
 * Shared by every element: the colour scheme (the page's, unless `theme` is
 * `light`, `dark`, or `auto` for the system's) and the tokens each part
 * falls back to. Everything is overridable with `--comet-*` custom properties, which
 * cross shadow roots, so a page themes all elements from one rule.
 */
export const themeStyles = css`
  :host {
    font: var(--comet-font, inherit);
    color: var(--comet-color, light-dark(#1b1e24, #e9ebf0));
    --_surface: var(--comet-surface, light-dark(#f6f7f9, #1e2127));
    --_raised: var(--comet-raised, light-dark(#ffffff, #262a31));
    --_muted: var(--comet-muted, light-dark(#545a68, #a9afbc));
    --_border: var(--comet-border, light-dark(#d5d9e0, #3a3f49));
    --_accent: var(--comet-accent, light-dark(#2155c9, #8cb1ff));
    --_on-accent: var(--comet-on-accent, light-dark(#ffffff, #0d1526));
    --_danger: var(--comet-danger, light-dark(#b3261e, #ffb4ab));
    --_warning: var(--comet-warning, light-dark(#8a5300, #ffcf73));
    --_success: var(--comet-success, light-dark(#1b6b3a, #7fdc9c));
    --_radius: var(--comet-radius, 0.375rem);
    --_shadow: var(--comet-shadow, 0 4px 16px light-dark(rgb(0 0 0 / 0.14), rgb(0 0 0 / 0.5)));
    --_focus: var(--comet-focus-ring, 2px solid var(--_accent));
  }
  /* The page's color-scheme is inherited, so elements match the page: a page
     that follows the system declares color-scheme: light dark. An explicit
     theme may differ from the page, so it brings its own background. */
  :host([theme]) {
    background-color: var(--comet-background, Canvas);
  }
  :host([theme='auto']) {
    color-scheme: light dark;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  :host([hidden]) {
    display: none !important;
  }
  :focus-visible {
    outline: var(--_focus);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
  button {
    font: inherit;
    color: inherit;
  }
`;
