import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { HttpError, sendError } from '../http/http-error.js';
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

/** Serves files below `root` for the demo; never a path outside it. */
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
      sendError(res, new HttpError(400, 'bad-request', 'The path is not a valid URL path (check its %-escapes).'));
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
        res.writeHead(200, {
          'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
          'Content-Length': info.size,
          'Cache-Control': 'no-cache',
          'X-Content-Type-Options': 'nosniff',
        });
        if (req.method === 'HEAD') res.end();
        // A file removed or unreadable mid-answer ends this response, not the process.
        else createReadStream(file).on('error', () => res.destroy()).pipe(res);
        return true;
      } catch {
        continue;
      }
    }
    return false;
  };
}
