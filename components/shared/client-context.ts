import { createContext } from '@lit/context';
import type { CometClient } from '../../src/client/client.js';

/** The client a `<comet-connection>` provides to the elements inside it. */
export const clientContext = createContext<CometClient | undefined>(Symbol.for('cometkit.client'));
