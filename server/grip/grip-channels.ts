import type { TransportName } from '../../src/protocol/transport-name.js';

/**
 * GRIP channel names. One GRIP item carries one `http-stream` content, and
 * SSE and iframe frames differ, so each cometkit channel is a GRIP channel
 * per transport: `sse:news`, `iframe:news`, `poll:news`. The transport is
 * always the first segment, so channels holding `:` stay unambiguous.
 */
export function gripChannel(prefix: string, transport: TransportName, channel: string): string {
  return `${prefix}${transport === 'long-poll' ? 'poll' : transport}:${channel}`;
}

/** The channel every stream of a transport also follows for its heartbeats: one publish beats them all. */
export function beatChannel(prefix: string, transport: 'sse' | 'iframe'): string {
  return `${prefix}beat:${transport}`;
}

/** The channel the streams of a transport whose tokens end in `second` (Unix seconds) also follow: their end is published on it. */
export function expiryChannel(prefix: string, transport: 'sse' | 'iframe', second: number): string {
  return `${prefix}expiry:${transport}:${second}`;
}

/**
 * Positions from a `Grip-Last` header (`sse:news; last-id=k3x9-42, …`): the
 * proxy names the last item it delivered on each channel when it asks the
 * next link to fill a gap.
 */
export function parseGripLast(header: string | string[] | undefined, prefix: string, transport: TransportName): Map<string, string> {
  const last = new Map<string, string>();
  const text = Array.isArray(header) ? header.join(',') : (header ?? '');
  const channelPrefix = gripChannel(prefix, transport, '');
  for (const entry of text.split(',')) {
    const [name, ...params] = entry.split(';').map((part) => part.trim());
    if (!name?.startsWith(channelPrefix)) continue;
    const id = params.find((param) => param.startsWith('last-id='))?.slice('last-id='.length);
    if (id) last.set(name.slice(channelPrefix.length), id);
  }
  return last;
}
