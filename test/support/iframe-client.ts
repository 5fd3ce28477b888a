/** A raw client for the iframe transport's streamed document. */
import { request } from 'node:http';

export interface IframeFrame {
  readonly kind: string;
  readonly frame: unknown;
  readonly cursor: string | undefined;
  /** Bytes of the document before this frame's script. */
  readonly offset: number;
}

/**
 * Reads the streamed document the way the iframe runs it: each
 * `<script>p(kind, frame, cursor)</script>` becomes one frame. The
 * arguments are parsed as JSON, which is stricter than the browser's
 * JavaScript parser: a frame that passes here also runs there.
 */
export function openIframe(url: string): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  frames: IframeFrame[];
  text(): string;
  ended: Promise<void>;
  close(): void;
}> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      let body = '';
      let scanned = 0;
      const frames: IframeFrame[] = [];
      const ended = new Promise<void>((done) => res.on('close', done));
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        const pattern = /<script>p\((.*?)\)<\/script>/g;
        pattern.lastIndex = scanned;
        for (let match = pattern.exec(body); match; match = pattern.exec(body)) {
          const [kind, frame, cursor] = JSON.parse(`[${match[1]}]`) as [string, unknown, string | undefined];
          frames.push({ kind, frame, cursor, offset: match.index });
          scanned = pattern.lastIndex;
        }
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        frames,
        text: () => body,
        ended,
        close: () => req.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}

