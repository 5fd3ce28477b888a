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
      const add = async (store: InboxStore, user: string, n: number) => (await store.add(user, { type: 'note', data: { n, list: [], nested: { deep: [1, 'x'] } }, time: 1000 + n })).item;

      it('adds with growing ids per user and lists newest first, in pages', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        const added = [await add(one, user, 1), await add(other, user, 2), await add(one, user, 3)];
        assert.deepEqual(added.map((item) => item.id), [1, 2, 3]);
        assert.deepEqual(added[0], { id: 1, type: 'note', data: { n: 1, list: [], nested: { deep: [1, 'x'] } }, time: 1001, seen: false, read: false, archived: false, category: 'note', toast: true });
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

    describe('inbox: rich items, groups, actions, snoozes, preferences', () => {
      const add = async (store: InboxStore, user: string, n: number) => (await store.add(user, { type: 'note', data: n, time: n })).item;
      const mine = <T extends { user: string }>(user: string, woken: readonly T[]): T[] => woken.filter((one) => one.user === user);
      const rich = {
        type: 'review',
        category: 'reviews',
        severity: 'warning',
        avatar: 'https://example.com/a.png',
        actor: 'Ada',
        actions: [
          { id: 'approve', label: 'Approve', kind: 'primary' },
          { id: 'open', label: 'Open', kind: 'secondary', url: 'https://example.com/r/1' },
        ],
        toast: false,
      } as const;

      it('keeps every field of a notification as given', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        const { item, replaces } = await one.add(user, { ...rich, data: { title: 'T', body: '**b**' }, time: 5 });
        assert.equal(replaces, undefined);
        const expected = { id: 1, type: 'review', category: 'reviews', severity: 'warning', avatar: rich.avatar, actor: 'Ada', actions: rich.actions, toast: false, data: { title: 'T', body: '**b**' }, time: 5, seen: false, read: false, archived: false };
        assert.deepEqual(item, expected);
        assert.deepEqual((await other.list(user, 'all', undefined, 10)).items, [expected]);
        assert.deepEqual(await other.get(user, 1), expected);
        assert.equal(await other.get(user, 2), undefined);
      });

      it('collapses a group into one unread item, the newest, counting each notification and the latest three actors', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        const actors = ['Ada', 'Bob', 'Ada', 'Cy', 'Dee', 'Cy', 'Eve', 'Fay', 'Gus', 'Ada'];
        let last: number | undefined;
        for (const [n, actor] of actors.entries()) {
          const { item, replaces } = await (n % 2 ? one : other).add(user, { type: 'reply', data: { n }, time: 100 + n, group: 'thread:7', actor });
          assert.equal(replaces, last);
          last = item.id;
        }
        const items = (await one.list(user, 'all', undefined, 10)).items;
        assert.equal(items.length, 1);
        assert.deepEqual([items[0]!.id, items[0]!.data, items[0]!.time, items[0]!.group], [10, { n: 9 }, 109, { key: 'thread:7', count: 10, actors: ['Ada', 'Gus', 'Fay'] }]);
        assert.deepEqual(await other.counts(user), { total: 1, unseen: 1, unread: 1 });
        // Read, the group is done: the next notification of the key starts a new item.
        await other.update(user, { ids: [10], set: { read: true, seen: true } });
        const fresh = await one.add(user, { type: 'reply', data: 'n', time: 200, group: 'thread:7' });
        assert.deepEqual([fresh.item.id, fresh.replaces, fresh.item.group], [11, undefined, { key: 'thread:7', count: 1, actors: [] }]);
        assert.deepEqual(await other.counts(user), { total: 2, unseen: 1, unread: 1 });
      });

      it('counts concurrent notifications of one group, from both sides, into one item', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        await Promise.all(Array.from({ length: 8 }, (_, n) => (n % 2 ? one : other).add(user, { type: 'reply', data: n, time: n, group: 'g' })));
        const items = (await other.list(user, 'all', undefined, 10)).items;
        assert.deepEqual(items.map((item) => [item.id, item.group?.count]), [[8, 8]]);
      });

      it('lets one claim of an item\'s action hold, and keeps the result on both sides', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        const { item } = await one.add(user, { ...rich, data: null, time: 1 });
        const claims = await Promise.all([one.claimAction(user, item.id, 'a', 60_000, 1000), other.claimAction(user, item.id, 'b', 60_000, 1000)]);
        assert.deepEqual(claims.map((claim) => claim.state).sort(), ['claimed', 'running']);
        const winner = claims[0]!.state === 'claimed' ? 'a' : 'b';
        const loser = winner === 'a' ? 'b' : 'a';
        assert.equal(await other.finishAction(user, item.id, loser, { action: 'approve', label: 'no', time: 1 }), undefined, 'only the holder ends a claim');
        const done = await one.finishAction(user, item.id, winner, { action: 'approve', label: 'Approved', time: 2000 });
        assert.deepEqual([done?.result, done?.actions], [{ action: 'approve', label: 'Approved', time: 2000 }, undefined]);
        for (const store of [one, other]) {
          const claim = await store.claimAction(user, item.id, 'c', 60_000, 3000);
          assert.equal(claim.state, 'done');
          assert.deepEqual(claim.state === 'done' && [claim.item.result?.label, claim.item.actions], ['Approved', undefined]);
        }
        assert.deepEqual((await other.list(user, 'all', undefined, 1)).items[0]!.result, { action: 'approve', label: 'Approved', time: 2000 });
      });

      it('lets go of a failed claim, and of one whose lease ended, so the action can run again', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        const { item } = await one.add(user, { ...rich, data: null, time: 1 });
        assert.equal((await one.claimAction(user, item.id, 'a', 1000, 1000)).state, 'claimed');
        assert.equal((await other.claimAction(user, item.id, 'b', 1000, 1500)).state, 'running');
        assert.equal((await other.claimAction(user, item.id, 'b', 1000, 2001)).state, 'claimed', 'the lease of a ended');
        const released = await other.finishAction(user, item.id, 'b', undefined);
        assert.deepEqual([released?.result, released?.actions?.length], [undefined, 2]);
        assert.equal((await one.claimAction(user, item.id, 'c', 1000, 2002)).state, 'claimed');
        assert.equal((await one.claimAction(user, 12345, 'c', 1000, 2002)).state, 'missing');
      });

      it('hides a snoozed item from lists and counts, and brings it back once, unread, as a new item', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        for (let n = 1; n <= 3; n += 1) await add(one, user, n);
        await one.update(user, { ids: [2], set: { read: true, seen: true } });
        const until = Date.now() + 3_600_000;
        assert.equal(await other.snooze(user, [2, 3, 99], until), 2);
        assert.deepEqual((await one.list(user, 'all', undefined, 10)).items.map((item) => item.id), [1]);
        assert.deepEqual((await one.list(user, 'snoozed', undefined, 10)).items.map((item) => [item.id, item.snoozedUntil]), [[3, until], [2, until]]);
        assert.deepEqual(await one.counts(user), { total: 1, unseen: 1, unread: 1 });
        assert.equal(await one.update(user, { upTo: 3, set: { archived: true } }), 1, 'snoozed items keep their state');
        await one.update(user, { upTo: 3, set: { archived: false } });
        assert.equal((await other.claimAction(user, 3, 't', 1000, 1)).state, 'missing');
        assert.deepEqual(mine(user, await one.wake(until - 1, 100)), []);
        const woken = (await Promise.all([one.wake(until, 100), other.wake(until, 100)])).flatMap((list) => mine(user, list));
        assert.deepEqual(woken.map((one) => one.replaces).sort(), [2, 3], 'each snooze comes back once');
        for (const { item } of woken) assert.deepEqual([item.seen, item.read, item.time, item.snoozedUntil, item.id > 3], [false, false, until, undefined, true]);
        assert.deepEqual(mine(user, await other.wake(until + 10, 100)), []);
        assert.deepEqual((await other.list(user, 'all', undefined, 10)).items.map((item) => item.id), [5, 4, 1]);
        assert.deepEqual(await other.counts(user), { total: 3, unseen: 3, unread: 3 });
      });

      it('moves the time of a snooze snoozed again', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        await add(one, user, 1);
        const until = Date.now() + 3_600_000;
        await one.snooze(user, [1], until);
        await other.snooze(user, [1], until + 1000);
        assert.deepEqual(mine(user, await one.wake(until, 100)), []);
        assert.deepEqual(mine(user, await other.wake(until + 1000, 100)).map((one) => one.replaces), [1]);
      });

      it('keeps preferences per user, merging what each change names', async () => {
        const [one, other] = subject.inbox;
        const user = newUser();
        assert.deepEqual(await one.preferences(user), { enabled: true, categories: {} });
        assert.equal((await one.setPreferences(user, { categories: { comments: { toast: false } } }, 3)).changed, true);
        assert.equal((await other.setPreferences(user, { categories: { comments: { toast: false } } }, 3)).changed, false);
        const { preferences } = await other.setPreferences(user, { enabled: false, categories: { comments: { push: false }, constructor: { inbox: false } } }, 3);
        assert.deepEqual(preferences, { enabled: false, categories: { comments: { inbox: true, toast: false, push: false }, constructor: { inbox: false, toast: true, push: true } } });
        assert.deepEqual(await one.preferences(user), preferences);
        await assert.rejects(one.setPreferences(user, { categories: { a: { inbox: true }, b: { inbox: true } } }, 3), { code: 'bad-preferences' });
        assert.deepEqual(await other.preferences(user), preferences, 'a refused change changes nothing');
        const proto = await one.setPreferences(user, { categories: Object.fromEntries([['__proto__', { toast: false }]]) }, 3);
        assert.deepEqual(Object.getPrototypeOf(proto.preferences.categories), Object.prototype);
        assert.deepEqual(Object.keys((await other.preferences(user)).categories).sort(), ['__proto__', 'comments', 'constructor']);
        assert.deepEqual(await one.preferences(newUser()), { enabled: true, categories: {} });
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
