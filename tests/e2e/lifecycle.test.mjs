// The session lives: several tabs of one origin against the emulator with short-lived access
// tokens. One refresh per expiry across all tabs, recovery from injected faults, sign-out that
// reaches every tab, and a broken localStorage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emulatorEnv } from './env.mjs';

/** Access-token lifetime: the client refreshes 5 s ahead, so one refresh every ~7 s. */
const TTL = 12;
/** This file's rows of the reliability table (broken storage, the device clock). */
const rows = [];
const env = emulatorEnv(['--jwt-exp', String(TTL), '--auto-sign-in'], { file: 'lifecycle.md', rows });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Opens a tab of the app in `context` and waits until it has initialised. */
async function openTab(context, query = '') {
  const page = await context.newPage();
  page.logs = [];
  page.on('console', (m) => page.logs.push(m.text()));
  await page.goto(`${env.emulator.appUrl}/tab.html${query}`);
  await page.evaluate(() => window.initialized);
  return page;
}

/** Signs in through the real redirect (the emulator's WorkOS signs in at once: --auto-sign-in). */
async function signIn(page, email = 'ada@example.com') {
  await page.evaluate((email) => auth.signInWithWorkOS({ connection: 'conn_emulator_okta', loginHint: email, redirectTo: location.href }), email);
  // The page navigates away and back: the wait outlives the navigations, and the pages between
  // (the authorize redirect, the WorkOS page) have no `events`.
  await page.waitForFunction(() => window.events && window.events.some((e) => e.event === 'SIGNED_IN'));
}

const sessionOf = (page) => page.evaluate(() => auth.getSession().then((s) => s && { at: s.access_token, rt: s.refresh_token }));
const eventsOf = (page) => page.evaluate(() => window.events.map((e) => e.event));

test('five tabs stay signed in across five expiries with one refresh per expiry', async () => {
  await env.emulator.control('reset', {});
  const context = await env.browser.newContext();
  const first = await openTab(context);
  await signIn(first);
  const tabs = [first];
  for (let i = 0; i < 4; i++) tabs.push(await openTab(context));
  const start = await env.emulator.control('stats');
  const started = Date.now();
  await sleep(5 * TTL * 1000 + 2000);
  const stats = await env.emulator.control('stats');
  const elapsed = (Date.now() - started) / 1000;
  const refreshes = stats.refresh_requests - start.refresh_requests;
  // One refresh per expiry: the tokens lived TTL s and were refreshed 5 s ahead.
  const expected = elapsed / (TTL - 5);
  assert.ok(refreshes >= 5, `at least five refreshes (${refreshes})`);
  assert.ok(Math.abs(refreshes - expected) <= 1.5, `${refreshes} refreshes in ${elapsed.toFixed(1)} s, about ${expected.toFixed(1)} expected`);
  assert.equal(stats.refresh_token_reuse - start.refresh_token_reuse, 0, 'no refresh token used twice');
  assert.equal(stats.refresh_token_reuse_rejected - start.refresh_token_reuse_rejected, 0);
  const sessions = await Promise.all(tabs.map(sessionOf));
  for (const s of sessions) assert.deepEqual(s, sessions[0], 'every tab holds the same session');
  for (const tab of tabs) {
    const events = await eventsOf(tab);
    assert.ok(!events.includes('SIGNED_OUT'), 'nobody was signed out');
    const refreshed = events.filter((e) => e === 'TOKEN_REFRESHED').length;
    assert.ok(refreshed >= refreshes - 1, `each tab heard of the refreshes (${refreshed}/${refreshes})`);
    assert.equal(events.filter((e) => e === 'SIGNED_IN').length, tab === first ? 1 : 0, 'SIGNED_IN once, in the tab that signed in');
  }
  await context.close();
});

test('refresh survives 500s, a timeout and a 10 s outage without signing out', async () => {
  await env.emulator.control('reset', {});
  const context = await env.browser.newContext();
  const tab = await openTab(context);
  await signIn(tab);
  const other = await openTab(context);
  const before = await sessionOf(tab);
  await env.emulator.control('faults', { endpoint: 'token_refresh', kind: '500', count: 3 });
  // Twice: Chromium sends a request again, unseen by the page, when a kept-alive connection drops,
  // so a single dropped refresh would never reach the client.
  await env.emulator.control('faults', { endpoint: 'token_refresh', kind: 'timeout', count: 2, seconds: 2 });
  await sleep(TTL * 1000);
  await env.emulator.control('faults', { endpoint: 'all', kind: 'down', seconds: 10 });
  await sleep(10000 + TTL * 1000);
  const stats = await env.emulator.control('stats');
  assert.ok(stats.faults_triggered >= 6, `faults were hit (${stats.faults_triggered})`);
  const after = await sessionOf(tab);
  assert.ok(after, 'still signed in');
  assert.notEqual(after.rt, before.rt, 'and refreshed since');
  assert.deepEqual(await sessionOf(other), after);
  for (const page of [tab, other]) assert.ok(!(await eventsOf(page)).includes('SIGNED_OUT'));
  const user = await fetch(`${env.emulator.authUrl}/auth/v1/user`, {
    headers: { apikey: env.emulator.anonKey, authorization: `Bearer ${after.at}` },
  });
  assert.equal(user.status, 200, 'the refreshed access token works');
  await context.close();
});

test('a revoked refresh token signs every tab out', async () => {
  await env.emulator.control('reset', {});
  const context = await env.browser.newContext();
  const tabs = [await openTab(context)];
  await signIn(tabs[0]);
  tabs.push(await openTab(context), await openTab(context));
  await env.emulator.control('revoke', { email: 'ada@example.com' });
  await Promise.all(tabs.map((t) => t.waitForFunction(() => window.events && window.events.some((e) => e.event === 'SIGNED_OUT'), null, { timeout: (TTL + 10) * 1000 })));
  for (const tab of tabs) {
    assert.equal(await sessionOf(tab), null);
    assert.equal(await tab.textContent('#state'), 'signed-out');
  }
  await context.close();
});

test('a sign-in reaches the other open tabs once; sign-out in one tab signs out the others', async () => {
  await env.emulator.control('reset', {});
  const context = await env.browser.newContext();
  const tabs = [await openTab(context), await openTab(context)];
  await signIn(tabs[0]);
  await tabs[1].waitForFunction(() => window.events && window.events.some((e) => e.event === 'SIGNED_IN'));
  tabs.push(await openTab(context));
  await tabs[1].bringToFront();
  await tabs[0].bringToFront();
  for (const tab of tabs) {
    const events = await eventsOf(tab);
    assert.equal(events.filter((e) => e === 'SIGNED_IN').length, tab === tabs[2] ? 0 : 1, 'SIGNED_IN once, not on focus');
  }
  const { at } = await sessionOf(tabs[0]);
  await tabs[1].evaluate(() => auth.signOut());
  await Promise.all(tabs.map((t) => t.waitForFunction(() => window.events && window.events.some((e) => e.event === 'SIGNED_OUT'))));
  for (const tab of tabs) assert.equal(await sessionOf(tab), null);
  const res = await fetch(`${env.emulator.authUrl}/auth/v1/user`, {
    headers: { apikey: env.emulator.anonKey, authorization: `Bearer ${at}` },
  });
  assert.equal(res.status, 403, 'the server ended the session too');
  await context.close();
});

test('with localStorage throwing on every call, sign-in and refresh still work', async () => {
  await env.emulator.control('reset', {});
  const context = await env.browser.newContext();
  const tab = await openTab(context, '?storage=broken');
  await signIn(tab);
  const first = await sessionOf(tab);
  assert.ok(first, 'signed in');
  await tab.waitForFunction(() => window.events && window.events.some((e) => e.event === 'TOKEN_REFRESHED'), null, { timeout: (TTL + 5) * 1000 });
  const second = await sessionOf(tab);
  assert.notEqual(second.rt, first.rt, 'refreshed');
  // Said once in this page (the one the redirect came back to), whatever the number of calls.
  const warnings = await tab.evaluate(() => window.warnings);
  assert.equal(warnings.length, 1, `said so once: ${warnings}`);
  assert.match(warnings[0], /localStorage is unavailable; the session is kept in sessionStorage/);
  rows.push(['localStorage throwing on every call', 'sign-in and refresh', 'signed in and refreshed from sessionStorage; one console warning; no token in the console']);
  for (const line of tab.logs) assert.ok(!line.includes(second.rt) && !line.includes(second.at), 'no token in the console');
  await context.close();
});

/**
 * Two tabs whose localStorage throws, so each keeps the session in its own sessionStorage; the
 * first signs in and the second takes the session from its message.
 */
async function ownStorageTabs() {
  await env.emulator.control('reset', {});
  const context = await env.browser.newContext();
  const tabs = [await openTab(context, '?storage=broken'), await openTab(context, '?storage=broken')];
  await signIn(tabs[0]);
  await tabs[1].waitForFunction(() => window.events && window.events.some((e) => e.event === 'SIGNED_IN'));
  return { context, tabs };
}

const refreshedTwice = (tab) =>
  tab.waitForFunction(() => window.events.filter((e) => e.event === 'TOKEN_REFRESHED').length >= 2, null, { timeout: 3 * TTL * 1000 });

test('tabs that keep the session in storage of their own (sessionStorage) take each refresh from the others', async () => {
  // The second tab is hidden (no timer) while the first refreshes twice: once visible again it must
  // hold the current session, not send a refresh token spent two refreshes ago.
  const { context, tabs } = await ownStorageTabs();
  await tabs[1].evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  const start = await env.emulator.control('stats');
  await refreshedTwice(tabs[0]);
  const current = await sessionOf(tabs[0]);
  assert.deepEqual(await sessionOf(tabs[1]), current, 'the hidden tab holds the session the other tab refreshed to');
  await tabs[1].evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { value: 'visible', configurable: true });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await sleep(1000);
  const stats = await env.emulator.control('stats');
  assert.equal(stats.refresh_token_reuse - start.refresh_token_reuse, 0, 'no refresh token used twice');
  for (const tab of tabs) assert.ok(!(await eventsOf(tab)).includes('SIGNED_OUT'), 'nobody was signed out');
  await context.close();
});

test('a tab with storage of its own that was away while the others refreshed takes their session instead of spending an old refresh token', async () => {
  // The second tab leaves for another page (its sessionStorage stays) while the first refreshes
  // twice; when it comes back its session has expired and its refresh token is spent.
  const { context, tabs } = await ownStorageTabs();
  const old = await sessionOf(tabs[1]);
  await tabs[1].goto('about:blank');
  const start = await env.emulator.control('stats');
  await refreshedTwice(tabs[0]);
  await tabs[1].goto(`${env.emulator.appUrl}/tab.html?storage=broken`);
  await tabs[1].evaluate(() => window.initialized);
  const back = await sessionOf(tabs[1]);
  assert.notDeepEqual(back, old, 'the session it came back with is not the one it left with');
  assert.deepEqual(back, await sessionOf(tabs[0]), 'it holds the other tab\'s session');
  const stats = await env.emulator.control('stats');
  assert.equal(stats.refresh_token_reuse - start.refresh_token_reuse, 0, 'no refresh token used twice');
  assert.equal(stats.refresh_token_reuse_rejected - start.refresh_token_reuse_rejected, 0);
  assert.ok(!(await eventsOf(tabs[0])).includes('SIGNED_OUT'), 'the other tab was not signed out');
  await context.close();
});

test('two tabs with storage of their own keep two users apart: refreshes and a sign-out of one leave the other', async () => {
  const { context, tabs } = await ownStorageTabs();
  const start = await env.emulator.control('stats');
  // The second tab signs in as another user (its events start over, so the wait is for this one).
  await tabs[1].evaluate(() => (window.events = []));
  await signIn(tabs[1], 'grace@example.com');
  const emailOf = (tab) => tab.evaluate(() => auth.getSession().then((s) => s && s.user.email));
  assert.equal(await emailOf(tabs[1]), 'grace@example.com');
  await refreshedTwice(tabs[0]);
  await tabs[1].waitForFunction(() => window.events.some((e) => e.event === 'TOKEN_REFRESHED'), null, { timeout: 2 * TTL * 1000 });
  assert.deepEqual([await emailOf(tabs[0]), await emailOf(tabs[1])], ['ada@example.com', 'grace@example.com']);
  await tabs[1].evaluate(() => auth.signOut());
  await sleep(1000);
  assert.equal(await emailOf(tabs[1]), null);
  assert.equal(await emailOf(tabs[0]), 'ada@example.com', 'the other user is still signed in');
  assert.ok(!(await eventsOf(tabs[0])).includes('SIGNED_OUT'), 'and heard no sign-out');
  const stats = await env.emulator.control('stats');
  assert.equal(stats.refresh_token_reuse - start.refresh_token_reuse, 0, 'no refresh token used twice');
  const user = await fetch(`${env.emulator.authUrl}/auth/v1/user`, {
    headers: { apikey: env.emulator.anonKey, authorization: `Bearer ${(await sessionOf(tabs[0])).at}` },
  });
  assert.equal(user.status, 200, 'its access token works');
  await context.close();
});

test('a hidden tab runs no timer, and checks at once when it becomes visible again', async () => {
  await env.emulator.control('reset', {});
  const context = await env.browser.newContext();
  const tab = await openTab(context);
  await signIn(tab);
  const setVisibility = (state) =>
    tab.evaluate((state) => {
      Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, state);
  await setVisibility('hidden');
  const before = await env.emulator.control('stats');
  await sleep((TTL + 3) * 1000);
  const hidden = await env.emulator.control('stats');
  assert.equal(hidden.refresh_requests, before.refresh_requests, 'no refresh while hidden');
  await setVisibility('visible');
  await tab.waitForFunction(() => window.events && window.events.some((e) => e.event === 'TOKEN_REFRESHED'), null, { timeout: 3000 });
  const after = await env.emulator.control('stats');
  assert.equal(after.refresh_requests, before.refresh_requests + 1, 'one refresh, at once');
  await context.close();
});

for (const [flow, minutes] of [['pkce', 10], ['implicit', -10]]) {
  test(`a device clock ${Math.abs(minutes)} minutes ${minutes > 0 ? 'fast' : 'slow'} (${flow}): one refresh per expiry, tokens never used expired`, async () => {
    await env.emulator.control('reset', {});
    const context = await env.browser.newContext();
    const tab = await openTab(context, `?skew=${minutes * 60000}&flow=${flow}`);
    await signIn(tab);
    const start = await env.emulator.control('stats');
    const started = Date.now();
    await sleep(3 * TTL * 1000);
    const stats = await env.emulator.control('stats');
    const refreshes = stats.refresh_requests - start.refresh_requests;
    const expected = (Date.now() - started) / 1000 / (TTL - 5);
    // A fast clock may cost one early refresh (an implicit token looks expired on arrival).
    assert.ok(refreshes >= 2 && refreshes <= expected + 2, `${refreshes} refreshes, about ${expected.toFixed(1)} expected`);
    assert.ok(!(await eventsOf(tab)).includes('SIGNED_OUT'));
    const { at } = await sessionOf(tab);
    const res = await fetch(`${env.emulator.authUrl}/auth/v1/user`, {
      headers: { apikey: env.emulator.anonKey, authorization: `Bearer ${at}` },
    });
    assert.equal(res.status, 200, 'the session in hand is valid on the server');
    rows.push([
      `device clock ${Math.abs(minutes)} min ${minutes > 0 ? 'fast' : 'slow'} (${flow} sign-in)`,
      '12 s tokens for 36 s',
      `${refreshes} refreshes in ${Math.round((Date.now() - started) / 1000)} s, one per token (a 12 s token is renewed 4 to 5 s before it expires); nobody signed out; the session valid on the server`,
    ]);
    await context.close();
  });
}
