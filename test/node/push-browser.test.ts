/**
 * Web Push end to end in real browsers, on the real server and the hub's
 * own visibility reports (what PROTOCOL.md, Push, says decides a push):
 *
 * - The real path in Firefox: a click on `<comet-bell>`'s push switch asks
 *   the permission (granted by the profile), `pushManager.subscribe()`
 *   registers with a stand-in of Mozilla's push service on loopback
 *   (`dom.push.serverURL`), the SDK stores the subscription on the server;
 *   a notification while the page is hidden reaches the service worker
 *   through the stand-in, decrypted by the browser itself.
 * - The visibility rule in Chromium and Firefox: a subscription registered
 *   for the browser's device through the server's HTTP API, with a stand-in
 *   push service that decrypts with the test subscription's keys; while the
 *   page is visible a notification sends nothing, once another tab is in
 *   front (the page hidden) exactly one push, decrypted to the item.
 *
 * Chromium's `pushManager.subscribe()` cannot run here: its push service is
 * Google's, over Google's own protocol (its `--gcm-*` switches move the
 * endpoints, not the protocol), so the call never settles. WebKitGTK has no
 * PushManager. Both are said in README, Push.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import puppeteer, { type Browser, type ElementHandle, type Page } from 'puppeteer-core';
import { CHROMIUM_FLAGS, findBrowser } from '../../scripts/find-browsers.mjs';
import type { InboxItem } from '../../src/protocol/inbox-protocol.js';
import type { PushDevicesAnswerJson, PushNotificationMessage } from '../../src/protocol/push-protocol.js';
import { MemoryPushStore } from '../../server/push/memory-push-store.js';
import { generateVapidKeys } from '../../server/push/vapid.js';
import { startAutopushStandIn, type AutopushStandIn } from '../support/autopush-stand-in.js';
import { http } from '../support/http-client.js';
import { startServer, until, type TestServer } from '../support/node-server.js';
import { startPushService, type StandInPushService } from '../support/push-service.js';

const chromium = findBrowser('chromium');
const firefox = findBrowser('firefox');
const vapid = { ...generateVapidKeys(), subject: 'mailto:ops@example.com' };
const source = (path: string) => JSON.stringify(fileURLToPath(new URL(`../../${path}`, import.meta.url)));

interface VisibilityReport {
  readonly user: string;
  readonly device: string;
  readonly visible: boolean;
}

/** The server's own memory store, telling the test each visibility it stored (with `hiddenGraceMs: 0`, a hidden device's "until" is now). */
class RecordingPushStore extends MemoryPushStore {
  readonly reports: VisibilityReport[] = [];

  override async setVisibleUntil(user: string, device: string, until: number): Promise<void> {
    await super.setVisibleUntil(user, device, until);
    this.reports.push({ user, device, visible: until > Date.now() });
  }
}

/** The app's files, built from the sources: its page script, the hub's SharedWorker, and its service worker. */
async function appFiles(): Promise<Map<string, string>> {
  const bundle = async (contents: string): Promise<string> =>
    // ignoreAnnotations: package.json's sideEffects names the built files, and the elements' sources define tags on import.
    (await build({ stdin: { contents, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, format: 'esm', write: false, target: 'es2022', define: { __DEV__: 'false' }, ignoreAnnotations: true })).outputFiles[0]!.text;
  const [page, worker, sw] = await Promise.all([
    bundle(`import { createClient } from ${source('src/index.ts')};
import ${source('components/index.ts')};
const params = new URLSearchParams(location.search);
// A device registered through the server's API: the browser holds its id where client.push.subscribe() keeps it.
if (params.get('device')) localStorage.setItem('cometkit:push-device', params.get('device'));
window.fromServiceWorker = [];
navigator.serviceWorker.addEventListener('message', (event) => window.fromServiceWorker.push(event.data));
window.ready = navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).then(() => navigator.serviceWorker.ready).then(() => true);
window.client = createClient({ url: '/comet', workerUrl: '/app/worker.js', identity: { user: params.get('user') } });`),
    bundle(`import ${source('src/worker.ts')};`),
    bundle(`import { cometServiceWorker } from ${source('src/sw.ts')};
// Every push the browser decrypted, told to the app's pages (hidden ones too) before cometkit/sw handles it.
self.addEventListener('push', (event) => {
  const message = event.data ? event.data.json() : null;
  event.waitUntil(self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((all) => all.forEach((one) => one.postMessage(message))));
});
cometServiceWorker({ url: '/comet', app: '/app/', user: new URL(location.href).searchParams.get('user') ?? undefined });`),
  ]);
  return new Map([
    ['/app/app.js', page],
    ['/app/worker.js', worker],
    ['/app/sw.js', sw],
  ]);
}

/** The server with the app's files, and every visibility report the hub sends, as the server answered it. */
async function startApp(files: Map<string, string>, push: { allowed: string; ca: string }) {
  const store = new RecordingPushStore();
  const server = await startServer({ inbox: { anonymous: true }, push: { vapid, store, allowedEndpoints: [push.allowed], ca: push.ca, hiddenGraceMs: 0 } }, (comet) => (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    const file = files.get(path);
    if (file) return void res.writeHead(200, { 'Content-Type': 'text/javascript', 'Service-Worker-Allowed': '/app/' }).end(file);
    if (path === '/app/') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>app</title><comet-bell inbox></comet-bell><script type="module" src="/app/app.js"></script>');
    comet(req, res);
  });
  return { server, reports: store.reports };
}

async function launch(engine: 'chromium' | 'firefox', serverURL?: string): Promise<Browser> {
  if (engine === 'chromium') return puppeteer.launch({ executablePath: chromium, headless: true, args: [...CHROMIUM_FLAGS] });
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: firefox,
    headless: true,
    extraPrefsFirefox: {
      'dom.push.enabled': true,
      'dom.push.connection.enabled': true,
      // The stand-in speaks plain ws:// on loopback; Mozilla's own is wss://.
      ...(serverURL ? { 'dom.push.serverURL': serverURL, 'dom.push.testing.allowInsecureServerURL': true } : {}),
      // As if the user had allowed notifications for the site: headless, nobody answers the prompt.
      'permissions.default.desktop-notification': 1,
    },
  });
}

/** Opens the app's page and waits for its service worker. */
async function openApp(browser: Browser, server: TestServer, query: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${server.origin}/app/?${query}`);
  await page.waitForFunction(() => (window as unknown as { ready?: Promise<boolean> }).ready !== undefined);
  await page.evaluate(() => (window as unknown as { ready: Promise<boolean> }).ready);
  return page;
}

/** Puts another tab in front: the app's page is hidden, as when the user switched tabs. */
async function hide(browser: Browser, page: Page): Promise<Page> {
  const other = await browser.newPage();
  await other.bringToFront();
  await page.waitForFunction(() => document.visibilityState === 'hidden');
  return other;
}

const notify = (server: TestServer, user: string, title: string) => server.comet.inbox!.notify(user, { data: { title } }) as Promise<InboxItem>;

for (const engine of ['chromium', 'firefox'] as const) {
  describe(`push visibility end to end in ${engine}`, { skip: findBrowser(engine) ? false : `${engine} is not installed` }, () => {
    let service: StandInPushService;
    let app: Awaited<ReturnType<typeof startApp>>;
    let browser: Browser;
    before(async () => {
      service = await startPushService();
      app = await startApp(await appFiles(), { allowed: service.origin, ca: service.cert });
      browser = await launch(engine);
    });
    after(async () => {
      await browser?.close();
      await app?.server.close();
      await service?.close();
    });

    it('sends nothing while the page is visible, and exactly one push once it is hidden', async () => {
      const { server, reports } = app;
      const user = `ada-${engine}`;
      const device = `device-${engine}-1`;
      const subscription = service.subscription();
      const stored = await http(`${server.base}/push/subscriptions?user=${user}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: { device, subscription } });
      assert.equal(stored.status, 201);
      const page = await openApp(browser, server, `user=${user}&device=${device}`);
      // From the hub's "visible" report on, a notification goes to the tab only.
      await until(() => reports.some((one) => one.device === device && one.visible), 15_000, 'the hub\'s "visible" report');
      await notify(server, user, 'while the page is visible');
      await server.comet.inbox!.push!.settled();
      assert.equal(service.for(subscription).length, 0, 'the visible tab shows it: no push');
      assert.ok(await page.evaluate(() => document.visibilityState === 'visible'));

      const reportsBefore = reports.length;
      await hide(browser, page);
      await until(() => reports.slice(reportsBefore).some((one) => one.device === device && !one.visible), 15_000, 'the hub\'s "hidden" report');
      const item = await notify(server, user, 'while the page is hidden');
      await server.comet.inbox!.push!.settled();
      const pushes = service.for(subscription);
      assert.equal(pushes.length, 1, 'exactly one push');
      assert.equal(pushes[0]!.vapidValid, true);
      const message = pushes[0]!.message as PushNotificationMessage;
      assert.deepEqual([message.kind, message.id, message.title], ['notification', item.id, 'while the page is hidden']);
    });
  });
}

describe('subscribing for real in Firefox, through <comet-bell>\'s push switch', { skip: firefox ? false : 'firefox is not installed' }, () => {
  let autopush: AutopushStandIn;
  let app: Awaited<ReturnType<typeof startApp>>;
  let browser: Browser;
  before(async () => {
    autopush = await startAutopushStandIn();
    app = await startApp(await appFiles(), { allowed: autopush.endpointOrigin, ca: autopush.cert });
    browser = await launch('firefox', autopush.serverURL);
  });
  after(async () => {
    await browser?.close();
    await app?.server.close();
    await autopush?.close();
  });

  it('a click subscribes; hidden, a notification and its withdraw arrive in the service worker, decrypted by the browser; a click unsubscribes', async () => {
    const { server, reports } = app;
    const user = 'grace';
    const page = await openApp(browser, server, `user=${user}`);
    const inBell = (selector: string) => page.waitForFunction((s) => document.querySelector('comet-bell')?.shadowRoot?.querySelector(s) ?? false, { timeout: 15_000 }, selector) as Promise<ElementHandle<Element>>;
    await (await inBell('[part="button"]')).click();
    const toggle = await inBell('[part="push-switch"]');
    assert.equal(await toggle.evaluate((input) => (input as HTMLInputElement).checked), false);
    // A real click: the permission request and pushManager.subscribe() run in the user's gesture.
    await toggle.click();
    await page.waitForFunction(() => (document.querySelector('comet-bell')?.shadowRoot?.querySelector('[part="push-switch"]') as HTMLInputElement | null)?.checked === true, { timeout: 20_000 });
    assert.equal(await page.evaluate(() => document.querySelector('comet-bell')!.shadowRoot!.querySelector('[part~="push-status"]')!.textContent), 'On: notifications reach this device when no tab of the site is open.');
    assert.equal(autopush.registered.size, 1, 'Firefox registered with the stand-in');
    assert.equal([...autopush.registered.values()][0]!.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_'), vapid.publicKey, 'with the server\'s VAPID key');
    const { devices } = (await http(`${server.base}/push/subscriptions?user=${user}`)).json<PushDevicesAnswerJson>();
    assert.equal(devices.length, 1);
    assert.equal(devices[0]!.service, autopush.endpointOrigin);
    assert.equal(await page.evaluate(() => (window as unknown as { client: { push: { state(): Promise<string> } } }).client.push.state()), 'subscribed');
    const device = devices[0]!.device;

    await until(() => reports.some((one) => one.device === device && one.visible), 15_000, 'the hub\'s "visible" report');
    await notify(server, user, 'seen on the page');
    await server.comet.inbox!.push!.settled();
    assert.equal(autopush.relayed.length, 0, 'visible: no push');

    const reportsBefore = reports.length;
    await hide(browser, page);
    await until(() => reports.slice(reportsBefore).some((one) => one.device === device && !one.visible), 15_000, 'the hub\'s "hidden" report');
    const item = await notify(server, user, 'Build failed');
    await server.comet.inbox!.push!.settled();
    assert.equal(autopush.relayed.length, 1, 'exactly one push');
    assert.equal(autopush.relayed[0]!.vapidValid, true);
    assert.equal(autopush.relayed[0]!.topic, `item-${item.id}`);
    // The service worker's push event ran with what the browser decrypted: the item.
    await page.waitForFunction(() => (window as unknown as { fromServiceWorker: unknown[] }).fromServiceWorker.length > 0, { timeout: 20_000 });
    const [received] = await page.evaluate(() => (window as unknown as { fromServiceWorker: unknown[] }).fromServiceWorker);
    const message = received as PushNotificationMessage;
    assert.deepEqual([message.kind, message.id, message.title, message.tag], ['notification', item.id, 'Build failed', `comet-inbox-${item.id}`]);
    await until(() => autopush.relayed[0]!.acked, 10_000, 'the browser\'s acknowledgement');

    // Read on another device: the withdraw reaches the service worker the same way.
    await http(`${server.base}/inbox/state?user=${user}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: { ids: [item.id], read: true } });
    await server.comet.inbox!.push!.settled();
    assert.equal(autopush.relayed.length, 2);
    await page.waitForFunction(() => (window as unknown as { fromServiceWorker: unknown[] }).fromServiceWorker.length > 1, { timeout: 20_000 });
    assert.deepEqual((await page.evaluate(() => (window as unknown as { fromServiceWorker: unknown[] }).fromServiceWorker))[1], { kind: 'withdraw', ids: [item.id] });

    // Back on the page, the switch turns push off: the browser unregisters and the server forgets the device.
    await page.bringToFront();
    await page.waitForFunction(() => document.visibilityState === 'visible');
    await toggle.click();
    await page.waitForFunction(() => (document.querySelector('comet-bell')?.shadowRoot?.querySelector('[part="push-switch"]') as HTMLInputElement | null)?.checked === false && !(document.querySelector('comet-bell')?.shadowRoot?.querySelector('[part="push-switch"]') as HTMLInputElement).disabled, { timeout: 20_000 });
    assert.deepEqual((await http(`${server.base}/push/subscriptions?user=${user}`)).json<PushDevicesAnswerJson>().devices, []);
    await until(() => autopush.registered.size === 0, 10_000, 'the browser\'s unregister');
  });
});
