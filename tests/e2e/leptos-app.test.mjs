// End to end: the Leptos example (examples/leptos-app), which signs in with the crate's Rust API,
// in real headless Chromium through the whole redirect dance against the local env.emulator, served
// under the demo's strict CSP. scripts/build-leptos builds the app when target/leptos/site is
// missing; the test then also covers `scripts/demo --rust` pointed at a project.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT } from '../../scripts/lib/emulator.mjs';
import { SHOTS, strictSiteEnv } from './env.mjs';
import { prepareLeptosSite } from '../../scripts/lib/leptos.mjs';

const KEY = 'sb-127-auth-token';
/** The app's card, for the screenshots. */
const CARD = { x: 0, y: 0, width: 900, height: 420 };
const env = strictSiteEnv(prepareLeptosSite, 'sbw-leptos-');

/** A fresh page that records its console and the authorize requests it makes. */
async function newPage() {
  const context = await env.browser.newContext({ viewport: { width: 900, height: 720 } });
  const page = await context.newPage();
  page.logs = [];
  page.authorize = [];
  page.on('console', (m) => page.logs.push(m.text()));
  page.on('pageerror', (e) => page.logs.push(String(e)));
  page.on('request', (r) => {
    if (r.url().startsWith(`${env.emulator.authUrl}/auth/v1/authorize?`)) page.authorize.push(new URL(r.url()));
  });
  return page;
}

/** Opens the app in `flow`; `config` overrides config.js's members for this page. */
async function openApp(page, flow, config) {
  if (config) {
    const members = { supabaseUrl: env.emulator.authUrl, anonKey: env.emulator.anonKey, ...config };
    await page.route(`${env.emulator.appUrl}/config.js`, (route) =>
      route.fulfill({ contentType: 'text/javascript', body: `window.DEMO_CONFIG = ${JSON.stringify(members)};` }),
    );
  }
  await page.goto(`${env.emulator.appUrl}/${flow === 'implicit' ? '?flow=implicit' : ''}`);
  await page.locator('#signed-out').waitFor();
  assert.equal(await page.textContent('#flow'), flow === 'implicit' ? 'implicit' : 'PKCE');
}

/** Clicks a sign-in button and, on the emulated WorkOS page, the user (or `#cancel`). */
async function throughWorkOS(page, kind, pick) {
  await page.click(`#signin-${kind}`);
  await page.waitForURL(/\/sso\/authorize\?/);
  await page.click(pick === 'cancel' ? '#cancel' : `button[data-user-email="${pick}"]`);
}

const stored = async (page) => JSON.parse(await page.evaluate((k) => localStorage.getItem(k), KEY));

/**
 * The address bar holds nothing of the callback, no secret reached the page or the console, and no
 * verifier or login-CSRF marker is left: a sign-in spends them, an error redirect ends them.
 */
async function assertClean(page, session) {
  assert.equal(page.url(), `${env.emulator.appUrl}/`, 'nothing of the callback left in the address bar');
  const text = await page.evaluate(() => document.documentElement.outerHTML);
  const secrets = session ? [session.access_token, session.refresh_token, session.provider_token].filter(Boolean) : [];
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), 'no token in the page');
    assert.ok(!page.logs.some((l) => l.includes(secret)), 'no token in the console');
  }
  const keys = await page.evaluate(() => Object.keys(localStorage));
  assert.deepEqual(keys.filter((k) => /verifier|pending/.test(k)), [], 'no verifier or marker left behind');
  assert.deepEqual(page.logs.filter((l) => /Refused|Content Security Policy|panicked|error/i.test(l)), [], 'no CSP violation, panic or error');
}

async function userFromServer(accessToken) {
  const res = await fetch(`${env.emulator.authUrl}/auth/v1/user`, {
    headers: { apikey: env.emulator.anonKey, authorization: `Bearer ${accessToken}` },
  });
  return { status: res.status, user: res.status === 200 ? await res.json() : null };
}

const KINDS = [
  ['connection', 'ada@example.com', { connection: 'conn_emulator_okta', organization: 'org_emulator_acme' }],
  ['organization', 'grace@example.com', { connection: 'conn_emulator_okta', organization: 'org_emulator_acme' }],
  ['provider', 'katherine@example.org', {}],
];

for (const flow of ['pkce', 'implicit']) {
  for (const [kind, email, ids] of KINDS) {
    test(`${flow}: sign in with a ${kind} through the WorkOS page; a reload keeps the session`, async () => {
      const page = await newPage();
      await openApp(page, flow);
      await throughWorkOS(page, kind, email);
      await page.locator('#signed-in').waitFor();
      await page.screenshot({ path: join(SHOTS, `leptos-${flow}-${kind}.png`), clip: CARD });

      const [authorize] = page.authorize;
      assert.equal(authorize.searchParams.get('provider'), 'workos');
      // The implicit flow binds its login-CSRF marker to a nonce carried in redirect_to's fragment.
      const redirectTo = authorize.searchParams.get('redirect_to');
      if (flow === 'pkce') assert.equal(redirectTo, `${env.emulator.appUrl}/callback`);
      else assert.match(redirectTo, new RegExp(`^${env.emulator.appUrl}/callback#sbw_nonce=\\w+$`));
      assert.equal(authorize.searchParams.has('code_challenge'), flow === 'pkce');
      if (kind === 'provider') assert.equal(authorize.searchParams.get('workos_provider'), 'GoogleOAuth');

      const session = await stored(page);
      const { status, user } = await userFromServer(session.access_token);
      assert.equal(status, 200);
      assert.equal(user.email, email);
      assert.equal(await page.textContent('#email'), email);
      assert.equal(await page.textContent('#user-id'), user.id);
      const claims = user.user_metadata.custom_claims ?? {};
      assert.equal(await page.textContent('#connection-id'), claims.connection_id ?? '—');
      assert.equal(await page.textContent('#organization-id'), claims.organization_id ?? '—');
      if (ids.connection) assert.equal(claims.connection_id, ids.connection);
      if (ids.organization) assert.equal(claims.organization_id, ids.organization);
      assert.equal(await page.getAttribute('#expires', 'data-unix'), String(session.expires_at));
      assert.equal(await page.textContent('#expires'), new Date(session.expires_at * 1000).toISOString());
      assert.equal(await page.textContent('#event'), 'SIGNED_IN');
      await assertClean(page, session);

      await page.reload();
      await page.locator('#signed-in').waitFor();
      assert.equal(await page.textContent('#email'), email);
      assert.equal(await page.textContent('#event'), 'INITIAL_SESSION');
      assert.equal((await stored(page)).refresh_token, session.refresh_token, 'the reload used the stored session');
      await assertClean(page, session);
      await page.context().close();
    });
  }
}

test('refresh rotates the session and the view shows the new one', async () => {
  const page = await newPage();
  await openApp(page, 'pkce');
  await throughWorkOS(page, 'connection', 'ada@example.com');
  await page.locator('#signed-in').waitFor();
  const before = await stored(page);
  const refreshGrants = async () => (await env.emulator.control('stats')).grants.refresh_token ?? 0;
  const grants = await refreshGrants();
  await page.click('#refresh');
  await page.locator('#event', { hasText: 'TOKEN_REFRESHED' }).waitFor();
  const after = await stored(page);
  assert.notEqual(after.refresh_token, before.refresh_token, 'the refresh token rotated');
  assert.equal(await refreshGrants(), grants + 1);
  assert.equal(await page.getAttribute('#expires', 'data-unix'), String(after.expires_at));
  assert.equal((await userFromServer(after.access_token)).status, 200);
  assert.equal(await page.textContent('#email'), 'ada@example.com');
  await assertClean(page, after);
  await page.context().close();
});

for (const flow of ['pkce', 'implicit']) {
  test(`${flow}: sign out ends the session here and on the server, and stays signed out after a reload`, async () => {
    const page = await newPage();
    await openApp(page, flow);
    await throughWorkOS(page, 'organization', 'grace@example.com');
    await page.locator('#signed-in').waitFor();
    const session = await stored(page);
    await page.click('#signout');
    await page.locator('#signed-out').waitFor();
    assert.equal(await stored(page), null);
    assert.equal((await userFromServer(session.access_token)).status, 403, 'the signed-out token is refused');
    await page.reload();
    await page.locator('#signed-out').waitFor();
    await assertClean(page, session);
    await page.context().close();
  });
}

const FAILURES = [
  ['an unknown connection', { connection: 'conn_unknown' }, 'connection', null, /^AuthImplicitGrantRedirectError: connection_invalid: No connection found/],
  ['a cancel at the WorkOS page', undefined, 'connection', 'cancel', /^AuthImplicitGrantRedirectError: access_denied: The user denied/],
];

for (const flow of ['pkce', 'implicit']) {
  for (const [what, config, kind, pick, shown] of FAILURES) {
    test(`${flow}: ${what} comes back as an error shown as text, with a clean address bar`, async () => {
      const page = await newPage();
      await openApp(page, flow, config);
      if (pick) await throughWorkOS(page, kind, pick);
      else await page.click(`#signin-${kind}`);
      await page.locator('#error').waitFor();
      await page.locator('#signed-out').waitFor();
      const error = await page.textContent('#error');
      assert.match(error, shown);
      await page.screenshot({ path: join(SHOTS, `leptos-${flow}-error-${pick ?? 'unknown-connection'}.png`), clip: CARD });
      assert.equal(await stored(page), null, 'no session stored');
      await assertClean(page, null);
      await page.context().close();
    });
  }
}

const PROJECT = 'https://abcdefghijklmnop.supabase.co';

/** `node scripts/demo.mjs --rust` on a free port, once it has printed its URL. */
async function startRustDemo(env) {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address();
  probe.close();
  const demo = spawn('node', ['scripts/demo.mjs', '--rust'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const printed = [];
  for await (const line of createInterface({ input: demo.stdout })) {
    printed.push(line);
    if (line.includes('Ctrl-C')) return { demo, port, printed };
  }
  throw new Error(`scripts/demo.mjs --rust exited: ${printed.join('\n')}`);
}

test('scripts/demo --rust against a project serves the Leptos app, with only the WorkOS ids given', async () => {
  const { demo, port, printed } = await startRustDemo({
    SUPABASE_URL: PROJECT,
    SUPABASE_ANON_KEY: 'anon-key',
    DEMO_ORGANIZATION: 'org_01DEMOTEST',
    DEMO_CONNECTION: '',
    DEMO_PROVIDER: '',
  });
  try {
    assert.ok(printed.some((l) => l.startsWith('Leptos demo against')), printed.join('\n'));
    const app = `http://127.0.0.1:${port}`;
    const callback = await fetch(`${app}/callback`);
    assert.equal(callback.status, 200, 'the callback route is the app');
    assert.match(await callback.text(), /main\.js/);
    const page = await newPage();
    await page.goto(`${app}/`);
    await page.locator('#signed-out').waitFor();
    const buttons = await page.evaluate(() => [...document.querySelectorAll('#signed-out button')].map((b) => b.id));
    assert.deepEqual(buttons, ['signin-organization']);
    let authorize;
    await page.route(`${PROJECT}/**`, (route) => {
      authorize = new URL(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/plain', body: 'the project' });
    });
    await page.click('#signin-organization');
    await page.waitForURL(`${PROJECT}/**`);
    assert.equal(authorize.origin + authorize.pathname, `${PROJECT}/auth/v1/authorize`);
    assert.equal(authorize.searchParams.get('organization'), 'org_01DEMOTEST');
    assert.equal(authorize.searchParams.get('redirect_to'), `${app}/callback`);
    assert.ok(authorize.searchParams.get('code_challenge'), 'PKCE by default');
    await page.context().close();
  } finally {
    demo.kill('SIGTERM');
  }
});
