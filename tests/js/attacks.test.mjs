// The attacks and failures of docs/reliability.md that the shell refuses on a single page: a
// sign-out whose storage keeps the session, a /user answer that is not the session's user, a
// storage that never answers, a page whose Referrer-Policy would send the callback's code, and
// the refusals the core decides (an anon key with a line break, a blank selector, scopes twice, a
// planted /recovery verifier, a device clock days off).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, startServer, scriptEndpoint, jwt, FAR } from './harness.mjs';

const SUPABASE = 'https://abcd.supabase.co';
const KEY = 'sb-abcd-auth-token';
const env = serverAndBrowser();

const user = (id = 'u1') => ({ id, aud: 'authenticated', email: `${id}@example.com` });
const session = (rt, { exp = FAR, iat } = {}) => ({
  access_token: jwt({ sub: 'u1', exp, iat, role: 'authenticated' }),
  token_type: 'bearer',
  expires_in: 3600,
  expires_at: exp,
  refresh_token: rt,
  user: user(),
});

/**
 * A page of the origin with `/logout`, `/user` and `/token` scripted (`userAnswer`, `tokenAnswer`),
 * at `suffix` of the blank page, on `server` (default: the file's own).
 */
async function page({ userAnswer = () => ({ body: user() }), tokenAnswer = () => ({ body: session('rt-2') }), suffix = '', server, init } = {}) {
  const context = await env.browser.newContext();
  const p = await context.newPage();
  p.logs = [];
  p.on('console', (m) => p.logs.push(m.text()));
  p.on('pageerror', (e) => p.logs.push(String(e)));
  if (init) await p.addInitScript(init);
  p.seen = {
    logout: await scriptEndpoint(p, `${SUPABASE}/auth/v1/logout*`, () => ({ status: 204 })),
    user: await scriptEndpoint(p, `${SUPABASE}/auth/v1/user`, userAnswer),
    token: await scriptEndpoint(p, `${SUPABASE}/auth/v1/token*`, tokenAnswer),
    probe: await scriptEndpoint(p, `${SUPABASE}/probe`, () => ({ body: {} })),
  };
  await p.goto(`${(server ?? env.server).url}/tests/js/pages/blank.html${suffix}`);
  return p;
}

/** Stores `s` in localStorage and creates `window.auth` with `options`, its events in `window.events`. */
const signedIn = (p, s, options = {}) =>
  p.evaluate(
    async ({ SUPABASE, KEY, s, options }) => {
      if (s) localStorage.setItem(KEY, JSON.stringify(s));
      const { createClient } = await import('/pkg/index.js');
      window.auth = createClient(SUPABASE, 'anon-key', { autoRefreshToken: false, ...options });
      window.events = [];
      auth.onAuthStateChange((e) => events.push(e));
      await auth.initialize();
    },
    { SUPABASE, KEY, s, options },
  );

/** `auth.signOut()`'s outcome: 'ok', or the error's code and message. */
const signOut = (p) => p.evaluate(() => auth.signOut().then(() => 'ok', (e) => ({ code: e.code, message: e.message })));

test('a sign-out whose localStorage cannot remove the session rejects with storage_unavailable, without SIGNED_OUT', async () => {
  const p = await page();
  await signedIn(p, session('rt-1'));
  await p.evaluate(() => {
    window.remove = Storage.prototype.removeItem;
    Storage.prototype.removeItem = () => {
      throw new DOMException('denied', 'SecurityError');
    };
  });
  const out = await signOut(p);
  assert.equal(out.code, 'storage_unavailable');
  assert.match(out.message, /session could not be removed/);
  const after = await p.evaluate(async (KEY) => {
    Storage.prototype.removeItem = window.remove;
    return { events, stored: JSON.parse(localStorage.getItem(KEY))?.refresh_token };
  }, KEY);
  // What the next page reads is still there, and the app was not told otherwise.
  assert.deepEqual(after, { events: ['INITIAL_SESSION'], stored: 'rt-1' });
  // Once storage works again, the sign-out does.
  assert.equal(await signOut(p), 'ok');
  assert.deepEqual(await p.evaluate((KEY) => [events, localStorage.getItem(KEY)], KEY), [['INITIAL_SESSION', 'SIGNED_OUT'], null]);
});

test('a sign-out through a custom storage that keeps the session (failing or silently) rejects; read back, never assumed', async () => {
  for (const remove of ['reject', 'ignore']) {
    const p = await page();
    const out = await p.evaluate(
      async ({ SUPABASE, KEY, s, remove }) => {
        const m = new Map([[KEY, JSON.stringify(s)]]);
        const storage = {
          getItem: async (k) => m.get(k) ?? null,
          setItem: async (k, v) => void m.set(k, v),
          removeItem: async (k) => {
            if (remove === 'reject') throw new Error('offline');
            if (remove !== 'ignore') m.delete(k);
          },
        };
        const { createClient } = await import('/pkg/index.js');
        const auth = createClient(SUPABASE, 'anon-key', { storage, autoRefreshToken: false });
        const events = [];
        auth.onAuthStateChange((e) => events.push(e));
        await auth.initialize();
        const code = await auth.signOut().then(() => 'ok', (e) => e.code);
        // The next page, on the same storage.
        const next = createClient(SUPABASE, 'anon-key', { storage, autoRefreshToken: false });
        return { code, events, next: (await next.getSession())?.refresh_token ?? null };
      },
      { SUPABASE, KEY, s: session('rt-1'), remove },
    );
    assert.deepEqual(out, { code: 'storage_unavailable', events: ['INITIAL_SESSION'], next: 'rt-1' }, remove);
  }
});

test('a sign-out removes the session from a storage the chain has dropped', async () => {
  // localStorage holds the session, then refuses a write (full): the refreshed session goes to
  // sessionStorage. The copy left in localStorage is what the next page would read first.
  const p = await page();
  await signedIn(p, session('rt-1'));
  const out = await p.evaluate(async (KEY) => {
    const set = Storage.prototype.setItem;
    Storage.prototype.setItem = function (k, v) {
      if (this === localStorage) throw new DOMException('full', 'QuotaExceededError');
      return set.call(this, k, v);
    };
    const refreshed = (await auth.refreshSession()).refresh_token;
    const before = [localStorage.getItem(KEY) !== null, sessionStorage.getItem(KEY) !== null];
    const code = await auth.signOut().then(() => 'ok', (e) => e.code);
    return { refreshed, before, code, events, after: [localStorage.getItem(KEY), sessionStorage.getItem(KEY)] };
  }, KEY);
  assert.deepEqual(out, {
    refreshed: 'rt-2',
    before: [true, true],
    code: 'ok',
    events: ['INITIAL_SESSION', 'TOKEN_REFRESHED', 'SIGNED_OUT'],
    after: [null, null],
  });
});

test('getUser stores only the user of the session: anything else is invalid_token_response, stored nowhere', async () => {
  const answers = [
    { body: 'null' },
    { body: {} },
    { body: [] },
    { body: '"x"' },
    { status: 204 },
    // Another user's answer, as a cache that ignores Authorization gives it.
    { body: user('u2') },
    { body: { user: user('u2') } },
  ];
  const queue = [...answers];
  const p = await page({ userAnswer: () => queue.shift() });
  await signedIn(p, session('rt-1'));
  for (const answer of answers) {
    const out = await p.evaluate(async (KEY) => {
      const code = await auth.getUser().then(() => 'ok', (e) => e.code);
      return { code, events: [...events], user: JSON.parse(localStorage.getItem(KEY)).user.id };
    }, KEY);
    assert.deepEqual(out, { code: 'invalid_token_response', events: ['INITIAL_SESSION'], user: 'u1' }, JSON.stringify(answer));
  }
  assert.equal(p.seen.user.length, answers.length);
});

test('getUser takes a wrapped answer of the same user, and stores the user unwrapped', async () => {
  const changed = { ...user(), email: 'new@example.com' };
  const p = await page({ userAnswer: () => ({ body: { user: changed } }) });
  await signedIn(p, session('rt-1'));
  const out = await p.evaluate(async (KEY) => {
    const got = await auth.getUser();
    return { got, events, stored: JSON.parse(localStorage.getItem(KEY)).user };
  }, KEY);
  assert.deepEqual(out, { got: changed, events: ['INITIAL_SESSION', 'USER_UPDATED'], stored: changed });
});

test('a storage that never answers delays init by a bounded wait, then falls back with a warning', async () => {
  const p = await page();
  const out = await p.evaluate(async (SUPABASE) => {
    const storage = { getItem: () => new Promise(() => {}), setItem: () => new Promise(() => {}), removeItem: () => new Promise(() => {}) };
    const { createClient } = await import('/pkg/index.js');
    const auth = createClient(SUPABASE, 'anon-key', { storage, autoRefreshToken: false });
    const timeout = (ms) => new Promise((r) => setTimeout(() => r('hung'), ms));
    const start = performance.now();
    const init = await Promise.race([auth.initialize().then(() => 'done'), timeout(12000)]);
    const session = await Promise.race([auth.getSession(), timeout(2000)]);
    return { init, session, ms: performance.now() - start };
  }, SUPABASE);
  assert.equal(out.init, 'done');
  assert.equal(out.session, null);
  assert.ok(out.ms < 11000, `${out.ms} ms`);
  assert.ok(p.logs.some((l) => /the custom storage is unavailable; the session is kept in memory instead/.test(l)), p.logs.join('\n'));
});

test("a page under Referrer-Policy: unsafe-url sends no Referer with the callback's code exchange", async () => {
  const server = await startServer({ headers: { 'referrer-policy': 'unsafe-url' } });
  try {
    const p = await page({ server, suffix: '?code=auth-code-1', tokenAnswer: () => ({ body: session('rt-2') }) });
    const out = await p.evaluate(
      async ({ SUPABASE, KEY }) => {
        localStorage.setItem(`${KEY}-code-verifier`, JSON.stringify('ab'.repeat(56)));
        // The page's own request: what the policy sends without the package's own.
        await fetch(`${SUPABASE}/probe`);
        const { createClient } = await import('/pkg/index.js');
        const auth = createClient(SUPABASE, 'anon-key', { autoRefreshToken: false });
        const { error } = await auth.initialize();
        return { error, rt: (await auth.getSession())?.refresh_token };
      },
      { SUPABASE, KEY },
    );
    assert.deepEqual(out, { error: null, rt: 'rt-2' });
    assert.match(p.seen.probe[0].headers.referer, /\?code=auth-code-1$/, 'the page policy sends the full URL');
    assert.equal(p.seen.token.length, 1);
    assert.equal(p.seen.token[0].headers.referer, undefined);
  } finally {
    await server.close();
  }
});

test('createClient refuses an anon key with a line break (invalid_options)', async () => {
  const p = await page();
  const codes = await p.evaluate(async (SUPABASE) => {
    const { createClient } = await import('/pkg/index.js');
    return ['anon\r\nx-evil: 1', 'anon\n', 'anon\r'].map((key) => {
      try {
        createClient(SUPABASE, key);
        return 'accepted';
      } catch (e) {
        return e.code;
      }
    });
  }, SUPABASE);
  assert.deepEqual(codes, ['invalid_options', 'invalid_options', 'invalid_options']);
});

test('a blank selector is none (missing_selector), and scopes given twice are refused (invalid_options); nothing stored', async () => {
  const p = await page();
  const out = await p.evaluate(
    async ({ SUPABASE, KEY }) => {
      const { createClient } = await import('/pkg/index.js');
      const auth = createClient(SUPABASE, 'anon-key', { autoRefreshToken: false });
      await auth.initialize();
      const tries = [
        { connection: '  ' },
        { organization: '\t' },
        { connection: 'conn_1', scopes: 'openid', queryParams: { scopes: 'email' } },
      ];
      const codes = [];
      for (const options of tries) {
        codes.push(await auth.signInWithWorkOS({ ...options, skipBrowserRedirect: true }).then(() => 'accepted', (e) => e.code));
      }
      return { codes, stored: localStorage.getItem(`${KEY}-code-verifier`) };
    },
    { SUPABASE, KEY },
  );
  assert.deepEqual(out, { codes: ['missing_selector', 'missing_selector', 'invalid_options'], stored: null });
});

test('a verifier planted with a /recovery suffix finishes as SIGNED_IN, never PASSWORD_RECOVERY', async () => {
  const p = await page({ suffix: '?code=auth-code-1' });
  const events = await p.evaluate(
    async ({ SUPABASE, KEY }) => {
      localStorage.setItem(`${KEY}-code-verifier`, JSON.stringify(`${'ab'.repeat(56)}/recovery`));
      const { createClient } = await import('/pkg/index.js');
      const auth = createClient(SUPABASE, 'anon-key', { autoRefreshToken: false });
      const events = [];
      auth.onAuthStateChange((e) => events.push(e));
      await auth.initialize();
      await new Promise((r) => setTimeout(r, 50));
      return events;
    },
    { SUPABASE, KEY },
  );
  assert.deepEqual(events, ['INITIAL_SESSION', 'SIGNED_IN']);
  assert.deepEqual(JSON.parse(p.seen.token[0].body).code_verifier, 'ab'.repeat(56));
});

test('a device clock two days fast makes one refresh per token', async () => {
  // 20 s tokens, renewed 5 s before they expire: in 6 s, one refresh of the session the page
  // finds due (by the device clock), and none of the one it got. A skew correction that stops
  // short of the clock's error sees every new token as expired, and refreshes again at once.
  const now = () => Math.floor(Date.now() / 1000);
  const fresh = (rt) => ({ ...session(rt, { exp: now() + 20, iat: now() }), expires_in: 20 });
  const p = await page({
    tokenAnswer: () => ({ body: fresh('rt-2') }),
    init: () => {
      const real = Date.now;
      Date.now = () => real() + 2 * 86400e3;
    },
  });
  await signedIn(p, fresh('rt-1'), { autoRefreshToken: true });
  await p.waitForTimeout(6000);
  const out = await p.evaluate((KEY) => ({ events, rt: JSON.parse(localStorage.getItem(KEY)).refresh_token }), KEY);
  assert.equal(p.seen.token.length, 1, `${p.seen.token.length} refreshes`);
  assert.deepEqual(out, { events: ['INITIAL_SESSION', 'TOKEN_REFRESHED'], rt: 'rt-2' });
});
