import { setTimeout as sleep } from 'node:timers/promises';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { eventOf, helloOf } from '../frames.js';
import { openSse } from '../sse-client.js';

export interface Follower {
  /** Every event received, in arrival order, across reconnects. */
  readonly events: CometEvent[];
  /** Gap frames received (none expected on a healthy deployment). */
  readonly gaps: string[];
  /** Streams that said hello (a stream that never did is not counted). */
  readonly connections: number;
  readonly heartbeats: number;
  /** Origins that served each stream, in order. */
  readonly servedBy: string[];
  stop(): Promise<void>;
}

/**
 * Reads channels over SSE the way a client does, from Node: on any end or
 * refusal it reconnects with its cursor, trying the origins in turn (as a
 * load balancer would pick the next process).
 */
export function follow(origins: readonly string[], channels: readonly string[]): Follower {
  const events: CometEvent[] = [];
  const gaps: string[] = [];
  const servedBy: string[] = [];
  let connections = 0;
  let heartbeats = 0;
  let cursor = '';
  let stopped = false;
  let close = (): void => {};
  let turn = 0;

  const loop = (async () => {
    while (!stopped) {
      const origin = origins[turn % origins.length]!;
      const query = new URLSearchParams();
      for (const channel of channels) query.append('ch', channel);
      if (cursor) query.set('cursor', cursor);
      let stream;
      try {
        stream = await openWithin(`${origin}/comet/sse?${query}`, 5000);
      } catch {
        turn += 1;
        await sleep(50);
        continue;
      }
      close = () => stream.close();
      if (stopped) {
        // stop() came while this stream was opening: it closed the previous one, not this.
        stream.close();
        break;
      }
      if (stream.status !== 200) {
        stream.close();
        turn += 1;
        await sleep(50);
        continue;
      }
      try {
        cursor = helloOf(await stream.next(5000)).cursor;
        // Counted at the hello, not the headers: only then has the server subscribed, so an
        // event published after a test sees the count cannot fall before the reader's start.
        connections += 1;
        servedBy.push(origin);
        for (;;) {
          const frame = await stream.next(10_000);
          if (frame.event === 'heartbeat') heartbeats += 1;
          else if (frame.event === 'gap') gaps.push(frame.data);
          else {
            events.push(eventOf(frame));
            cursor = frame.id!;
          }
        }
      } catch {
        // Ended, or silent for 10 s (not even a beat): either way, reconnect to the next origin.
        stream.close();
        turn += 1;
      }
    }
  })();

  return {
    events,
    gaps,
    servedBy,
    get connections() {
      return connections;
    },
    get heartbeats() {
      return heartbeats;
    },
    async stop() {
      stopped = true;
      close();
      await loop;
    },
  };
}

/**
 * openSse, given up after `ms` without response headers. node:cluster's primary can
 * hold a connection it accepted for a worker that died meanwhile, never answered:
 * a real client's hello deadline covers that; here this does.
 */
async function openWithin(url: string, ms: number): ReturnType<typeof openSse> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const opening = openSse(url);
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      opening.then((late) => late.close(), () => undefined);
      reject(new Error(`no answer from ${url} within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([opening, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * How `events` compares with the acknowledged `expected`: acknowledged events
 * missing, received twice, or out of order, and `extra` events that were never
 * acknowledged (a publish cut off after Redis stored it, then retried: the
 * retry is stored again at a new position, and readers rightly get both).
 */
export function sameIds(events: readonly CometEvent[], expected: readonly CometEvent[]): { lost: number; doubled: number; ordered: boolean; extra: number } {
  const owed = new Set(expected.map((event) => event.id));
  const ids = events.map((event) => event.id).filter((id) => owed.has(id));
  const seen = new Set(ids);
  const lost = expected.filter((event) => !seen.has(event.id)).length;
  const doubled = ids.length - seen.size;
  const ordered = ids.join(',') === expected.map((event) => event.id).filter((id) => seen.has(id)).join(',');
  return { lost, doubled, ordered, extra: events.length - ids.length };
}
