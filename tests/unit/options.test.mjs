// The errors the shell throws, and its reading of the app's options.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from './load.mjs';

const { toError, isAuthError } = await load('errors.js');
const { str, queryString } = await load('options.js');

test('an error from the core is a real Error with its fields, known to isAuthError', () => {
  const e = toError({ name: 'AuthApiError', message: 'nope', code: 'bad_jwt', status: 401 });
  assert.ok(e instanceof Error);
  assert.equal(e.message, 'nope');
  assert.equal(e.name, 'AuthApiError');
  assert.equal(e.code, 'bad_jwt');
  assert.equal(e.status, 401);
  assert.equal(isAuthError(e), true);
  assert.equal(isAuthError(new Error('nope')), false);
  assert.equal(isAuthError(null), false);
  assert.equal(isAuthError('__isAuthError'), false);
});

const invalid = (e) => e.code === 'invalid_options' && isAuthError(e);

test('a string option is a string or absent; anything else is invalid_options', () => {
  assert.equal(str({ a: 'x' }, 'a'), 'x');
  assert.equal(str({ a: '' }, 'a'), '');
  assert.equal(str({ a: null }, 'a'), undefined);
  assert.equal(str(undefined, 'a'), undefined);
  assert.equal(str(null, 'a'), undefined);
  for (const v of [1, true, {}, ['x']]) assert.throws(() => str({ a: v }, 'a'), invalid);
});

test('queryParams are form-encoded in order, without null or undefined values', () => {
  assert.equal(queryString(undefined), '');
  assert.equal(queryString({ b: '2', a: 'x y', n: null, u: undefined, c: 3, d: false }), 'b=2&a=x+y&c=3&d=false');
  assert.equal(queryString({ 'k&=': 'v&=' }), 'k%26%3D=v%26%3D');
  for (const bad of ['a=b', ['a'], { a: {} }, { a: [] }, { a: () => 1 }, { a: Symbol('s') }]) {
    assert.throws(() => queryString(bad), invalid);
  }
});

test('queryParams may be a Map or URLSearchParams, as supabase-js takes them', () => {
  assert.equal(queryString(new Map([['b', '2'], ['a', 'x y'], ['n', null], ['c', 3]])), 'b=2&a=x+y&c=3');
  assert.equal(queryString(new URLSearchParams('b=2&a=x+y&a=z')), 'b=2&a=x+y&a=z');
  assert.throws(() => queryString(new Map([['a', {}]])), invalid);
});
