/**
 * The standalone server as the CLI builds it (endpoints, demo files, JSON
 * for parser errors), in a process of its own so a test can tell whether
 * anything it sent stopped the process. Prints `port <n>` once listening.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { createCometServer } from '../../server/comet-server.js';
import { demoNotify } from '../../server/demo/inbox-samples.js';
import { proxyFromEnv } from '../../server/standalone/proxy-from-env.js';
import { socketsFromEnv } from '../../server/standalone/sockets-from-env.js';
import { createStandaloneServer } from '../../server/standalone.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const comet = createCometServer({
  publishKey: 'fuzz-publish-key',
  tokenSecret: 'fuzz-token-secret',
  publicChannels: ['pub.*', 'presence:pub.*'],
  presence: { anonymous: true },
  pollTimeoutMs: 200,
  bodyTimeoutMs: 300,
  heartbeatMs: 1000,
  allowedOrigins: ['http://app.example'],
  // Behind a proxy on loopback, so X-Forwarded-For is read and fuzzed.
  ...proxyFromEnv({ COMET_TRUST_PROXY: '127.0.0.1,::1' }),
  // Actions run by a hook: a webhook could only fail here, and its 502 is not what this run looks for.
  inbox: { critical: ['security'], onAction: ({ action }) => ({ label: `${action.label} done` }) },
});
const server = createStandaloneServer(
  comet,
  { '/dist/': join(root, 'dist'), '/': join(root, 'demo') },
  demoNotify(comet),
  socketsFromEnv({ COMET_TRUST_PROXY: '127.0.0.1,::1' }),
);
server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as AddressInfo).port}`));
process.on('SIGTERM', () => {
  void comet.close();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
