/**
 * What the README's script-tag page costs on the wire: the autoloader from
 * the push server, one `<comet-feed>`, live. Every file the page loads from
 * `{base}/cometkit/` is counted by its Resource Timing `encodedBodySize`
 * (the body as sent, compressed or not; the server sends Timing-Allow-Origin
 * so a page on another origin can read it). Needs the build.
 */
import { expect } from '@esm-bundle/chai';
import { getTestServer, uniqueChannel, waitFor } from '../support/env.js';

const server = getTestServer();
/** README, "Three ways to use it": what the script-tag page with one feed may transfer. */
const BUDGET_BYTES = 27 * 1024;

describe('the script-tag page on the wire', function () {
  this.timeout(30_000);

  it('transfers at most 27 KiB for the autoloader and one <comet-feed>, compressed', async () => {
    const channel = uniqueChannel();
    const script = document.createElement('script');
    script.src = `${server.comet}/cometkit/cometkit-autoload.js`;
    script.dataset['url'] = server.comet;
    // A hub of its own: this page leads it, so it loads the hub as a page alone would.
    script.dataset['hub'] = `transfer-${channel}`;
    const ready = new Promise((resolve) => document.addEventListener('cometkit-ready', resolve, { once: true }));
    document.head.append(script);
    const feed = document.createElement('comet-feed');
    feed.setAttribute('channel', channel);
    document.body.append(feed);
    await ready;

    await waitFor(() => customElements.get('comet-feed') !== undefined && feed.shadowRoot !== null, 10_000, 'the feed defined');
    await waitFor(async () => {
      await server.publish(channel, { title: 'on the wire' });
      return (feed.shadowRoot?.textContent ?? '').includes('on the wire');
    }, 15_000, 'a live event in the feed');

    const files = performance
      .getEntriesByType('resource')
      .filter((entry): entry is PerformanceResourceTiming => entry.name.startsWith(`${server.comet}/cometkit/`) && entry instanceof PerformanceResourceTiming);
    expect(files.map((file) => new URL(file.name).pathname)).to.include('/comet/cometkit/cometkit-autoload.js');
    expect(files.length).to.be.greaterThan(2, 'the loader, the SDK and the element at least');
    for (const file of files) expect(file.encodedBodySize, `${file.name}: its size is readable`).to.be.greaterThan(0);
    const sent = files.reduce((sum, file) => sum + file.encodedBodySize, 0);
    const decoded = files.reduce((sum, file) => sum + file.decodedBodySize, 0);
    console.log(`script-tag page, one <comet-feed>: ${files.length} files, ${(sent / 1024).toFixed(1)} KiB on the wire (${(decoded / 1024).toFixed(1)} KiB decoded)`);
    expect(decoded / sent, 'compressed on the wire').to.be.greaterThan(2);
    expect(sent).to.be.at.most(BUDGET_BYTES);
    feed.remove();
  });
});
