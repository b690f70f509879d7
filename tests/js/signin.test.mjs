// Starting sign-in, as a page uses the built package: the verifier supabase-js reads, the
// navigation, and bad input that must neither store nor navigate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { serverAndBrowser, openPage, scriptEndpoint } from './harness.mjs';

const SUPABASE = 'https://abcd.supabase.co';
const env = serverAndBrowser();

const blank = () => openPage(env.browser, `${env.server.url}/tests/js/pages/blank.html`);
const challengeOf = (verifier) => createHash('sha256').update(verifier).digest('base64url');

test('supabase-js finishes a PKCE flow that this library started', async () => {
  const page = await blank();
  await page.addScriptTag({ url: '/node_modules/@supabase/supabase-js/dist/umd/supabase.js' });
  const session = {
    access_token: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsImV4cCI6NDEwMjQ0NDgwMH0.c2ln',
    token_type: 'bearer',
    expires_in: 3600,
    expires_at: 4102444800,
    refresh_token: 'rt-1',
    user: { id: 'u1', aud: 'authenticated', email: 'ada@example.com' },
  };
  const token = await scriptEndpoint(page, `${SUPABASE}/auth/v1/token?grant_type=pkce`, () => ({
    body: session,
  }));
  const out = await page.evaluate(async (SUPABASE) => {
    const { createClient } = await import('/pkg/index.js');
    const auth = createClient(SUPABASE, 'anon-key', { flowType: 'pkce' });
    const { provider, url } = await auth.signInWithWorkOS({
      connection: 'conn_1',
      redirectTo: `${location.origin}/cb`,
      skipBrowserRedirect: true,
    });
    const stored = localStorage.getItem('sb-abcd-auth-token-code-verifier');
    const sb = supabase.createClient(SUPABASE, 'anon-key', {
      auth: { flowType: 'pkce', detectSessionInUrl: false, autoRefreshToken: false },
    });
    const { data, error } = await sb.auth.exchangeCodeForSession('auth-code-1');
    return {
      provider,
      url,
      stored,
      error: error && error.message,
      accessToken: data.session && data.session.access_token,
      verifierLeft: localStorage.getItem('sb-abcd-auth-token-code-verifier'),
    };
  }, SUPABASE);
  assert.equal(out.error, null);
  assert.equal(out.provider, 'workos');
  const verifier = JSON.parse(out.stored);
  assert.match(verifier, /^[0-9a-f]{112}$/);
  const challenge = challengeOf(verifier);
  assert.equal(
    out.url,
    `${SUPABASE}/auth/v1/authorize?provider=workos&redirect_to=${encodeURIComponent(`${env.server.url}/cb`)}` +
      `&code_challenge=${challenge}&code_challenge_method=s256&connection=conn_1`,
  );
  assert.equal(token.length, 1);
  assert.deepEqual(JSON.parse(token[0].body), { auth_code: 'auth-code-1', code_verifier: verifier });
  assert.equal(out.accessToken, session.access_token);
  assert.equal(out.verifierLeft, null, 'supabase-js consumed the verifier we stored');
});

test('signInWithWorkOS stores the verifier, then navigates with location.assign', async () => {
  const page = await blank();
  let navigated = null;
  await page.route(`${SUPABASE}/auth/v1/authorize**`, async (route) => {
    navigated = route.request().url();
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<p>authorize</p>' });
  });
  const historyBefore = await page.evaluate(() => history.length);
  await Promise.all([
    page.waitForURL(`${SUPABASE}/auth/v1/authorize**`),
    page
      .evaluate(async (SUPABASE) => {
        const { createClient } = await import('/pkg/index.js');
        const auth = createClient(SUPABASE, 'anon-key');
        await auth.signInWithWorkOS({ organization: 'org_1', loginHint: 'ada@example.com' });
      }, SUPABASE)
      // The navigation may end the page before the promise settles; any other failure counts.
      .catch((e) => assert.match(e.message, /Execution context was destroyed/)),
  ]);
  assert.match(
    navigated,
    /^https:\/\/abcd\.supabase\.co\/auth\/v1\/authorize\?provider=workos&code_challenge=[A-Za-z0-9_-]{43}&code_challenge_method=s256&organization=org_1&login_hint=ada%40example\.com$/,
  );
  assert.equal(await page.evaluate(() => history.length), historyBefore + 1, 'assign adds an entry');
  await page.goBack();
  const stored = await page.evaluate(() => localStorage.getItem('sb-abcd-auth-token-code-verifier'));
  const challenge = new URL(navigated).searchParams.get('code_challenge');
  assert.equal(challengeOf(JSON.parse(stored)), challenge, 'the stored verifier belongs to this URL');
});

test('implicit flow stores only when the sign-in started, and sends provider as workos_provider', async () => {
  const page = await blank();
  const out = await page.evaluate(async (SUPABASE) => {
    const { createClient } = await import('/pkg/index.js');
    const auth = createClient(SUPABASE, 'anon-key', { flowType: 'implicit' });
    const r = await auth.signInWithWorkOS({ provider: 'GoogleOAuth', skipBrowserRedirect: true });
    return { r, storage: { ...localStorage } };
  }, SUPABASE);
  assert.deepEqual(Object.keys(out.storage), ['sb-abcd-auth-token-implicit-pending'], 'no verifier, only the nonce');
  const nonce = out.storage['sb-abcd-auth-token-implicit-pending'];
  assert.match(nonce, /^[0-9a-f]{32}$/);
  // Without redirectTo, back to this page, with the nonce in a fragment segment of its own.
  const back = encodeURIComponent(`${env.server.url}/tests/js/pages/blank.html#sbw_nonce=${nonce}`);
  assert.deepEqual(out.r, {
    provider: 'workos',
    url: `${SUPABASE}/auth/v1/authorize?provider=workos&redirect_to=${back}&workos_provider=GoogleOAuth`,
  });
});

test('bad input never stores, never navigates, and rejects with a documented code', async () => {
  const page = await blank();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const out = await page.evaluate(async (SUPABASE) => {
    const { createClient, isAuthError } = await import('/pkg/index.js');
    localStorage.setItem('keep', 'me');
    const auth = createClient(SUPABASE, 'anon-key');
    const cases = [
      {},
      { connection: 'c', organization: 'o' },
      { connection: 'c', provider: 'GoogleOAuth' },
      { provider: 'OktaOAuth' },
      { connection: 'c', queryParams: { state: 'x' } },
      { connection: 'c', queryParams: { provider: 'GoogleOAuth' } },
      { connection: 'c', queryParams: { code_challenge: 'x' } },
      { connection: 'c', redirectTo: '/relative' },
      { connection: 'c', redirectTo: 'http://[::1' },
      { connection: 'c', redirectTo: 'javascript:alert(1)' },
    ];
    const results = [];
    for (const opts of cases) {
      try {
        await auth.signInWithWorkOS(opts);
        results.push('resolved');
      } catch (e) {
        results.push([e instanceof Error, isAuthError(e), e.name, e.code, e.status]);
      }
    }
    const construct = [];
    for (const args of [['not a url', 'k'], ['/relative', 'k'], ['ftp://a.co', 'k'], [SUPABASE, ''], [SUPABASE]]) {
      try {
        createClient(...args);
        construct.push('created');
      } catch (e) {
        construct.push(e.code);
      }
    }
    return { results, construct, storage: { ...localStorage }, href: location.href };
  }, SUPABASE);
  const err = (code) => [true, true, 'AuthError', code, 0];
  assert.deepEqual(out.results, [
    err('missing_selector'),
    err('ambiguous_selector'),
    err('ambiguous_selector'),
    err('invalid_provider'),
    err('invalid_options'),
    err('invalid_options'),
    err('invalid_options'),
    err('invalid_options'),
    err('invalid_options'),
    err('invalid_options'),
  ]);
  assert.deepEqual(out.construct, Array(5).fill('invalid_options'));
  assert.deepEqual(out.storage, { keep: 'me' }, 'storage untouched');
  assert.equal(out.href, `${env.server.url}/tests/js/pages/blank.html`, 'no navigation');
  assert.ok(!requests.some((u) => u.includes('abcd.supabase.co')), 'no request to Supabase');
});

test('without crypto.subtle (an insecure context) PKCE is refused, never downgraded to plain', async () => {
  const page = await blank();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const out = await page.evaluate(async (SUPABASE) => {
    const { createClient } = await import('/pkg/index.js');
    // What a page served over http from a LAN address sees: no SubtleCrypto.
    Object.defineProperty(Crypto.prototype, 'subtle', { get: () => undefined, configurable: true });
    const pkce = createClient(SUPABASE, 'anon-key');
    let error;
    try {
      await pkce.signInWithWorkOS({ connection: 'conn_1' });
    } catch (e) {
      error = [e.name, e.code, e.status];
    }
    const implicit = createClient(SUPABASE, 'anon-key', { flowType: 'implicit' });
    const { url } = await implicit.signInWithWorkOS({ connection: 'conn_1', skipBrowserRedirect: true });
    return { error, url, verifier: localStorage.getItem('sb-abcd-auth-token-code-verifier'), href: location.href };
  }, SUPABASE);
  assert.deepEqual(out.error, ['AuthError', 'insecure_context', 0]);
  assert.equal(out.verifier, null, 'no verifier stored');
  assert.equal(out.href, `${env.server.url}/tests/js/pages/blank.html`, 'no navigation');
  assert.ok(!requests.some((u) => u.includes('abcd.supabase.co')), 'no request to Supabase');
  assert.match(out.url, /^https:\/\/abcd\.supabase\.co\/auth\/v1\/authorize\?provider=workos&redirect_to=[^&]+%23sbw_nonce%3D[0-9a-f]{32}&connection=conn_1$/, 'the implicit flow needs no WebCrypto');
});

test('a storage that refuses the verifier fails with storage_unavailable and does not navigate', async () => {
  const page = await blank();
  const out = await page.evaluate(async (SUPABASE) => {
    const { createClient } = await import('/pkg/index.js');
    const storage = {
      getItem: () => null,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
      removeItem: () => {},
    };
    const auth = createClient(SUPABASE, 'anon-key', { storage });
    try {
      await auth.signInWithWorkOS({ connection: 'c' });
      return 'resolved';
    } catch (e) {
      return [e.code, location.href];
    }
  }, SUPABASE);
  assert.deepEqual(out, ['storage_unavailable', `${env.server.url}/tests/js/pages/blank.html`]);
});

test('the script tag defines window.SupabaseWorkOS and works without init', async () => {
  const page = await blank();
  await page.addScriptTag({ url: '/pkg/dist/supabase-workos.js' });
  const out = await page.evaluate(() => ({
    key: SupabaseWorkOS.storageKeyFor('http://127.0.0.1:54321'),
    url: SupabaseWorkOS.buildAuthorizeUrl('https://abcd.supabase.co', { connection: 'conn_1' }),
  }));
  assert.deepEqual(out, {
    key: 'sb-127-auth-token',
    url: 'https://abcd.supabase.co/auth/v1/authorize?provider=workos&connection=conn_1',
  });
  assert.deepEqual(page.logs, []);
});
