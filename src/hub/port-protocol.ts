import { CometError } from '../errors/comet-error.js';
import { HttpStatusError } from '../errors/http-status-error.js';
import { isValidChannel } from '../protocol/channel.js';
import { parseCursor, type Cursor } from '../protocol/cursor.js';
import type { CometEvent, GapFrame } from '../protocol/messages.js';
import { TRANSPORT_NAMES, type TransportName } from '../protocol/transport-name.js';
import { checkEvent, checkGap } from '../protocol/check-event.js';
import { record, type Checked } from '../protocol/check-value.js';
import { DEV, dropped } from '../dev.js';

export { record, type Checked };
import { checkDecision, type TransportDecision } from '../upstream/ladder-decision.js';
import type { LadderOptions } from '../upstream/ladder-options.js';
import type { BackoffOptions } from '../upstream/backoff.js';
import type { ConnectionState } from '../upstream/upstream.js';

/**
 * Version of the messages between a tab and its hub (see ARCHITECTURE.md,
 * "Port protocol"). Bump it for any change an older peer would misread. Only
 * the envelope `{ cometkit: <version>, type, tab? }` and the `hello` /
 * `refused` pair are frozen forever, so that peers of different versions can
 * still tell each other that they differ.
 */
export const PORT_PROTOCOL_VERSION = 3;

/** Version of this SDK, carried in every hello so a mismatch names both sides. */
export const SDK_VERSION = '0.1.0';

export type HostKind = 'shared-worker' | 'leader-tab' | 'single-tab';
export const HOST_KINDS: readonly HostKind[] = ['shared-worker', 'leader-tab', 'single-tab'];

const CONNECTION_STATES: readonly ConnectionState[] = ['idle', 'connecting', 'open', 'reconnecting', 'closed'];

/**
 * Upstream options a tab hands to the hub; the first tab's win (the hub
 * serves one server URL). Each has the name and type it has in
 * `ClientOptions`: the tab copies the keys below as they are (the URL
 * resolved), the hub checks each with the one check declared for it in
 * check-tab-message.ts, and the Upstream takes them as they are. A new
 * upstream option is its line in ClientOptions, here, and in that check.
 */
export interface HubUpstreamOptions {
  readonly url: string;
  readonly withCredentials?: boolean | undefined;
  readonly helloTimeoutMs?: number | undefined;
  readonly batchDelayMs?: number | undefined;
  readonly reconnect?: BackoffOptions | undefined;
  /** Transports to use, best first; undefined for the hub's default order. */
  readonly transports?: readonly TransportName[] | undefined;
  readonly ladder?: Omit<LadderOptions, 'storage'> | undefined;
}

/** The keys a tab copies from its ClientOptions into its hello (`url` apart: it is resolved first). */
export const HUB_OPTION_KEYS = ['withCredentials', 'helloTimeoutMs', 'batchDelayMs', 'reconnect', 'transports', 'ladder'] as const satisfies ReadonlyArray<
  Exclude<keyof HubUpstreamOptions, 'url'>
>;

/** An error as it crosses a port: a prototype does not survive structured cloning, these fields do. */
export interface WireError {
  readonly name: string;
  readonly code: string;
  readonly message: string;
  readonly status: number | undefined;
}

interface Envelope {
  readonly cometkit: number;
}

/**
 * Every message from a tab names it and proves it is that tab: tab ids are
 * readable by any script of the origin (they are in the tab lock names), the
 * secret is not (it never leaves the tab but in its own messages). The hub
 * binds a tab id to the secret of its first hello and drops what names the id
 * with another.
 */
interface FromTab extends Envelope {
  readonly tab: string;
  readonly secret: string;
}

// Tab → hub.
export interface HelloMessage extends FromTab {
  readonly type: 'hello';
  readonly sdk: string;
  readonly options: HubUpstreamOptions;
  /** A static token, if the tab has one. */
  readonly token: string | null;
  /** The tab has a token function: the hub asks it with `token-request`. */
  readonly tokenFunction: boolean;
  readonly channels: readonly string[];
  /** What this tab has received per channel: a new hub resumes from the earliest of these. */
  readonly cursor: string;
}
export interface ChannelsMessage extends FromTab {
  readonly type: 'channels';
  readonly channels: readonly string[];
}
export interface TokenMessage extends FromTab {
  readonly type: 'token';
  readonly request: number;
  readonly token: string | null;
  readonly error: string | null;
}
/** The tab became visible, was restored, or came online: re-check deadlines now. */
export interface WakeMessage extends FromTab {
  readonly type: 'wake';
}
export interface ByeMessage extends FromTab {
  readonly type: 'bye';
}
/** Whether the tab is visible, sent only by a browser subscribed to Web Push (it has a push device id). */
export interface VisibilityMessage extends FromTab {
  readonly type: 'visibility';
  readonly visible: boolean;
  readonly device: string;
  /** The client's `identity` user, for a server without tokens. */
  readonly user: string | null;
}
export type TabMessage = HelloMessage | ChannelsMessage | TokenMessage | WakeMessage | ByeMessage | VisibilityMessage;
/** A tab message before the tab adds its secret, in the one place that posts them. */
export type Unsigned<T extends TabMessage> = T extends unknown ? Omit<T, 'secret'> : never;

// Hub → tab.
export interface WelcomeMessage extends Envelope {
  readonly type: 'welcome';
  readonly sdk: string;
  readonly host: HostKind;
  readonly state: ConnectionState;
  readonly transport: TransportName | null;
  /**
   * The options the hub's upstream runs with: those of the tab whose hello
   * started it, which may be another tab's. Only the development build reads
   * them (to warn that this tab's differ); production passes them by.
   */
  readonly options?: HubUpstreamOptions;
}
/** The hub speaks another port protocol version: nothing else will be exchanged. */
export interface RefusedMessage extends Envelope {
  readonly type: 'refused';
  readonly sdk: string;
  readonly message: string;
}
export interface EventMessage extends Envelope {
  readonly type: 'event';
  readonly event: CometEvent;
}
export interface GapMessage extends Envelope {
  readonly type: 'gap';
  readonly gap: GapFrame;
}
export interface StateMessage extends Envelope {
  readonly type: 'state';
  readonly state: ConnectionState;
  readonly previous: ConnectionState;
  readonly transport: TransportName | null;
  readonly error: WireError | null;
}
export interface ErrorMessage extends Envelope {
  readonly type: 'error';
  readonly error: WireError;
}
/** Where the stream started each of the tab's channels, so the tab can resume them after a handover. */
export interface PositionsMessage extends Envelope {
  readonly type: 'positions';
  readonly cursor: string;
}
export interface TokenRequestMessage extends Envelope {
  readonly type: 'token-request';
  readonly request: number;
}
/** One decision of the transport ladder; a new tab gets the trail so far after its welcome. */
export interface DecisionMessage extends Envelope {
  readonly type: 'decision';
  readonly decision: TransportDecision;
}
export type HubMessage =
  | WelcomeMessage
  | RefusedMessage
  | EventMessage
  | GapMessage
  | StateMessage
  | ErrorMessage
  | PositionsMessage
  | TokenRequestMessage
  | DecisionMessage;

/**
 * A hub message as the tab reads it once checked: the positions' cursor,
 * parsed to be checked, is handed on parsed.
 */
export type CheckedHubMessage =
  | Exclude<HubMessage, PositionsMessage>
  | { readonly cometkit: number; readonly type: 'positions'; readonly positions: Cursor };

export const TAB_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** At least 128 bits written in hex or base64url: too long to guess. */
export const TAB_SECRET = /^[A-Za-z0-9_-]{22,64}$/;
export const MAX_SDK = 32;


export function channels(value: unknown): readonly string[] | undefined {
  if (!Array.isArray(value) || value.length > 1024) return undefined;
  return value.every(isValidChannel) ? (value as string[]) : undefined;
}

export function cursorText(value: unknown): value is string {
  return typeof value === 'string' && parseCursor(value) !== undefined;
}

/**
 * The frozen part of every message: `{ cometkit: <version>, type: <string> }`.
 * Anything without it is someone else's postMessage traffic.
 */
export function readEnvelope(value: unknown): { version: number; type: string; data: Record<string, unknown> } | undefined {
  const data = record(value);
  if (!data) return undefined;
  const version = data['cometkit'];
  const type = data['type'];
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1 || typeof type !== 'string') return undefined;
  return { version, type, data };
}

function wireError(value: unknown): WireError | undefined {
  const error = record(value);
  if (!error) return undefined;
  const { name, code, message, status } = error;
  if (typeof name !== 'string' || typeof code !== 'string' || typeof message !== 'string') return undefined;
  if (status !== undefined && typeof status !== 'number') return undefined;
  return { name, code, message, status };
}

function transportOrNull(value: unknown): value is TransportName | null {
  return value === null || TRANSPORT_NAMES.includes(value as TransportName);
}

function state(value: unknown): value is ConnectionState {
  return CONNECTION_STATES.includes(value as ConnectionState);
}

/** Checks a message from the hub; `refused` is understood whatever its version. */
export function checkHubMessage(value: unknown, expected = PORT_PROTOCOL_VERSION): Checked<CheckedHubMessage> {
  const envelope = readEnvelope(value);
  if (!envelope) return dropped('not a cometkit message');
  const { data, version } = envelope;
  const base = { cometkit: version };
  if (envelope.type === 'refused' || (envelope.type === 'welcome' && version !== expected)) {
    const sdk = typeof data['sdk'] === 'string' ? data['sdk'].slice(0, MAX_SDK) : 'unknown';
    const message = typeof data['message'] === 'string' ? data['message'].slice(0, 500) : '';
    return { ...base, type: 'refused', sdk, message };
  }
  if (version !== expected) return dropped(`port protocol v${version}`);
  switch (envelope.type) {
    case 'welcome': {
      const { sdk, host, transport } = data;
      if (typeof sdk !== 'string' || !HOST_KINDS.includes(host as HostKind) || !state(data['state']) || !transportOrNull(transport)) {
        return dropped('welcome has invalid fields');
      }
      const welcome: WelcomeMessage = { ...base, type: 'welcome', sdk, host: host as HostKind, state: data['state'], transport };
      // Checked where they are read (ignored-hub-options.ts), as the hub checks a hello's.
      return DEV ? { ...welcome, options: data['options'] as HubUpstreamOptions } : welcome;
    }
    case 'event': {
      const event = checkEvent(data['event']);
      return typeof event === 'string' ? event : { ...base, type: 'event', event };
    }
    case 'gap': {
      const gap = checkGap(data['gap']);
      return typeof gap === 'string' ? gap : { ...base, type: 'gap', gap };
    }
    case 'state': {
      const { previous, transport } = data;
      const error = data['error'] === null ? null : wireError(data['error']);
      if (!state(data['state']) || !state(previous) || !transportOrNull(transport) || error === undefined) return dropped('state message has invalid fields');
      return { ...base, type: 'state', state: data['state'], previous, transport, error };
    }
    case 'error': {
      const error = wireError(data['error']);
      return error ? { ...base, type: 'error', error } : dropped('error message has no valid "error"');
    }
    case 'positions': {
      const positions = typeof data['cursor'] === 'string' ? parseCursor(data['cursor']) : undefined;
      return positions ? { ...base, type: 'positions', positions } : dropped('positions message has no valid "cursor"');
    }
    case 'decision': {
      const decision = checkDecision(data['decision']);
      return typeof decision === 'string' ? decision : { ...base, type: 'decision', decision };
    }
    case 'token-request': {
      const request = data['request'];
      return typeof request === 'number' && Number.isInteger(request)
        ? { ...base, type: 'token-request', request }
        : dropped('token-request has no "request"');
    }
    default:
      return dropped(`unknown message type "${envelope.type.slice(0, 40)}"`);
  }
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
  Object.defineProperty(error, 'name', { value: wire.name, enumerable: false, configurable: true, writable: true });
  return error;
}
