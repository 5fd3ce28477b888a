import type { HelloFrame } from '../../src/protocol/messages.js';
import { eventJson } from '../broker/event-json.js';
import { NOSNIFF } from '../http/nosniff.js';
import type { StreamFormat } from './stream-format.js';

/** One SSE frame. `data` is JSON and so never holds a raw newline. */
function frame(fields: { event?: string; id?: string; data: string }): string {
  let text = '';
  if (fields.event) text += `event: ${fields.event}\n`;
  if (fields.id !== undefined) text += `id: ${fields.id}\n`;
  return `${text}data: ${fields.data}\n\n`;
}

/**
 * A bare EventSource comes back this long after its stream drops (ms):
 * 1 s plus up to 2 s, drawn per stream. A fixed delay brings every client
 * of a process that went down back in the same instant, and again every
 * second while it is down; spread, they arrive as a stream the restarted
 * process can take. (The SDK closes its EventSource at the first error and
 * waits its own full-jitter backoff instead.)
 */
export function reconnectDelayMs(random: () => number = Math.random): number {
  return 1000 + Math.floor(random() * 2000);
}

/**
 * `text/event-stream` frames. Every frame that moves the cursor carries it
 * as `id`, so a plain EventSource reconnecting by itself resumes exactly.
 */
export const sseFormat: StreamFormat = {
  transport: 'sse',
  hello: (hello: HelloFrame) => `retry: ${reconnectDelayMs()}\n${frame({ event: 'hello', id: hello.cursor, data: JSON.stringify(hello) })}`,
  gap: (gap) => frame({ event: 'gap', data: JSON.stringify(gap) }),
  event: (event, cursor) => frame({ id: cursor, data: eventJson(event) }),
  heartbeat: (time) => frame({ event: 'heartbeat', data: JSON.stringify({ time }) }),
  tokenExpired: (body) => frame({ event: 'token-expired', data: JSON.stringify(body) }),
  // `retry:` first: a bare EventSource, which ignores the named event, waits the same delay.
  reconnect: (reconnect) => `retry: ${reconnect.after}\n${frame({ event: 'reconnect', data: JSON.stringify(reconnect) })}`,
};

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  // Asks nginx-style proxies not to buffer; others are caught by the client's liveness checks.
  'X-Accel-Buffering': 'no',
  ...NOSNIFF,
} as const;
