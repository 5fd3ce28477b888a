export const TRANSPORT_NAMES = ['sse', 'iframe', 'long-poll'] as const;
export type TransportName = (typeof TRANSPORT_NAMES)[number];
