/**
 * A memory broker behind the `Broker` interface, for tests that change one
 * of its calls: a history read that waits or fails, a live feed that drops
 * events. Subclasses override what they change; the rest goes to `inner`.
 */
import type { Broker, HistoryRead, PublishInput } from '../../server/broker/broker.js';
import { MemoryBroker } from '../../server/broker/memory-broker.js';
import type { CometEvent } from '../../src/protocol/messages.js';
import type { Position } from '../../src/protocol/position.js';

export class WrappedBroker implements Broker {
  readonly inner: MemoryBroker;

  constructor(historySize: number) {
    this.inner = new MemoryBroker({ historySize });
  }

  publish(input: PublishInput): Promise<CometEvent> {
    return this.inner.publish(input);
  }
  read(channel: string, after: Position | undefined): Promise<HistoryRead> {
    return this.inner.read(channel, after);
  }
  recent(channel: string, limit: number): Promise<readonly CometEvent[]> {
    return this.inner.recent(channel, limit);
  }
  subscribe(channel: string, listener: (event: CometEvent) => void): () => void {
    return this.inner.subscribe(channel, listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}
