/**
 * The SDK as the autoloading script tag's modules see it: the loader
 * imports this module to configure the default client, and puts `CometKit`
 * on `window`; each element module shares its client through the same
 * chunk. The chunk is this entry itself (no re-exporting file in front of
 * it), so it also exports the short internal names the elements import:
 * the public SDK is the `CometKit` namespace alone.
 */
import * as CometKit from '../index.js';

export { CometKit };
