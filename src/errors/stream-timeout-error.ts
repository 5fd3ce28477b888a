import { CometError } from './comet-error.js';

/** No hello or heartbeat arrived in time: the stream is dead or held by a buffering proxy. */
export class StreamTimeoutError extends CometError {
  override readonly name = 'StreamTimeoutError';

  constructor(waitedFor: 'hello' | 'heartbeat', afterMs: number) {
    super('stream-timeout', `No ${waitedFor} from the server within ${afterMs} ms; reconnecting.`);
  }
}
