/** The proxies' seeded randomness: a seed replays a key's draws, whatever else draws meanwhile. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { labSeed, randomPerKey, seededRandom, stableKey } from '../support/proxies/seeded-random.js';

const draws = (next: () => number, n: number): number[] => Array.from({ length: n }, next);

describe('seeded randomness for the proxies', () => {
  it('draws the same numbers from the same seed, other numbers from another, all in [0, 1)', () => {
    const first = draws(seededRandom(42), 50);
    assert.deepEqual(draws(seededRandom(42), 50), first);
    assert.notDeepEqual(draws(seededRandom(43), 50), first);
    assert.ok(first.every((x) => x >= 0 && x < 1));
    assert.ok(new Set(first).size > 45, 'the draws vary');
  });

  it('gives a key the same draws on a replay, whatever its random suffix and whatever other keys drew first', () => {
    const run = randomPerKey(7);
    draws(run('long-poll-aaaa1111'), 5);
    const once = draws(run('sse-k3x9q2ab'), 10);
    const replay = randomPerKey(7);
    assert.deepEqual(draws(replay('sse-zz00zz00'), 10), once);
    assert.notDeepEqual(draws(randomPerKey(8)('sse-k3x9q2ab'), 10), once);
    assert.equal(stableKey('grip-sse-k3x9'), 'grip-sse');
  });

  it('reads COMET_LAB_SEED, and refuses one that is not a 32-bit integer', () => {
    assert.equal(labSeed('123'), 123);
    const drawn = labSeed(undefined);
    assert.ok(Number.isInteger(drawn) && drawn >= 0 && drawn < 2 ** 32);
    for (const bad of ['-1', '1.5', 'x', String(2 ** 32)]) assert.throws(() => labSeed(bad), /COMET_LAB_SEED must be an integer/);
  });
});
