/**
 * The position gate (src/protocol/position.ts): every module that reads,
 * writes or orders event ids and cursor positions goes through it, on the
 * server and in the browser.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkPosition,
  comparePositions,
  formatPosition,
  isAtOrBefore,
  isEpoch,
  isSamePosition,
  parsePosition,
  positionBefore,
  type Position,
} from '../../src/protocol/position.js';

const at = (epoch: string, seq: number): Position => ({ epoch, seq });

describe('position gate: reading', () => {
  it('parses and formats <epoch>-<seq>', () => {
    assert.deepEqual(parsePosition('k3x9-42'), at('k3x9', 42));
    assert.deepEqual(parsePosition('a-0'), at('a', 0));
    assert.equal(formatPosition(at('k3x9', 42)), 'k3x9-42');
  });

  it('accepts the bounds: a 16-character epoch, a 15-digit seq, seq 0', () => {
    for (const text of ['abcdefghij123456-999999999999999', 'a-0', '0-0', 'z9-000']) {
      const position = parsePosition(text);
      assert.ok(position, text);
      assert.ok(Number.isSafeInteger(position.seq), text);
      assert.deepEqual(checkPosition(text), position);
    }
    assert.equal(formatPosition(parsePosition('abcdefghij123456-999999999999999')!), 'abcdefghij123456-999999999999999');
  });

  it('refuses what is one past each bound, and other malformed text', () => {
    const malformed = [
      '', '42', 'k3x9', 'k3x9-', '-1', 'K3X9-1', 'k3x9--1', 'k3x9-1.5', 'k3x9-1e3', 'k3x9-+1', 'k3x9-0x1',
      'a'.repeat(17) + '-1', 'a-' + '9'.repeat(16), ' a-1', 'a-1 ', 'a-1\n', 'é-1', 'news=a-1',
    ];
    for (const text of malformed) {
      assert.equal(parsePosition(text), undefined, JSON.stringify(text));
      assert.equal(typeof checkPosition(text), 'string', JSON.stringify(text));
    }
    for (const value of [undefined, null, 42, ['a-1'], { epoch: 'a', seq: 1 }]) assert.equal(typeof checkPosition(value), 'string');
  });

  it('says which part of a malformed position is wrong', () => {
    assert.equal(checkPosition('k3x9'), 'position "k3x9" has no "-" between epoch and seq');
    assert.equal(checkPosition('K3X9-1'), 'position "K3X9-1" has no valid epoch: use 1-16 of a-z 0-9');
    assert.equal(checkPosition('-1'), 'position "-1" has no valid epoch: use 1-16 of a-z 0-9');
    assert.match(checkPosition('a'.repeat(17) + '-1') as string, /no valid epoch/);
    assert.equal(checkPosition('k3x9-1.5'), 'position "k3x9-1.5" has no valid seq: use a decimal integer of 1-15 digits');
    assert.match(checkPosition('a-' + '9'.repeat(16)) as string, /no valid seq/);
    assert.equal(checkPosition(42), 'a position is a string <epoch>-<seq>, not number');
    assert.equal(checkPosition(null), 'a position is a string <epoch>-<seq>, not null');
    // Quoted text is bounded, whatever a sender puts in it.
    assert.ok((checkPosition('x'.repeat(10_000)) as string).length < 120);
  });

  it('checks an epoch alone', () => {
    assert.equal(isEpoch('k3x9'), true);
    assert.equal(isEpoch('a'.repeat(16)), true);
    for (const value of ['', 'a'.repeat(17), 'K3', 'a-b', 'a b', 7]) assert.equal(isEpoch(value), false, String(value));
  });
});

describe('position gate: ordering', () => {
  it('orders positions of one epoch by seq', () => {
    assert.equal(comparePositions(at('e', 5), at('e', 3)), 2);
    assert.equal(comparePositions(at('e', 3), at('e', 5)), -2);
    assert.equal(comparePositions(at('e', 3), at('e', 3)), 0);
    assert.equal(isAtOrBefore(at('e', 3), at('e', 3)), true);
    assert.equal(isAtOrBefore(at('e', 2), at('e', 3)), true);
    assert.equal(isAtOrBefore(at('e', 4), at('e', 3)), false);
    assert.equal(isAtOrBefore(at('e', 0), at('e', 0)), true);
  });

  it('isAtOrBefore is comparePositions(…) <= 0, in and across epochs', () => {
    const positions = [at('e', 0), at('e', 1), at('e', 2), at('f', 0), at('f', 2)];
    for (const a of positions) for (const b of positions) assert.equal(isAtOrBefore(a, b), comparePositions(a, b) <= 0, `${formatPosition(a)} ${formatPosition(b)}`);
  });

  it('compares the largest seqs exactly', () => {
    const top = parsePosition('e-999999999999999')!;
    const below = parsePosition('e-999999999999998')!;
    assert.equal(comparePositions(top, below), 1);
    assert.equal(isAtOrBefore(top, below), false);
  });

  it('never orders positions of a foreign epoch: another history', () => {
    // A position from another epoch is never "already seen", never "before" and never "after".
    const foreign = comparePositions(at('f', 1), at('e', 3));
    assert.ok(Number.isNaN(foreign));
    assert.equal(foreign < 0 || foreign > 0 || foreign === 0, false);
    assert.equal(isAtOrBefore(at('f', 1), at('e', 3)), false);
    assert.equal(isAtOrBefore(at('e', 3), at('f', 1)), false);
    // Epochs compare as names, not as numbers or prefixes.
    assert.equal(isAtOrBefore(at('e1', 1), at('e', 3)), false);
    assert.equal(isSamePosition(at('e', 3), at('f', 3)), false);
  });

  it('tells the same position apart from a missing one', () => {
    assert.equal(isSamePosition(at('e', 3), at('e', 3)), true);
    assert.equal(isSamePosition(at('e', 3), at('e', 4)), false);
    assert.equal(isSamePosition(undefined, undefined), true);
    assert.equal(isSamePosition(at('e', 0), undefined), false);
    assert.equal(isSamePosition(undefined, at('e', 0)), false);
  });

  it('steps back one position within the epoch, never below 0', () => {
    assert.deepEqual(positionBefore(at('e', 7)), at('e', 6));
    assert.deepEqual(positionBefore(at('e', 1)), at('e', 0));
    assert.deepEqual(positionBefore(at('e', 0)), at('e', 0));
  });
});
