/**
 * The built files as a compromised CDN would serve them: under
 * `/tampered/<mode>/<run>/<prefix>/dist/…`, dist/ as built, except that
 * every module named `<prefix>` (its element's tag, or its chunk's name in
 * dist/autoload/names.json: shared chunks are named by their row) gets a line appended that
 * records, in the page, that it ran (`self.cometkitTampered`). With mode
 * `always` every answer is tampered; with `after-first` the first request for
 * a file gets it as built and later ones tampered, as a server would that
 * passes a check and then swaps the file. `<run>` keeps each test's URLs,
 * and so the browser's module map and cache, apart.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const ROUTE = /^\/tampered\/(always|after-first)\/([\w-]{1,40})\/([\w-]{1,40})\/dist\/(.+)$/;
const requests = new Map<string, number>();

/** The module a file of dist/autoload/ holds, by the name the build gave it; undefined for any other file. */
function moduleName(file: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dist, 'autoload', 'names.json'), 'utf8')) as Record<string, string>)[file];
  } catch {
    return undefined;
  }
}

/** Answers a `/tampered/…` request; false for any other path. */
export function serveTamperedDist(req: IncomingMessage, res: ServerResponse, path: URL): boolean {
  const match = ROUTE.exec(path.pathname);
  if (!match) return false;
  const [, mode, , prefix, rest] = match as unknown as [string, string, string, string, string];
  const file = normalize(join(dist, rest));
  const seen = (requests.get(path.pathname) ?? 0) + 1;
  if (requests.size < 10_000) requests.set(path.pathname, seen);
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Cache-Control', 'no-store');
  if (!file.startsWith(dist) || !file.endsWith('.js')) {
    res.writeHead(404).end();
    return true;
  }
  readFile(file, 'utf8').then(
    (code) => {
      const tamper = moduleName(basename(file)) === prefix && (mode === 'always' || seen > 1);
      const body = tamper ? `${code}\n;(self.cometkitTampered ??= []).push(${JSON.stringify(basename(file))});\n` : code;
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' }).end(req.method === 'HEAD' ? undefined : body);
    },
    () => res.writeHead(404).end(),
  );
  return true;
}
