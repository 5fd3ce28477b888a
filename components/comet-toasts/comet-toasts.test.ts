import { expect } from '@esm-bundle/chai';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../index.js';
import type { CometToasts } from './comet-toasts.js';
import { HOSTILE, channelLive, cleanup, expectNoAxeViolations, expectRenderedAsText, mount, nextEvent, part, parts } from '../../test/support/components.js';
import { getTestServer, uniqueChannel, waitFor } from '../../test/support/env.js';
import { installFakeClock } from '../../test/support/fake-clock.js';

describe('<comet-toasts>', () => {
  afterEach(cleanup);

  it('shows a toast for each event published on its channel', async () => {
    const channel = uniqueChannel();
    const { element, connection } = mount<CometToasts>(`<comet-toasts channel="${channel}" duration="0"></comet-toasts>`);
    await channelLive(connection, channel);
    const shown = nextEvent<CustomEvent<{ toast: { title: string } }>>(element, 'comet-toast-show');
    await getTestServer().publish(channel, { title: 'Deploy finished', message: 'All green', severity: 'success' });
    expect((await shown).detail.toast.title).to.equal('Deploy finished');
    await element.updateComplete;
    const toast = part(element, 'toast')!;
    expect(toast.getAttribute('part')).to.contain('toast-success');
    expect(part(element, 'title')!.textContent).to.equal('Deploy finished');
    expect(part(element, 'message')!.textContent).to.equal('All green');
  });

  it('keeps the newest `max` visible, holds older ones out of view and brings them back newest first', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts max="2" duration="0" motion="reduce"></comet-toasts>`);
    for (const n of [1, 2, 3, 4]) element.toast({ title: `Toast ${n}` });
    await element.updateComplete;
    expect(element.toasts.map((t) => t.title)).to.deep.equal(['Toast 3', 'Toast 4']);
    expect(element.queued.map((t) => t.title)).to.deep.equal(['Toast 2', 'Toast 1']);
    expect(part(element, 'more')!.textContent).to.equal('+2 more notifications');
    element.dismiss(element.toasts[1]!.id);
    expect(element.toasts.map((t) => t.title)).to.deep.equal(['Toast 2', 'Toast 3']);
    expect(element.queued.map((t) => t.title)).to.deep.equal(['Toast 1']);
    await element.updateComplete;
    expect(part(element, 'more')!.textContent).to.equal('+1 more notification');
  });

  it('after a burst of 100 from the server, shows the newest at once and holds a bounded few as "+N more"', async () => {
    const channel = uniqueChannel();
    const { element, connection } = mount<CometToasts>(`<comet-toasts channel="${channel}" motion="reduce"></comet-toasts>`);
    await channelLive(connection, channel);
    const newest = new Promise<void>((resolve) =>
      element.addEventListener('comet-toast-show', (event) => (event as CustomEvent<{ toast: { title: string } }>).detail.toast.title === 'Alert 100' && resolve()),
    );
    await getTestServer().publishMany(Array.from({ length: 100 }, (_, n) => ({ channel, data: { title: `Alert ${n + 1}` } })));
    await newest;
    await element.updateComplete;
    const shown = parts(element, 'title').map((title) => title.textContent);
    expect(shown, 'the newest is on screen').to.include('Alert 100');
    expect(shown).to.deep.equal(['Alert 98', 'Alert 99', 'Alert 100']);
    expect(element.queued.length, 'held out of view').to.equal(20);
    expect(element.queued[0]!.title, 'the next to come back').to.equal('Alert 97');
    expect(element.more).to.equal(97);
    expect(part(element, 'more')!.textContent).to.equal('+97 more notifications');
  });

  it('catches a hidden tab up with the newest and a count, not a backlog', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts motion="reduce"></comet-toasts>`);
    const hidden = Object.getOwnPropertyDescriptor(Document.prototype, 'hidden')!;
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
    try {
      document.dispatchEvent(new Event('visibilitychange'));
      for (let n = 1; n <= 500; n += 1) element.toast({ title: `While away ${n}` });
    } finally {
      delete (document as { hidden?: boolean }).hidden;
      Object.defineProperty(Document.prototype, 'hidden', hidden);
      document.dispatchEvent(new Event('visibilitychange'));
    }
    await element.updateComplete;
    expect(element.toasts.map((t) => t.title)).to.deep.equal(['While away 498', 'While away 499', 'While away 500']);
    expect(element.queued.length).to.be.at.most(20);
    expect(part(element, 'more')!.textContent).to.equal('+497 more notifications');
    expect(parts(element, 'toast')).to.have.length(3);
  });

  it('updates a toast in place by id', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0" motion="reduce"></comet-toasts>`);
    const id = element.toast({ id: 'upload', title: 'Uploading…' });
    expect(id).to.equal('upload');
    await element.updateComplete;
    const node = part(element, 'toast')!;
    expect(element.toast({ id: 'upload', title: 'Uploaded', severity: 'success' })).to.equal('upload');
    await element.updateComplete;
    expect(element.toasts.map((t) => [t.title, t.severity])).to.deep.equal([['Uploaded', 'success']]);
    expect(parts(element, 'toast')).to.have.length(1);
    expect(part(element, 'toast') === node, 'the same toast, changed').to.equal(true);
    expect(part(element, 'title')!.textContent).to.equal('Uploaded');
  });

  it('follows a promise: loading, then success or error in the same toast', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0" motion="reduce"></comet-toasts>`);
    let resolve!: (value: string) => void;
    const saving = new Promise<string>((done) => (resolve = done));
    const returned = element.promise(saving, { loading: 'Saving…', success: (name) => `Saved ${name}`, error: 'Could not save' });
    await element.updateComplete;
    expect(element.toasts.map((t) => [t.message, t.loading])).to.deep.equal([['Saving…', true]]);
    expect(part(element, 'toast')!.getAttribute('part')).to.contain('loading');
    expect(part(element, 'toast')!.getAttribute('aria-busy')).to.equal('true');
    const node = part(element, 'toast');
    resolve('report.pdf');
    expect(await returned).to.equal('report.pdf');
    await element.updateComplete;
    expect(element.toasts.map((t) => [t.message, t.severity, t.loading])).to.deep.equal([['Saved report.pdf', 'success', false]]);
    expect(part(element, 'toast') === node, 'the same toast').to.equal(true);

    const failing = element.promise(Promise.reject(new Error('disk full')), { loading: 'Saving…', success: 'Saved', error: (error) => ({ title: 'Could not save', message: (error as Error).message }) });
    await failing.catch(() => {});
    await element.updateComplete;
    const failed = element.toasts.find((t) => t.title === 'Could not save')!;
    expect([failed.message, failed.severity, failed.loading]).to.deep.equal(['disk full', 'error', false]);
  });

  it('counts "+N more" with the plural rules of the page’s language (Polish)', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts lang="pl" max="1" duration="0" motion="reduce"></comet-toasts>`);
    element.strings = { more: { one: '+{count} powiadomienie', few: '+{count} powiadomienia', many: '+{count} powiadomień', other: '+{count} powiadomienia' } };
    const seen: string[] = [];
    for (let n = 1; n <= 6; n += 1) {
      element.toast({ title: `Alert ${n}` });
      await element.updateComplete;
      const more = part(element, 'more')?.textContent;
      if (more) seen.push(more);
    }
    expect(seen).to.deep.equal(['+1 powiadomienie', '+2 powiadomienia', '+3 powiadomienia', '+4 powiadomienia', '+5 powiadomień']);
    element.strings = { more: 'i {count} więcej' };
    await element.updateComplete;
    expect(part(element, 'more')!.textContent, 'a plain string still replaces').to.equal('i 5 więcej');
  });

  it('coalesces duplicates into one toast with a count', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0"></comet-toasts>`);
    const first = element.toast({ title: 'Disk almost full', severity: 'warning' });
    const second = element.toast({ title: 'Disk almost full', severity: 'warning' });
    element.toast({ title: 'Disk almost full', severity: 'warning' });
    expect(second).to.equal(first);
    expect(element.toasts).to.have.length(1);
    expect(element.toasts[0]!.count).to.equal(3);
    await element.updateComplete;
    expect(part(element, 'count')!.textContent).to.equal('×3');
  });

  it('dismisses by itself after its duration, with reason timeout', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="50" motion="reduce"></comet-toasts>`);
    const dismissed = nextEvent<CustomEvent<{ reason: string }>>(element, 'comet-toast-dismiss');
    element.toast('Short-lived');
    expect((await dismissed).detail.reason).to.equal('timeout');
    expect(element.toasts).to.have.length(0);
  });

  it('pauses auto-dismiss while hovered and resumes after, with the time it had left', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="150" motion="reduce"></comet-toasts>`);
    const clock = installFakeClock();
    try {
      element.toast('Hover me');
      await element.updateComplete;
      const toast = part(element, 'toast')!;
      clock.tick(100);
      toast.dispatchEvent(new PointerEvent('pointerover', { bubbles: true, composed: true }));
      expect(element.paused).to.equal(true);
      clock.tick(10_000);
      expect(element.toasts, 'still there while hovered').to.have.length(1);
      const dismissed = nextEvent<CustomEvent<{ reason: string }>>(element, 'comet-toast-dismiss');
      toast.dispatchEvent(new PointerEvent('pointerout', { bubbles: true, composed: true, relatedTarget: document.body }));
      expect(element.paused).to.equal(false);
      clock.tick(49);
      expect(element.toasts, 'not before the 50 ms it had left').to.have.length(1);
      clock.tick(1);
      expect((await dismissed).detail.reason).to.equal('timeout');
      expect(element.toasts).to.have.length(0);
    } finally {
      clock.restore();
    }
  });

  it('pauses while it holds keyboard focus, and Escape dismisses the focused toast', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="150" motion="reduce"></comet-toasts>`);
    const clock = installFakeClock();
    try {
      element.toast({ title: 'Focus me', actions: [{ label: 'Undo', value: 'undo' }] });
      await element.updateComplete;
      part(element, 'action')!.focus();
      expect(element.paused).to.equal(true);
      clock.tick(10_000);
      expect(element.toasts, 'still there while focused').to.have.length(1);
    } finally {
      // The runner's key presses wait on the page's own clock.
      clock.restore();
    }
    const dismissed = nextEvent<CustomEvent<{ reason: string }>>(element, 'comet-toast-dismiss');
    await sendKeys({ press: 'Escape' });
    expect((await dismissed).detail.reason).to.equal('escape');
  });

  it('pauses while the tab is hidden, and resumes when it shows again', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="100" motion="reduce"></comet-toasts>`);
    const clock = installFakeClock();
    const hidden = Object.getOwnPropertyDescriptor(Document.prototype, 'hidden')!;
    try {
      element.toast('Hidden tab');
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
      expect(element.paused).to.equal(true);
      clock.tick(10_000);
      expect(element.toasts, 'still there while hidden').to.have.length(1);
      delete (document as { hidden?: boolean }).hidden;
      Object.defineProperty(Document.prototype, 'hidden', hidden);
      document.dispatchEvent(new Event('visibilitychange'));
      expect(element.paused).to.equal(document.hidden);
      if (document.hidden) return; // A runner whose own tab is hidden keeps it paused: nothing more to see.
      const dismissed = nextEvent<CustomEvent<{ reason: string }>>(element, 'comet-toast-dismiss');
      clock.tick(100);
      expect((await dismissed).detail.reason).to.equal('timeout');
    } finally {
      delete (document as { hidden?: boolean }).hidden;
      Object.defineProperty(Document.prototype, 'hidden', hidden);
      clock.restore();
    }
  });

  it('moves focus to the newest toast with its hotkey (alt+KeyT)', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0" motion="reduce"></comet-toasts>`);
    element.toast('Older');
    element.toast({ title: 'Newest', actions: [{ label: 'Open', value: 'open' }] });
    await element.updateComplete;
    document.dispatchEvent(new KeyboardEvent('keydown', { key: 't', code: 'KeyT', altKey: true, bubbles: true, cancelable: true }));
    expect(element.shadowRoot!.activeElement?.textContent).to.equal('Open');
    expect(element.paused, 'focus pauses').to.equal(true);
  });

  it('fires comet-toast-action with the action, and dismisses unless cancelled', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0" motion="reduce"></comet-toasts>`);
    element.toast({ title: 'Message archived', actions: [{ label: 'Undo', value: 'undo' }] });
    await element.updateComplete;
    const action = nextEvent<CustomEvent<{ action: { value: string } }>>(element, 'comet-toast-action');
    part(element, 'action')!.focus();
    await sendKeys({ press: 'Enter' });
    expect((await action).detail.action.value).to.equal('undo');
    expect(element.toasts).to.have.length(0);
  });

  it('closes with its dismiss button from the keyboard', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0" motion="reduce"></comet-toasts>`);
    element.toast('Close me');
    await element.updateComplete;
    const dismissed = nextEvent<CustomEvent<{ reason: string }>>(element, 'comet-toast-dismiss');
    part(element, 'close')!.focus();
    await sendKeys({ press: 'Enter' });
    expect((await dismissed).detail.reason).to.equal('close');
  });

  it('can be swiped away', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0" motion="reduce"></comet-toasts>`);
    element.toast('Swipe me');
    await element.updateComplete;
    const toast = part(element, 'toast')!;
    const box = toast.getBoundingClientRect();
    const at = (type: string, x: number) =>
      toast.dispatchEvent(new PointerEvent(type, { bubbles: true, composed: true, pointerId: 7, button: 0, clientX: x, clientY: box.top + 5, isPrimary: true }));
    const dismissed = nextEvent<CustomEvent<{ reason: string }>>(element, 'comet-toast-dismiss');
    at('pointerdown', box.left + 10);
    at('pointermove', box.left + 60);
    at('pointermove', box.left + 10 + box.width / 2);
    at('pointerup', box.left + 10 + box.width / 2);
    expect((await dismissed).detail.reason).to.equal('swipe');
  });

  it('announces errors assertively and the rest politely', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0"></comet-toasts>`);
    element.toast({ title: 'Saved', severity: 'success' });
    element.toast({ title: 'Payment failed', severity: 'error' });
    await element.updateComplete;
    const polite = element.shadowRoot!.querySelector('[aria-live="polite"]')!;
    const assertive = element.shadowRoot!.querySelector('[aria-live="assertive"]')!;
    expect(polite.textContent).to.contain('Saved');
    expect(assertive.textContent).to.contain('Payment failed');
    expect(polite.textContent).not.to.contain('Payment failed');
  });

  it('runs no animation with reduced motion (attribute, and the system setting)', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0" motion="reduce"></comet-toasts>`);
    element.toast('Calm');
    await element.updateComplete;
    expect(part(element, 'toast')!.getAnimations()).to.have.length(0);
    element.dismiss(element.toasts[0]!.id);
    await element.updateComplete;
    expect(parts(element, 'toast'), 'removed at once').to.have.length(0);

    element.motion = 'auto';
    element.toast('Moving');
    await element.updateComplete;
    expect(part(element, 'toast')!.getAnimations().length, 'animates by default').to.be.greaterThan(0);
    element.dismissAll();
    // Firefox under WebDriver BiDi and WebKitGTK under W3C WebDriver cannot emulate media features;
    // the attribute path above ran in every engine.
    if (navigator.userAgent.includes('Firefox') || !navigator.userAgent.includes('Chrome/')) return;
    await emulateMedia({ reducedMotion: 'reduce' });
    try {
      expect(matchMedia('(prefers-reduced-motion: reduce)').matches).to.equal(true);
      element.toast('Calm again');
      await element.updateComplete;
      const calm = parts(element, 'toast').find((t) => t.textContent?.includes('Calm again'))!;
      expect(calm.getAnimations()).to.have.length(0);
    } finally {
      await emulateMedia({ reducedMotion: 'no-preference' });
    }
  });

  it('renders hostile payloads as text and keeps only http(s) links', async () => {
    const channel = uniqueChannel();
    const { element, connection } = mount<CometToasts>(`<comet-toasts channel="${channel}" duration="0"></comet-toasts>`);
    await channelLive(connection, channel);
    const shown = nextEvent(element, 'comet-toast-show');
    await getTestServer().publish(channel, {
      title: HOSTILE,
      message: HOSTILE,
      actions: [{ label: HOSTILE, href: 'javascript:window.__pwned=true' }, { label: 'Docs', href: 'https://example.com/docs' }],
    });
    await shown;
    await element.updateComplete;
    expectRenderedAsText(element);
    const links = element.shadowRoot!.querySelectorAll('a');
    expect([...links].map((a) => a.href)).to.deep.equal(['https://example.com/docs']);
  });

  it('follows placement and takes replacement strings', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts placement="top-start" duration="0"></comet-toasts>`);
    element.strings = { dismiss: 'Schließen' };
    element.toast('Hallo');
    await element.updateComplete;
    expect(getComputedStyle(element).top).not.to.equal('auto');
    expect(part(element, 'close')!.getAttribute('aria-label')).to.equal('Schließen');
  });

  it('puts the end placement on the left in a right-to-left page', async () => {
    const rtl = document.createElement('div');
    rtl.dir = 'rtl';
    document.body.append(rtl);
    try {
      const { element } = mount<CometToasts>(`<comet-toasts duration="0" motion="reduce"></comet-toasts>`, {}, rtl);
      element.toast('مرحبا');
      await element.updateComplete;
      const box = part(element, 'toast')!.getBoundingClientRect();
      expect(box.left).to.be.lessThan(window.innerWidth / 2);
      expect(element.getAttribute('placement')).to.equal('bottom-end');
    } finally {
      rtl.remove();
    }
  });

  it('has no axe violations, light and dark', async () => {
    const { element } = mount<CometToasts>(`<comet-toasts duration="0" motion="reduce"></comet-toasts>`);
    element.toast({ title: 'Saved', message: 'Your changes are live', severity: 'success', actions: [{ label: 'View', href: 'https://example.com' }] });
    element.toast({ title: 'Payment failed', severity: 'error' });
    element.toast({ title: 'Heads up', severity: 'warning' });
    element.promise(new Promise(() => {}), { loading: 'Publishing…', success: 'Published', error: 'Not published' });
    await element.updateComplete;
    expect(part(element, 'more'), 'with "+N more" and a loading toast').to.not.equal(undefined);
    await expectNoAxeViolations(element);
    element.theme = 'dark';
    await element.updateComplete;
    await expectNoAxeViolations(element);
  });
});
