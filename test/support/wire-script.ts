/**
 * A real HTTP endpoint that plays scripted SSE responses: the wire cases the
 * reference server never produces (a malformed frame, a 500 before a
 * success, a stream that never says hello or stops beating, a replay),
 * without msw. msw's `sse()` cannot play them in WebKit, which buffers a
 * mocked response until it closes; a real socket streams in every engine.
 *
 * - `POST /control/wire?key=K` with `{ steps: WireStep[] }`: the script for K;
 *   the n-th request to `/wire/K/sse` plays step n (the last one repeats).
 * - `GET /control/wire?key=K`: `{ requests: string[] }`, the URLs requested so far.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface WireFrame {
  readonly event?: string;
  readonly id?: string;
  /** Sent as JSON, or as it is when a string (a malformed frame is a string). */
  readonly data: unknown;
}

export interface WireStep {
  /** Answer with this status and a JSON error body instead of a stream. */
  readonly status?: number;
  readonly frames?: readonly WireFrame[];
  /** End the response after the frames; by default it is held open until the client goes. */
  readonly end?: boolean;
}

interface Script {
  steps: readonly WireStep[];
  readonly requests: string[];
}

/** Scripts of one run; old keys are forgotten so a long watch-mode session stays bounded. */
const MAX_SCRIPTS = 500;

const CORS = { 'Access-Control-Allow-Origin': '*' };

export function wireScripts(): {
  control(req: IncomingMessage, res: ServerResponse, path: URL, body: () => Promise<unknown>): Promise<unknown>;
  serve(req: IncomingMessage, res: ServerResponse, path: URL): void;
} {
  const scripts = new Map<string, Script>();
  return {
    async control(req, _res, path, body) {
      const key = path.searchParams.get('key') ?? '';
      if (req.method === 'GET') return { requests: scripts.get(key)?.requests ?? [] };
      const { steps } = ((await body()) ?? {}) as { steps?: unknown };
      if (!key || !Array.isArray(steps) || steps.length === 0) return undefined;
      scripts.set(key, { steps: steps as WireStep[], requests: [] });
      if (scripts.size > MAX_SCRIPTS) scripts.delete(scripts.keys().next().value!);
      return { key, steps: steps.length };
    },
    serve(req, res, path) {
      const key = path.pathname.split('/')[2] ?? '';
      const script = scripts.get(key);
      if (!script) {
        res.writeHead(404, { ...CORS, 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'not-found', message: `No wire script "${key}": POST /control/wire?key=… first.` } }));
        return;
      }
      script.requests.push(`http://${req.headers.host ?? 'localhost'}${req.url ?? ''}`);
      const step = script.steps[Math.min(script.requests.length, script.steps.length) - 1]!;
      if (step.status !== undefined) {
        res.writeHead(step.status, { ...CORS, 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: step.status >= 500 ? 'internal' : 'refused', message: 'Scripted by the test harness.' } }));
        return;
      }
      res.writeHead(200, { ...CORS, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.flushHeaders();
      let text = '';
      for (const frame of step.frames ?? []) {
        if (frame.event) text += `event: ${frame.event}\n`;
        if (frame.id !== undefined) text += `id: ${frame.id}\n`;
        text += `data: ${typeof frame.data === 'string' ? frame.data : JSON.stringify(frame.data)}\n\n`;
      }
      if (text) res.write(text);
      if (step.end) res.end();
    },
  };
}
