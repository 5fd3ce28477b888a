import { parseArgs } from 'node:util';
import { envName, flagName, LIMIT_SETTINGS } from './limits-from-env.js';

/** What `cometkit-server` was asked to do, flags over environment variables. */
export type CliRequest =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'vapid-keys' }
  | { readonly kind: 'serve'; readonly settings: CliSettings };

export interface CliSettings {
  readonly host: string;
  readonly port: number;
  readonly workers: number;
  readonly demo: boolean;
  readonly dev: boolean;
  /** The environment the server reads its COMET_* settings from: the process's, with the flags written over it. */
  readonly env: NodeJS.ProcessEnv;
}

/** A command line that cannot start a server: printed as one line, exit code 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export const HELP = `Usage: cometkit-server [options]

Runs the cometkit reference server (http://127.0.0.1:8080/comet by default).
Every option has an environment variable; an option given wins over it.

  --port <n>               port to listen on; 0 picks a free one        PORT (8080)
  --host <address>         address to listen on                         HOST (127.0.0.1)
  --publish-key <key>      key for POST {base}/publish and /inbox/notify COMET_PUBLISH_KEY
                           (without one, HTTP publishing is off; --dev and --demo
                           generate one per start and print it)
  --allowed-origins <list> other sites' origins that may connect,       COMET_ALLOWED_ORIGINS
                           comma-separated (https://app.example,https://www.example.com),
                           or * for any; the server's own origin always may
  --redis-url <url>        keep events, presence and inboxes in Redis   COMET_REDIS_URL
                           (redis:// or rediss://), shared by every process
  --workers <n>            run n processes on the port (needs --redis-url)
  --max-connections <n>    and every other cap of PROTOCOL.md's limits  COMET_MAX_CONNECTIONS
                           table, named after its option (--presence-max-sessions,
                           COMET_PRESENCE_MAX_SESSIONS); --workers divides the ones
                           each process holds (see PROTOCOL.md, Setting limits)
  --drain-window-ms <n>    on SIGTERM or SIGINT, streams are told to     COMET_DRAIN_WINDOW_MS (10000)
                           come back spread over this window; the process
                           exits once they are gone, by its end at the latest
  --metrics                serve GET {base}/metrics (Prometheus; needs   COMET_METRICS=1
                           prom-client) to a scraper sending Authorization:
                           Bearer <COMET_METRICS_KEY, else the publish key>
  --dev                    development: serves GET {base}/dev-token?user=<name>,
                           a short-lived token for any user; never in production
  --demo                   the demo pages at / with generated events
  --vapid-keys             print a new VAPID key pair for Web Push and exit
                           (COMET_VAPID_PUBLIC_KEY, COMET_VAPID_PRIVATE_KEY, with
                           COMET_VAPID_SUBJECT=mailto:you@example.com)
  -h, --help               print this and exit
  -v, --version            print the version and exit

Tokens, Pushpin and the other settings: COMET_TOKEN_SECRET, COMET_TOKEN_PUBLIC_KEY,
COMET_TOKEN_JWKS_URL, COMET_TOKEN_AUDIENCE, COMET_TOKEN_ISSUER, COMET_PUBLIC_ORIGINS,
COMET_REDIS_PREFIX, COMET_REDIS_CLUSTER (a Redis Cluster's nodes instead of --redis-url),
COMET_HOOK_CONNECT_URL, COMET_HOOK_SUBSCRIBE_URL, COMET_HOOK_SECRET, COMET_TRUST_PROXY,
COMET_GRIP_URL, COMET_GRIP_KEY, COMET_VAPID_*, COMET_PUSH_ALLOWED_ENDPOINTS,
COMET_PUSH_TTL_SECONDS (see the README).`;

/** Reads the command line and the environment; throws CliUsageError for anything it cannot use. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliRequest {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'publish-key': { type: 'string' },
        'allowed-origins': { type: 'string' },
        'redis-url': { type: 'string' },
        workers: { type: 'string' },
        dev: { type: 'boolean' },
        demo: { type: 'boolean' },
        'vapid-keys': { type: 'boolean' },
        metrics: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        ...Object.fromEntries(LIMIT_SETTINGS.map(({ option }) => [flagName(option).slice(2), { type: 'string' as const }])),
      },
    }));
  } catch (error) {
    // parseArgs names the option; the pointer to --help is what a user needs next.
    throw new CliUsageError(`${(error as Error).message.replace(/\.$/, '')}. See cometkit-server --help.`);
  }
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  if (values['vapid-keys']) return { kind: 'vapid-keys' };

  const merged: NodeJS.ProcessEnv = { ...env };
  if (values.metrics) merged['COMET_METRICS'] = '1';
  const flagToEnv = { port: 'PORT', host: 'HOST', 'publish-key': 'COMET_PUBLISH_KEY', 'allowed-origins': 'COMET_ALLOWED_ORIGINS', 'redis-url': 'COMET_REDIS_URL' } as const;
  for (const [flag, name] of Object.entries(flagToEnv)) {
    const value = values[flag as keyof typeof flagToEnv];
    if (value !== undefined) merged[name] = value;
  }

  // Checked where they are read (limitsFromEnv), whichever way they came.
  for (const { option } of LIMIT_SETTINGS) {
    const value = (values as Record<string, string | boolean | undefined>)[flagName(option).slice(2)];
    if (typeof value === 'string') merged[envName(option)] = value;
  }

  const portText = merged['PORT'] || '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new CliUsageError(`The port must be a whole number from 0 to 65535, got "${portText.slice(0, 40)}".`);
  const workersText = values.workers ?? '1';
  const workers = Number(workersText);
  if (!/^\d+$/.test(workersText) || workers < 1 || workers > 256) throw new CliUsageError('--workers takes a whole number from 1 to 256, e.g. --workers 4.');
  if (workers > 1 && !merged['COMET_REDIS_URL'] && !merged['COMET_REDIS_CLUSTER']) throw new CliUsageError('--workers needs --redis-url (COMET_REDIS_URL): processes share channels through Redis only.');
  const dev = values.dev === true;
  if (dev && (merged['COMET_TOKEN_PUBLIC_KEY'] || merged['COMET_TOKEN_JWKS_URL'])) {
    throw new CliUsageError('--dev signs its tokens with a secret (HS256): leave COMET_TOKEN_PUBLIC_KEY and COMET_TOKEN_JWKS_URL unset, or drop --dev.');
  }
  return { kind: 'serve', settings: { host: merged['HOST'] || '127.0.0.1', port, workers, demo: values.demo === true, dev, env: merged } };
}
