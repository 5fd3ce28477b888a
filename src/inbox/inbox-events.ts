import type { CometError } from '../errors/comet-error.js';
import type { InboxChangeJson, InboxCountsJson, InboxItemJson } from './inbox-protocol.js';

/** `added`: a notification arrived (from this device's view: on any device of the user). */
export class InboxAddedEvent extends Event {
  constructor(
    readonly item: InboxItemJson,
    readonly counts: InboxCountsJson,
  ) {
    super('added');
  }
}

/** `changed`: items changed state, here or on another device; apply `change` to the items shown. */
export class InboxChangedEvent extends Event {
  constructor(
    readonly change: InboxChangeJson,
    readonly counts: InboxCountsJson,
  ) {
    super('changed');
  }
}

/** `resync`: changes may have been missed (a gap, a fresh start); reload what is shown. `counts` is current. */
export class InboxResyncEvent extends Event {
  constructor(readonly counts: InboxCountsJson) {
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
  resync: InboxResyncEvent;
  error: InboxErrorEvent;
}
