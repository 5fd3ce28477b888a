/** What the SDK hook or composable shows: the channel's latest event, or where it stands. */
export function latestText(channel: string, live: boolean, latest: { readonly type: string; readonly data: unknown } | undefined): string {
  const title = (latest?.data as { title?: unknown } | null | undefined)?.title;
  if (latest) return `Latest: ${typeof title === 'string' ? title : latest.type}`;
  return live ? `Listening on ${channel}…` : 'Connecting…';
}
