/** eventsource-polyfill 0.9.6 ships no types; this is the part cometkit uses. */
declare module 'eventsource-polyfill/dist/eventsource.js' {
  const polyfill: { readonly EventSource?: typeof globalThis.EventSource } | undefined;
  export default polyfill;
  export const EventSource: typeof globalThis.EventSource | undefined;
}
