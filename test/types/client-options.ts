/**
 * Type tests, run by `npm run typecheck` (nothing here executes): a client
 * option is two declarations, its line in `ClientOptions` and its entry in
 * `CLIENT_OPTIONS`, and forgetting either, or declaring a hub option the
 * Upstream does not take, fails to compile. Each `@ts-expect-error` below
 * is a case that must fail; should one compile, the typecheck fails on the
 * unused directive instead.
 */
import { CLIENT_OPTIONS, type ClientOptions, type HubOptionKey, type OptionRegistry } from '../../src/hub/client-options.js';
import type { TabMessage } from '../../src/hub/tab-messages.js';
import type { HubMessage } from '../../src/hub/hub-messages.js';

/** ClientOptions with one option more, as a change adding it would declare it. */
interface WithNewOption extends ClientOptions {
  readonly pingMs?: number;
}

const entry = { check: () => undefined, hub: false } as const;

// The registry as it stands covers ClientOptions exactly.
export const today: OptionRegistry<ClientOptions> = CLIENT_OPTIONS;

// An option declared in ClientOptions without its registry entry.
// @ts-expect-error: Property 'pingMs' is missing
export const entryForgotten: OptionRegistry<WithNewOption> = { ...CLIENT_OPTIONS };

// A registry entry for an option ClientOptions does not declare.
// @ts-expect-error: Object literal may only specify known properties
export const typeForgotten: OptionRegistry<ClientOptions> = { ...CLIENT_OPTIONS, pingMs: entry };

// An option said to reach the hub, but not among UpstreamOptions: it would be dropped on the way.
// @ts-expect-error: Type 'true' is not assignable to type 'false'
export const notInUpstream: OptionRegistry<WithNewOption> = { ...CLIENT_OPTIONS, pingMs: { ...entry, hub: true } };

// Declared both ways and kept in the page: compiles.
export const complete: OptionRegistry<WithNewOption> = { ...CLIENT_OPTIONS, pingMs: entry };

// The hub's options are those whose entry says so, nothing restated by hand.
type HubNames = HubOptionKey<typeof CLIENT_OPTIONS>;
export const hubNames: ReadonlyArray<HubNames> = ['url', 'withCredentials', 'reconnect', 'helloTimeoutMs', 'batchDelayMs', 'transports', 'ladder'];
// @ts-expect-error: `workerUrl` stays in the page
export const pageOnly: HubNames = 'workerUrl';

// Message types derive from the schema tables: a field the table does not declare is no field of the message.
export const hello = (message: Extract<TabMessage, { type: 'hello' }>): string => message.sdk;
// @ts-expect-error: Property 'version' does not exist
export const undeclared = (message: Extract<TabMessage, { type: 'hello' }>): unknown => message.version;
// A hello's cursor and the hub's positions cross parsed, as Maps.
export const cursorIsParsed = (message: Extract<HubMessage, { type: 'positions' }>): number => message.cursor.size;
