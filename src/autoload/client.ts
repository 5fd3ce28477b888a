/**
 * The SDK as the autoloading script tag's modules see it: the loader
 * imports this module to configure the default client, and puts it on
 * `window.CometKit`; each element module shares its client through the
 * same chunk.
 */
export * from '../index.js';
