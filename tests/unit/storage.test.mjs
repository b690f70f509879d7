// The storage chain: fallbacks, what they are read for, and deferred removal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from './load.mjs';

const { StorageChain, storageChain } = await load('storage.js');

/** A storage of a Map, whose methods throw while `broken[method]` is set. */
function fake(broken = {}) {
  const m = new Map();
  return {
    m,
    getItem(k) {
      if (broken.getItem) throw new Error('get');
      return m.has(k) ? m.get(k) : null;
    },
    setItem(k, v) {
      if (broken.setItem) throw new Error('quota');
      m.set(k, v);
    },
    removeItem(k) {
      if (broken.removeItem) throw new Error('remove');
      m.delete(k);
    },
  };
}

/** Console warnings while `run` runs. */
async function warnings(run) {
  const seen = [];
  const warn = console.warn;
  console.warn = (msg) => seen.push(msg);
  try {
    await run();
  } finally {
    console.warn = warn;
  }
  return seen;
}

test('the chains of each storage option, and anything else refused as invalid_options', () => {
  assert.deepEqual(storageChain(undefined).map(([n]) => n), ['localStorage', 'sessionStorage', 'memory']);
  assert.deepEqual(storageChain('local').map(([n]) => n), ['localStorage', 'sessionStorage', 'memory']);
  assert.deepEqual(storageChain('session').map(([n]) => n), ['sessionStorage', 'memory']);
  assert.deepEqual(storageChain('memory').map(([n]) => n), ['memory']);
  assert.deepEqual(storageChain(fake()).map(([n]) => n), ['the custom storage', 'memory']);
  for (const bad of ['disk', null, {}, { getItem() {}, setItem() {} }]) {
    assert.throws(() => storageChain(bad), (e) => e.code === 'invalid_options' && e.__isAuthError === true);
  }
});

test('without Web Storage (as in Node) the default chain falls back to memory, warning once', async () => {
  const chain = new StorageChain(undefined, [], () => {});
  assert.equal(chain._ownedByTab(), false);
  const seen = await warnings(async () => {
    await chain._set('k', 'v');
    await chain._set('k2', 'w');
  });
  assert.equal(seen.length, 1);
  assert.match(seen[0], /localStorage is unavailable; the session is kept in sessionStorage instead/);
  assert.equal(await chain._get('k'), 'v');
  assert.equal(chain._ownedByTab(), true);
  assert.equal(chain._fellBackToMemory(), true);
  assert.equal(new StorageChain('memory', [], () => {})._fellBackToMemory(), false);
});

test('a value only a fallback holds is read, except for the keys of the first storage only', async () => {
  const custom = fake();
  const chain = new StorageChain(custom, ['skew'], () => {});
  // An earlier page's write that went to memory (here: written there directly).
  const memory = chain._chain[1][1]();
  memory.setItem('session', 's');
  memory.setItem('skew', '5');
  assert.equal(await chain._readFirst('session'), null);
  assert.equal(await chain._get('session'), 's');
  assert.equal(await chain._get('skew'), null);
  // The first storage wins when it holds the key.
  custom.m.set('session', 'first');
  assert.equal(await chain._get('session'), 'first');
  assert.equal(chain._ownedByTab(), false);
});

test('a storage that throws is left for the next one, for good', async () => {
  const broken = { setItem: true };
  const custom = fake(broken);
  const chain = new StorageChain(custom, [], () => {});
  await warnings(() => chain._set('k', 'v'));
  assert.equal(custom.m.size, 0);
  broken.setItem = false;
  await chain._set('k2', 'w');
  assert.equal(custom.m.size, 0, 'the chain does not go back to a storage that failed');
  assert.equal(await chain._get('k2'), 'w');
});

test('a consumed value leaves the fallbacks later, and only while it is the value used', async () => {
  const custom = fake();
  /** @type {(() => void)[]} */
  const tasks = [];
  const chain = new StorageChain(custom, [], (run) => tasks.push(run));
  const memory = chain._chain[1][1]();
  custom.m.set('verifier', 'a');
  memory.setItem('verifier', 'a');
  memory.setItem('marker', 'b');
  await chain._remove('verifier', { value: 'a' });
  await chain._remove('marker', { value: 'not b' });
  assert.equal(custom.m.has('verifier'), false);
  assert.equal(memory.getItem('verifier'), 'a', 'not before the task runs');
  assert.equal(tasks.length, 2);
  for (const run of tasks) await run();
  assert.equal(memory.getItem('verifier'), null);
  assert.equal(memory.getItem('marker'), 'b', 'another value is kept');
  // Without `consumed`, every copy goes at once.
  memory.setItem('session', 's');
  await chain._remove('session');
  assert.equal(memory.getItem('session'), null);
  assert.equal(tasks.length, 2);
});

test('storage_unavailable when the last storage fails too', async () => {
  const chain = new StorageChain('memory', [], () => {});
  await assert.rejects(
    chain._withFirst(() => {
      throw new Error('full');
    }),
    (e) => e.code === 'storage_unavailable',
  );
});
