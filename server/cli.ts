#!/usr/bin/env node
/**
 * `cometkit-server`: the reference server standalone. Flags and their
 * environment variables are in `cometkit-server --help` (server/standalone/cli-args.ts);
 * the other COMET_* variables configure it as in the README. With a Redis URL
 * events and presence live in Redis, and `--workers N` runs N processes on the port.
 */
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadJose } from './auth/jose.js';
import { DRAIN_WINDOW_DEFAULT_MS } from './options.js';
import { createCometServer, type CometServer } from './comet-server.js';
import { demoChatSends } from './demo/chat-policy.js';
import { startDemoGenerator } from './demo/generator.js';
import { DEMO_CRITICAL, demoInboxAction, demoNotify } from './demo/inbox-samples.js';
import { HttpStatusError, sendError } from './http/http-error.js';
import { MissingDependencyError } from './optional-dependency.js';
import { redisClientModule } from './redis/redis-connection.js';
import { createStandaloneServer, LISTEN_BACKLOG } from './standalone.js';
import { limitsFromEnv } from './standalone/limits-from-env.js';
import { CliUsageError, HELP, parseCli, type CliSettings } from './standalone/cli-args.js';
import { DEV_TOKEN_PATH, DEV_TOKEN_SECONDS, devTokens } from './standalone/dev-tokens.js';
import { listenFailure, LISTEN_FAILED_EXIT } from './standalone/listen-failure.js';
import { inboxFromEnv } from './standalone/inbox-from-env.js';
import { proxyFromEnv } from './standalone/proxy-from-env.js';
import { socketsFromEnv } from './standalone/sockets-from-env.js';
import { storageFromEnv } from './standalone/storage-from-env.js';
import { runWorkers } from './standalone/workers.js';
import { stopGracefully } from './standalone/graceful-stop.js';
import { pushFromEnv } from './standalone/push-from-env.js';
import { generateVapidKeys } from './push/vapid.js';
import { loadWebPush } from './push/web-push-module.js';
import { answerWorkers, workerGroupOverIpc } from './standalone/worker-ipc.js';
import { metricsEnabled, metricsFromEnv } from './standalone/metrics-from-env.js';
import { promClientModule } from './metrics/prom-client-module.js';

/** The package's folder, from the build (dist/server/cli.js) or the sources (server/cli.ts through tsx). */
const root = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 4; depth += 1) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cometkit') return dir;
    dir = dirname(dir);
  }
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..');
})();

void main();

async function main(): Promise<void> {
  let settings: CliSettings;
  try {
    const request = parseCli(process.argv.slice(2), process.env);
    if (request.kind === 'help') return console.log(HELP);
    if (request.kind === 'vapid-keys') return printVapidKeys();
    if (request.kind === 'version') return console.log((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version);
    settings = request.settings;
    await checkDependencies(settings);
  } catch (error) {
    if (!(error instanceof CliUsageError) && !(error instanceof MissingDependencyError)) throw error;
    console.error(`cometkit-server: ${error.message.replace(/^cometkit server: /, '')}`);
    process.exit(2);
  }
  // Keys made up here are made once, in the primary, so every worker accepts the same ones.
  const made = cluster.isPrimary ? generatedSecrets(settings) : {};
  const run = { ...settings, env: { ...settings.env, ...made } };
  const madeKey = made['COMET_PUBLISH_KEY'] !== undefined;
  if (settings.workers > 1 && cluster.isPrimary) {
    // The demo's publisher runs in slot 1 only, or each worker would publish the demo's events.
    answerWorkers();
    runWorkers(
      settings.workers,
      (slot) => ({ ...run.env, COMET_WORKER_SLOT: String(slot), COMET_WORKERS: String(settings.workers) }),
      (address) => announce(run, madeKey, Number(address.slice(address.lastIndexOf(':') + 1)), '/comet', ` (${settings.workers} workers on Redis)`),
      drainWindowOf(run.env),
    );
  } else {
    serve(run, madeKey);
  }
}

/** The workers' drain window, as each worker reads it (checked there: a bad value stops the worker with a message). */
function drainWindowOf(env: NodeJS.ProcessEnv): number {
  try {
    return limitsFromEnv(env).drainWindowMs ?? DRAIN_WINDOW_DEFAULT_MS;
  } catch {
    return DRAIN_WINDOW_DEFAULT_MS;
  }
}

/** A new pair, as lines for an environment file: the private key is a secret, and the pair is for good (a new one orphans every subscription). */
function printVapidKeys(): void {
  const { publicKey, privateKey } = generateVapidKeys();
  console.log(`COMET_VAPID_PUBLIC_KEY=${publicKey}\nCOMET_VAPID_PRIVATE_KEY=${privateKey}\nCOMET_VAPID_SUBJECT=mailto:you@example.com`);
}

/** The optional packages these settings need, checked before any process starts: one line saying what to install. */
async function checkDependencies({ env, dev }: CliSettings): Promise<void> {
  if (dev || env['COMET_TOKEN_SECRET'] || env['COMET_TOKEN_PUBLIC_KEY'] || env['COMET_TOKEN_JWKS_URL']) await loadJose();
  if (env['COMET_REDIS_URL'] || env['COMET_REDIS_CLUSTER']) redisClientModule();
  if (env['COMET_VAPID_PUBLIC_KEY']) await loadWebPush();
  if (metricsEnabled(env)) promClientModule();
}

/**
 * Without COMET_PUBLISH_KEY publishing is off, as the README says, except for
 * --dev and --demo, where a key made up per start (and printed) lets the curl
 * examples work. --dev signs its tokens with COMET_TOKEN_SECRET, or one made up per start.
 */
function generatedSecrets({ env, dev, demo }: CliSettings): NodeJS.ProcessEnv {
  const made: NodeJS.ProcessEnv = {};
  if (!env['COMET_PUBLISH_KEY'] && (dev || demo)) made['COMET_PUBLISH_KEY'] = randomBytes(16).toString('base64url');
  if (!env['COMET_TOKEN_SECRET'] && dev) made['COMET_TOKEN_SECRET'] = randomBytes(32).toString('base64url');
  return made;
}

function announce({ env, host, demo, dev }: CliSettings, madeKey: boolean, boundPort: number, basePath: string, extra = ''): void {
  const shown = host.includes(':') ? `[${host}]` : host;
  const base = `http://${shown}:${boundPort}`;
  console.log(demo ? `cometkit demo on ${base}/${extra}` : `cometkit server on ${base}${basePath}${extra}`);
  const publishKey = env['COMET_PUBLISH_KEY'];
  if (!publishKey) {
    console.log('publishing over HTTP is off: give a key with --publish-key or COMET_PUBLISH_KEY to turn it on');
  } else {
    console.log(madeKey ? `publish key (new on every start; set COMET_PUBLISH_KEY to keep one): ${publishKey}` : 'publish key: the one given (COMET_PUBLISH_KEY / --publish-key)');
    console.log(
      `try: curl -X POST ${base}${basePath}/publish -H 'Authorization: Bearer ${madeKey ? publishKey : '<your key>'}' ` +
        `-H 'Content-Type: application/json' -d '{"channel":"demo.news","type":"headline","data":{"title":"Hello from curl"}}'`,
    );
  }
  if (dev) {
    const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
    console.warn(
      `\n!! DEVELOPMENT MODE (--dev): ${base}${basePath}${DEV_TOKEN_PATH}?user=<name> hands a token (${DEV_TOKEN_SECONDS / 60} min) for ANY user to whoever asks.\n` +
        `!! Every channel is public. Never run --dev where others can reach it${loopback ? '' : ` — this one listens on ${host}, not on loopback`}.\n`,
    );
  }
}

function serve(settings: CliSettings, madeKey: boolean): void {
  const { env, demo, dev } = settings;
  // The server reads its other COMET_* settings from the environment: the flags are written over it.
  Object.assign(process.env, env);
  const comet = cometFromSettings(settings);
  const files = demo ? { '/dist/': join(root, 'dist'), '/': join(root, 'demo') } : undefined;
  const tokens = dev ? devTokens(comet, env['COMET_TOKEN_SECRET']!) : noDevTokens(comet.options.basePath);
  const notify = demo ? demoNotify(comet) : undefined;
  const extra = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => (await tokens(req, res)) || ((await notify?.(req, res)) ?? false);
  const server = createStandaloneServer(comet, files, extra, socketsFromEnv());
  const publishesDemo = demo && (env['COMET_WORKER_SLOT'] ?? '1') === '1';
  const stopDemo = publishesDemo ? startDemoGenerator(comet) : () => {};

  server.once('error', (error: NodeJS.ErrnoException) => {
    // A busy port is the commonest first failure: one line that says what to do, not a stack.
    console.error(`cometkit-server: ${listenFailure(error, settings.host, settings.port)}`);
    stopDemo();
    void comet.close();
    process.exit(LISTEN_FAILED_EXIT);
  });
  server.listen({ port: settings.port, host: settings.host, backlog: LISTEN_BACKLOG }, () => {
    // The port actually bound: PORT=0 picks a free one. Workers leave the announcement to the primary.
    if (cluster.isPrimary) announce(settings, madeKey, (server.address() as AddressInfo).port, comet.options.basePath);
  });

  stopGracefully(server, comet, { windowMs: comet.options.drainWindowMs, onStop: stopDemo });
}

function cometFromSettings({ env, demo, dev }: CliSettings): CometServer {
  try {
    const limits = limitsFromEnv(env);
    const storage = storageFromEnv(env);
    return createCometServer({
      ...limits,
      ...storage,
      ...proxyFromEnv(env),
      ...metricsFromEnv(env),
      // A worker's /health and /metrics speak for every worker on the port.
      ...(cluster.isWorker ? { workers: workerGroupOverIpc() } : {}),
      // The demo page may be opened from other origins (the script-tag use); a real deployment lists its sites.
      ...(demo && !env['COMET_ALLOWED_ORIGINS'] ? { allowedOrigins: '*' as const } : {}),
      // The chat page sends without sign-in; what it may store is checked by the demo's onSend.
      ...(demo ? { send: demoChatSends } : {}),
      // A development token names its user; the channels stay as open as on a server without tokens.
      ...(dev ? { publicChannels: ['*', 'presence:*'] } : {}),
      // The demo's pages name their own users (no sign-in), also beside --dev's tokens.
      presence: { ...limits.presence, ...storage.presence, ...(demo ? { anonymous: true } : {}) },
      // The demo's inbox runs its own actions unless a webhook is configured, and keeps security alerts unmuted.
      inbox: {
        ...limits.inbox,
        ...(demo ? { anonymous: true, critical: DEMO_CRITICAL, ...(env['COMET_INBOX_WEBHOOK_URL'] ? {} : { onAction: demoInboxAction }) } : {}),
        ...inboxFromEnv(env),
      },
      push: pushFromEnv(env),
    });
  } catch (error) {
    // A setting the server cannot use (a malformed URL or origin): its message says which, a stack adds nothing.
    if (!(error instanceof TypeError) || !error.message.startsWith('cometkit server: ')) throw error;
    console.error(`cometkit-server: ${error.message.slice('cometkit server: '.length)}`);
    process.exit(2);
  }
}

/** Without --dev, `{base}/dev-token` is a 404 that says where it comes from, not a bare "nothing here". */
function noDevTokens(basePath: string) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (!req.url?.startsWith(`${basePath}${DEV_TOKEN_PATH}`)) return false;
    sendError(res, new HttpStatusError(404, 'not-found', `${basePath}${DEV_TOKEN_PATH} is served only by \`cometkit-server --dev\`, for development; in production your backend signs tokens (see README, Tokens).`));
    return true;
  };
}
