/**
 * The ladder's decisions as they cross a port (hub → tab): their type and
 * check, apart from the ladder itself, so the page that only reads them
 * does not load the ladder that makes them.
 */
import { finiteNumber, record } from '../protocol/check-value.js';
import { TRANSPORT_NAMES, type TransportName } from '../protocol/transport-name.js';

/**
 * Why the ladder chose what it chose:
 * - `initial`: the first supported transport of the configured order;
 * - `remembered`: a downgrade this browser remembered for the push origin;
 * - `remembered-expired`: a remembered downgrade past its TTL, dropped;
 * - `hello-timeout`, `heartbeats-late`, `heartbeats-bunched`, `events-late`, `early-closes`:
 *   the marks of a buffering or cutting proxy, each a step down;
 * - `open-failures`: the transport kept failing before its hello, a step down;
 * - `probe-started`, `probe-failed`, `probe-healthy`: a better transport
 *   tried in the background, and switched back to only when healthy.
 */
export type DecisionReason =
  | 'initial'
  | 'remembered'
  | 'remembered-expired'
  | 'hello-timeout'
  | 'heartbeats-late'
  | 'heartbeats-bunched'
  | 'events-late'
  | 'early-closes'
  | 'open-failures'
  | 'probe-started'
  | 'probe-failed'
  | 'probe-healthy';

/** One entry of the decision trail. */
export interface TransportDecision {
  /** Wall-clock time of the decision (ms since the epoch). */
  readonly time: number;
  readonly reason: DecisionReason;
  /** The transport in use after the decision (undefined when none is supported). */
  readonly transport: TransportName | undefined;
  /** The transport in use before it. */
  readonly previous: TransportName | undefined;
  /** For probes: the transport probed. */
  readonly probed?: TransportName;
  /** What was seen, in words, for logs. */
  readonly detail: string;
}

const DECISION_REASONS: ReadonlySet<string> = new Set<DecisionReason>([
  'initial',
  'remembered',
  'remembered-expired',
  'hello-timeout',
  'heartbeats-late',
  'heartbeats-bunched',
  'events-late',
  'early-closes',
  'open-failures',
  'probe-started',
  'probe-failed',
  'probe-healthy',
]);

/**
 * Reads a decision that crossed a port (hub → tab), field by field: the
 * decision, or undefined when a field is not what a decision holds (the
 * hub's message reader then drops the message and says which field).
 */
export function readDecision(value: unknown): TransportDecision | undefined {
  const { time, reason, transport, previous, probed, detail } = record(value) ?? {};
  const name = (v: unknown): boolean => v === undefined || TRANSPORT_NAMES.includes(v as TransportName);
  if (!finiteNumber(time) || !DECISION_REASONS.has(reason as string) || !name(transport) || !name(previous) || !name(probed) || typeof detail !== 'string') return undefined;
  return {
    time,
    reason: reason as DecisionReason,
    transport: transport as TransportName | undefined,
    previous: previous as TransportName | undefined,
    ...(probed ? { probed: probed as TransportName } : {}),
    detail: detail.slice(0, 500),
  };
}
