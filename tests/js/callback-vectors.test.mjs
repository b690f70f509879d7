// The callback conformance vectors (recorded from supabase-js 2.109 in Chromium, and the cases of
// meta.extraRecording from 2.119.1) replayed against the built package: same page URL, same stored
// state, same scripted server answers, same clock. A deep-link callback (a custom-scheme URL, which
// no page can be at) is passed to handleRedirectCallback(url) from an app page.
// Every observable is compared with what supabase-js did, except the deliberate differences
// listed in DIFFERENCES below (each names the README row it comes from).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, launchBrowser } from './harness.mjs';

const vectors = JSON.parse(await readFile(join(ROOT, 'tests/vectors/callback.json'), 'utf8'));
const byId = Object.fromEntries(vectors.cases.map((c) => [c.id, c]));
const PKG = await readFile(join(ROOT, 'pkg/index.js'), 'utf8');
const APP = 'https://app.example.com';

// The scripted server's default answers, as the recording's own successful cases show them.
const DEFAULT_USER = byId['implicit-full'].expected.getSession.session.user;
const DEFAULT_PKCE = JSON.parse(byId['pkce-code-with-verifier'].expected.storageAfter['sb-abcdefghijklmnop-auth-token'].raw);
const DEFAULT_REFRESH = JSON.parse(byId['implicit-expires_at-past'].expected.storageAfter['sb-abcdefghijklmnop-auth-token'].raw);

const CALLBACK = `${APP}/auth/callback`;
const urlSession = (id) => byId[id].expected.getSession.session;
const noSession = { session: null, storage: {}, requests: [], events: ['INITIAL_SESSION'] };
const redirectError = (code, message, error, details) => ({
  name: 'AuthImplicitGrantRedirectError', message, status: 500, code, error, details,
});
const invalidCallback = {
  name: 'AuthImplicitGrantRedirectError',
  message: 'the callback URL is malformed: an auth parameter is repeated or missing',
  status: 500,
  code: 'invalid_callback',
};

/**
 * Where we deliberately differ (README, "Where it deliberately differs"). Each entry replaces
 * what supabase-js did for that observable; everything not listed must match the recording.
 * Always different, so not listed per case: no history entry is ever added (replaceState, not
 * `location.hash = ''`), no bare `#` is left, and PKCE success emits SIGNED_IN once, after
 * INITIAL_SESSION (supabase-js: twice).
 */
const DIFFERENCES = {
  // "a key repeated within the query or within the fragment → invalid_callback"
  'implicit-duplicated-keys': { error: invalidCallback, after: CALLBACK, ...noSession },
  'pkce-duplicated-code': {
    error: invalidCallback,
    after: `${CALLBACK}?x=1`,
    session: null,
    requests: [],
    events: ['INITIAL_SESSION'],
    storage: 'before',
  },
  // "strict integers; expires_at from the URL, else the JWT's exp, else now + expires_in"
  'implicit-expires_in-non-numeric-with-expires_at': {
    session: { ...urlSession('implicit-expires_in-non-numeric-with-expires_at'), expires_in: 3600 },
  },
  'implicit-expires_at-non-numeric': {
    session: { ...urlSession('implicit-expires_at-non-numeric'), expires_at: 1767229200 },
  },
  'implicit-expires_in-negative': { session: 'url', requests: ['GET /auth/v1/user'], events: ['INITIAL_SESSION', 'SIGNED_IN'] },
  'implicit-expires_in-exponent': { session: 'url', requests: ['GET /auth/v1/user'], events: ['INITIAL_SESSION', 'SIGNED_IN'] },
  // expires_in is not required when the URL gives a usable expires_at
  'implicit-missing-expires_in': {
    error: null,
    after: CALLBACK,
    session: 'url',
    requests: ['GET /auth/v1/user'],
    events: ['INITIAL_SESSION', 'SIGNED_IN'],
  },
  // Expired at arrival: stored, then refreshed before use; events in the order they happen.
  'implicit-expires_at-past': { events: ['INITIAL_SESSION', 'SIGNED_IN', 'TOKEN_REFRESHED'] },
  'implicit-expires_at-past-refresh-fails': {
    events: ['INITIAL_SESSION', 'SIGNED_IN', 'SIGNED_OUT'],
    getSessionError: null,
  },
  // "error callbacks leave error… in the URL; tokens in the query are never removed | removed too"
  'implicit-semicolon-separator': { error: invalidCallback, after: CALLBACK },
  'implicit-missing-refresh_token': { error: invalidCallback, after: CALLBACK },
  'implicit-only-access_token': { error: invalidCallback, after: CALLBACK },
  'user-401-bad-jwt': { after: CALLBACK, errorExtra: { error: 'bad_jwt', error_description: 'invalid JWT: unable to parse or verify signature' } },
  'user-500': {
    after: CALLBACK,
    error: { name: 'AuthRetryableFetchError', message: 'boom', status: 500, code: 'retryable_fetch_error' },
  },
  'user-invalid-json': {
    after: CALLBACK,
    error: { name: 'AuthRetryableFetchError', message: 'the answer is not JSON', status: 0, code: 'retryable_fetch_error' },
  },
  'error-fragment-plus': { after: CALLBACK, error: redirectError('403', 'User denied access', 'access_denied', { error: 'access_denied', code: '403' }) },
  'error-fragment-pct20': {
    after: CALLBACK,
    error: redirectError('500', 'Unable to exchange external code: abc', 'server_error', { error: 'server_error', code: '500' }),
  },
  'error-only-error': {
    after: CALLBACK,
    error: redirectError('access_denied', 'Error in URL with unspecified error_description', 'access_denied', { error: 'access_denied', code: 'unspecified_code' }),
  },
  'error-only-description': {
    after: CALLBACK,
    error: redirectError('unspecified_error', 'Something went wrong', undefined, { error: 'unspecified_error', code: 'unspecified_code' }),
  },
  'error-in-query': {
    after: CALLBACK,
    error: redirectError('bad_oauth_callback', 'OAuth state parameter missing', 'invalid_request', { error: 'invalid_request', code: 'bad_oauth_callback' }),
  },
  'error-in-query-pkce-client': {
    after: CALLBACK,
    error: redirectError('access_denied', 'User cancelled', 'access_denied', { error: 'access_denied', code: 'access_denied' }),
  },
  'error-with-tokens-same-fragment': {
    after: CALLBACK,
    error: redirectError('server_error', 'Oops', 'server_error', { error: 'server_error', code: 'unspecified_code' }),
  },
  'error-identity_already_exists': {
    after: CALLBACK,
    error: redirectError('identity_already_exists', 'Identity is already linked', 'server_error', { error: 'server_error', code: 'identity_already_exists' }),
  },
  'error-keeps-existing-session': {
    after: CALLBACK,
    error: redirectError('access_denied', 'Denied', 'access_denied', { error: 'access_denied', code: 'unspecified_code' }),
  },
  'pkce-token-400': { after: CALLBACK, errorExtra: { error: 'flow_state_not_found', error_description: 'invalid flow state, no valid flow state found' } },
  'pkce-token-no-session': {
    after: CALLBACK,
    error: { name: 'AuthInvalidTokenResponseError', message: 'Auth session or user missing', status: 500, code: 'invalid_token_response' },
  },
  // A `?code=` with a stored verifier is finished whatever flowType the client starts with.
  'pkce-code-implicit-client': {
    error: null,
    after: CALLBACK,
    session: { ...DEFAULT_PKCE },
    storage: { 'sb-abcdefghijklmnop-auth-token': JSON.stringify(DEFAULT_PKCE) },
    requests: ['POST /auth/v1/token?grant_type=pkce'],
    events: ['INITIAL_SESSION', 'SIGNED_IN'],
  },
  // The stored session always carries expires_at.
  'pkce-token-without-expires_at': { storageHasExpiresAt: 1767229200 },
  // Only the auth parameters are removed; the app's own (`state`, `foo`) stay.
  'implicit-extra-unknown-keys': { after: `${CALLBACK}#state=xyz&foo=bar` },
  // Auth parameters in the query are removed too.
  'implicit-query-overrides-hash': { after: CALLBACK },
  // "a corrupt stored value is removed, not trusted"
  'no-fragment-corrupt-storage': { storage: {} },
  // A revoked session (session_not_found): the same error class, with the server's status, code
  // and message kept; the callback's tokens are removed from the address bar.
  'user-403-session_not_found': {
    after: CALLBACK,
    error: {
      name: 'AuthSessionMissingError',
      message: 'Session from session_id claim in JWT does not exist',
      status: 403,
      code: 'session_not_found',
      error: 'session_not_found',
      error_description: 'Session from session_id claim in JWT does not exist',
    },
  },
  // A deep link given to handleRedirectCallback(url) is not the page's address, which is left
  // alone; supabase-js, reading it as window.location, cleaned that.
  'implicit-custom-scheme': { after: `${APP}/` },
  // "a verifier's /recovery suffix is not read": this library starts no password recovery, so a
  // suffix in storage can only have been planted, and the sign-in is a sign-in.
  'pkce-code-verifier-recovery': { events: ['INITIAL_SESSION', 'SIGNED_IN'] },
  'pkce-custom-scheme': { after: `${APP}/` },
};

/** A callback URL no page can be at (a custom-scheme deep link). */
const deepLink = (url) => !/^https?:/.test(url);

/** What we expect for a case: the recording, with the listed differences applied. */
function expectation(c) {
  const e = c.expected;
  const diff = DIFFERENCES[c.id] ?? {};
  const events = (diff.events ?? e.events.map((x) => x.event)).filter(
    (name, i, all) => !(c.id.startsWith('pkce-') && name !== 'INITIAL_SESSION' && all.indexOf(name) !== i),
  );
  // PKCE: supabase-js emits the sign-in before INITIAL_SESSION and again after; we emit it once, after.
  const ordered = events.includes('INITIAL_SESSION')
    ? ['INITIAL_SESSION', ...events.filter((n) => n !== 'INITIAL_SESSION')]
    : events;
  let error = e.initialize.error
    ? {
        name: e.initialize.error.name,
        message: e.initialize.error.message,
        status: e.initialize.error.status,
        code: typeof e.initialize.error.code === 'string' ? e.initialize.error.code : undefined,
        ...(diff.errorExtra ?? {}),
      }
    : null;
  if ('error' in diff) error = diff.error;
  let session = 'session' in diff ? diff.session : e.getSession.session;
  if (session === 'url') session = null;
  const storage = {};
  for (const [k, v] of Object.entries(e.storageAfter)) storage[k] = v.raw;
  // supabase-js cleans with `location.hash = ''`, which leaves a bare `#`; we leave none.
  let after = diff.after ?? e.location.after;
  if (!diff.after && e.location.historyLengthDelta === 1) after = after.replace(/#$/, '');
  return {
    error,
    session,
    sessionFromUrl: diff.session === 'url',
    storage:
      diff.storage === 'before'
        ? { ...c.input.storageBefore }
        : (diff.storage ??
          (session && typeof diff.session === 'object' ? { [e.storageKey]: JSON.stringify(session) } : storage)),
    storageHasExpiresAt: diff.storageHasExpiresAt,
    requests: diff.requests ?? e.requests.map((r) => `${r.method} ${r.path}${r.query}`),
    requestBodies: diff.requests ? null : e.requests.map((r) => r.bodyRaw ?? null),
    events: ordered,
    after,
    getSessionError: 'getSessionError' in diff ? diff.getSessionError : e.getSession.error,
  };
}

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const CORS = {
  'access-control-allow-origin': APP,
  'access-control-allow-headers': 'apikey, authorization, x-client-info, x-supabase-api-version, content-type',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-expose-headers': 'x-supabase-api-version',
};

async function run(c) {
  const context = await browser.newContext();
  await context.clock.setFixedTime(c.input.now * 1000);
  const page = await context.newPage();
  const logs = [];
  page.on('console', (m) => logs.push(m.text()));
  await page.route(`${APP}/**`, (route) => {
    if (new URL(route.request().url()).pathname === '/__pkg/index.js') {
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: PKG });
    }
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title>' });
  });
  const requests = [];
  await page.route(`${new URL(c.input.supabaseUrl ?? c.input.authUrl).origin}/**`, async (route) => {
    const req = route.request();
    if (req.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: CORS });
    const url = new URL(req.url());
    requests.push({ line: `${req.method()} ${url.pathname}${url.search}`, body: req.postData(), headers: await req.allHeaders() });
    const server = c.input.server ?? {};
    let answer;
    if (url.pathname.endsWith('/user')) answer = server.user ?? { status: 200, body: DEFAULT_USER };
    else if (url.search === '?grant_type=pkce') answer = server.token_pkce ?? { status: 200, body: DEFAULT_PKCE };
    else if (url.search === '?grant_type=refresh_token') answer = server.token_refresh ?? { status: 200, body: DEFAULT_REFRESH };
    else answer = { status: 404, body: { message: 'not scripted' } };
    return route.fulfill({
      status: answer.status,
      headers: { 'content-type': 'application/json', ...CORS, ...(answer.headers ?? {}) },
      body: answer.rawBody ?? JSON.stringify(answer.body),
    });
  });
  await page.goto(`${APP}/__setup`);
  await page.evaluate((items) => {
    for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v);
  }, c.input.storageBefore ?? {});
  await page.goto(deepLink(c.input.url) ? `${APP}/` : c.input.url);
  const supabaseUrl = c.input.supabaseUrl ?? c.input.authUrl.replace(/\/auth\/v1$/, '');
  // A bare GoTrueClient uses the storage key `supabase.auth.token`: pass it as ours.
  const storageKey = c.expected.storageKey.startsWith('sb-') ? undefined : c.expected.storageKey;
  const out = await page.evaluate(
    async ({ supabaseUrl, anonKey, flowType, storageKey, link }) => {
      const historyBefore = history.length;
      const { createClient } = await import('/__pkg/index.js');
      // supabase-js has no login-CSRF check, so the recorded callbacks were not started by a
      // sign-in in this browser: accept them as it does (the check has tests of its own).
      const auth = createClient(supabaseUrl, anonKey ?? 'anon-key', { flowType, storageKey, allowUnsolicitedImplicit: true });
      const events = [];
      auth.onAuthStateChange((event, session) => events.push({ event, session }));
      let { error } = await auth.initialize();
      if (link) {
        try {
          await auth.handleRedirectCallback(link);
        } catch (e) {
          error = e;
        }
      }
      let session = null;
      let getSessionError = null;
      try {
        session = await auth.getSession();
      } catch (e) {
        getSessionError = { name: e.name, code: e.code };
      }
      await new Promise((r) => setTimeout(r, 0));
      const pick = (e) =>
        e && {
          name: e.name,
          message: e.message,
          status: e.status,
          code: e.code,
          ...('error' in e ? { error: e.error } : {}),
          ...('error_description' in e && e.name !== 'AuthImplicitGrantRedirectError' ? { error_description: e.error_description } : {}),
          ...('details' in e ? { details: e.details } : {}),
        };
      return {
        error: pick(error),
        session,
        getSessionError,
        events: events.map((e) => e.event),
        storage: { ...localStorage },
        href: location.href,
        historyDelta: history.length - historyBefore,
      };
    },
    {
      supabaseUrl,
      anonKey: c.input.anonKey,
      flowType: c.input.flowType,
      storageKey,
      link: deepLink(c.input.url) ? c.input.url : null,
    },
  );
  await context.close();
  return { ...out, requests, logs };
}

for (const c of vectors.cases) {
  test(`callback vector ${c.id}`, async () => {
    const want = expectation(c);
    const got = await run(c);
    const e = c.expected;

    const gotError = got.error && { ...got.error };
    if (gotError && gotError.name === 'AuthImplicitGrantRedirectError' && gotError.code !== 'invalid_callback') {
      assert.equal(gotError.details.error, want.error.details?.error ?? e.initialize.error.details.error, 'details.error');
      assert.equal(gotError.details.code, want.error.details?.code ?? e.initialize.error.details.code, 'details.code');
    }
    if (want.error) {
      for (const k of Object.keys(want.error)) {
        if (want.error[k] === undefined || k === 'details') continue;
        assert.deepEqual(gotError?.[k], want.error[k], `error.${k}`);
      }
    } else {
      assert.equal(gotError, null, 'no error');
    }

    if (want.sessionFromUrl) {
      assert.equal(got.session.refresh_token, 'r1', 'the URL session, not a refreshed one');
      assert.equal(got.session.expires_at, 1767229200);
    } else {
      assert.deepEqual(got.session, want.session, 'getSession');
    }
    assert.deepEqual(got.getSessionError, want.getSessionError && { name: want.getSessionError.name, code: want.getSessionError.code });

    if (want.storageHasExpiresAt) {
      const stored = JSON.parse(got.storage[e.storageKey]);
      assert.equal(stored.expires_at, want.storageHasExpiresAt);
      assert.deepEqual({ ...stored, expires_at: undefined }, { ...JSON.parse(want.storage[e.storageKey]), expires_at: undefined });
    } else if (!want.sessionFromUrl) {
      assert.deepEqual(got.storage, want.storage, 'storage after');
    }

    assert.deepEqual(got.requests.map((r) => r.line), want.requests, 'requests');
    if (want.requestBodies) {
      assert.deepEqual(got.requests.map((r) => r.body ?? null), want.requestBodies, 'request bodies');
    }
    for (const r of got.requests) {
      assert.equal(r.headers.apikey, c.input.anonKey ?? 'anon-key');
      assert.equal(r.headers['x-supabase-api-version'], '2024-01-01');
      assert.match(r.headers['x-client-info'], /^supabase-workos\/\d+\.\d+\.\d+$/);
      if (r.line.startsWith('GET /auth/v1/user')) {
        assert.match(r.headers.authorization, /^Bearer eyJ/);
      } else {
        assert.equal(r.headers.authorization, `Bearer ${c.input.anonKey ?? 'anon-key'}`);
        assert.equal(r.headers['content-type'], 'application/json;charset=UTF-8');
      }
    }

    assert.deepEqual(got.events, want.events, 'events');
    assert.equal(got.href, want.after, 'address bar after');
    assert.equal(got.historyDelta, 0, 'no history entry');
    // No secret of the callback in the console, the address bar, or an error message.
    const p = e.parsedParams ?? {};
    const secrets = [p.access_token, p.refresh_token, p.provider_token, p.provider_refresh_token, p.code]
      .concat(Object.values(c.input.storageBefore ?? {}).filter((v) => v.includes('0123456789abcdef')))
      .filter((v) => typeof v === 'string' && v.length > 1);
    for (const secret of secrets) {
      for (const line of got.logs) assert.ok(!line.includes(secret), `a secret in console output: ${line}`);
      if (got.error) assert.ok(!got.error.message.includes(secret), 'a secret in the error message');
    }
    if (got.error || got.session) {
      for (const key of ['access_token', 'refresh_token', 'provider_token', 'code=', 'error=', 'error_description']) {
        assert.ok(!got.href.includes(key), `${key} left in the address bar`);
      }
    }
  });
}
