/**
 * A private Pushpin for one test file or benchmark: its own config, routes,
 * run and log folders in a temp dir, every port a free loopback port, so
 * several can run at once beside nothing the machine runs itself.
 *
 * The config is the shipped deploy/pushpin/pushpin.conf and routes (the
 * README's), with only ports, folders, the routes file and the key replaced:
 * what the tests run is what a user copies. It adds zurl to Debian's
 * services, with its sockets in the run folder, which Pushpin's own requests
 * to the server need.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reapOnExit } from './reap-on-exit.js';

const SHIPPED_CONFIG = new URL('../../deploy/pushpin/pushpin.conf', import.meta.url);
const SHIPPED_ROUTES = new URL('../../deploy/pushpin/routes', import.meta.url);

export interface Pushpin {
  /** Where clients connect: `http://127.0.0.1:PORT`. */
  readonly origin: string;
  /** GRIP control endpoint (the publish API lives under it at `/publish/`). */
  readonly controlUrl: string;
  /** The key Pushpin signs its requests to the backend with (`Grip-Sig`). */
  readonly signingKey: string;
  /** The runner's process id (its services are its children), to measure their memory. */
  readonly pid: number;
  /** The tail of Pushpin's logs, for a failure message; with `grep`, only the lines naming one of those strings. */
  logs(grep?: readonly string[]): string;
  stop(): Promise<void>;
}

export interface PushpinOptions {
  /** The backend every request is routed to. */
  readonly backendPort: number;
  /** Raise the handler's throttles (messages per second, queue length); Debian's defaults drop under load. */
  readonly messageRate?: number;
  readonly messageHwm?: number;
  /** Open-file limit for Pushpin's processes (set through `sh -c 'ulimit -n …'`). */
  readonly openFiles?: number;
}

/** True when the `pushpin` binary is installed. */
export function hasPushpin(): boolean {
  return spawnSync('sh', ['-c', 'command -v pushpin && command -v condure && command -v zurl'], { stdio: 'ignore' }).status === 0;
}

/**
 * For a test file: undefined when Pushpin can run, else the reason to skip.
 * With CI=true a missing binary fails instead: CI installs it.
 */
export function pushpinSkipReason(): string | undefined {
  if (hasPushpin()) return undefined;
  const reason = 'Pushpin is not installed (Debian: apt-get install pushpin)';
  if (process.env['CI'] === 'true') throw new Error(`${reason}; CI must run the Pushpin tests.`);
  console.warn(`skipping: ${reason}`);
  return reason;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startPushpin(options: PushpinOptions): Promise<Pushpin> {
  const dir = mkdtempSync(join(tmpdir(), 'cometkit-pushpin-'));
  const run = join(dir, 'run');
  const logs = join(dir, 'log');
  mkdirSync(run);
  mkdirSync(logs);
  const [httpPort, pushPort, pushSubPort, controlPort, commandPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const signingKey = randomBytes(16).toString('hex');
  const shipped = readFileSync(SHIPPED_CONFIG, 'utf8');
  const routes = readFileSync(SHIPPED_ROUTES, 'utf8');
  const backend = routes.replace(/^\* 127\.0\.0\.1:\d+$/m, `* 127.0.0.1:${options.backendPort}`);
  if (backend === routes) throw new Error('deploy/pushpin/routes no longer has the line the tests replace (* 127.0.0.1:PORT).');
  writeFileSync(join(dir, 'routes'), backend);
  // Only ports, folders, the routes file and the key differ from the shipped file (and the throttles, when a benchmark asks).
  const replaced: Record<string, string> = {
    rundir: run,
    logdir: logs,
    http_port: `127.0.0.1:${httpPort}`,
    routesfile: join(dir, 'routes'),
    sig_key: signingKey,
    push_in_spec: `tcp://127.0.0.1:${pushPort}`,
    push_in_sub_specs: `tcp://127.0.0.1:${pushSubPort}`,
    push_in_http_port: String(controlPort),
    command_spec: `tcp://127.0.0.1:${commandPort}`,
    ...(options.messageRate !== undefined ? { message_rate: String(options.messageRate) } : {}),
    ...(options.messageHwm !== undefined ? { message_hwm: String(options.messageHwm) } : {}),
  };
  let rendered = shipped;
  for (const [key, value] of Object.entries(replaced)) {
    const line = new RegExp(`^${key}=.*$`, 'm');
    if (!line.test(rendered)) throw new Error(`deploy/pushpin/pushpin.conf no longer has the line the tests replace: ${key}=`);
    rendered = rendered.replace(line, `${key}=${value}`);
  }
  writeFileSync(join(dir, 'pushpin.conf'), rendered);

  const command = `${options.openFiles ? `ulimit -n ${options.openFiles} && ` : ''}exec pushpin --config ${join(dir, 'pushpin.conf')} --merge-output`;
  const child: ChildProcess = spawn('sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  reapOnExit(child, { group: true });
  // Enough of the merged log to find one test's lines in after a failure.
  let output = '';
  const keep = (chunk: Buffer): void => {
    output += chunk.toString();
    if (output.length > 4_000_000) output = output.slice(-2_000_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tail = (grep?: readonly string[]): string => {
    let files = '';
    for (const name of ['pushpin-proxy.log', 'pushpin-handler.log', 'condure.log', 'zurl.log']) {
      try {
        const text = readFileSync(join(logs, name), 'utf8');
        const kept = grep ? text.split('\n').filter((line) => grep.some((word) => line.includes(word))).slice(-60).join('\n') : text.slice(-2000);
        files += `--- ${name}\n${kept}\n`;
      } catch {
        // Not every service writes a file at every log level.
      }
    }
    if (!grep) return `${output.slice(-8000)}\n${files}`;
    const named = output.split('\n').filter((line) => grep.some((word) => line.includes(word)));
    return `${named.slice(-80).join('\n')}\n${files}`;
  };
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      // The runner stops its services on SIGTERM; the group kill catches any it leaves behind.
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const origin = `http://127.0.0.1:${httpPort}`;
  const controlUrl = `http://127.0.0.1:${controlPort}`;
  // Ready when both the client port and the publish API answer (any status).
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      const logText = tail();
      await stop();
      throw new Error(`Pushpin exited during start:\n${logText}`);
    }
    const ready = await Promise.all([answers(`${origin}/`), answers(`${controlUrl}/publish/`)]);
    if (ready.every(Boolean)) break;
    if (Date.now() > deadline) {
      const logText = tail();
      await stop();
      throw new Error(`Pushpin did not start within 15 s:\n${logText}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { origin, controlUrl, signingKey, pid: child.pid!, logs: tail, stop };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves once a stream through the proxy is held: `streamUrl` answers 200
 * with its first bytes. A proxy that already relays plain requests may still
 * answer 500 to a GRIP hold for a moment while its handler connects, so
 * "reaches the server" is not "ready". Rejects after `timeoutMs`.
 */
export async function waitForHolds(streamUrl: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), 2000);
    try {
      const response = await fetch(streamUrl, { signal: abort.signal, headers: { Accept: 'text/event-stream' } });
      if (response.status === 200) {
        const first = await response.body?.getReader().read();
        if (first && !first.done) return;
        last = 'a 200 that ended at once';
      } else {
        last = `HTTP ${response.status}`;
      }
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Pushpin held no stream at ${streamUrl} within ${timeoutMs} ms (last: ${last})`);
}
