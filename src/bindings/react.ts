/**
 * cometkit in React (18 and 19): hooks for a channel's events, a presence
 * roster and the inbox counts, and the elements' JSX types
 * (`react-jsx.ts`, loaded with this module).
 *
 * Every hook takes the page's default client (`configure()`, the script
 * tag, or as `getDefaultClient()` says) unless given `client`, and waits
 * for one when there is none yet. Components following the same thing share
 * one subscription, released a microtask after the last one lets go: safe
 * under StrictMode (mount, unmount, mount keeps the stream) and across a
 * route change. Nothing runs at import or during server rendering: the hooks
 * subscribe in effects, through `useSyncExternalStore`.
 */
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import type { CometClient } from '../client/client.js';
import { getDefaultClient, onDefaultClient } from '../client/default-client.js';
import type { SharedSource } from './shared-source.js';
import {
  IDLE_CHANNEL,
  IDLE_INBOX,
  IDLE_PRESENCE,
  channelSource,
  checkLimit,
  inboxCountsSource,
  presenceSource,
  type ChannelSnapshot,
  type InboxCountsSnapshot,
  type PresenceSnapshot,
} from './sources.js';

export type { CometElementProps } from '../../components/react-jsx.js';
export type { ChannelSnapshot, InboxCountsSnapshot, PresenceSnapshot } from './sources.js';

export interface ClientOption {
  /** The client to use; default the page's default client, once there is one. */
  readonly client?: CometClient | undefined;
}

export interface UseChannelOptions extends ClientOption {
  /** How many of the latest events `events` keeps: 1-1000, default 50. */
  readonly limit?: number;
}

export interface UsePresenceOptions extends ClientOption {
  /** Count this client as present on the channel. Default true; false only watches. */
  readonly announce?: boolean;
}

const followDefault = (onChange: () => void): (() => void) => onDefaultClient(() => onChange());
const noClient = (): undefined => undefined;
const nothingToFollow = (): (() => void) => () => {};

/** The client given, else the page's default client (re-rendering when one is configured); undefined while there is none. */
export function useCometClient(client?: CometClient): CometClient | undefined {
  const fallback = useSyncExternalStore(followDefault, getDefaultClient, noClient);
  return client ?? fallback;
}

/** Reads a shared source, holding it while the component is mounted; `idle` without one and during server rendering. */
function useSource<Snapshot>(source: SharedSource<Snapshot> | undefined, idle: Snapshot): Snapshot {
  const subscribe = useCallback((onChange: () => void) => source?.hold(onChange) ?? (() => {}), [source]);
  const read = useCallback(() => source?.read() ?? idle, [source, idle]);
  return useSyncExternalStore(source ? subscribe : nothingToFollow, read, () => idle);
}

/**
 * A channel's latest events, live: `latest`, `events` (oldest first, the
 * last `limit`), and `live` once the stream carries the channel. Starts
 * empty: events published before the first component followed the channel
 * are in `client.history()`. Pass `undefined` as channel to follow none.
 */
export function useChannel<Data = unknown>(channel: string | undefined, options: UseChannelOptions = {}): ChannelSnapshot<Data> {
  const client = useCometClient(options.client);
  const limit = checkLimit(options.limit);
  const source = useMemo(() => (client && channel ? channelSource(client, channel, limit) : undefined), [client, channel, limit]);
  return useSource(source, IDLE_CHANNEL) as ChannelSnapshot<Data>;
}

/** Who is on `channel`, live; this client counts as present unless `announce` is false. */
export function usePresence(channel: string | undefined, options: UsePresenceOptions = {}): PresenceSnapshot {
  const client = useCometClient(options.client);
  const announce = options.announce ?? true;
  const source = useMemo(() => (client && channel ? presenceSource(client, channel, announce) : undefined), [client, channel, announce]);
  return useSource(source, IDLE_PRESENCE);
}

/** The user's inbox counts (`unseen`, `unread`, `total`), live across the user's devices. */
export function useInboxCounts(options: ClientOption = {}): InboxCountsSnapshot {
  const client = useCometClient(options.client);
  const source = useMemo(() => (client ? inboxCountsSource(client) : undefined), [client]);
  return useSource(source, IDLE_INBOX);
}
