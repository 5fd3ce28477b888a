/**
 * GRIP mode answers a request with proxy instructions only when its
 * `Grip-Sig` is signed with the proxy's key, so it does not start without
 * one: a header taken at its word would let any client be held by the proxy
 * outside the stream caps, with a `Grip-Link` carrying its token.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { createCometServer } from '../../server/comet-server.js';
import { resolveOptions } from '../../server/options.js';
import { startProcess } from '../support/scale/child-process.js';

const CONTROL_URL = 'http://127.0.0.1:5561';

describe('GRIP without a signing key', () => {
  it('refuses to create a server in GRIP mode without a signing key, from options or the environment', () => {
    const message = /GRIP mode \(COMET_GRIP_URL\) needs the proxy's signing key: set COMET_GRIP_KEY/;
    assert.throws(() => createCometServer({ grip: { controlUrl: CONTROL_URL } }), message);
    assert.throws(() => createCometServer({ grip: { controlUrl: CONTROL_URL, signingKey: '' } }), message);
    assert.throws(() => resolveOptions({}, { COMET_GRIP_URL: CONTROL_URL }), message);
    assert.equal(resolveOptions({}, { COMET_GRIP_URL: CONTROL_URL, COMET_GRIP_KEY: 'k' }).grip?.signingKey, 'k');
    assert.equal(resolveOptions({}, {}).grip, undefined);
  });

  it('stops cli.ts with a one-line error and exit code 2', { timeout: 60_000 }, async () => {
    const cli = startProcess(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../server/cli.ts', import.meta.url))], {
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', COMET_GRIP_URL: CONTROL_URL, COMET_GRIP_KEY: '', COMET_REDIS_URL: '' },
    });
    try {
      const code = await new Promise<number | null>((resolve) => cli.child.once('exit', (exitCode) => resolve(exitCode)));
      assert.equal(code, 2, cli.output());
      const lines = cli.output().trim().split('\n');
      assert.equal(lines.length, 1, cli.output());
      assert.match(lines[0]!, /^cometkit-server: GRIP mode \(COMET_GRIP_URL\) needs the proxy's signing key/);
    } finally {
      await cli.stop('SIGKILL');
    }
  });
});
