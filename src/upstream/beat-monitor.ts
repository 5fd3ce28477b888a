import type { HeartbeatFrame, HelloFrame } from '../protocol/messages.js';

export type BufferingSign = 'heartbeats-late' | 'heartbeats-bunched';

/** Beats whose server stamps are this share of an interval apart... */
const BUNCH_STAMP_SHARE = 0.75;
/** ...but that arrive within this share of an interval of each other were held and released together. */
const BUNCH_ARRIVAL_SHARE = 0.25;

/**
 * Reads a stream's heartbeats for the marks of a buffering proxy. The
 * server stamps every beat (and the hello) with its clock; the client notes
 * when each arrives. Clocks differ, so only differences are compared:
 *
 * - bunched: two beats written most of an interval apart arrive almost
 *   together — something held the first until the second came;
 * - late: a beat takes more than an interval longer to arrive than the
 *   fastest frame of this stream did.
 *
 * A healthy stream shows neither, whatever the clock offset or latency.
 */
export class BeatMonitor {
  readonly #interval: number;
  #lastStamp: number;
  #lastArrival: number;
  /** Smallest (arrival − stamp) seen: clock offset plus the stream's best latency. */
  #fastest: number;

  constructor(hello: HelloFrame, arrivedAt: number) {
    this.#interval = hello.heartbeat;
    this.#lastStamp = hello.time;
    this.#lastArrival = arrivedAt;
    this.#fastest = arrivedAt - hello.time;
  }

  beat(frame: HeartbeatFrame, arrivedAt: number): BufferingSign | undefined {
    const stampGap = frame.time - this.#lastStamp;
    const arrivalGap = arrivedAt - this.#lastArrival;
    const transit = arrivedAt - frame.time;
    this.#lastStamp = frame.time;
    this.#lastArrival = arrivedAt;
    if (stampGap >= this.#interval * BUNCH_STAMP_SHARE && arrivalGap < this.#interval * BUNCH_ARRIVAL_SHARE) {
      return 'heartbeats-bunched';
    }
    if (transit - this.#fastest > this.#interval) return 'heartbeats-late';
    this.#fastest = Math.min(this.#fastest, transit);
    return undefined;
  }
}
