import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { keyedList } from '../shared/keyed-list.js';
import type { CometClient, Subscription } from '../../src/client/client.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { ClientController } from '../shared/client-consumer.js';
import { emit } from '../shared/events.js';
import { safeHttpUrl } from '../shared/safe-url.js';
import { format, mergeStrings } from '../shared/strings.js';
import { summarize } from '../shared/summarize.js';
import { toastsStyles } from './comet-toasts.styles.js';

export type ToastSeverity = 'info' | 'success' | 'warning' | 'error';
export type ToastPlacement = 'top-start' | 'top-center' | 'top-end' | 'bottom-start' | 'bottom-center' | 'bottom-end';
export type ToastDismissReason = 'timeout' | 'close' | 'swipe' | 'escape' | 'action' | 'api';

export interface ToastAction {
  /** Button text. */
  readonly label: string;
  /** Passed back in `comet-toast-action`. */
  readonly value?: string;
  /** Makes the action a link; only http(s) URLs are kept. */
  readonly href?: string;
}

export interface ToastOptions {
  readonly title?: string;
  readonly message?: string;
  /** Default `info`. `error` is announced assertively. */
  readonly severity?: ToastSeverity;
  /** Milliseconds before it goes by itself; 0 keeps it until dismissed. Default: the element's `duration`. */
  readonly duration?: number;
  readonly actions?: readonly ToastAction[];
  /** Toasts with the same key are one toast with a count; default: severity, title and message. */
  readonly key?: string;
  /** The event the toast came from, when it came from the channel. */
  readonly event?: CometEvent;
}

/** A toast as the element holds it; handed out in events. */
export interface Toast {
  readonly id: string;
  readonly title: string;
  readonly message: string;
  readonly severity: ToastSeverity;
  readonly duration: number;
  readonly actions: readonly ToastAction[];
  readonly key: string;
  /** How many times it was raised (duplicates coalesce). */
  readonly count: number;
  readonly event: CometEvent | undefined;
}

interface LiveToast extends Omit<Toast, 'count'> {
  count: number;
  /** Auto-dismiss time left when paused, or the full duration before it starts. */
  remaining: number;
  startedAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  leaving: boolean;
}

export interface CometToastsStrings {
  region: string;
  dismiss: string;
  /** Shown for coalesced duplicates; `{count}` times. */
  count: string;
  info: string;
  success: string;
  warning: string;
  error: string;
}

const DEFAULT_STRINGS: CometToastsStrings = {
  region: 'Notifications',
  dismiss: 'Dismiss',
  count: '×{count}',
  info: 'Information',
  success: 'Success',
  warning: 'Warning',
  error: 'Error',
};

const ICONS: Record<ToastSeverity, string> = { info: 'i', success: '✓', warning: '!', error: '×' };
const SEVERITIES = new Set<string>(['info', 'success', 'warning', 'error']);
const PLACEMENTS = new Set<string>(['top-start', 'top-center', 'top-end', 'bottom-start', 'bottom-center', 'bottom-end']);

let nextId = 0;

/** Reads a channel event as a toast: `title`, `message` (or `text`, `body`), `severity` (or `level`), `actions`, `key`, `duration`. */
export function toastFromEvent(event: CometEvent): ToastOptions {
  const data = event.data;
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return { message: summarize(data), event };
  const record = data as Record<string, unknown>;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value.slice(0, 500) : undefined);
  const severity = text(record['severity']) ?? text(record['level']);
  const message = text(record['message']) ?? text(record['text']) ?? text(record['body']);
  const title = text(record['title']);
  const actions = Array.isArray(record['actions'])
    ? record['actions'].slice(0, 3).flatMap((raw): ToastAction[] => {
        const action = raw as Record<string, unknown> | null;
        const label = text(action?.['label']);
        if (!label) return [];
        return [{ label, value: text(action?.['value']), href: text(action?.['href']) ?? text(action?.['url']) }];
      })
    : [];
  return {
    title,
    message: message ?? (title ? undefined : summarize(data)),
    severity: severity && SEVERITIES.has(severity) ? (severity as ToastSeverity) : undefined,
    actions,
    key: text(record['key']),
    duration: typeof record['duration'] === 'number' ? record['duration'] : undefined,
    event,
  };
}

/**
 * A stack of toasts, fed by a channel and by `toast()`. At most `max` are
 * visible, the rest wait in order. Auto-dismiss pauses while the pointer is
 * over the stack, while it holds keyboard focus and while the tab is hidden.
 * Errors are announced assertively, the rest politely; identical toasts
 * coalesce into one with a count. Toasts can be swiped away.
 *
 * @tagname comet-toasts
 * @summary Toast notifications from a channel and from script.
 * @csspart base - The region holding the stack.
 * @csspart stack - The list of visible toasts.
 * @csspart toast - One toast; also `toast-info`, `toast-success`, `toast-warning`, `toast-error`, and `leaving` while it animates out.
 * @csspart icon - The severity icon.
 * @csspart content - Title and message.
 * @csspart title - The title.
 * @csspart message - The message.
 * @csspart count - How many times a coalesced toast was raised.
 * @csspart actions - The action buttons.
 * @csspart action - One action (a button, or a link for http(s) actions).
 * @csspart close - The dismiss button.
 * @cssproperty --comet-toast-width - Width of the stack.
 * @cssproperty --comet-toasts-offset - Distance from the viewport edges.
 * @cssproperty --comet-toasts-z-index - Stacking order.
 * @cssproperty --comet-toast-gap - Space between toasts.
 * @cssproperty --comet-toast-padding - Padding inside a toast.
 * @cssproperty --comet-toast-background - Toast background.
 * @cssproperty --comet-toast-info - Accent of info toasts (also success, warning, error).
 * @cssproperty --comet-toast-duration-in - Length of the enter animation.
 * @cssproperty --comet-toast-duration-out - Length of the exit animation.
 * @event comet-toast-show - A toast became visible; `detail.toast`.
 * @event comet-toast-dismiss - A toast went; `detail.toast` and `detail.reason` (`timeout`, `close`, `swipe`, `escape`, `action`, `api`).
 * @event comet-toast-action - An action button was pressed; `detail.toast` and `detail.action`. The toast is dismissed unless the event is cancelled.
 */
export class CometToasts extends LitElement {
  static override styles = toastsStyles;

  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  static override properties = {
    channel: { reflect: true },
    placement: { reflect: true },
    max: { type: Number },
    duration: { type: Number },
    motion: { reflect: true },
    hotkey: {},
    paused: { type: Boolean, reflect: true },
    theme: { reflect: true },
    strings: { attribute: false },
  };

  constructor() {
    super();
    this.channel = '';
    this.placement = 'bottom-end';
    this.max = 3;
    this.duration = 5000;
    this.motion = 'auto';
    this.hotkey = 'alt+KeyT';
    this.paused = false;
    this.strings = {};
  }

  /** A channel whose events become toasts (optional: `toast()` works without one). */
  declare channel: string;

  /** Where the stack sits: `top-start`, `top-center`, `top-end`, `bottom-start`, `bottom-center`, `bottom-end` (start and end follow the writing direction). */
  declare placement: ToastPlacement;

  /** Most toasts visible at once; more wait in a queue. */
  declare max: number;

  /** Default auto-dismiss delay in ms; 0 keeps toasts until dismissed. */
  declare duration: number;

  /** `reduce` turns animations off whatever the system setting; by default the system's `prefers-reduced-motion` decides. */
  declare motion: 'auto' | 'reduce';

  /**
   * Keyboard shortcut that moves focus to the newest toast, since toasts sit
   * outside the page's tab order: modifiers joined by `+` and a key code,
   * e.g. `alt+KeyT` (the default); empty to turn it off.
   */
  declare hotkey: string;

  /** True while auto-dismiss is paused (hover, focus, hidden tab); reflected for styling and tests. */
  declare paused: boolean;

  /** `light`, `dark`, `auto` (the system's setting), or unset to follow the page's `color-scheme`. */
  declare theme: 'light' | 'dark' | 'auto' | undefined;

  /** Replacement strings (i18n). */
  declare strings: Partial<CometToastsStrings>;

  // Private state: each setter re-renders when the value changes, as `@state()` would.
  #visibleValue: LiveToast[] = [];
  get #visible(): LiveToast[] {
    return this.#visibleValue;
  }
  set #visible(value: LiveToast[]) {
    if (value === this.#visibleValue) return;
    this.#visibleValue = value;
    this.requestUpdate();
  }
  #announcementValue: { polite: string; assertive: string } = { polite: '', assertive: '' };
  get #announcement(): { polite: string; assertive: string } {
    return this.#announcementValue;
  }
  set #announcement(value: { polite: string; assertive: string }) {
    if (value === this.#announcementValue) return;
    this.#announcementValue = value;
    this.requestUpdate();
  }
  #queue: LiveToast[] = [];
  readonly #pauses = new Set<'hover' | 'focus' | 'hidden'>();
  #subscription: Subscription | undefined;
  #subscribedTo: { client: CometClient; channel: string } | undefined;
  #swipe: { id: string; pointer: number; x: number; width: number } | undefined;
  readonly #clients = new ClientController(this, () => this.#resubscribe());
  readonly #onVisibility = (): void => this.#setPause('hidden', document.hidden);
  readonly #onHotkey = (event: KeyboardEvent): void => {
    if (!this.hotkey || !matchesHotkey(event, this.hotkey)) return;
    const newest = [...(this.shadowRoot?.querySelectorAll<HTMLElement>('[part~="toast"]:not([part~="leaving"])') ?? [])].at(-1);
    const target = newest?.querySelector<HTMLElement>('[part~="action"]') ?? newest?.querySelector<HTMLElement>('[part="close"]');
    if (!target) return;
    event.preventDefault();
    target.focus();
  };

  /** Toasts on screen, oldest first. */
  get toasts(): readonly Toast[] {
    return this.#visible.filter((t) => !t.leaving).map(snapshot);
  }

  /** Toasts waiting for room, in order. */
  get queued(): readonly Toast[] {
    return this.#queue.map(snapshot);
  }

  /** Shows a toast (or counts a duplicate); returns its id. */
  toast(options: ToastOptions | string): string {
    const input: ToastOptions = typeof options === 'string' ? { message: options } : options;
    const severity: ToastSeverity = input.severity && SEVERITIES.has(input.severity) ? input.severity : 'info';
    const title = typeof input.title === 'string' ? input.title : '';
    const message = typeof input.message === 'string' ? input.message : '';
    const key = input.key ?? `${severity}\u0000${title}\u0000${message}`;
    const existing = [...this.#visible, ...this.#queue].find((t) => t.key === key && !t.leaving);
    if (existing) {
      existing.count += 1;
      if (this.#visible.includes(existing)) {
        // A repeat is news again: its full time starts over.
        this.#stopTimer(existing);
        existing.remaining = existing.duration;
        this.#startTimer(existing);
        this.#announce(existing);
        this.#visible = [...this.#visible];
      }
      return existing.id;
    }
    const duration = Number.isFinite(input.duration) && input.duration! >= 0 ? input.duration! : this.#defaultDuration;
    const toast: LiveToast = {
      id: `comet-toast-${++nextId}`,
      title,
      message,
      severity,
      duration,
      actions: (input.actions ?? []).filter((a) => typeof a?.label === 'string' && a.label !== ''),
      key,
      count: 1,
      event: input.event,
      remaining: duration,
      startedAt: 0,
      timer: undefined,
      leaving: false,
    };
    this.#queue.push(toast);
    this.#fill();
    return toast.id;
  }

  /** Dismisses one toast, visible or queued. */
  dismiss(id: string, reason: ToastDismissReason = 'api'): void {
    const queued = this.#queue.findIndex((t) => t.id === id);
    if (queued >= 0) {
      const [toast] = this.#queue.splice(queued, 1);
      emit(this, 'comet-toast-dismiss', { toast: snapshot(toast!), reason });
      return;
    }
    const toast = this.#visible.find((t) => t.id === id && !t.leaving);
    if (!toast) return;
    this.#stopTimer(toast);
    toast.leaving = true;
    emit(this, 'comet-toast-dismiss', { toast: snapshot(toast), reason });
    if (this.#reducedMotion) this.#remove(toast);
    else {
      this.#visible = [...this.#visible];
      // animationend may never come (display: none, a theme without animation): do not wait for it forever.
      setTimeout(() => this.#remove(toast), 600);
    }
    this.#fill();
  }

  /** Dismisses every toast, visible and queued. */
  dismissAll(): void {
    for (const toast of [...this.#queue]) this.dismiss(toast.id);
    for (const toast of [...this.#visible]) this.dismiss(toast.id);
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('visibilitychange', this.#onVisibility);
    document.addEventListener('keydown', this.#onHotkey);
    this.#setPause('hidden', document.hidden);
    this.#resubscribe();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('visibilitychange', this.#onVisibility);
    document.removeEventListener('keydown', this.#onHotkey);
    this.#unsubscribe();
    for (const toast of this.#visible) this.#stopTimer(toast);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('channel')) this.#resubscribe();
    if (changed.has('placement') && !PLACEMENTS.has(this.placement)) this.placement = 'bottom-end';
    if (changed.has('max')) this.#fill();
  }

  get #defaultDuration(): number {
    return Number.isFinite(this.duration) && this.duration >= 0 ? this.duration : 5000;
  }

  get #max(): number {
    return Number.isFinite(this.max) && this.max >= 1 ? Math.floor(this.max) : 3;
  }

  get #reducedMotion(): boolean {
    return this.motion === 'reduce' || (typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches);
  }

  #fill(): void {
    const showing = this.#visible.filter((t) => !t.leaving).length;
    const room = this.#max - showing;
    if (room <= 0 || this.#queue.length === 0) return;
    const next = this.#queue.splice(0, room);
    this.#visible = [...this.#visible, ...next];
    for (const toast of next) {
      this.#startTimer(toast);
      this.#announce(toast);
      emit(this, 'comet-toast-show', { toast: snapshot(toast) });
    }
  }

  #remove(toast: LiveToast): void {
    if (!this.#visible.includes(toast)) return;
    this.#visible = this.#visible.filter((t) => t !== toast);
  }

  #startTimer(toast: LiveToast): void {
    if (toast.duration === 0 || this.paused || toast.leaving) return;
    toast.startedAt = performance.now();
    toast.timer = setTimeout(() => this.dismiss(toast.id, 'timeout'), toast.remaining);
  }

  #stopTimer(toast: LiveToast): void {
    if (toast.timer === undefined) return;
    clearTimeout(toast.timer);
    toast.timer = undefined;
    toast.remaining = Math.max(0, toast.remaining - (performance.now() - toast.startedAt));
  }

  #setPause(reason: 'hover' | 'focus' | 'hidden', on: boolean): void {
    if (on) this.#pauses.add(reason);
    else this.#pauses.delete(reason);
    const paused = this.#pauses.size > 0;
    if (paused === this.paused) return;
    this.paused = paused;
    for (const toast of this.#visible) {
      if (paused) this.#stopTimer(toast);
      else this.#startTimer(toast);
    }
  }

  #announce(toast: LiveToast): void {
    const strings = mergeStrings(DEFAULT_STRINGS, this.strings);
    const count = toast.count > 1 ? ` ${format(strings.count, { count: toast.count })}` : '';
    const text = `${strings[toast.severity]}: ${[toast.title, toast.message].filter(Boolean).join('. ')}${count}`;
    this.#announcement = toast.severity === 'error' ? { ...this.#announcement, assertive: text } : { ...this.#announcement, polite: text };
  }

  #resubscribe(): void {
    const client = this.#clients.client;
    if (!this.isConnected || !client || !this.channel) {
      this.#unsubscribe();
      return;
    }
    if (this.#subscribedTo?.client === client && this.#subscribedTo.channel === this.channel) return;
    this.#unsubscribe();
    this.#subscription = client.subscribe(this.channel, (event) => this.toast(toastFromEvent(event)));
    this.#subscribedTo = { client, channel: this.channel };
  }

  #unsubscribe(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#subscribedTo = undefined;
  }

  #action(toast: LiveToast, action: ToastAction): void {
    const proceed = emit(this, 'comet-toast-action', { toast: snapshot(toast), action }, { cancelable: true });
    if (proceed) this.dismiss(toast.id, 'action');
  }

  #onKeyDown(event: KeyboardEvent, toast: LiveToast): void {
    if (event.key === 'Escape') {
      event.stopPropagation();
      this.dismiss(toast.id, 'escape');
    }
  }

  #onPointerDown(event: PointerEvent, toast: LiveToast): void {
    if (event.button !== 0 || (event.target as Element).closest('button, a')) return;
    const element = event.currentTarget as HTMLElement;
    this.#swipe = { id: toast.id, pointer: event.pointerId, x: event.clientX, width: element.offsetWidth || 1 };
    try {
      element.setPointerCapture(event.pointerId);
    } catch {
      // A pointer that is no longer active (or a synthetic one) cannot be captured; the swipe still works while it stays over the toast.
    }
  }

  #onPointerMove(event: PointerEvent): void {
    const swipe = this.#swipe;
    if (!swipe || swipe.pointer !== event.pointerId) return;
    const element = event.currentTarget as HTMLElement;
    const dx = event.clientX - swipe.x;
    element.style.setProperty('--_swipe', `${dx}px`);
    element.style.setProperty('--_swipe-ratio', String(Math.min(1, Math.abs(dx) / swipe.width)));
    element.part.add('swiping');
  }

  #onPointerUp(event: PointerEvent, toast: LiveToast): void {
    const swipe = this.#swipe;
    if (!swipe || swipe.pointer !== event.pointerId) return;
    this.#swipe = undefined;
    const element = event.currentTarget as HTMLElement;
    const dx = event.clientX - swipe.x;
    element.part.remove('swiping');
    // A third of the width, or 80 px on wide toasts, tells a swipe from a sloppy click.
    if (event.type === 'pointerup' && Math.abs(dx) >= Math.min(80, swipe.width / 3)) {
      this.dismiss(toast.id, 'swipe');
    } else {
      element.style.removeProperty('--_swipe');
      element.style.removeProperty('--_swipe-ratio');
    }
  }

  #onPointerOut(event: PointerEvent): void {
    const related = event.relatedTarget;
    const stack = event.currentTarget as HTMLElement;
    if (!(related instanceof Node) || !stack.contains(related)) this.#setPause('hover', false);
  }

  #onFocusOut(event: FocusEvent): void {
    const stack = event.currentTarget as HTMLElement;
    // Focus also leaves when the focused toast is removed mid-render; decide once the DOM settled.
    queueMicrotask(() => {
      const active = this.shadowRoot?.activeElement;
      if (!active || !stack.contains(active)) this.#setPause('focus', false);
    });
  }

  #renderToast(toast: LiveToast, strings: CometToastsStrings) {
    return html`<li
      part=${`toast toast-${toast.severity}${toast.leaving ? ' leaving' : ''}`}
      data-id=${toast.id}
      data-severity=${toast.severity}
      @keydown=${(event: KeyboardEvent) => this.#onKeyDown(event, toast)}
      @pointerdown=${(event: PointerEvent) => this.#onPointerDown(event, toast)}
      @pointermove=${this.#onPointerMove}
      @pointerup=${(event: PointerEvent) => this.#onPointerUp(event, toast)}
      @pointercancel=${(event: PointerEvent) => this.#onPointerUp(event, toast)}
      @animationend=${(event: AnimationEvent) => toast.leaving && event.animationName === 'comet-toast-out' && this.#remove(toast)}
    >
      <span part="icon" aria-hidden="true">${ICONS[toast.severity]}</span>
      <div part="content">
        <span class="visually-hidden">${strings[toast.severity]}:</span>
        ${toast.title ? html`<strong part="title">${toast.title}</strong>` : nothing}
        ${toast.message ? html`<p part="message">${toast.message}</p>` : nothing}
      </div>
      <div>
        ${toast.count > 1 ? html`<span part="count">${format(strings.count, { count: toast.count })}</span>` : nothing}
        <button part="close" type="button" aria-label=${strings.dismiss} title=${strings.dismiss} @click=${() => this.dismiss(toast.id, 'close')}>
          <span aria-hidden="true">×</span>
        </button>
      </div>
      ${toast.actions.length > 0
        ? html`<div part="actions">
            ${toast.actions.map((action) => {
              const href = safeHttpUrl(action.href);
              return href
                ? html`<a part="action action-link" href=${href} target="_blank" rel="noopener noreferrer" @click=${() => this.#action(toast, action)}>${action.label}</a>`
                : html`<button part="action" type="button" @click=${() => this.#action(toast, action)}>${action.label}</button>`;
            })}
          </div>`
        : nothing}
    </li>`;
  }

  protected override render() {
    const strings = mergeStrings(DEFAULT_STRINGS, this.strings);
    return html`<section part="base" aria-label=${strings.region}>
        <ol
          part="stack"
          @pointerover=${() => this.#setPause('hover', true)}
          @pointerout=${this.#onPointerOut}
          @focusin=${() => this.#setPause('focus', true)}
          @focusout=${this.#onFocusOut}
        >
          ${keyedList(this.#visible, (t) => t.id, (t) => this.#renderToast(t, strings))}
        </ol>
      </section>
      <div class="visually-hidden" role="status" aria-live="polite">${this.#announcement.polite}</div>
      <div class="visually-hidden" role="alert" aria-live="assertive">${this.#announcement.assertive}</div>`;
  }
}

/** `alt+KeyT`: every named modifier down, the others up, and `event.code` equal to the last part. */
function matchesHotkey(event: KeyboardEvent, hotkey: string): boolean {
  const parts = hotkey.split('+').map((part) => part.trim());
  const code = parts.pop();
  const wanted = new Set(parts.map((part) => part.toLowerCase()));
  return (
    event.code === code &&
    event.altKey === wanted.has('alt') &&
    event.ctrlKey === wanted.has('ctrl') &&
    event.shiftKey === wanted.has('shift') &&
    event.metaKey === wanted.has('meta')
  );
}

function snapshot(toast: LiveToast): Toast {
  const { id, title, message, severity, duration, actions, key, count, event } = toast;
  return { id, title, message, severity, duration, actions, key, count, event };
}
