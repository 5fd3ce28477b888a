import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { eventOf } from '../frames.js';
import { SseParser } from '../sse-client.js';

export interface BareEventSource {
  /** Every event received, in arrival order, across reconnects (no dedupe: what a page would see). */
  readonly events: CometEvent[];
  /** Streams that said hello. */
  readonly hellos: number;
  /** Reconnect frames received: the server said it was draining. */
  readonly reconnects: number;
  /** Answers other than a 200 event stream (a bare EventSource would give up on these), and cut connections. */
  readonly failures: number;
  stop(): void;
}

/**
 * Reads a stream as a browser's own EventSource does, from Node: it knows
 * no cometkit frame but the events, and when the response ends it waits
 * the last `retry:` the server sent and reconnects to the same URL with
 * `Last-Event-ID` — so a server's drain reaches it through `retry:` alone.
 * Self-signed certificates (the tests' nginx) are accepted.
 */
export function bareEventSource(url: string): BareEventSource {
  const events: CometEvent[] = [];
  let hellos = 0;
  let reconnects = 0;
  let failures = 0;
  let lastEventId = '';
  // [spec] The reconnection time starts at a user-agent-defined value: a few seconds.
  let retryMs = 3000;
  let stopped = false;
  let current: ClientRequest | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;

  const again = (): void => {
    current = undefined;
    if (stopped) return;
    timer = setTimeout(open, retryMs);
  };

  const open = (): void => {
    if (stopped) return;
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (lastEventId) headers['Last-Event-ID'] = lastEventId;
    let done = false;
    const end = (failed: boolean): void => {
      if (done) return;
      done = true;
      if (failed) failures += 1;
      again();
    };
    const req = request(url, { agent: false, headers, rejectUnauthorized: false }, (res) => {
      if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/event-stream')) {
        res.resume();
        end(true);
        return;
      }
      const parser = new SseParser();
      parser.lastEventId = lastEventId;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        // A block of only `retry:` (an admission refusal) dispatches no frame: read the field from the text.
        for (const match of chunk.matchAll(/(?:^|\n)retry: (\d+)\n/g)) retryMs = Number(match[1]);
        for (const frame of parser.push(chunk)) {
          if (frame.retry !== undefined) retryMs = frame.retry;
          if (frame.event === 'hello') hellos += 1;
          else if (frame.event === 'reconnect') reconnects += 1;
          else if (frame.event === 'message') events.push(eventOf(frame));
        }
        lastEventId = parser.lastEventId;
      });
      res.on('end', () => end(false));
      res.on('close', () => end(false));
      res.on('error', () => end(true));
    });
    req.on('error', () => end(true));
    req.end();
    current = req;
  };

  open();
  return {
    events,
    get hellos() {
      return hellos;
    },
    get reconnects() {
      return reconnects;
    },
    get failures() {
      return failures;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      current?.destroy();
    },
  };
}
