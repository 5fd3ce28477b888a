/**
 * Pinning the autoloader with `integrity` pins every module it loads: the
 * loader carries their hashes and loads none that does not match. The
 * modules come from the test server's `/tampered/` route (see
 * test/support/tampered-dist.ts), which serves dist/ with one module
 * changed, as a compromised CDN would. Each case runs in a frame of its own:
 * its own module map, its own loader. Needs the build.
 */
import { expect } from '@esm-bundle/chai';
import type { CometClient } from '../../src/index.js';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

const server = getTestServer();

interface LoaderFrame {
  readonly window: Window & {
    errors: string[];
    cometkitTampered?: string[];
    CometKit?: { getDefaultClient(): CometClient | undefined };
    cometkitImport?: (row: unknown) => Promise<unknown>;
  };
  readonly feed: Element;
}

const frames: HTMLIFrameElement[] = [];

/**
 * The loader reports a refused module as a ModuleLoadError on the page. WebKit
 * hands a page only "Script error." for what a script of another origin
 * reports, even one fetched with CORS: there, that the report came is all
 * that can be seen.
 */
function expectRefusalOf(what: string, errors: readonly string[]): void {
  expect(errors).to.have.length(1);
  if (errors[0] !== 'Script error.') expect(errors[0]).to.contain('ModuleLoadError').and.to.contain(what);
}

/** A page with the autoloader from `/tampered/<mode>/…/<prefix>/dist/`, `data-url` and one `<comet-feed>`. */
async function pageWithLoader(mode: 'always' | 'after-first', prefix: string, attributes = ''): Promise<LoaderFrame> {
  // Pinned as SECURITY.md says to pin it: the loader's own hash, as the build printed it.
  const built = (await (await fetch(`${server.url}/dist/browser-files.json`)).json()) as { files: Record<string, { integrity: string }> };
  const integrity = built.files['cometkit-autoload.js']!.integrity;
  const run = uniqueChannel('run').replace(/\./g, '-');
  const loader = `${server.url}/tampered/${mode}/${run}/${prefix}/dist/cometkit-autoload.js`;
  const frame = document.createElement('iframe');
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  frame.srcdoc = `<script>
      self.errors = [];
      addEventListener('error', (event) => errors.push(event.error ? event.error.name + ': ' + event.error.message : event.message));
    </script>
    <script src="${loader}" integrity="${integrity}" crossorigin="anonymous" data-url="${server.comet}" data-hub="${run}" ${attributes}></script>
    <comet-feed channel="${uniqueChannel()}"></comet-feed>`;
  frames.push(frame);
  document.body.append(frame);
  await loaded;
  const window = frame.contentWindow as LoaderFrame['window'];
  return { window, feed: frame.contentDocument!.querySelector('comet-feed')! };
}

describe('autoloader integrity', function () {
  this.timeout(20_000);
  afterEach(() => {
    for (const frame of frames.splice(0)) frame.remove();
  });

  it('loads the modules as built, each checked against the hash the loader carries', async () => {
    const page = await pageWithLoader('always', 'nothing');
    await waitFor(() => page.window.customElements.get('comet-feed') !== undefined, 10_000, '<comet-feed> to be defined');
    await waitFor(() => page.window.CometKit?.getDefaultClient() !== undefined, 10_000, 'the default client');
    expect(page.window.errors).to.deep.equal([]);
    expect(page.window.cometkitTampered).to.equal(undefined);
  });

  it('refuses a lazy import of a row the build did not write, and fetches nothing for it', async () => {
    const page = await pageWithLoader('always', 'nothing');
    await waitFor(() => page.window.CometKit?.getDefaultClient() !== undefined, 10_000, 'the default client');
    const scripts = page.window.document.scripts.length;
    // The modules call it with a row the build wrote; anything else on the page could call it with anything.
    for (const row of [9_999, -1, 1.5, '0', '__proto__', 'length']) {
      const refused = await page.window.cometkitImport!(row).then(
        () => false,
        (error: Error) => error.message.includes('is not a module of this build'),
      );
      expect(refused, `cometkitImport(${JSON.stringify(row)})`).to.equal(true);
    }
    expect(page.window.document.scripts.length, 'no module script added').to.equal(scripts);
  });

  it('refuses an element module that differs from the one it was built with, and runs none of it', async () => {
    const page = await pageWithLoader('always', 'comet-feed');
    await waitFor(() => page.window.errors.length > 0, 10_000, 'the refusal');
    expectRefusalOf('<comet-feed>', page.window.errors);
    expect(page.window.cometkitTampered).to.equal(undefined);
    expect(page.window.customElements.get('comet-feed')).to.equal(undefined);
    // The SDK, which matches, is loaded all the same.
    await waitFor(() => page.window.CometKit?.getDefaultClient() !== undefined, 10_000, 'the default client');
  });

  it('refuses an element whose statically imported module was changed', async () => {
    const page = await pageWithLoader('always', 'load-inbox-view');
    await waitFor(() => page.window.errors.length > 0, 10_000, 'the refusal');
    expectRefusalOf('<comet-feed>', page.window.errors);
    expect(page.window.cometkitTampered).to.equal(undefined);
    expect(page.window.customElements.get('comet-feed')).to.equal(undefined);
  });

  it('refuses a changed module that the SDK loads lazily (the hub of a single tab)', async () => {
    const page = await pageWithLoader('always', 'single-tab-host', 'data-host="single-tab"');
    await waitFor(() => page.window.CometKit?.getDefaultClient()?.state === 'closed', 10_000, 'the client to close');
    expect(page.window.cometkitTampered).to.equal(undefined);
  });

  it('runs the module it checked, not a copy fetched again after the check', async () => {
    const page = await pageWithLoader('after-first', 'comet-feed');
    await waitFor(() => page.window.customElements.get('comet-feed') !== undefined, 10_000, '<comet-feed> to be defined');
    expect(page.window.cometkitTampered).to.equal(undefined);
    expect(page.window.errors).to.deep.equal([]);
  });
});
