/**
 * The test helpers themselves: a parser bug here would make server tests
 * pass or fail for the wrong reason, and browser lookup decides whether CI
 * installs anything.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findBrowser, missingMessage } from '../../scripts/find-browsers.mjs';
import { SseParser } from '../support/sse-client.js';

describe('SseParser', () => {
  it('parses fields, named events, ids and retry', () => {
    const parser = new SseParser();
    const frames = parser.push('retry: 1000\nevent: hello\nid: a=e-0\ndata: {"v":1}\n\ndata: x\n\n');
    assert.deepEqual(frames, [
      { event: 'hello', data: '{"v":1}', id: 'a=e-0', lastEventId: 'a=e-0', retry: 1000 },
      { event: 'message', data: 'x', id: undefined, lastEventId: 'a=e-0', retry: undefined },
    ]);
  });

  it('joins multi-line data, skips comments, strips one leading space only', () => {
    const frames = new SseParser().push(': comment\ndata:  two spaces\ndata\ndata:third\n\n');
    assert.deepEqual(frames.map((f) => f.data), [' two spaces\n\nthird']);
  });

  it('handles CRLF and CR line ends, even split across chunks', () => {
    const parser = new SseParser();
    const chunks = ['data: a\r', '\n\r', '\ndata: b\r\r', 'data: c\n', '\n'];
    const frames = chunks.flatMap((chunk) => parser.push(chunk));
    assert.deepEqual(frames.map((f) => f.data), ['a', 'b', 'c']);
  });

  it('reassembles a frame split at every character', () => {
    const parser = new SseParser();
    const text = 'event: gap\ndata: {"channel":"a"}\n\nid: x\ndata: é\n\n';
    const frames = [...text].flatMap((char) => parser.push(char));
    assert.deepEqual(frames.map((f) => [f.event, f.data]), [['gap', '{"channel":"a"}'], ['message', 'é']]);
    assert.equal(parser.lastEventId, 'x');
  });

  it('dispatches nothing for a block without data, but keeps its id', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('id: 7\n\n'), []);
    assert.equal(parser.lastEventId, '7');
    assert.equal(parser.push('data: y\n\n')[0]!.lastEventId, '7');
  });
});

describe('find-browsers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cometkit-browsers-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const fake = (name: string, executable = true): string => {
    const path = join(dir, name);
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, executable ? 0o755 : 0o644);
    return path;
  };

  it('prefers the variables, CHROME_PATH before CHROMIUM_PATH', () => {
    const chrome = fake('chrome');
    const chromium = fake('chromium-custom');
    assert.equal(findBrowser('chromium', { env: { CHROME_PATH: chrome, CHROMIUM_PATH: chromium } }), chrome);
    assert.equal(findBrowser('chromium', { env: { CHROMIUM_PATH: chromium } }), chromium);
    assert.equal(findBrowser('firefox', { env: { FIREFOX_PATH: fake('ff') } }), join(dir, 'ff'));
  });

  it('refuses a variable that points at nothing runnable instead of quietly using another browser', () => {
    assert.throws(() => findBrowser('firefox', { env: { FIREFOX_PATH: join(dir, 'missing') } }), /FIREFOX_PATH=.* is not an executable/);
    assert.throws(() => findBrowser('chromium', { env: { CHROME_PATH: fake('not-exec', false) } }), /CHROME_PATH/);
  });

  it('falls back to commands on PATH', () => {
    fake('firefox-esr');
    // 'darwin' so this machine's /usr/bin browsers are not among the well-known paths.
    assert.equal(findBrowser('firefox', { platform: 'darwin', env: { PATH: dir, HOME: dir } }), join(dir, 'firefox-esr'));
    assert.equal(findBrowser('chromium', { platform: 'darwin', env: { PATH: join(dir, 'empty'), HOME: dir } }), undefined);
  });

  it('says in one line what to install', () => {
    const message = missingMessage(['chromium', 'firefox'], 'linux');
    assert.ok(!message.includes('\n'));
    assert.match(message, /apt-get install -y chromium firefox-esr/);
    assert.match(message, /CHROME_PATH/);
    assert.match(missingMessage(['firefox'], 'darwin'), /brew install --cask firefox/);
  });

  it('finds WebKit (MiniBrowser) by its variable, only on Linux otherwise, and names all its packages', () => {
    const miniBrowser = fake('MiniBrowser');
    assert.equal(findBrowser('webkit', { env: { MINIBROWSER_PATH: miniBrowser } }), miniBrowser);
    assert.throws(() => findBrowser('webkit', { env: { MINIBROWSER_PATH: join(dir, 'missing') } }), /MINIBROWSER_PATH/);
    // MiniBrowser is never on PATH, and WebKitGTK is not a macOS build.
    assert.equal(findBrowser('webkit', { platform: 'darwin', env: { PATH: dir, HOME: dir } }), undefined);
    const message = missingMessage(['webkit'], 'linux');
    assert.ok(!message.includes('\n'));
    assert.match(message, /apt-get install -y webkit2gtk-driver xvfb xauth libgl1-mesa-dri/);
    assert.match(message, /WEBKIT_WEBDRIVER_PATH/);
    assert.match(missingMessage(['webkit'], 'darwin'), /WTR_BROWSERS=chromium,firefox/);
  });
});
