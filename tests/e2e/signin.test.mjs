// End to end: real headless Chromium clicks through the whole redirect dance against the local
// emulator (Supabase Auth + WorkOS), on the demo page served under a strict CSP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, prepareSite } from '../../scripts/lib/emulator.mjs';
import { SHOTS, strictSiteEnv } from './env.mjs';

const env = strictSiteEnv(prepareSite, 'sbw-e2e-');

async function newPage() {
  const context = await env.browser.newContext({ viewport: { width: 900, height: 720 } });
  const page = await context.newPage();
  page.logs = [];
  page.on('console', (m) => page.logs.push(m.text()));
  page.on('pageerror', (e) => page.logs.push(String(e)));
  return page;
}

async function openDemo(page, flow) {
  await page.goto(`${env.emulator.appUrl}/`);
  await page.evaluate((flow) => localStorage.setItem('demo-flow', flow), flow);
  await page.reload();
  await page.locator('#signed-out').waitFor({ state: 'visible' });
}

async function userFromServer(accessToken) {
  const res = await fetch(`${env.emulator.authUrl}/auth/v1/user`, {
    headers: { apikey: env.emulator.anonKey, authorization: `Bearer ${accessToken}` },
  });
  assert.equal(res.status, 200);
  return res.json();
}

const KINDS = [
  ['connection', 'ada@example.com', 'conn_emulator_okta'],
  ['organization', 'grace@example.com', 'conn_emulator_okta'],
  ['provider', 'katherine@example.org', null],
];

for (const flow of ['pkce', 'implicit']) {
  for (const [kind, email, connection] of KINDS) {
    test(`${flow}: sign in with a ${kind} through the WorkOS page`, async () => {
      const page = await newPage();
      await openDemo(page, flow);
      const shot = (step) => page.screenshot({ path: join(SHOTS, `${flow}-${kind}-${step}.png`) });
      await shot('1-before');
      const before = await env.emulator.control('stats');
      await page.click(`#signin-${kind}`);
      await page.waitForURL(/\/sso\/authorize\?/);
      const workos = new URL(page.url());
      if (kind === 'provider') assert.equal(workos.searchParams.get('provider'), 'GoogleOAuth');
      else assert.equal(workos.searchParams.get(kind), kind === 'connection' ? 'conn_emulator_okta' : 'org_emulator_acme');
      await shot('2-workos');
      await page.click(`button[data-user-email="${email}"]`);
      await page.locator('#signed-in').waitFor({ state: 'visible' });
      await shot('3-signed-in');

      assert.equal(await page.textContent('#email'), email);
      const href = page.url();
      assert.equal(href, `${env.emulator.appUrl}/`, 'nothing of the callback left in the address bar');
      const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('sb-127-auth-token')));
      const user = await userFromServer(stored.access_token);
      assert.equal(user.id, await page.textContent('#user-id'));
      assert.equal(user.email, email);
      assert.deepEqual(stored.user, user, 'the stored user is what /auth/v1/user answers');
      if (connection) assert.equal(await page.textContent('#connection-id'), connection);
      const keys = await page.evaluate(() => Object.keys(localStorage).sort());
      assert.deepEqual(keys, ['demo-flow', 'sb-127-auth-token'], 'no verifier left behind');
      const after = await env.emulator.control('stats');
      assert.equal(JSON.stringify(after).length > 0, true);
      assert.deepEqual(
        page.logs.filter((l) => /Refused|Content Security Policy|error/i.test(l)),
        [],
        'no CSP violation or error in the console',
      );
      assert.notDeepEqual(before, after);
      await page.context().close();
    });
  }
}

test('a user who cancels at the WorkOS page sees the error, and the URL is clean', async () => {
  const page = await newPage();
  await openDemo(page, 'pkce');
  await page.click('#signin-connection');
  await page.waitForURL(/\/sso\/authorize\?/);
  await page.click('#cancel');
  await page.locator('#error').waitFor({ state: 'visible' });
  const error = await page.textContent('#error');
  assert.match(error, /^AuthImplicitGrantRedirectError: access_denied: /);
  assert.equal(page.url(), `${env.emulator.appUrl}/`);
  await page.screenshot({ path: join(SHOTS, 'pkce-cancelled.png') });
  const keys = await page.evaluate(() => Object.keys(localStorage));
  assert.ok(!keys.includes('sb-127-auth-token'));
  await page.context().close();
});

test('sign out ends the session on the server too', async () => {
  const page = await newPage();
  await openDemo(page, 'pkce');
  await page.click('#signin-connection');
  await page.waitForURL(/\/sso\/authorize\?/);
  await page.click('button[data-user-email="ada@example.com"]');
  await page.locator('#signed-in').waitFor({ state: 'visible' });
  const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('sb-127-auth-token')));
  await page.click('#signout');
  await page.locator('#signed-out').waitFor({ state: 'visible' });
  const res = await fetch(`${env.emulator.authUrl}/auth/v1/user`, {
    headers: { apikey: env.emulator.anonKey, authorization: `Bearer ${stored.access_token}` },
  });
  assert.equal(res.status, 403, 'the access token of a signed-out session is refused');
  assert.equal(await page.evaluate(() => localStorage.getItem('sb-127-auth-token')), null);
  await page.context().close();
});

for (const flow of ['pkce', 'implicit']) {
  test(`fidelity: unmodified supabase-js signs in against the emulator (${flow})`, async () => {
    copyFileSync(join(ROOT, 'node_modules/@supabase/supabase-js/dist/umd/supabase.js'), join(env.site, 'supabase.js'));
    writeFileSync(
      join(env.site, 'sbjs.html'),
      '<!doctype html><meta charset="utf-8"><title>supabase-js</title>' +
        '<script src="config.js"></script><script src="supabase.js"></script><script src="sbjs.js" defer></script>' +
        '<button id="go">Sign in</button><pre id="out"></pre>',
    );
    writeFileSync(
      join(env.site, 'sbjs.js'),
      `const flow = new URLSearchParams(location.search).get('flow') || sessionStorage.getItem('flow');
sessionStorage.setItem('flow', flow);
const sb = supabase.createClient(DEMO_CONFIG.supabaseUrl, DEMO_CONFIG.anonKey, { auth: { flowType: flow } });
document.getElementById('go').addEventListener('click', () => sb.auth.signInWithOAuth({
  provider: 'workos',
  options: { redirectTo: location.origin + '/sbjs.html', queryParams: { connection: DEMO_CONFIG.connection } },
}));
sb.auth.getSession().then(({ data, error }) => {
  document.getElementById('out').textContent = JSON.stringify({ email: data.session && data.session.user.email, error: error && error.message });
});
`,
    );
    const page = await newPage();
    await page.goto(`${env.emulator.appUrl}/sbjs.html?flow=${flow}`);
    await page.waitForFunction(() => document.getElementById('out').textContent !== '');
    await page.click('#go');
    await page.waitForURL(/\/sso\/authorize\?/);
    await page.click('button[data-user-email="ada@example.com"]');
    await page.waitForURL(/sbjs\.html/);
    await page.waitForFunction(() => document.getElementById('out').textContent.includes('ada@'), null, { timeout: 10000 });
    assert.deepEqual(JSON.parse(await page.textContent('#out')), { email: 'ada@example.com', error: null });
    await page.context().close();
  });
}
