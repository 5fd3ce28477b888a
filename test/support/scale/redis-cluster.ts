import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary } from './binaries.js';
import { startProcess, type RunningProcess } from './child-process.js';
import { freePort } from './free-port.js';

export interface TestRedisCluster {
  /** `redis://127.0.0.1:PORT`, one per master. */
  readonly urls: readonly string[];
  /** Stops master `index` (its nodes.conf and append-only file stay) and starts it again on the same port. */
  restart(index: number): Promise<void>;
  /** `redis-cli` against master `index`, e.g. `['DBSIZE']`; its trimmed output. */
  cli(index: number, args: readonly string[]): string;
  close(): Promise<void>;
}

/** A port whose cluster bus port (port + 10000) is a valid port too. */
async function clusterPort(): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (port < 55_000) return port;
  }
}

/**
 * Three masters on loopback (`--cluster-enabled yes`, no replicas), slots
 * spread by `redis-cli --cluster create`, each with an append-only file so a
 * restarted master has its keys back.
 */
export async function startRedisCluster(): Promise<TestRedisCluster> {
  const server = findBinary('redis-server');
  const cli = findBinary('redis-cli');
  if (!server || !cli) throw new Error('redis-server and redis-cli are not installed (apt-get install -y redis-server).');
  const nodes: Array<{ port: number; dir: string; running: RunningProcess | undefined }> = [];
  for (let i = 0; i < 3; i += 1) nodes.push({ port: await clusterPort(), dir: await mkdtemp(join(tmpdir(), 'cometkit-cluster-')), running: undefined });
  const start = async (node: (typeof nodes)[number]): Promise<void> => {
    node.running = startProcess(server, [
      '--port', String(node.port), '--bind', '127.0.0.1', '--dir', node.dir,
      '--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000',
      '--save', '', '--appendonly', 'yes', '--appendfsync', 'always',
    ]);
    await node.running.waitFor('Ready to accept connections', 30_000);
  };
  const run = (port: number, args: readonly string[]): string => {
    const result = spawnSync(cli, ['-p', String(port), ...args], { encoding: 'utf8', timeout: 30_000 });
    return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  };
  const healthy = async (): Promise<void> => {
    // Every master must see the cluster as ok: right after a create or a restart, some still do not.
    for (let tries = 0; tries < 300; tries += 1) {
      if (nodes.every((node) => /cluster_state:ok/.test(run(node.port, ['CLUSTER', 'INFO'])))) return;
      await sleep(100);
    }
    throw new Error('the Redis Cluster did not reach cluster_state:ok within 30 s');
  };
  await Promise.all(nodes.map(start));
  const created = run(nodes[0]!.port, ['--cluster', 'create', ...nodes.map((node) => `127.0.0.1:${node.port}`), '--cluster-replicas', '0', '--cluster-yes']);
  if (!/All 16384 slots covered/.test(created)) throw new Error(`redis-cli --cluster create failed:\n${created}`);
  await healthy();
  return {
    urls: nodes.map((node) => `redis://127.0.0.1:${node.port}`),
    async restart(index) {
      const node = nodes[index]!;
      await node.running?.stop('SIGTERM');
      await start(node);
      await healthy();
    },
    cli: (index, args) => run(nodes[index]!.port, args),
    async close() {
      await Promise.all(nodes.map((node) => node.running?.stop('SIGKILL')));
      await Promise.all(nodes.map((node) => rm(node.dir, { recursive: true, force: true })));
    },
  };
}
