import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { reapOnExit } from '../reap-on-exit.js';

export interface RunningProcess {
  readonly child: ChildProcess;
  /** Everything written to stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves once the output contains `text`; rejects if the process exits first or `timeoutMs` passes. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and resolves once the process has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a server process and keeps its output, so a test can wait for its "listening" line. */
export function startProcess(command: string, args: readonly string[], options: SpawnOptions = {}): RunningProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  // A test process that ends (a timeout, an uncaught error, Ctrl-C) takes its servers with it.
  reapOnExit(child);
  let output = '';
  let exited = false;
  const waiters = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    output += chunk.toString('utf8');
    // Bounded: a chatty process must not grow a test's memory without end.
    if (output.length > 200_000) output = output.slice(-100_000);
    for (const check of [...waiters]) check();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      for (const check of [...waiters]) check();
      resolve();
    });
  });
  return {
    child,
    output: () => output,
    waitFor(text, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const found = (): boolean => (typeof text === 'string' ? output.includes(text) : text.test(output));
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`${command}: no "${String(text)}" after ${timeoutMs} ms; output:\n${output.slice(-2000)}`));
        }, timeoutMs);
        const check = (): void => {
          if (found()) {
            clearTimeout(timer);
            waiters.delete(check);
            resolve();
          } else if (exited) {
            clearTimeout(timer);
            waiters.delete(check);
            reject(new Error(`${command} exited (${child.exitCode ?? child.signalCode}) before "${String(text)}"; output:\n${output.slice(-2000)}`));
          }
        };
        waiters.add(check);
        check();
      });
    },
    async stop(signal = 'SIGTERM') {
      if (!exited) child.kill(signal);
      await exit;
    },
  };
}
