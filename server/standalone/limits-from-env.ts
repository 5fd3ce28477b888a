import type { CometServerOptions } from '../options.js';

/**
 * How `--workers N` treats a cap given for the whole server: `divide` —
 * it bounds something every process holds for itself (sockets, sessions,
 * starts per second), so each worker gets its share, rounded up; `each` —
 * it bounds one request, stream, user or channel, and applies as is in
 * every worker.
 */
type PerWorker = 'divide' | 'each';

interface LimitSetting {
  /** The option's path in CometServerOptions (`presence.ttlMs`). */
  readonly option: string;
  readonly perWorker: PerWorker;
}

/**
 * Every cap of PROTOCOL.md's limits table that an operator sets without
 * code: `--max-connections 50000` on the command line (cli-args.ts writes
 * it over the environment), or `COMET_MAX_CONNECTIONS=50000`. The names
 * derive from the option's: one table, no list to keep in step.
 */
export const LIMIT_SETTINGS: readonly LimitSetting[] = [
  { option: 'heartbeatMs', perWorker: 'each' },
  { option: 'historySize', perWorker: 'each' },
  { option: 'historyTtlMs', perWorker: 'each' },
  { option: 'maxChannels', perWorker: 'each' },
  { option: 'maxHistoryBytes', perWorker: 'divide' },
  { option: 'maxPayloadBytes', perWorker: 'each' },
  { option: 'bodyTimeoutMs', perWorker: 'each' },
  { option: 'tokenClockToleranceSeconds', perWorker: 'each' },
  { option: 'maxChannelsPerStream', perWorker: 'each' },
  { option: 'maxConnections', perWorker: 'divide' },
  { option: 'maxStreamsPerUser', perWorker: 'each' },
  { option: 'maxStreamsPerClient', perWorker: 'each' },
  { option: 'maxStreamStartsPerSecond', perWorker: 'divide' },
  { option: 'maxStartDelayMs', perWorker: 'each' },
  { option: 'drainWindowMs', perWorker: 'each' },
  { option: 'maxBufferedBytes', perWorker: 'each' },
  { option: 'pollTimeoutMs', perWorker: 'each' },
  { option: 'iframeMaxBytes', perWorker: 'each' },
  { option: 'maxAnswerBytes', perWorker: 'each' },
  { option: 'presence.ttlMs', perWorker: 'each' },
  { option: 'presence.maxChannelsPerSession', perWorker: 'each' },
  { option: 'presence.maxMembersPerChannel', perWorker: 'each' },
  { option: 'presence.maxSessions', perWorker: 'divide' },
  { option: 'presence.anonymousPerMinute', perWorker: 'each' },
  { option: 'presence.maxStateBytes', perWorker: 'each' },
  { option: 'inbox.maxItemsPerUser', perWorker: 'each' },
  { option: 'inbox.maxUsers', perWorker: 'each' },
  { option: 'inbox.maxBytes', perWorker: 'each' },
];

/** `presence.maxSessions` → `COMET_PRESENCE_MAX_SESSIONS` */
export function envName(option: string): string {
  return `COMET_${option.replace(/\./g, '_').replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
}

/** `presence.maxSessions` → `--presence-max-sessions` */
export function flagName(option: string): string {
  return `--${option.replace(/\./g, '-').replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/**
 * The caps set in the environment, as server options. With `workers` > 1
 * (the CLI's `--workers`, passed to each worker as COMET_WORKERS), a cap
 * marked `divide` is this worker's share.
 */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<CometServerOptions> {
  const workers = Math.max(1, Math.floor(Number(env['COMET_WORKERS'] ?? 1)) || 1);
  const options: Record<string, unknown> = {};
  for (const { option, perWorker } of LIMIT_SETTINGS) {
    const text = env[envName(option)];
    if (text === undefined || text === '') continue;
    if (!isPositive(text)) throw new TypeError(`cometkit server: ${envName(option)} must be a positive number, got "${text.slice(0, 20)}".`);
    const value = perWorker === 'divide' && workers > 1 ? Math.ceil(Number(text) / workers) : Number(text);
    const [outer, inner] = option.split('.') as [string, string | undefined];
    if (inner === undefined) options[outer] = value;
    else options[outer] = { ...(options[outer] as object | undefined), [inner]: value };
  }
  return options as Partial<CometServerOptions>;
}

function isPositive(text: string): boolean {
  return /^\d+(\.\d+)?$/.test(text.trim()) && Number(text) > 0;
}
