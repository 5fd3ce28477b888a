import { CometError } from './comet-error.js';

/** The other side speaks another protocol version: nothing is exchanged rather than something misread. */
export class ProtocolError extends CometError {
  override readonly name = 'ProtocolError';

  constructor(message: string) {
    super('protocol-version', message);
  }
}
