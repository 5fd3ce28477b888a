/** Wire protocol version, sent in every hello. Bumped only for incompatible changes. */
export const PROTOCOL_VERSION = 1;
