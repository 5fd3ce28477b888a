/**
 * A minimal SSE reader for Node tests, over node:http rather than fetch so a
 * test controls every header (Origin, Last-Event-ID) and can see exactly when
 * the server ends a response. It parses the stream the way the HTML spec's
 * EventSource does (fields, comments, CR/LF variants, last-event-id) but never
 * reconnects by itself: the tests decide when and how to resume.
 */
import { request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface SseFrame {
  /** The `event:` field, `message` when absent. */
  readonly event: string;
  readonly data: string;
  /** The `id:` field of this frame, when it had one. */
  readonly id: string | undefined;
  /** The stream's last event id after this frame, as an EventSource would send it back. */
  readonly lastEventId: string;
  readonly retry: number | undefined;
}

export class SseParser {
  /** The unfinished last line, in pieces: joining only at its end keeps a long line linear to parse. */
  #partial: string[] = [];
  #pendingCr = false;
  #event = '';
  #data: string[] = [];
  #hasData = false;
  #id: string | undefined;
  #retry: number | undefined;
  lastEventId = '';

  /** Feeds decoded text; returns the frames it completed. */
  push(text: string): SseFrame[] {
    const frames: SseFrame[] = [];
    let input = text;
    // A CRLF split across two chunks must not count as two line ends.
    if (this.#pendingCr && input.startsWith('\n')) input = input.slice(1);
    this.#pendingCr = false;
    const eol = /\r\n|\r|\n/g;
    let start = 0;
    for (let match = eol.exec(input); match; match = eol.exec(input)) {
      this.#partial.push(input.slice(start, match.index));
      const line = this.#partial.join('');
      this.#partial = [];
      this.#line(line, frames);
      start = match.index + match[0].length;
      if (match[0] === '\r' && start === input.length) this.#pendingCr = true;
    }
    if (start < input.length) this.#partial.push(input.slice(start));
    return frames;
  }

  #line(line: string, frames: SseFrame[]): void {
    if (line === '') {
      this.#dispatch(frames);
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        this.#hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) {
          this.#id = value;
          this.lastEventId = value;
        }
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#retry = Number(value);
        break;
      default:
        break;
    }
  }

  #dispatch(frames: SseFrame[]): void {
    // Per the spec a block without data dispatches nothing, though its id still sticks.
    if (this.#hasData) {
      frames.push({
        event: this.#event || 'message',
        data: this.#data.join('\n'),
        id: this.#id,
        lastEventId: this.lastEventId,
        retry: this.#retry,
      });
    }
    this.#event = '';
    this.#data = [];
    this.#hasData = false;
    this.#id = undefined;
    this.#retry = undefined;
  }
}

export class StreamEndedError extends Error {
  override readonly name = 'StreamEndedError';
}

export interface SseStream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** What an EventSource would send back as Last-Event-ID. */
  readonly lastEventId: string;
  /** True once the server ended the response (or the socket closed). */
  readonly ended: boolean;
  /** Settles when the response is over, whoever ended it. */
  readonly done: Promise<void>;
  /** The next frame; rejects with StreamEndedError when the stream ends first, or on timeout. */
  next(timeoutMs?: number): Promise<SseFrame>;
  /** The next frame with the given `event` name, skipping others (heartbeats, say). */
  nextOf(event: string, timeoutMs?: number): Promise<SseFrame>;
  /** Frames already parsed and not yet taken. */
  readonly pending: number;
  /** The body of a non-stream answer (an error), read to the end. */
  text(): Promise<string>;
  close(): void;
}

export interface OpenOptions {
  readonly headers?: Record<string, string>;
  /** Leaves the body unread (for slow-reader tests); `resume()` on the returned response starts it. */
  readonly paused?: boolean;
}

const DEFAULT_TIMEOUT = 2000;

/** Opens `url` and resolves once the response headers arrived. */
export function openSse(url: string, options: OpenOptions = {}): Promise<SseStream & { readonly response: IncomingMessage }> {
  return new Promise((resolve, reject) => {
    // agent: false — a pooled keep-alive socket would outlive the test server and hold its close().
    const req = request(url, { agent: false, headers: { Accept: 'text/event-stream', ...options.headers } });
    req.on('error', reject);
    req.on('response', (res) => {
      const parser = new SseParser();
      const frames: SseFrame[] = [];
      const waiters: Array<{ take: () => boolean; fail: (error: Error) => void }> = [];
      const chunks: string[] = [];
      let ended = false;
      let endResolve!: () => void;
      const done = new Promise<void>((r) => (endResolve = r));

      const wake = (): void => {
        while (waiters.length > 0 && waiters[0]!.take()) waiters.shift();
      };
      const finish = (): void => {
        if (ended) return;
        ended = true;
        endResolve();
        for (const waiter of waiters.splice(0)) waiter.fail(new StreamEndedError(`stream ${url} ended`));
      };

      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        chunks.push(chunk);
        frames.push(...parser.push(chunk));
        wake();
      });
      res.on('end', finish);
      res.on('close', finish);
      res.on('error', finish);
      if (options.paused) res.pause();

      const next = (timeoutMs = DEFAULT_TIMEOUT, accept: (frame: SseFrame) => boolean = () => true): Promise<SseFrame> =>
        new Promise<SseFrame>((resolveFrame, rejectFrame) => {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const waiter = {
            take: (): boolean => {
              while (frames.length > 0) {
                const frame = frames.shift()!;
                if (accept(frame)) {
                  clearTimeout(timer);
                  resolveFrame(frame);
                  return true;
                }
              }
              return false;
            },
            fail: (error: Error): void => {
              clearTimeout(timer);
              rejectFrame(error);
            },
          };
          if (waiters.length === 0 && waiter.take()) return;
          if (ended) return waiter.fail(new StreamEndedError(`stream ${url} ended`));
          timer = setTimeout(() => {
            const index = waiters.indexOf(waiter);
            if (index !== -1) waiters.splice(index, 1);
            rejectFrame(new Error(`no frame from ${url} within ${timeoutMs} ms`));
          }, timeoutMs);
          waiters.push(waiter);
        });

      resolve({
        response: res,
        status: res.statusCode ?? 0,
        headers: res.headers,
        get lastEventId() {
          return parser.lastEventId;
        },
        get ended() {
          return ended;
        },
        get pending() {
          return frames.length;
        },
        done,
        next: (timeoutMs) => next(timeoutMs),
        nextOf: (event, timeoutMs) => next(timeoutMs, (frame) => frame.event === event),
        text: async () => {
          await done;
          return chunks.join('');
        },
        close: () => {
          req.destroy();
          res.destroy();
        },
      });
    });
    req.end();
  });
}
