// End to end: the Rust API (the Leptos example), the npm package (the demo page and the script
// build's test tab) and unmodified supabase-js on ONE origin, so that they share localStorage
// and the default storage key of the emulator's URL. A session stored by any one is read by the
// others; a PKCE sign-in started by one is finished by another; and two Rust tabs and a JS tab
// share one session across five token expiries with exactly one refresh per expiry.
//
// The site: the Leptos app at `/` (its callback route is `/callback`), the demo page and the test
// tab (tests/e2e/fixtures) at `/js/`, and supabase-js's page and an observer
// (tests/e2e/interop-pages) at `/sb/`, all served by the emulator under the demo's strict CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSP, ROOT, prepareSite, startEmulator, writeConfig } from '../../scripts/lib/emulator.mjs';
import { prepareLeptosSite } from '../../scripts/lib/leptos.mjs';
import { launchBrowser } from '../js/harness.mjs';

const KEY = 'sb-127-auth-token';
const CONNECTION = 'conn_emulator_okta';
const SUPABASE_JS = join(ROOT, 'node_modules/@supabase/supabase-js/dist/umd/supabase.js');
const skip = existsSync(join(ROOT, 'pkg/dist/supabase-workos.js')) ? false : 'pkg/ is missing: scripts/build builds it (scripts/test runs it first)';
/** The tabs test's access-token lifetime: refreshed 5 s ahead (the least margin), so every ~5 s. */
const TTL = 10;
const EXPIRIES = 5;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Lays out the one-origin site in a temporary directory and starts an emulator serving it. */
async function startSite(args = []) {
  const dir = prepareLeptosSite(mkdtempSync(join(tmpdir(), 'sbw-interop-')));
  const js = prepareSite(join(dir, 'js'));
  for (const f of readdirSync(join(ROOT, 'tests/e2e/fixtures'))) copyFileSync(join(ROOT, 'tests/e2e/fixtures', f), join(js, f));
  const sb = join(dir, 'sb');
  mkdirSync(sb);
  for (const f of readdirSync(join(ROOT, 'tests/e2e/interop-pages'))) copyFileSync(join(ROOT, 'tests/e2e/interop-pages', f), join(sb, f));
  copyFileSync(SUPABASE_JS, join(sb, 'supabase.js'));
  const emulator = await startEmulator([
    '--port', '0',
    '--serve', dir,
    '--app-port', '0',
    '--app-header', `Content-Security-Policy: ${CSP}`,
    ...args,
  ]);
  for (const d of [dir, js, sb]) writeConfig(d, { supabaseUrl: emulator.authUrl, anonKey: emulator.anonKey });
  return emulator;
}

let emulator;
let browser;
let app;

before(async () => {
  if (skip) return;
  emulator = await startSite();
  app = emulator.appUrl;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await emulator?.stop();
});

/**
 * A page in `context` that records its console, and, in a Leptos page, each state the app shows
 * (`in|<event>|<expires_at>`, `out`, `loading`) in `window.shown`.
 */
async function newPage(context) {
  const page = await context.newPage();
  page.logs = [];
  page.on('console', (m) => page.logs.push(m.text()));
  page.on('pageerror', (e) => page.logs.push(String(e)));
  await page.addInitScript(() => {
    window.shown = [];
    const record = () => {
      const signedIn = document.querySelector('#signed-in');
      const state = signedIn
        ? `in|${document.querySelector('#event')?.textContent}|${document.querySelector('#expires')?.dataset.unix}`
        : document.querySelector('#signed-out') ? 'out' : 'loading';
      if (window.shown[window.shown.length - 1] !== state) window.shown.push(state);
    };
    new MutationObserver(record).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  });
  return page;
}

/** Opens the Leptos app at `/` and waits until it shows whether someone is signed in. */
async function openRust(page) {
  await page.goto(`${app}/`);
  await page.locator('#signed-in, #signed-out').first().waitFor();
}

/** On the emulated WorkOS page: signs `email` in. */
async function pickUser(page, email) {
  await page.waitForURL(/\/sso\/authorize\?/);
  await page.click(`button[data-user-email="${email}"]`);
}

const stored = async (page) => JSON.parse(await page.evaluate((k) => localStorage.getItem(k), KEY));
const storageKeys = (page) => page.evaluate(() => Object.keys(localStorage).sort());
/** What every client must agree on about a session. */
const essence = (s) => s && { access_token: s.access_token, refresh_token: s.refresh_token, expires_at: s.expires_at, user: s.user.id, email: s.user.email };

/** The Leptos app shows `session` as signed in, read from storage (INITIAL_SESSION) or just finished (SIGNED_IN). */
async function assertRustShows(page, session, event) {
  await page.locator('#signed-in').waitFor();
  assert.equal(await page.textContent('#email'), session.user.email);
  assert.equal(await page.textContent('#user-id'), session.user.id);
  assert.equal(await page.getAttribute('#expires', 'data-unix'), String(session.expires_at));
  assert.equal(await page.textContent('#event'), event);
  assert.deepEqual(page.logs.filter((l) => /Refused|Content Security Policy|panicked|error/i.test(l)), [], 'no CSP violation, panic or error');
}

/** The npm package's test tab (the script build) at `/js/tab.html`, initialised. */
async function openJsTab(page) {
  await page.goto(`${app}/js/tab.html`);
  await page.evaluate(() => window.initialized);
}

/** supabase-js's page at `/sb/`, initialised; `detect` lets it finish a callback. */
async function openSupabaseJs(page, { detect = false } = {}) {
  await page.goto(`${app}/sb/supabase-js.html${detect ? '?detect=1' : ''}`);
  await page.evaluate(() => window.initialized);
}

async function userFromServer(accessToken) {
  const res = await fetch(`${emulator.authUrl}/auth/v1/user`, {
    headers: { apikey: emulator.anonKey, authorization: `Bearer ${accessToken}` },
  });
  return res.status === 200 ? res.json() : null;
}

/** The refresh grants the emulator has answered so far. */
const refreshGrants = async (em = emulator) => (await em.control('stats')).grants.refresh_token ?? 0;

test('a session the Rust app stored is read by the npm package (demo page, script build) and by supabase-js', { skip }, async () => {
  const context = await browser.newContext();
  const rust = await newPage(context);
  await openRust(rust);
  await rust.click('#signin-connection');
  await pickUser(rust, 'ada@example.com');
  await rust.locator('#signed-in').waitFor();
  const session = await stored(rust);
  assert.equal(session.user.email, 'ada@example.com');
  await assertRustShows(rust, session, 'SIGNED_IN');
  const grants = await refreshGrants();

  const demo = await newPage(context);
  await demo.goto(`${app}/js/`);
  await demo.locator('#signed-in').waitFor({ state: 'visible' });
  assert.equal(await demo.textContent('#email'), 'ada@example.com');
  assert.equal(await demo.textContent('#user-id'), session.user.id);
  assert.equal(await demo.textContent('#event'), 'INITIAL_SESSION');

  const js = await newPage(context);
  await openJsTab(js);
  assert.deepEqual(essence(await js.evaluate(() => auth.getSession())), essence(session), 'the npm package reads the same session');

  const sb = await newPage(context);
  await openSupabaseJs(sb);
  const read = await sb.evaluate(() => sb.auth.getSession().then(({ data, error }) => ({ session: data.session, error: error && error.message })));
  assert.equal(read.error, null);
  assert.deepEqual(essence(read.session), essence(session), 'supabase-js reads the same session');
  const user = await sb.evaluate(() => sb.auth.getUser().then(({ data }) => data.user && data.user.email));
  assert.equal(user, 'ada@example.com', "supabase-js's getUser with the Rust app's access token");

  assert.deepEqual(essence(await stored(rust)), essence(session), 'nobody rewrote the session');
  assert.equal(await refreshGrants(), grants, 'and nobody refreshed it');
  await context.close();
});

test('a session the npm package stored (a click on the demo page) is read by the Rust app', { skip }, async () => {
  const context = await browser.newContext();
  const demo = await newPage(context);
  await demo.goto(`${app}/js/`);
  await demo.locator('#signed-out').waitFor({ state: 'visible' });
  await demo.click('#signin-organization');
  await pickUser(demo, 'grace@example.com');
  await demo.locator('#signed-in').waitFor({ state: 'visible' });
  assert.equal(await demo.textContent('#event'), 'SIGNED_IN');
  const session = await stored(demo);
  assert.equal(session.user.email, 'grace@example.com');

  const rust = await newPage(context);
  await openRust(rust);
  await assertRustShows(rust, session, 'INITIAL_SESSION');
  assert.equal(await rust.textContent('#organization-id'), 'org_emulator_acme');
  assert.deepEqual(essence(await stored(rust)), essence(session), 'read, not rewritten');
  await context.close();
});

test('a session supabase-js stored (its own PKCE sign-in) is read by the Rust app', { skip }, async () => {
  const context = await browser.newContext();
  const sb = await newPage(context);
  await openSupabaseJs(sb, { detect: true });
  await sb.evaluate((connection) => {
    // Navigates: nothing to wait for here.
    sb.auth.signInWithOAuth({
      provider: 'workos',
      options: { redirectTo: `${location.origin}/sb/supabase-js.html?detect=1`, queryParams: { connection } },
    });
  }, CONNECTION);
  await pickUser(sb, 'grace@example.com');
  await sb.waitForURL(`${app}/sb/**`);
  await sb.evaluate(() => window.initialized);
  await sb.locator('#state', { hasText: 'signed-in' }).waitFor();
  const session = await stored(sb);
  assert.equal(session.user.email, 'grace@example.com');

  const rust = await newPage(context);
  await openRust(rust);
  await assertRustShows(rust, session, 'INITIAL_SESSION');
  assert.deepEqual(essence(await stored(rust)), essence(session), 'read, not rewritten');
  assert.equal((await userFromServer(session.access_token))?.email, 'grace@example.com');
  await context.close();
});

test("a PKCE sign-in the npm package started (skipBrowserRedirect) is finished on the Rust app's callback route", { skip }, async () => {
  const context = await browser.newContext();
  const js = await newPage(context);
  await openJsTab(js);
  const { url } = await js.evaluate(
    (connection) => auth.signInWithWorkOS({ connection, redirectTo: `${location.origin}/callback`, skipBrowserRedirect: true }),
    CONNECTION,
  );
  const authorize = new URL(url);
  assert.equal(authorize.searchParams.get('redirect_to'), `${app}/callback`);
  assert.ok(authorize.searchParams.get('code_challenge'));
  assert.deepEqual((await storageKeys(js)).filter((k) => k.includes('verifier')), [`${KEY}-code-verifier`], "the npm package's verifier slot");

  const rust = await newPage(context);
  await rust.goto(url);
  await pickUser(rust, 'ada@example.com');
  await rust.waitForURL(`${app}/`);
  const session = await stored(rust);
  assert.equal(session.user.email, 'ada@example.com');
  await assertRustShows(rust, session, 'SIGNED_IN');
  assert.deepEqual((await storageKeys(rust)).filter((k) => /verifier|pending/.test(k)), [], 'the verifier is used up');
  // The npm package's tab hears of the sign-in and shows it.
  await js.waitForFunction(() => window.events.some((e) => e.event === 'SIGNED_IN'));
  assert.deepEqual(essence(await js.evaluate(() => auth.getSession())), essence(session));
  await context.close();
});

test('a PKCE sign-in the Rust app started (a click) is finished by the npm package on its page', { skip }, async () => {
  const context = await browser.newContext();
  const rust = await newPage(context);
  await openRust(rust);
  // The Rust app's sign-in, with the npm package's demo page as its callback: its redirect_to
  // (the app's /callback) is pointed there as the browser leaves for Supabase Auth. The Playwright
  // route sees only this first request of the redirect chain, not the redirects after it.
  let sent;
  await rust.route(`${emulator.authUrl}/auth/v1/authorize*`, (route) => {
    sent = new URL(route.request().url());
    const to = new URL(sent);
    to.searchParams.set('redirect_to', `${app}/js/`);
    return route.fulfill({ status: 302, headers: { location: to.href } });
  });
  await rust.click('#signin-connection');
  await rust.waitForURL(/\/sso\/authorize\?/);
  // The WorkOS page is another origin: the app's storage is read from a page of the app's.
  const peek = await newPage(context);
  await peek.goto(`${app}/sb/observer.html`);
  assert.deepEqual((await storageKeys(peek)).filter((k) => k.includes('verifier')), [`${KEY}-code-verifier`], "the Rust API's verifier slot");
  assert.equal(sent.searchParams.get('redirect_to'), `${app}/callback`);
  assert.ok(sent.searchParams.get('code_challenge'));
  await rust.click('button[data-user-email="grace@example.com"]');
  await rust.waitForURL(`${app}/js/**`);
  await rust.locator('#signed-in').waitFor({ state: 'visible' });
  assert.equal(await rust.textContent('#email'), 'grace@example.com');
  assert.equal(await rust.textContent('#event'), 'SIGNED_IN');
  assert.equal(rust.url(), `${app}/js/`, 'the address bar is clean');
  const session = await stored(rust);
  assert.equal(session.user.email, 'grace@example.com');
  assert.deepEqual((await storageKeys(rust)).filter((k) => /verifier|pending/.test(k)), [], 'the verifier is used up');

  const back = await newPage(context);
  await openRust(back);
  await assertRustShows(back, session, 'INITIAL_SESSION');
  await context.close();
});

test("a PKCE sign-in supabase-js started (signInWithOAuth) is finished on the Rust app's callback route", { skip }, async () => {
  const context = await browser.newContext();
  const sb = await newPage(context);
  await openSupabaseJs(sb);
  const started = await sb.evaluate(
    (connection) =>
      sb.auth
        .signInWithOAuth({
          provider: 'workos',
          options: { redirectTo: `${location.origin}/callback`, queryParams: { connection }, skipBrowserRedirect: true },
        })
        .then(({ data, error }) => ({ url: data.url, error: error && error.message })),
    CONNECTION,
  );
  assert.equal(started.error, null);
  const authorize = new URL(started.url);
  assert.equal(authorize.searchParams.get('provider'), 'workos');
  assert.equal(authorize.searchParams.get('connection'), CONNECTION);
  assert.ok(authorize.searchParams.get('code_challenge'));
  const verifiers = (await storageKeys(sb)).filter((k) => k.includes('verifier'));
  assert.ok(verifiers.length > 0, "supabase-js stored its verifier");

  const rust = await newPage(context);
  await rust.goto(started.url);
  await pickUser(rust, 'ada@example.com');
  await rust.waitForURL(`${app}/`);
  const session = await stored(rust);
  assert.equal(session.user.email, 'ada@example.com');
  await assertRustShows(rust, session, 'SIGNED_IN');
  assert.deepEqual((await storageKeys(rust)).filter((k) => /verifier|pending/.test(k)), [], `supabase-js's verifier (${verifiers}) is used up`);

  // And supabase-js reads what the Rust app stored.
  const read = await sb.evaluate(() => sb.auth.getSession().then(({ data }) => data.session));
  assert.deepEqual(essence(read), essence(session));
  await context.close();
});

test(`two Rust tabs and a JS tab share a session across ${EXPIRIES} expiries: one refresh per expiry, nobody signed out`, { skip, timeout: 90_000 }, async () => {
  const tabsEmulator = await startSite(['--jwt-exp', String(TTL), '--auto-sign-in']);
  const site = tabsEmulator.appUrl;
  const context = await browser.newContext();
  try {
    // The observer runs no client; it hears every message the tabs send each other. The second
    // Rust tab and the JS tab are open before the sign-in, and hear of it.
    const observer = await context.newPage();
    await observer.goto(`${site}/sb/observer.html`);
    const rust = [await newPage(context), await newPage(context)];
    const js = await newPage(context);
    await rust[1].goto(`${site}/`);
    await rust[1].locator('#signed-out').waitFor();
    await js.goto(`${site}/js/tab.html`);
    await js.evaluate(() => window.initialized);
    // Who sent each refresh, for the log.
    const senders = [];
    for (const [name, page] of [['rust 1', rust[0]], ['rust 2', rust[1]], ['js', js]]) {
      page.on('request', (r) => r.url().includes('grant_type=refresh_token') && r.method() === 'POST' && senders.push(name));
    }
    await rust[0].goto(`${site}/`);
    await rust[0].click('#signin-connection');
    await rust[0].waitForURL(`${site}/`);
    await rust[0].locator('#signed-in').waitFor();
    const signedIn = await observer.evaluate(() => window.stored());
    assert.equal(signedIn.user.email, 'ada@example.com');
    await rust[1].locator('#signed-in').waitFor();
    await js.waitForFunction(() => window.events.some((e) => e.event === 'SIGNED_IN'));

    // The sessions the tabs announce, in order, until the fifth refresh's.
    const refreshes = () => observer.evaluate(() => window.messages.filter((m) => m.event === 'TOKEN_REFRESHED'));
    const deadline = Date.now() + (EXPIRIES + 2) * TTL * 1000;
    while ((await refreshes()).length < EXPIRIES) {
      assert.ok(Date.now() < deadline, `only ${(await refreshes()).length} refreshes by now`);
      await sleep(100);
    }
    // The next refresh is due TTL - 5 s after the last; a second refresh of any of these
    // sessions (a tab late by its lock or its copy of storage) would have been sent by now.
    await sleep(1500);
    const stats = await tabsEmulator.control('stats');
    const announced = await refreshes();
    const sessions = [{ refresh_token: signedIn.refresh_token, expires_at: signedIn.expires_at }, ...announced.map((m) => ({ refresh_token: m.refresh, expires_at: m.expiresAt }))];
    const last = await observer.evaluate(() => window.stored());
    const gaps = sessions.slice(1).map((s, i) => s.expires_at - sessions[i].expires_at);
    console.log(`stats after ${EXPIRIES} expiries: ${JSON.stringify({ grants: stats.grants, refresh_requests: stats.refresh_requests, refresh_token_reuse: stats.refresh_token_reuse, refresh_token_reuse_rejected: stats.refresh_token_reuse_rejected, sign_ins: stats.sign_ins })}; expires_at gaps ${gaps}; sent by ${senders}`);
    assert.equal(stats.grants.pkce, 1, 'one sign-in');
    assert.equal(stats.refresh_requests, EXPIRIES, 'one refresh request per expiry');
    assert.equal(stats.grants.refresh_token, EXPIRIES, 'one refresh grant per expiry');
    assert.equal(stats.refresh_token_reuse, 0, 'no refresh token used twice');
    assert.equal(stats.refresh_token_reuse_rejected, 0);
    assert.equal(senders.length, EXPIRIES, `the tabs sent them: ${senders}`);
    // Each refresh came when its session was due (5 s ahead of expiry, plus the spread of up
    // to 1 s), neither early nor after it expired.
    for (const gap of gaps) assert.ok(gap >= TTL - 5 - 1 && gap <= TTL, `one refresh per expiry: expires_at moved by ${gaps}`);
    assert.equal(announced.length, EXPIRIES, 'each refresh announced once');
    assert.equal(last.refresh_token, sessions[EXPIRIES].refresh_token, 'the last one announced is the one stored');
    assert.equal(last.expires_at, sessions[EXPIRIES].expires_at);
    assert.equal(new Set(sessions.map((s) => s.refresh_token)).size, EXPIRIES + 1, 'each refresh brought a new refresh token');
    const messages = await observer.evaluate(() => window.messages);
    assert.deepEqual(messages.filter((m) => m.event === 'SIGNED_OUT'), [], 'no tab announced a sign-out');

    for (const [i, tab] of rust.entries()) {
      await tab.locator('#signed-in').waitFor();
      assert.equal(await tab.getAttribute('#expires', 'data-unix'), String(last.expires_at), `Rust tab ${i + 1} shows the last session`);
      assert.equal(await tab.textContent('#email'), 'ada@example.com');
      const shown = await tab.evaluate(() => window.shown);
      const firstIn = shown.findIndex((s) => s.startsWith('in|'));
      assert.ok(firstIn >= 0 && !shown.slice(firstIn).includes('out'), `Rust tab ${i + 1} never showed a sign-out: ${shown}`);
      const refreshed = new Set(shown.filter((s) => s.startsWith('in|TOKEN_REFRESHED|')).map((s) => s.split('|')[2]));
      assert.deepEqual([...refreshed], sessions.slice(1).map((s) => String(s.expires_at)), `Rust tab ${i + 1} showed each refreshed session`);
      assert.deepEqual(tab.logs.filter((l) => /panicked|error/i.test(l)), [], 'no panic or error');
    }
    const events = await js.evaluate(() => window.events.map((e) => ({ event: e.event, refresh: e.refresh })));
    assert.ok(!events.some((e) => e.event === 'SIGNED_OUT'), 'the JS tab was not signed out');
    assert.deepEqual(
      events.filter((e) => e.event === 'TOKEN_REFRESHED').map((e) => e.refresh),
      sessions.slice(1).map((s) => s.refresh_token),
      'the JS tab had each refreshed session, once',
    );
    assert.equal((await js.evaluate(() => auth.getSession())).refresh_token, last.refresh_token);
    assert.equal(await js.textContent('#state'), 'signed-in');
    const user = await fetch(`${tabsEmulator.authUrl}/auth/v1/user`, {
      headers: { apikey: tabsEmulator.anonKey, authorization: `Bearer ${last.access_token}` },
    });
    assert.equal(user.status, 200, 'the last access token works');
  } finally {
    await context.close();
    await tabsEmulator.stop();
  }
});
