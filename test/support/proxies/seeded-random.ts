/**
 * Seeded randomness for the misbehaving proxies, so a run that fails can be
 * replayed: the lab draws one seed (from `COMET_LAB_SEED`, or at random),
 * prints it, and reports it to the tests, which name it when they fail.
 *
 * Each proxy key gets a stream of its own, seeded from the lab's seed and the
 * key's stable part (the key without the random suffix `proxyKey` adds), so
 * a test draws the same cut times on a replay whatever other tests and other
 * browsers draw meanwhile.
 */

/** mulberry32: a 32-bit generator, small and good enough to place cuts; not for secrets. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a over the text's UTF-16 code units: mixes a key into the seed. */
function hash(text: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The key without the random suffix `proxyKey(prefix)` appends: `sse-k3x9q2` → `sse`. */
export function stableKey(key: string): string {
  const dash = key.lastIndexOf('-');
  return dash > 0 ? key.slice(0, dash) : key;
}

/** The lab's seed: `COMET_LAB_SEED` when set (to replay a run), otherwise drawn now. */
export function labSeed(env: string | undefined = process.env['COMET_LAB_SEED']): number {
  if (env === undefined || env === '') return Math.floor(Math.random() * 2 ** 32);
  const seed = Number(env);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`COMET_LAB_SEED must be an integer from 0 to ${2 ** 32 - 1}, not ${JSON.stringify(env)}.`);
  return seed;
}

/** One generator per key, made on the key's first draw. */
export function randomPerKey(seed: number): (key: string) => () => number {
  const streams = new Map<string, () => number>();
  return (key) => {
    let stream = streams.get(key);
    if (!stream) {
      stream = seededRandom(hash(stableKey(key), seed ^ 0x811c9dc5));
      streams.set(key, stream);
    }
    return stream;
  };
}
