import { html, nothing, type PropertyValues } from 'lit';
import { CometElement } from '../shared/comet-element.js';
import { keyedList } from '../lists/keyed-list.js';
import type { CometClient, Subscription } from '../../src/client/client.js';
import type { Inbox } from '../../src/inbox/inbox.js';
import type { InboxAddedEvent } from '../../src/inbox/inbox-events.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import { emit } from '../shared/events.js';
import { safeHttpUrl } from '../text/safe-url.js';
import { format, languageOf } from '../shared/strings.js';
import { mergePluralStrings, plural, type PluralString } from '../text/plural.js';
import { summarize } from '../text/summarize.js';
import { toastsStyles } from './comet-toasts.styles.js';

export type ToastSeverity = 'info' | 'success' | 'warning' | 'error';
export type ToastPlacement = 'top-start' | 'top-center' | 'top-end' | 'bottom-start' | 'bottom-center' | 'bottom-end';
/** `overflow`: an old toast dropped because more than the element holds came in after it. */
export type ToastDismissReason = 'timeout' | 'close' | 'swipe' | 'escape' | 'action' | 'api' | 'overflow';

export interface ToastAction {
  /** Button text. */
  readonly label: string;
  /** Passed back in `comet-toast-action`. */
  readonly value?: string;
  /** Makes the action a link; only http(s) URLs are kept. */
  readonly href?: string;
}

export interface ToastOptions {
  /** A toast with this id, on screen or held, is updated in place instead of a new one shown. */
  readonly id?: string;
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

/** What `promise()` shows for each state: a message, or toast options. */
export type ToastContent = string | Omit<ToastOptions, 'id'>;

export interface ToastPromiseMessages<T> {
  readonly loading: ToastContent;
  readonly success: ToastContent | ((value: T) => ToastContent);
  readonly error: ToastContent | ((error: unknown) => ToastContent);
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
  /** Shown by `promise()` while the promise is pending. */
  readonly loading: boolean;
}

interface LiveToast extends Omit<Toast, 'count' | 'loading'> {
  count: number;
  loading: boolean;
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
  /** Older toasts held out of view (or dropped); `{count}`, plural forms by count. */
  more: PluralString;
  /** Read before a pending `promise()` toast. */
  loading: string;
  info: string;
  success: string;
  warning: string;
  error: string;
}

const DEFAULT_STRINGS: CometToastsStrings = {
  region: 'Notifications',
  dismiss: 'Dismiss',
  count: '×{count}',
  more: { one: '+{count} more notification', other: '+{count} more notifications' },
  loading: 'In progress',
  info: 'Information',
  success: 'Success',
  warning: 'Warning',
  error: 'Error',
};

const ICONS: Record<ToastSeverity, string> = { info: 'i', success: '✓', warning: '!', error: '×' };

/**
 * Toasts kept out of view beyond `max`, newest first; older ones are dropped
 * (and still counted in "+N more"). With 3 on screen for 5 s each, a burst
 * of a hundred would otherwise take minutes to show and hold a hidden tab's
 * every alert; this many come back in about half a minute.
 */
const HELD_MAX = 20;
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
 * A stack of toasts, fed by a channel and by `toast()`. A new toast shows
 * at once; at most `max` are visible, the newest, and older ones step out of
 * view into "+N more", coming back newest first as room frees up. At most 20
 * are held that way and older ones are dropped, so a burst, or a tab hidden
 * for hours, ends with the newest on screen and a count of the rest rather
 * than a backlog. `toast({ id })` updates a toast in place, and
 * `promise()` follows a promise (loading, then success or error) in one
 * toast. Auto-dismiss pauses while the pointer is
 * over the stack, while it holds keyboard focus and while the tab is hidden.
 * Errors are announced assertively, the rest politely; identical toasts
 * coalesce into one with a count. Toasts can be swiped away.
 *
 * @tagname comet-toasts
 * @summary Toast notifications from a channel and from script.
 * @csspart base - The region holding the stack.
 * @csspart stack - The list of visible toasts.
 * @csspart toast - One toast; also `toast-info`, `toast-success`, `toast-warning`, `toast-error`, `loading` while its promise is pending, and `leaving` while it animates out.
 * @csspart icon - The severity icon.
 * @csspart content - Title and message.
 * @csspart title - The title.
 * @csspart message - The message.
 * @csspart count - How many times a coalesced toast was raised.
 * @csspart more - "+N more": toasts held out of view or dropped.
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
 * @event comet-toast-dismiss - A toast went; `detail.toast` and `detail.reason` (`timeout`, `close`, `swipe`, `escape`, `action`, `api`, `overflow`).
 * @event comet-toast-action - An action button was pressed; `detail.toast` and `detail.action`. The toast is dismissed unless the event is cancelled.
 */
export class CometToasts extends CometElement<CometToastsStrings> {
  static override styles = toastsStyles;

  // Declared here rather than with decorators: the decorators' runtime would be in every element's file.
  static override properties = {
    channel: { reflect: true },
    inbox: { type: Boolean, reflect: true },
    placement: { reflect: true },
    max: { type: Number },
    duration: { type: Number },
    motion: { reflect: true },
    hotkey: {},
    paused: { type: Boolean, reflect: true },
  };

  constructor() {
    super();
    this.watchClient(() => this.#resubscribe());
    this.channel = '';
    this.inbox = false;
    this.placement = 'bottom-end';
    this.max = 3;
    this.duration = 5000;
    this.motion = 'auto';
    this.hotkey = 'alt+KeyT';
    this.paused = false;
  }

  /** A channel whose events become toasts (optional: `toast()` works without one). */
  declare channel: string;

  /**
   * Also toast the user's new inbox notifications (`client.inbox()`), but not
   * those of a category the user muted for toasts (the server flags them
   * `toast: false`); a group that grows updates its one toast.
   */
  declare inbox: boolean;

  /** Where the stack sits: `top-start`, `top-center`, `top-end`, `bottom-start`, `bottom-center`, `bottom-end` (start and end follow the writing direction). */
  declare placement: ToastPlacement;

  /** Most toasts visible at once: the newest; older ones are held out of view ("+N more"). */
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
  /** Older toasts out of view, oldest first: they come back from the end. */
  #held: LiveToast[] = [];
  /** Toasts dropped from #held since it was last empty: still part of "+N more". */
  #dropped = 0;
  readonly #pauses = new Set<'hover' | 'focus' | 'hidden'>();
  #subscription: Subscription | undefined;
  #subscribedTo: { client: CometClient; channel: string } | undefined;
  #swipe: { id: string; pointer: number; x: number; width: number } | undefined;
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

  /** Toasts held out of view, newest first (the order they come back in). */
  get queued(): readonly Toast[] {
    return this.#held.map(snapshot).reverse();
  }

  /** Toasts not on screen: those held and those dropped ("+N more"). */
  get more(): number {
    return this.#held.length + this.#dropped;
  }

  /** Shows a toast (or counts a duplicate, or updates the toast with `id`); returns its id. */
  toast(options: ToastOptions | string): string {
    return this.#show(typeof options === 'string' ? { message: options } : options, false);
  }

  /**
   * One toast that follows `promise`: `loading` while it is pending (kept
   * until it settles), then `success` or `error` in its place, from the
   * value or the reason when given as functions. Returns `promise`.
   */
  promise<T>(promise: Promise<T>, messages: ToastPromiseMessages<T>): Promise<T> {
    const id = this.#show({ ...content(messages.loading), duration: 0 }, true);
    const settle = (message: ToastContent, severity: ToastSeverity) => this.#show({ severity, ...content(message), id }, false);
    promise.then(
      (value) => settle(typeof messages.success === 'function' ? messages.success(value) : messages.success, 'success'),
      (error: unknown) => settle(typeof messages.error === 'function' ? messages.error(error) : messages.error, 'error'),
    );
    return promise;
  }

  #show(input: ToastOptions, loading: boolean): string {
    const severity: ToastSeverity = input.severity && SEVERITIES.has(input.severity) ? input.severity : 'info';
    const title = typeof input.title === 'string' ? input.title : '';
    const message = typeof input.message === 'string' ? input.message : '';
    const key = input.key ?? `${severity}\u0000${title}\u0000${message}`;
    const duration = Number.isFinite(input.duration) && input.duration! >= 0 ? input.duration! : this.#defaultDuration;
    const actions = (input.actions ?? []).filter((a) => typeof a?.label === 'string' && a.label !== '');
    const held = [...this.#visible, ...this.#held].filter((t) => !t.leaving);
    const existing = typeof input.id === 'string' ? held.find((t) => t.id === input.id) : held.find((t) => t.key === key);
    if (existing) {
      if (typeof input.id === 'string') Object.assign(existing, { title, message, severity, duration, actions, key, loading, event: input.event });
      else existing.count += 1;
      if (this.#visible.includes(existing)) {
        // A repeat, or a new state, is news again: its full time starts over.
        this.#stopTimer(existing);
        existing.remaining = existing.duration;
        this.#startTimer(existing);
        this.#announce(existing);
        this.#visible = [...this.#visible];
      } else existing.remaining = existing.duration;
      return existing.id;
    }
    const toast: LiveToast = {
      id: typeof input.id === 'string' ? input.id : `comet-toast-${++nextId}`,
      title,
      message,
      severity,
      duration,
      actions,
      key,
      count: 1,
      event: input.event,
      loading,
      remaining: duration,
      startedAt: 0,
      timer: undefined,
      leaving: false,
    };
    // The newest is shown at once; the oldest on screen steps out of view to make room.
    this.#visible = [...this.#visible, toast];
    this.#startTimer(toast);
    this.#announce(toast);
    emit(this, 'comet-toast-show', { toast: snapshot(toast) });
    this.#makeRoom();
    return toast.id;
  }

  /** Dismisses one toast, visible or held. */
  dismiss(id: string, reason: ToastDismissReason = 'api'): void {
    const held = this.#held.findIndex((t) => t.id === id);
    if (held >= 0) {
      const [toast] = this.#held.splice(held, 1);
      if (this.#held.length === 0) this.#dropped = 0;
      this.requestUpdate();
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

  /** Dismisses every toast, visible and held. */
  dismissAll(): void {
    for (const toast of [...this.#held]) this.dismiss(toast.id);
    this.#dropped = 0;
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
    this.#followInbox(undefined);
    document.removeEventListener('visibilitychange', this.#onVisibility);
    document.removeEventListener('keydown', this.#onHotkey);
    this.#unsubscribe();
    for (const toast of this.#visible) this.#stopTimer(toast);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('channel') || changed.has('inbox')) this.#resubscribe();
    if (changed.has('placement') && !PLACEMENTS.has(this.placement)) this.placement = 'bottom-end';
    if (changed.has('max')) {
      this.#makeRoom();
      this.#fill();
    }
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

  /** Moves the oldest toasts on screen out of view while more than `max` are, and drops the oldest held beyond HELD_MAX. */
  #makeRoom(): void {
    const showing = this.#visible.filter((t) => !t.leaving);
    const out = showing.slice(0, Math.max(0, showing.length - this.#max));
    if (out.length > 0) {
      for (const toast of out) this.#stopTimer(toast);
      this.#visible = this.#visible.filter((t) => !out.includes(t));
      // Older than every toast still on screen, newer than every toast held before.
      this.#held.push(...out);
    }
    while (this.#held.length > HELD_MAX) {
      const dropped = this.#held.shift()!;
      this.#dropped += 1;
      emit(this, 'comet-toast-dismiss', { toast: snapshot(dropped), reason: 'overflow' });
    }
    if (out.length > 0) this.requestUpdate();
  }

  /** Brings held toasts back, newest first, while there is room on screen. */
  #fill(): void {
    const room = this.#max - this.#visible.filter((t) => !t.leaving).length;
    if (room <= 0 || this.#held.length === 0) return;
    const back = this.#held.splice(-room, room);
    if (this.#held.length === 0) this.#dropped = 0;
    // Older than the toasts on screen: they go before them.
    this.#visible = [...back, ...this.#visible];
    for (const toast of back) {
      toast.remaining = toast.duration;
      this.#startTimer(toast);
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
    const strings = mergePluralStrings(DEFAULT_STRINGS, this.strings);
    const count = toast.count > 1 ? ` ${format(strings.count, { count: toast.count })}` : '';
    const text = `${strings[toast.severity]}: ${[toast.title, toast.message].filter(Boolean).join('. ')}${count}`;
    this.#announcement = toast.severity === 'error' ? { ...this.#announcement, assertive: text } : { ...this.#announcement, polite: text };
  }

  #resubscribe(): void {
    const client = this.client;
    this.#followInbox(this.isConnected && this.inbox ? client : undefined);
    if (!this.isConnected || !client || !this.channel) {
      this.#unsubscribe();
      return;
    }
    if (this.#subscribedTo?.client === client && this.#subscribedTo.channel === this.channel) return;
    this.#unsubscribe();
    this.#subscription = client.subscribe(this.channel, (event) => this.toast(toastFromEvent(event)));
    this.#subscribedTo = { client, channel: this.channel };
  }

  #inboxOf: CometClient | undefined;
  #inboxFollowed: Inbox | undefined;
  readonly #onInboxAdded = (event: InboxAddedEvent): void => {
    const { item } = event;
    if (item.toast === false || item.read) return;
    const data = (typeof item.data === 'object' && item.data !== null ? item.data : {}) as Record<string, unknown>;
    const text = (value: unknown): string | undefined => (typeof value === 'string' ? plainText(value.slice(0, 500)) : undefined);
    this.toast({
      id: item.group ? `inbox-group-${item.group.key}` : `inbox-${item.id}`,
      title: text(data['title']) ?? item.type,
      message: text(data['body']) ?? text(data['message']) ?? text(data['text']),
      severity: item.severity,
    });
  };

  #followInbox(client: CometClient | undefined): void {
    if (client === this.#inboxOf) return;
    this.#inboxFollowed?.removeEventListener('added', this.#onInboxAdded);
    this.#inboxFollowed = undefined;
    this.#inboxOf = client;
    client?.inbox().then((inbox) => {
      if (this.#inboxOf !== client) return;
      this.#inboxFollowed = inbox;
      inbox.addEventListener('added', this.#onInboxAdded);
      return inbox.start();
    }).catch(() => {});
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
      part=${`toast toast-${toast.severity}${toast.loading ? ' loading' : ''}${toast.leaving ? ' leaving' : ''}`}
      aria-busy=${toast.loading ? 'true' : 'false'}
      data-id=${toast.id}
      data-severity=${toast.severity}
      @keydown=${(event: KeyboardEvent) => this.#onKeyDown(event, toast)}
      @pointerdown=${(event: PointerEvent) => this.#onPointerDown(event, toast)}
      @pointermove=${this.#onPointerMove}
      @pointerup=${(event: PointerEvent) => this.#onPointerUp(event, toast)}
      @pointercancel=${(event: PointerEvent) => this.#onPointerUp(event, toast)}
      @animationend=${(event: AnimationEvent) => toast.leaving && event.animationName === 'comet-toast-out' && this.#remove(toast)}
    >
      <span part="icon" aria-hidden="true">${toast.loading ? '…' : ICONS[toast.severity]}</span>
      <div part="content">
        <span class="visually-hidden">${toast.loading ? strings.loading : strings[toast.severity]}:</span>
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
    const strings = mergePluralStrings(DEFAULT_STRINGS, this.strings);
    const more = this.more;
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
        ${more > 0 ? html`<p part="more">${plural(strings.more, more, languageOf(this))}</p>` : nothing}
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
  const { id, title, message, severity, duration, actions, key, count, event, loading } = toast;
  return { id, title, message, severity, duration, actions, key, count, event, loading };
}

/** An inbox body's formatting marks dropped: a toast shows text only. */
function plainText(value: string): string {
  return value.replace(/\[([^\]]+)\]\([^()\s]+\)/g, '$1').replace(/\*\*|`/g, '');
}

function content(value: ToastContent): Omit<ToastOptions, 'id'> {
  return typeof value === 'string' ? { message: value } : value;
}
