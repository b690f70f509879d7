// Finishing sign-in with the built package: interop with supabase-js both ways on one page, a
// PKCE flow supabase-js started, the address bar and history after callbacks, hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { serverAndBrowser, openPage, scriptEndpoint, jwt, FAR } from './harness.mjs';

const SUPABASE = 'https://abcd.supabase.co';
const KEY = 'sb-abcd-auth-token';
const env = serverAndBrowser();

const USER_ID = '7b3a5c1e-1111-4222-8333-944455556666';
// The user's own token: a /user answer is checked against its `sub`.
const ACCESS = jwt({ sub: USER_ID, exp: FAR, role: 'authenticated' });
const USER = {
  id: USER_ID,
  aud: 'authenticated',
  role: 'authenticated',
  email: 'ada@example.com',
  app_metadata: { provider: 'workos', providers: ['workos'] },
  user_metadata: { email: 'ada@example.com', custom_claims: { connection_id: 'conn_1' } },
};
const SESSION = {
  access_token: ACCESS,
  token_type: 'bearer',
  expires_in: 3600,
  expires_at: FAR,
  refresh_token: 'rt-server',
  user: USER,
};
const pageUrl = (suffix = '') => `${env.server.url}/tests/js/pages/blank.html${suffix}`;
const implicitFragment = (at = ACCESS) =>
  `#access_token=${at}&expires_at=${FAR}&expires_in=3600&provider_token=pt&refresh_token=rt-url&sb=&token_type=bearer`;

async function scriptedPage(url, { user = { body: USER }, pkce = { body: SESSION } } = {}) {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  page.logs = [];
  page.on('console', (m) => page.logs.push(m.text()));
  page.on('pageerror', (e) => page.logs.push(String(e)));
  page.seen = {
    user: await scriptEndpoint(page, `${SUPABASE}/auth/v1/user`, () => user),
    pkce: await scriptEndpoint(page, `${SUPABASE}/auth/v1/token?grant_type=pkce`, () => pkce),
  };
  await page.goto(url);
  return page;
}

/**
 * Runs the library on the page: createClient (which handles the callback), then getSession.
 * These callbacks are made up by the test, not started by a sign-in in the page, so the
 * login-CSRF check is opted out of unless `options` says otherwise (it has tests below).
 */
function runOurs(page, options = {}) {
  options = { allowUnsolicitedImplicit: true, ...options };
  return page.evaluate(
    async ({ SUPABASE, options }) => {
      const historyBefore = history.length;
      const { createClient } = await import('/pkg/index.js');
      const auth = createClient(SUPABASE, 'anon-key', options);
      const events = [];
      auth.onAuthStateChange((e) => events.push(e));
      const { error } = await auth.initialize();
      const session = await auth.getSession().catch((e) => ({ thrown: e.code }));
      await new Promise((r) => setTimeout(r, 0));
      return {
        error: error && { name: error.name, code: error.code, message: error.message, status: error.status },
        session,
        events,
        href: location.href,
        historyDelta: history.length - historyBefore,
        stored: localStorage.getItem('sb-abcd-auth-token'),
      };
    },
    { SUPABASE, options },
  );
}

test('a session we store is what supabase-js getSession returns', async () => {
  const page = await scriptedPage(pageUrl(implicitFragment()));
  await page.addScriptTag({ url: '/node_modules/@supabase/supabase-js/dist/umd/supabase.js' });
  const ours = await runOurs(page, { flowType: 'implicit' });
  assert.equal(ours.error, null);
  assert.equal(ours.session.refresh_token, 'rt-url');
  const theirs = await page.evaluate(async (SUPABASE) => {
    const sb = supabase.createClient(SUPABASE, 'anon-key', {
      auth: { detectSessionInUrl: false, autoRefreshToken: false },
    });
    const { data, error } = await sb.auth.getSession();
    return { session: data.session, error };
  }, SUPABASE);
  assert.equal(theirs.error, null);
  assert.deepEqual(theirs.session, ours.session);
  assert.deepEqual(ours.events, ['INITIAL_SESSION', 'SIGNED_IN']);
});

test('a session supabase-js stored is what ours returns', async () => {
  const page = await scriptedPage(pageUrl(implicitFragment()));
  await page.addScriptTag({ url: '/node_modules/@supabase/supabase-js/dist/umd/supabase.js' });
  const theirs = await page.evaluate(async (SUPABASE) => {
    const sb = supabase.createClient(SUPABASE, 'anon-key', {
      auth: { flowType: 'implicit', detectSessionInUrl: true, autoRefreshToken: false },
    });
    const { data, error } = await sb.auth.getSession();
    return { session: data.session, error };
  }, SUPABASE);
  assert.equal(theirs.error, null);
  assert.equal(theirs.session.refresh_token, 'rt-url');
  const ours = await runOurs(page, { detectSessionInUrl: false });
  assert.deepEqual(ours.session, theirs.session);
  assert.deepEqual(ours.events, ['INITIAL_SESSION']);
});

test('a PKCE flow supabase-js started is finished by ours (per-flow verifier slot)', async () => {
  const page = await scriptedPage(pageUrl());
  await page.addScriptTag({ url: '/node_modules/@supabase/supabase-js/dist/umd/supabase.js' });
  const started = await page.evaluate(
    async ({ SUPABASE, back }) => {
      const sb = supabase.createClient(SUPABASE, 'anon-key', {
        auth: { flowType: 'pkce', detectSessionInUrl: false, autoRefreshToken: false },
      });
      const { data, error } = await sb.auth.signInWithOAuth({
        provider: 'workos',
        options: { skipBrowserRedirect: true, redirectTo: back, queryParams: { connection: 'conn_1' } },
      });
      return { url: data.url, error };
    },
    { SUPABASE, back: pageUrl() },
  );
  assert.equal(started.error, null);
  const authorize = new URL(started.url);
  const redirectTo = new URL(authorize.searchParams.get('redirect_to'));
  // What Supabase Auth does on success: `?code=` on redirect_to, query keys sorted.
  redirectTo.searchParams.append('code', 'code-from-server');
  redirectTo.searchParams.sort();
  await page.goto(redirectTo.href);
  const ours = await runOurs(page);
  assert.equal(ours.error, null);
  assert.deepEqual(ours.session, SESSION);
  assert.equal(page.seen.pkce.length, 1);
  const body = JSON.parse(page.seen.pkce[0].body);
  assert.equal(body.auth_code, 'code-from-server');
  assert.equal(
    createHash('sha256').update(body.code_verifier).digest('base64url'),
    authorize.searchParams.get('code_challenge'),
    'the verifier supabase-js stored for this flow',
  );
  assert.equal(ours.href, pageUrl(), 'code and flow id removed');
  assert.equal(ours.historyDelta, 0);
  const left = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('code-verifier')));
  assert.deepEqual(left, [], 'the verifier slot, the index and the legacy key are gone');
});

test('a hash-router callback keeps the route, and history gains no entry', async () => {
  const page = await scriptedPage(pageUrl(`#/settings?tab=2${implicitFragment()}`));
  const ours = await runOurs(page, { flowType: 'implicit' });
  assert.equal(ours.error, null);
  assert.equal(ours.session.refresh_token, 'rt-url');
  assert.equal(ours.href, pageUrl('#/settings?tab=2'));
  assert.equal(ours.historyDelta, 0);
  await page.goBack();
  assert.ok(!page.url().includes('access_token'), 'no history entry holds the tokens');
});

test('handleRedirectCallback: no verifier is pkce_code_verifier_not_found; auto-detect leaves such a code alone', async () => {
  const page = await scriptedPage(pageUrl('?code=someone-elses&x=1'));
  const ours = await runOurs(page);
  assert.equal(ours.error, null);
  assert.equal(ours.href, pageUrl('?code=someone-elses&x=1'), 'auto-detect ignores it');
  const explicit = await page.evaluate(async (SUPABASE) => {
    const { createClient } = await import('/pkg/index.js');
    const auth = createClient(SUPABASE, 'anon-key', { detectSessionInUrl: false });
    try {
      await auth.handleRedirectCallback();
      return 'resolved';
    } catch (e) {
      return { name: e.name, code: e.code, status: e.status, href: location.href };
    }
  }, SUPABASE);
  assert.deepEqual(explicit, {
    name: 'AuthPKCECodeVerifierMissingError',
    code: 'pkce_code_verifier_not_found',
    status: 400,
    href: pageUrl('?x=1'),
  });
  assert.equal(page.seen.pkce.length, 0);
});

const OLD = JSON.stringify({ ...SESSION, refresh_token: 'rt-old' });

async function withOldSession(url, answers) {
  const page = await scriptedPage(pageUrl(), answers);
  await page.evaluate(
    ([KEY, OLD]) => {
      localStorage.setItem(KEY, OLD);
      localStorage.setItem(`${KEY}-code-verifier`, JSON.stringify('a'.repeat(64)));
    },
    [KEY, OLD],
  );
  await page.goto(url);
  return page;
}

const hostile = [
  ['/user answers text', implicitFragment(), { user: { body: 'not json' } }, 'AuthRetryableFetchError', 'retryable_fetch_error'],
  ['/user answers a user without id', implicitFragment(), { user: { body: { email: 'x' } } }, 'AuthInvalidTokenResponseError', 'invalid_token_response'],
  // A cache that ignores Authorization, answering with the user it saw first.
  ['/user answers another user', implicitFragment(), { user: { body: { ...USER, id: 'eve' } } }, 'AuthInvalidTokenResponseError', 'invalid_token_response'],
  ['/user answers 403', implicitFragment(), { user: { status: 403, body: { code: 403, error_code: 'bad_jwt', msg: 'invalid JWT' } } }, 'AuthApiError', 'bad_jwt'],
  ['/token answers text', '?code=c1', { pkce: { body: 'nope' } }, 'AuthRetryableFetchError', 'retryable_fetch_error'],
  ['/token answers {}', '?code=c1', { pkce: { body: {} } }, 'AuthInvalidTokenResponseError', 'invalid_token_response'],
  ['/token answers null', '?code=c1', { pkce: { body: 'null' } }, 'AuthInvalidTokenResponseError', 'invalid_token_response'],
  ['/token answers a number', '?code=c1', { pkce: { body: '42' } }, 'AuthInvalidTokenResponseError', 'invalid_token_response'],
  ['/token answers tokens without a user', '?code=c1', { pkce: { body: { ...SESSION, user: null } } }, 'AuthInvalidTokenResponseError', 'invalid_token_response'],
  ['/token answers 500', '?code=c1', { pkce: { status: 500, body: { message: 'boom' } } }, 'AuthRetryableFetchError', 'retryable_fetch_error'],
  ['a non-JWT access token and no expiry', '#access_token=opaque&refresh_token=r&token_type=bearer', {}, 'AuthImplicitGrantRedirectError', 'invalid_callback'],
  ['duplicate keys', '#access_token=a&access_token=b&refresh_token=r&token_type=bearer&expires_in=60', {}, 'AuthImplicitGrantRedirectError', 'invalid_callback'],
  ['truncated percent-escapes', '#access_token=%E2%8&refresh_token=%&token_type=%Z', {}, 'AuthImplicitGrantRedirectError', 'invalid_callback'],
  ['control characters', '#access_token=%00%01&refresh_token=%0A%0D&token_type=%7F', {}, 'AuthImplicitGrantRedirectError', 'invalid_callback'],
];

for (const [name, suffix, answers, errorName, code] of hostile) {
  test(`hostile: ${name} gives ${code} and keeps the stored session`, async () => {
    const page = await withOldSession(pageUrl(suffix), answers);
    const ours = await runOurs(page, { flowType: 'implicit' });
    assert.equal(ours.error?.name, errorName);
    assert.equal(ours.error?.code, code);
    assert.equal(ours.stored, OLD, 'the stored session is as it was');
    assert.equal(ours.session.refresh_token, 'rt-old');
    assert.equal(ours.href, pageUrl(), 'no auth parameter left');
    assert.equal(ours.historyDelta, 0);
    for (const secret of ['opaque', 'rt-url', ACCESS, 'c1']) {
      assert.ok(!ours.error.message.includes(secret), 'no secret in the message');
      for (const line of page.logs) assert.ok(!line.includes(secret), `no secret in the console: ${line}`);
    }
  });
}

test('hostile: a 1 MB fragment is handled without losing the stored session', async () => {
  const huge = 'x'.repeat(1 << 20);
  const page = await withOldSession(pageUrl(`#access_token=${huge}&refresh_token=r&token_type=bearer&expires_in=60`), {});
  const ours = await runOurs(page, { flowType: 'implicit' });
  // Sent as a bearer header the token may be refused by the browser or the server: either way a
  // typed error, and nothing of it stays in the address bar.
  if (ours.error) {
    assert.match(ours.error.name, /^Auth/);
    assert.equal(ours.stored, OLD);
  } else {
    assert.equal(JSON.parse(ours.stored).access_token.length, huge.length);
  }
  assert.equal(ours.href, pageUrl());
  assert.equal(ours.historyDelta, 0);
});

test('a callback that fails after the exchange leaves no half-written session', async () => {
  const page = await withOldSession(pageUrl('?code=c2'), { pkce: { body: { ...SESSION, refresh_token: '' } } });
  const ours = await runOurs(page);
  assert.equal(ours.error.code, 'invalid_token_response');
  assert.equal(ours.stored, OLD);
  const verifier = await page.evaluate((KEY) => localStorage.getItem(`${KEY}-code-verifier`), KEY);
  assert.equal(verifier, null, 'the verifier is single use: removed whatever the outcome');
});

test('getUser stores a changed user and emits USER_UPDATED', async () => {
  const changed = { ...USER, user_metadata: { ...USER.user_metadata, full_name: 'Ada King' } };
  let answer = USER;
  const page = await scriptedPage(pageUrl(implicitFragment()), { user: { body: USER } });
  await page.unroute(`${SUPABASE}/auth/v1/user`);
  await scriptEndpoint(page, `${SUPABASE}/auth/v1/user`, () => ({ body: answer }));
  const first = await runOurs(page, { flowType: 'implicit' });
  assert.equal(first.error, null);
  answer = changed;
  const out = await page.evaluate(async (SUPABASE) => {
    const { createClient } = await import('/pkg/index.js');
    const auth = createClient(SUPABASE, 'anon-key', { detectSessionInUrl: false });
    const events = [];
    auth.onAuthStateChange((e, s) => events.push([e, s && s.user.user_metadata.full_name]));
    await auth.initialize();
    const user = await auth.getUser();
    await auth.getUser();
    return { name: user.user_metadata.full_name, events, stored: JSON.parse(localStorage.getItem('sb-abcd-auth-token')).user };
  }, SUPABASE);
  assert.equal(out.name, 'Ada King');
  assert.deepEqual(out.stored, changed);
  assert.deepEqual(out.events, [['INITIAL_SESSION', undefined], ['USER_UPDATED', 'Ada King']]);
});

test('login CSRF: an implicit callback this browser did not start is refused', async () => {
  const page = await withOldSession(pageUrl(implicitFragment()), {});
  const ours = await runOurs(page, { flowType: 'implicit', allowUnsolicitedImplicit: false });
  assert.deepEqual(
    { name: ours.error?.name, code: ours.error?.code, status: ours.error?.status },
    { name: 'AuthImplicitGrantRedirectError', code: 'unsolicited_callback', status: 400 },
  );
  assert.equal(ours.stored, OLD, 'the stored session is as it was');
  assert.equal(page.seen.user.length, 0, 'the attacker\'s token was never used');
  assert.equal(ours.href, pageUrl(), 'and it left the address bar');
});

const NONCE_KEY = 'sb-abcd-auth-token-implicit-pending';

/** Starts an implicit sign-in on `page`: the nonce stored and the authorize URL. */
function startImplicit(page, options = { connection: 'conn_1', redirectTo: pageUrl() }) {
  return page.evaluate(
    async ({ SUPABASE, options, NONCE_KEY }) => {
      const { createClient } = await import('/pkg/index.js');
      const auth = createClient(SUPABASE, 'anon-key', { flowType: 'implicit', detectSessionInUrl: false });
      const { url } = await auth.signInWithWorkOS({ ...options, skipBrowserRedirect: true });
      return { url, nonce: localStorage.getItem(NONCE_KEY) };
    },
    { SUPABASE, options, NONCE_KEY },
  );
}

test('login CSRF: only the callback that brings back the nonce of the sign-in started here is accepted, once', async () => {
  const page = await scriptedPage(pageUrl());
  const { url, nonce } = await startImplicit(page);
  assert.match(nonce, /^[0-9a-f]{32}$/, 'a fresh nonce is the marker');
  const redirect = new URL(url).searchParams.get('redirect_to');
  assert.equal(redirect, `${pageUrl()}#sbw_nonce=${nonce}`, 'the nonce goes out in redirect_to, after a # of its own');
  // Supabase Auth appends the tokens after a second '#'.
  await page.goto(pageUrl(`#sbw_nonce=${nonce}${implicitFragment()}`));
  const first = await runOurs(page, { flowType: 'implicit', allowUnsolicitedImplicit: false });
  assert.equal(first.error, null);
  assert.equal(first.session.refresh_token, 'rt-url');
  assert.equal(first.href, pageUrl(), 'nonce and tokens leave the address bar');
  assert.equal(await page.evaluate((k) => localStorage.getItem(k), NONCE_KEY), null);
  // The same URL again (a replay): the nonce was consumed.
  await page.goto(pageUrl(`#sbw_nonce=${nonce}${implicitFragment(jwt({ sub: 'attacker', exp: FAR }))}`));
  const replay = await runOurs(page, { flowType: 'implicit', allowUnsolicitedImplicit: false });
  assert.equal(replay.error?.code, 'unsolicited_callback');
  assert.equal(replay.session.refresh_token, 'rt-url', 'the first sign-in is kept');
});

test('login CSRF: an attacker\'s callback that arrives while a sign-in is pending is refused, and the victim\'s own is then accepted', async () => {
  // The attack: a page of the attacker's reloads app/cb#<its own unused tokens> until the victim
  // starts a sign-in; with a marker that any callback could use, the first reload after it won.
  const page = await scriptedPage(pageUrl());
  const { nonce } = await startImplicit(page);
  for (const attacker of [
    implicitFragment(jwt({ sub: 'attacker', exp: FAR })),
    `#sbw_nonce=${'0'.repeat(32)}${implicitFragment(jwt({ sub: 'attacker', exp: FAR }))}`,
  ]) {
    await page.goto(pageUrl(attacker));
    const out = await runOurs(page, { flowType: 'implicit', allowUnsolicitedImplicit: false });
    assert.equal(out.error?.code, 'unsolicited_callback');
    assert.equal(out.session, null, 'nothing of the attacker\'s is stored');
    assert.equal(page.seen.user.length, 0, 'the attacker\'s token is sent nowhere');
  }
  // The refused tries consumed the marker: the victim's sign-in is started again, and finishes.
  const again = await startImplicit(page);
  assert.notEqual(again.nonce, nonce);
  await page.goto(pageUrl(`#sbw_nonce=${again.nonce}${implicitFragment()}`));
  const victim = await runOurs(page, { flowType: 'implicit', allowUnsolicitedImplicit: false });
  assert.equal(victim.error, null);
  assert.equal(victim.session.refresh_token, 'rt-url');
});

test('login CSRF: a marker an earlier page kept in sessionStorage admits its callback, not a second one right after', async () => {
  // An earlier page's localStorage refused the marker (full), so sessionStorage holds it.
  const nonce = 'ab'.repeat(16);
  const page = await scriptedPage(pageUrl(`#sbw_nonce=${nonce}${implicitFragment()}`));
  const out = await page.evaluate(
    async ({ SUPABASE, KEY, attacker, nonce }) => {
      sessionStorage.setItem(`${KEY}-implicit-pending`, nonce);
      const { createClient } = await import('/pkg/index.js');
      const auth = createClient(SUPABASE, 'anon-key', { flowType: 'implicit' });
      const { error } = await auth.initialize();
      const second = await auth.handleRedirectCallback(attacker).then(
        (s) => s.refresh_token,
        (e) => e.code,
      );
      return {
        error,
        second,
        stored: JSON.parse(localStorage.getItem(KEY)).refresh_token,
        marker: [localStorage.getItem(`${KEY}-implicit-pending`), sessionStorage.getItem(`${KEY}-implicit-pending`)],
      };
    },
    { SUPABASE, KEY, nonce, attacker: pageUrl(`#sbw_nonce=${nonce}${implicitFragment(jwt({ sub: 'attacker', exp: FAR }))}`) },
  );
  assert.equal(out.error, null);
  assert.equal(out.second, 'unsolicited_callback');
  assert.equal(out.stored, 'rt-url', 'the first sign-in is kept');
  assert.deepEqual(out.marker, [null, null]);
});

/**
 * Stores `session` (as `window.frozen`) and creates two clients on the page: `window.a` on
 * localStorage and `window.b` on a copy of it that lags behind, as another tab's copy does in
 * Chromium: reads of the session key give the frozen text while `performance.now() < window.until`
 * (0 at first). Both are initialised.
 */
const laggingClients = (page, session) =>
  page.evaluate(
    async ({ SUPABASE, KEY, session }) => {
      window.frozen = JSON.stringify(session);
      window.until = 0;
      const lagging = {
        getItem: (k) => (k === KEY && performance.now() < window.until ? window.frozen : localStorage.getItem(k)),
        setItem: (k, v) => localStorage.setItem(k, v),
        removeItem: (k) => localStorage.removeItem(k),
      };
      const { createClient } = await import('/pkg/index.js');
      const options = { autoRefreshToken: false, detectSessionInUrl: false };
      window.a = createClient(SUPABASE, 'anon-key', options);
      window.b = createClient(SUPABASE, 'anon-key', { ...options, storage: lagging });
      localStorage.setItem(KEY, window.frozen);
      await Promise.all([a.initialize(), b.initialize()]);
    },
    { SUPABASE, KEY, session },
  );

test('a tab whose copy of localStorage lags behind another tab\'s refresh does not spend the refresh token again', async () => {
  // Chromium brings each renderer's copy of localStorage up to date a moment after the writing
  // tab has let go of the refresh lock. Two clients on one page, the second reading through a
  // copy that still shows the replaced session for 150 ms after the first one's refresh.
  const page = await scriptedPage(pageUrl());
  const near = Math.round(Date.now() / 1000) + 2;
  const refreshes = await scriptEndpoint(page, `${SUPABASE}/auth/v1/token?grant_type=refresh_token`, (request) => {
    const { refresh_token } = JSON.parse(request.postData());
    return refresh_token === 'rt-1' ? { body: { ...SESSION, refresh_token: 'rt-2' } } : { status: 400, body: { code: 'refresh_token_already_used' } };
  });
  await laggingClients(page, { ...SESSION, expires_at: near, refresh_token: 'rt-1' });
  const out = await page.evaluate(async (KEY) => {
    window.until = Infinity;
    const first = await a.getSession();
    window.until = performance.now() + 150;
    // What the second client reads first: the session the first one replaced.
    const stale = JSON.parse(localStorage.getItem(KEY)).refresh_token !== 'rt-1' && performance.now() < window.until;
    const second = await b.getSession();
    return { first: first.refresh_token, second: second.refresh_token, stale };
  }, KEY);
  assert.ok(out.stale, 'the second client read the replaced session first');
  assert.deepEqual(out, { first: 'rt-2', second: 'rt-2', stale: true });
  assert.deepEqual(refreshes.map((r) => JSON.parse(r.body).refresh_token), ['rt-1'], 'one refresh, the refresh token sent once');
});

test('getUser does not write its user over a session another tab has just refreshed', async () => {
  // As above: the second client's copy of storage still shows the session the first one
  // replaced when /user answers with a changed user. Writing it back would store a spent
  // refresh token.
  const page = await scriptedPage(pageUrl(), { user: { body: { ...USER, email: 'new@example.com' } } });
  const refreshes = await scriptEndpoint(page, `${SUPABASE}/auth/v1/token?grant_type=refresh_token`, () => ({ body: { ...SESSION, refresh_token: 'rt-2' } }));
  await laggingClients(page, { ...SESSION, refresh_token: 'rt-1' });
  const out = await page.evaluate(async (KEY) => {
    await a.refreshSession();
    window.until = performance.now() + 150;
    const user = await b.getUser();
    return { email: user.email, stored: JSON.parse(localStorage.getItem(KEY)).refresh_token };
  }, KEY);
  assert.deepEqual(out, { email: 'new@example.com', stored: 'rt-2' });
  assert.equal(refreshes.length, 1);
});

test('a sign-in finished while another tab refreshes the old session is not overwritten by that refresh', async () => {
  // The refreshing client's copy of storage shows the sign-in only 150 ms after its answer: the
  // sign-in marked the session it replaced, so the refresh waits for the copy and then leaves it.
  let release;
  const answered = new Promise((r) => (release = r));
  const page = await scriptedPage(pageUrl());
  await scriptEndpoint(page, `${SUPABASE}/auth/v1/token?grant_type=refresh_token`, async () => (await answered, { body: { ...SESSION, refresh_token: 'rt-2' } }));
  await laggingClients(page, { ...SESSION, refresh_token: 'rt-1' });
  // `b` (the lagging one) refreshes; `a` finishes a sign-in meanwhile.
  await page.evaluate(async ({ KEY, callback }) => {
    window.until = Infinity;
    window.refreshed = b.refreshSession().then((s) => s.refresh_token);
    await new Promise((r) => setTimeout(r, 100));
    // This browser started the sign-in (the login-CSRF marker).
    localStorage.setItem(`${KEY}-implicit-pending`, 'ab'.repeat(16));
    window.signedIn = await a.handleRedirectCallback(callback).then((s) => s.refresh_token);
  }, { KEY, callback: pageUrl(`#sbw_nonce=${'ab'.repeat(16)}${implicitFragment()}`) });
  await page.evaluate(() => (window.until = performance.now() + 150));
  release();
  const out = await page.evaluate(async (KEY) => {
    const refreshed = await window.refreshed;
    return { refreshed, signedIn: window.signedIn, stored: JSON.parse(localStorage.getItem(KEY)).refresh_token };
  }, KEY);
  // The refresh hands back the session stored now: the sign-in's.
  assert.deepEqual(out, { refreshed: 'rt-url', signedIn: 'rt-url', stored: 'rt-url' });
});

test('finishing a callback does not touch sessionStorage before the session is available', async () => {
  // A page's first access to sessionStorage waits on the browser (1 to 5 ms here). With
  // localStorage working, the fallbacks hold nothing the callback needs: the spent verifier's and
  // marker's copies there are swept after init.
  for (const [flowType, suffix] of [
    ['implicit', `#sbw_nonce=${'ab'.repeat(16)}${implicitFragment()}`],
    ['pkce', '?code=code-from-server'],
  ]) {
    const page = await scriptedPage(pageUrl());
    await page.addInitScript(() => {
      const owner = Object.getOwnPropertyDescriptor(window, 'sessionStorage') ? window : Window.prototype;
      const { get } = Object.getOwnPropertyDescriptor(owner, 'sessionStorage');
      window.sessionReads = [];
      Object.defineProperty(owner, 'sessionStorage', {
        configurable: true,
        get() {
          window.sessionReads.push(window.phase);
          return get.call(this);
        },
      });
    });
    // A document of its own (a fragment change would keep the first one, without the spy).
    await page.goto('about:blank');
    await page.goto(pageUrl(suffix));
    const out = await page.evaluate(
      async ({ SUPABASE, KEY, flowType }) => {
        // What this browser's sign-in left: the verifier, or the login-CSRF marker; and a copy
        // in sessionStorage, as a page whose localStorage once refused the write leaves one.
        const [key, value] =
          flowType === 'pkce' ? [`${KEY}-code-verifier`, JSON.stringify('a'.repeat(112))] : [`${KEY}-implicit-pending`, 'ab'.repeat(16)];
        localStorage.setItem(key, value);
        sessionStorage.setItem(key, value);
        window.phase = 'callback';
        const { createClient } = await import('/pkg/index.js');
        const auth = createClient(SUPABASE, 'anon-key', { flowType });
        const { data, error } = await auth.getSession().then((session) => ({ data: session }), (error) => ({ error }));
        window.phase = 'after';
        await new Promise((r) => setTimeout(r, 50));
        const copy = sessionStorage.getItem(key);
        return { error: error?.code, user: data?.user?.id, reads: window.sessionReads, left: Object.keys(localStorage).sort(), copy };
      },
      { SUPABASE, KEY, flowType },
    );
    assert.equal(out.error, undefined, flowType);
    assert.equal(out.user, USER.id, flowType);
    assert.deepEqual(out.reads.filter((p) => p === 'callback'), [], `${flowType}: no sessionStorage access before the session`);
    assert.equal(out.copy, null, `${flowType}: the sweep of the fallbacks still runs, after init`);
    assert.deepEqual(out.left, [KEY], flowType);
    await page.context().close();
  }
});

test('a router that rewrites the URL while the callback runs leaves no auth parameter in the address bar', async () => {
  for (const suffix of [implicitFragment(), '?code=code-from-server']) {
    const page = await scriptedPage(pageUrl(suffix));
    const out = await page.evaluate(
      async ({ SUPABASE, KEY }) => {
        localStorage.setItem(`${KEY}-code-verifier`, JSON.stringify('a'.repeat(112)));
        const { createClient } = await import('/pkg/index.js');
        const auth = createClient(SUPABASE, 'anon-key', { allowUnsolicitedImplicit: true });
        // A router moves to its own route right away, keeping what the URL held.
        history.replaceState(null, '', `/en${location.pathname}${location.search}${location.hash}`);
        const { error } = await auth.initialize();
        return { error, href: location.href };
      },
      { SUPABASE, KEY },
    );
    assert.equal(out.error, null, suffix);
    assert.equal(out.href, `${env.server.url}/en/tests/js/pages/blank.html`, suffix);
  }
});

test('two clients on one callback page finish it once, and both report the session', async () => {
  // A framework's development mode mounts twice: two createClient calls on one callback.
  for (const suffix of [implicitFragment(), '?code=code-from-server']) {
    const page = await scriptedPage(pageUrl(suffix));
    const out = await page.evaluate(
      async ({ SUPABASE, KEY }) => {
        localStorage.setItem(`${KEY}-code-verifier`, JSON.stringify('a'.repeat(112)));
        const { createClient } = await import('/pkg/index.js');
        const options = { allowUnsolicitedImplicit: true };
        const events = [[], []];
        const clients = [createClient(SUPABASE, 'anon-key', options), createClient(SUPABASE, 'anon-key', options)];
        clients.forEach((c, i) => c.onAuthStateChange((e) => events[i].push(e)));
        const results = await Promise.all(clients.map((c) => c.initialize()));
        const sessions = await Promise.all(clients.map((c) => c.getSession()));
        await new Promise((r) => setTimeout(r, 0));
        return { errors: results.map((r) => r.error), tokens: sessions.map((s) => s?.refresh_token), events };
      },
      { SUPABASE, KEY },
    );
    assert.deepEqual(out.errors, [null, null], suffix);
    assert.equal(out.tokens[0], out.tokens[1], suffix);
    assert.ok(out.tokens[0], suffix);
    assert.equal(page.seen.user.length + page.seen.pkce.length, 1, `one request: ${suffix}`);
    // The first tells of the sign-in; the second has it from the start (INITIAL_SESSION) or, if
    // it came to the URL first, hears it once too.
    assert.equal(out.events[0].filter((e) => e === 'SIGNED_IN').length, 1, JSON.stringify(out.events));
    assert.ok(out.events[1].filter((e) => e === 'SIGNED_IN').length <= 1, JSON.stringify(out.events));
  }
});

test('two handleRedirectCallback calls on one callback make one request and one SIGNED_IN', async () => {
  for (const suffix of [implicitFragment(), '?code=code-from-server']) {
    const page = await scriptedPage(pageUrl());
    const out = await page.evaluate(
      async ({ SUPABASE, KEY, url }) => {
        localStorage.setItem(`${KEY}-code-verifier`, JSON.stringify('a'.repeat(112)));
        const { createClient } = await import('/pkg/index.js');
        const auth = createClient(SUPABASE, 'anon-key', { allowUnsolicitedImplicit: true, detectSessionInUrl: false });
        const events = [];
        auth.onAuthStateChange((e) => events.push(e));
        await auth.initialize();
        const tokens = await Promise.all([auth.handleRedirectCallback(url), auth.handleRedirectCallback(url)]);
        await new Promise((r) => setTimeout(r, 0));
        return { tokens: tokens.map((s) => s.refresh_token), events };
      },
      { SUPABASE, KEY, url: pageUrl(suffix) },
    );
    assert.equal(out.tokens[0], out.tokens[1], suffix);
    assert.equal(page.seen.user.length + page.seen.pkce.length, 1, `one request: ${suffix}`);
    assert.deepEqual(out.events, ['INITIAL_SESSION', 'SIGNED_IN'], suffix);
  }
});

test('an error callback ends the sign-in this browser started: its verifier and marker go', async () => {
  const page = await scriptedPage(pageUrl('?error=access_denied&error_description=denied#error=access_denied'));
  const out = await page.evaluate(
    async ({ SUPABASE, KEY }) => {
      localStorage.setItem(`${KEY}-code-verifier`, JSON.stringify('a'.repeat(112)));
      localStorage.setItem(`${KEY}-implicit-pending`, 'ab'.repeat(16));
      const { createClient } = await import('/pkg/index.js');
      const { error } = await createClient(SUPABASE, 'anon-key').initialize();
      return { code: error?.code, left: [localStorage.getItem(`${KEY}-code-verifier`), localStorage.getItem(`${KEY}-implicit-pending`)] };
    },
    { SUPABASE, KEY },
  );
  assert.equal(out.code, 'access_denied');
  assert.deepEqual(out.left, [null, null]);
});
