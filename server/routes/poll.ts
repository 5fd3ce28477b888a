import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CometEvent, Gap, HelloFrame, ReconnectFrame } from '../../src/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../src/protocol/version.js';
import type { Broker } from '../broker/broker.js';
import type { HistoryReader } from '../broker/coalesced-reads.js';
import type { ResolvedGripOptions } from '../grip/grip-options.js';
import { holdGripPoll } from '../grip/grip-poll.js';
import { isGripRequest } from '../grip/grip-signature.js';
import { eventJson } from '../broker/event-json.js';
import { HttpStatusError, sendError, sendJsonText } from '../http/http-error.js';
import { tokenExpired } from '../auth/token-expiry.js';
import type { MetricsSink } from '../metrics/comet-metrics.js';
import type { ResolvedOptions } from '../options.js';
import type { ConnectionRegistry, OpenStream } from '../stream/connections.js';
import { openFeed, type Feed } from '../stream/feed.js';
import type { StreamRequest } from '../stream/stream-request.js';

/** Most events in one answer; the client polls again at once from the returned cursor for the rest. */
export const POLL_MAX_EVENTS = 500;

/** The body of every `GET {base}/poll` answer. */
export interface PollResponse {
  readonly hello: HelloFrame;
  readonly gaps: readonly Gap[];
  readonly events: readonly CometEvent[];
  /** Where the next poll continues: the positions after the last event of this answer. */
  readonly cursor: string;
  /** From a draining server: poll again only after this. */
  readonly reconnect?: ReconnectFrame;
}

/** A poll answer as JSON, its events spliced in as serialized once at publish. */
export function pollAnswerJson(answer: PollResponse): string {
  const events = answer.events.map(eventJson).join(',');
  const reconnect = answer.reconnect ? `,"reconnect":${JSON.stringify(answer.reconnect)}` : '';
  return `{"hello":${JSON.stringify(answer.hello)},"gaps":${JSON.stringify(answer.gaps)},"events":[${events}],"cursor":${JSON.stringify(answer.cursor)}${reconnect}}`;
}

/**
 * `GET {base}/poll`: answers at once with what follows the cursor, or holds
 * the request until an event arrives or `pollTimeoutMs` passes. The feed is
 * opened per request, so the poll is stateless: any server node can answer
 * the next one, and a lost answer is simply asked for again with the same
 * cursor.
 */
export async function servePoll(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  request: StreamRequest,
  deps: { broker: Broker; reads: HistoryReader; options: ResolvedOptions; connections: ConnectionRegistry; grip: ResolvedGripOptions | undefined; metrics: MetricsSink | undefined },
): Promise<void> {
  const { broker, options, connections, grip } = deps;
  const wait = holdFor(url, options.pollTimeoutMs);
  if (grip && wait > 0 && isGripRequest(req, grip.signingKey) && (await holdGripPoll(res, request, wait, { ...deps, grip }))) return;
  let hello: HelloFrame | undefined;
  let cursor = '';
  const gaps: Gap[] = [];
  const events: CometEvent[] = [];
  let full = false;
  let answered = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let flushScheduled = false;
  let feed: Feed | undefined;
  let untrack = (): void => {};
  /** Set when the server drains: the answer tells the client when to poll again. */
  let reconnect: ReconnectFrame | undefined;

  const finish = (): void => {
    if (answered) return;
    answered = true;
    clearTimeout(timer);
    feed?.close();
    untrack();
  };
  const answer = (): void => {
    if (answered) return;
    finish();
    if (!hello || res.destroyed) return;
    // Held past its token's end: what arrived meanwhile is not the bearer's any more. The client
    // polls again from the same cursor with a fresh token, so nothing is lost.
    if (request.validUntil !== undefined && Date.now() >= request.validUntil) {
      sendError(res, tokenExpired());
      return;
    }
    deps.metrics?.gaps(gaps.length);
    sendJsonText(res, 200, pollAnswerJson({ hello, gaps, events, cursor, ...(reconnect ? { reconnect } : {}) }));
  };
  /** Events published in one burst leave in one answer: wait for the current turn of the event loop to end. */
  const answerSoon = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(answer);
  };

  const sendAway = (afterMs: number): void => {
    reconnect ??= { after: afterMs, reason: 'drain' };
    // Not yet opened: answered as soon as the feed has said where the poll starts.
    if (hello) answerSoon();
  };
  /** Set when the poll is ended (a disconnect) before its feed said where it starts: answered once it has. */
  let ended = false;
  const end = (): void => {
    if (hello) answer();
    else ended = true;
  };
  const held: OpenStream = { transport: 'long-poll', channels: request.channels, user: request.user?.sub, client: request.client, close: end, reconnect: sendAway };
  connections.add(held);
  untrack = () => connections.remove(held);
  req.on('close', () => {
    // A client that went away before its answer: nothing to send, just let go of the feed.
    if (!res.writableEnded) finish();
  });

  // A feed that cannot open (the store is unreachable) is answered by the caller's error path: the
  // slot must go with it, or every refused poll would hold one of maxConnections for good.
  const opening = openFeed(broker, request.channels, request.cursor, {
    start(start) {
      hello = { v: PROTOCOL_VERSION, time: Date.now(), heartbeat: options.pollTimeoutMs, cursor: start, transport: 'long-poll' };
      cursor = start;
    },
    gap(gap) {
      // A gap seen live after events already taken: the answer ends before it (an answer's gaps come
      // first), and the next poll, resuming from the last event, is told of it by its replay.
      if (full || events.length > 0) {
        full = true;
        return;
      }
      gaps.push(gap);
    },
    event(event, after) {
      // Past the cap the cursor stays at the last event included: the next poll resumes right there.
      if (full) return;
      events.push(event);
      cursor = after;
      if (events.length >= POLL_MAX_EVENTS) full = true;
      answerSoon();
    },
  }, deps.reads);
  try {
    feed = await opening;
  } catch (error) {
    finish();
    throw error;
  }
  if (answered) {
    feed.close();
    return;
  }
  if (connections.draining) reconnect ??= { after: connections.reconnectDelay(), reason: 'drain' };
  if (gaps.length > 0 || events.length > 0 || wait === 0 || reconnect || ended) {
    answerSoon();
    return;
  }
  // A token that ends first ends the hold then (answered 401 token-expired).
  timer = setTimeout(answer, request.validUntil === undefined ? wait : Math.min(wait, Math.max(0, request.validUntil - Date.now())));
}

/**
 * `wait` (ms) shortens the hold; `wait=0` answers at once. A client's first
 * poll asks for that: its hello (and its starting cursor) must not wait for
 * the first event, or a quiet channel would look like a dead server.
 */
function holdFor(url: URL, timeout: number): number {
  const text = url.searchParams.get('wait');
  if (text === null) return timeout;
  const wait = Number(text);
  if (!Number.isInteger(wait) || wait < 0) throw new HttpStatusError(400, 'bad-wait', `wait must be a whole number of milliseconds, got "${text.slice(0, 20)}".`);
  return Math.min(wait, timeout);
}
