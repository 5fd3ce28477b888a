import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpError } from '../http/http-error.js';
import { NOSNIFF } from '../http/nosniff.js';

/** The folder below `{basePath}` the browser files are served from. */
export const BROWSER_FILES_PATH = '/cometkit/';

interface Manifest {
  readonly files: Readonly<Record<string, { readonly hashed: string; readonly integrity: string }>>;
  readonly autoload: readonly string[];
}

interface Served {
  readonly file: string;
  /** Content-hashed name: cached forever. Otherwise revalidated on every use. */
  readonly immutable: boolean;
}

/** The package's dist/ folder, whether this runs from the build (dist/server/…) or from the sources. */
function findDist(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth += 1) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cometkit') return join(dir, 'dist');
    dir = dirname(dir);
  }
  return undefined;
}

/**
 * cometkit's browser files, served by the push server itself under
 * `{basePath}/cometkit/`: the autoloader and its modules, the one-file
 * script, the polyfill and the worker file. A page that copies the README's
 * script tag gets its code from the server it connects to.
 *
 * Content-hashed names (`cometkit-autoload.1a2b3c4d5e.js`, everything under
 * `autoload/`) are cached for a year as immutable; the plain names are
 * revalidated (ETag) so a deploy reaches pages at once. Every file is sent
 * with `Access-Control-Allow-Origin: *`: they are public code, and a page on
 * another origin loads the autoloader's modules, and checks `integrity`,
 * only with CORS. Only names listed in dist/browser-files.json are served.
 */
export function browserFiles(dist = findDist()): (req: IncomingMessage, res: ServerResponse, name: string) => Promise<void> {
  let served: Map<string, Served> | undefined;
  const load = (): Map<string, Served> => {
    if (served) return served;
    const path = dist && join(dist, 'browser-files.json');
    if (!path || !existsSync(path)) {
      throw new HttpError(404, 'not-built', 'This server has no browser files: run `npm run build` in the cometkit package.');
    }
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    served = new Map();
    for (const [name, { hashed }] of Object.entries(manifest.files)) {
      served.set(name, { file: name, immutable: false });
      served.set(hashed, { file: name, immutable: true });
    }
    for (const name of manifest.autoload) served.set(`autoload/${name}`, { file: `autoload/${name}`, immutable: true });
    return served;
  };

  return async (req, res, name) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw new HttpError(405, 'method-not-allowed', `${BROWSER_FILES_PATH}${name.slice(0, 100)} accepts GET and HEAD.`);
    }
    const entry = load().get(name);
    if (!entry) throw new HttpError(404, 'not-found', `No cometkit browser file named "${name.slice(0, 100)}".`);
    const body = await readFile(join(dist!, entry.file));
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', entry.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', etag);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, NOSNIFF);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': body.length, ...NOSNIFF });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
