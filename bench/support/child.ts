import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The open-file hard limit on the benchmark machine: a process holding 10,000 sockets needs its soft limit raised to it. */
export const OPEN_FILES = 20_000;

export interface Child {
  readonly pid: number;
  /** Sends one request and resolves with the child's answer to it. */
  ask<T = unknown>(message: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

let nextId = 0;

/**
 * Runs `script` (TypeScript, through tsx) in its own Node process with the
 * open-file soft limit raised (Node cannot raise it for itself: the shell
 * does, then execs Node, which keeps the IPC channel). Requests and answers
 * go over IPC as `{ id, ... }`.
 */
export function startChild(script: URL, args: readonly string[] = [], nodeFlags: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Child {
  const path = fileURLToPath(script);
  const quoted = [...nodeFlags, '--import', 'tsx', path, ...args].map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`).join(' ');
  const child: ChildProcess = spawn('sh', ['-c', `ulimit -n ${OPEN_FILES} && exec "${process.execPath}" ${quoted}`], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env,
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  child.on('message', (message: { id: number; error?: string }) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error));
    else waiter.resolve(message);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`${path} exited`));
    pending.clear();
  });
  return {
    pid: child.pid!,
    ask: <T,>(message: Record<string, unknown>, timeoutMs = 120_000) =>
      new Promise<T>((resolve, reject) => {
        const id = ++nextId;
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${path} did not answer ${JSON.stringify(message).slice(0, 80)} within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as T);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        child.send({ id, ...message });
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** In a child: answers each request with `handle`'s result (or its error). */
export function serveRequests(handle: (message: Record<string, unknown> & { type: string }) => Promise<Record<string, unknown>>): void {
  process.on('message', (message: { id: number; type: string }) => {
    handle(message).then(
      (answer) => process.send!({ ...answer, id: message.id }),
      (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
  process.on('SIGTERM', () => process.exit(0));
}
