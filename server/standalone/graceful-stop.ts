import type { Server } from 'node:http';
import type { CometServer } from '../comet-server.js';

export interface GracefulStopOptions {
  /** The drain window (ms): each stream comes back within it, and the process exits by its end at the latest. */
  readonly windowMs: number;
  /** Runs once, when the first signal arrives (stops the demo's publisher, say). */
  readonly onStop?: () => void;
  /** Default `process.exit`. */
  readonly exit?: (code: number) => void;
}

/**
 * How often sockets whose last answer has ended are closed while the
 * process drains. Node closes the idle ones once, when `server.close()` is
 * called; a stream's socket becomes idle only after its reconnect frame.
 */
const IDLE_SWEEP_MS = 100;

/** The longest the process waits for its store to close after its connections are gone (ms). */
const CLOSE_STORE_MS = 2000;

/**
 * SIGTERM and SIGINT drain the process instead of cutting its streams: it
 * stops accepting connections, tells every stream to come back after a
 * delay drawn over the window (a rolling restart's clients then reach the
 * other processes at a steady rate, not in one burst, and resume from
 * their cursors with nothing lost), and exits once its last connection is
 * gone, or when the window ends, whichever comes first.
 *
 * A signal during the drain changes nothing: with `--workers` the primary
 * forwards the signal a terminal may already have sent to the whole
 * process group. SIGKILL still ends it at once.
 */
export function stopGracefully(server: Server, comet: CometServer, options: GracefulStopOptions): void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    options.onStop?.();
    // Answers given from now on close their connection: a proxy's kept-alive connection must
    // not bring this process new requests while it drains.
    server.prependListener('request', (_req, res) => res.setHeader('Connection', 'close'));
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearInterval(sweep);
      clearTimeout(deadline);
      server.closeAllConnections();
      // The store's own close is bounded by its command timeout; this bounds a store that hangs.
      setTimeout(() => exit(0), CLOSE_STORE_MS).unref();
      void comet.close().finally(() => exit(0));
    };
    const deadline = setTimeout(finish, options.windowMs);
    server.close(finish);
    void comet.drain({ windowMs: options.windowMs }).then(() => server.closeIdleConnections());
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
