/** The tab ↔ hub message checks, without a browser. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkHubOptions, checkTabMessage, toWireError } from '../../src/hub/tab-messages.js';
import { CLIENT_OPTIONS, HUB_OPTION_NAMES, optionProblem, type ClientOptions } from '../../src/hub/client-options.js';
import { checkHubMessage, fromWireError } from '../../src/hub/hub-messages.js';
import { PORT_PROTOCOL_VERSION, SDK_VERSION } from '../../src/hub/port-protocol.js';
import { HttpStatusError, isHttpStatusError } from '../../src/errors/http-status-error.js';

const hello = {
  cometkit: PORT_PROTOCOL_VERSION,
  type: 'hello',
  tab: 'abc123',
  secret: 'Qm9vdGVkIGZyb20gYSB0YWI',
  sdk: SDK_VERSION,
  options: { url: 'https://push.example.com/comet', withCredentials: false },
  token: null,
  tokenFunction: false,
  channels: ['news'],
  cursor: new Map([['news', { epoch: 'k3x9', seq: 4 }]]),
};

describe('port protocol', () => {
  it('carries the package version, so a mismatch names real releases', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(SDK_VERSION, pkg.version);
  });

  it('accepts a well-formed hello and rejects each broken field', () => {
    assert.equal(typeof checkTabMessage(hello), 'object');
    for (const broken of [
      { ...hello, tab: 'has space' },
      { ...hello, secret: undefined },
      { ...hello, secret: 'too-short-to-be-safe' },
      { ...hello, secret: 'has space but is long enough' },
      { ...hello, channels: ['bad channel'] },
      { ...hello, cursor: 'news=k3x9-4' },
      { ...hello, cursor: new Map([['news', { epoch: 'k3x9', seq: -1 }]]) },
      { ...hello, cursor: new Map([['news', { epoch: 'k3x9', seq: 1.5 }]]) },
      { ...hello, cursor: new Map([['bad channel', { epoch: 'k3x9', seq: 4 }]]) },
      { ...hello, cursor: new Map([['news', 'k3x9-4']]) },
      { ...hello, options: { url: '', withCredentials: false } },
      { ...hello, token: 42 },
      { ...hello, cometkit: PORT_PROTOCOL_VERSION + 1 },
    ]) {
      assert.equal(typeof checkTabMessage(broken), 'string', JSON.stringify(broken));
    }
  });

  it('keeps a hello\'s declared fields only, with the cursor as a copy', () => {
    const checked = checkTabMessage(structuredClone({ ...hello, extra: 'dropped' }));
    assert.ok(typeof checked === 'object' && checked.type === 'hello');
    assert.equal('extra' in checked, false);
    assert.deepEqual([...checked.cursor], [['news', { epoch: 'k3x9', seq: 4 }]]);
    assert.notEqual(checked.cursor, hello.cursor);
  });

  it('refuses a type that is only a name on the schema\'s prototype', () => {
    for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      assert.equal(typeof checkTabMessage({ cometkit: PORT_PROTOCOL_VERSION, type, tab: 'abc123', secret: hello.secret }), 'string', type);
      assert.equal(typeof checkHubMessage({ cometkit: PORT_PROTOCOL_VERSION, type }), 'string', type);
    }
  });

  it('takes an event from the hub with the position its id was parsed into, and refuses one whose position is not its id\'s', () => {
    const event = { id: 'k3x9-5', channel: 'news', type: 'message', data: { n: 5 }, time: 1, position: { epoch: 'k3x9', seq: 5 } };
    const checked = checkHubMessage(structuredClone({ cometkit: PORT_PROTOCOL_VERSION, type: 'event', event }));
    assert.ok(typeof checked === 'object' && checked.type === 'event');
    assert.deepEqual(checked.event.position, { epoch: 'k3x9', seq: 5 });
    // The page's copy is the event as published: its position is there to read, not to see.
    assert.deepEqual(Object.keys(checked.event), ['id', 'channel', 'type', 'data', 'time']);
    for (const broken of [
      { ...event, position: { epoch: 'k3x9', seq: 6 } },
      { ...event, position: { epoch: 'other', seq: 5 } },
      { ...event, position: undefined },
      { ...event, position: 'k3x9-5' },
    ]) {
      assert.equal(typeof checkHubMessage({ cometkit: PORT_PROTOCOL_VERSION, type: 'event', event: broken }), 'string', JSON.stringify(broken));
    }
  });

  it('takes a gap with the parsed position it continues after, and positions as a Map', () => {
    const gap = { channel: 'news', from: null, to: 'k3x9-9', reason: 'history-exceeded', position: { epoch: 'k3x9', seq: 9 } };
    assert.equal(typeof checkHubMessage({ cometkit: PORT_PROTOCOL_VERSION, type: 'gap', gap }), 'object');
    assert.equal(typeof checkHubMessage({ cometkit: PORT_PROTOCOL_VERSION, type: 'gap', gap: { ...gap, to: 'k3x9-8' } }), 'string');
    const positions = checkHubMessage({ cometkit: PORT_PROTOCOL_VERSION, type: 'positions', cursor: new Map([['news', { epoch: 'k3x9', seq: 9 }]]) });
    assert.ok(typeof positions === 'object' && positions.type === 'positions');
    assert.deepEqual([...positions.cursor], [['news', { epoch: 'k3x9', seq: 9 }]]);
    assert.equal(typeof checkHubMessage({ cometkit: PORT_PROTOCOL_VERSION, type: 'positions', cursor: 'news=k3x9-9' }), 'string');
  });

  it('takes a transport decision field by field, and drops one with a field no decision holds', () => {
    const decision = { time: 1_700_000_000_000, reason: 'hello-timeout', transport: 'long-poll', previous: 'sse', detail: 'x'.repeat(600) };
    const read = checkHubMessage({ cometkit: PORT_PROTOCOL_VERSION, type: 'decision', decision });
    assert.ok(typeof read === 'object' && read.type === 'decision');
    assert.deepEqual(read.decision, { ...decision, detail: 'x'.repeat(500) });
    for (const broken of [null, [], { ...decision, time: Number.NaN }, { ...decision, reason: 'toString' }, { ...decision, transport: 'websocket' }, { ...decision, probed: 'ws' }, { ...decision, detail: 7 }]) {
      assert.equal(typeof checkHubMessage({ cometkit: PORT_PROTOCOL_VERSION, type: 'decision', decision: broken }), 'string', JSON.stringify(broken));
    }
  });

  it('checks every client option by its registry entry, where the page gives it', () => {
    for (const name of Object.keys(CLIENT_OPTIONS) as Array<keyof ClientOptions>) {
      // Left out is fine for every option but the URL.
      assert.equal(optionProblem(name, undefined) === undefined, name !== 'url', name);
    }
    const bad: Array<[keyof ClientOptions, unknown]> = [
      ['url', ''],
      ['reconnect', { baseDelayMs: -1 }],
      ['reconnect', 'fast'],
      ['helloTimeoutMs', Number.NaN],
      ['batchDelayMs', '10'],
      ['withCredentials', 'yes'],
      ['transports', []],
      ['transports', ['websocket']],
      ['ladder', { strikes: -2 }],
      ['ladder', { storage: null }],
      ['host', 'iframe'],
      ['hub', ''],
      ['identity', { name: 'no user' }],
      ['token', 42],
      ['workerUrl', 7],
    ];
    for (const [name, value] of bad) assert.match(optionProblem(name, value) ?? '', new RegExp(`^Invalid \`${name}\``), `${name}: ${JSON.stringify(value)}`);
    assert.equal(optionProblem('reconnect', { baseDelayMs: 100, maxDelayMs: 1000 }), undefined);
    assert.equal(optionProblem('workerUrl', new URL('https://example.com/worker.js')), undefined);
  });

  it('hands the hub the options its registry entries say reach it, checked again, and nothing else', () => {
    assert.deepEqual(HUB_OPTION_NAMES, ['url', 'withCredentials', 'reconnect', 'helloTimeoutMs', 'batchDelayMs', 'transports', 'ladder']);
    const options = { url: 'https://push.example.com/comet', batchDelayMs: 5, hub: 'mine', identity: { user: 'u' }, extra: true };
    // What a hello leaves out is its entry's default, the one the hub's Upstream runs with.
    assert.deepEqual(checkHubOptions(options), { url: options.url, withCredentials: false, helloTimeoutMs: 10_000, batchDelayMs: 5 });
    assert.equal(checkHubOptions({ url: options.url, helloTimeoutMs: null }), undefined, 'null is no default');
    assert.equal(checkHubOptions({ url: options.url, ladder: { strikes: -1 } }), undefined);
    assert.equal(checkHubOptions({ withCredentials: true }), undefined, 'no url');
    assert.equal(typeof checkTabMessage({ ...hello, options: { url: options.url, reconnect: { maxDelayMs: 'soon' } } }), 'string');
  });

  it('reads a refusal, and a welcome of another version, as a refusal', () => {
    const refused = checkHubMessage({ cometkit: 7, type: 'refused', sdk: '7.0.0', message: 'no' });
    assert.deepEqual(refused, { cometkit: 7, type: 'refused', sdk: '7.0.0', message: 'no' });
    const welcome = checkHubMessage({ cometkit: 7, type: 'welcome', sdk: '7.0.0', host: 'shared-worker', state: 'open', transport: 'sse' });
    assert.equal(typeof welcome === 'object' && welcome.type, 'refused');
  });

  it('rebuilds errors that crossed a port, HTTP status included', () => {
    const original = new HttpStatusError(503, 'internal', 'Down');
    const rebuilt = fromWireError(structuredClone(toWireError(original)));
    assert.ok(isHttpStatusError(rebuilt));
    assert.equal(rebuilt.message, original.message);
    assert.equal(rebuilt.retryable, true);
    // Any other error keeps its name, which a guard reads, as a non-enumerable field that can still be changed.
    const other = fromWireError({ name: 'StreamTimeoutError', code: 'stream-timeout', message: 'No hello.', status: undefined });
    assert.equal(other.name, 'StreamTimeoutError');
    assert.deepEqual(Object.getOwnPropertyDescriptor(other, 'name'), { value: 'StreamTimeoutError', enumerable: false, configurable: true, writable: true });
  });
});
