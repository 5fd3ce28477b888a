import { readdirSync, readFileSync } from 'node:fs';

interface ProcessStat {
  readonly parent: number;
  /** Resident memory, bytes. */
  readonly rss: number;
  /** User + system CPU, ms (clock ticks are 100 per second on Linux). */
  readonly cpuMs: number;
}

/** One process's /proc stat; undefined once it is gone (or where /proc is missing). */
function readStat(pid: number | string): ProcessStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { parent: Number(fields[1]), rss: Number(fields[21]) * 4096, cpuMs: (Number(fields[11]) + Number(fields[12])) * 10 };
  } catch {
    return undefined;
  }
}

function processTable(): Map<number, ProcessStat> {
  const table = new Map<number, ProcessStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    // A process that ended while we looked is left out.
    const stat = readStat(name);
    if (stat) table.set(Number(name), stat);
  }
  return table;
}

/** CPU time (user + system, ms) used so far by one process; undefined once it is gone or where /proc is missing. */
export function processCpuMs(pid: number | undefined): number | undefined {
  return pid === undefined ? undefined : readStat(pid)?.cpuMs;
}

/** A process and all its descendants, from /proc (Linux). */
export function processTree(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (!table.has(pid)) continue;
    found.push(pid);
    for (const [child, stat] of table) if (stat.parent === pid) stack.push(child);
  }
  return found;
}

function treeSum(root: number, field: 'rss' | 'cpuMs'): number {
  const table = processTable();
  let total = 0;
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    total += table.get(pid)?.[field] ?? 0;
    for (const [child, stat] of table) if (stat.parent === pid) stack.push(child);
  }
  return total;
}

/** Resident memory (bytes) of a process and all its descendants, from /proc (Linux). */
export function treeRss(root: number): number {
  return treeSum(root, 'rss');
}

/** CPU time (user + system, ms) used so far by a process and all its living descendants, from /proc (Linux). */
export function treeCpuMs(root: number): number {
  return treeSum(root, 'cpuMs');
}
