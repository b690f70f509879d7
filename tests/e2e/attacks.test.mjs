// The attacks a sign-in library must refuse, end to end against the emulator. Each test writes
// its row to artifacts/reliability/attacks.md (scripts/reliability puts them in the README).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CSP } from '../../scripts/lib/emulator.mjs';
import { emulatorEnv } from './env.mjs';

const rows = [];
const env = emulatorEnv(['--auto-sign-in', '--app-header', `Content-Security-Policy: ${CSP}`], { file: 'attacks.md', header: ['| attack | refusal |', '|---|---|'], rows });

async function openTab(context, query = '') {
  const page = await context.newPage();
  page.dialogs = [];
  page.on('dialog', (d) => {
    page.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  await page.goto(`${env.emulator.appUrl}/tab.html${query}`);
  await page.evaluate(() => window.initialized);
  return page;
}

/**
 * The attacker's own PKCE sign-in, run outside any browser: follows the redirects from
 * /authorize through the emulated WorkOS back to the app, and returns the app URL with the code.
 */
async function attackersPkceCallback() {
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
  let url =
    `${env.emulator.authUrl}/auth/v1/authorize?provider=workos&connection=conn_emulator_okta` +
    `&login_hint=grace%40example.com&redirect_to=${encodeURIComponent(`${env.emulator.appUrl}/tab.html`)}` +
    `&code_challenge=${challenge}&code_challenge_method=s256`;
  for (let hop = 0; hop < 10 && !url.startsWith(env.emulator.appUrl); hop++) {
    const res = await fetch(url, { redirect: 'manual' });
    url = new URL(res.headers.get('location'), url).href;
  }
  return url;
}

test('login CSRF: the attacker\'s implicit callback opened in the victim\'s browser', async () => {
  const context = await env.browser.newContext();
  const victim = await openTab(context, '?flow=implicit');
  await victim.evaluate(() => auth.signInWithWorkOS({ connection: 'conn_emulator_okta', loginHint: 'ada@example.com', redirectTo: location.href }));
  await victim.waitForFunction(() => window.events && window.events.some((e) => e.event === 'SIGNED_IN'));
  const before = await victim.evaluate(() => localStorage.getItem('sb-127-auth-token'));
  // The attacker's tokens arrive in a fragment (the page is not reloaded for a fragment change, so
  // open it as a new page of the victim's browser, the way a link would).
  const forged = `${env.emulator.appUrl}/tab.html?flow=implicit#access_token=${'x'.repeat(20)}.e30.sig&expires_in=3600&refresh_token=attacker&token_type=bearer`;
  const page = await context.newPage();
  await page.goto(forged);
  const error = await page.evaluate(async () => {
    const { error } = await window.initialized;
    return error && { name: error.name, code: error.code };
  });
  assert.deepEqual(error, { name: 'AuthImplicitGrantRedirectError', code: 'unsolicited_callback' });
  assert.equal(await page.evaluate(() => localStorage.getItem('sb-127-auth-token')), before, 'the victim stays the victim');
  assert.ok(!page.url().includes('access_token'));
  rows.push(['login CSRF: an attacker\'s implicit callback URL opened in the victim\'s browser', '`unsolicited_callback`; the victim\'s session untouched; the tokens leave the address bar unused']);
  await context.close();
});

test('a forged PKCE callback: the attacker\'s code in the victim\'s browser', async () => {
  const forged = await attackersPkceCallback();
  const code = new URL(forged).searchParams.get('code');
  assert.ok(code, 'the attacker got a code');
  const context = await env.browser.newContext();
  const victim = await openTab(context);
  // The victim started a sign-in of their own (so a verifier is stored), then follows the link.
  await victim.evaluate(() => auth.signInWithWorkOS({ connection: 'conn_emulator_okta', skipBrowserRedirect: true }));
  const page = await context.newPage();
  await page.goto(`${env.emulator.appUrl}/tab.html?code=${code}`);
  const out = await page.evaluate(async () => {
    const { error } = await window.initialized;
    return { error: error && { name: error.name, code: error.code }, stored: localStorage.getItem('sb-127-auth-token') };
  });
  assert.deepEqual(out.error, { name: 'AuthApiError', code: 'bad_code_verifier' });
  assert.equal(out.stored, null, 'nothing stored');
  rows.push(['a forged PKCE callback (the attacker\'s code, the victim\'s verifier)', 'the server refuses it (`bad_code_verifier`); nothing stored; the verifier is spent']);
  await context.close();
});

test('script in an error description is shown as text on the demo page', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  const dialogs = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  const payload = encodeURIComponent('<img src=x onerror="alert(1)"><script>alert(2)</script>');
  await page.goto(`${env.emulator.appUrl}/?error=access_denied&error_description=${payload}`);
  await page.locator('#error').waitFor({ state: 'visible' });
  const shown = await page.textContent('#error');
  assert.ok(shown.includes('<img src=x onerror="alert(1)">'), 'shown as text');
  assert.equal(await page.locator('#error img, #error script').count(), 0, 'no element created');
  await page.waitForTimeout(300);
  assert.deepEqual(dialogs, []);
  assert.equal(page.url(), `${env.emulator.appUrl}/`);
  rows.push(['`error_description` holding `<img onerror>` and `<script>` on the demo page', 'rendered as text (no element, no script run), under the strict CSP']);
  await context.close();
});

test('a token URL is not reachable with Back after a sign-in', async () => {
  const context = await env.browser.newContext();
  const page = await openTab(context, '?flow=implicit');
  await page.evaluate(() => auth.signInWithWorkOS({ connection: 'conn_emulator_okta', redirectTo: location.href }));
  await page.waitForFunction(() => window.events && window.events.some((e) => e.event === 'SIGNED_IN'));
  const visited = [];
  for (let i = 0; i < 4; i++) {
    visited.push(page.url());
    const back = await page.goBack().catch(() => null);
    if (!back) break;
  }
  visited.push(page.url());
  assert.ok(visited.every((u) => !u.includes('access_token') && !u.includes('refresh_token')), visited.join('\n'));
  rows.push(['going Back through history after an implicit sign-in', 'no history entry holds a token (the callback URL was replaced)']);
  await context.close();
});

test('parameter pollution: an auth key twice in the callback', async () => {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(`${env.emulator.appUrl}/tab.html?flow=implicit#access_token=a.b.c&access_token=d.e.f&refresh_token=r&token_type=bearer&expires_in=60`);
  const error = await page.evaluate(async () => {
    const { error } = await window.initialized;
    return error && error.code;
  });
  assert.equal(error, 'invalid_callback');
  rows.push(['parameter pollution: `access_token` twice in one callback', '`invalid_callback`; nothing stored, no request made']);
  await context.close();
});
