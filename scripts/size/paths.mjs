/**
 * The uses of cometkit whose cost is budgeted (package.json "sizeBudgets",
 * by name) and compared with other libraries (`npm run bench -- size`).
 */

/** A bundling app's code, measured with `measureImport`. */
export const importPaths = {
  'import: createClient + subscribe': `
    import { createClient } from 'cometkit';
    createClient({ url: '/comet' }).subscribe('news', (event) => console.log(event.data));
  `,
  'import: components (every element)': `
    import 'cometkit/components';
    import { configure } from 'cometkit';
    configure({ url: '/comet' });
  `,
};

/** A plain HTML page, measured in a browser with `measurePage`: every script it fetches counts. */
export const pages = {
  'page: autoload tag + one <comet-feed>': `<!doctype html>
<meta charset="utf-8">
<script src="/dist/cometkit-autoload.js" data-url="/comet"></script>
<comet-feed channel="size"></comet-feed>`,
  'page: one-file script tag + one <comet-feed>': `<!doctype html>
<meta charset="utf-8">
<script src="/dist/cometkit.iife.js" data-url="/comet"></script>
<comet-feed channel="size"></comet-feed>`,
};

/**
 * Other libraries' smallest equivalent of "connect and handle one kind of
 * message", bundled the same way in the same run (devDependencies, exact
 * versions): anchors for the cometkit figures, not a feature comparison.
 */
export const peers = {
  'socket.io-client': `
    import { io } from 'socket.io-client';
    io('/').on('news', (data) => console.log(data));
  `,
  'sockjs-client': `
    import SockJS from 'sockjs-client';
    const socket = new SockJS('/news');
    socket.onmessage = (event) => console.log(event.data);
  `,
  'pusher-js': `
    import Pusher from 'pusher-js';
    new Pusher('key', { cluster: 'eu' }).subscribe('news').bind('headline', (data) => console.log(data));
  `,
  centrifuge: `
    import { Centrifuge } from 'centrifuge';
    const client = new Centrifuge('/connection/websocket');
    client.newSubscription('news').on('publication', (context) => console.log(context.data)).subscribe();
    client.connect();
  `,
};
