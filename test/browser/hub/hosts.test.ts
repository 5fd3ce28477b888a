/** Which host a client picks, why, and that each one delivers. */
import { expect } from '@esm-bundle/chai';
import { CometClient } from '../../../src/client/client.js';
import { getTestServer, uniqueChannel, waitFor } from '../../support/env.js';
import { hubWorkerUrl } from './tabs.js';

const server = getTestServer();

async function delivers(client: CometClient, prefix: string): Promise<void> {
  const channel = `${prefix}.a`;
  const received: unknown[] = [];
  await client.subscribe(channel, (event) => received.push(event.data)).ready;
  await server.publish(channel, 'hello');
  await waitFor(() => received.length === 1, 5000, 'the event');
  expect(received).to.deep.equal(['hello']);
  expect(client.state).to.equal('open');
  expect(client.transport).to.equal('sse');
}

describe('host choice', function () {
  this.timeout(20_000);
  const clients: CometClient[] = [];
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  const create = (options: Omit<ConstructorParameters<typeof CometClient>[0], 'url'>): CometClient => {
    const client = new CometClient({ url: server.comet, ...options });
    clients.push(client);
    return client;
  };

  it('uses the SharedWorker when given a same-origin workerUrl', async () => {
    const prefix = uniqueChannel('t.hub');
    const client = create({ hub: prefix, workerUrl: hubWorkerUrl });
    expect(client.host).to.equal('shared-worker');
    await delivers(client, prefix);
  });

  it('uses a same-origin one-line worker file that imports the worker from another origin (a CDN)', async () => {
    const prefix = uniqueChannel('t.hub');
    // Served by the test runner's config: `import '<test server>/dist/worker.js';`, nothing else.
    const client = create({ hub: prefix, workerUrl: '/__cometkit__/trampoline-worker.js' });
    await delivers(client, prefix);
    expect(client.host, client.hostReason).to.equal('shared-worker');
  });

  it('elects a leader tab without a workerUrl, and says why', async () => {
    const prefix = uniqueChannel('t.hub');
    const client = create({ hub: prefix });
    expect(client.host).to.equal('leader-tab');
    expect(client.hostReason).to.contain('no workerUrl');
    await delivers(client, prefix);
  });

  it('passes over a workerUrl of another origin, and says why', async () => {
    const prefix = uniqueChannel('t.hub');
    const client = create({ hub: prefix, workerUrl: `${server.url}/worker.js` });
    expect(client.host).to.equal('leader-tab');
    expect(client.hostReason).to.contain('not on the page\'s origin');
    await delivers(client, prefix);
  });

  it('falls back to a leader tab when the worker script fails to load', async () => {
    const prefix = uniqueChannel('t.hub');
    const client = create({ hub: prefix, workerUrl: new URL('./fixtures/no-such-worker.js', import.meta.url).href });
    await delivers(client, prefix);
    expect(client.host).to.equal('leader-tab');
    expect(client.hostReason).to.contain('failed to load');
  });

  it('runs in this tab alone when asked', async () => {
    const prefix = uniqueChannel('t.hub');
    const client = create({ hub: prefix, host: 'single-tab' });
    expect(client.host).to.equal('single-tab');
    await delivers(client, prefix);
  });

  it('two clients of one page share the hub like two tabs', async () => {
    const prefix = uniqueChannel('t.hub');
    const first = create({ hub: prefix, host: 'leader-tab' });
    const second = create({ hub: prefix, host: 'leader-tab' });
    await delivers(first, prefix);
    await delivers(second, prefix);
    expect(await server.streams(prefix)).to.equal(1);
  });

  for (const [name, options] of [
    ['SharedWorker', { workerUrl: hubWorkerUrl }],
    ['leader-tab', { host: 'leader-tab' }],
  ] as const) {
    it(`${name}: the hub asks the page's token function for a private channel`, async () => {
      const prefix = uniqueChannel('p.hub');
      const channel = `${prefix}.inbox`;
      let asked = 0;
      const client = create({
        hub: prefix,
        ...options,
        token: async () => {
          asked += 1;
          return server.token({ sub: 'ada', channels: [`${prefix}.*`] });
        },
      });
      const received: unknown[] = [];
      await client.subscribe(channel, (event) => received.push(event.data)).ready;
      await server.publish(channel, 'for ada');
      await waitFor(() => received.length === 1, 5000, 'the private event');
      expect(received).to.deep.equal(['for ada']);
      expect(asked).to.be.greaterThan(0);
    });
  }
});
