import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { clientAddressBehind, trustedProxies } from '../../server/http/trusted-proxies.js';
import { proxyFromEnv, trustedProxiesFromEnv } from '../../server/standalone/proxy-from-env.js';
import { socketsFromEnv } from '../../server/standalone/sockets-from-env.js';
import { inboxFromEnv } from '../../server/standalone/inbox-from-env.js';
import { storageFromEnv } from '../../server/standalone/storage-from-env.js';
import { readFileSync } from 'node:fs';
import { envName, flagName, LIMIT_SETTINGS, limitsFromEnv } from '../../server/standalone/limits-from-env.js';
import { parseCli } from '../../server/standalone/cli-args.js';
import { resolveOptions } from '../../server/options.js';

const request = (headers: Record<string, string | string[]>, remoteAddress = '127.0.0.1'): IncomingMessage =>
  ({ headers, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe('standalone server settings from the environment', () => {
  it('uses the memory broker without COMET_REDIS_URL, and refuses a URL that is not redis://', () => {
    assert.deepEqual(storageFromEnv({}), {});
    assert.throws(() => storageFromEnv({ COMET_REDIS_URL: 'http://127.0.0.1:6379' }), /COMET_REDIS_URL must start with redis:\/\/ or rediss:\/\//);
  });

  it('reads COMET_REDIS_TIMEOUT_MS and COMET_REDIS_MAX_PENDING as positive whole numbers, naming a bad one', () => {
    const url = 'redis://127.0.0.1:1';
    for (const bad of ['0', '-5', '1.5', 'soon', '1e3']) {
      assert.throws(() => storageFromEnv({ COMET_REDIS_URL: url, COMET_REDIS_TIMEOUT_MS: bad }), /COMET_REDIS_TIMEOUT_MS must be a positive whole number/);
      assert.throws(() => storageFromEnv({ COMET_REDIS_URL: url, COMET_REDIS_MAX_PENDING: bad }), /COMET_REDIS_MAX_PENDING must be a positive whole number/);
    }
  });

  it('reads the socket bounds as positive whole numbers, and exempts the listed proxies from the per-address cap', () => {
    assert.deepEqual(socketsFromEnv({}), {});
    const sockets = socketsFromEnv({
      COMET_HEADERS_TIMEOUT_MS: '4000',
      COMET_REQUEST_TIMEOUT_MS: '20000',
      COMET_KEEP_ALIVE_TIMEOUT_MS: '3000',
      COMET_MAX_SOCKETS_PER_ADDRESS: '300',
      COMET_TRUST_PROXY: '10.0.0.0/8',
    });
    assert.deepEqual({ ...sockets, trustedProxies: sockets.trustedProxies?.entries }, {
      headersTimeoutMs: 4000,
      requestTimeoutMs: 20000,
      keepAliveTimeoutMs: 3000,
      maxSocketsPerAddress: 300,
      trustedProxies: ['10.0.0.0/8'],
    });
    for (const name of ['COMET_HEADERS_TIMEOUT_MS', 'COMET_MAX_SOCKETS_PER_ADDRESS']) {
      assert.throws(() => socketsFromEnv({ [name]: '0' }), new RegExp(`${name} must be a positive whole number`));
    }
  });

  it('takes COMET_TRUST_PROXY as a list of addresses and CIDR ranges, and refuses the old 1 with the new format in the message', () => {
    assert.deepEqual(proxyFromEnv({}), {});
    assert.deepEqual(proxyFromEnv({ COMET_TRUST_PROXY: '0' }), {});
    assert.equal(trustedProxiesFromEnv({}), undefined);
    for (const old of ['1', 'true', 'yes']) {
      assert.throws(() => proxyFromEnv({ COMET_TRUST_PROXY: old }), /no longer trusts every peer.*COMET_TRUST_PROXY=127\.0\.0\.1,::1/);
    }
    for (const bad of ['10.0.0.0/33', 'nginx', '10.0.0.0/8/1', '::1/129', '10.0.0.0/']) {
      assert.throws(() => proxyFromEnv({ COMET_TRUST_PROXY: bad }), /COMET_TRUST_PROXY: ".*" is not an IP address or CIDR range/, bad);
    }
    const proxies = trustedProxiesFromEnv({ COMET_TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1,fd00::/8' })!;
    assert.deepEqual(proxies.entries, ['127.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']);
    for (const trusted of ['127.0.0.1', '::ffff:127.0.0.1', '10.200.3.4', '::1', 'fd12::9']) assert.equal(proxies.has(trusted), true, trusted);
    for (const other of ['127.0.0.2', '11.0.0.1', '::2', 'fe80::1', 'junk', '']) assert.equal(proxies.has(other), false, other);
  });

  it('reads X-Forwarded-For only from a trusted peer, walking from the right past trusted hops', () => {
    const client = clientAddressBehind(trustedProxies(['127.0.0.1', '10.0.0.0/8']));
    // A direct client is its own address, whatever it writes.
    assert.equal(client(request({ 'x-forwarded-for': '203.0.113.7' }, '198.51.100.9')), '198.51.100.9');
    // nginx on loopback appended what it saw; the client's own entries to the left prove nothing.
    assert.equal(client(request({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' })), '203.0.113.7');
    // Two trusted hops (a load balancer in 10/8, then nginx): the first untrusted from the right.
    assert.equal(client(request({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.1.2.3' })), '203.0.113.7');
    assert.equal(client(request({ 'x-forwarded-for': ['6.6.6.6', '203.0.113.7, 10.1.2.3'] })), '203.0.113.7', 'repeated headers read as one list');
    assert.equal(client(request({ 'x-forwarded-for': '10.9.9.9, 10.1.2.3' })), '10.9.9.9', 'every hop trusted: the leftmost');
    assert.equal(client(request({})), '127.0.0.1', 'without the header, the peer');
    assert.equal(client(request({ 'x-forwarded-for': ' ' })), '127.0.0.1');
    assert.equal(client(request({ 'x-forwarded-for': '::ffff:203.0.113.7' })), '203.0.113.7');
  });

  it('reads the inbox\'s critical categories, webhook and snooze poll, and refuses a webhook without its secret', () => {
    assert.deepEqual(inboxFromEnv({}), {});
    assert.deepEqual(inboxFromEnv({ COMET_INBOX_CRITICAL: 'security, billing,,', COMET_INBOX_SNOOZE_POLL_MS: '250' }), { critical: ['security', 'billing'], snoozePollMs: 250 });
    assert.deepEqual(inboxFromEnv({ COMET_INBOX_WEBHOOK_URL: 'https://app.example/hooks', COMET_INBOX_WEBHOOK_SECRET: 's'.repeat(32) }).webhook, { url: 'https://app.example/hooks', secret: 's'.repeat(32) });
    assert.throws(() => inboxFromEnv({ COMET_INBOX_WEBHOOK_URL: 'https://app.example/hooks' }), /both COMET_INBOX_WEBHOOK_URL and COMET_INBOX_WEBHOOK_SECRET/);
    assert.throws(() => inboxFromEnv({ COMET_INBOX_WEBHOOK_SECRET: 's'.repeat(32) }), /both/);
  });

  it('takes every cap as a flag or a variable named after its option, the flag winning, and refuses what is no positive number', () => {
    assert.equal(envName('maxConnections'), 'COMET_MAX_CONNECTIONS');
    assert.equal(flagName('presence.maxSessions'), '--presence-max-sessions');
    const request = parseCli(['--max-connections', '50000', '--presence-max-sessions', '300'], { COMET_MAX_CONNECTIONS: '20000', COMET_HEARTBEAT_MS: '5000' });
    assert.equal(request.kind, 'serve');
    const options = limitsFromEnv(request.kind === 'serve' ? request.settings.env : {});
    assert.equal(options.maxConnections, 50_000, 'the flag wins');
    assert.equal(options.heartbeatMs, 5000);
    assert.equal(options.presence?.maxSessions, 300);
    assert.equal(resolveOptions(options, {}).maxConnections, 50_000, 'what the server is given is what it holds');
    assert.throws(() => parseCli(['--max-connections'], {}), /--max-connections/);
    const negative = parseCli(['--max-connections=-5'], {});
    assert.throws(() => limitsFromEnv(negative.kind === 'serve' ? negative.settings.env : {}), /COMET_MAX_CONNECTIONS must be a positive number/);
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
    // Set through variables of their own: sockets-from-env.ts, storage-from-env.ts, inbox-from-env.ts.
    for (const option of ['headersTimeoutMs', 'requestTimeoutMs', 'keepAliveTimeoutMs', 'maxSocketsPerAddress', 'commandTimeoutMs', 'maxPendingCommands', 'inbox.snoozePollMs']) objects.add(option);
    // Not yet settable without code: the inbox webhook's and actions' timings (three levels deep, or named alike elsewhere).
    for (const option of ['inbox.webhook.maxQueue', 'inbox.webhook.attempts', 'retryMs', 'timeoutMs', 'inbox.actionWaitMs']) objects.add(option);
    const settable = new Set(LIMIT_SETTINGS.map((setting) => setting.option));
    const missing = [...named].filter((option) => !settable.has(option) && !objects.has(option));
    assert.ok(named.size > 20, `read ${named.size} options from the table`);
    assert.deepEqual(missing, []);
  });
});
