// Web Locks: the refresh lock's fallbacks, and waiting for another tab's write.
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { load } from './load.mjs';

const { caughtUp, digest, markSpent, withRefreshLock } = await load('locks.js');

const original = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
/** @param {object | undefined} locks */
const useLocks = (locks) => Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true });
afterEach(() => {
  if (original) Object.defineProperty(globalThis, 'navigator', original);
  else delete globalThis.navigator;
});

/** A lock manager that grants every request at once and records what is held. */
function manager() {
  const held = new Set();
  return {
    held,
    names: [],
    async request(name, options, run) {
      if (typeof options === 'function') run = options;
      this.names.push(name);
      held.add(name);
      try {
        return await run();
      } finally {
        held.delete(name);
      }
    },
    async query() {
      return { held: [...held].map((name) => ({ name })) };
    },
  };
}

test('without Web Locks the work runs as it is', async () => {
  useLocks(undefined);
  assert.equal(await withRefreshLock('k', async () => 7), 7);
});

test('the refresh lock is named after the storage key; an error of the work is not a reason to run it again', async () => {
  const locks = manager();
  useLocks(locks);
  assert.equal(await withRefreshLock('sb-x-auth-token', async () => 1), 1);
  assert.deepEqual(locks.names, ['supabase-workos-refresh:sb-x-auth-token']);
  let runs = 0;
  await assert.rejects(
    withRefreshLock('k', async () => {
      runs++;
      throw new Error('refused');
    }),
    /refused/,
  );
  assert.equal(runs, 1);
});

test('a lock manager that refuses (an opaque origin) runs the work without the lock', async () => {
  useLocks({ request: () => Promise.reject(new DOMException('denied', 'SecurityError')) });
  assert.equal(await withRefreshLock('k', async () => 'ran'), 'ran');
});

test('a session no tab marked as spent is read again at once', async () => {
  useLocks(manager());
  let reads = 0;
  assert.equal(await caughtUp('k', 'old', false, async () => (reads++, 'now')), 'now');
  assert.equal(reads, 1);
});

test('a session marked as spent is waited for until the copy changes', async () => {
  const locks = manager();
  useLocks(locks);
  markSpent('k', 'old');
  assert.deepEqual([...locks.held], [`supabase-workos-spent:k:${digest('old')}`]);
  let reads = 0;
  const text = await caughtUp('k', 'old', false, async () => (++reads < 3 ? 'old' : 'new'));
  assert.equal(text, 'new');
  assert.equal(reads, 3);
});

test('the digest names a session without its text, the same in every tab', () => {
  assert.equal(digest('{"a":1}'), digest('{"a":1}'));
  assert.notEqual(digest('{"a":1}'), digest('{"a":2}'));
  assert.match(String(digest('x'.repeat(1000))), /^\d+$/);
});

test('a mark asked for and not granted yet is waited for as a held one is', async () => {
  const name = `supabase-workos-spent:k:${digest('old')}`;
  // The lock manager has the request and has not granted it: query lists it as pending only.
  useLocks({ query: async () => ({ held: [], pending: [{ name }] }) });
  let reads = 0;
  const text = await caughtUp('k', 'old', false, async () => (++reads < 3 ? 'old' : 'new'));
  assert.equal(text, 'new');
  assert.equal(reads, 3);
});
