import { CometError } from '../errors/comet-error.js';
import { HttpStatusError } from '../errors/http-status-error.js';
import { isValidChannel } from '../protocol/channel.js';
import { finiteNumber, record } from '../protocol/check-value.js';
import type { Cursor } from '../protocol/cursor.js';
import { hidePosition, type GapReason, type PositionedEvent, type PositionedGap } from '../protocol/messages.js';
import { formatPosition } from '../protocol/position.js';
import { TRANSPORT_NAMES } from '../protocol/transport-name.js';
import { readDecision } from '../upstream/ladder-decision.js';
import type { ConnectionState } from '../upstream/upstream.js';
import type { HubUpstreamOptions } from './client-options.js';
import { DEV, dropped } from '../dev.js';
import {
  HOST_KINDS,
  MAX_SDK,
  PORT_PROTOCOL_VERSION,
  cursor,
  integer,
  nullable,
  oneOf,
  position,
  readEnvelope,
  readMessage,
  string,
  type Checked,
  type Field,
  type MessagesOf,
  type WireError,
} from './port-protocol.js';

/**
 * Hub → tab: every message the hub sends, declared once. The types below,
 * the tab's check (`checkHubMessage`) and the copy it keeps all derive from
 * this table; a field added here is read, typed and copied, and one that
 * the hub posts without declaring it here fails to compile there.
 */

const CONNECTION_STATES: readonly ConnectionState[] = ['idle', 'connecting', 'open', 'reconnecting', 'closed'];
const state = oneOf(CONNECTION_STATES);
const transport = nullable(oneOf(TRANSPORT_NAMES));

const wireError: Field<WireError> = (value) => {
  const error = record(value);
  const { name, code, message, status } = error ?? {};
  if (typeof name !== 'string' || typeof code !== 'string' || typeof message !== 'string') return undefined;
  return status === undefined || typeof status === 'number' ? { name, code, message, status } : undefined;
};

/**
 * An event as the hub hands it on: the position its upstream read from the
 * id at the transport edge comes with it, so the tab checks that the two
 * agree (formatting a position, not parsing an id) and reads neither again.
 * Kept on the tab's copy out of sight (see `hidePosition`).
 */
const event: Field<PositionedEvent> = (value) => {
  const frame = record(value);
  if (!frame || !('data' in frame)) return undefined;
  const { id, channel, type, data, time } = frame;
  const at = position(frame['position']);
  if (!at || id !== formatPosition(at) || !isValidChannel(channel) || typeof type !== 'string' || !finiteNumber(time)) return undefined;
  return hidePosition({ id, channel, type, data, time, position: at });
};

const gap: Field<PositionedGap> = (value) => {
  const frame = record(value);
  const { channel, from, to, reason } = frame ?? {};
  const at = position(frame?.['position']);
  if (!at || to !== formatPosition(at) || !isValidChannel(channel) || (from !== null && typeof from !== 'string')) return undefined;
  if (reason !== 'history-exceeded' && reason !== 'epoch-changed' && reason !== 'cursor-ahead') return undefined;
  return hidePosition({ channel, from, to, reason: reason as GapReason, position: at });
};

/** Read only by the development build, where they are checked (ignored-hub-options.ts); production keeps none. */
const welcomeOptions: Field<HubUpstreamOptions | null> = (value) => (DEV ? ((value ?? null) as HubUpstreamOptions | null) : null);

export const HUB_MESSAGES = {
  welcome: {
    sdk: string,
    host: oneOf(HOST_KINDS),
    state,
    transport,
    /**
     * The options the hub's upstream runs with: those of the tab whose hello
     * started it, which may be another tab's (to warn that this tab's differ).
     */
    options: welcomeOptions,
  },
  event: { event },
  gap: { gap },
  state: { state, previous: state, transport, error: nullable(wireError) },
  error: { error: wireError },
  /** Where the stream started each of the tab's channels, so the tab can resume them after a handover. */
  positions: { cursor: cursor as Field<Cursor> },
  'token-request': { request: integer },
  /** One decision of the transport ladder; a new tab gets the trail so far after its welcome. */
  decision: { decision: readDecision },
} as const;

/** The hub speaks another port protocol version: nothing else will be exchanged. Frozen: read whatever its version. */
export interface RefusedMessage {
  readonly cometkit: number;
  readonly type: 'refused';
  readonly sdk: string;
  readonly message: string;
}

export type HubMessage = MessagesOf<typeof HUB_MESSAGES, { readonly cometkit: number }>;
export type WelcomeMessage = Extract<HubMessage, { type: 'welcome' }>;

/** Checks a message from the hub; `refused` is understood whatever its version. */
export function checkHubMessage(value: unknown, expected = PORT_PROTOCOL_VERSION): Checked<HubMessage | RefusedMessage> {
  const envelope = readEnvelope(value);
  if (!envelope) return dropped('not a cometkit message');
  const { data, version, type } = envelope;
  if (type === 'refused' || (type === 'welcome' && version !== expected)) {
    const sdk = typeof data['sdk'] === 'string' ? data['sdk'].slice(0, MAX_SDK) : 'unknown';
    const message = typeof data['message'] === 'string' ? data['message'].slice(0, 500) : '';
    return { cometkit: version, type: 'refused', sdk, message };
  }
  if (version !== expected) return dropped(`port protocol v${version}`);
  return readMessage(HUB_MESSAGES, type, data, { cometkit: version });
}

/**
 * Rebuilds an error on this side of the port. The type guards check `name`,
 * which is kept; an HTTP refusal gets its class back so `retryable` works.
 */
export function fromWireError(wire: WireError): CometError {
  if (wire.name === 'HttpStatusError' && wire.status !== undefined) {
    const error = new HttpStatusError(wire.status, wire.code, '');
    error.message = wire.message;
    return error;
  }
  const error = new CometError(wire.code, wire.message);
  // `name` is the instance's own field (writable, configurable): only its value and enumerability change.
  Object.defineProperty(error, 'name', { value: wire.name, enumerable: false });
  return error;
}
