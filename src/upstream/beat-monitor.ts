import type { HeartbeatFrame, HelloFrame } from '../protocol/messages.js';

export type BufferingSign = 'heartbeats-late' | 'heartbeats-bunched' | 'events-late';

/** Beats whose server stamps are this share of an interval apart... */
const BUNCH_STAMP_SHARE = 0.75;
/** ...but that arrive within this share of an interval of each other were held and released together. */
const BUNCH_ARRIVAL_SHARE = 0.25;

/**
 * A starved event loop (a busy page, two cores shared by many processes)
 * also runs queued network tasks late and back to back, once: a timing mark
 * counts only when the stream shows it this often.
 */
const BEAT_MARKS = 2;

/** An event is late when it takes this much longer than the stream's fastest frame (ms), or a quarter interval if more... */
export const EVENT_LATE_MIN_MS = 2000;
/** ...and this many late events are evidence, not jitter. */
const LATE_EVENTS = 3;

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
  readonly #helloTime: number;
  #lateEvents = 0;
  #bunched = 0;
  #lateBeats = 0;
  /** Frames stamped before this (server time) were written while this side was paused: no evidence. */
  #pausedUntil = -Infinity;

  constructor(hello: HelloFrame, arrivedAt: number) {
    this.#interval = hello.heartbeat;
    this.#lastStamp = hello.time;
    this.#lastArrival = arrivedAt;
    this.#fastest = arrivedAt - hello.time;
    this.#helloTime = hello.time;
  }

  /**
   * Live events are stamped too (`time`, when published). A proxy that
   * flushes every few KiB lets a busy stream through in bursts, between
   * heartbeats: each burst holds events that waited seconds. Replayed events
   * (published before the hello) are old by nature and not counted.
   */
  event(time: number, arrivedAt: number): BufferingSign | undefined {
    if (time < this.#helloTime || time < this.#pausedUntil) return undefined;
    const transit = arrivedAt - time;
    if (transit - this.#fastest > Math.max(EVENT_LATE_MIN_MS, this.#interval / 4)) {
      this.#lateEvents += 1;
      return this.#lateEvents >= LATE_EVENTS ? 'events-late' : undefined;
    }
    this.#fastest = Math.min(this.#fastest, transit);
    return undefined;
  }

  /**
   * This side's event loop was paused until `arrivedAt` (see PauseDetector):
   * frames written meanwhile arrive late and together through no fault of the
   * path. Those stamped before the server's "now" (by the fastest transit
   * seen) are not counted; timing is measured again from the next one.
   */
  resumed(arrivedAt: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, arrivedAt - this.#fastest);
  }

  beat(frame: HeartbeatFrame, arrivedAt: number): BufferingSign | undefined {
    const stampGap = frame.time - this.#lastStamp;
    const arrivalGap = arrivedAt - this.#lastArrival;
    const transit = arrivedAt - frame.time;
    this.#lastStamp = frame.time;
    this.#lastArrival = arrivedAt;
    if (frame.time < this.#pausedUntil) return undefined;
    if (stampGap >= this.#interval * BUNCH_STAMP_SHARE && arrivalGap < this.#interval * BUNCH_ARRIVAL_SHARE) {
      this.#bunched += 1;
      return this.#bunched >= BEAT_MARKS ? 'heartbeats-bunched' : undefined;
    }
    if (transit - this.#fastest > this.#interval) {
      this.#lateBeats += 1;
      return this.#lateBeats >= BEAT_MARKS ? 'heartbeats-late' : undefined;
    }
    this.#fastest = Math.min(this.#fastest, transit);
    return undefined;
  }
}
