/**
 * The element types of cometkit/react, checked both ways by `npm run
 * typecheck`: the right uses compile, and each wrong one is an error
 * (`@ts-expect-error` fails the check when the line below it is not).
 * Type-checked only; no page renders it.
 */
import { html } from 'lit';
import type { CometEvent } from 'cometkit';
import type {} from 'cometkit/react';

const renderItem = (event: CometEvent) => html`<b>${event.type}</b>`;

export const rightUses = (
  <comet-connection url="https://push.example.com/comet" hub="app" host="leader-tab" withCredentials worker-url="/cometkit-worker.js">
    <comet-feed channel="news" limit={10} theme="dark" strings={{ empty: 'Nothing yet.' }} renderItem={renderItem} />
    <comet-status hide-transport compact />
    <comet-toasts channel="alerts" />
    <comet-presence channel="room" />
    <comet-bell />
  </comet-connection>
);

export const wrongUses = (
  <>
    <comet-feed
      channel="news"
      // @ts-expect-error limit is a number: the string "10" would reach the property as a string
      limit="10"
    />
    <comet-feed
      // @ts-expect-error theme is light, dark or auto
      theme="blue"
    />
    <comet-feed
      // @ts-expect-error strings has no "empti"
      strings={{ empti: 'Nothing yet.' }}
    />
    <comet-feed
      // @ts-expect-error the element has no "limt"
      limt={3}
    />
    <comet-feed
      // @ts-expect-error renderItem is a function returning a Lit template
      renderItem="<b>x</b>"
    />
    <comet-feed
      // @ts-expect-error channel is a string
      channel={42}
    />
    <comet-connection
      url="/comet"
      // @ts-expect-error host is auto, shared-worker, leader-tab or single-tab
      host="worker"
    />
  </>
);
