// The package as a user gets it: the packed tarball's script tag and the Vite example built from
// the tarball, served under a strict Content-Security-Policy, in Chromium and Firefox.
//
// Needs scripts/test-package to have packed and unpacked the tarball and installed the Vite
// example into PACKAGE_TEST_DIR (default target/package-test). With SUPABASE_URL (and
// SUPABASE_ANON_KEY) set, also signs in through that Supabase Auth (the local emulator run with
// --auto-sign-in and an allow list that takes http://127.0.0.1:*/**).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { cp, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT, startServer } from '../js/harness.mjs';
import { ENGINES, launch } from './engines.mjs';
import { startFakeSupabase, fakeUser } from './fake-supabase.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const WORK = process.env.PACKAGE_TEST_DIR ?? join(ROOT, 'target/package-test');
const UNPACKED = join(WORK, 'unpacked/package');
const VITE_APP = join(WORK, 'vite-app');
const SITE = join(WORK, 'site');
const EMULATOR = process.env.SUPABASE_URL;

const STRICT = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self' http://127.0.0.1:*";
const WITHOUT_WASM = "default-src 'self'; script-src 'self'; connect-src 'self' http://127.0.0.1:*";

const challengeOf = (verifier) => createHash('sha256').update(verifier).digest('base64url');
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

let fake;
let strict;
let withoutWasm;
let appPath;
let emulatorAppPath;

function viteBuild(outDir, env) {
  execFileSync(join(VITE_APP, 'node_modules/.bin/vite'), ['build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], {
    cwd: VITE_APP,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

before(async () => {
  assert.ok(relative(ROOT, WORK) && !relative(ROOT, WORK).startsWith('..'), 'PACKAGE_TEST_DIR must be inside the repository');
  await stat(join(UNPACKED, 'dist/supabase-workos.js')).catch(() => {
    throw new Error(`${UNPACKED} is missing: run scripts/test-package`);
  });
  await rm(SITE, { recursive: true, force: true });
  await mkdir(join(SITE, 'script'), { recursive: true });
  for (const f of ['index.html', 'page.js', 'inline.html', 'favicon.svg']) await cp(join(HERE, 'pages', f), join(SITE, 'script', f));
  await cp(join(UNPACKED, 'dist/supabase-workos.js'), join(SITE, 'script/supabase-workos.js'));

  fake = await startFakeSupabase();
  const report = `; report-uri ${fake.url}/csp-report`;
  strict = await startServer({ headers: { 'content-security-policy': STRICT + report } });
  withoutWasm = await startServer({ headers: { 'content-security-policy': WITHOUT_WASM + report } });

  viteBuild(join(SITE, 'app'), { VITE_SUPABASE_URL: fake.url, VITE_SUPABASE_ANON_KEY: 'anon-key' });
  appPath = `/${relative(ROOT, join(SITE, 'app'))}/`;
  if (EMULATOR) {
    viteBuild(join(SITE, 'app-emulator'), {
      VITE_SUPABASE_URL: EMULATOR,
      VITE_SUPABASE_ANON_KEY: process.env.SUPABASE_ANON_KEY ?? '',
    });
    emulatorAppPath = `/${relative(ROOT, join(SITE, 'app-emulator'))}/`;
  }
});

after(async () => {
  await strict?.close();
  await withoutWasm?.close();
  await fake?.close();
});

const scriptPage = () => `/${relative(ROOT, join(SITE, 'script'))}/index.html`;

/** Waits long enough for a CSP report to arrive, then returns those from the page at `url`. */
async function reportsFor(url) {
  await sleep(300);
  const page = url.split('#')[0];
  return fake.cspReports.filter((r) => String(r['csp-report']?.['document-uri']).split('#')[0] === page);
}

test('the Vite build has no inline script or style', async () => {
  const html = await readFile(join(SITE, 'app/index.html'), 'utf8');
  assert.match(html, /<script type="module" crossorigin src="\.\/assets\/[^"]+\.js"><\/script>/);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'an inline <script>');
  assert.doesNotMatch(html, /<style|\sstyle=/, 'an inline style');
});

for (const engine of ENGINES) {
  describe(engine, () => {
    let browser;
    before(async () => {
      browser = await launch(engine);
    });
    after(async () => {
      await browser?.close();
    });

    test('control: the CSP refuses an inline script, and the test sees the refusal', async () => {
      const url = `${strict.url}/${relative(ROOT, join(SITE, 'script'))}/inline.html`;
      const page = await browser.open(url);
      try {
        const seen = await page.waitFor(
          () => (window.cspViolations.length ? { title: document.title, violations: window.cspViolations } : null),
          undefined,
          'the page to see a violation',
        );
        assert.notEqual(seen.title, 'inline script ran');
        assert.match(seen.violations.join('\n'), /script-src/);
        let reports = [];
        for (let i = 0; i < 20 && !reports.length; i++) reports = await reportsFor(url);
        assert.ok(reports.length > 0, 'the browser sent a CSP report');
        if (page.consoleVisible) assert.match(page.logs.join('\n'), /Content Security Policy/);
      } finally {
        await page.close();
      }
    });

    test("control: without 'wasm-unsafe-eval' the package cannot start, so the policy is in force", async () => {
      const url = withoutWasm.url + scriptPage();
      const page = await browser.open(url);
      try {
        const out = await page.waitFor(
          () => document.getElementById('out').textContent,
          undefined,
          'the page script to run',
        );
        assert.match(out, /^failed: /);
        let reports = [];
        for (let i = 0; i < 20 && !reports.length; i++) reports = await reportsFor(url);
        assert.equal(reports[0]?.['csp-report']?.['blocked-uri'], 'wasm-eval');
      } finally {
        await page.close();
      }
    });

    test('script tag under a strict CSP: signInWithWorkOS returns the authorize URL', async () => {
      const url = strict.url + scriptPage();
      const page = await browser.open(url);
      try {
        const redirectTo = `${strict.url}/callback`;
        const out = await page.run(
          async ({ supabaseUrl, redirectTo }) => {
            const auth = window.SupabaseWorkOS.createClient(supabaseUrl, 'anon-key');
            const result = await auth.signInWithWorkOS({ connection: 'conn_1', redirectTo, skipBrowserRedirect: true });
            return {
              result,
              storageKey: auth.storageKey,
              verifier: localStorage.getItem(`${auth.storageKey}-code-verifier`),
              out: document.getElementById('out').textContent,
              href: location.href,
              violations: window.cspViolations,
            };
          },
          { supabaseUrl: fake.url, redirectTo },
        );
        assert.equal(out.out, 'sb-127-auth-token', 'the page script used the global without init');
        assert.equal(out.storageKey, 'sb-127-auth-token');
        const verifier = JSON.parse(out.verifier);
        assert.match(verifier, /^[0-9a-f]{112}$/);
        assert.deepEqual(out.result, {
          provider: 'workos',
          url:
            `${fake.url}/auth/v1/authorize?provider=workos&redirect_to=${encodeURIComponent(redirectTo)}` +
            `&code_challenge=${challengeOf(verifier)}&code_challenge_method=s256&connection=conn_1`,
        });
        assert.equal(out.href, url, 'skipBrowserRedirect: no navigation');
        assert.deepEqual(out.violations, []);
        assert.deepEqual(await reportsFor(url), []);
        assert.deepEqual(page.logs, []);
      } finally {
        await page.close();
      }
    });

    test('script tag under a strict CSP: handleRedirectCallback stores the session of an implicit callback', async () => {
      const url = strict.url + scriptPage();
      const page = await browser.open(url);
      try {
        const s = fake.mintSession();
        const params = `${new URLSearchParams({
          access_token: s.access_token,
          expires_at: String(s.expires_at),
          expires_in: '3600',
          provider_token: 'workos-provider-token',
          refresh_token: s.refresh_token,
          token_type: 'bearer',
        })}`;
        const before = fake.seen.length;
        const out = await page.run(
          async ({ supabaseUrl, params }) => {
            const auth = window.SupabaseWorkOS.createClient(supabaseUrl, 'anon-key', {
              flowType: 'implicit',
              detectSessionInUrl: false,
            });
            const events = [];
            auth.onAuthStateChange((event, session) => events.push([event, session && session.user.email]));
            // The sign-in this callback answers (an implicit callback nobody started is refused):
            // Supabase Auth sends the tokens after the redirect_to it was given, nonce included.
            const { url } = await auth.signInWithWorkOS({ connection: 'conn_1', redirectTo: location.href, skipBrowserRedirect: true });
            const callback = `${new URL(url).searchParams.get('redirect_to')}#${params}`;
            const session = await auth.handleRedirectCallback(callback);
            const stored = JSON.parse(localStorage.getItem(auth.storageKey));
            const current = await auth.getSession();
            return { session, stored, current, events, violations: window.cspViolations };
          },
          { supabaseUrl: fake.url, params },
        );
        const expected = {
          access_token: s.access_token,
          token_type: 'bearer',
          expires_in: 3600,
          expires_at: s.expires_at,
          refresh_token: s.refresh_token,
          user: fakeUser(),
          provider_token: 'workos-provider-token',
        };
        assert.deepEqual(out.session, expected);
        assert.deepEqual(out.stored, expected, 'stored in localStorage under the storage key');
        assert.deepEqual(out.current, expected);
        assert.deepEqual(
          out.events.filter(([e]) => e === 'SIGNED_IN'),
          [['SIGNED_IN', 'ada@example.com']],
        );
        const calls = fake.seen.slice(before);
        assert.deepEqual(
          calls.map((c) => `${c.method} ${new URL(c.url).pathname}`),
          ['GET /auth/v1/user'],
        );
        assert.equal(calls[0].headers.authorization, `Bearer ${s.access_token}`);
        assert.equal(calls[0].headers.apikey, 'anon-key');
        assert.deepEqual(out.violations, []);
        assert.deepEqual(await reportsFor(url), []);
        assert.deepEqual(page.logs, []);
      } finally {
        await page.close();
      }
    });

    test('the Vite example under a strict CSP: sign in with each selector kind, ask the server, sign out', async () => {
      const url = strict.url + appPath;
      const page = await browser.open(url);
      const status = () => document.getElementById('status').textContent;
      try {
        await page.waitFor(async () => document.getElementById('status').textContent === 'Signed out', undefined, 'Signed out');
        const kinds = [
          ['#sign-in-connection', 'connection', 'conn_emulator_okta'],
          ['#sign-in-organization', 'organization', 'org_emulator_acme'],
          ['#sign-in-provider', 'workos_provider', 'GoogleOAuth'],
        ];
        for (const [button, param, value] of kinds) {
          const before = fake.seen.length;
          await page.click(button);
          await page.waitFor(
            () => document.getElementById('status').textContent.startsWith('Signed in as '),
            undefined,
            `signed in with ${param}`,
          );
          assert.equal(await page.run(status), 'Signed in as ada@example.com');
          assert.equal(await page.url(), url, 'the code is gone from the address bar');
          const calls = fake.seen.slice(before);
          assert.deepEqual(
            calls.map((c) => `${c.method} ${new URL(c.url).pathname}`),
            ['GET /auth/v1/authorize', 'POST /auth/v1/token'],
          );
          const authorize = new URL(calls[0].url).searchParams;
          assert.equal(authorize.get(param), value);
          assert.equal(authorize.get('redirect_to'), url);
          assert.equal(authorize.get('code_challenge_method'), 's256');
          assert.equal(calls[1].headers.apikey, 'anon-key');

          await page.click('#get-user');
          const userJson = await page.waitFor(
            () => document.getElementById('user-json').textContent,
            undefined,
            'the user from the server',
          );
          assert.deepEqual(JSON.parse(userJson), fakeUser());
          assert.equal(await page.run(() => document.getElementById('user-email').textContent), 'ada@example.com');
          assert.equal(await page.run(() => document.getElementById('user-organization').textContent), 'org_1');

          await page.click('#sign-out');
          await page.waitFor(
            () => document.getElementById('status').textContent === 'Signed out',
            undefined,
            'signed out',
          );
          assert.equal(fake.seen.at(-1).method + ' ' + new URL(fake.seen.at(-1).url).pathname, 'POST /auth/v1/logout');
          assert.equal(await page.run(() => localStorage.getItem('sb-127-auth-token')), null);
        }
        assert.equal(await page.run(() => document.getElementById('error').hidden), true, 'no error shown');
        assert.deepEqual(await reportsFor(url), []);
        assert.deepEqual(page.logs, []);
      } finally {
        await page.close();
      }
    });

    test('the Vite example signs in through the Supabase Auth at SUPABASE_URL', { skip: !EMULATOR && 'SUPABASE_URL is not set' }, async () => {
      const url = strict.url + emulatorAppPath;
      const page = await browser.open(url);
      try {
        await page.waitFor(() => document.getElementById('status').textContent === 'Signed out', undefined, 'Signed out');
        await page.click('#sign-in-connection');
        const signedIn = await page.waitFor(
          () => {
            const s = document.getElementById('status').textContent;
            const e = document.getElementById('error');
            return s.startsWith('Signed in as ') || !e.hidden ? `${s} ${e.hidden ? '' : e.textContent}` : null;
          },
          undefined,
          'the sign-in through SUPABASE_URL',
          30000,
        );
        // --auto-sign-in signs the connection's first user in: Ada, in the emulator's example directory.
        assert.equal(signedIn.trim(), 'Signed in as ada@example.com');
        assert.equal(await page.url(), url, 'the code is gone from the address bar');
        await page.click('#get-user');
        const user = JSON.parse(
          await page.waitFor(() => document.getElementById('user-json').textContent, undefined, 'the user'),
        );
        assert.equal(user.email, 'ada@example.com');
        assert.equal(user.app_metadata.provider, 'workos');
        await page.click('#sign-out');
        await page.waitFor(() => document.getElementById('status').textContent === 'Signed out', undefined, 'signed out');
        assert.deepEqual(await reportsFor(url), []);
        assert.deepEqual(page.logs, []);
      } finally {
        await page.close();
      }
    });
  });
}
