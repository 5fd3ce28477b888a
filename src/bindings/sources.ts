/**
 * What the React hooks and the Vue composables follow, framework-free: a
 * channel's latest events, a presence roster, the inbox counts. Each is a
 * shared source (shared-source.ts): components following the same thing
 * through the same client share one subscription.
 */
import type { CometClient } from '../client/client.js';
import { CometError, isCometError } from '../errors/comet-error.js';
import type { InboxCounts } from '../protocol/inbox-protocol.js';
import type { CometEvent } from '../protocol/messages.js';
import type { PresenceMember } from '../presence/presence-roster.js';
import { sharedSource, type SharedSource } from './shared-source.js';

export interface ChannelSnapshot<Data = unknown> {
  /** Events received since the channel was first followed, oldest first, the last `limit` of them. */
  readonly events: readonly CometEvent<Data>[];
  /** The newest of `events`. */
  readonly latest: CometEvent<Data> | undefined;
  /** True once the stream carries the channel: an event published from then on arrives. */
  readonly live: boolean;
  /** Why the channel cannot be followed (`invalid-channel`). */
  readonly error: CometError | undefined;
}

export interface PresenceSnapshot {
  /** Members in order of arrival; a user with several tabs or devices is one member. */
  readonly members: readonly PresenceMember[];
  /** False until the first roster came back from the server. */
  readonly loaded: boolean;
  /** Who the server took this client for, once it announced itself. */
  readonly self: { readonly user: string; readonly name: string } | undefined;
  /** Why the roster could not be read or announced (e.g. the server wants a token). */
  readonly error: CometError | undefined;
}

export interface InboxCountsSnapshot {
  /** `unseen`, `unread` and `total` (not archived), once known; kept current by live changes. */
  readonly counts: InboxCounts | undefined;
  /** Why the inbox could not be read or followed. */
  readonly error: CometError | undefined;
}

/** Most events a channel's list may keep: the list is copied on every event. */
export const MAX_LIMIT = 1000;
export const DEFAULT_LIMIT = 50;

export const IDLE_CHANNEL: ChannelSnapshot<never> = Object.freeze({ events: Object.freeze([]), latest: undefined, live: false, error: undefined });
export const IDLE_PRESENCE: PresenceSnapshot = Object.freeze({ members: Object.freeze([]), loaded: false, self: undefined, error: undefined });
export const IDLE_INBOX: InboxCountsSnapshot = Object.freeze({ counts: undefined, error: undefined });

const asCometError = (error: unknown): CometError =>
  isCometError(error) ? error : new CometError('unexpected', String((error as Error | null)?.message ?? error), { cause: error });

/** A limit for a list: 1-1000 events, 50 when not given. */
export function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new CometError('invalid-option', `limit must be an integer from 1 to ${MAX_LIMIT}, not ${String(limit)}.`);
  }
  return limit;
}

/**
 * A channel's last `limit` events on `client`. Components with another limit
 * get a source of their own; the client still carries the channel once.
 */
export function channelSource(client: CometClient, channel: string, limit: number): SharedSource<ChannelSnapshot> {
  return sharedSource<ChannelSnapshot>(
    client,
    `channel ${limit} ${channel}`,
    (changed) => {
      let snapshot: ChannelSnapshot = IDLE_CHANNEL;
      let closed = false;
      let subscription: { unsubscribe(): void } | undefined;
      try {
        const taken = client.subscribe(channel, (event) => {
          const events = snapshot.events.length < limit ? [...snapshot.events, event] : [...snapshot.events.slice(1 - limit), event];
          snapshot = { ...snapshot, events, latest: event, live: true };
          changed();
        });
        subscription = taken;
        taken.ready.then(
          () => {
            if (closed || snapshot.live) return;
            snapshot = { ...snapshot, live: true };
            changed();
          },
          // The subscription ended (unsubscribed, client closed, a fatal refusal): the error event says why.
          () => {},
        );
      } catch (error) {
        snapshot = { ...snapshot, error: asCometError(error) };
      }
      return {
        read: () => snapshot,
        close: () => {
          closed = true;
          subscription?.unsubscribe();
        },
      };
    },
    IDLE_CHANNEL,
  );
}

/** Who is on `channel`, counting this client as present unless `announce` is false. */
export function presenceSource(client: CometClient, channel: string, announce: boolean): SharedSource<PresenceSnapshot> {
  return sharedSource<PresenceSnapshot>(
    client,
    `presence ${announce ? 'announce' : 'watch'} ${channel}`,
    (changed) => {
      let snapshot: PresenceSnapshot = IDLE_PRESENCE;
      let roster: ReturnType<CometClient['presence']> | undefined;
      const onChange = (): void => {
        if (!roster) return;
        snapshot = { members: roster.members, loaded: roster.loaded, self: roster.self, error: undefined };
        changed();
      };
      const onError = (event: { readonly error: CometError }): void => {
        snapshot = { ...snapshot, error: event.error };
        changed();
      };
      try {
        roster = client.presence(channel, { announce });
        roster.addEventListener('change', onChange);
        roster.addEventListener('error', onError);
      } catch (error) {
        snapshot = { ...snapshot, error: asCometError(error) };
      }
      return {
        read: () => snapshot,
        close: () => {
          roster?.removeEventListener('change', onChange);
          roster?.removeEventListener('error', onError);
          roster?.release();
        },
      };
    },
    IDLE_PRESENCE,
  );
}

const INBOX_CHANGES = ['added', 'changed', 'updated', 'snoozed', 'resync'] as const;

/**
 * The user's inbox counts on `client`. The inbox is one per client and,
 * once started, follows the user's channel until the client closes; a
 * release stops only the listening.
 */
export function inboxCountsSource(client: CometClient): SharedSource<InboxCountsSnapshot> {
  return sharedSource<InboxCountsSnapshot>(
    client,
    'inbox counts',
    (changed) => {
      let snapshot: InboxCountsSnapshot = IDLE_INBOX;
      let closed = false;
      let stop = (): void => {};
      const fail = (error: unknown): void => {
        if (closed) return;
        snapshot = { ...snapshot, error: asCometError(error) };
        changed();
      };
      client.inbox().then((inbox) => {
        if (closed) return;
        const update = (): void => {
          if (closed || !inbox.counts || inbox.counts === snapshot.counts) return;
          snapshot = { counts: inbox.counts, error: undefined };
          changed();
        };
        const onError = (event: { readonly error: CometError }): void => fail(event.error);
        for (const type of INBOX_CHANGES) inbox.addEventListener(type, update);
        inbox.addEventListener('error', onError);
        stop = () => {
          for (const type of INBOX_CHANGES) inbox.removeEventListener(type, update);
          inbox.removeEventListener('error', onError);
        };
        inbox.start().then(update, fail);
      }, fail);
      return {
        read: () => snapshot,
        close: () => {
          closed = true;
          stop();
        },
      };
    },
    IDLE_INBOX,
  );
}
