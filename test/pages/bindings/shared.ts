/** What both pages read from their query, and the control the test drives them with. */
export type View = { readonly panel: 'events' | 'people' | null; readonly generation: number };

declare global {
  interface Window {
    /** Set by the page: shows a panel (a new generation mounts it anew, in one render), or none. */
    bindingsPage?: { show(view: View): void; configure(): void };
  }
}

export function pageQuery(location: Location): { url: string; hub: string; channel: string; token: string | undefined; late: boolean } {
  const query = new URLSearchParams(location.search);
  return {
    url: query.get('url') ?? '/comet',
    hub: query.get('hub') ?? 'default',
    channel: query.get('channel') ?? 't.bindings',
    token: query.get('token') ?? undefined,
    // The default client configured only when the test says (`bindingsPage.configure()`), after the panels mounted.
    late: query.get('late') === '1',
  };
}
