import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CometServer } from '../comet-server.js';
import { HttpError, sendError, sendJson } from '../http/http-error.js';
import { requestUrl } from '../http/request-url.js';

const SAMPLES = [
  { title: 'Ada commented on your post', message: '“Looks great — ship it!”' },
  { title: 'Your export is ready', message: 'reports-2026-11.csv (2.4 MB)', url: 'https://example.com/exports/42' },
  { title: 'Build #482 passed', message: 'main · 3 min 12 s' },
  { title: 'Grace invited you to “Compilers”', message: 'Accept from the project page' },
  { title: 'Disk usage above 80 %', message: 'volume /data on db-2' },
];

/**
 * `POST /demo/notify?user=…` in the demo only: adds a sample notification to
 * that user's inbox, as a site's backend would with the publish key. The demo
 * has no sign-in, so the user is whoever the page says.
 */
export function demoNotify(comet: CometServer) {
  let next = 0;
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    // `//[` and other targets no URL parser takes are not ours: the server's JSON 404 answers them.
    const url = requestUrl(req);
    if (url?.pathname !== '/demo/notify') return false;
    if (req.method !== 'POST') {
      sendError(res, new HttpError(405, 'method-not-allowed', 'POST /demo/notify?user=<user>.'));
      return true;
    }
    const user = url.searchParams.get('user') ?? '';
    try {
      const item = await comet.inbox.notify(user, { type: 'notice', data: SAMPLES[next++ % SAMPLES.length] });
      sendJson(res, 200, item);
    } catch (error) {
      sendError(res, error instanceof HttpError ? error : new HttpError(500, 'internal', 'Could not add the notification.'));
    }
    return true;
  };
}
