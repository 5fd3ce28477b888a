import type { CometEvent } from '../../src/protocol/messages.js';
import { comparePositions, type Position } from '../../src/protocol/position.js';
import type { Broker, HistoryRead } from './broker.js';
import { positioned } from './event-position.js';

export type HistoryReader = Pick<Broker, 'read'>;

interface Waiter {
  readonly after: Position | undefined;
  readonly resolve: (read: HistoryRead) => void;
  readonly reject: (error: unknown) => void;
}

/** Readers of one channel and epoch waiting for the next read, and whether one is running. */
interface Batch {
  running: boolean;
  next: Waiter[];
}

/**
 * Resumes of one channel share one history read. After a restart every
 * client of a channel comes back within a second or two, each from about the
 * same position; read one by one, each costs a round trip to the store and
 * a parse of every event it missed, and the reads queue up behind each other
 * (ten thousand of them behind one Redis). Here, the readers of a channel
 * (and epoch) that arrive while a read runs wait for the next one, which
 * reads once from the earliest of their positions; each gets its own part.
 *
 * A reader never joins a read that started before it asked: its stream
 * subscribed before asking, and a read started earlier could end before an
 * event that the subscription did not see either.
 */
export class CoalescedReads implements HistoryReader {
  readonly #broker: HistoryReader;
  readonly #batches = new Map<string, Batch>();
  /** Store reads made, and reads answered: for the metrics and the tests. */
  reads = 0;
  answered = 0;

  constructor(broker: HistoryReader) {
    this.#broker = broker;
  }

  read(channel: string, after: Position | undefined): Promise<HistoryRead> {
    // Readers of another epoch get another answer (a gap from their epoch): another batch.
    const key = `${after?.epoch ?? ''} ${channel}`;
    let batch = this.#batches.get(key);
    if (!batch) {
      batch = { running: false, next: [] };
      this.#batches.set(key, batch);
    }
    const promise = new Promise<HistoryRead>((resolve, reject) => batch.next.push({ after, resolve, reject }));
    if (!batch.running) {
      // The first reader waits for the end of this turn of the event loop: the requests
      // parsed in the same turn (a storm's arrive together) share its read.
      batch.running = true;
      const started = batch;
      setImmediate(() => void this.#run(key, channel, started));
    }
    return promise;
  }

  async #run(key: string, channel: string, batch: Batch): Promise<void> {
    while (batch.next.length > 0) {
      const waiters = batch.next;
      batch.next = [];
      const from = earliest(waiters);
      this.reads += 1;
      try {
        const read = await this.#broker.read(channel, from);
        const split = new Splitter(read, from);
        for (const waiter of waiters) waiter.resolve(split.after(waiter.after));
        this.answered += waiters.length;
      } catch (error) {
        for (const waiter of waiters) waiter.reject(error);
      }
    }
    batch.running = false;
    if (this.#batches.get(key) === batch) this.#batches.delete(key);
  }
}

/** The earliest position asked for (they share one epoch); undefined only when nobody gave one. */
function earliest(waiters: readonly Waiter[]): Position | undefined {
  let from: Position | undefined;
  for (const { after } of waiters) {
    if (after && (!from || after.seq < from.seq)) from = after;
  }
  return from;
}

/** One read from `from`, cut for each reader at or after it in the same epoch. */
class Splitter {
  readonly #read: HistoryRead;
  readonly #from: Position | undefined;
  #seqs: number[] | undefined;

  constructor(read: HistoryRead, from: Position | undefined) {
    this.#read = read;
    this.#from = from;
  }

  after(after: Position | undefined): HistoryRead {
    const read = this.#read;
    if (!after) return { events: [], head: read.head };
    if (after === this.#from || (this.#from && comparePositions(after, this.#from) === 0)) return read;
    // `after` is later than the read's start, in its epoch: what the read says of the
    // start holds for it (another epoch, a position ahead), except where it stands on
    // its own: past the forgotten part, or ahead of the head.
    const behind = comparePositions(read.head, after);
    if (Number.isNaN(behind) || read.gap?.reason === 'epoch-changed') return read;
    if (behind < 0) return { events: [], head: read.head, gap: { to: read.head, reason: 'cursor-ahead' } };
    if (behind === 0) return { events: [], head: read.head };
    if (read.gap && comparePositions(after, read.gap.to) < 0) return read;
    return { events: read.events.slice(this.#firstAfter(after.seq)), head: read.head };
  }

  /** Index of the first event past `seq`: the events are in seq order. */
  #firstAfter(seq: number): number {
    // The brokers' events come with their positions: nothing is parsed here.
    const seqs = (this.#seqs ??= this.#read.events.map((event: CometEvent) => positioned(event)?.position.seq ?? 0));
    let low = 0;
    let high = seqs.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (seqs[middle]! <= seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
