import { fileURLToPath } from 'node:url';
import { startProcess, type RunningProcess } from './child-process.js';
import { freePort } from './free-port.js';

export interface ServerProcess {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Ends the process (SIGKILL for a crash: no stream is closed cleanly). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  /** What the current run wrote to stdout and stderr, for failure messages. */
  output(): string;
}

const MAIN = fileURLToPath(new URL('./server-main.ts', import.meta.url));

/** A reference-server process on Redis (server-main.ts), from the sources through tsx: no build needed. */
export async function startServerProcess(options: { redisUrl: string; publishKey: string; heartbeatMs?: number; port?: number; env?: Readonly<Record<string, string>> }): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  let running: RunningProcess | undefined;
  const start = async (): Promise<void> => {
    running = startProcess(process.execPath, ['--import', 'tsx', MAIN], {
      env: {
        ...process.env,
        PORT: String(port),
        COMET_REDIS_URL: options.redisUrl,
        COMET_PUBLISH_KEY: options.publishKey,
        COMET_HEARTBEAT_MS: String(options.heartbeatMs ?? 1000),
        ...options.env,
      },
    });
    // Generous: tsx compiles the server on start, and CI boxes run several suites at once.
    await running.waitFor(`listening on ${port}`, 60_000);
  };
  await start();
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    get pid() {
      return running?.child.pid;
    },
    get running() {
      return running !== undefined;
    },
    async stop(signal = 'SIGTERM') {
      const current = running;
      running = undefined;
      await current?.stop(signal);
    },
    start,
    output: () => running?.output() ?? '',
  };
}
