import type { StreamRequest } from './transport.js';

/** `{url}/{endpoint}?ch=…&cursor=…&token=…`: the one query every transport sends. */
export function streamUrl(request: StreamRequest, endpoint: string, extra: Record<string, string> = {}): string {
  const url = new URL(`${request.url.replace(/\/+$/, '')}/${endpoint}`, globalThis.location?.href);
  for (const channel of request.channels) url.searchParams.append('ch', channel);
  if (request.cursor !== '') url.searchParams.set('cursor', request.cursor);
  if (request.token) url.searchParams.set('token', request.token);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  return url.href;
}
