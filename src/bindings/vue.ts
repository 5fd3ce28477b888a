/**
 * cometkit in Vue 3: composables for a channel's events, a presence roster
 * and the inbox counts, and the elements' template types
 * (`vue-templates.ts`, loaded with this module).
 *
 * Call them in `setup()` (or any effect scope): they follow while the scope
 * lives and let go in `onScopeDispose`. Arguments may be refs or getters;
 * a change follows the new channel or client. Every composable takes the
 * page's default client unless given `client`, and waits for one when there
 * is none yet. Components following the same thing share one subscription.
 * Nothing runs at import, and during server rendering nothing subscribes.
 */
import { computed, getCurrentScope, onScopeDispose, shallowRef, toValue, watch, type ComputedRef, type MaybeRefOrGetter, type Ref } from 'vue';
import type { CometClient } from '../client/client.js';
import type { CometError } from '../errors/comet-error.js';
import type { InboxCounts } from '../protocol/inbox-protocol.js';
import type { PresenceMember } from '../presence/presence-roster.js';
import type { CometEvent } from '../protocol/messages.js';
import { onDefaultClient } from '../client/default-client.js';
import type { SharedSource } from './shared-source.js';
import { IDLE_CHANNEL, IDLE_INBOX, IDLE_PRESENCE, channelSource, checkLimit, inboxCountsSource, presenceSource } from './sources.js';

export type { CometElementComponent } from '../../components/vue-templates.js';

export interface ClientOption {
  /** The client to use; default the page's default client, once there is one. */
  readonly client?: MaybeRefOrGetter<CometClient | undefined>;
}

export interface UseChannelOptions extends ClientOption {
  /** How many of the latest events `events` keeps: 1-1000, default 50. */
  readonly limit?: number;
}

export interface UsePresenceOptions extends ClientOption {
  /** Count this client as present on the channel. Default true; false only watches. */
  readonly announce?: boolean;
}

export interface ChannelRefs<Data = unknown> {
  /** Events received since the channel was first followed, oldest first, the last `limit` of them. */
  readonly events: ComputedRef<readonly CometEvent<Data>[]>;
  readonly latest: ComputedRef<CometEvent<Data> | undefined>;
  /** True once the stream carries the channel. */
  readonly live: ComputedRef<boolean>;
  /** Why the channel cannot be followed (`invalid-channel`). */
  readonly error: ComputedRef<CometError | undefined>;
}

export interface PresenceRefs {
  readonly members: ComputedRef<readonly PresenceMember[]>;
  readonly loaded: ComputedRef<boolean>;
  readonly self: ComputedRef<{ readonly user: string; readonly name: string } | undefined>;
  readonly error: ComputedRef<CometError | undefined>;
}

export interface InboxCountsRefs {
  readonly counts: ComputedRef<InboxCounts | undefined>;
  readonly error: ComputedRef<CometError | undefined>;
}

/** Server rendering has no document: nothing is followed there, and nothing would be released. */
const rendering = (): boolean => typeof document === 'undefined';

/** The client given, else the page's default client (updated when one is configured); undefined while there is none. */
export function useCometClient(client?: MaybeRefOrGetter<CometClient | undefined>): Readonly<Ref<CometClient | undefined>> {
  const fallback = shallowRef<CometClient>();
  if (!rendering()) {
    const stop = onDefaultClient((configured) => (fallback.value = configured));
    if (getCurrentScope()) onScopeDispose(stop);
  }
  return computed(() => toValue(client) ?? fallback.value);
}

/** The snapshot of the source `pick` names now, followed while the scope lives. */
function useSource<Snapshot>(pick: () => SharedSource<Snapshot> | undefined, idle: Snapshot): Readonly<Ref<Snapshot>> {
  const snapshot = shallowRef(idle);
  if (rendering()) return snapshot;
  let release = (): void => {};
  watch(
    pick,
    (source) => {
      release();
      release = source?.hold(() => (snapshot.value = source.read())) ?? (() => {});
      snapshot.value = source?.read() ?? idle;
    },
    { immediate: true },
  );
  if (getCurrentScope()) onScopeDispose(() => release());
  return snapshot;
}

/**
 * A channel's latest events, live: `latest`, `events` (oldest first, the
 * last `limit`), and `live` once the stream carries the channel. Starts
 * empty: events published before the channel was followed are in
 * `client.history()`. A channel of `undefined` follows none.
 */
export function useChannel<Data = unknown>(channel: MaybeRefOrGetter<string | undefined>, options: UseChannelOptions = {}): ChannelRefs<Data> {
  const client = useCometClient(options.client);
  const limit = checkLimit(options.limit);
  const state = useSource(() => {
    const name = toValue(channel);
    return client.value && name ? channelSource(client.value, name, limit) : undefined;
  }, IDLE_CHANNEL);
  return {
    events: computed(() => state.value.events as readonly CometEvent<Data>[]),
    latest: computed(() => state.value.latest as CometEvent<Data> | undefined),
    live: computed(() => state.value.live),
    error: computed(() => state.value.error),
  };
}

/** Who is on `channel`, live; this client counts as present unless `announce` is false. */
export function usePresence(channel: MaybeRefOrGetter<string | undefined>, options: UsePresenceOptions = {}): PresenceRefs {
  const client = useCometClient(options.client);
  const announce = options.announce ?? true;
  const state = useSource(() => {
    const name = toValue(channel);
    return client.value && name ? presenceSource(client.value, name, announce) : undefined;
  }, IDLE_PRESENCE);
  return {
    members: computed(() => state.value.members),
    loaded: computed(() => state.value.loaded),
    self: computed(() => state.value.self),
    error: computed(() => state.value.error),
  };
}

/** The user's inbox counts (`unseen`, `unread`, `total`), live across the user's devices. */
export function useInboxCounts(options: ClientOption = {}): InboxCountsRefs {
  const client = useCometClient(options.client);
  const state = useSource(() => (client.value ? inboxCountsSource(client.value) : undefined), IDLE_INBOX);
  return { counts: computed(() => state.value.counts), error: computed(() => state.value.error) };
}
