import type { CometError } from '../errors/comet-error.js';
import { HttpStatusError } from '../errors/http-status-error.js';
import { NetworkError } from '../errors/network-error.js';
import { formatCursor, parseCursor, type Cursor } from '../protocol/cursor.js';
import { diagnoseRefusal } from './diagnose-refusal.js';
import { readFrameValue, readReconnect, type FrameKind } from './frame-reader.js';
import { streamUrl } from './stream-url.js';
import { iframeSupported } from './transport-support.js';
import type { StreamRequest, Transport, TransportConnection, TransportSink } from './transport.js';

/** What the server's document posts: `{cometkit: 1, kind, frame, cursor}` (see PROTOCOL.md, iframe). */
interface PostedFrame {
  readonly cometkit: 1;
  readonly kind: string;
  readonly frame: unknown;
  readonly cursor: unknown;
}

const FRAME_KINDS: Partial<Record<string, FrameKind>> = { hello: 'hello', event: 'event', gap: 'gap', heartbeat: 'heartbeat' };

/**
 * A document's `load` and its last posted message are tasks of different
 * sources, which browsers may run in either order: a load is only taken as
 * a cut once the messages still queued have had this long to arrive.
 */
const LOAD_SETTLE_MS = 150;

function isPostedFrame(data: unknown): data is PostedFrame {
  return typeof data === 'object' && data !== null && (data as { cometkit?: unknown }).cometkit === 1 && typeof (data as { kind?: unknown }).kind === 'string';
}

export interface IframeTransport extends Transport {
  /**
   * cometkit frames this page received that were not from the push server's
   * origin or not from the transport's own iframe, and were dropped. A
   * non-zero count means another frame or window is posting look-alikes.
   */
  readonly ignoredMessages: number;
}

/**
 * Hidden-iframe streaming ("forever frame"): a hidden iframe loads
 * `{url}/iframe`, whose document the server streams as scripts posting each
 * frame to this page. It needs no EventSource and passes proxies that
 * buffer `text/event-stream` but stream HTML.
 *
 * Messages are trusted only when `event.origin` is the push server's origin
 * and `event.source` is the current iframe's window: any page can post to
 * this one, and another frame of the push server's origin can too.
 *
 * Each document ends after a bounded size; the transport then loads the
 * next one from the cursor of the last frame, without telling the sink,
 * which sees one continuous stream.
 */
export function createIframeTransport(): IframeTransport {
  let ignored = 0;

  return {
    name: 'iframe',
    streaming: true,

    get ignoredMessages() {
      return ignored;
    },

    isSupported: iframeSupported,

    open(request: StreamRequest, sink: TransportSink): TransportConnection {
      const pushOrigin = new URL(request.url, location.href).origin;
      const diagnosis = new AbortController();
      /** Where the next document starts: held parsed, and moved by each event's and gap's own parsed position. */
      const cursor: Cursor = parseCursor(request.cursor) ?? new Map();
      // Events and gaps reach the sink with their positions parsed at the frame reader: the cursor takes those,
      // rather than parsing each frame's cursor text and formatting the whole cursor again.
      const reader: TransportSink = {
        hello: (frame) => sink.hello(frame),
        heartbeat: (frame) => sink.heartbeat(frame),
        closed: (error) => sink.closed(error),
        reconnect: (afterMs) => sink.reconnect(afterMs),
        event: (event) => {
          cursor.set(event.channel, event.position);
          sink.event(event);
        },
        gap: (gap) => {
          cursor.set(gap.channel, gap.position);
          sink.gap(gap);
        },
      };
      let iframe: HTMLIFrameElement | undefined;
      let framesInDocument = 0;
      let ended = false;
      let done = false;
      let settleTimer: ReturnType<typeof setTimeout> | undefined;

      const removeIframe = (): void => {
        clearTimeout(settleTimer);
        if (!iframe) return;
        iframe.removeEventListener('load', onLoad);
        // Removing the element aborts its navigation, which closes the connection.
        iframe.remove();
        iframe = undefined;
      };

      const finish = (error?: CometError): void => {
        if (done) return;
        done = true;
        window.removeEventListener('message', onMessage);
        removeIframe();
        sink.closed(error);
      };

      const url = (): string => streamUrl({ ...request, cursor: formatCursor(cursor) }, 'iframe', { origin: location.origin });

      const load = (): void => {
        removeIframe();
        framesInDocument = 0;
        ended = false;
        const frame = document.createElement('iframe');
        frame.setAttribute('aria-hidden', 'true');
        frame.tabIndex = -1;
        frame.title = 'cometkit stream';
        // Not display:none: some engines deprioritise or never load undisplayed frames.
        frame.style.cssText = 'position:absolute;width:0;height:0;border:0;visibility:hidden;left:-9999px;top:-9999px';
        frame.src = url();
        frame.addEventListener('load', onLoad);
        iframe = frame;
        (document.body ?? document.documentElement).appendChild(frame);
      };

      const onLoad = (): void => {
        if (done || ended) return;
        clearTimeout(settleTimer);
        settleTimer = setTimeout(() => {
          if (done || ended) return;
          if (framesInDocument > 0) {
            finish(new NetworkError('The iframe stream was interrupted.'));
            return;
          }
          // A document that ended before any frame: a refusal whose body could not be posted
          // (an origin not allowed), or a proxy's page. Ask the same URL for its JSON error.
          const target = url();
          removeIframe();
          void diagnoseRefusal(target, request.withCredentials, diagnosis.signal, 'text/html').then((error) => finish(error));
        }, LOAD_SETTLE_MS);
      };

      const onMessage = (event: MessageEvent): void => {
        if (done || !isPostedFrame(event.data)) return;
        if (event.origin !== pushOrigin || !iframe || event.source !== iframe.contentWindow) {
          ignored += 1;
          return;
        }
        framesInDocument += 1;
        const { kind, frame, cursor: frameCursor } = event.data;
        if (kind === 'end') {
          // The document reached its size bound: the next one continues from the last cursor.
          ended = true;
          load();
          return;
        }
        if (kind === 'reconnect') {
          // The server is draining: this document is its last; the next one waits the server's delay.
          done = true;
          window.removeEventListener('message', onMessage);
          removeIframe();
          readReconnect(frame, sink);
          return;
        }
        if (kind === 'error') {
          const body = frame as { status?: unknown; code?: unknown; message?: unknown } | null;
          const status = typeof body?.status === 'number' ? body.status : 500;
          finish(new HttpStatusError(status, typeof body?.code === 'string' ? body.code : 'http-error', typeof body?.message === 'string' ? body.message : 'The iframe stream was refused.'));
          return;
        }
        const readAs = FRAME_KINDS[kind];
        if (!readAs) return;
        const malformed = readFrameValue(readAs, frame, reader);
        if (malformed) {
          finish(malformed);
          return;
        }
        // A hello (and a heartbeat, should one carry it) names every channel's position, including those without an event yet.
        if (typeof frameCursor === 'string' && (readAs === 'hello' || readAs === 'heartbeat')) {
          for (const [channel, position] of parseCursor(frameCursor) ?? []) cursor.set(channel, position);
        }
      };

      window.addEventListener('message', onMessage);
      load();

      return {
        close() {
          done = true;
          diagnosis.abort();
          window.removeEventListener('message', onMessage);
          removeIframe();
        },
      };
    },
  };
}

/** The page's iframe transport; one counter of ignored messages for the page. */
export const iframeTransport: IframeTransport = createIframeTransport();
