import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HttpError, HttpStatusError } from '../../server/index.js';
import { http } from '../support/http-client.js';
import { startServer } from '../support/node-server.js';

const root = join(import.meta.dirname, '..', '..');

/** Two declarations under one name on purpose: the two ends of one thing. */
const ONE_THING_AT_BOTH_ENDS = new Set([
  // A refusal with a status, a code and a message: the server's hook throws it, the client receives it.
  'HttpStatusError',
]);

/** Each name a reference page documents, with its block: the signature, doc comment and members. */
function documented(page: string): Map<string, string[]> {
  const blocks = new Map<string, string[]>();
  const text = readFileSync(join(root, 'docs', 'api', page), 'utf8');
  for (const block of text.split(/^### /m).slice(1)) {
    const name = block.slice(0, block.indexOf('\n')).trim();
    blocks.set(name, [...(blocks.get(name) ?? []), block.slice(block.indexOf('\n')).trim()]);
  }
  return blocks;
}

describe('names across the entries', () => {
  it('gives a name two entries export one meaning: the same declaration, or a deprecated alias on one side', () => {
    // The pages are generated from the declarations, and `npm test` fails while they differ from the code.
    const client = documented('cometkit.md');
    const server = documented('server.md');
    const clashes: string[] = [];
    for (const [name, blocks] of client) {
      const other = server.get(name);
      if (!other || ONE_THING_AT_BOTH_ENDS.has(name)) continue;
      const deprecated = [...blocks, ...other].some((block) => block.includes('*deprecated*'));
      if (!deprecated && blocks.join('\n') !== other.join('\n')) clashes.push(name);
    }
    assert.deepEqual(clashes, [], `exported by cometkit and cometkit/server with different meanings: ${clashes.join(', ')}`);
  });

  it('keeps HttpError for one release as HttpStatusError, and says so once per process', async () => {
    const notes: Error[] = [];
    const onWarning = (warning: Error): void => {
      notes.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const first = new HttpError(422, 'empty-message', 'Write something first.');
      const second = new HttpError(409, 'taken', 'Choose another name.');
      assert.ok(first instanceof HttpStatusError);
      assert.equal(first.name, 'HttpStatusError');
      assert.deepEqual([second.status, second.code, second.message], [409, 'taken', 'Choose another name.']);
      // Warnings are emitted on the next tick, in order: a sentinel after both says every note has come.
      const sentinel = new Promise<void>((resolve) => {
        const onSentinel = (warning: Error & { code?: string }): void => {
          if (warning.code !== 'RENAMED_NAMES_SENTINEL') return;
          process.off('warning', onSentinel);
          resolve();
        };
        process.on('warning', onSentinel);
      });
      process.emitWarning('sentinel', { code: 'RENAMED_NAMES_SENTINEL' });
      await sentinel;
      const renamed = notes.filter((warning) => (warning as { code?: string }).code === 'COMETKIT_HTTP_ERROR');
      assert.equal(renamed.length, 1, 'one note for two uses');
      assert.equal(renamed[0]!.name, 'DeprecationWarning');
      assert.match(renamed[0]!.message, /HttpError is renamed HttpStatusError/);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('answers an HttpError an onSend hook throws with its status and code, as before the rename', async () => {
    const server = await startServer({
      publicChannels: ['test.*'],
      send: {
        publicChannels: ['test.*'],
        onSend: () => {
          throw new HttpError(422, 'send-refused', 'Messages may not ask to be refused.');
        },
      },
    });
    try {
      const res = await http(`${server.base}/send`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: { channel: 'test.renamed', data: {} } });
      assert.equal(res.status, 422, res.text);
      assert.equal(res.json<{ error: { code: string } }>().error.code, 'send-refused');
    } finally {
      await server.close();
    }
  });
});
