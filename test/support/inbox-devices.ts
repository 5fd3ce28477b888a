/**
 * Two "devices" of one user in one test page: each a client of its own
 * (its own hub, so no shared connection), each provided to the element by
 * a `<comet-connection>`.
 */
import { createClient, type CometClient } from '../../src/index.js';
import { getTestServer, uniqueChannel } from './env.js';

const made: Array<{ client: CometClient; wrapper: HTMLElement }> = [];

export async function inboxDevices<T extends HTMLElement>(html: string, count = 2): Promise<{ user: string; elements: T[] }> {
  const server = getTestServer();
  const user = uniqueChannel('inbox-user');
  const token = await server.token({ sub: user });
  const elements: T[] = [];
  for (let i = 0; i < count; i += 1) {
    const client = createClient({ url: server.comet, token, host: 'single-tab', hub: `${user}-device-${i}` });
    const wrapper = document.createElement('comet-connection') as HTMLElement & { client: CometClient };
    wrapper.client = client;
    wrapper.innerHTML = html;
    document.body.append(wrapper);
    made.push({ client, wrapper });
    elements.push(wrapper.firstElementChild as T);
  }
  return { user, elements };
}

export function removeDevices(): void {
  for (const { client, wrapper } of made.splice(0)) {
    wrapper.remove();
    client.close();
  }
}

/** The client of the device `element` was put on by `inboxDevices`. */
export function deviceClient(element: HTMLElement): CometClient {
  const device = made.find(({ wrapper }) => wrapper === element.parentElement);
  if (!device) throw new Error(`<${element.localName}> is not on a device inboxDevices made.`);
  return device.client;
}
