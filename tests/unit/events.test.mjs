// Auth events: held during init, INITIAL_SESSION first, one failing subscriber isolated.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from './load.mjs';

const { AuthEvents } = await load('events.js');

const tick = () => new Promise((r) => setTimeout(r));

test('events during init are held, and follow INITIAL_SESSION in order', () => {
  const events = new AuthEvents();
  const seen = [];
  events._subscribe((e, s) => seen.push([e, s]), async () => 'never asked');
  events._emit('SIGNED_IN', 'a');
  events._emit('TOKEN_REFRESHED', 'b');
  assert.deepEqual(seen, []);
  events._release('a');
  assert.deepEqual(seen, [
    ['INITIAL_SESSION', 'a'],
    ['SIGNED_IN', 'a'],
    ['TOKEN_REFRESHED', 'b'],
  ]);
  events._emit('SIGNED_OUT', null);
  assert.deepEqual(seen.at(-1), ['SIGNED_OUT', null]);
});

test('a subscriber after init hears INITIAL_SESSION with what `initial` gives, unless it left', async () => {
  const events = new AuthEvents();
  events._release(null);
  const seen = [];
  events._subscribe((e, s) => seen.push([e, s]), async () => 'stored');
  const gone = [];
  const { unsubscribe } = events._subscribe((e) => gone.push(e), async () => 'stored');
  unsubscribe();
  await tick();
  assert.deepEqual(seen, [['INITIAL_SESSION', 'stored']]);
  assert.deepEqual(gone, []);
});

test('a subscriber that throws does not stop the others', () => {
  const events = new AuthEvents();
  const seen = [];
  events._subscribe(() => {
    throw new Error('app bug');
  }, async () => null);
  events._subscribe((e) => seen.push(e), async () => null);
  events._release(null);
  events._emit('SIGNED_IN', {});
  assert.deepEqual(seen, ['INITIAL_SESSION', 'SIGNED_IN']);
});

test('the last event says whether there is a session; a closed hub tells no one', () => {
  const events = new AuthEvents();
  const seen = [];
  events._subscribe((e) => seen.push(e), async () => null);
  events._release({ user: {} });
  assert.equal(events._signedOut, false);
  events._emit('SIGNED_OUT', null);
  assert.equal(events._signedOut, true);
  events._close();
  events._emit('SIGNED_IN', {});
  assert.equal(events._signedOut, false);
  assert.deepEqual(seen, ['INITIAL_SESSION', 'SIGNED_OUT']);
});
