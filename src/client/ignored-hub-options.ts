/**
 * Pages that share a hub (same origin, same `hub` name) share one upstream
 * connection, started with the options of the page whose hello came first.
 * A page joining with other options would otherwise wonder why its `url` or
 * `transports` do nothing. Development build only: the client calls this
 * under `DEV`, so production carries none of it.
 */
import { warn } from '../dev.js';
import { CLIENT_OPTIONS, HUB_OPTION_NAMES, type HubOptionName, type HubUpstreamOptions } from '../hub/client-options.js';
import { checkHubOptions } from '../hub/tab-messages.js';
import type { HostKind } from '../hub/port-protocol.js';

const HOST_NAMES: Record<HostKind, string> = { 'shared-worker': 'SharedWorker', 'leader-tab': 'leader tab', 'single-tab': 'this tab' };

/** The last report per client: a rejoin (a restarted worker, a new leader) warns again only when it differs. */
const reported = new WeakMap<object, string>();

const shown = (value: unknown): string => (value === undefined ? 'the default' : JSON.stringify(value));

/**
 * An option as it acts: a default spelled out (`withCredentials: false`,
 * which `<comet-connection>` always passes) or a nested object with nothing
 * set is the same as leaving the option out.
 */
function effective(key: HubOptionName, value: unknown): string | undefined {
  // A hello spells out the registry's defaults; a page that left one out asked for that same value.
  if (value === (CLIENT_OPTIONS[key] as { readonly default?: unknown }).default) return undefined;
  // Nested options in one order, so equal options compare equal whatever order each page wrote them in.
  const text = JSON.stringify(value, value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).sort() : undefined);
  return text === '{}' ? undefined : text;
}

/** `asked`: this page's options (its client's, with the URL resolved as its hello sends it); `running`: the welcome's. */
export function warnIgnoredHubOptions(client: object, asked: HubUpstreamOptions, running: unknown, host: HostKind, hub: string): void {
  // Both sides as the hub reads them: its checks keep the declared keys only.
  const mine = checkHubOptions(asked);
  const theirs = checkHubOptions(running);
  if (!mine || !theirs) return;
  const differing = HUB_OPTION_NAMES.filter((key) => effective(key, mine[key]) !== effective(key, theirs[key]));
  const inEffect = differing.map((key) => `${key}: ${shown(theirs[key])} (this page: ${shown(mine[key])})`).join('; ');
  if (reported.get(client) === inEffect) return;
  reported.set(client, inEffect);
  if (differing.length === 0) return;
  warn(
    'hub-options-ignored',
    `this page's ${differing.join(', ')} ${differing.length === 1 ? 'is' : 'are'} ignored: another page started the ${HOST_NAMES[host]}'s hub "${hub}" first, and its options are in effect. ${inEffect}. Give every page that shares a hub the same options, or give this page a hub of its own (the \`hub\` option, data-hub).`,
  );
}
