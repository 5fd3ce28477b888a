/**
 * Tab → hub: every message a tab sends, declared once. The types below, the
 * hub's check (`checkTabMessage`) and the copy it keeps all derive from this
 * table. Apart from hub-messages.ts so that a page, which only reads the
 * hub's messages, does not carry these checks.
 */
import { dropped } from '../dev.js';
import type { CometError } from '../errors/comet-error.js';
import { HUB_OPTIONS, HUB_OPTION_NAMES, type HubRunOptions } from './client-options.js';
import { isValidChannel } from '../protocol/channel.js';
import {
  MAX_SDK,
  record,
  PORT_PROTOCOL_VERSION,
  cursor,
  integer,
  nullable,
  readEnvelope,
  readMessage,
  string,
  type Checked,
  type Field,
  type MessagesOf,
  type WireError,
} from './port-protocol.js';

/** A string `pattern` matches whole. */
const matching =
  (pattern: RegExp): Field<string> =>
  (value) =>
    typeof value === 'string' && pattern.test(value) ? value : undefined;
const tabId = matching(/^[A-Za-z0-9_-]{1,64}$/);
/** At least 128 bits written in hex or base64url: too long to guess. */
const tabSecret = matching(/^[A-Za-z0-9_-]{22,64}$/);

const boolean: Field<boolean> = (value) => (typeof value === 'boolean' ? value : undefined);
const sdk: Field<string> = (value) => (typeof value === 'string' ? value.slice(0, MAX_SDK) : undefined);
const channels: Field<readonly string[]> = (value) =>
  Array.isArray(value) && value.length <= 1024 && value.every(isValidChannel) ? [...value] : undefined;

/**
 * The options of a hello, each checked by its registry entry, as the page
 * checked them when it was created; other keys are dropped, and one left
 * out is its entry's default, filled in here, the one place a hub reads
 * them. `url` is resolved by the tab, so it must be there.
 */
export const checkHubOptions: Field<HubRunOptions> = (value) => {
  const options = record(value);
  if (!options) return undefined;
  const checked: Record<string, unknown> = {};
  for (const name of HUB_OPTION_NAMES) {
    const entry: { readonly check: (value: unknown) => string | undefined; readonly default?: unknown } = HUB_OPTIONS[name];
    if (entry.check(options[name]) !== undefined) return undefined;
    // Only undefined reaches the default: the check refused null.
    const given = options[name] ?? entry.default;
    if (given !== undefined) checked[name] = given;
  }
  return checked as unknown as HubRunOptions;
};
const options = checkHubOptions;
const device = matching(/^[A-Za-z0-9_-]{8,64}$/);
const user: Field<string> = (value) => (typeof value === 'string' && value.length <= 128 ? value : undefined);

export const TAB_MESSAGES = {
  hello: {
    sdk,
    options,
    /** A static token, if the tab has one. */
    token: nullable(string),
    /** The tab has a token function: the hub asks it with `token-request`. */
    tokenFunction: boolean,
    channels,
    /** What this tab has received per channel: a new hub resumes from the earliest of these. */
    cursor,
  },
  channels: { channels },
  token: { request: integer, token: nullable(string), error: nullable(string) },
  /** The tab became visible, was restored, or came online: re-check deadlines now. */
  wake: {},
  bye: {},
  /** Whether the tab is visible, sent only by a browser subscribed to Web Push (it has a push device id). */
  visibility: {
    visible: boolean,
    device,
    /** The client's `identity` user, for a server without tokens. */
    user: nullable(user),
  },
} as const;

/**
 * Every message from a tab names it and proves it is that tab: tab ids are
 * readable by any script of the origin (they are in the tab lock names), the
 * secret is not (it never leaves the tab but in its own messages). The hub
 * binds a tab id to the secret of its first hello and drops what names the id
 * with another.
 */
interface FromTab {
  readonly cometkit: number;
  readonly tab: string;
  readonly secret: string;
}

export type TabMessage = MessagesOf<typeof TAB_MESSAGES, FromTab>;
export type HelloMessage = Extract<TabMessage, { type: 'hello' }>;
/** A tab message as the tab writes it: the envelope (version, tab id, secret) is added in the one place that posts them. */
export type TabMessageBody<T extends TabMessage> = T extends unknown ? Omit<T, keyof FromTab> : never;

/** The tab id and SDK version of a hello of any version, to answer it even when it cannot be understood. */
export function readForeignHello(data: Record<string, unknown>): { tab: string; sdk: string } | undefined {
  const tab = tabId(data['tab']);
  return tab ? { tab, sdk: sdk(data['sdk']) ?? 'unknown' } : undefined;
}

/** Checks a message from a tab of this protocol version, field by field as TAB_MESSAGES declares them. */
export function checkTabMessage(value: unknown, version = PORT_PROTOCOL_VERSION): Checked<TabMessage> {
  const envelope = readEnvelope(value);
  if (!envelope) return dropped('not a cometkit message');
  const { version: sent, data } = envelope;
  if (sent !== version) return dropped(`port protocol v${sent}`);
  const tab = tabId(data['tab']);
  const secret = tabSecret(data['secret']);
  if (!tab) return dropped('no valid "tab"');
  if (!secret) return dropped('no valid "secret"');
  return readMessage(TAB_MESSAGES, envelope.type, data, { cometkit: version, tab, secret });
}

export function toWireError(error: CometError): WireError {
  const status = (error as { status?: unknown }).status;
  return { name: error.name, code: error.code, message: error.message, status: typeof status === 'number' ? status : undefined };
}
