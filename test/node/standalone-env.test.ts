import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { forwardedClient, proxyFromEnv } from '../../server/standalone/proxy-from-env.js';
import { storageFromEnv } from '../../server/standalone/storage-from-env.js';
import { readFileSync } from 'node:fs';
import { envName, flagName, LIMIT_SETTINGS, limitFlagsToEnv, limitsFromEnv } from '../../server/standalone/limits-from-env.js';
import { resolveOptions } from '../../server/options.js';

const request = (headers: Record<string, string | string[]>, remoteAddress = '127.0.0.1'): IncomingMessage =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('standalone server settings from the environment', () => {
  it('uses the memory broker without COMET_REDIS_URL, and refuses a URL that is not redis://', () => {
    assert.deepEqual(storageFromEnv({}), {});
    assert.throws(() => storageFromEnv({ COMET_REDIS_URL: 'http://127.0.0.1:6379' }), /COMET_REDIS_URL must start with redis:\/\/ or rediss:\/\//);
  });

  it('reads the client address from X-Forwarded-For only with COMET_TRUST_PROXY, and only the entry the proxy appended', () => {
    assert.deepEqual(proxyFromEnv({}), {});
    assert.deepEqual(proxyFromEnv({ COMET_TRUST_PROXY: '0' }), {});
    assert.equal(proxyFromEnv({ COMET_TRUST_PROXY: '1' }).clientAddress, forwardedClient);
    // A client may send its own header; nginx appends the address it saw.
    assert.equal(forwardedClient(request({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' })), '203.0.113.7');
    assert.equal(forwardedClient(request({ 'x-forwarded-for': '203.0.113.7' })), '203.0.113.7');
    assert.equal(forwardedClient(request({})), '127.0.0.1', 'without the header, the socket');
    assert.equal(forwardedClient(request({ 'x-forwarded-for': ' ' })), '127.0.0.1');
  });

  it('takes every cap as a flag or a variable named after its option, the flag winning, and refuses what is no positive number', () => {
    assert.equal(envName('maxConnections'), 'COMET_MAX_CONNECTIONS');
    assert.equal(flagName('presence.maxSessions'), '--presence-max-sessions');
    const env: NodeJS.ProcessEnv = { COMET_MAX_CONNECTIONS: '20000', COMET_HEARTBEAT_MS: '5000' };
    limitFlagsToEnv(['node', 'cli.js', '--max-connections', '50000', '--presence-max-sessions', '300'], env);
    const options = limitsFromEnv(env);
    assert.equal(options.maxConnections, 50_000, 'the flag wins');
    assert.equal(options.heartbeatMs, 5000);
    assert.equal(options.presence?.maxSessions, 300);
    assert.equal(resolveOptions(options, {}).maxConnections, 50_000, 'what the server is given is what it holds');
    assert.throws(() => limitFlagsToEnv(['--max-connections'], {}), /--max-connections takes a positive number/);
    assert.throws(() => limitFlagsToEnv(['--max-connections', '-5'], {}), /--max-connections takes a positive number/);
    assert.throws(() => limitsFromEnv({ COMET_MAX_CONNECTIONS: '10k' }), /COMET_MAX_CONNECTIONS must be a positive number/);
  });

  it('divides what each worker holds for itself by --workers, rounding up, and leaves per-request caps as they are', () => {
    const options = limitsFromEnv({ COMET_WORKERS: '4', COMET_MAX_CONNECTIONS: '50001', COMET_MAX_STREAM_STARTS_PER_SECOND: '2000', COMET_MAX_STREAMS_PER_USER: '64', COMET_PRESENCE_MAX_SESSIONS: '100' });
    assert.equal(options.maxConnections, 12_501);
    assert.equal(options.maxStreamStartsPerSecond, 500);
    assert.equal(options.presence?.maxSessions, 25);
    assert.equal(options.maxStreamsPerUser, 64);
  });

  it('covers every option named in PROTOCOL.md\'s limits table', () => {
    const protocol = readFileSync(new URL('../../PROTOCOL.md', import.meta.url), 'utf8');
    const table = protocol.slice(protocol.indexOf('## Limits (reference server defaults)'), protocol.indexOf('### Setting limits without code'));
    const named = new Set<string>();
    for (const row of table.split('\n').filter((line) => line.startsWith('| '))) {
      const cell = row.split('|')[3] ?? '';
      for (const match of cell.matchAll(/`([a-zA-Z.]+)`/g)) named.add(match[1]!);
    }
    // Objects (a rate, the idempotency store) are set in code; Node's own limits are Node's.
    const objects = new Set(['send.rate', 'send.idempotency', 'maxHeaderSize', 'headersTimeout']);
    const settable = new Set(LIMIT_SETTINGS.map((setting) => setting.option));
    const missing = [...named].filter((option) => !settable.has(option) && !objects.has(option));
    assert.ok(named.size > 20, `read ${named.size} options from the table`);
    assert.deepEqual(missing, []);
  });
});
