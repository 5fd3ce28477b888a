import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { chooseEncoding, ENCODING_SUFFIX, FILE_ENCODINGS, type FileEncoding } from '../http/accept-encoding.js';
import { HttpStatusError, sendError } from '../http/http-error.js';
import { requestUrl } from '../http/request-url.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/**
 * Serves files below `root` for the demo; never a path outside it. A file
 * the build compressed (`x.js.br`, `x.js.gz` beside `x.js`) goes in the
 * encoding the browser accepts best, as the push server sends its browser files.
 */
export function staticFiles(mounts: Record<string, string>) {
  const roots = Object.entries(mounts).map(([prefix, dir]) => [prefix, resolve(dir)] as const);
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = requestUrl(req);
    let pathname: string;
    try {
      if (!url) throw new URIError('not a URL path');
      pathname = decodeURIComponent(url.pathname);
    } catch {
      sendError(res, new HttpStatusError(400, 'bad-request', 'The path is not a valid URL path (check its %-escapes).'));
      return true;
    }
    // A NUL byte makes the file system calls throw rather than miss.
    if (pathname.includes('\0')) return false;
    for (const [prefix, root] of roots) {
      if (!pathname.startsWith(prefix)) continue;
      let file = resolve(join(root, pathname.slice(prefix.length)));
      if (file !== root && !file.startsWith(root + sep)) return false;
      try {
        if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
        const info = await stat(file);
        const stored = await compressedCopies(file);
        const coding = chooseEncoding(req.headers['accept-encoding'], stored);
        const sent = coding === 'identity' ? file : file + ENCODING_SUFFIX[coding];
        res.writeHead(200, {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Length': coding === 'identity' ? info.size : (await stat(sent)).size,
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
          ...(stored.length > 0 ? { Vary: 'Accept-Encoding' } : {}),
          ...(coding === 'identity' ? {} : { 'Content-Encoding': coding }),
        });
        if (req.method === 'HEAD') res.end();
        // A file removed or unreadable mid-answer ends this response, not the process.
        else createReadStream(sent).on('error', () => res.destroy()).pipe(res);
        return true;
      } catch {
        continue;
      }
    }
    return false;
  };
}

async function compressedCopies(file: string): Promise<FileEncoding[]> {
  const found: FileEncoding[] = [];
  for (const coding of FILE_ENCODINGS) {
    try {
      if ((await stat(file + ENCODING_SUFFIX[coding])).isFile()) found.push(coding);
    } catch {
      // No copy in this encoding: the file goes as it is.
    }
  }
  return found;
}
