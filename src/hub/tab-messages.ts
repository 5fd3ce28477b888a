/**
 * The hub's side of the port protocol: checking what tabs send, and errors
 * on their way to tabs. Apart from port-protocol.ts so that a page, which
 * only reads the hub's messages, does not carry these checks.
 */
import { dropped } from '../dev.js';
import type { CometError } from '../errors/comet-error.js';
import type { TransportName } from '../protocol/transport-name.js';
import { TRANSPORT_NAMES } from '../protocol/transport-name.js';
import type { BackoffOptions } from '../upstream/backoff.js';
import { checkLadderOptions } from '../upstream/ladder-options.js';
import {
  MAX_SDK,
  HUB_OPTION_KEYS,
  PORT_PROTOCOL_VERSION,
  TAB_ID,
  TAB_SECRET,
  channels,
  cursorText,
  readEnvelope,
  record,
  type Checked,
  type HubUpstreamOptions,
  type TabMessage,
  type WireError,
} from './port-protocol.js';

const nonNegative = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

type OptionCheck<T> = (value: unknown) => T | string;

const optionalMs: OptionCheck<number | undefined> = (value) => (value === undefined || nonNegative(value) ? value : dropped('is not a non-negative number'));

/** One check per upstream option (see HubUpstreamOptions): the value as the hub will use it, or what is wrong with it. */
const OPTION_CHECKS: { readonly [K in (typeof HUB_OPTION_KEYS)[number]]-?: OptionCheck<HubUpstreamOptions[K]> } = {
  withCredentials: (value) => (value === undefined || typeof value === 'boolean' ? value : dropped('is not a boolean')),
  helloTimeoutMs: optionalMs,
  batchDelayMs: optionalMs,
  reconnect: (value) => {
    if (value === undefined) return undefined;
    const backoff = record(value);
    if (!backoff) return dropped('is not an object');
    const { baseDelayMs, maxDelayMs } = backoff;
    if ((baseDelayMs !== undefined && !nonNegative(baseDelayMs)) || (maxDelayMs !== undefined && !nonNegative(maxDelayMs))) return dropped('has a delay that is not a non-negative number');
    return { baseDelayMs, maxDelayMs } as BackoffOptions;
  },
  transports: (value) =>
    value === undefined || (Array.isArray(value) && value.length > 0 && value.every((t) => TRANSPORT_NAMES.includes(t as TransportName)))
      ? (value as TransportName[] | undefined)
      : dropped('is not a list of known transports'),
  ladder: checkLadderOptions,
};

/** The options of a hello, each checked by its own declared check; unknown keys are dropped. */
export function checkHubOptions(value: unknown): HubUpstreamOptions | string {
  const options = record(value);
  if (!options || typeof options['url'] !== 'string' || options['url'] === '') return dropped('no "options.url"');
  const checked: Record<string, unknown> = { url: options['url'] };
  for (const key of HUB_OPTION_KEYS) {
    const result = OPTION_CHECKS[key](options[key]);
    if (typeof result === 'string') return dropped(`an invalid "options.${key}": ${result}`);
    if (result !== undefined) checked[key] = result;
  }
  return checked as unknown as HubUpstreamOptions;
}

/** The tab id and SDK version of a hello of any version, to answer it even when it cannot be understood. */
export function readForeignHello(data: Record<string, unknown>): { tab: string; sdk: string } | undefined {
  const { tab, sdk } = data;
  if (typeof tab !== 'string' || !TAB_ID.test(tab)) return undefined;
  return { tab, sdk: typeof sdk === 'string' ? sdk.slice(0, MAX_SDK) : 'unknown' };
}

/** Checks a message from a tab of this protocol version, field by field. */
export function checkTabMessage(value: unknown, version = PORT_PROTOCOL_VERSION): Checked<TabMessage> {
  const envelope = readEnvelope(value);
  if (!envelope) return dropped('not a cometkit message');
  if (envelope.version !== version) return dropped(`port protocol v${envelope.version}`);
  const { data } = envelope;
  const tab = data['tab'];
  const secret = data['secret'];
  if (typeof tab !== 'string' || !TAB_ID.test(tab)) return dropped('no valid "tab"');
  if (typeof secret !== 'string' || !TAB_SECRET.test(secret)) return dropped('no valid "secret"');
  const base = { cometkit: version, tab, secret };
  switch (envelope.type) {
    case 'hello': {
      const options = checkHubOptions(data['options']);
      const list = channels(data['channels']);
      const { token, tokenFunction, cursor, sdk } = data;
      if (typeof options === 'string') return dropped(`hello has ${options}`);
      if (!list) return dropped('hello has no valid "channels"');
      if (token !== null && typeof token !== 'string') return dropped('hello has an invalid "token"');
      if (typeof tokenFunction !== 'boolean') return dropped('hello has no "tokenFunction"');
      if (!cursorText(cursor)) return dropped('hello has no valid "cursor"');
      if (typeof sdk !== 'string') return dropped('hello has no "sdk"');
      return {
        ...base,
        type: 'hello',
        sdk: sdk.slice(0, MAX_SDK),
        options,
        token,
        tokenFunction,
        channels: list,
        cursor,
      };
    }
    case 'channels': {
      const list = channels(data['channels']);
      if (!list) return dropped('channels message has no valid "channels"');
      return { ...base, type: 'channels', channels: list };
    }
    case 'token': {
      const { request, token, error } = data;
      if (typeof request !== 'number' || !Number.isInteger(request)) return dropped('token message has no "request"');
      if (token !== null && typeof token !== 'string') return dropped('token message has an invalid "token"');
      if (error !== null && typeof error !== 'string') return dropped('token message has an invalid "error"');
      return { ...base, type: 'token', request, token, error };
    }
    case 'visibility': {
      const { visible, device, user } = data;
      if (typeof visible !== 'boolean') return dropped('visibility message has no "visible"');
      if (typeof device !== 'string' || !/^[A-Za-z0-9_-]{8,64}$/.test(device)) return dropped('visibility message has no valid "device"');
      if (user !== null && (typeof user !== 'string' || user.length > 128)) return dropped('visibility message has an invalid "user"');
      return { ...base, type: 'visibility', visible, device, user };
    }
    case 'wake':
    case 'bye':
      return { ...base, type: envelope.type };
    default:
      return dropped(`unknown message type "${envelope.type.slice(0, 40)}"`);
  }
}

export function toWireError(error: CometError): WireError {
  const status = (error as { status?: unknown }).status;
  return { name: error.name, code: error.code, message: error.message, status: typeof status === 'number' ? status : undefined };
}
