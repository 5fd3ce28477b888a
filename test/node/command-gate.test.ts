/** The bound between requests and a Redis connection: how long a caller waits, and how much may wait. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CommandGate, RedisWaitError } from '../../server/redis/command-gate.js';

/** A command whose reply the test gives (or never gives), as a stopped Redis would. */
function pendingReply(): { promise: Promise<string>; answer: (value: string) => void } {
  let answer!: (value: string) => void;
  const promise = new Promise<string>((resolve) => (answer = resolve));
  return { promise, answer };
}

it('gives up on a command Redis does not answer, but counts it as pending until Redis does', async () => {
  const gate = new CommandGate(20, 10);
  const reply = pendingReply();
  await assert.rejects(gate.run(() => reply.promise), (error: unknown) => error instanceof RedisWaitError && /did not answer within 20 ms/.test(error.message));
  assert.equal(gate.pending, 1, 'still held by the connection: still counted');
  reply.answer('late');
  await reply.promise;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(gate.pending, 0);
});

it('refuses at once, without running the command, once maxPending commands wait', async () => {
  const gate = new CommandGate(60_000, 2);
  const replies = [pendingReply(), pendingReply()];
  const running = replies.map((reply) => gate.run(() => reply.promise));
  let ran = false;
  await assert.rejects(
    gate.run(async () => {
      ran = true;
      return 'x';
    }),
    (error: unknown) => error instanceof RedisWaitError && /2 commands are already waiting/.test(error.message),
  );
  assert.equal(ran, false, 'nothing sent past the bound');
  replies.forEach((reply, i) => reply.answer(`r${i}`));
  assert.deepEqual(await Promise.all(running), ['r0', 'r1']);
  assert.equal(await gate.run(async () => 'after'), 'after', 'a freed slot takes commands again');
});

it('passes a command failure through as it is, and a synchronous throw as a rejection', async () => {
  const gate = new CommandGate(60_000, 10);
  await assert.rejects(gate.run(() => Promise.reject(new Error('NOSCRIPT'))), /NOSCRIPT/);
  await assert.rejects(
    gate.run(() => {
      throw new Error('client closed');
    }),
    /client closed/,
  );
  assert.equal(gate.pending, 0);
});
