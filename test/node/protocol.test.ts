import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHANNEL_PATTERN, channelAllowed, channelMatches, isValidChannel } from '../../src/protocol/channel.js';
import { MAX_CURSOR_LENGTH, checkCursor, formatCursor, parseCursor, type Cursor } from '../../src/protocol/cursor.js';
import { MAX_RECONNECT_AFTER_MS, checkEvent, checkGap, checkHeartbeat, checkHello, checkReconnect, parseJson } from '../../src/protocol/validate.js';
import { parsePosition } from '../../src/protocol/position.js';

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

  it('reads nothing from a malformed cursor, and checkCursor says which entry and why', () => {
    for (const text of ['news', 'news=', '=e-1', 'news=e', 'news=e-1,', ',news=e-1', 'bad*=e-1', 'a=e-1,b', 'a=e-1;b=e-2']) {
      assert.equal(parseCursor(text), undefined, JSON.stringify(text));
      const result = checkCursor(text);
      assert.equal(typeof result, 'string', JSON.stringify(text));
      assert.match(result as string, /channel=epoch-seq/);
    }
    // The position's own reason follows the entry, from the position gate.
    assert.equal(checkCursor('news=e'), 'cursor entry "news=e" is not of the form channel=epoch-seq: position "e" has no "-" between epoch and seq');
    assert.match(checkCursor('a=e-1,b=E-2') as string, /^cursor entry "b=E-2" .*: position "E-2" has no valid epoch: use 1-16 of a-z 0-9$/);
    assert.match(checkCursor('a=e-1.5') as string, /position "e-1\.5" has no valid seq/);
    // A bad channel has no position to explain.
    assert.equal(checkCursor('bad*=e-1'), 'cursor entry "bad*=e-1" is not of the form channel=epoch-seq');
  });

  it('checkCursor reads a good cursor into its positions, one per channel', () => {
    // Written out rather than compared with parseCursor: checkCursor returns parseCursor's result, so that comparison could not fail.
    assert.deepEqual(
      checkCursor('news=k3x9-42,ticker=k3x9-7'),
      new Map([
        ['news', { epoch: 'k3x9', seq: 42 }],
        ['ticker', { epoch: 'k3x9', seq: 7 }],
      ]),
    );
    assert.deepEqual(checkCursor('news=k3x9-1,news=k3x9-9'), new Map([['news', { epoch: 'k3x9', seq: 9 }]]), 'a repeated channel keeps its last position');
    assert.deepEqual(checkCursor(''), new Map());
  });

  it('refuses cursors longer than the bound before parsing them', () => {
    const entries: string[] = [];
    for (let i = 0; entries.join(',').length <= MAX_CURSOR_LENGTH; i += 1) entries.push(`channel${i}=e-${i}`);
    assert.equal(parseCursor(entries.join(',')), undefined);
    const result = checkCursor(entries.join(','));
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

  it('accepts a well-formed event, keeps only its known fields, and hands it on with its id parsed', () => {
    const position = parsePosition(event.id);
    assert.ok(position);
    assert.deepEqual(checkEvent({ ...event, extra: true }), { ...event, position });
    assert.deepEqual(checkEvent({ ...event, data: null }), { ...event, data: null, position });
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
    // The position the stream continues after comes parsed, so no later layer reads `to` again.
    const position = { epoch: 'e', seq: 10 };
    assert.deepEqual(checkGap(gap), { ...gap, position });
    assert.deepEqual(checkGap({ ...gap, from: null, reason: 'epoch-changed' }), { ...gap, from: null, reason: 'epoch-changed', position });
    assert.match(checkGap(1) as string, /not a JSON object/);
    assert.match(checkGap({ ...gap, channel: '' }) as string, /"channel"/);
    assert.match(checkGap({ ...gap, from: 'nope' }) as string, /"from"/);
    assert.match(checkGap({ ...gap, from: undefined }) as string, /"from"/);
    assert.match(checkGap({ ...gap, to: null }) as string, /"to"/);
    assert.match(checkGap({ ...gap, reason: 'lost' }) as string, /"reason"/);
  });
});

describe('reconnect frames', () => {
  it('takes a delay of zero or more, caps one past 5 minutes, and refuses anything else', () => {
    assert.equal(checkReconnect({ after: 4210, reason: 'drain' }), 4210);
    assert.equal(checkReconnect({ after: 0 }), 0, 'the reason changes nothing for a client');
    // A server (or whatever answers in its place) cannot park a client for days with one frame.
    assert.equal(checkReconnect({ after: 86_400_000, reason: 'drain' }), MAX_RECONNECT_AFTER_MS);
    for (const bad of [null, 'soon', [], {}, { after: -1 }, { after: 'later' }, { after: Number.NaN }, { after: Infinity }]) {
      assert.equal(typeof checkReconnect(bad), 'string', JSON.stringify(bad));
    }
  });
});
