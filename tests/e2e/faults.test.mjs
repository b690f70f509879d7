// The fault matrix: what a user sees when Supabase Auth, storage or the clock fail, against the
// emulator. Every row is a typed error or a recovered session, and nothing stored is lost or
// half-written. The rows are written to artifacts/reliability/faults.md (scripts/reliability
// puts them in the README's table).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emulatorEnv } from './env.mjs';

const rows = [];
const KEY = 'sb-127-auth-token';
const env = emulatorEnv(['--auto-sign-in'], { file: 'faults.md', header: ['| fault | where | observed outcome |', '|---|---|---|'], rows });

async function openTab(context, query = '') {
  const page = await context.newPage();
  await page.goto(`${env.emulator.appUrl}/tab.html${query}`);
  await page.evaluate(() => window.initialized);
  return page;
}

/** A whole sign-in through the emulator; resolves to what initialize() reported on return. */
async function signIn(page, email) {
  await page.evaluate((email) => {
    window.beforeRedirect = true;
    const back = location.origin + location.pathname + location.search;
    auth.signInWithWorkOS({ connection: 'conn_emulator_okta', loginHint: email, redirectTo: back });
  }, email);
  // The page that comes back is a new one: wait for it, across the redirects.
  await page.waitForFunction(() => !window.beforeRedirect && window.initialized !== undefined, null, { timeout: 20000 });
  return page.evaluate(async () => {
    const { error } = await window.initialized;
    return error && { name: error.name, code: error.code, status: error.status, message: error.message };
  });
}

const stored = (page) => page.evaluate((KEY) => localStorage.getItem(KEY), KEY);

const SERVER_FAULTS = ['500', '503', '429', 'timeout', 'garbage', 'big', 'redirect'];

for (const [flow, endpoint] of [['pkce', 'token_pkce'], ['implicit', 'user']]) {
  for (const kind of SERVER_FAULTS) {
    test(`${endpoint} answers ${kind} while a sign-in finishes (${flow})`, async () => {
      await env.emulator.control('reset', {});
      const context = await env.browser.newContext();
      const page = await openTab(context, `?flow=${flow}`);
      assert.equal(await signIn(page, 'ada@example.com'), null);
      const before = await stored(page);
      assert.ok(before, 'a first session');
      // A timeout holds the request past the client's own 15 s limit (twice: Chromium retries a
      // request once when a kept-alive connection drops).
      await env.emulator.control('faults', { endpoint, kind, count: kind === 'timeout' ? 2 : 1, seconds: 20 });
      const error = await signIn(page, 'grace@example.com');
      assert.ok(error, 'a typed error');
      assert.match(error.name, /^Auth[A-Za-z]*Error$/);
      assert.match(error.code, /^[a-z_]+$/);
      assert.equal(await stored(page), before, 'the first session is kept, whole');
      assert.ok(!page.url().includes('code=') && !page.url().includes('access_token'), 'the URL is clean');
      await fetch(`${env.emulator.authUrl}/__emulator/faults`, { method: 'DELETE' });
      assert.equal(await signIn(page, 'grace@example.com'), null, 'the next sign-in works');
      assert.equal(JSON.parse(await stored(page)).user.email, 'grace@example.com');
      rows.push([`\`/${endpoint === 'user' ? 'user' : 'token?grant_type=pkce'}\` ${kind}`, `finishing ${flow === 'pkce' ? 'a PKCE' : 'an implicit'} sign-in`, `\`${error.name}\` \`${error.code}\` (status ${error.status}); the stored session kept; the next sign-in works`]);
      await context.close();
    });
  }
}

for (const kind of SERVER_FAULTS) {
  test(`/token refresh answers ${kind}`, async () => {
    await env.emulator.control('reset', {});
    const context = await env.browser.newContext();
    const page = await openTab(context);
    assert.equal(await signIn(page, 'ada@example.com'), null);
    const before = await stored(page);
    await env.emulator.control('faults', { endpoint: 'token_refresh', kind, count: kind === 'timeout' ? 2 : 1, seconds: 20 });
    const error = await page.evaluate(() => auth.refreshSession().then(() => null, (e) => ({ name: e.name, code: e.code, status: e.status })));
    assert.ok(error, 'a typed error');
    assert.match(error.name, /^Auth[A-Za-z]*Error$/);
    assert.equal(await stored(page), before, 'the session is kept, not signed out');
    const events = await page.evaluate(() => window.events.map((e) => e.event));
    assert.ok(!events.includes('SIGNED_OUT'));
    await fetch(`${env.emulator.authUrl}/__emulator/faults`, { method: 'DELETE' });
    const next = await page.evaluate(() => auth.refreshSession().then((s) => s.refresh_token));
    assert.notEqual(next, JSON.parse(before).refresh_token, 'the next refresh works');
    rows.push([`\`/token?grant_type=refresh_token\` ${kind}`, 'a refresh', `\`${error.name}\` \`${error.code}\` (status ${error.status}); still signed in; the next refresh works`]);
    await context.close();
  });
}

test('storage full: localStorage refuses every write', async () => {
  await env.emulator.control('reset', {});
  const context = await env.browser.newContext();
  const page = await openTab(context, '?storage=full');
  assert.equal(await signIn(page, 'ada@example.com'), null);
  const session = await page.evaluate(() => auth.getSession());
  assert.equal(session.user.email, 'ada@example.com');
  const warnings = await page.evaluate(() => window.warnings);
  assert.equal(warnings.length, 1);
  rows.push(['localStorage full (every write throws QuotaExceededError)', 'sign-in and after', 'signed in from sessionStorage; one console warning']);
  await context.close();
});

for (const garbage of ['{not json', 'null', '[]', '{"access_token":1,"refresh_token":"r","user":{"id":"u"}}', '{"access_token":"a","refresh_token":"r","user":{"id":"u"}}']) {
  test(`storage holding garbage: ${garbage}`, async () => {
    await env.emulator.control('reset', {});
    const context = await env.browser.newContext();
    const page = await openTab(context);
    await page.evaluate(([KEY, garbage]) => localStorage.setItem(KEY, garbage), [KEY, garbage]);
    const out = await page.evaluate(async () => ({ session: await auth.getSession(), events: window.events.map((e) => e.event) }));
    assert.equal(out.session, null, 'not trusted');
    assert.equal(await stored(page), null, 'removed');
    assert.equal(await signIn(page, 'ada@example.com'), null, 'a sign-in works');
    rows.push([`stored session \`${garbage.replace(/\|/g, '\\|')}\``, 'getSession', 'null, and the value removed; sign-in works']);
    await context.close();
  });
}
