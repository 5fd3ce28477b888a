import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpStatusError } from '../http/http-error.js';

export interface ActionWebhookOptions {
  /** Where actions are posted: http(s) only, from the server's configuration, never from a request. */
  readonly url: string;
  /** Signs each delivery (HMAC-SHA256); the receiver checks it with the same secret. At least 16 characters. */
  readonly secret: string;
  /** Tries per delivery, the first included. Default 5. */
  readonly attempts?: number;
  /** Longest wait for one answer (ms). Default 10000. */
  readonly timeoutMs?: number;
  /** The first retry's ceiling (ms); each next one doubles it (full jitter). Default 250. */
  readonly retryMs?: number;
  /** Deliveries under way at once; past it a new one is refused with `503 webhook-busy`. Default 1000. */
  readonly maxQueue?: number;
}

/** A delivery the receiver refused (4xx), or that failed every try. */
export class WebhookFailedError extends Error {
  override readonly name = 'WebhookFailedError';
}

/** Most bytes of a receiver's answer read: only a short `{"label"}` is wanted. */
const ANSWER_MAX = 4096;

/** `t=<unix s>,v1=<hex HMAC-SHA256 of "t.body">`, as receivers check it (PROTOCOL.md, Actions). */
export function webhookSignature(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * For a Node receiver: does `header` (`Comet-Signature`) sign `body` (the
 * raw text, before any parsing) with `secret`, at a time within
 * `toleranceS` of `now`? Compared in constant time.
 */
export function verifyWebhookSignature(secret: string, header: unknown, body: string, now = Date.now(), toleranceS = 300): boolean {
  const match = typeof header === 'string' ? /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(header) : null;
  if (!match || Math.abs(now / 1000 - Number(match[1])) > toleranceS) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

/**
 * Posts inbox actions to the application's endpoint, signed and retried
 * with backoff on 5xx, timeouts and refused connections. Bounded: at most
 * `maxQueue` deliveries under way, each at most `attempts` tries.
 */
export class ActionWebhook {
  readonly #url: string;
  readonly #secret: string;
  readonly #attempts: number;
  readonly #timeoutMs: number;
  readonly #retryMs: number;
  readonly #maxQueue: number;
  readonly #closing = new AbortController();
  #underway = 0;

  constructor(options: ActionWebhookOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new TypeError('cometkit server: the inbox webhook url must be an absolute http(s) URL.');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError('cometkit server: the inbox webhook url must be http: or https:.');
    // fetch refuses a URL with credentials on every try; the secret is what proves the sender.
    if (url.username || url.password) throw new TypeError('cometkit server: the inbox webhook url must not hold a user or password; the signature authenticates deliveries.');
    if (typeof options.secret !== 'string' || options.secret.length < 16) throw new TypeError('cometkit server: the inbox webhook secret must be at least 16 characters.');
    this.#url = url.href;
    this.#secret = options.secret;
    this.#attempts = options.attempts ?? 5;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#retryMs = options.retryMs ?? 250;
    this.#maxQueue = options.maxQueue ?? 1000;
    if (!(this.#attempts >= 1) || !(this.#timeoutMs >= 1) || !(this.#retryMs >= 0) || !(this.#maxQueue >= 1)) {
      throw new TypeError('cometkit server: inbox webhook attempts, timeoutMs and maxQueue must be at least 1, retryMs not negative.');
    }
  }

  /** The longest a delivery can take, tries and waits included. */
  get longestMs(): number {
    return this.#attempts * this.#timeoutMs + this.#retryMs * 2 ** this.#attempts;
  }

  /** Delivers `payload`; resolves to the receiver's JSON answer (undefined when it sent none). */
  async deliver(payload: object, deliveryId: string): Promise<unknown> {
    if (this.#underway >= this.#maxQueue) throw new HttpStatusError(503, 'webhook-busy', `${this.#maxQueue} webhook deliveries are under way; try again shortly.`, { 'Retry-After': '5' });
    this.#underway += 1;
    try {
      const body = JSON.stringify(payload);
      for (let attempt = 1; ; attempt += 1) {
        const outcome = await this.#try(body, deliveryId);
        if (outcome.done) return outcome.answer;
        if (outcome.final || attempt >= this.#attempts || this.#closing.signal.aborted) throw new WebhookFailedError(outcome.reason);
        await this.#wait(Math.random() * this.#retryMs * 2 ** (attempt - 1));
      }
    } finally {
      this.#underway -= 1;
    }
  }

  /** Stops retries and waits under way. */
  close(): void {
    this.#closing.abort();
  }

  async #try(body: string, deliveryId: string): Promise<{ done: true; answer: unknown } | { done: false; final: boolean; reason: string }> {
    const signal = AbortSignal.any([this.#closing.signal, AbortSignal.timeout(this.#timeoutMs)]);
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        // A redirect could lead a signed delivery anywhere, a private address included.
        redirect: 'manual',
        signal,
        headers: {
          'Content-Type': 'application/json',
          // Signed per try: a retry minutes later still passes the receiver's clock check.
          'Comet-Signature': webhookSignature(this.#secret, Math.floor(Date.now() / 1000), body),
          'Comet-Delivery': deliveryId,
        },
        body,
      });
    } catch (error) {
      return { done: false, final: false, reason: `The inbox webhook could not be reached (${error instanceof Error ? error.message : String(error)}).` };
    }
    const text = await readCapped(response).catch(() => '');
    if (response.status >= 200 && response.status < 300) {
      try {
        return { done: true, answer: text.trim() === '' ? undefined : (JSON.parse(text) as unknown) };
      } catch {
        return { done: true, answer: undefined };
      }
    }
    return { done: false, final: response.status < 500, reason: `The inbox webhook answered ${response.status}.` };
  }

  #wait(ms: number): Promise<void> {
    const signal = this.#closing.signal;
    return new Promise((resolve) => {
      const stop = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', stop);
        resolve();
      }, ms);
      signal.addEventListener('abort', stop, { once: true });
    });
  }
}

/** The answer's text, or '' when it is longer than `max` bytes (the rest is not read). */
export async function readCapped(response: Response, max = ANSWER_MAX): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return '';
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
