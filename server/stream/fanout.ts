import { formatCursor, type Cursor } from '../../src/protocol/cursor.js';
import { isSamePosition } from '../../src/protocol/position.js';
import type { CometEvent, Gap, PositionedEvent } from '../../src/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { Broker } from '../broker/broker.js';
import type { HistoryReader } from '../broker/coalesced-reads.js';
import { positioned } from '../broker/event-position.js';
import { readReplay, step } from './feed.js';
import type { MetricsSink } from '../metrics/comet-metrics.js';
import type { StreamFormat } from './stream-format.js';

/** Where a held stream's bytes go. */
export interface StreamWriter {
  readonly closed: boolean;
  write(chunk: string | Buffer): void;
  close(): void;
}

/** One held stream, as the fan-out knows it; what `join()` hands back and `leave()` takes. */
export interface Membership {
  readonly group: Group;
  readonly format: StreamFormat;
  readonly writer: StreamWriter;
  /** Bytes written, for formats that end their document after a bound. */
  written: number;
  /** Live events that arrived while the replay was being read; undefined once live. */
  buffered: PositionedEvent[] | undefined;
  /** The stream's own positions while it is not in step with its group. */
  cursor: Cursor;
  /** When its next heartbeat is due (ms since the epoch). */
  beatDue: number;
}

/**
 * Streams of the same channels (in the same order). Once a stream has
 * replayed its history and stands at the same positions as the group, its
 * cursor after every event is the group's: the frame of each event is then
 * formatted once per transport for the whole group, and the very same
 * bytes are written to every stream in it.
 */
interface Group {
  readonly key: string;
  readonly channels: readonly string[];
  /** The positions of every stream in `inStep`; meaningless while it is empty. */
  cursor: Cursor;
  readonly inStep: Set<Membership>;
  /** Streams still replaying, or ahead of or behind the group (they format their own frames). */
  readonly apart: Set<Membership>;
  /** Frames for `inStep` since the last flush: events with the group's cursor after each, and gaps. */
  outbox: Array<{ readonly event: CometEvent; readonly cursor: string } | { readonly gap: Gap }>;
}

/** One event burst's frames in one format: each frame (for bounded documents) and all of them in one Buffer. */
interface SharedFrames {
  readonly each: readonly Buffer[];
  readonly all: Buffer;
}

export interface JoinOptions {
  /** Bytes the response holds already (a preamble), counted toward a bounded document. */
  readonly written?: number;
}

/** Heartbeats are checked this many times per interval: each stream beats between 1 and 1.25 intervals apart. */
const BEAT_CHECKS_PER_INTERVAL = 4;

/**
 * Fan-out of live events to held streams, at the cost of the bare write:
 *
 * - one broker subscription per channel, not per stream;
 * - each event serialized once (eventJson), its frame formatted once per
 *   group of streams reading the same channels and per transport, encoded
 *   to bytes once, and that Buffer written to every stream of the group;
 * - delivery deferred to the end of the event loop's turn, so the publisher
 *   is answered before the fan-out, and every event published in one turn
 *   leaves in one write per stream;
 * - one heartbeat timer for every stream, not one each: a stream holds only
 *   the time its next beat is due, and a tick writes one shared frame to
 *   every stream whose beat is due.
 *
 * The SSE `id` keeps the stream's whole cursor, so a native EventSource
 * resuming with Last-Event-ID is exact: streams reading the same channels
 * stand at the same positions once live, which is what lets them share it.
 */
export class Fanout {
  readonly #broker: Broker;
  readonly #reads: HistoryReader;
  readonly #heartbeatMs: number;
  readonly #metrics: MetricsSink | undefined;
  #ticker: ReturnType<typeof setInterval> | undefined;
  readonly #groups = new Map<string, Group>();
  readonly #channels = new Map<string, { readonly unsubscribe: () => void; readonly groups: Set<Group> }>();
  #queue: PositionedEvent[] = [];
  #flushScheduled = false;

  constructor(broker: Broker, options: { heartbeatMs: number; reads?: HistoryReader; metrics?: MetricsSink | undefined }) {
    this.#broker = broker;
    this.#reads = options.reads ?? broker;
    this.#heartbeatMs = options.heartbeatMs;
    this.#metrics = options.metrics;
  }

  /**
   * Writes the hello, gaps and replay from `from` (`started` resolves then,
   * or rejects when the broker cannot read), then keeps the stream live
   * until `leave()`.
   */
  join(channels: readonly string[], from: Cursor, format: StreamFormat, writer: StreamWriter, options: JoinOptions): { membership: Membership; started: Promise<void> } {
    const group = this.#group(channels);
    // Subscribed (through the group) before history is read, and buffered until the replay is
    // written: reading first and subscribing after would lose whatever was published in between.
    const member: Membership = { group, format, writer, written: options.written ?? 0, buffered: [], cursor: new Map(), beatDue: Number.POSITIVE_INFINITY };
    group.apart.add(member);
    this.#ticker ??= setInterval(this.#beat, Math.max(1, this.#heartbeatMs / BEAT_CHECKS_PER_INTERVAL));
    if (from.size > 0) this.#metrics?.resumed();
    return { membership: member, started: this.#start(member, from) };
  }

  async #start(member: Membership, from: Cursor): Promise<void> {
    const { format, writer } = member;
    let replay;
    try {
      replay = await readReplay(this.#reads, member.group.channels, from);
    } catch (error) {
      this.leave(member);
      throw error;
    }
    if (writer.closed) return;
    member.cursor = replay.cursor;
    const time = Date.now();
    const hello = { v: PROTOCOL_VERSION, time, heartbeat: this.#heartbeatMs, cursor: formatCursor(member.cursor), transport: format.transport };
    member.beatDue = time + this.#heartbeatMs;
    this.#write(member, format.hello(hello));
    for (const gap of replay.gaps) this.#write(member, format.gap(gap));
    this.#metrics?.gaps(replay.gaps.length);
    for (const event of replay.events) this.#writeOwn(member, event);
    const buffered = member.buffered ?? [];
    member.buffered = undefined;
    for (const event of buffered) this.#writeOwn(member, event);
    this.#rolledOver(member);
    this.#joinStep(member);
  }

  /** Streams held, and groups of streams sharing frames: for tests and the benchmark. */
  stats(): { streams: number; groups: number; inStep: number } {
    let streams = 0;
    let inStep = 0;
    for (const group of this.#groups.values()) {
      streams += group.inStep.size + group.apart.size;
      inStep += group.inStep.size;
    }
    return { streams, groups: this.#groups.size, inStep };
  }

  #group(channels: readonly string[]): Group {
    const key = channels.join(',');
    let group = this.#groups.get(key);
    if (group) return group;
    group = { key, channels, cursor: new Map(), inStep: new Set(), apart: new Set(), outbox: [] };
    this.#groups.set(key, group);
    for (const channel of channels) {
      let entry = this.#channels.get(channel);
      if (!entry) {
        const unsubscribe = this.#broker.subscribe(channel, this.#receive);
        entry = { unsubscribe, groups: new Set() };
        this.#channels.set(channel, entry);
      }
      entry.groups.add(group);
    }
    return group;
  }

  /** Stops feeding a stream; leaving twice changes nothing. */
  leave(member: Membership): void {
    const { group } = member;
    if (!group.inStep.delete(member) && !group.apart.delete(member)) return;
    if (group.inStep.size + group.apart.size > 0) return;
    this.#groups.delete(group.key);
    if (this.#groups.size === 0) {
      clearInterval(this.#ticker);
      this.#ticker = undefined;
    }
    for (const channel of group.channels) {
      const entry = this.#channels.get(channel);
      if (!entry) continue;
      entry.groups.delete(group);
      if (entry.groups.size === 0) {
        this.#channels.delete(channel);
        entry.unsubscribe();
      }
    }
  }

  readonly #beat = (): void => {
    const now = Date.now();
    const frames = new Map<StreamFormat['transport'], Buffer>();
    for (const group of this.#groups.values()) {
      for (const members of [group.inStep, group.apart]) {
        for (const member of members) {
          if (member.beatDue > now) continue;
          let frame = frames.get(member.format.transport);
          if (!frame) {
            frame = Buffer.from(member.format.heartbeat(now));
            frames.set(member.format.transport, frame);
          }
          member.beatDue = now + this.#heartbeatMs;
          member.writer.write(frame);
        }
      }
    }
  };

  readonly #receive = (event: CometEvent): void => {
    // One subscription per channel and process: the one place the fan-out takes an event's position.
    const withPosition = positioned(event);
    if (!withPosition) return;
    this.#queue.push(withPosition);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // After the turn that published: the publisher's answer leaves first, and a burst leaves together.
    setImmediate(this.#flush);
  };

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    const events = this.#queue;
    this.#queue = [];
    const touched = new Set<Group>();
    for (const event of events) {
      const groups = this.#channels.get(event.channel)?.groups;
      if (!groups) continue;
      for (const group of groups) {
        touched.add(group);
        const moved = group.inStep.size > 0 ? step(group.cursor, event) : undefined;
        if (moved) {
          if (moved.gap) group.outbox.push({ gap: moved.gap });
          group.outbox.push({ event, cursor: formatCursor(group.cursor) });
        }
        for (const member of group.apart) {
          if (member.buffered) member.buffered.push(event);
          else this.#writeOwn(member, event);
        }
      }
    }
    for (const group of touched) this.#send(group);
    // Once per event and process, after its writes: what a subscriber waits beyond the publish.
    if (this.#metrics && touched.size > 0) {
      for (const event of events) if (this.#channels.has(event.channel)) this.#metrics.fannedOut(event.time);
    }
  };

  /** Writes the group's outbox to every stream in step, one shared Buffer per transport; then lets streams that caught up join. */
  #send(group: Group): void {
    const outbox = group.outbox;
    group.outbox = [];
    if (outbox.length > 0) {
      if (this.#metrics) this.#metrics.gaps(outbox.filter((entry) => 'gap' in entry).length * group.inStep.size);
      const frames = new Map<StreamFormat['transport'], SharedFrames>();
      // Streams of one transport mostly follow each other: the last format's frames are kept at hand.
      let format: StreamFormat | undefined;
      let shared: SharedFrames | undefined;
      for (const member of group.inStep) {
        if (member.format !== format) {
          format = member.format;
          shared = frames.get(format.transport);
          if (!shared) {
            const each = outbox.map((entry) => Buffer.from('gap' in entry ? member.format.gap(entry.gap) : member.format.event(entry.event, entry.cursor)));
            shared = { each, all: each.length === 1 ? each[0]! : Buffer.concat(each) };
            frames.set(format.transport, shared);
          }
        }
        if (format.rollOver) {
          // A bounded document ends at the first frame past its bound, not after the whole burst.
          for (const frame of shared!.each) {
            this.#write(member, frame);
            if (this.#rolledOver(member)) break;
          }
        } else {
          // Unbounded: nothing to count, and a closed writer ignores the write.
          member.writer.write(shared!.all);
        }
      }
    }
    for (const member of group.apart) {
      if (!member.buffered) this.#joinStep(member);
    }
  }

  /** A stream that stands where its group stands shares its frames from now on. */
  #joinStep(member: Membership): void {
    const { group } = member;
    if (member.writer.closed || !group.apart.has(member)) return;
    if (group.inStep.size === 0) {
      group.cursor = new Map(member.cursor);
    } else if (!sameCursor(group.cursor, member.cursor, group.channels)) {
      return;
    }
    group.apart.delete(member);
    group.inStep.add(member);
    member.cursor = group.cursor;
  }

  #writeOwn(member: Membership, event: PositionedEvent): void {
    const moved = step(member.cursor, event);
    if (!moved) return;
    if (moved.gap) {
      this.#write(member, member.format.gap(moved.gap));
      this.#metrics?.gaps(1);
    }
    this.#write(member, member.format.event(event, formatCursor(member.cursor)));
    this.#rolledOver(member);
  }

  #write(member: Membership, chunk: string | Buffer): void {
    if (member.writer.closed) return;
    if (member.format.rollOver) member.written += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
    member.writer.write(chunk);
  }

  /** Ends a bounded document once full; the client opens the next one from the last cursor. */
  #rolledOver(member: Membership): boolean {
    const bound = member.format.rollOver;
    if (!bound || member.writer.closed || member.written < bound.afterBytes) return false;
    member.writer.write(bound.ending);
    member.writer.close();
    return true;
  }
}

function sameCursor(a: Cursor, b: Cursor, channels: readonly string[]): boolean {
  for (const channel of channels) {
    if (!isSamePosition(a.get(channel), b.get(channel))) return false;
  }
  return true;
}
