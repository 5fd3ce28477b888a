/**
 * What every inbox, idempotency-key and member-state store must do, as one
 * suite run against each implementation (test/node/store-contract.test.ts).
 * `make` gives two handles on one store: the same object for a memory
 * store, two connections for a shared one, so what one writes the other
 * must read, as two processes would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { InboxStore } from '../../../server/inbox/inbox-store.js';
import type { PresenceStateStore } from '../../../server/presence/presence-state-store.js';
import type { IdempotencyRecord, IdempotencyStore } from '../../../server/send/idempotency-store.js';
import type { CometEvent } from '../../../src/protocol/messages.js';

export interface StoresUnderTest {
  readonly inbox: readonly [InboxStore, InboxStore];
  readonly keys: readonly [IdempotencyStore, IdempotencyStore];
  readonly states: readonly [PresenceStateStore, PresenceStateStore];
  close(): Promise<void>;
}

/** Items per user every store under test is made with. */
export const CONTRACT_MAX_ITEMS = 5;

let users = 0;
const newUser = (): string => `user-${process.pid}-${(users += 1)}-${Math.random().toString(36).slice(2, 6)}`;

export function storeContract(name: string, options: { skip: string | false; make: () => Promise<StoresUnderTest> }): void {
  describe(`Store contract: ${name}`, { skip: options.skip }, () => {
    let subject: StoresUnderTest;
    before(async () => {
      subject = await options.make();
    });
    after(() => subject?.close());

    describe('inbox', () => {
      const add = (store: InboxStore, user: string, n: number) => store.add(user, { type: 'note', data: { n, list: [], nested: { deep: [1, 'x'] } }, time: 1000 + n });

      it('adds with growing ids per user and lists newest first, in pages', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        const added = [await add(one, user, 1), await add(other, user, 2), await add(one, user, 3)];
        assert.deepEqual(added.map((item) => item.id), [1, 2, 3]);
        assert.deepEqual(added[0], { id: 1, type: 'note', data: { n: 1, list: [], nested: { deep: [1, 'x'] } }, time: 1001, seen: false, read: false, archived: false });
        const first = await other.list(user, 'all', undefined, 2);
        assert.deepEqual(first.items.map((item) => item.id), [3, 2]);
        assert.deepEqual(first.items[1], { ...added[1], data: { n: 2, list: [], nested: { deep: [1, 'x'] } } });
        assert.equal(first.next, 2);
        const last = await one.list(user, 'all', first.next!, 2);
        assert.deepEqual(last.items.map((item) => item.id), [1]);
        assert.equal(last.next, null);
        assert.deepEqual(await other.list(newUser(), 'all', undefined, 10), { items: [], next: null });
      });

      it('changes listed ids or everything up to an id, counting only real changes, and counts follow', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        for (let n = 1; n <= 4; n += 1) await add(one, user, n);
        assert.deepEqual(await other.counts(user), { total: 4, unseen: 4, unread: 4 });
        assert.equal(await other.update(user, { ids: [2, 3, 99], set: { seen: true } }), 2);
        assert.equal(await one.update(user, { ids: [2], set: { seen: true } }), 0, 'already seen');
        assert.deepEqual(await one.counts(user), { total: 4, unseen: 2, unread: 4 });
        assert.equal(await one.update(user, { upTo: 3, set: { read: true, seen: true } }), 3);
        assert.deepEqual(await other.counts(user), { total: 4, unseen: 1, unread: 1 });
        assert.equal(await other.update(user, { ids: [4], set: { archived: true } }), 1);
        // Archived items leave the counts and the unread and all views.
        assert.deepEqual(await one.counts(user), { total: 3, unseen: 0, unread: 0 });
        assert.deepEqual((await one.list(user, 'unread', undefined, 10)).items, []);
        assert.deepEqual((await one.list(user, 'all', undefined, 10)).items.map((item) => item.id), [3, 2, 1]);
        assert.deepEqual((await one.list(user, 'archived', undefined, 10)).items.map((item) => [item.id, item.seen, item.read, item.archived]), [[4, false, false, true]]);
        assert.equal(await one.update(user, { ids: [4], set: { archived: false } }), 1);
        assert.deepEqual(await other.counts(user), { total: 4, unseen: 1, unread: 1 });
        assert.deepEqual((await other.list(user, 'unread', undefined, 10)).items.map((item) => item.id), [4]);
      });

      it('pages a filter past items outside it', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        for (let n = 1; n <= 5; n += 1) await add(one, user, n);
        await one.update(user, { ids: [2, 4], set: { read: true } });
        const first = await other.list(user, 'unread', undefined, 2);
        assert.deepEqual([first.items.map((item) => item.id), first.next], [[5, 3], 3]);
        const second = await other.list(user, 'unread', first.next!, 2);
        assert.deepEqual([second.items.map((item) => item.id), second.next], [[1], null]);
      });

      it(`keeps ${CONTRACT_MAX_ITEMS} items per user, dropping the oldest with their share of the counts`, async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        await add(one, user, 1);
        await one.update(user, { ids: [1], set: { read: true } });
        for (let n = 2; n <= CONTRACT_MAX_ITEMS + 2; n += 1) await add(n % 2 ? one : other, user, n);
        const ids = (await other.list(user, 'all', undefined, 100)).items.map((item) => item.id);
        assert.deepEqual(ids, Array.from({ length: CONTRACT_MAX_ITEMS }, (_, i) => CONTRACT_MAX_ITEMS + 2 - i));
        assert.deepEqual(await one.counts(user), { total: CONTRACT_MAX_ITEMS, unseen: CONTRACT_MAX_ITEMS, unread: CONTRACT_MAX_ITEMS });
        assert.equal(await one.update(user, { upTo: 2, set: { read: true } }), 0, 'dropped items are not changed');
      });

      it('keeps users apart, whatever their ids hold', async () => {
        const [one, other] = subject.inbox;
        const odd = [`${newUser()} {x}`, `${newUser()}}é`, `${newUser()}:inbox`];
        for (const [i, user] of odd.entries()) for (let n = 0; n <= i; n += 1) await add(one, user, n);
        assert.deepEqual(await Promise.all(odd.map(async (user) => (await other.counts(user)).total)), [1, 2, 3]);
      });

      it('applies concurrent adds and changes with counts that agree with the items', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        await Promise.all(Array.from({ length: 4 }, (_, n) => add(n % 2 ? one : other, user, n)));
        await Promise.all([one.update(user, { upTo: 4, set: { read: true } }), other.update(user, { upTo: 4, set: { read: true } }), one.update(user, { ids: [1], set: { seen: true } })]);
        const items = (await one.list(user, 'all', undefined, 100)).items;
        assert.deepEqual(items.map((item) => item.id), [4, 3, 2, 1]);
        assert.deepEqual(await other.counts(user), { total: 4, unseen: items.filter((item) => !item.seen).length, unread: 0 });
      });
    });

    describe('idempotency keys', () => {
      let keys = 0;
      const newKey = () => `sender\nkey-${process.pid}-${(keys += 1)}-${Math.random().toString(36).slice(2, 6)}`;
      const event = (n: number): CometEvent => ({ id: `e-${n}`, channel: 'c', type: 'message', data: { n }, time: n });
      const deferred = () => {
        let resolve!: (event: CometEvent) => void;
        let reject!: (error: unknown) => void;
        const promise = new Promise<CometEvent>((res, rej) => ((resolve = res), (reject = rej)));
        promise.catch(() => undefined);
        return { promise, resolve, reject };
      };

      it('gives a key to its first claim, and a later claim on either side the first one\'s event', async () => {
        const [one, other] = subject.keys;
        const key = newKey();
        const mine: IdempotencyRecord = { fingerprint: 'f1', event: Promise.resolve(event(1)) };
        assert.equal(await one.claim(key, mine, Date.now()), mine);
        for (const store of [one, other]) {
          const held = await store.claim(key, { fingerprint: 'f1', event: Promise.resolve(event(2)) }, Date.now());
          assert.equal(held.fingerprint, 'f1');
          assert.deepEqual(await held.event, event(1));
        }
      });

      it('reports the first fingerprint to a claim with another, so the caller can refuse it', async () => {
        const [one, other] = subject.keys;
        const key = newKey();
        await one.claim(key, { fingerprint: 'first', event: Promise.resolve(event(1)) }, Date.now());
        assert.equal((await other.claim(key, { fingerprint: 'second', event: Promise.resolve(event(2)) }, Date.now())).fingerprint, 'first');
      });

      it('makes a claim racing a pending one wait for its event', async () => {
        const [one, other] = subject.keys;
        const key = newKey();
        const first = deferred();
        const mine: IdempotencyRecord = { fingerprint: 'f', event: first.promise };
        assert.equal(await one.claim(key, mine, Date.now()), mine);
        const held = await other.claim(key, { fingerprint: 'f', event: Promise.resolve(event(9)) }, Date.now());
        assert.notEqual(held, undefined);
        first.resolve(event(3));
        assert.deepEqual(await held.event, event(3));
      });

      it('frees the key of a failed send for its retry, and only for the claim that holds it', async () => {
        const [one, other] = subject.keys;
        const key = newKey();
        const failed = deferred();
        const mine: IdempotencyRecord = { fingerprint: 'f', event: failed.promise };
        await one.claim(key, mine, Date.now());
        await other.release(key, { fingerprint: 'f', event: Promise.resolve(event(0)) });
        const stranger = { fingerprint: 'f', event: Promise.resolve(event(5)) };
        assert.notEqual(await other.claim(key, stranger, Date.now()), stranger, 'a release by a claim that does not hold the key changes nothing');
        failed.reject(new Error('store failed'));
        await one.release(key, mine);
        const retry = { fingerprint: 'f', event: Promise.resolve(event(4)) };
        assert.equal(await other.claim(key, retry, Date.now()), retry);
      });
    });

    describe('member states', () => {
      let channels = 0;
      const newChannel = () => `states.${process.pid}.${(channels += 1)}`;

      it('sets, replaces and clears a member\'s state, per channel', async () => {
        const [one, other] = subject.states;
        const [a, b] = [newChannel(), newChannel()];
        await one.set(a, 'ada', { typing: true, at: [1, 2] });
        await other.set(a, 'bob', 'away');
        await one.set(b, 'ada', 0);
        assert.deepEqual([...(await other.all(a))].sort(), [['ada', { typing: true, at: [1, 2] }], ['bob', 'away']]);
        await other.set(a, 'ada', { typing: false });
        await one.set(a, 'bob', undefined);
        assert.deepEqual([...(await one.all(a))], [['ada', { typing: false }]]);
        assert.deepEqual([...(await other.all(b))], [['ada', 0]]);
        assert.deepEqual([...(await other.all(newChannel()))], []);
      });
    });
  });
}
