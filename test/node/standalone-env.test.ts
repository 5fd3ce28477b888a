import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import { inboxFromEnv } from '../../server/standalone/inbox-from-env.js';
import { forwardedClient, proxyFromEnv } from '../../server/standalone/proxy-from-env.js';
import { storageFromEnv } from '../../server/standalone/storage-from-env.js';

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

  it('reads the inbox\'s critical categories, webhook and snooze poll, and refuses a webhook without its secret', () => {
    assert.deepEqual(inboxFromEnv({}), {});
    assert.deepEqual(inboxFromEnv({ COMET_INBOX_CRITICAL: 'security, billing,,', COMET_INBOX_SNOOZE_POLL_MS: '250' }), { critical: ['security', 'billing'], snoozePollMs: 250 });
    assert.deepEqual(inboxFromEnv({ COMET_INBOX_WEBHOOK_URL: 'https://app.example/hooks', COMET_INBOX_WEBHOOK_SECRET: 's'.repeat(32) }).webhook, { url: 'https://app.example/hooks', secret: 's'.repeat(32) });
    assert.throws(() => inboxFromEnv({ COMET_INBOX_WEBHOOK_URL: 'https://app.example/hooks' }), /both COMET_INBOX_WEBHOOK_URL and COMET_INBOX_WEBHOOK_SECRET/);
    assert.throws(() => inboxFromEnv({ COMET_INBOX_WEBHOOK_SECRET: 's'.repeat(32) }), /both/);
  });
});
