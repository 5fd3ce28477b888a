import type { CometError } from '../errors/comet-error.js';
import type { Gap } from '../protocol/messages.js';
import type { TransportDecision } from '../upstream/ladder-decision.js';
import type { ConnectionState } from '../upstream/upstream.js';

/** `statechange`: the connection moved from `previous` to `state`. */
export class CometStateEvent extends Event {
  // `declare`d and assigned in the constructor: an event's fields are set once, and the build emits no field definitions for them.
  declare readonly state: ConnectionState;
  declare readonly previous: ConnectionState;
  /** Why, when the change was caused by an error (e.g. `closed` after a 401). */
  declare readonly error: CometError | undefined;

  constructor(state: ConnectionState, previous: ConnectionState, error: CometError | undefined) {
    super('statechange');
    this.state = state;
    this.previous = previous;
    this.error = error;
  }
}

/** `error`: something failed. cometkit retries unless `client.state` is `closed`. */
export class CometErrorEvent extends Event {
  declare readonly error: CometError;

  constructor(error: CometError) {
    super('error');
    this.error = error;
  }
}

/** `gap`: the server could not replay every event after the last one seen on `gap.channel`. */
export class CometGapEvent extends Event {
  declare readonly gap: Gap;

  constructor(gap: Gap) {
    super('gap');
    this.gap = gap;
  }
}

/** `transportdecision`: the transport ladder started, stepped down, probed or switched back; `decision.reason` says why. */
export class CometTransportDecisionEvent extends Event {
  declare readonly decision: TransportDecision;

  constructor(decision: TransportDecision) {
    super('transportdecision');
    this.decision = decision;
  }
}

export interface CometClientEventMap {
  statechange: CometStateEvent;
  error: CometErrorEvent;
  gap: CometGapEvent;
  transportdecision: CometTransportDecisionEvent;
}
