import { css } from 'lit';
import { themeStyles } from '../shared/theme.js';

export const toastsStyles = [
  themeStyles,
  css`
    :host {
      position: fixed;
      z-index: var(--comet-toasts-z-index, 1000);
      inset-block-end: var(--comet-toasts-offset, 1rem);
      inset-inline-end: var(--comet-toasts-offset, 1rem);
      inline-size: min(var(--comet-toast-width, 22rem), calc(100vw - 2rem));
      pointer-events: none;
      /* The stack is a positioning box only; each toast has its own surface. */
      background: none !important;
    }
    :host([placement^='top']) {
      inset-block-start: var(--comet-toasts-offset, 1rem);
      inset-block-end: auto;
    }
    :host([placement$='-start']) {
      inset-inline-start: var(--comet-toasts-offset, 1rem);
      inset-inline-end: auto;
    }
    :host([placement$='-center']) {
      inset-inline-start: 50%;
      inset-inline-end: auto;
      translate: -50% 0;
    }
    :host(:dir(rtl)[placement$='-center']) {
      translate: 50% 0;
    }
    [part='stack'] {
      list-style: none;
      margin: 0;
      padding: 0;
      display: flex;
      flex-direction: column;
      gap: var(--comet-toast-gap, 0.5rem);
    }
    :host([placement^='top']) [part='stack'] {
      flex-direction: column-reverse;
    }
    [part~='toast'] {
      pointer-events: auto;
      position: relative;
      display: grid;
      grid-template-columns: auto 1fr auto;
      align-items: start;
      gap: 0.25rem 0.6rem;
      padding: var(--comet-toast-padding, 0.75rem 0.75rem 0.75rem 0.9rem);
      background: var(--comet-toast-background, var(--_raised));
      border: 1px solid var(--_border);
      border-inline-start: 4px solid var(--_tone);
      border-radius: var(--_radius);
      box-shadow: var(--_shadow);
      overflow-wrap: anywhere;
      touch-action: pan-y;
      translate: var(--_swipe, 0) 0;
      --_tone: var(--comet-toast-info, var(--_accent));
      animation: comet-toast-in var(--comet-toast-duration-in, 180ms) ease-out;
    }
    [part~='toast-success'] {
      --_tone: var(--comet-toast-success, var(--_success));
    }
    [part~='toast-warning'] {
      --_tone: var(--comet-toast-warning, var(--_warning));
    }
    [part~='toast-error'] {
      --_tone: var(--comet-toast-error, var(--_danger));
    }
    [part~='leaving'] {
      animation: comet-toast-out var(--comet-toast-duration-out, 160ms) ease-in forwards;
    }
    [part~='swiping'] {
      transition: none;
      opacity: calc(1 - var(--_swipe-ratio, 0));
    }
    @keyframes comet-toast-in {
      from {
        opacity: 0;
        transform: translateY(0.5rem) scale(0.98);
      }
    }
    @keyframes comet-toast-out {
      to {
        opacity: 0;
        transform: scale(0.96);
      }
    }
    @media (prefers-reduced-motion: reduce) {
      [part~='toast'],
      [part~='leaving'] {
        animation: none;
      }
    }
    :host([motion='reduce']) [part~='toast'],
    :host([motion='reduce']) [part~='leaving'] {
      animation: none;
    }
    [part='icon'] {
      color: var(--_tone);
      font-weight: 700;
      inline-size: 1.25rem;
      text-align: center;
    }
    [part='content'] {
      min-inline-size: 0;
    }
    [part='title'] {
      display: block;
      font-weight: 600;
    }
    [part='message'] {
      margin: 0.1rem 0 0;
      color: var(--_muted);
    }
    [part='count'] {
      font-size: 0.75em;
      border-radius: 999px;
      padding: 0 0.4em;
      background: var(--_surface);
      color: var(--_muted);
      margin-inline-start: 0.3em;
    }
    [part='actions'] {
      grid-column: 2 / -1;
      display: flex;
      flex-wrap: wrap;
      gap: 0.4rem;
    }
    [part~='action'] {
      border: 1px solid var(--_tone);
      background: transparent;
      color: inherit;
      border-radius: var(--_radius);
      padding: 0.15rem 0.6rem;
      cursor: pointer;
      text-decoration: none;
      font-size: 0.9em;
    }
    [part='close'] {
      border: 0;
      background: transparent;
      color: var(--_muted);
      cursor: pointer;
      inline-size: 1.75rem;
      block-size: 1.75rem;
      border-radius: var(--_radius);
      font-size: 1.1rem;
      line-height: 1;
      padding: 0;
    }
    [part='close']:hover {
      background: var(--_surface);
    }
    [part='more'] {
      inline-size: fit-content;
      margin: 0;
      margin-block-start: var(--comet-toast-gap, 0.5rem);
      margin-inline-start: auto;
      padding: 0.15rem 0.6rem;
      font-size: 0.85em;
      color: var(--_muted);
      background: var(--comet-toast-background, var(--_raised));
      border: 1px solid var(--_border);
      border-radius: 999px;
    }
  `,
];
