import type { CometEvent } from '../../src/protocol/messages.js';
import { eventJson } from '../broker/event-json.js';
import type { StreamFormat } from './stream-format.js';

/**
 * Browsers hold back incremental rendering (and so the scripts in it) until
 * the first bytes of a document reach a threshold: about 1 KiB in Chromium
 * and Firefox, historically 2 KiB in Safari and old IE. The first chunk is
 * padded past it so the hello runs at once.
 */
export const IFRAME_PADDING_BYTES = 2048;

/**
 * JSON as a JavaScript expression inside an HTML <script>. `<` only ever
 * occurs inside JSON strings, where `\u003c` means the same; this keeps
 * `</script>` and `<!--` in event data from ending or changing the script
 * element. U+2028/2029 are escaped for engines older than ES2019, where they
 * end a string literal.
 */
export function scriptSafe(json: string): string {
  return json.replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function scriptJson(value: unknown): string {
  return scriptSafe(JSON.stringify(value));
}

const scriptSafeEvents = new WeakMap<CometEvent, string>();

function eventScriptJson(event: CometEvent): string {
  let json = scriptSafeEvents.get(event);
  if (json === undefined) {
    json = scriptSafe(eventJson(event));
    scriptSafeEvents.set(event, json);
  }
  return json;
}

function script(kind: string, frameJson: string, cursor?: string): string {
  const args = cursor === undefined ? `"${kind}",${frameJson}` : `"${kind}",${frameJson},${scriptJson(cursor)}`;
  return `<script>p(${args})</script>\n`;
}

/** The document's head: `p` posts one frame to the parent, with the exact origin as target, so no other page can read it. */
export function iframeHead(origin: string): string {
  return (
    '<!DOCTYPE html><html><head><meta charset="utf-8"><title>cometkit</title>' +
    `<script>var o=${scriptJson(origin)};function p(k,f,c){parent.postMessage({cometkit:1,kind:k,frame:f,cursor:c},o)}</script>` +
    '</head><body>\n'
  );
}

/** The head padded past the browsers' rendering threshold. */
export function iframePreamble(origin: string): string {
  return `${iframeHead(origin)}<!--${' '.repeat(IFRAME_PADDING_BYTES)}-->\n`;
}

export function iframeError(body: { status: number; code: string; message: string }): string {
  return script('error', scriptJson(body));
}

export const IFRAME_END = `${script('end', '{}')}</body></html>`;

/** One small script per frame, each posting it to the parent page. */
export function iframeFormat(maxBytes: number): StreamFormat {
  return {
    transport: 'iframe',
    hello: (hello) => script('hello', scriptJson(hello), hello.cursor),
    gap: (gap) => script('gap', scriptJson(gap)),
    event: (event, cursor) => script('event', eventScriptJson(event), cursor),
    heartbeat: (time) => script('heartbeat', scriptJson({ time })),
    // A refusal like any other the document posts (the transport reads its status and code), and the document's end.
    tokenExpired: (body) => `${iframeError(body)}</body></html>`,
    reconnect: (reconnect) => `${script('reconnect', scriptJson(reconnect))}</body></html>`,
    rollOver: { afterBytes: maxBytes, ending: IFRAME_END },
  };
}
