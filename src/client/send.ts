import { CometError } from '../errors/comet-error.js';
import { HttpStatusError, isHttpStatusError } from '../errors/http-status-error.js';
import { isValidChannel } from '../protocol/channel.js';
import { hidePosition, type CometEvent } from '../protocol/messages.js';
import { checkEvent } from '../protocol/check-event.js';
import { Backoff } from '../upstream/backoff.js';
import { requestJson, type ServerAccess } from '../http/server-request.js';

export interface SendOptions {
  /** The event's type. Default `"message"`. */
  readonly type?: string;
  /**
   * Idempotency key: retries of this send carry it so the server stores
   * the event once. Default: a new random key per `send()` call.
   */
  readonly key?: string;
  /** Attempts in all when the answer is lost (network error, 5xx). Default 3. */
  readonly attempts?: number;
  readonly signal?: AbortSignal;
}

const TYPE_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;

function randomKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Only a lost answer is worth repeating: a 4xx says the send itself is wrong, and a 429 asks the caller to wait. */
function answerLost(error: unknown): boolean {
  if (isHttpStatusError(error)) return error.status >= 500;
  return (error as { name?: unknown } | null)?.name === 'NetworkError';
}

/**
 * `POST {base}/send` straight from the page, with the page's own token:
 * resolves to the stored event once the server has it (its `id` is its
 * position). A lost answer is retried under the same idempotency key, so
 * the server stores the event once however many attempts reach it.
 */
export async function sendEvent<Data>(access: ServerAccess, channel: string, data: Data, options: SendOptions = {}): Promise<CometEvent<Data>> {
  if (!isValidChannel(channel)) {
    throw new CometError('invalid-channel', `"${String(channel).slice(0, 80)}" is not a valid channel: use 1-128 of A-Z a-z 0-9 _ . : @ / -.`);
  }
  const type = options.type ?? 'message';
  if (!TYPE_PATTERN.test(type)) throw new CometError('invalid-type', 'send() needs a type of 1-64 of A-Z a-z 0-9 _ . : -.');
  try {
    if (JSON.stringify(data) === undefined) throw new TypeError('undefined');
  } catch (cause) {
    throw new CometError('invalid-data', 'send() needs JSON data (use null for none); this value cannot be serialized.', { cause });
  }
  const key = options.key ?? randomKey();
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoff = new Backoff({ baseDelayMs: 250, maxDelayMs: 4000 });
  for (let attempt = 1; ; attempt += 1) {
    try {
      const { body } = await requestJson<unknown>(access, {
        method: 'POST',
        path: 'send',
        body: { channel, type, data },
        headers: { 'Idempotency-Key': key },
        purpose: `sending to "${channel}"`,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const event = checkEvent(body);
      if (typeof event === 'string') throw new HttpStatusError(502, 'bad-response', `The send answer is not an event: ${event}.`);
      // The page's copy keeps the position it was parsed into out of sight, like every event it hands on.
      return hidePosition(event) as CometEvent<Data>;
    } catch (error) {
      if (attempt >= attempts || !answerLost(error) || options.signal?.aborted) throw error;
      const wait = backoff.next();
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}
