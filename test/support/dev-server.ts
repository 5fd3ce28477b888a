import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startProcess, type RunningProcess } from './scale/child-process.js';

export interface DevServer {
  /** The server's base, `http://127.0.0.1:PORT/comet`. */
  readonly comet: string;
  /** For the backend's own calls (POST {base}/inbox/notify). */
  readonly publishKey: string;
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../../server/cli.ts', import.meta.url));

/**
 * `cometkit-server --dev` as a developer starts it, from the sources (through
 * tsx, like the rest of the harness), on a free port. `--allowed-origins *`
 * because the test page is served from the test runner's origin, as an app's
 * dev server would be without a proxy.
 */
export async function startDevServer(): Promise<DevServer> {
  const publishKey = randomBytes(16).toString('base64url');
  const running: RunningProcess = startProcess(process.execPath, ['--import', 'tsx', CLI, '--dev', '--port', '0', '--allowed-origins', '*', '--publish-key', publishKey], {
    env: Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COMET_'))),
  });
  // Generous: tsx compiles the server on start, on a box running other suites.
  await running.waitFor('DEVELOPMENT MODE', 60_000);
  const comet = /cometkit server on (http:\/\/\S+)/.exec(running.output())?.[1];
  if (!comet) throw new Error(`cometkit-server --dev did not say where it listens:\n${running.output()}`);
  return { comet, publishKey, stop: () => running.stop() };
}
