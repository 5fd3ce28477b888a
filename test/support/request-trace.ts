/**
 * A short record of what a server answered, per request, for a failure
 * message: the time, the URL, the status and the GRIP headers the server
 * sent (a hold and its channels' prev-ids), and the body's first bytes. The
 * Pushpin tests read it when events never arrive, to say which hop lost them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

const KEEP = 4000;

export interface RequestTrace {
  record(req: IncomingMessage, res: ServerResponse): void;
  /** The recorded lines whose URL names one of `words` (all with none), oldest first. */
  lines(words: readonly string[]): string[];
}

export function requestTrace(): RequestTrace {
  const kept: string[] = [];
  return {
    record(req, res) {
      const started = Date.now();
      const url = req.url ?? '';
      let head = '';
      const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
      res.writeHead = ((...args: unknown[]) => {
        const headers = args.find((arg): arg is Record<string, unknown> => typeof arg === 'object' && arg !== null && !Array.isArray(arg));
        if (headers?.['Grip-Hold']) head = ` hold=${String(headers['Grip-Hold'])} channels=[${String(headers['Grip-Channel'])}] timeout=${String(headers['Grip-Timeout'])}`;
        return writeHead(...args);
      }) as typeof res.writeHead;
      let body = '';
      const write = res.write.bind(res) as (...args: unknown[]) => boolean;
      res.write = ((chunk: unknown, ...rest: unknown[]) => {
        if (body.length < 300 && chunk) body += String(chunk).slice(0, 300 - body.length);
        return write(chunk, ...rest);
      }) as typeof res.write;
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((chunk?: unknown, ...rest: unknown[]) => {
        if (body.length < 300 && chunk && typeof chunk !== 'function') body += String(chunk).slice(0, 300 - body.length);
        return end(chunk, ...rest);
      }) as typeof res.end;
      const done = (how: string): void => {
        kept.push(`${new Date(started).toISOString()} +${Date.now() - started}ms ${req.method} ${url} -> ${res.statusCode}${head} ${how} ${body.replace(/\s+/g, ' ')}`);
        if (kept.length > KEEP) kept.splice(0, kept.length - KEEP);
      };
      res.once('finish', () => done('sent'));
      res.once('close', () => {
        if (!res.writableFinished) done('closed before the end');
      });
    },
    lines(words) {
      return words.length === 0 ? [...kept] : kept.filter((line) => words.some((word) => line.includes(word)));
    },
  };
}
