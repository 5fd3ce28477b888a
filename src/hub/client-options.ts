import { isValidChannel } from '../protocol/channel.js';
import { record } from '../protocol/check-value.js';
import { TRANSPORT_NAMES, type TransportName } from '../protocol/transport-name.js';
import type { PresenceIdentity } from '../presence/presence-manager.js';
import type { BackoffOptions } from '../upstream/backoff.js';
import type { LadderOptions } from '../upstream/ladder-options.js';
import type { TokenSource } from '../upstream/token-source.js';
import type { UpstreamOptions } from '../upstream/upstream.js';
import { DEV } from '../dev.js';
import { HOST_KINDS, type HostKind } from './port-protocol.js';

/**
 * The client's options, declared once: each is its line in `ClientOptions`
 * and its entry in `CLIENT_OPTIONS` (default, check, whether it reaches the
 * hub). The client checks every option against its entry when it is
 * created, copies those that reach the hub into its hello, and the hub
 * checks them with the same entries when they arrive. The registry's type
 * requires an entry for every option, refuses an entry for an option that
 * is not declared, and lets an entry reach the hub only if the Upstream
 * takes an option of that name: each omission fails `npm run typecheck`
 * (test/types/client-options.ts). It lives in the hub's room because the hub
 * is the lowest layer that reads it.
 */

/** Where the shared connection may live: `auto` picks the best available. */
export type HostPreference = 'auto' | HostKind;
export const HOST_PREFERENCES: readonly HostPreference[] = ['auto', ...HOST_KINDS];

export interface ClientOptions {
  /** Base URL of the push server's endpoints, e.g. `https://push.example.com/comet`. */
  readonly url: string;
  /** A token, or a function returning one (called again for each connection, once more after a 401, and when a stream ends on its token's expiry). */
  readonly token?: TokenSource;
  /** Send cookies to a push server on another origin. Default false. */
  readonly withCredentials?: boolean;
  /** Backoff between reconnects. Default 1 s base, 30 s cap, full jitter. */
  readonly reconnect?: BackoffOptions;
  /** How long to wait for the server's hello (ms). Default 10000. */
  readonly helloTimeoutMs?: number;
  /** Subscription changes within this window (ms) re-open the stream once. Default 10. */
  readonly batchDelayMs?: number;
  /**
   * URL of cometkit's worker script (`cometkit/worker`, `dist/worker.js`) on
   * the page's own origin, or of a one-line module importing it. With it, one
   * SharedWorker holds the connection for every tab; without it, tabs elect a
   * leader that does.
   */
  readonly workerUrl?: string | URL;
  /** Where the shared connection lives. Default `'auto'`: SharedWorker, else a leader tab, else this tab alone. */
  readonly host?: HostPreference;
  /** Clients with the same `url` and `hub` share one connection. Default `'default'`. */
  readonly hub?: string;
  /** Who this client is for presence when the server accepts it without a token (a demo); a token's user always wins. */
  readonly identity?: PresenceIdentity;
  /**
   * Transports to use, best first. Default `['sse', 'iframe', 'long-poll']`;
   * name one to force it, or reorder. Those the hub cannot run where it
   * lives are skipped (a SharedWorker has no DOM for the iframe). The first
   * tab's choice holds for the shared connection.
   */
  readonly transports?: readonly TransportName[];
  /** Tuning of the transport ladder: how long a downgrade is remembered, how often a better transport is re-probed. */
  readonly ladder?: Omit<LadderOptions, 'storage'>;
}

/** One option's entry. */
export interface OptionEntry<T, ReachesHub extends boolean> {
  /** The value in effect when the option is left out; undefined where the layer that uses it decides. */
  readonly default: T | undefined;
  /** Whether `value` (undefined, left out, included) is a value the option takes. */
  readonly check: (value: unknown) => boolean;
  /** How to give a valid value: the development build's advice in the error for one that is not. */
  readonly advice: string;
  /** Whether the tab copies it into its hello for the hub's Upstream (the first tab's win). */
  readonly hub: ReachesHub;
}

/**
 * An entry for every option of `O`, and none for anything else; `hub: true`
 * only for a name the Upstream takes, so a hub option cannot be dropped on
 * the way without a word.
 */
export type OptionRegistry<O> = {
  readonly [K in keyof Required<O>]: OptionEntry<O[K], K extends keyof UpstreamOptions ? boolean : false>;
};

/** The options whose entry says they reach the hub. */
export type HubOptionKey<R> = { [K in keyof R]: R[K] extends { readonly hub: true } ? K : never }[keyof R];

const nonNegative = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const optional =
  (check: (value: unknown) => boolean) =>
  (value: unknown): boolean =>
    value === undefined || check(value);
/** An object of optional non-negative numbers, nothing else. */
const durations = (value: unknown): boolean => {
  const fields = record(value);
  return !!fields && Object.values(fields).every((field) => field === undefined || nonNegative(field));
};
const text = (check: (value: string) => boolean) => (value: unknown) => typeof value === 'string' && check(value);
const says = (text: string): string => (DEV ? text : '');

export const CLIENT_OPTIONS = {
  url: { default: undefined, check: text((url) => url !== ''), advice: says('It is the base URL of the push server, e.g. "/comet".'), hub: true },
  token: { default: undefined, check: optional((token) => typeof token === 'string' || typeof token === 'function'), advice: says('Give a string or a function returning one.'), hub: false },
  withCredentials: { default: false, check: optional((value) => typeof value === 'boolean'), advice: says('Give true or false.'), hub: true },
  reconnect: { default: undefined, check: optional(durations), advice: says('Give { baseDelayMs, maxDelayMs } in non-negative ms.'), hub: true },
  helloTimeoutMs: { default: 10_000, check: optional(nonNegative), advice: says('Give non-negative ms.'), hub: true },
  batchDelayMs: { default: 10, check: optional(nonNegative), advice: says('Give non-negative ms.'), hub: true },
  workerUrl: { default: undefined, check: optional((value) => typeof value === 'string' || value instanceof URL), advice: says('Give the URL of the worker script on this origin.'), hub: false },
  host: { default: 'auto', check: optional((value) => HOST_PREFERENCES.includes(value as HostPreference)), advice: says(`Use one of ${HOST_PREFERENCES.join(', ')}.`), hub: false },
  hub: { default: 'default', check: optional(text((name) => name !== '')), advice: says('Give a non-empty name.'), hub: false },
  identity: { default: undefined, check: optional((value) => typeof record(value)?.['user'] === 'string'), advice: says('Give { user, name? }.'), hub: false },
  transports: {
    default: undefined,
    check: optional((value) => Array.isArray(value) && value.length > 0 && value.every((name) => TRANSPORT_NAMES.includes(name as TransportName))),
    advice: says(`List one or more of ${TRANSPORT_NAMES.join(', ')}.`),
    hub: true,
  },
  ladder: {
    default: undefined,
    // `storage` cannot cross a port to a worker: the hub's own is used.
    check: optional((value) => durations(value) && !('storage' in (value as object))),
    advice: says('Give { rememberMs, reprobeMs, earlyCloseMs, strikes } as non-negative numbers.'),
    hub: true,
  },
} as const satisfies OptionRegistry<ClientOptions>;

export type HubOptionName = HubOptionKey<typeof CLIENT_OPTIONS>;

/** The options a tab hands to the hub, as the Upstream takes them: derived from the registry, never restated. */
export type HubUpstreamOptions = Pick<ClientOptions, HubOptionName>;

/** The names of the options that reach the hub, in the registry's order. */
export const HUB_OPTION_NAMES = (Object.keys(CLIENT_OPTIONS) as Array<keyof ClientOptions>).filter(
  (name): name is HubOptionName => CLIENT_OPTIONS[name].hub,
);

/** Why `value` is not a valid `name`, or undefined when it is. */
export function optionProblem(name: keyof ClientOptions, value: unknown): string | undefined {
  if (CLIENT_OPTIONS[name].check(value)) return undefined;
  let shown: string | undefined;
  try {
    shown = JSON.stringify(value);
  } catch {
    // A value that cannot be shown as JSON (a cycle) is named by its type.
  }
  return `Invalid \`${name}\`: ${(shown ?? typeof value).slice(0, 200)}.${DEV ? ` ${CLIENT_OPTIONS[name].advice}` : ''}`;
}

/**
 * The options of a hello, each checked by its own entry; other keys are
 * dropped. `url` is resolved by the tab, so it must be there.
 */
export function checkHubOptions(value: unknown): HubUpstreamOptions | undefined {
  const options = record(value);
  if (!options) return undefined;
  const checked: Record<string, unknown> = {};
  for (const name of HUB_OPTION_NAMES) {
    if (!CLIENT_OPTIONS[name].check(options[name])) return undefined;
    if (options[name] !== undefined) checked[name] = options[name];
  }
  return checked as unknown as HubUpstreamOptions;
}
