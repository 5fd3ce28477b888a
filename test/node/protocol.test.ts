import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNEL_PATTERN, channelAllowed, channelMatches, isValidChannel } from '../../src/protocol/channel.js';
import { MAX_CURSOR_LENGTH, formatCursor, parseCursor, type Cursor } from '../../src/protocol/cursor.js';
import { formatPosition, isAtOrBefore, parsePosition } from '../../src/protocol/position.js';
import { checkEvent, checkGap, checkHeartbeat, checkHello, parseJson } from '../../src/protocol/validate.js';

describe('channel names', () => {
  it('accepts the documented character set, 1 to 128 characters', () => {
    for (const name of ['a', 'news', 'user:42:inbox', 'room/7', 'a.b-c_d@e', 'X'.repeat(128)]) {
      assert.equal(isValidChannel(name), true, name);
    }
  });

  it('refuses what would need escaping in cursors and URLs', () => {
    // `,` and `=` separate cursor entries; `*` is reserved for patterns.
    for (const name of ['', 'a,b', 'a=b', 'news*', 'a b', 'é', 'a?b', 'a#b', 'X'.repeat(129)]) {
      assert.equal(isValidChannel(name), false, JSON.stringify(name));
    }
    for (const value of [undefined, null, 42, ['news'], { name: 'news' }]) assert.equal(isValidChannel(value), false);
    assert.equal(CHANNEL_PATTERN.test('ok'), true);
  });

  it('matches exact names, prefix patterns and the lone wildcard', () => {
    assert.equal(channelMatches('news', 'news'), true);
    assert.equal(channelMatches('news', 'news.sport'), false);
    assert.equal(channelMatches('user:42:*', 'user:42:inbox'), true);
    assert.equal(channelMatches('user:42:*', 'user:42:'), true);
    assert.equal(channelMatches('user:42:*', 'user:420:inbox'), false);
    assert.equal(channelMatches('*', 'anything'), true);
  });

  it('allows a channel when any pattern matches, none when there are no patterns', () => {
    assert.equal(channelAllowed(['t.*', 'news'], 'news'), true);
    assert.equal(channelAllowed(['t.*', 'news'], 't.x'), true);
    assert.equal(channelAllowed(['t.*', 'news'], 'other'), false);
    assert.equal(channelAllowed([], 'news'), false);
  });
});

describe('positions', () => {
  it('parses and formats <epoch>-<seq>', () => {
    assert.deepEqual(parsePosition('k3x9-42'), { epoch: 'k3x9', seq: 42 });
    assert.deepEqual(parsePosition('a-0'), { epoch: 'a', seq: 0 });
    assert.equal(formatPosition({ epoch: 'k3x9', seq: 42 }), 'k3x9-42');
    const text = 'abcdefghij123456-999999999999999';
    assert.equal(formatPosition(parsePosition(text)!), text);
  });

  it('refuses malformed positions', () => {
    for (const text of ['', '42', 'k3x9', 'k3x9-', '-1', 'K3X9-1', 'k3x9--1', 'k3x9-1.5', 'k3x9-1e3', 'a'.repeat(17) + '-1', 'a-' + '9'.repeat(16), ' a-1', 'a-1 ']) {
      assert.equal(parsePosition(text), undefined, JSON.stringify(text));
    }
  });

  it('orders positions within one epoch only', () => {
    const at = (epoch: string, seq: number) => ({ epoch, seq });
    assert.equal(isAtOrBefore(at('e', 3), at('e', 3)), true);
    assert.equal(isAtOrBefore(at('e', 2), at('e', 3)), true);
    assert.equal(isAtOrBefore(at('e', 4), at('e', 3)), false);
    // A position from another epoch is never "already seen": it belongs to another history.
    assert.equal(isAtOrBefore(at('f', 1), at('e', 3)), false);
  });
});

describe('cursors', () => {
  it('round-trips several channels in insertion order', () => {
    const text = 'news=k3x9-42,ticker=k3x9-7,user:42:inbox=zz-0';
    const cursor = parseCursor(text) as Cursor;
    assert.equal(typeof cursor, 'object');
    assert.deepEqual([...cursor.keys()], ['news', 'ticker', 'user:42:inbox']);
    assert.deepEqual(cursor.get('ticker'), { epoch: 'k3x9', seq: 7 });
    assert.equal(formatCursor(cursor), text);
  });

  it('treats the empty string as an empty cursor', () => {
    const cursor = parseCursor('');
    assert.ok(cursor instanceof Map);
    assert.equal(cursor.size, 0);
    assert.equal(formatCursor(new Map()), '');
  });

  it('keeps the last position when a channel repeats', () => {
    const cursor = parseCursor('a=e-1,a=e-5') as Cursor;
    assert.deepEqual(cursor.get('a'), { epoch: 'e', seq: 5 });
  });

  it('returns a message, not a throw, for malformed cursors', () => {
    for (const text of ['news', 'news=', '=e-1', 'news=e', 'news=e-1,', ',news=e-1', 'bad*=e-1', 'a=e-1,b', 'a=e-1;b=e-2']) {
      const result = parseCursor(text);
      assert.equal(typeof result, 'string', JSON.stringify(text));
      assert.match(result as string, /channel=epoch-seq/);
    }
  });

  it('refuses cursors longer than the bound before parsing them', () => {
    const entries: string[] = [];
    for (let i = 0; entries.join(',').length <= MAX_CURSOR_LENGTH; i += 1) entries.push(`channel${i}=e-${i}`);
    const result = parseCursor(entries.join(','));
    assert.equal(typeof result, 'string');
    assert.match(result as string, /longer than/);
  });
});

describe('frame validation', () => {
  const event = { id: 'e-1', channel: 'news', type: 'message', data: { a: 1 }, time: 1700000000000 };

  it('parseJson returns undefined instead of throwing', () => {
    assert.deepEqual(parseJson('{"a":1}'), { a: 1 });
    assert.equal(parseJson('{nope'), undefined);
    assert.equal(parseJson(''), undefined);
  });

  it('accepts a well-formed event and keeps only its known fields', () => {
    assert.deepEqual(checkEvent({ ...event, extra: true }), event);
    assert.deepEqual(checkEvent({ ...event, data: null }), { ...event, data: null });
  });

  it('names what is wrong with a malformed event', () => {
    const cases: Array<[unknown, RegExp]> = [
      [null, /not a JSON object/],
      [[event], /not a JSON object/],
      ['text', /not a JSON object/],
      [{ ...event, id: 'news=e-1' }, /"id"/],
      [{ ...event, id: 7 }, /"id"/],
      [{ ...event, channel: 'a,b' }, /"channel"/],
      [{ ...event, type: 3 }, /"type"/],
      [{ ...event, time: '1' }, /"time"/],
      [{ ...event, time: Number.NaN }, /"time"/],
      [{ id: 'e-1', channel: 'news', type: 'x', time: 1 }, /"data"/],
    ];
    for (const [value, message] of cases) {
      const result = checkEvent(value);
      assert.equal(typeof result, 'string', JSON.stringify(value));
      assert.match(result as string, message);
    }
  });

  it('checks hello frames', () => {
    const hello = { v: 1, time: 1, heartbeat: 15000, cursor: 'a=e-0', transport: 'sse' };
    assert.deepEqual(checkHello(hello), hello);
    assert.deepEqual(checkHello({ ...hello, transport: 'long-poll' }), { ...hello, transport: 'long-poll' });
    assert.match(checkHello([]) as string, /not a JSON object/);
    assert.match(checkHello({ ...hello, v: '1' }) as string, /"v"/);
    assert.match(checkHello({ ...hello, time: null }) as string, /"time"/);
    assert.match(checkHello({ ...hello, heartbeat: 0 }) as string, /"heartbeat"/);
    assert.match(checkHello({ ...hello, heartbeat: -5 }) as string, /"heartbeat"/);
    assert.match(checkHello({ ...hello, cursor: 5 }) as string, /"cursor"/);
    assert.match(checkHello({ ...hello, transport: 'websocket' }) as string, /transport/);
  });

  it('checks heartbeat frames', () => {
    assert.deepEqual(checkHeartbeat({ time: 5, other: 1 }), { time: 5 });
    assert.equal(typeof checkHeartbeat({}), 'string');
    assert.equal(typeof checkHeartbeat({ time: Infinity }), 'string');
    assert.equal(typeof checkHeartbeat(null), 'string');
  });

  it('checks gap frames, with a null "from" for readers the server did not know', () => {
    const gap = { channel: 'news', from: 'e-3', to: 'e-10', reason: 'history-exceeded' };
    assert.deepEqual(checkGap(gap), gap);
    assert.deepEqual(checkGap({ ...gap, from: null, reason: 'epoch-changed' }), { ...gap, from: null, reason: 'epoch-changed' });
    assert.match(checkGap(1) as string, /not a JSON object/);
    assert.match(checkGap({ ...gap, channel: '' }) as string, /"channel"/);
    assert.match(checkGap({ ...gap, from: 'nope' }) as string, /"from"/);
    assert.match(checkGap({ ...gap, from: undefined }) as string, /"from"/);
    assert.match(checkGap({ ...gap, to: null }) as string, /"to"/);
    assert.match(checkGap({ ...gap, reason: 'lost' }) as string, /"reason"/);
  });
});
