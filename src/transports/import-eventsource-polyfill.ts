/**
 * ES module builds: the polyfill is a dynamic import, which bundlers (and
 * this package's rollup build) split into a chunk of its own, fetched only
 * by browsers without a native EventSource.
 *
 * The script-tag build swaps this module for
 * `import-eventsource-polyfill.script.ts` (see rollup.config.mjs): a
 * classic script cannot import chunks.
 */
export async function importEventSourcePolyfill(): Promise<typeof EventSource | undefined> {
  const module = await import('eventsource-polyfill/dist/eventsource.js');
  // CommonJS through rollup's interop: the file sets `EventSource` on its `this`, module.exports.
  return module.default?.EventSource ?? module.EventSource;
}
