// The operation table against the core it was built with: every operation is one the core
// knows, with the fields it expects (a call that does not fit answers internal_error, never what
// the operation answers).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { load } from './load.mjs';

const core = await load('core.js');
const PROJECT = 'https://abcd.supabase.co';
const JWT = 'x.eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0.x';
const SESSION = `{"access_token":"${JWT}","token_type":"bearer","expires_in":3600,"expires_at":1700003600,"refresh_token":"r","user":{"id":"u"}}`;

test('c: the client config, and invalid_options for a bad URL', () => {
  assert.deepEqual(core.clientConfig(PROJECT, 'anon'), {
    authUrl: 'https://abcd.supabase.co/auth/v1',
    storageKey: 'sb-abcd-auth-token',
    pkce: true,
  });
  assert.equal(core.clientConfig(PROJECT, undefined, 'implicit', 'mine').storageKey, 'mine');
  assert.throws(() => core.clientConfig('not a url', 'anon'), (e) => e.code === 'invalid_options');
});

test('the boundary carries UTF-8 both ways, and answers longer than memory was', () => {
  // Characters of two, three and four bytes, and a lone surrogate (TextEncoder writes U+FFFD).
  for (const key of ['é', '€ß', 'a😀b', '\ud800x']) {
    assert.equal(core.clientConfig(PROJECT, undefined, undefined, key).storageKey, key.replace('\ud800', '\ufffd'));
  }
  // Far more than the wasm's memory held before the call: it grows while the answer is written.
  const long = 'é😀'.repeat(100000);
  assert.equal(core.clientConfig(PROJECT, undefined, undefined, long).storageKey, long);
  assert.equal(core.clientConfig(PROJECT, 'anon').storageKey, 'sb-abcd-auth-token', 'and the next call still works');
});

test('s: the authorize URL, with the verifier to store', () => {
  const verifier = 'ab'.repeat(56);
  const plan = core.authorizePlan(PROJECT, 'k', ['conn_1', undefined, undefined, 'https://app.example/cb', undefined, undefined, undefined], 'a=1', [verifier, 'pkce', 'abc', undefined, undefined]);
  assert.match(plan.url, /^https:\/\/abcd\.supabase\.co\/auth\/v1\/authorize\?provider=workos&/);
  assert.match(plan.url, /connection=conn_1/);
  assert.match(plan.url, /code_challenge=abc/);
  assert.equal(plan.verifierKey, 'k-code-verifier');
  assert.equal(plan.verifierValue, JSON.stringify(verifier));
  assert.throws(
    () => core.authorizePlan(PROJECT, 'k', [undefined, undefined, undefined, undefined, undefined, undefined, undefined], '', [undefined, undefined, undefined, undefined, undefined]),
    (e) => e.code === 'missing_selector',
  );
});

test('e and x: errors with their codes and statuses', () => {
  const network = core.requestError(0);
  assert.equal(network.name, 'AuthRetryableFetchError');
  assert.equal(network.status, 0);
  const refused = core.requestError(400, { error: 'invalid_grant', error_description: 'Refresh\0 Token Not Found' }, false);
  assert.equal(refused.status, 400);
  assert.equal(refused.error, 'invalid_grant');
  assert.equal(refused.error_description, 'Refresh Token Not Found', 'NULs are dropped, not taken as separators');
  assert.equal(core.clientError('session_missing').code, 'session_missing');
});

test('r: retry after a network failure, stop after a refused refresh token', () => {
  assert.equal(core.retryDelay(0, 1), 500);
  assert.equal(core.retryDelay(400, 1), -1);
});

test('b, t, d, v, k: callback, token answer, stored session, verifier, clock skew', () => {
  assert.deepEqual(core.readCallback(1700000000, 'https://app.example/?code=c1'), { clean: 'https://app.example/', code: 'c1', type: 'pkce' });
  assert.equal(core.readCallback(1700000000, 'https://app.example/').type, 'none');
  assert.deepEqual(core.tokenExpiry(1700000000, SESSION), { expiresAt: 1700003600 });
  assert.throws(() => core.tokenExpiry(1700000000, 'null'), (e) => e.__isAuthError === true);
  const stored = core.readStored(1700000000000, 0, SESSION);
  assert.equal(stored.expiresAt, 1700003600);
  assert.equal(stored.refresh, false);
  assert.deepEqual(core.readStored(0, 0, null), {});
  assert.deepEqual(core.readStored(0, 0, '{"x":1}'), { corrupt: true });
  // The redirect type is dropped: a planted `/recovery` turns no sign-in into a recovery.
  assert.deepEqual(core.readVerifier('v1/recovery'), { verifier: 'v1' });
  assert.equal(core.clockSkew(1700000000000 + 3600000, true, JWT), 3600000);
  assert.equal(core.clockSkew(1700000000000, true, JWT), 0);
});

test('u and p: the user answer is the session\'s, and the implicit nonce', () => {
  // {"sub":"u"}
  const token = 'x.eyJzdWIiOiJ1In0.x';
  assert.deepEqual(core.checkUser('{"id":"u"}', undefined, token), { wrapped: false });
  assert.deepEqual(core.checkUser('{"user":{"id":"u"}}', 'u', token), { wrapped: true });
  for (const text of ['null', '{}', '[]', '"x"', '', '{"id":"eve"}']) {
    assert.throws(() => core.checkUser(text, undefined, token), (e) => e.code === 'invalid_token_response', text);
  }
  assert.throws(() => core.checkUser('{"id":"u"}', 'other', token), (e) => e.code === 'invalid_token_response');
  const nonce = '0123456789abcdef0123456789abcdef';
  assert.equal(core.implicitPending(nonce, nonce), true);
  assert.equal(core.implicitPending(undefined, nonce), false);
  assert.equal(core.implicitPending(nonce, null), false);
  assert.equal(core.implicitPending('fedcba9876543210fedcba9876543210', nonce), false);
});

test('the table is the core\'s: OPERATIONS here and in src/protocol/api.rs agree', async () => {
  const { readFile } = await import('node:fs/promises');
  const rust = await readFile(new URL('../../src/protocol/api.rs', import.meta.url), 'utf8');
  const table = rust.slice(rust.indexOf('pub const OPERATIONS'));
  const pairs = [...table.slice(0, table.indexOf('];')).matchAll(/\("([a-z])", "([a-z]+)"\)/g)];
  assert.deepEqual(Object.fromEntries(pairs.map(([, op, kinds]) => [op, kinds])), core.OPERATIONS);
  assert.equal(pairs.length, 12);
});

test('a NUL in an option is refused before the core; a call that does not fit is a bug', () => {
  // The reported shifts: a NUL in `provider` moved `javascript:` into redirect_to, one at the end
  // of `organization` dropped redirect_to.
  for (const [connection, organization, provider] of [
    [undefined, undefined, 'GoogleOAuth\0+javascript:alert(document.domain)'],
    [undefined, 'org_acme\0', undefined],
  ]) {
    assert.throws(
      () => core.authorizePlan(PROJECT, 'k', [connection, organization, provider, 'https://app.example/cb', undefined, undefined, undefined], '', [undefined, undefined, undefined, undefined, undefined]),
      (e) => e.code === 'invalid_options',
    );
  }
  assert.throws(() => core.clientConfig(PROJECT, 'an\0on'), (e) => e.code === 'invalid_options');
  // Free text keeps its NULs: a stored session is read as text (and is corrupt).
  assert.deepEqual(core.readStored(0, 0, '{"a":"\0"}'), { corrupt: true });
  // A number the shell should never pass: the core answers internal_error, thrown as a bug.
  assert.throws(() => core.retryDelay(NaN, 1), (e) => e.code === 'internal_error' && /bug/.test(e.message));
});
