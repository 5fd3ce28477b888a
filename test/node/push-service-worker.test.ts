/**
 * cometkit/sw in a real Chromium: pushes delivered through the DevTools
 * protocol (`ServiceWorker.deliverPushMessage`, as the browser's push
 * service would; `pushManager.subscribe()` itself needs a reachable push
 * service, which the test machines do not have). The service worker shows
 * an item when no tab of the app is visible, stays silent while one is,
 * closes it when withdrawn, and a click marks the item read on the server.
 *
 * Firefox (WebDriver BiDi) and WebKit (WebKitWebDriver) have no command that
 * delivers a push to a service worker, so this runs in Chromium only.
 */
import assert from 'node:assert/strict';
import { build } from 'esbuild';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type CDPSession, type Page, type WebWorker } from 'puppeteer-core';
import { CHROMIUM_FLAGS, findBrowser } from '../../scripts/find-browsers.mjs';
import type { InboxItem, InboxPage } from '../../src/protocol/inbox-protocol.js';
import type { PushMessage } from '../../src/protocol/push-protocol.js';
import { notificationMessage } from '../../server/push/push-message.js';
import { generateVapidKeys } from '../../server/push/vapid.js';
import { http } from '../support/http-client.js';
import { startServer, type TestServer } from '../support/node-server.js';

const chromium = findBrowser('chromium');
const USER = 'ada';

const RECORD_SHOWN = `self.shownLog = []; const show = self.registration.showNotification.bind(self.registration);
self.registration.showNotification = (title, options) => show(title, options).then(() => { self.shownLog.push({ title, body: options.body, tag: options.tag }); });`;

/** The app's service worker: cometkit/sw from the sources, its handlers kept where the test reaches them. */
async function serviceWorkerScript(): Promise<string> {
  const entry = fileURLToPath(new URL('../../src/sw.ts', import.meta.url));
  const result = await build({
    // The app's file also records what it asks the browser to show: headless Chromium sometimes drops a
    // notification shown from a push event from getNotifications() although showNotification() resolved.
    stdin: { contents: `import { cometServiceWorker } from ${JSON.stringify(entry)};\n${RECORD_SHOWN}\nself.cometkit = cometServiceWorker({ url: '/comet', app: '/app/', user: ${JSON.stringify(USER)} });`, resolveDir: process.cwd(), loader: 'ts' },
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2022',
  });
  return result.outputFiles[0]!.text;
}

describe('cometkit/sw in Chromium', { skip: chromium ? false : 'chromium is not installed' }, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;
  let cdp: CDPSession;
  let registrationId = '';
  let worker: WebWorker;
  before(async () => {
    const script = await serviceWorkerScript();
    server = await startServer({ inbox: { anonymous: true }, push: { vapid: { ...generateVapidKeys(), subject: 'mailto:ops@example.com' } } }, (comet) => (req, res) => {
      if (req.url === '/app/sw.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
        return;
      }
      if (req.url?.startsWith('/app/')) {
        res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>app</title><p>app</p>');
        return;
      }
      comet(req, res);
    });
    browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_FLAGS] });
    await browser.defaultBrowserContext().overridePermissions(server.origin, ['notifications']);
    page = await browser.newPage();
    cdp = await page.createCDPSession();
    const registered = new Promise<string>((resolve) =>
      cdp.on('ServiceWorker.workerRegistrationUpdated', ({ registrations }: { registrations: Array<{ registrationId: string; scopeURL: string; isDeleted: boolean }> }) => {
        const mine = registrations.find((one) => one.scopeURL === `${server.origin}/app/` && !one.isDeleted);
        if (mine) resolve(mine.registrationId);
      }),
    );
    await cdp.send('ServiceWorker.enable');
    await page.goto(`${server.origin}/app/`);
    const workerTarget = browser.waitForTarget((target) => target.type() === 'service_worker' && target.url().endsWith('/app/sw.js'));
    await page.evaluate(async () => {
      await navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' });
      await navigator.serviceWorker.ready;
    });
    registrationId = await registered;
    worker = (await (await workerTarget).worker())!;
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const deliver = (message: PushMessage) => cdp.send('ServiceWorker.deliverPushMessage', { origin: server.origin, registrationId, data: JSON.stringify(message) });
  const shown = () => worker.evaluate(async () => (await (self as unknown as { registration: ServiceWorkerRegistration }).registration.getNotifications()).map((one) => ({ title: one.title, body: one.body, tag: one.tag })));
  const notify = async (title: string): Promise<InboxItem> => (await server.comet.inbox.notify(USER, { data: { title, body: `**${title}** body` } })) as InboxItem;

  /** Polls the worker's notifications (each poll a round trip to the worker) until `done` holds. */
  const shownWhen = async (done: (list: Awaited<ReturnType<typeof shown>>) => boolean) => {
    const deadline = Date.now() + 20_000;
    let list = await shown();
    while (!done(list) && Date.now() < deadline) list = await shown();
    return list;
  };

  const clients = () =>
    worker.evaluate(async () =>
      (await (self as unknown as { clients: { matchAll(options: object): Promise<Array<{ visibilityState: string }>> } }).clients.matchAll({ type: 'window', includeUncontrolled: true })).map((one) => one.visibilityState),
    );

  it('shows the item when no tab of the app is open, and closes it when withdrawn', async () => {
    await page.goto('about:blank');
    // The page left: once the worker no longer sees it among its clients, the app has no tab.
    for (let tries = 0; tries < 500 && (await clients()).length > 0; tries += 1);
    assert.deepEqual(await clients(), []);
    const item = await notify('no tab');
    await deliver(notificationMessage(item));
    const log = () => worker.evaluate(() => (self as unknown as { shownLog: unknown[] }).shownLog);
    const deadline = Date.now() + 20_000;
    while ((await log()).length === 0 && Date.now() < deadline);
    assert.deepEqual(await log(), [{ title: 'no tab', body: 'no tab body', tag: `comet-inbox-${item.id}` }]);
    // Withdrawn by a push: shown through the handler (listed reliably), closed by a delivered withdraw.
    const second = await notify('to withdraw');
    await worker.evaluate((message) => (self as unknown as { cometkit: { push(m: unknown): Promise<void> } }).cometkit.push(message), notificationMessage(second) as never);
    assert.ok((await shown()).some((one) => one.tag === `comet-inbox-${second.id}`));
    await deliver({ kind: 'withdraw', ids: [item.id, second.id] });
    assert.deepEqual(await shownWhen((list) => list.length === 0), []);
  });

  it('closes the item a newer one replaces (a group that grew), and shows the group under its own tag', async () => {
    const older = await notify('Ada commented');
    const newer = await notify('Grace commented');
    const run = (message: PushMessage) => worker.evaluate((m) => (self as unknown as { cometkit: { push(m: unknown): Promise<void> } }).cometkit.push(m), message as never);
    await run(notificationMessage(older));
    assert.deepEqual((await shown()).map((one) => one.tag), [`comet-inbox-${older.id}`]);
    await run({ ...notificationMessage(newer), tag: 'comet-group-pr7', replaces: older.id });
    assert.deepEqual(await shown(), [{ title: 'Grace commented', body: 'Grace commented body', tag: 'comet-group-pr7' }]);
    // Withdrawn by its item, under the group's tag.
    await run({ kind: 'withdraw', ids: [newer.id] });
    assert.deepEqual(await shown(), []);
    // A tag that is not cometkit's own is not taken: another notification of the app stays untouched.
    await run({ ...notificationMessage(older), tag: 'app-chat' });
    assert.deepEqual((await shown()).map((one) => one.tag), [`comet-inbox-${older.id}`]);
    await run({ kind: 'withdraw', ids: [older.id] });
  });

  it('marks the item read when its notification is clicked', async () => {
    const item = await notify('click me');
    await worker.evaluate((message) => (self as unknown as { cometkit: { push(m: unknown): Promise<void> } }).cometkit.push(message), notificationMessage(item) as never);
    assert.equal((await shown()).length, 1);
    await worker.evaluate(async (tag) => {
      const scope = self as unknown as { registration: ServiceWorkerRegistration; cometkit: { click(n: Notification, action: string): Promise<void> } };
      const [notification] = (await scope.registration.getNotifications()).filter((one) => one.tag === tag);
      await scope.cometkit.click(notification!, '');
    }, `comet-inbox-${item.id}`);
    const page1 = (await http(`${server.base}/inbox?user=${USER}&filter=unread`)).json<InboxPage>();
    assert.ok(!page1.items.some((one) => one.id === item.id), 'the clicked item is read');
    assert.deepEqual(await shown(), []);
  });

  it('stays silent while a tab of the app is visible', async () => {
    await page.goto(`${server.origin}/app/`);
    for (let tries = 0; tries < 500 && !(await clients()).includes('visible'); tries += 1);
    assert.deepEqual(await clients(), ['visible']);
    const item = await notify('while visible');
    // The handler the push event runs, awaited here so the test knows it has finished.
    await worker.evaluate((message) => (self as unknown as { cometkit: { push(m: unknown): Promise<void> } }).cometkit.push(message), notificationMessage(item) as never);
    assert.deepEqual(await shown(), []);
  });
});
