import type { CometEvent } from '../../src/protocol/messages.js';
import type { Position } from '../../src/protocol/position.js';
import type { Broker, HistoryRead, PublishInput } from '../broker/broker.js';
import type { GripPublisher } from './grip-publisher.js';

/**
 * A broker that also hands every stored event to the GRIP proxy: whatever
 * publishes (the HTTP endpoint, server code, presence), the proxy's
 * connections get it. The event is stored first, so a reader the proxy
 * sends back for a gap finds it in history.
 */
export class GripBroker implements Broker {
  readonly #inner: Broker;
  readonly #publisher: GripPublisher;

  constructor(inner: Broker, publisher: GripPublisher) {
    this.#inner = inner;
    this.#publisher = publisher;
  }

  async publish(input: PublishInput): Promise<CometEvent> {
    const event = await this.#inner.publish(input);
    this.#publisher.event(event);
    return event;
  }

  read(channel: string, after: Position | undefined): Promise<HistoryRead> {
    return this.#inner.read(channel, after);
  }

  recent(channel: string, limit: number): Promise<readonly CometEvent[]> {
    return this.#inner.recent(channel, limit);
  }

  subscribe(channel: string, listener: (event: CometEvent) => void): () => void {
    return this.#inner.subscribe(channel, listener);
  }

  async close(): Promise<void> {
    await this.#publisher.close();
    await this.#inner.close();
  }
}
