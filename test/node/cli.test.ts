/**
 * `cometkit-server` as a user runs it: the built dist/server/cli.js (the
 * package's `bin`), spawned with flags. Needs the build (`npm test` builds
 * before the Node tests).
 */
import { checkVapidKeys } from '../../server/push/vapid.js';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { verifyToken } from '../../server/auth/token.js';
import { startProcess, type RunningProcess } from '../support/scale/child-process.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(root, 'dist/server/cli.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; bin?: Record<string, string> };

/** The environment without any COMET_* setting of the shell the tests run in. */
const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COMET_') && name !== 'PORT' && name !== 'HOST'));

function runOnce(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // The timeout ends a CLI that starts a server where it should have exited: the test then fails on its output.
    execFile(process.execPath, [cli, ...args], { env, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const running: RunningProcess[] = [];
after(async () => {
  for (const server of running) await server.stop();
});

/** Starts the CLI on a free port and resolves with its base URL once it has said where it listens. */
async function startCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): Promise<{ server: RunningProcess; base: string }> {
  const server = startProcess(process.execPath, [cli, '--port', '0', ...args], { env });
  running.push(server);
  await server.waitFor(/cometkit (server|demo) on http:\/\/\S+/, 30_000);
  const base = /cometkit server on (http:\/\/\S+)/.exec(server.output())?.[1] ?? '';
  return { server, base };
}

describe('cometkit-server', () => {
  it('is the package\'s bin, and --help and --version print and exit without starting a server', async () => {
    assert.equal(pkg.bin?.['cometkit-server'], './dist/server/cli.js');
    assert.match(readFileSync(cli, 'utf8'), /^#!\/usr\/bin\/env node\n/);
    const help = await runOnce(['--help']);
    assert.equal(help.code, 0, help.stderr);
    for (const flag of ['--port', '--host', '--publish-key', '--allowed-origins', '--redis-url', '--workers', '--metrics', '--dev', '--demo', '--vapid-keys', '--version']) {
      assert.ok(help.stdout.includes(flag), `--help names ${flag}`);
    }
    assert.doesNotMatch(help.stdout, /cometkit server on/);
    const keys = await runOnce(['--vapid-keys']);
    assert.equal(keys.code, 0, keys.stderr);
    const printed = Object.fromEntries(keys.stdout.trim().split('\n').map((line) => line.split('=', 2) as [string, string]));
    // A usable pair: the server accepts it as its VAPID keys.
    assert.doesNotThrow(() => checkVapidKeys({ publicKey: printed['COMET_VAPID_PUBLIC_KEY']!, privateKey: printed['COMET_VAPID_PRIVATE_KEY']!, subject: printed['COMET_VAPID_SUBJECT']! }));
    assert.doesNotMatch(keys.stdout, /cometkit server on/);
    const version = await runOnce(['-v']);
    assert.equal(version.code, 0);
    assert.equal(version.stdout.trim(), pkg.version);
  });

  it('refuses an unknown flag or a bad value in one line, exit code 2', async () => {
    for (const args of [['--prot', '80'], ['--port', 'eighty'], ['--workers', '2'], ['--allowed-origins', 'app.example'], ['--redis-url', 'http://127.0.0.1:6379']]) {
      const result = await runOnce(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.equal(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
      assert.match(result.stderr, /^cometkit-server: /);
    }
  });

  it('says in one line that a busy port is busy, with a non-zero exit code and no stack', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const result = await runOnce(['--port', String(port)]);
      assert.notEqual(result.code, 0);
      assert.equal(result.stderr.trim(), `cometkit-server: 127.0.0.1:${port} is already in use (another cometkit-server?): stop what holds it, or pick another port with --port (PORT).`);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      holder.close();
    }
  });

  it('without a publish key, publishing is off and says how to turn it on; a given key works', async () => {
    const { server, base } = await startCli([]);
    await server.waitFor('publishing over HTTP is off: give a key with --publish-key or COMET_PUBLISH_KEY');
    const off = await fetch(`${base}/publish`, { method: 'POST', headers: { Authorization: 'Bearer anything', 'Content-Type': 'application/json' }, body: '{"channel":"a","data":1}' });
    assert.equal(off.status, 403);
    assert.equal(((await off.json()) as { error: { code: string } }).error.code, 'publish-disabled');

    const keyed = await startCli(['--publish-key', 'flag-key'], { ...cleanEnv(), COMET_PUBLISH_KEY: 'env-key' });
    await keyed.server.waitFor('try: curl');
    assert.doesNotMatch(keyed.server.output(), /flag-key|env-key/, 'a key that was given is not printed');
    const publish = (key: string) =>
      fetch(`${keyed.base}/publish`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: '{"channel":"a","data":1}' });
    assert.equal((await publish('env-key')).status, 401, 'the flag wins over the environment');
    assert.equal((await publish('flag-key')).status, 200);
  });

  it('--dev makes up a publish key, prints it and says where to keep one', async () => {
    const { server, base } = await startCli(['--dev']);
    await server.waitFor('DEVELOPMENT MODE');
    const key = /publish key \(new on every start; set COMET_PUBLISH_KEY to keep one\): (\S+)/.exec(server.output())?.[1];
    assert.ok(key, server.output());
    const answer = await fetch(`${base}/publish`, { method: 'POST', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: '{"channel":"a","data":1}' });
    assert.equal(answer.status, 200);
  });

  it('--allowed-origins lets the listed origin in and names the setting for any other', async () => {
    // Spelled loosely (a capital, a trailing slash): read as the origin a browser sends.
    const { base } = await startCli(['--allowed-origins', 'https://App.example/, https://www.example.com']);
    const app = await fetch(`${base}/history?ch=news`, { headers: { Origin: 'https://app.example' } });
    assert.equal(app.status, 200);
    const allowed = await fetch(`${base}/history?ch=news`, { headers: { Origin: 'https://www.example.com' } });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://www.example.com');
    const refused = await fetch(`${base}/history?ch=news`, { headers: { Origin: 'https://evil.example' } });
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { error: { message: string } }).error.message, /COMET_ALLOWED_ORIGINS/);
  });
});

describe('cometkit-server --dev: development tokens', () => {
  it('without --dev, {base}/dev-token is a 404 that names --dev', async () => {
    const { base } = await startCli([]);
    const answer = await fetch(`${base}/dev-token?user=ada`);
    assert.equal(answer.status, 404);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'not-found');
    assert.match(body.error.message, /cometkit-server --dev/);
  });

  it('with --dev, hands out a short-lived HS256 token for any user, signed with the server\'s secret, that opens the inbox', async () => {
    const secret = 'a-development-secret-of-thirty-two-bytes';
    const { server, base } = await startCli(['--dev'], { ...cleanEnv(), COMET_TOKEN_SECRET: secret });
    await server.waitFor('DEVELOPMENT MODE');
    assert.match(server.output(), /dev-token\?user=<name> hands a token \(15 min\) for ANY user/);

    const answer = await fetch(`${base}/dev-token?user=${encodeURIComponent('Grace H.')}`);
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('cache-control'), 'no-store');
    const token = await answer.text();
    const check = await verifyToken(token, { secret });
    assert.ok(check.ok, JSON.stringify(check));
    assert.equal(check.claims.sub, 'Grace H.');
    const now = Date.now() / 1000;
    assert.ok(check.claims.exp! > now && check.claims.exp! <= now + 15 * 60 + 5, `expires within 15 minutes: ${check.claims.exp}`);

    const counts = await fetch(`${base}/inbox/counts`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(counts.status, 200);
    const noToken = await fetch(`${base}/inbox/counts`);
    assert.equal(noToken.status, 401);
    const refusal = (await noToken.json()) as { error: { code: string; message: string } };
    assert.equal(refusal.error.code, 'token-missing');
    assert.match(refusal.error.message, /give createClient a token naming the user/);
    assert.match(refusal.error.message, /\/comet\/dev-token\?user=ada/);
    assert.doesNotMatch(refusal.error.message, /\?user= \(/, 'no wire vocabulary');

    const nameless = await fetch(`${base}/dev-token`);
    assert.equal(nameless.status, 400);
    assert.equal(((await nameless.json()) as { error: { code: string } }).error.code, 'bad-user');
    assert.equal((await fetch(`${base}/dev-token?user=ada`, { method: 'POST' })).status, 405);
    // Same origin rules as every endpoint: a site that is not allowed gets no token.
    assert.equal((await fetch(`${base}/dev-token?user=ada`, { headers: { Origin: 'https://evil.example' } })).status, 403);
  });
});
