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
 * `text/event-stream` frames. Every frame that moves the cursor carries it
 * as `id`, so a plain EventSource reconnecting by itself resumes exactly.
 */
export const sseFormat: StreamFormat = {
  transport: 'sse',
  hello: (hello: HelloFrame) => `retry: 1000\n${frame({ event: 'hello', id: hello.cursor, data: JSON.stringify(hello) })}`,
  gap: (gap) => frame({ event: 'gap', data: JSON.stringify(gap) }),
  event: (event, cursor) => frame({ id: cursor, data: eventJson(event) }),
  heartbeat: (time) => frame({ event: 'heartbeat', data: JSON.stringify({ time }) }),
  tokenExpired: (body) => frame({ event: 'token-expired', data: JSON.stringify(body) }),
};

export const SSE_HEADERS = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-transform',
  // Asks nginx-style proxies not to buffer; others are caught by the client's liveness checks.
  'X-Accel-Buffering': 'no',
  ...NOSNIFF,
} as const;
