import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventJson, MAX_DATA_DEPTH } from '../../server/broker/event-json.js';
import { MemoryBroker } from '../../server/broker/memory-broker.js';
import { HttpStatusError } from '../../server/http/http-error.js';
import type { ErrorBody } from '../../src/protocol/messages.js';
import { eventOf, helloOf } from '../support/frames.js';
import { http } from '../support/http-client.js';
import { startServer, uniqueChannel, type TestServer } from '../support/node-server.js';
import { openSse } from '../support/sse-client.js';

const KEY = 'event-data-key';
/** `depth` arrays inside each other, innermost empty: `[[[]]]` is depth 3. */
const nestedText = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const nested = (depth: number): unknown => JSON.parse(nestedText(depth));

describe('event data that always serializes', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ publishKey: KEY });
  });
  after(() => server.close());

  const publish = (body: string) =>
    http(`${server.base}/publish`, { headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' }, body });
  const badData = async (res: Awaited<ReturnType<typeof publish>>): Promise<string> => {
    assert.equal(res.status, 400, res.text);
    const error = res.json<ErrorBody>().error;
    assert.equal(error.code, 'bad-data');
    return error.message;
  };

  it('refuses data nested deeper than 64 with 400 bad-data naming the limit, and accepts exactly 64', async () => {
    // The limit the protocol documents is the one the server keeps (a constant compared with itself would say nothing).
    const documented = Number(/most \*\*(\d+)\*\* levels/.exec(readFileSync(join(import.meta.dirname, '..', '..', 'PROTOCOL.md'), 'utf8'))?.[1]);
    assert.equal(MAX_DATA_DEPTH, documented, 'PROTOCOL.md, "Events": nested at most N levels');
    const channel = uniqueChannel();
    const message = await badData(await publish(`{"channel":"${channel}","data":${nestedText(MAX_DATA_DEPTH + 1)}}`));
    assert.match(message, new RegExp(`${MAX_DATA_DEPTH}`));
    assert.equal((await publish(`{"channel":"${channel}","data":${nestedText(MAX_DATA_DEPTH)}}`)).status, 200);
  });

  it('refuses a 10 KB body nested thousands deep, and the channel and history stay readable', async () => {
    const channel = uniqueChannel();
    const body = `{"channel":"${channel}","data":${nestedText(5000)}}`;
    assert.ok(body.length > 10_000 && body.length < 64 * 1024);
    await badData(await publish(body));
    const history = await http(`${server.base}/history?ch=${channel}`);
    assert.equal(history.status, 200);
    assert.deepEqual(history.json(), { events: [] });
    const poll = await http(`${server.base}/poll?ch=${channel}&wait=0`);
    assert.equal(poll.status, 200);
  });

  it('checks a whole batch before storing any of it: one deep item refuses the batch', async () => {
    const channel = uniqueChannel();
    const items = [`{"channel":"${channel}","data":1}`, `{"channel":"${channel}","data":${nestedText(200)}}`];
    const message = await badData(await publish(`[${items.join(',')}]`));
    assert.match(message, /body\[1\]\.data/);
    assert.deepEqual((await http(`${server.base}/history?ch=${channel}`)).json(), { events: [] }, 'nothing of the batch was stored');
  });

  it('comet.publish() refuses BigInt, cycles, functions, undefined, symbols, NaN, Infinity, holes and non-plain objects', async () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic['self'] = cyclic;
    const cases: Array<[string, unknown, RegExp]> = [
      ['BigInt', { n: 10n }, /bigint/],
      ['a cycle', cyclic, /refers to itself/],
      ['a function', { f: () => 1 }, /function/],
      ['undefined in an object', { u: undefined }, /undefined/],
      ['undefined in an array', [1, undefined], /undefined/],
      ['a symbol', { s: Symbol('x') }, /symbol/],
      ['NaN', { n: NaN }, /non-finite/],
      ['Infinity', [Infinity], /non-finite/],
      ['an array hole', [1, , 3], /hole/], // eslint-disable-line no-sparse-arrays
      ['a Date', { when: new Date() }, /Date/],
      ['a Map', new Map([[1, 2]]), /Map/],
      ['nesting past the limit', nested(MAX_DATA_DEPTH + 1), /nested deeper than 64/],
    ];
    const channel = uniqueChannel();
    for (const [what, data, message] of cases) {
      await assert.rejects(server.comet.publish(channel, data), (error: unknown) => {
        assert.ok(error instanceof HttpStatusError, what);
        assert.equal(error.code, 'bad-data', what);
        assert.match(error.message, message, what);
        return true;
      });
    }
    assert.deepEqual(await server.comet.broker.recent(channel, 10), [], 'nothing was stored');
    // A shared (acyclic) reference is fine: it serializes the same twice.
    const shared = { x: 1 };
    await server.comet.publish(channel, { a: shared, b: shared });
  });

  it('serializes each event once at publish: streams carry exactly the JSON sealed then', async () => {
    const channel = uniqueChannel();
    const stream = await openSse(server.sseUrl([channel]));
    try {
      helloOf(await stream.next());
      const data = { title: 'x', list: [1, 'two', null, { deep: true }] };
      const event = await server.comet.publish(channel, data, 'kind');
      // Mutating the object afterwards does not change what readers get: the JSON was taken at publish.
      data.title = 'changed';
      const frame = await stream.next();
      assert.equal(frame.data, eventJson(event));
      assert.equal((eventOf(frame).data as { title: string }).title, 'x');
      assert.deepEqual(JSON.parse(eventJson(event)), { id: event.id, channel, type: 'kind', data: { ...data, title: 'x' }, time: event.time });
    } finally {
      stream.close();
    }
  });

  it('eventJson serializes an event from elsewhere once and caches it', () => {
    const event = { id: 'e-1', channel: 'c', type: 'message', data: { a: 1 }, time: 1 };
    const first = eventJson(event);
    assert.equal(first, JSON.stringify(event));
    assert.equal(eventJson(event), first);
  });

  it('a broker checks data itself when it is published without a prior check', async () => {
    const broker = new MemoryBroker();
    try {
      await assert.rejects(broker.publish({ channel: 'c', type: 'message', data: { n: 1n } }), /bad-data|bigint/);
      const event = await broker.publish({ channel: 'c', type: 'message', data: [1] });
      assert.equal(eventJson(event), JSON.stringify(event));
    } finally {
      await broker.close();
    }
  });
});
