import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CometEvent } from '../../src/protocol/messages.js';
import { channelAllowed } from '../../src/protocol/channel.js';
import { RESERVED_PREFIXES } from '../auth/read-access.js';
import type { TokenClaims } from '../auth/token.js';
import type { Broker, PublishInput } from '../broker/broker.js';
import { HttpStatusError } from '../http/http-error.js';
import { MemoryIdempotencyStore, type IdempotencyRecord, type IdempotencyStore, type MemoryIdempotencyStoreOptions } from './idempotency-store.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import { RateLimitedError } from '../http/rate-limited-error.js';

/** What `onSend` is given: one send, already checked against the sender's rights. */
export interface SendContext {
  readonly channel: string;
  readonly type: string;
  readonly data: unknown;
  /** The sender's token claims; undefined for an anonymous send to one of `send.publicChannels`. */
  readonly user: TokenClaims | undefined;
  readonly req: IncomingMessage;
}

export interface ServerSendOptions {
  /**
   * Validates or transforms each send before it is stored. Return the data
   * to store (`undefined` keeps it as sent); throw an `HttpStatusError` to refuse
   * with its status, code and message. Anything else thrown is a bug: it is
   * logged and answered `500`.
   */
  readonly onSend?: (context: SendContext) => unknown;
  /** Channel patterns anyone may send to without a token (a demo chat). Default none. */
  readonly publicChannels?: readonly string[];
  /** Per-user rate limit. Default 20 per second, bursts of 40. */
  readonly rate?: RateLimit;
  /** How long and how many idempotency keys the memory store keeps. */
  readonly idempotency?: MemoryIdempotencyStoreOptions;
  /** Where idempotency keys live; by default in memory, for this process. */
  readonly idempotencyStore?: IdempotencyStore;
}

const KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

export interface SendRequest {
  readonly input: PublishInput;
  readonly user: TokenClaims | undefined;
  /** Who the rate limit counts: the token's user, else the client's address. */
  readonly sender: string;
  readonly key: string | undefined;
  readonly req: IncomingMessage;
}

/**
 * Client sends: rights from the token's `publish` claim, a per-user rate
 * limit, the `onSend` hook, and idempotency keys so that a retry after a
 * lost answer stores the event once.
 */
export class SendService {
  readonly #broker: Broker;
  readonly #options: ServerSendOptions;
  readonly #maxPayloadBytes: number;
  readonly #limiter: RateLimiter;
  readonly #keys: IdempotencyStore;

  constructor(broker: Broker, options: ServerSendOptions, maxPayloadBytes: number) {
    this.#broker = broker;
    this.#options = options;
    this.#maxPayloadBytes = maxPayloadBytes;
    this.#limiter = new RateLimiter(options.rate);
    this.#keys = options.idempotencyStore ?? new MemoryIdempotencyStore(options.idempotency);
  }

  /** Counts one attempt against the sender's rate; throws 429 with the wait when over it. */
  admit(sender: string): void {
    const decision = this.#limiter.take(sender, Date.now());
    if (!decision.ok) {
      throw new RateLimitedError(decision.retryAfterMs);
    }
  }

  /** Throws the refusal a sender without the right to `channel` gets: 401 without a token, 403 naming the channel with one. */
  authorize(channel: string, user: TokenClaims | undefined): void {
    if (RESERVED_PREFIXES.some((prefix) => channel.startsWith(prefix))) {
      throw new HttpStatusError(403, 'channel-reserved', `Channel "${channel}" is written by the server only (${RESERVED_PREFIXES.join(', ')} channels); send to another channel.`);
    }
    const allowed = [...(this.#options.publicChannels ?? []), ...(user?.publish ?? [])];
    if (channelAllowed(allowed, channel)) return;
    if (!user) throw new HttpStatusError(401, 'token-missing', `Sending to "${channel}" needs a token with a "publish" claim that allows it.`);
    throw new HttpStatusError(403, 'channel-forbidden', `The token of "${user.sub}" does not allow sending to channel "${channel}" (its "publish" claim).`);
  }

  /** Checks a client's `Idempotency-Key` header. */
  static parseKey(value: string | string[] | undefined): string | undefined {
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string' || !KEY_PATTERN.test(value)) {
      throw new HttpStatusError(400, 'bad-idempotency-key', 'Idempotency-Key must be 8-128 of A-Z a-z 0-9 _ . : -, one random value per send, repeated on its retries.');
    }
    return value;
  }

  /** Stores the send, once per idempotency key; `replayed` says the answer is that of an earlier request. */
  async send(request: SendRequest): Promise<{ event: CometEvent; replayed: boolean }> {
    if (!request.key) return { event: await this.#store(request), replayed: false };
    // Keys are per sender: two users picking the same key do not collide.
    const key = `${request.sender}\n${request.key}`;
    const fingerprint = fingerprintOf(request.input);
    let resolve!: (event: CometEvent) => void;
    let reject!: (error: unknown) => void;
    const event = new Promise<CometEvent>((res, rej) => ((resolve = res), (reject = rej)));
    // A claim nobody awaits must not surface as an unhandled rejection.
    event.catch(() => undefined);
    const mine: IdempotencyRecord = { fingerprint, event };
    const held = await this.#keys.claim(key, mine, Date.now());
    if (held !== mine) {
      if (held.fingerprint !== fingerprint) {
        throw new HttpStatusError(422, 'idempotency-key-reused', 'This Idempotency-Key was used for a different send; use a new key for each send and the same key only for its retries.');
      }
      return { event: await held.event, replayed: true };
    }
    try {
      const stored = await this.#store(request);
      resolve(stored);
      return { event: stored, replayed: false };
    } catch (error) {
      // A refused or failed send stored nothing: its retry may try again.
      await this.#keys.release(key, mine);
      reject(error);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.#keys.close();
  }

  async #store(request: SendRequest): Promise<CometEvent> {
    const { input } = request;
    let data = input.data;
    if (this.#options.onSend) {
      let returned: unknown;
      try {
        returned = await this.#options.onSend({ channel: input.channel, type: input.type, data, user: request.user, req: request.req });
      } catch (error) {
        if (error instanceof HttpStatusError) throw error;
        console.error('cometkit server: onSend failed', error);
        throw new HttpStatusError(500, 'internal', 'The server failed to check this send; it was logged.');
      }
      if (returned !== undefined) data = returned;
    }
    let text: string | undefined;
    try {
      text = JSON.stringify(data);
    } catch {
      text = undefined;
    }
    if (text === undefined) throw new HttpStatusError(400, 'bad-data', 'The data to store is not JSON-serializable (onSend returned a value JSON cannot hold).');
    if (Buffer.byteLength(text) > this.#maxPayloadBytes) {
      throw new HttpStatusError(413, 'payload-too-large', `The data to store is larger than ${this.#maxPayloadBytes} bytes (maxPayloadBytes).`);
    }
    return this.#broker.publish({ channel: input.channel, type: input.type, data });
  }
}

function fingerprintOf(input: PublishInput): string {
  return createHash('sha256').update(`${input.channel}\n${input.type}\n${JSON.stringify(input.data)}`).digest('base64url');
}
