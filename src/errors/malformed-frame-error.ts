import { CometError } from './comet-error.js';

/** A frame from the network could not be understood; the stream is re-opened from the last good position. */
export class MalformedFrameError extends CometError {
  override readonly name = 'MalformedFrameError';
  /** The start of the offending frame, for logs. */
  readonly frame: string;

  constructor(reason: string, frame: string) {
    super('malformed-frame', `Received a malformed frame: ${reason}. Reconnecting from the last good position.`);
    this.frame = frame.slice(0, 200);
  }
}
