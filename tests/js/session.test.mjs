// The session between tabs, on one page: messages another tab's client would send, a sign-out
// that a message crosses, subscribers that throw, and browsers without AbortSignal.timeout.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serverAndBrowser, scriptEndpoint, jwt, FAR } from './harness.mjs';

const SUPABASE = 'https://abcd.supabase.co';
const KEY = 'sb-abcd-auth-token';
const env = serverAndBrowser();

const session = (rt, exp = FAR) => ({
  access_token: jwt({ sub: 'u1', exp, role: 'authenticated' }),
  token_type: 'bearer',
  expires_in: 3600,
  expires_at: exp,
  refresh_token: rt,
  user: { id: 'u1', aud: 'authenticated', email: 'ada@example.com' },
});

/** A page of the origin with `/logout` and `/token?grant_type=refresh_token` scripted. */
async function page({ refresh = () => ({ body: session('rt-2') }) } = {}) {
  const context = await env.browser.newContext();
  const p = await context.newPage();
  p.errors = [];
  p.on('pageerror', (e) => p.errors.push(String(e)));
  p.on('console', (m) => m.type() === 'error' && p.errors.push(m.text()));
  p.seen = {
    logout: await scriptEndpoint(p, `${SUPABASE}/auth/v1/logout*`, () => ({ status: 204 })),
    refresh: await scriptEndpoint(p, `${SUPABASE}/auth/v1/token?grant_type=refresh_token`, refresh),
  };
  await p.goto(`${env.server.url}/tests/js/pages/blank.html`);
  await p.evaluate(() => {
    window.unhandled = [];
    addEventListener('unhandledrejection', (e) => window.unhandled.push(String(e.reason)));
  });
  return p;
}

/** Stores `s`, then creates the client as `window.auth`, its events in `window.events`. */
const signedIn = (p, s) =>
  p.evaluate(
    async ({ SUPABASE, KEY, s }) => {
      localStorage.setItem(KEY, JSON.stringify(s));
      const { createClient } = await import('/pkg/index.js');
      window.auth = createClient(SUPABASE, 'anon-key', { autoRefreshToken: false });
      window.events = [];
      auth.onAuthStateChange((e) => events.push(e));
      await auth.initialize();
    },
    { SUPABASE, KEY, s },
  );

test('a sign-out stays signed out when a message of a refresh crosses it', async () => {
  const p = await page();
  await signedIn(p, session('rt-1'));
  const out = await p.evaluate(
    async ({ KEY, s }) => {
      await auth.signOut();
      // What another tab whose refresh answered just before the sign-out would send.
      new BroadcastChannel(`supabase-workos:${KEY}`).postMessage({ event: 'TOKEN_REFRESHED', session: { ...s, refresh_token: 'rt-2' } });
      await new Promise((r) => setTimeout(r, 300));
      return { events, stored: localStorage.getItem(KEY), session: await auth.getSession() };
    },
    { KEY, s: session('rt-1') },
  );
  assert.deepEqual(out, { events: ['INITIAL_SESSION', 'SIGNED_OUT'], stored: null, session: null });
});

test('the end of a session is said once, however many tabs announce it', async () => {
  const p = await page();
  await signedIn(p, session('rt-1'));
  const out = await p.evaluate(
    async ({ KEY, s }) => {
      const channel = new BroadcastChannel(`supabase-workos:${KEY}`);
      localStorage.removeItem(KEY);
      channel.postMessage({ event: 'SIGNED_OUT' });
      channel.postMessage({ event: 'SIGNED_OUT' });
      await new Promise((r) => setTimeout(r, 300));
      // A new sign-in, then its end: said again.
      localStorage.setItem(KEY, JSON.stringify(s));
      channel.postMessage({ event: 'SIGNED_IN', session: s });
      await new Promise((r) => setTimeout(r, 300));
      localStorage.removeItem(KEY);
      channel.postMessage({ event: 'SIGNED_OUT' });
      await new Promise((r) => setTimeout(r, 300));
      return events;
    },
    { KEY, s: session('rt-1') },
  );
  assert.deepEqual(out, ['INITIAL_SESSION', 'SIGNED_OUT', 'SIGNED_IN', 'SIGNED_OUT']);
});

test('a subscriber that throws on INITIAL_SESSION after init leaves no unhandled rejection', async () => {
  const p = await page();
  const out = await p.evaluate(async (SUPABASE) => {
    const { createClient } = await import('/pkg/index.js');
    const auth = createClient(SUPABASE, 'anon-key', { autoRefreshToken: false });
    await auth.initialize();
    const seen = [];
    auth.onAuthStateChange(() => {
      throw new Error('subscriber bug');
    });
    auth.onAuthStateChange((e) => seen.push(e));
    await new Promise((r) => setTimeout(r, 200));
    return { seen, unhandled: window.unhandled };
  }, SUPABASE);
  assert.deepEqual(out, { seen: ['INITIAL_SESSION'], unhandled: [] });
});

test('without AbortSignal.timeout a refresh still takes the lock across tabs', async () => {
  let release;
  const answered = new Promise((r) => (release = r));
  const p = await page({ refresh: async () => (await answered, { body: session('rt-2') }) });
  const during = p.evaluate(
    async ({ SUPABASE, KEY, s }) => {
      delete AbortSignal.timeout;
      localStorage.setItem(KEY, JSON.stringify(s));
      const { createClient } = await import('/pkg/index.js');
      window.auth = createClient(SUPABASE, 'anon-key', { autoRefreshToken: false, detectSessionInUrl: false });
      await auth.initialize();
      window.refreshed = auth.refreshSession();
      await new Promise((r) => setTimeout(r, 100));
      return (await navigator.locks.query()).held.map((l) => l.name);
    },
    { SUPABASE, KEY, s: session('rt-1') },
  );
  const held = await during;
  release();
  const rt = await p.evaluate(() => window.refreshed.then((s) => s.refresh_token));
  assert.ok(held.includes(`supabase-workos-refresh:${KEY}`), `held: ${held}`);
  assert.equal(rt, 'rt-2');
  assert.equal(p.seen.refresh.length, 1);
});

test('where the lock manager refuses (an opaque origin), sign-out and refresh run without the lock', async () => {
  const p = await page();
  await p.evaluate(() => {
    navigator.locks.request = () => Promise.reject(new DOMException('opaque origin', 'SecurityError'));
  });
  await signedIn(p, session('rt-1'));
  const out = await p.evaluate(async (KEY) => {
    const refreshed = (await auth.refreshSession()).refresh_token;
    const signedOut = await auth.signOut().then(() => 'ok', (e) => e.name);
    return { refreshed, signedOut, events, stored: localStorage.getItem(KEY) };
  }, KEY);
  assert.deepEqual(out, { refreshed: 'rt-2', signedOut: 'ok', events: ['INITIAL_SESSION', 'TOKEN_REFRESHED', 'SIGNED_OUT'], stored: null });
});

/** A session of the user `id`. */
const of = (id, rt, exp = FAR) => ({
  ...session(rt, exp),
  access_token: jwt({ sub: id, exp, role: 'authenticated' }),
  user: { id, aud: 'authenticated', email: `${id}@example.com` },
});

/** Creates the client on storage of the tab's own (sessionStorage) holding `s`. */
const ownSignedIn = (p, s) =>
  p.evaluate(
    async ({ SUPABASE, KEY, s }) => {
      sessionStorage.setItem(KEY, JSON.stringify(s));
      const { createClient } = await import('/pkg/index.js');
      window.auth = createClient(SUPABASE, 'anon-key', { storage: 'session', autoRefreshToken: false });
      window.events = [];
      auth.onAuthStateChange((e) => events.push(e));
      await auth.initialize();
      window.other = new BroadcastChannel(`supabase-workos:${KEY}`);
      window.said = (message) => (other.postMessage(message), new Promise((r) => setTimeout(r, 300)));
      window.rt = () => JSON.parse(sessionStorage.getItem(KEY))?.refresh_token ?? null;
    },
    { SUPABASE, KEY, s },
  );

test('a tab with storage of its own keeps its user when other tabs speak of another one', async () => {
  // Two tabs on sessionStorage may hold two users: a sign-in, refresh or sign-out of the other
  // user is not this tab's; one of its own user's is.
  const p = await page();
  await ownSignedIn(p, of('u1', 'rt-1', FAR - 100));
  const out = await p.evaluate(
    async ({ mine, theirs, theirsOut }) => {
      const steps = [];
      await said({ event: 'SIGNED_IN', session: theirs });
      await said({ event: 'TOKEN_REFRESHED', session: theirs });
      await said(theirsOut);
      steps.push(rt());
      await said({ event: 'TOKEN_REFRESHED', session: mine });
      steps.push(rt());
      await said({ event: 'SIGNED_OUT', user: 'u1' });
      steps.push(rt());
      return { steps, events };
    },
    { mine: of('u1', 'rt-2'), theirs: of('u2', 'rt-9'), theirsOut: { event: 'SIGNED_OUT', user: 'u2' } },
  );
  assert.deepEqual(out, { steps: ['rt-1', 'rt-2', null], events: ['INITIAL_SESSION', 'TOKEN_REFRESHED', 'SIGNED_OUT'] });
});

test('before it spends its refresh token, a tab with storage of its own takes only a session of its own user', async () => {
  const p = await page();
  await ownSignedIn(p, of('u1', 'rt-1', FAR - 100));
  const out = await p.evaluate(
    async ({ theirs }) => {
      // Another tab, of another user, answers the question.
      other.onmessage = ({ data }) => data.event === 'ASK' && other.postMessage({ event: 'SESSION', session: theirs });
      const refreshed = await auth.refreshSession();
      const seen = [];
      other.onmessage = ({ data }) => seen.push(data);
      await auth.signOut();
      await new Promise((r) => setTimeout(r, 100));
      return { refreshed: refreshed.refresh_token, stored: rt(), announced: seen.filter((m) => m.event === 'SIGNED_OUT').map((m) => m.user) };
    },
    { theirs: of('u2', 'rt-9') },
  );
  assert.equal(p.seen.refresh.length, 1);
  assert.deepEqual(JSON.parse(p.seen.refresh[0].body), { refresh_token: 'rt-1' });
  // The sign-out says whose session ended.
  assert.deepEqual(out, { refreshed: 'rt-2', stored: null, announced: ['u1'] });
});

test('null options are no options, as supabase-js takes them', async () => {
  const p = await page();
  const out = await p.evaluate(
    async ({ SUPABASE, KEY, s }) => {
      localStorage.setItem(KEY, JSON.stringify(s));
      const { createClient } = await import('/pkg/index.js');
      const auth = createClient(SUPABASE, 'anon-key', null);
      await auth.initialize();
      const before = (await auth.getSession()).refresh_token;
      await auth.signOut(null);
      return { flowType: auth.flowType, storageKey: auth.storageKey, before, after: await auth.getSession() };
    },
    { SUPABASE, KEY, s: session('rt-1') },
  );
  assert.deepEqual(out, { flowType: 'pkce', storageKey: KEY, before: 'rt-1', after: null });
  assert.equal(p.seen.logout.length, 1);
});

test("an OAuth-style error body keeps the server's error and description", async () => {
  const p = await page({ refresh: () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'Invalid Refresh Token: Already Used' } }) });
  await signedIn(p, session('rt-1'));
  const e = await p.evaluate(() =>
    auth.refreshSession().then(
      () => null,
      (e) => ({ name: e.name, status: e.status, error: e.error, error_description: e.error_description, message: e.message }),
    ),
  );
  assert.deepEqual(e, {
    name: 'AuthApiError',
    status: 400,
    error: 'invalid_grant',
    error_description: 'Invalid Refresh Token: Already Used',
    message: 'Invalid Refresh Token: Already Used',
  });
});

test('a sign-out that does not say whose (a storage event, an older tab) still ends a tab\'s own session; one of nobody does not', async () => {
  const p = await page();
  await ownSignedIn(p, of('u1', 'rt-1'));
  const out = await p.evaluate(async () => {
    await said({ event: 'SIGNED_OUT', user: null });
    const kept = rt();
    await said({ event: 'SIGNED_OUT' });
    return { kept, after: rt(), events };
  });
  assert.deepEqual(out, { kept: 'rt-1', after: null, events: ['INITIAL_SESSION', 'SIGNED_OUT'] });
});
