import type { CometEvent, Gap, HelloFrame, ReconnectFrame } from '../../src/protocol/messages.js';

/**
 * How one streaming transport writes its frames. Event frames depend only
 * on the event and the stream's cursor after it, so streams of the same
 * channels share them (see fanout.ts).
 */
export interface StreamFormat {
  readonly transport: 'sse' | 'iframe';
  hello(hello: HelloFrame): string;
  gap(gap: Gap): string;
  event(event: CometEvent, cursor: string): string;
  heartbeat(time: number): string;
  /** The last frame of a stream whose token expired: the client fetches a new token and resumes. */
  tokenExpired(body: { status: number; code: string; message: string }): string;
  /** The last frame of a stream whose server is draining: the client comes back from its cursor after `after` ms. */
  reconnect(frame: ReconnectFrame): string;
  /** A bounded document (the iframe's) ends with `ending` once it has written `afterBytes`. */
  readonly rollOver?: { readonly afterBytes: number; readonly ending: string };
}
