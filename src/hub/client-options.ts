import { finiteNumber, record } from '../protocol/check-value.js';
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
   * the page's own origin, or of a one-line module importing it: one
   * SharedWorker then holds the connection for every tab. Without it, the
   * ES module build starts the worker file the app's bundler emitted (Vite,
   * webpack 5, Parcel), and the script-tag builds have the tabs elect a
   * leader; so do pages where the worker cannot start.
   * `host: 'leader-tab'` turns the SharedWorker off.
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
  /** The value in effect when the option is left out; absent where the layer that uses it decides. */
  readonly default?: T;
  /**
   * Undefined when `value` (undefined, left out, included) is a value the
   * option takes; else how to give one: the development build's advice, an
   * empty string in production.
   */
  readonly check: (value: unknown) => string | undefined;
  /** Whether the tab copies it into its hello for the hub's Upstream (the first tab's win). A mark in the type alone (see `Marked`). */
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

/** A check from a test of the value given and the advice for one that fails it; left out (undefined) passes unless `required`. */
const check =
  (test: (value: unknown) => boolean, advice: string, required = false) =>
  (value: unknown): string | undefined =>
    (value === undefined ? !required : test(value)) ? undefined : DEV ? advice : '';
const nonNegative = (value: unknown): boolean => finiteNumber(value) && value >= 0;
/** An object of optional non-negative numbers, nothing else. */
const durations = (value: unknown): boolean => {
  const fields = record(value);
  return !!fields && Object.values(fields).every((field) => field === undefined || nonNegative(field));
};
const name = (value: unknown): boolean => typeof value === 'string' && value !== '';

/**
 * Entries with their `hub` mark in their type alone: nothing reads it at run
 * time (the two tables say which side an option is on), so no bundle
 * carries it, while the registry's type still sees it.
 */
type Marked<E, ReachesHub extends boolean> = { readonly [K in keyof E]: E[K] & { readonly hub: ReachesHub } };
type Unmarked<ReachesHub extends boolean> = { readonly [option: string]: Omit<OptionEntry<unknown, ReachesHub>, 'hub'> };

/**
 * The entries that reach the hub, apart so that the worker, which checks
 * only these, carries none of the page's own checks.
 */
const HUB_ENTRIES = {
  url: { check: check(name, 'It is the base URL of the push server, e.g. "/comet".', true) },
  withCredentials: { default: false, check: check((value) => typeof value === 'boolean', 'Give true or false.') },
  reconnect: { check: check(durations, 'Give { baseDelayMs, maxDelayMs } in non-negative ms.') },
  helloTimeoutMs: { default: 10_000, check: check(nonNegative, 'Give non-negative ms.') },
  batchDelayMs: { default: 10, check: check(nonNegative, 'Give non-negative ms.') },
  transports: {
    check: check(
      (value) => Array.isArray(value) && value.length > 0 && value.every((transport) => TRANSPORT_NAMES.includes(transport as TransportName)),
      'List one or more of sse, iframe, long-poll.',
    )
  },
  // `storage` cannot cross a port to a worker: the hub's own is used.
  ladder: { check: check((value) => durations(value) && !('storage' in (value as object)), 'Give { rememberMs, reprobeMs, earlyCloseMs, strikes } as non-negative numbers.') },
} as const satisfies Unmarked<true>;
export const HUB_OPTIONS = HUB_ENTRIES as Marked<typeof HUB_ENTRIES, true>;

/** The entries the page alone reads: marked `hub: false` each, so none is a hub option missing from `HUB_OPTION_NAMES`. */
const PAGE_ENTRIES = {
  token: { check: check((token) => typeof token === 'string' || typeof token === 'function', 'Give a string or a function returning one.') },
  workerUrl: { check: check((value) => typeof value === 'string' || value instanceof URL, 'Give the URL of the worker script on this origin.') },
  host: { default: 'auto', check: check((value) => HOST_PREFERENCES.includes(value as HostPreference), 'Use one of auto, shared-worker, leader-tab, single-tab.') },
  hub: { default: 'default', check: check(name, 'Give a non-empty name.') },
  identity: { check: check((value) => typeof record(value)?.['user'] === 'string', 'Give { user, name? }.') },
} as const satisfies Unmarked<false>;
const PAGE_OPTIONS = PAGE_ENTRIES as Marked<typeof PAGE_ENTRIES, false>;

export const CLIENT_OPTIONS = { ...HUB_OPTIONS, ...PAGE_OPTIONS } as const satisfies OptionRegistry<ClientOptions>;

export type HubOptionName = HubOptionKey<typeof CLIENT_OPTIONS>;

/** The options a tab hands to the hub, as the Upstream takes them: derived from the registry, never restated. */
export type HubUpstreamOptions = Pick<ClientOptions, HubOptionName>;

/** The hub's options that have a default in their entry. */
type DefaultedHubOption = { [K in HubOptionName]: (typeof HUB_OPTIONS)[K] extends { readonly default: unknown } ? K : never }[HubOptionName];

/**
 * A hello's options as the hub runs them: each one left out is its entry's
 * default (`checkHubOptions` fills them in), so the Upstream, which
 * requires them, restates none.
 */
export type HubRunOptions = HubUpstreamOptions & Required<Pick<ClientOptions, DefaultedHubOption>>;

/** The names of the options that reach the hub, in the registry's order. */
export const HUB_OPTION_NAMES = Object.keys(HUB_OPTIONS) as HubOptionName[];

/** Why `value` is not a valid `option`, or undefined when it is. */
export function optionProblem(option: keyof ClientOptions, value: unknown): string | undefined {
  const advice = CLIENT_OPTIONS[option].check(value);
  return advice === undefined ? undefined : `Invalid \`${option}\`${DEV ? `: ${shown(value)}. ${advice}` : '.'}`;
}

/** The value as the development build's error shows it: JSON, cut short, or its type where JSON cannot say it (a cycle). */
function shown(value: unknown): string {
  try {
    return String(JSON.stringify(value)).slice(0, 200);
  } catch {
    return typeof value;
  }
}
