import { HttpStatusError } from '../http/http-error.js';
import type { ServerSendOptions } from '../send/send-service.js';

export const DEMO_CHAT = 'demo.chat';
const MAX_TEXT = 500;
const MAX_NAME = 64;

/**
 * The demo chat's sends: anyone may send to `demo.chat` (the demo has no
 * sign-in), and `onSend` keeps what is stored to a name and a trimmed text,
 * so a page cannot push arbitrary objects into everyone's chat.
 */
export const demoChatSends: ServerSendOptions = {
  publicChannels: [DEMO_CHAT],
  rate: { perSecond: 2, burst: 8 },
  onSend: ({ channel, type, data }) => {
    if (channel !== DEMO_CHAT) return undefined;
    if (type !== 'chat.message') throw new HttpStatusError(422, 'bad-message', 'The chat takes events of type "chat.message" only.');
    const { name, text } = (data ?? {}) as { name?: unknown; text?: unknown };
    const cleanText = typeof text === 'string' ? text.replace(/\p{Cc}/gu, ' ').trim().slice(0, MAX_TEXT) : '';
    if (cleanText === '') throw new HttpStatusError(422, 'bad-message', 'A chat message needs some text.');
    const cleanName = typeof name === 'string' ? name.replace(/\p{Cc}/gu, '').trim().slice(0, MAX_NAME) : '';
    return { name: cleanName || 'Someone', text: cleanText };
  },
};
