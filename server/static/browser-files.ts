import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chooseEncoding, ENCODING_SUFFIX, FILE_ENCODINGS, type FileEncoding } from '../http/accept-encoding.js';
import { HttpStatusError } from '../http/http-error.js';
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
  /** The compressed copies the build wrote beside it. */
  readonly encodings: readonly FileEncoding[];
}

interface Variant {
  readonly body: Buffer;
  readonly etag: string;
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
 * `autoload/`, whose modules are in a folder named by a hash of their build) are cached for a year as immutable; the plain names are
 * revalidated (ETag) so a deploy reaches pages at once. Each goes brotli or
 * gzip-compressed when the browser accepts it (the build's `.br` and `.gz`
 * copies; `Vary: Accept-Encoding`, an ETag per encoding); the integrity
 * hashes are of the uncompressed file, which is what browsers check. Every file is sent
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
      throw new HttpStatusError(404, 'not-built', 'This server has no browser files: run `npm run build` in the cometkit package.');
    }
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
    served = new Map();
    const encodings = (file: string): FileEncoding[] => FILE_ENCODINGS.filter((coding) => existsSync(join(dist!, file + ENCODING_SUFFIX[coding])));
    for (const [name, { hashed }] of Object.entries(manifest.files)) {
      const stored = encodings(name);
      served.set(name, { file: name, immutable: false, encodings: stored });
      served.set(hashed, { file: name, immutable: true, encodings: stored });
    }
    for (const name of manifest.autoload) served.set(`autoload/${name}`, { file: `autoload/${name}`, immutable: true, encodings: encodings(`autoload/${name}`) });
    return served;
  };
  // Read per request, as before compression: a rebuilt file is served at once under its plain name.
  const read = async (file: string, coding: FileEncoding): Promise<Variant> => {
    const body = await readFile(join(dist!, coding === 'identity' ? file : file + ENCODING_SUFFIX[coding]));
    // Per encoding: a cache holding the gzip copy must not answer 304 to a request for the brotli one.
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}${coding === 'identity' ? '' : `-${coding}`}"`;
    return { body, etag };
  };

  return async (req, res, name) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      throw new HttpStatusError(405, 'method-not-allowed', `${BROWSER_FILES_PATH}${name.slice(0, 100)} accepts GET and HEAD.`);
    }
    const entry = load().get(name);
    if (!entry) throw new HttpStatusError(404, 'not-found', `No cometkit browser file named "${name.slice(0, 100)}".`);
    const coding = chooseEncoding(req.headers['accept-encoding'], entry.encodings);
    const { body, etag } = await read(entry.file, coding);
    res.setHeader('Access-Control-Allow-Origin', '*');
    // Public code: a page may read how many bytes its scripts cost (Resource Timing sizes).
    res.setHeader('Timing-Allow-Origin', '*');
    res.setHeader('Access-Control-Expose-Headers', 'Content-Encoding');
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
    res.setHeader('Cache-Control', entry.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    res.setHeader('ETag', etag);
    if (coding !== 'identity') res.setHeader('Content-Encoding', coding);
    if (matches(req.headers['if-none-match'], etag)) {
      res.writeHead(304, NOSNIFF);
      res.end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': body.length, ...NOSNIFF });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/** `If-None-Match` holds one ETag or a list of them (RFC 9110 §13.1.2); weak ones compare equal too. */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}
