/**
 * Servers a test process starts (Redis, nginx, Pushpin, reference servers)
 * must not outlive it. A normal exit or a timeout runs the `exit` handler;
 * a run stopped with Ctrl-C or `kill` gets SIGINT/SIGTERM/SIGHUP, which by
 * default ends Node without it. Left running, such servers held ports and
 * temp folders and made later runs fail in confusing ways.
 */
import type { ChildProcess } from 'node:child_process';

const children = new Map<ChildProcess, { group: boolean }>();
let installed = false;

function killAll(): void {
  for (const [child, { group }] of children) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      // A detached child leads its own process group. SIGTERM, not SIGKILL: Pushpin's runner puts each of
      // its services in a group of its own and stops them itself on SIGTERM; killed, it would orphan them.
      if (group) process.kill(-child.pid, 'SIGTERM');
      else child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  children.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killAll();
      // Nobody else handles it: end the way the signal would have.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** Ends `child` (its process group with `group`) when this process ends, however it ends short of SIGKILL. */
export function reapOnExit(child: ChildProcess, options: { group?: boolean } = {}): void {
  install();
  children.set(child, { group: options.group ?? false });
  child.once('exit', () => children.delete(child));
}
