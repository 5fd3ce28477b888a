import type { CometError } from '../errors/comet-error.js';
import type { InboxChange, InboxCounts, InboxItem, InboxPreferences } from '../protocol/inbox-protocol.js';

/**
 * `added`: a notification arrived (from this device's view: on any device
 * of the user). With `replaces`, drop that item: this one takes its place
 * (a group that grew, a snooze that ended).
 */
export class InboxAddedEvent extends Event {
  constructor(
    readonly item: InboxItem,
    readonly counts: InboxCounts,
    readonly replaces?: number,
  ) {
    super('added');
  }
}

/** `updated`: an item changed in place (an action ran, or one that failed gave its buttons back); show `item` as given. */
export class InboxUpdatedEvent extends Event {
  constructor(
    readonly item: InboxItem,
    readonly counts: InboxCounts,
  ) {
    super('updated');
  }
}

/** `snoozed`: these items left every list until `until` (server time, ms), when each comes back as `added` with `replaces`. */
export class InboxSnoozedEvent extends Event {
  constructor(
    readonly ids: readonly number[],
    readonly until: number,
    readonly counts: InboxCounts,
  ) {
    super('snoozed');
  }
}

/** `preferences`: the user's preferences changed, here or on another device. */
export class InboxPreferencesEvent extends Event {
  constructor(
    readonly preferences: InboxPreferences,
    readonly critical: readonly string[],
  ) {
    super('preferences');
  }
}

/** `changed`: items changed state, here or on another device; apply `change` to the items shown. */
export class InboxChangedEvent extends Event {
  constructor(
    readonly change: InboxChange,
    readonly counts: InboxCounts,
  ) {
    super('changed');
  }
}

/** `resync`: changes may have been missed (a gap, a fresh start); reload what is shown. `counts` is current. */
export class InboxResyncEvent extends Event {
  constructor(readonly counts: InboxCounts) {
    super('resync');
  }
}

/** `error`: the inbox could not be read or followed. */
export class InboxErrorEvent extends Event {
  constructor(readonly error: CometError) {
    super('error');
  }
}

export interface InboxEventMap {
  added: InboxAddedEvent;
  changed: InboxChangedEvent;
  updated: InboxUpdatedEvent;
  snoozed: InboxSnoozedEvent;
  preferences: InboxPreferencesEvent;
  resync: InboxResyncEvent;
  error: InboxErrorEvent;
}
