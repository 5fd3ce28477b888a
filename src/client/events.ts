import type { CometError } from '../errors/comet-error.js';
import type { GapFrame } from '../protocol/messages.js';
import type { TransportDecision } from '../upstream/ladder-decision.js';
import type { ConnectionState } from '../upstream/upstream.js';

/** `statechange`: the connection moved from `previous` to `state`. */
export class CometStateEvent extends Event {
  constructor(
    readonly state: ConnectionState,
    readonly previous: ConnectionState,
    /** Why, when the change was caused by an error (e.g. `closed` after a 401). */
    readonly error: CometError | undefined,
  ) {
    super('statechange');
  }
}

/** `error`: something failed. cometkit retries unless `client.state` is `closed`. */
export class CometErrorEvent extends Event {
  constructor(readonly error: CometError) {
    super('error');
  }
}

/** `gap`: the server could not replay every event after the last one seen on `gap.channel`. */
export class CometGapEvent extends Event {
  constructor(readonly gap: GapFrame) {
    super('gap');
  }
}

/** `transportdecision`: the transport ladder started, stepped down, probed or switched back; `decision.reason` says why. */
export class CometTransportDecisionEvent extends Event {
  constructor(readonly decision: TransportDecision) {
    super('transportdecision');
  }
}

export interface CometClientEventMap {
  statechange: CometStateEvent;
  error: CometErrorEvent;
  gap: CometGapEvent;
  transportdecision: CometTransportDecisionEvent;
}
