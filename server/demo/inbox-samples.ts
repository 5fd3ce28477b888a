import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CometServer } from '../comet-server.js';
import { HttpStatusError, sendError, sendJson } from '../http/http-error.js';
import { requestUrl } from '../http/request-url.js';

const SAMPLES = [
  {
    type: 'comment',
    category: 'comments',
    actor: 'Ada',
    group: 'post:7',
    data: { title: 'Ada commented on your post', body: '“Looks **great** — ship it!”' },
  },
  {
    type: 'export',
    category: 'exports',
    severity: 'success',
    actions: [{ id: 'open', label: 'Download', kind: 'primary', url: 'https://example.com/exports/42' }],
    data: { title: 'Your export is ready', body: '`reports-2026-11.csv` (2.4 MB)', url: 'https://example.com/exports/42' },
  },
  { type: 'build', category: 'builds', severity: 'info', data: { title: 'Build #482 passed', body: 'main · 3 min 12 s' } },
  {
    type: 'invite',
    category: 'invites',
    actor: 'Grace',
    actions: [
      { id: 'accept', label: 'Accept', kind: 'primary' },
      { id: 'decline', label: 'Decline', kind: 'secondary' },
    ],
    data: { title: 'Grace invited you to “Compilers”', body: 'Accept here, or from the [project page](https://example.com/compilers)' },
  },
  { type: 'alert', category: 'security', severity: 'warning', data: { title: 'Disk usage above 80 %', body: 'volume _/data_ on db-2' } },
] as const;

/** The demo's critical category: its alerts cannot be muted. */
export const DEMO_CRITICAL = ['security'];

/** The demo's application side of actions: it answers at once with what a real app would say. */
export function demoInboxAction({ action }: { action: { id: string; label: string } }): { label: string } {
  return { label: action.id === 'accept' ? 'Accepted' : action.id === 'decline' ? 'Declined' : `${action.label}: done` };
}

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
      sendError(res, new HttpStatusError(405, 'method-not-allowed', 'POST /demo/notify?user=<user>.'));
      return true;
    }
    const user = url.searchParams.get('user') ?? '';
    try {
      const item = await comet.inbox.notify(user, SAMPLES[next++ % SAMPLES.length]!);
      sendJson(res, 200, item);
    } catch (error) {
      sendError(res, error instanceof HttpStatusError ? error : new HttpStatusError(500, 'internal', 'Could not add the notification.'));
    }
    return true;
  };
}
