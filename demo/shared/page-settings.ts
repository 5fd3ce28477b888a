/**
 * What the React and Vue pages connect to, from their query string, so one
 * build runs against any server: `?url=https://push.example.com/comet`
 * (default: `/comet` on the page's origin), `prefix=demo` (the channels are
 * `<prefix>.news` and `<prefix>.ticker`, which the demo server publishes)
 * and `hub=` (pages with the same `url` and `hub` share one connection).
 */
export interface PageSettings {
  readonly url: string;
  readonly channels: readonly [string, string];
  readonly hub: string;
}

export function pageSettings(location: Location): PageSettings {
  const query = new URLSearchParams(location.search);
  const prefix = query.get('prefix') || 'demo';
  return {
    url: new URL(query.get('url') || '/comet', location.href).href,
    channels: [`${prefix}.news`, `${prefix}.ticker`],
    hub: query.get('hub') || 'default',
  };
}

/** What the SDK hook or composable shows: the channel's latest event, or where it stands. */
export function latestText(channel: string, live: boolean, latest: { readonly type: string; readonly data: unknown } | undefined): string {
  const title = (latest?.data as { title?: unknown } | null | undefined)?.title;
  if (latest) return `Latest: ${typeof title === 'string' ? title : latest.type}`;
  return live ? `Listening on ${channel}…` : 'Connecting…';
}
