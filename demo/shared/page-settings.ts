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
