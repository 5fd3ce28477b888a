import { RedisPushStore } from '../push/redis-push-store.js';
import type { CometEvent, PositionedEvent } from '../../src/protocol/messages.js';
import { comparePositions, isAtOrBefore, type Position } from '../../src/protocol/position.js';
import { PUBLISH, READ } from '../redis/broker-scripts.js';
import {
  brokerUnavailable,
  closeConnection,
  connectRedis,
  connectRedisCluster,
  gated,
  observeRoundTrips,
  onReconnect,
  publishCommand,
  redisCommand,
  REDIS_DEFAULTS,
  subscribeChannel,
  unsubscribeChannel,
  type RedisConnection,
} from '../redis/redis-connection.js';
import { RedisInboxStore } from '../inbox/redis-inbox-store.js';
import { RedisPresenceStateStore } from '../presence/redis-presence-state-store.js';
import { RedisIdempotencyStore } from '../send/redis-idempotency-store.js';
import type { Broker, HistoryRead, PublishInput, SharedStoreOptions, SharedStores } from './broker.js';
import { dataJson, parseStoredEvent } from './event-json.js';
import { positioned } from './event-position.js';

export interface RedisBrokerOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://` for TLS). With `cluster`, one node of the cluster. */
  readonly url: string;
  /**
   * `url` is a node of a Redis Cluster: `true`, or a list of more nodes (`redis://host:port`, any
   * masters) to reach it through when that one is down. The broker then routes each command by its
   * key's slot and uses sharded pub/sub (ARCHITECTURE.md, On a Redis Cluster). Default: one server.
   */
  readonly cluster?: readonly string[] | boolean;
  /** Prefix of every key and pub/sub channel, to share one Redis between deployments. Default `comet:`. */
  readonly keyPrefix?: string;
  /** Events kept per channel for resuming readers. Default 1000. */
  readonly historySize?: number;
  /** How long an event stays in history (ms). Default 24 h. */
  readonly historyMaxAgeMs?: number;
  /** Longest wait for Redis on one command before a publish or read fails with 503 (ms). Default 1000. */
  readonly commandTimeoutMs?: number;
  /**
   * Most commands waiting for Redis at once, per connection; past it, publishes and reads
   * fail with `503 broker-unavailable` at once, so a hung Redis holds bounded memory. Default 1000.
   */
  readonly maxPendingCommands?: number;
}

/** What this process knows of one channel it carries live: who listens, and the last position they were given. */
interface Relay {
  readonly channel: string;
  readonly listeners: Set<(event: CometEvent) => void>;
  /** Last position handed to the listeners; undefined until the subscription is confirmed. */
  last: Position | undefined;
  /** Deliveries and catch-up reads run one after another, so listeners see seq order. */
  queue: Promise<void>;
  /** Settles once Redis confirmed the subscription and `last` is known: reads wait for it (the seam). */
  readonly subscribed: Promise<void>;
  readonly onMessage: (message: string) => void;
  /** The SUBSCRIBE as the client runs it; undefined when the gate refused to send it. */
  readonly sent: Promise<unknown> | undefined;
  /** Set while a failed catch-up waits to be tried again. */
  retry: ReturnType<typeof setTimeout> | undefined;
}

/**
 * A broker for several processes on one Redis: history in a stream per
 * channel, positions from a per-channel epoch and counter kept in Redis (so
 * they survive restarts and mean the same on every process), and live
 * fan-out through one pub/sub connection per process, with one SUBSCRIBE per
 * channel that has local readers.
 *
 * Pub/sub alone can miss messages (while the connection is down): each
 * channel's relay checks that seqs follow each other and reads any hole
 * from the stream, and after a reconnect re-reads from its last position,
 * so open streams catch up without being cut.
 */
export class RedisBroker implements Broker {
  readonly #prefix: string;
  readonly #historySize: number;
  readonly #maxAgeMs: number;
  readonly #commands: RedisConnection;
  readonly #subscriber: RedisConnection;
  readonly #relays = new Map<string, Relay>();
  readonly #ready: Promise<void>;

  constructor(options: RedisBrokerOptions) {
    this.#prefix = options.keyPrefix ?? 'comet:';
    this.#historySize = Math.max(1, Math.floor(options.historySize ?? 1000));
    this.#maxAgeMs = Math.max(1000, Math.floor(options.historyMaxAgeMs ?? 24 * 60 * 60 * 1000));
    const bounds = {
      url: options.url,
      commandTimeoutMs: options.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs,
      maxPendingCommands: options.maxPendingCommands ?? REDIS_DEFAULTS.maxPendingCommands,
    };
    const clusterUrls = options.cluster === undefined || options.cluster === false ? undefined : [options.url, ...(options.cluster === true ? [] : options.cluster)];
    // A cluster client keeps a pub/sub connection per shard of its own: one serves both roles.
    const commands = clusterUrls ? connectRedisCluster({ ...bounds, urls: clusterUrls, role: 'commands and pub/sub' }) : connectRedis({ ...bounds, role: 'commands' });
    const subscriber = clusterUrls ? commands : connectRedis({ ...bounds, role: 'pub/sub' });
    this.#commands = commands.client;
    this.#subscriber = subscriber.client;
    this.#ready = Promise.all([commands.ready, subscriber.ready]).then(() => undefined);
    onReconnect(this.#subscriber, () => {
      // After an outage (of a cluster, of one of its nodes), other processes may have
      // published: every relay re-reads from where it stopped.
      for (const relay of this.#relays.values()) {
        this.#enqueue(relay, async () => {
          if (!(await this.#catchUp(relay, undefined))) this.#retryCatchUp(relay);
        });
      }
    });
  }

  /** Settles once both connections were made (or given up on); for startup and tests. */
  ready(): Promise<void> {
    return this.#ready;
  }

  async publish(input: PublishInput): Promise<CometEvent> {
    // Checked and serialized once (by the route, or here for server code): the script wraps this text as is.
    const data = input.dataJson ?? dataJson(input.data, 'data');
    const { meta, log, live } = this.#keys(input.channel);
    let json: string;
    try {
      json = await PUBLISH.run<string>(this.#commands, [meta, log], [
        newEpoch(),
        JSON.stringify(input.channel),
        JSON.stringify(input.type),
        data,
        String(this.#historySize),
        String(this.#maxAgeMs),
        live,
        publishCommand(this.#commands),
      ]);
    } catch (error) {
      throw brokerUnavailable(error, 'store the event');
    }
    const event = storedEvent(json);
    if (!event) throw new Error(`cometkit redis broker: the publish script answered an event without a valid id: ${json.slice(0, 120)}`);
    return event;
  }

  async read(channel: string, after: Position | undefined): Promise<HistoryRead> {
    // Subscribed before read: a reader's own subscription must be live before the
    // history it joins to is read, or an event published in between is in neither.
    try {
      await this.#relays.get(channel)?.subscribed;
    } catch (error) {
      throw brokerUnavailable(error, 'subscribe to the channel');
    }
    const { meta, log } = this.#keys(channel);
    let reply: [string, number, number, ...string[]];
    try {
      reply = await READ.run(this.#commands, [meta, log], [newEpoch(), after?.epoch ?? '', String(after?.seq ?? 0)]);
    } catch (error) {
      throw brokerUnavailable(error, 'read the channel history');
    }
    const [epoch, seq, oldest, ...entries] = reply;
    const head: Position = { epoch, seq };
    const events = storedEvents(entries);
    if (!after) return { events: [], head };
    const lastForgotten: Position = { epoch, seq: oldest - 1 };
    const behind = comparePositions(head, after);
    if (Number.isNaN(behind)) return { events, head, gap: { to: lastForgotten, reason: 'epoch-changed' } };
    // A position this channel never reached: the reader would wait for it in silence.
    if (behind < 0) return { events: [], head, gap: { to: head, reason: 'cursor-ahead' } };
    if (comparePositions(after, lastForgotten) < 0) return { events, head, gap: { to: lastForgotten, reason: 'history-exceeded' } };
    return { events, head };
  }

  async recent(channel: string, limit: number): Promise<readonly CometEvent[]> {
    if (limit <= 0) return [];
    let entries: Array<[string, string[]]>;
    try {
      entries = await redisCommand(this.#commands, ['XREVRANGE', this.#keys(channel).log, '+', '-', 'COUNT', String(Math.min(limit, this.#historySize))]);
    } catch (error) {
      throw brokerUnavailable(error, 'read the channel history');
    }
    return storedEvents(entries.reverse().map(([, fields]) => fields[1]!));
  }

  /** The command connection's round trips (the subscriber's commands are rare and wait on subscriptions, not on Redis). */
  observeRoundTrips(observe: (ms: number) => void): void {
    observeRoundTrips(this.#commands, observe);
  }

  /** The inbox, idempotency keys and member states on this broker's Redis, over its command connection (closed with the broker). */
  sharedStores(options: SharedStoreOptions): SharedStores {
    const shared = { connection: this.#commands, keyPrefix: this.#prefix };
    return {
      inbox: new RedisInboxStore({ ...shared, ...(options.inboxMaxItemsPerUser !== undefined ? { maxItemsPerUser: options.inboxMaxItemsPerUser } : {}) }),
      idempotency: new RedisIdempotencyStore({ ...shared, ...(options.idempotencyTtlMs !== undefined ? { ttlMs: options.idempotencyTtlMs } : {}) }),
      presenceStates: new RedisPresenceStateStore(shared),
      push: new RedisPushStore(shared),
    };
  }

  subscribe(channel: string, listener: (event: CometEvent) => void): () => void {
    let relay = this.#relays.get(channel);
    if (!relay) relay = this.#openRelay(channel);
    relay.listeners.add(listener);
    const current = relay;
    return () => {
      current.listeners.delete(listener);
      if (current.listeners.size > 0) return;
      if (this.#relays.get(channel) === current) this.#relays.delete(channel);
      clearTimeout(current.retry);
      // Only a SUBSCRIBE that reached Redis needs undoing, and only once Redis took it: one the
      // gate refused was never sent, and one waiting on a stopped Redis would otherwise queue an
      // UNSUBSCRIBE per refused reader behind it.
      current.sent?.then(
        () =>
          unsubscribeChannel(this.#subscriber, this.#keys(channel).live, current.onMessage).catch(() => {
            // Not connected: Redis dropped the subscription with the connection, and the
            // client forgot it with the listener, so there is nothing left to undo.
          }),
        () => undefined,
      );
    };
  }

  async close(): Promise<void> {
    for (const relay of this.#relays.values()) clearTimeout(relay.retry);
    this.#relays.clear();
    await Promise.all([...new Set([this.#commands, this.#subscriber])].map((client) => closeConnection(client)));
  }

  #openRelay(channel: string): Relay {
    const live = this.#keys(channel).live;
    const onMessage = (message: string): void => {
      let event: PositionedEvent | undefined;
      try {
        event = storedEvent(message);
      } catch {
        return;
      }
      if (event) this.#enqueue(relay, () => this.#receive(relay, event));
    };
    // Gated too: a SUBSCRIBE to a Redis that does not answer would hold every reader of the channel.
    let sent: Promise<unknown> | undefined;
    const subscribed = gated(this.#subscriber, () => (sent = subscribeChannel(this.#subscriber, live, onMessage)))
      .then(() => this.#head(channel))
      .then((head) => {
        relay.last ??= head;
      });
    const relay: Relay = { channel, listeners: new Set(), last: undefined, queue: Promise.resolve(), subscribed, onMessage, sent, retry: undefined };
    // Messages that arrive before the head is known wait behind it in the queue.
    relay.queue = subscribed.catch(() => {
      // Redis is away: this relay is never live. Its readers' reads fail (they retry),
      // and the next reader of the channel opens a new relay.
      if (this.#relays.get(channel) === relay) this.#relays.delete(channel);
    });
    this.#relays.set(channel, relay);
    return relay;
  }

  async #receive(relay: Relay, event: PositionedEvent): Promise<void> {
    const { position } = event;
    // NaN without a last position, or across epochs: a new history starts with this event.
    const ahead = relay.last ? comparePositions(position, relay.last) : NaN;
    if (ahead <= 0) return;
    if (ahead > 1) {
      if (!(await this.#catchUp(relay, position.seq - 1))) {
        // The hole could not be read (the command connection is still reconnecting while
        // pub/sub is back). Delivering this event would skip the hole for good; it is in
        // the log, so the retry reads it with the rest.
        this.#retryCatchUp(relay);
        return;
      }
      if (relay.last && isAtOrBefore(position, relay.last)) return;
    }
    this.#deliver(relay, event);
  }

  /**
   * Reads from the log what the relay has not delivered, up to `through` (or the end).
   * False when Redis could not be read: the relay is then still behind.
   */
  async #catchUp(relay: Relay, through: number | undefined): Promise<boolean> {
    const last = relay.last;
    if (!last || this.#relays.get(relay.channel) !== relay) return true;
    let entries: Array<[string, string[]]>;
    try {
      entries = await redisCommand(this.#commands, ['XRANGE', this.#keys(relay.channel).log, `0-${last.seq + 1}`, through === undefined ? '+' : `0-${through}`]);
    } catch {
      return false;
    }
    for (const [, fields] of entries) {
      const event = storedEvent(fields[1]!);
      if (event && comparePositions(event.position, relay.last!) > 0) this.#deliver(relay, event);
    }
    return true;
  }

  /** Tries the catch-up again shortly, until it succeeds or the relay is gone; one timer per relay at most. */
  #retryCatchUp(relay: Relay): void {
    if (relay.retry) return;
    relay.retry = setTimeout(() => {
      relay.retry = undefined;
      if (this.#relays.get(relay.channel) !== relay) return;
      this.#enqueue(relay, async () => {
        if (!(await this.#catchUp(relay, undefined))) this.#retryCatchUp(relay);
      });
    }, 100 + Math.random() * 200);
    relay.retry.unref?.();
  }

  #deliver(relay: Relay, event: PositionedEvent): void {
    relay.last = event.position;
    for (const listener of relay.listeners) listener(event);
  }

  #enqueue(relay: Relay, step: () => Promise<void>): void {
    relay.queue = relay.queue.then(step).catch((error: unknown) => {
      console.error('cometkit redis broker: delivering an event failed', error);
    });
  }

  async #head(channel: string): Promise<Position> {
    const { meta, log } = this.#keys(channel);
    const [epoch, seq] = await READ.run<[string, number]>(this.#commands, [meta, log], [newEpoch(), '', '0']);
    return { epoch, seq };
  }

  #keys(channel: string): { meta: string; log: string; live: string } {
    const tag = `${this.#prefix}{${channel}}`;
    return { meta: `${tag}:meta`, log: `${tag}:log`, live: `${tag}:live` };
  }
}

/** `createCometServer({ broker: redisBroker({ url }) })` */
export function redisBroker(options: RedisBrokerOptions): RedisBroker {
  return new RedisBroker(options);
}

/**
 * An event as Redis holds it (a publish's answer, the log, pub/sub): where
 * its id enters this process, and is parsed, once (event-position.ts).
 * Undefined for one whose id names no position: nothing could order it.
 */
function storedEvent(json: string): PositionedEvent | undefined {
  return positioned(parseStoredEvent(json));
}

function storedEvents(entries: readonly string[]): PositionedEvent[] {
  const events: PositionedEvent[] = [];
  for (const json of entries) {
    const event = storedEvent(json);
    if (event) events.push(event);
  }
  return events;
}

function newEpoch(): string {
  // Only used when a channel has no epoch yet; the first script to run wins, every process then reads that one.
  return (Date.now().toString(36) + Math.random().toString(36).slice(2, 8)).slice(0, 16);
}
