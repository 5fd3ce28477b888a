import { advice } from '../dev.js';
import { CometError } from '../errors/comet-error.js';

/**
 * The SDK's checks of presence calls, where a page makes them; the wire
 * shapes they guard are in src/protocol/presence-protocol.ts, which the
 * server shares and which therefore throws nothing of the SDK's.
 */

/** Checks a state for `roster.setState()` where it is called: a roster that announces, a value that is JSON. */
export function checkPresenceState(announces: boolean, value: unknown): void {
  if (!announces) throw new CometError('not-announced', `Only an announcing roster can set its state.${advice('Take one with announce: true.')}`);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new CometError('invalid-state', 'setState() needs JSON (null clears the state).', { cause });
  }
  if (text === undefined) throw new CometError('invalid-state', 'setState() needs JSON (null clears the state).');
}

export function invalidPresenceChannel(channel: string): CometError {
  return new CometError('invalid-channel', `"${String(channel).slice(0, 80)}" cannot have presence.${advice('Use a valid channel of at most 119 characters not starting with "presence:".')}`);
}
