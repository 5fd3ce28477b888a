/** The tab ↔ hub message checks, without a browser. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { checkTabMessage, toWireError } from '../../src/hub/tab-messages.js';
import { PORT_PROTOCOL_VERSION, SDK_VERSION, checkHubMessage, fromWireError } from '../../src/hub/port-protocol.js';
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
  cursor: 'news=k3x9-4',
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
      { ...hello, cursor: 'news=nope' },
      { ...hello, options: { url: '', withCredentials: false } },
      { ...hello, token: 42 },
      { ...hello, cometkit: PORT_PROTOCOL_VERSION + 1 },
    ]) {
      assert.equal(typeof checkTabMessage(broken), 'string', JSON.stringify(broken));
    }
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
  });
});
