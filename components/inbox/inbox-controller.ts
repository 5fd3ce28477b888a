import type { ReactiveController } from 'lit';
import type { CometClient } from '../../src/client/client.js';
import type { Inbox } from '../../src/inbox/inbox.js';
import type { InboxAddedEvent, InboxChangedEvent, InboxResyncEvent, InboxSnoozedEvent, InboxUpdatedEvent } from '../../src/inbox/inbox-events.js';
import { changeTargets, inFilter, type InboxChange, type InboxCounts, type InboxFilter, type InboxItem } from '../../src/protocol/inbox-protocol.js';
import type { ClientHost } from '../shared/comet-element.js';

/** Items marked seen as they scroll into view are sent together after this pause. */
const SEEN_BATCH_MS = 250;

/**
 * Items a view keeps as new ones arrive live: past it the oldest go (and
 * "load older" brings them back), so a page open all day holds a bounded
 * list however many arrive. Also after scrolling further: an end that loads
 * on its own while out of sight (WebKit's IntersectionObserver in a closed
 * popover) would otherwise raise any higher bound page by page.
 */
const KEEP_LIVE = 200;

/** How long the echo of a change made here is waited for on the user's channel (the server sends none for a change that changed nothing). */
const ECHO_WAIT_MS = 10_000;

/** Something that happened to the list while a page was on its way: replayed on that page when it comes. */
type ListStep = (items: InboxItem[]) => InboxItem[];

/** Sets the flags of `change` on the items it targets; those that leave `filter` go. Applying it twice changes nothing. */
function applyChange(items: readonly InboxItem[], change: InboxChange, filter: InboxFilter): InboxItem[] {
  const set = change.set.read === true ? { ...change.set, seen: true } : change.set;
  return items.map((item) => (changeTargets(change, item.id) ? { ...item, ...set } : item)).filter((item) => inFilter(item, filter));
}

/** Names a change by what it targets and sets, as the server echoes it (it marks what is read as seen too). */
function changeKey(change: InboxChange): string {
  const { seen, read, archived } = change.set;
  const target = 'upTo' in change ? `upTo ${change.upTo}` : `ids ${[...new Set(change.ids)].sort((a, b) => a - b).join(',')}`;
  return `${target} seen=${read === true ? '' : String(seen)} read=${String(read)} archived=${String(archived)}`;
}

/**
 * The server inbox for an element: one view (Unread / All / Archived) paged
 * newest first, the counts, live changes from the user's other devices, and
 * changes made here applied at once, rolled back with a message when the
 * server refuses them.
 */
export class InboxController implements ReactiveController {
  items: InboxItem[] = [];
  counts: InboxCounts | undefined;
  filter: InboxFilter = 'all';
  status: 'idle' | 'loading' | 'ready' | 'error' = 'idle';
  /** Why the view could not be loaded; empty when it could. */
  error = '';
  /** Why a change made here was rolled back; shown until the next change. */
  notice = '';
  next: number | null = null;
  loadingMore = false;
  /** Items whose action was sent and whose result has not come yet: item id → action id. */
  readonly pendingActions = new Map<number, string>();
  readonly #host: ClientHost;
  readonly #enabled: () => boolean;
  readonly #pageSize: () => number;
  #inbox: Inbox | undefined;
  /** The client whose inbox is followed (or being loaded). */
  #client: CometClient | undefined;
  /** Bumped on every reload: answers of an older load are dropped. */
  #generation = 0;
  #reloading = false;
  /**
   * One log per page request in flight. A page is read at the server at some
   * moment; changes and additions heard live (or made here) while it travels
   * may be newer than it, and without replaying them the page would put back
   * an item just archived elsewhere, or drop one just added.
   */
  readonly #inFlight = new Set<ListStep[]>();
  /**
   * Changes made here that the server has not answered yet. Counts the
   * server sends meanwhile were read before some of them were applied (an
   * earlier change's answer or echo, another device's change, a new item)
   * and would move the badge back for a moment: the optimistic counts stay
   * until the last answer, which counts every change made here.
   */
  #unsettled = 0;
  /** Changes made here whose echo on the user's channel has not come: their counts are no newer than the answer's. */
  #echoes: Array<{ readonly key: string; readonly until: number }> = [];
  /** Counts newer than ours were passed over while changes were unsettled: read them again once settled. */
  #countsPassedOver = false;
  #seenQueue = new Set<number>();
  /** The newest id heard of live: "mark all read" covers it even when the view does not hold it. */
  #newestKnown = 0;
  #seenTimer: ReturnType<typeof setTimeout> | undefined;
  #observer: IntersectionObserver | undefined;
  #end: { element: Element; visible: boolean; observer: IntersectionObserver } | undefined;

  constructor(host: ClientHost, options: { enabled: () => boolean; pageSize: () => number }) {
    this.#host = host;
    this.#enabled = options.enabled;
    this.#pageSize = options.pageSize;
    host.watchClient(() => this.sync());
    host.addController(this);
  }

  hostConnected(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.#drop();
  }

  /** Follows the inbox of the element's client while the element wants one. */
  sync(): void {
    const client: CometClient | undefined = this.#host.client;
    const wanted = this.#host.isConnected && this.#enabled() && client !== undefined && client.state !== 'closed';
    const target = wanted ? client : undefined;
    if (target === this.#client) return;
    this.#drop();
    this.#client = target;
    if (!target) return;
    target.inbox().then(
      (inbox) => {
        if (this.#client !== target) return;
        this.#follow(inbox);
      },
      (error: unknown) => this.#fail(error),
    );
  }

  #follow(inbox: Inbox): void {
    this.#inbox = inbox;
    inbox.addEventListener('added', this.#onAdded);
    inbox.addEventListener('changed', this.#onChanged);
    inbox.addEventListener('resync', this.#onResync);
    inbox.addEventListener('updated', this.#onUpdated);
    inbox.addEventListener('snoozed', this.#onSnoozed);
    this.counts = inbox.counts;
    inbox.start().catch((error: unknown) => this.#fail(error));
    void this.reload();
  }

  setFilter(filter: InboxFilter): void {
    if (filter === this.filter) return;
    this.filter = filter;
    void this.reload();
  }

  /** Loads the first page of the view again. */
  async reload(): Promise<void> {
    const inbox = this.#inbox;
    if (!inbox) return;
    const generation = ++this.#generation;
    this.status = this.items.length === 0 ? 'loading' : this.status;
    this.#reloading = true;
    this.#host.requestUpdate();
    const missed: ListStep[] = [];
    this.#inFlight.add(missed);
    try {
      const page = await inbox.list({ filter: this.filter, limit: this.#pageSize() });
      if (generation !== this.#generation) return;
      this.items = missed.reduce((items, step) => step(items), [...page.items]);
      this.next = page.next;
      // Counts heard live meanwhile are at least as new as the page's.
      if (!this.counts) this.counts = page.counts;
      else if (missed.length === 0) this.#takeCounts(page.counts);
      this.status = 'ready';
      this.error = '';
    } catch (error) {
      if (generation === this.#generation) this.#fail(error);
    } finally {
      this.#inFlight.delete(missed);
    }
    if (generation === this.#generation) this.#reloading = false;
    this.#host.requestUpdate();
    this.#continueScroll();
  }

  /** Loads the next older page (endless scroll). */
  async loadMore(): Promise<void> {
    const inbox = this.#inbox;
    if (!inbox || this.next === null || this.loadingMore || this.#reloading) return;
    const generation = this.#generation;
    const before = this.next;
    this.loadingMore = true;
    this.#host.requestUpdate();
    const missed: ListStep[] = [];
    this.#inFlight.add(missed);
    try {
      const page = await inbox.list({ filter: this.filter, before, limit: this.#pageSize() });
      // A reload meanwhile replaced the list: this page may not follow what is shown now.
      if (generation !== this.#generation || before !== this.next) return;
      const held = new Set(this.items.map((item) => item.id));
      // Only changes matter for an older page: a live addition is newer than all of it and already shown.
      const older = missed.reduce((items, step) => step(items), [...page.items]).filter((item) => !held.has(item.id));
      this.items = [...this.items, ...older];
      this.next = page.next;
    } catch (error) {
      if (generation === this.#generation) this.#fail(error);
    } finally {
      this.#inFlight.delete(missed);
      this.loadingMore = false;
      this.#host.requestUpdate();
      this.#continueScroll();
    }
  }

  /**
   * Watches the element at the end of the list: while it is on screen,
   * older pages load one after another (endless scroll).
   */
  observeEnd(element: Element, root: Element | null): void {
    if (typeof IntersectionObserver !== 'function' || this.#end?.element === element && this.#end.observer.root === root) return;
    this.#end?.observer.disconnect();
    const end = {
      element,
      visible: false,
      observer: new IntersectionObserver(
        (entries) => {
          end.visible = entries.some((entry) => entry.isIntersecting);
          this.#continueScroll();
        },
        { root, rootMargin: '0px 0px 120px 0px' },
      ),
    };
    this.#end = end;
    end.observer.observe(element);
  }

  /** A page that came (or was dropped by a reload) while the end stayed on screen fires no new intersection: load on. */
  #continueScroll(): void {
    if (this.#end?.visible && this.#end.element.isConnected && this.next !== null && !this.loadingMore && this.status === 'ready') {
      queueMicrotask(() => void this.loadMore());
    }
  }

  /**
   * Applies a change here at once and sends it; when the server refuses,
   * puts back what was shown, says why (`failure` with `{error}`), and
   * reloads the view from the server.
   */
  async change(change: InboxChange, failure: string): Promise<boolean> {
    const inbox = this.#inbox;
    if (!inbox) return false;
    const before = { items: this.items, counts: this.counts };
    this.#apply(change, this.#optimisticCounts(change));
    this.notice = '';
    this.#host.requestUpdate();
    const echo = { key: changeKey(change), until: Date.now() + ECHO_WAIT_MS };
    this.#echoes.push(echo);
    this.#unsettled += 1;
    try {
      const counts = await inbox.update(change);
      if (inbox !== this.#inbox) return true;
      this.#unsettled -= 1;
      if (this.#unsettled === 0) {
        this.counts = counts;
        if (this.#countsPassedOver) {
          this.#countsPassedOver = false;
          void this.reload();
        }
      }
      this.#host.requestUpdate();
      return true;
    } catch (error) {
      if (inbox !== this.#inbox) return false;
      this.#unsettled -= 1;
      this.#echoes = this.#echoes.filter((held) => held !== echo);
      this.items = before.items;
      this.counts = before.counts;
      this.notice = failure.replace('{error}', error instanceof Error ? error.message : String(error));
      this.#host.requestUpdate();
      void this.reload();
      return false;
    }
  }

  /**
   * Runs an item's action on the server. Its buttons stay pending until the
   * item comes back with the result: in the answer, or as `updated` when the
   * application answers later. `failure` (with `{error}`) says why it did not run.
   */
  async runAction(item: InboxItem, action: string, failure: string): Promise<void> {
    const inbox = this.#inbox;
    if (!inbox || this.pendingActions.has(item.id)) return;
    this.pendingActions.set(item.id, action);
    this.notice = '';
    this.#host.requestUpdate();
    try {
      const answer = await inbox.runAction(item.id, action);
      if (inbox !== this.#inbox) return;
      if (answer.status === 'done') this.#replace(answer.item);
    } catch (error) {
      if (inbox !== this.#inbox) return;
      this.pendingActions.delete(item.id);
      this.notice = failure.replace('{error}', error instanceof Error ? error.message : String(error));
      this.#host.requestUpdate();
    }
  }

  /** Hides an item here at once and on every device until `until`; put back, with `failure`, if the server refuses. */
  async snooze(item: InboxItem, until: number, failure: string): Promise<void> {
    const inbox = this.#inbox;
    if (!inbox) return;
    const before = this.items;
    this.#remove([item.id]);
    this.notice = '';
    this.#host.requestUpdate();
    try {
      this.#takeCounts(await inbox.snooze([item.id], until));
    } catch (error) {
      if (inbox !== this.#inbox) return;
      this.items = before;
      this.notice = failure.replace('{error}', error instanceof Error ? error.message : String(error));
    }
    this.#host.requestUpdate();
  }

  markAllRead(failure: string): Promise<boolean> {
    const newest = Math.max(0, ...this.items.map((item) => item.id));
    if (newest === 0) return Promise.resolve(false);
    return this.change({ upTo: Math.max(newest, this.#newestKnown), set: { read: true } }, failure);
  }

  /** Watches an item element: once it is on screen, its item is marked seen. */
  observeSeen(element: Element, root: Element | null): void {
    if (typeof IntersectionObserver !== 'function') return;
    if (!this.#observer || this.#observer.root !== root) {
      this.#observer?.disconnect();
      this.#observer = new IntersectionObserver((entries) => this.#onVisible(entries), { root, threshold: 0.6 });
    }
    this.#observer.observe(element);
  }

  /** What a refused "seen" says; the element sets it from its strings. */
  seenFailure = 'Could not mark as seen: {error}';

  #onVisible(entries: IntersectionObserverEntry[]): void {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const id = Number((entry.target as HTMLElement).dataset['id']);
      const item = this.items.find((candidate) => candidate.id === id);
      if (item && !item.seen) this.#seenQueue.add(id);
      this.#observer?.unobserve(entry.target);
    }
    if (this.#seenQueue.size === 0 || this.#seenTimer !== undefined) return;
    this.#seenTimer = setTimeout(() => {
      this.#seenTimer = undefined;
      const ids = [...this.#seenQueue];
      this.#seenQueue.clear();
      void this.change({ ids, set: { seen: true } }, this.seenFailure);
    }, SEEN_BATCH_MS);
  }

  readonly #onAdded = (event: InboxAddedEvent): void => {
    this.#takeCounts(event.counts);
    this.#newestKnown = Math.max(this.#newestKnown, event.item.id);
    const { item, replaces } = event;
    const filter = this.filter;
    // A group that grew, or a snooze that ended, takes the place of the item it replaces.
    const add: ListStep = (held) => {
      const items = replaces === undefined ? held : held.filter((candidate) => candidate.id !== replaces);
      return inFilter(item, filter) && !items.some((candidate) => candidate.id === item.id) ? [item, ...items] : items;
    };
    this.items = add(this.items);
    if (this.items.length > KEEP_LIVE) {
      this.items = this.items.slice(0, KEEP_LIVE);
      // Older than the oldest kept: what "load older" asks for next.
      this.next = this.items.at(-1)!.id;
    }
    // A reload's page on its way may be older than this item; an older page drops it as already held.
    for (const missed of this.#inFlight) missed.push(add);
    this.#host.requestUpdate();
  };

  readonly #onChanged = (event: InboxChangedEvent): void => {
    const now = Date.now();
    this.#echoes = this.#echoes.filter((held) => held.until > now);
    const key = changeKey(event.change);
    const echo = this.#echoes.findIndex((held) => held.key === key);
    if (echo >= 0) this.#echoes.splice(echo, 1);
    this.#apply(event.change, undefined);
    // An echo of a change made here brings the counts its answer brings (or brought).
    if (echo < 0) this.#takeCounts(event.counts);
    // Items this view does not hold may have entered it (archived elsewhere while Archived is shown): ask again.
    const { archived, read } = event.change.set;
    const entering = this.filter === 'archived' ? archived === true : archived === false || (this.filter === 'unread' && read === false);
    if (entering) void this.reload();
    this.#host.requestUpdate();
  };

  readonly #onUpdated = (event: InboxUpdatedEvent): void => {
    this.#takeCounts(event.counts);
    this.#replace(event.item);
  };

  readonly #onSnoozed = (event: InboxSnoozedEvent): void => {
    this.#takeCounts(event.counts);
    this.#remove(event.ids);
    this.#host.requestUpdate();
  };

  /** Shows `item` as given where it is held (and on any page on its way); its action is no longer pending once it has a result or its buttons back. */
  #replace(item: InboxItem): void {
    const filter = this.filter;
    const step: ListStep = (items) => items.map((held) => (held.id === item.id ? item : held)).filter((held) => inFilter(held, filter));
    this.items = step(this.items);
    for (const missed of this.#inFlight) missed.push(step);
    this.pendingActions.delete(item.id);
    this.#host.requestUpdate();
  }

  #remove(ids: readonly number[]): void {
    const step: ListStep = (items) => items.filter((held) => !ids.includes(held.id));
    this.items = step(this.items);
    for (const missed of this.#inFlight) missed.push(step);
  }

  readonly #onResync = (event: InboxResyncEvent): void => {
    this.#takeCounts(event.counts);
    void this.reload();
  };

  /** Counts the server sent on its own: shown, unless changes made here are still unsettled. */
  #takeCounts(counts: InboxCounts): void {
    if (this.#unsettled > 0) this.#countsPassedOver = true;
    else this.counts = counts;
  }

  /** Sets the flags on the items held, and on any page on its way; those that leave the view go. */
  #apply(change: InboxChange, counts: InboxCounts | undefined): void {
    const filter = this.filter;
    const step: ListStep = (items) => applyChange(items, change, filter);
    this.items = step(this.items);
    for (const missed of this.#inFlight) missed.push(step);
    if (counts) this.counts = counts;
  }

  /** What the counts will be once the server applied `change`, from the items held: shown until the answer comes. */
  #optimisticCounts(change: InboxChange): InboxCounts | undefined {
    const counts = this.counts;
    if (!counts) return undefined;
    let { total, unseen, unread } = counts;
    const set = change.set.read === true ? { ...change.set, seen: true } : change.set;
    if ('upTo' in change && set.read === true && this.filter !== 'archived') return { total, unseen: 0, unread: 0 };
    for (const item of this.items) {
      if (!changeTargets(change, item.id) || item.archived) continue;
      if (set.seen === true && !item.seen) unseen -= 1;
      if (set.read === true && !item.read) unread -= 1;
      if (set.read === false && item.read) unread += 1;
      if (set.archived === true) {
        total -= 1;
        if (!item.seen && set.seen !== true) unseen -= 1;
        if (!item.read && set.read !== true) unread -= 1;
      }
    }
    return { total: Math.max(0, total), unseen: Math.max(0, unseen), unread: Math.max(0, unread) };
  }

  #fail(error: unknown): void {
    this.status = this.items.length === 0 ? 'error' : this.status;
    this.error = error instanceof Error ? error.message : String(error);
    this.#host.requestUpdate();
  }

  #drop(): void {
    const inbox = this.#inbox;
    this.#inbox = undefined;
    this.#client = undefined;
    this.#reloading = false;
    this.#generation += 1;
    clearTimeout(this.#seenTimer);
    this.#seenTimer = undefined;
    this.#seenQueue.clear();
    this.#unsettled = 0;
    this.#echoes = [];
    this.#countsPassedOver = false;
    this.#observer?.disconnect();
    this.#observer = undefined;
    this.#end?.observer.disconnect();
    this.#end = undefined;
    if (!inbox) return;
    inbox.removeEventListener('added', this.#onAdded);
    inbox.removeEventListener('changed', this.#onChanged);
    inbox.removeEventListener('resync', this.#onResync);
    inbox.removeEventListener('updated', this.#onUpdated);
    inbox.removeEventListener('snoozed', this.#onSnoozed);
    this.pendingActions.clear();
    this.items = [];
    this.counts = undefined;
    this.status = 'idle';
  }
}
