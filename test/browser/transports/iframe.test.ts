/**
 * The hidden-iframe transport against the real server on another origin
 * than the page: it delivers, and it trusts only its own iframe.
 */
import { expect } from '@esm-bundle/chai';
import type { CometEvent } from '../../../src/protocol/messages.js';
import { formatPosition, parsePosition } from '../../../src/protocol/position.js';
import { iframeTransport } from '../../../src/transports/iframe-transport.js';
import { uniqueChannel, waitFor } from '../../support/env.js';
import { getLab, proxyKey } from '../../support/proxies/lab-client.js';
import { openClient, waitOpen, type TestClient } from './clients.js';

describe('iframe transport', function () {
  this.timeout(20_000);
  let opened: TestClient | undefined;
  const frames: HTMLIFrameElement[] = [];
  afterEach(() => {
    opened?.close();
    opened = undefined;
    for (const frame of frames.splice(0)) frame.remove();
  });

  /** Loads a page that posts `data` to this one, and waits until the transport has counted it as ignored. */
  async function postFrom(src: string): Promise<void> {
    const before = iframeTransport.ignoredMessages;
    const frame = document.createElement('iframe');
    frame.src = src;
    frames.push(frame);
    document.body.append(frame);
    await waitFor(() => iframeTransport.ignoredMessages > before, 5000, `the message from ${src} to be seen and ignored`);
  }

  it('streams events from a push server on another origin, and its iframe lives in the page while open', async () => {
    const lab = await getLab();
    expect(new URL(lab.comet).origin).to.not.equal(location.origin);
    const channel = uniqueChannel();
    opened = openClient({ url: lab.comet, hub: proxyKey('iframe'), transports: ['iframe'] }, [channel]);
    await waitOpen(opened.client);
    expect(opened.client.transport).to.equal('iframe');
    const frame = document.querySelector<HTMLIFrameElement>(`iframe[src^="${lab.comet}/iframe"]`);
    expect(frame, 'the stream iframe').to.not.equal(null);
    expect(frame!.getAttribute('aria-hidden')).to.equal('true');
    expect(new URL(frame!.src).searchParams.get('origin')).to.equal(location.origin);

    const published = await lab.publishMany([
      { channel, data: { text: '</script><script>parent.hacked = true</script>' } },
      { channel, data: { text: 'line\u2028separator\u2029paragraph' } },
      { channel, data: 3 },
    ]);
    await waitFor(() => opened!.received.get(channel)!.length >= 3, 5000, 'three events');
    expect(opened.received.get(channel)).to.deep.equal(published);
    expect((window as unknown as { hacked?: boolean }).hacked).to.equal(undefined);

    opened.close();
    opened = undefined;
    expect(document.querySelector(`iframe[src^="${lab.comet}/iframe"]`), 'the iframe after close').to.equal(null);
  });

  it('loads the next document from the position of the last event it read, once a document reaches its size bound', async () => {
    const lab = await getLab();
    const channel = uniqueChannel();
    opened = openClient({ url: lab.comet, hub: proxyKey('iframe'), transports: ['iframe'] }, [channel]);
    await waitOpen(opened.client);
    const stream = (): HTMLIFrameElement | null => document.querySelector<HTMLIFrameElement>(`iframe[src^="${lab.comet}/iframe"]`);
    const first = stream();
    // Past the server's bound of a document (iframeMaxBytes, 256 KiB by default): 48 events of 8 KiB, in batches.
    const big = 'x'.repeat(8 * 1024);
    const published: CometEvent[] = [];
    for (let batch = 0; batch < 4; batch += 1) {
      published.push(...(await lab.publishMany(Array.from({ length: 12 }, (_, n) => ({ channel, data: { n: batch * 12 + n, big } })))));
    }
    await waitFor(() => opened!.received.get(channel)!.length >= published.length, 15_000, 'every event');
    const next = stream();
    expect(next, 'a next document').to.not.equal(null);
    expect(next).to.not.equal(first);
    // The next document starts after an event the first one delivered: the transport moved its cursor with each event's position.
    const resumed = new URL(next!.src).searchParams.get('cursor') ?? '';
    expect(published.map((event) => `${channel}=${event.id}`)).to.include(resumed);
    expect(opened.received.get(channel)!.map((event) => event.id)).to.deep.equal(published.map((event) => event.id));
  });

  it('ignores and counts frames from a foreign origin, from another frame of the push origin, and from the page itself', async () => {
    const lab = await getLab();
    const channel = uniqueChannel();
    opened = openClient({ url: lab.comet, hub: proxyKey('iframe'), transports: ['iframe'] }, [channel]);
    await waitOpen(opened.client);
    const first = await lab.publishMany([{ channel, data: 'first' }]);
    await waitFor(() => opened!.received.get(channel)!.length === 1, 5000, 'the first event');

    // A forged event far ahead of the real ones: were it accepted, it would be delivered, and the
    // next real event, now "at or before" the forged position, dropped.
    const forged: CometEvent = { id: formatPosition({ epoch: parsePosition(first[0]!.id)!.epoch, seq: 999_999 }), channel, type: 'message', data: 'forged', time: Date.now() };
    const message = { cometkit: 1, kind: 'event', frame: forged, cursor: `${channel}=${forged.id}` };

    // Another name for the lab's host: another origin than the push server's.
    const foreign = lab.url.replace('127.0.0.1', 'localhost');
    await postFrom(lab.posterUrl(foreign, message));
    // The push server's own origin, but not the transport's iframe.
    await postFrom(lab.posterUrl(lab.url, message));
    const before = iframeTransport.ignoredMessages;
    window.postMessage(message, '*');
    await waitFor(() => iframeTransport.ignoredMessages > before, 5000, 'the page’s own message to be ignored');

    const second = await lab.publishMany([{ channel, data: 'second' }]);
    await waitFor(() => opened!.received.get(channel)!.length >= 2, 5000, 'the second event');
    expect(opened.received.get(channel)!.map((event) => event.data)).to.deep.equal(['first', 'second']);
    expect(opened.received.get(channel)).to.deep.equal([...first, ...second]);
  });

  it('is not offered in a worker, which has no DOM; SSE and long-poll are', async () => {
    expect(iframeTransport.isSupported()).to.equal(true);
    const worker = new Worker(new URL('./fixtures/support-worker.ts', import.meta.url), { type: 'module' });
    try {
      const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
        worker.onmessage = (event: MessageEvent<Record<string, unknown>>) => resolve(event.data);
        worker.onerror = (event) => reject(new Error(`worker failed: ${event.message}`));
        worker.postMessage(null);
      });
      expect(answer).to.deep.equal({ iframe: false, 'long-poll': true, sse: true, workerTransports: ['sse', 'long-poll'] });
    } finally {
      worker.terminate();
    }
  });
});
