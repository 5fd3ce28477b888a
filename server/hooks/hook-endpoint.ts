import { createHash } from 'node:crypto';
import { HttpStatusError } from '../http/http-error.js';
import { readCapped, webhookSignature } from '../inbox/action-webhook.js';

export interface HookEndpointOptions {
  /** The application's URL asked: http(s), from the server's configuration, never from a request. */
  readonly url: string;
  /** Longest wait for one answer (ms); past it the request is refused with `503 hook-unavailable`. Default 2000. */
  readonly timeoutMs?: number;
  /** How long an answer (allow or refuse) is reused for the same question (ms); 0 asks every time. Default 5000. */
  readonly cacheMs?: number;
  /** Questions under way at once; past it a request is refused with `503 hook-busy`. Default 100. */
  readonly maxInFlight?: number;
  /** Answers held in the cache at once; the oldest are forgotten first. Default 10000. */
  readonly maxCacheEntries?: number;
}

/** A hook's answer is short JSON: a list of up to 64 channels of 128 characters fits many times over. */
const ANSWER_MAX = 64 * 1024;
/** One line in the log per hook per this many ms, so a hook that is down does not flood it. */
const LOG_EVERY_MS = 10_000;

type Answer = Record<string, unknown>;

/**
 * Asks one application URL a question (a JSON object) and returns its JSON
 * answer. Signed like the inbox webhook (`Comet-Signature`), never follows a
 * redirect, bounded in time and in questions under way; the same question
 * asked again within `cacheMs`, or while it is under way, is answered once.
 * Every failure is a `503`: a hook decides who may read, so when it cannot
 * be asked nobody gets in (fail closed).
 */
export class HookEndpoint {
  readonly url: string;
  readonly timeoutMs: number;
  readonly cacheMs: number;
  readonly maxInFlight: number;
  readonly maxCacheEntries: number;
  readonly #name: string;
  readonly #secret: string;
  readonly #cache = new Map<string, { expires: number; answer: Answer }>();
  readonly #underway = new Map<string, Promise<Answer>>();
  readonly #closing = new AbortController();
  #loggedAt = -Infinity;

  constructor(name: string, options: HookEndpointOptions, secret: string) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new TypeError(`cometkit server: the ${name} hook url must be an absolute http(s) URL, got "${String(options.url).slice(0, 100)}".`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`cometkit server: the ${name} hook url must be http: or https:.`);
    if (url.username || url.password) throw new TypeError(`cometkit server: the ${name} hook url must not hold a user or password; the signature authenticates the server.`);
    this.#name = name;
    this.#secret = secret;
    this.url = url.href;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.cacheMs = options.cacheMs ?? 5000;
    this.maxInFlight = options.maxInFlight ?? 100;
    this.maxCacheEntries = options.maxCacheEntries ?? 10_000;
    for (const [key, value, least] of [['timeoutMs', this.timeoutMs, 1], ['cacheMs', this.cacheMs, 0], ['maxInFlight', this.maxInFlight, 1], ['maxCacheEntries', this.maxCacheEntries, 1]] as const) {
      if (!Number.isFinite(value) || value < least) throw new TypeError(`cometkit server: the ${name} hook's ${key} must be a number of at least ${least}, got ${value}.`);
    }
  }

  /** The application's answer to `question`, from the cache when it was asked within `cacheMs`. */
  async ask(question: object): Promise<Answer> {
    const body = JSON.stringify(question);
    // Keyed by a digest: a question carries credentials, which the cache should not keep in clear.
    const key = createHash('sha256').update(body).digest('base64url');
    const now = Date.now();
    const cached = this.#cache.get(key);
    if (cached && cached.expires > now) return cached.answer;
    if (cached) this.#cache.delete(key);
    const pending = this.#underway.get(key);
    if (pending) return pending;
    if (this.#underway.size >= this.maxInFlight) {
      throw new HttpStatusError(503, 'hook-busy', `The application's ${this.#name} hook has ${this.maxInFlight} questions under way; try again shortly.`, { 'Retry-After': '1' });
    }
    const asking = this.#post(body).finally(() => this.#underway.delete(key));
    this.#underway.set(key, asking);
    const answer = await asking;
    if (this.cacheMs > 0) {
      if (this.#cache.size >= this.maxCacheEntries) this.#forgetOldest(now);
      this.#cache.set(key, { expires: Date.now() + this.cacheMs, answer });
    }
    return answer;
  }

  /** Aborts the questions under way. */
  close(): void {
    this.#closing.abort();
  }

  #forgetOldest(now: number): void {
    for (const [key, entry] of this.#cache) {
      // Map order is insertion order: the first entries are the oldest.
      if (entry.expires <= now || this.#cache.size >= this.maxCacheEntries) this.#cache.delete(key);
      else break;
    }
  }

  async #post(body: string): Promise<Answer> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        // A redirect could lead a signed question, credentials included, anywhere.
        redirect: 'manual',
        signal: AbortSignal.any([this.#closing.signal, AbortSignal.timeout(this.timeoutMs)]),
        headers: {
          'Content-Type': 'application/json',
          'Comet-Signature': webhookSignature(this.#secret, Math.floor(Date.now() / 1000), body),
          'Comet-Hook': this.#name,
        },
        body,
      });
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === 'TimeoutError';
      throw this.#unavailable(timedOut ? `did not answer within ${this.timeoutMs} ms` : `could not be reached (${error instanceof Error ? error.message : String(error)})`);
    }
    const text = await readCapped(response, ANSWER_MAX).catch(() => '');
    if (response.status !== 200) throw this.#unavailable(`answered ${response.status}${response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : ''}`);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw this.#unavailable(text === '' ? 'answered no JSON (or more than 64 KiB)' : 'answered text that is not JSON');
    }
    if (typeof answer !== 'object' || answer === null || Array.isArray(answer) || typeof (answer as Answer)['allow'] !== 'boolean') {
      throw this.#unavailable('answered JSON without a boolean "allow"');
    }
    return answer as Answer;
  }

  /** The client learns only that the hook failed; the operator reads why in the log. */
  #unavailable(why: string): HttpStatusError {
    const now = Date.now();
    if (now - this.#loggedAt >= LOG_EVERY_MS) {
      this.#loggedAt = now;
      console.error(`cometkit server: the ${this.#name} hook at ${this.url} ${why}; requests that need it are refused with 503 hook-unavailable.`);
    }
    return new HttpStatusError(503, 'hook-unavailable', `The application's ${this.#name} check could not be made; try again shortly.`, { 'Retry-After': '5' });
  }
}
