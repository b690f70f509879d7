// scripts/demo pointed at a real project (SUPABASE_URL and SUPABASE_ANON_KEY): nothing of the
// emulator's reaches the page, only the WorkOS ids given are offered, and a sign-in goes to that
// project. No network is needed: the project's authorize endpoint is answered in the browser.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { ROOT } from '../../scripts/lib/emulator.mjs';
import { launchBrowser } from '../js/harness.mjs';

const PROJECT = 'https://abcdefghijklmnop.supabase.co';

const freePort = () =>
  new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });

let browser;
after(() => browser?.close());

test('scripts/demo refuses one of SUPABASE_URL and SUPABASE_ANON_KEY without the other', () => {
  for (const env of [{ SUPABASE_URL: PROJECT }, { SUPABASE_ANON_KEY: 'anon-key' }]) {
    const r = spawnSync('bash', ['scripts/demo'], { cwd: ROOT, env: { ...process.env, SUPABASE_URL: '', SUPABASE_ANON_KEY: '', ...env }, encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /set both SUPABASE_URL and SUPABASE_ANON_KEY/);
  }
});

test('the demo against a project offers only the WorkOS ids given, and signs in there', async () => {
  const port = await freePort();
  const demo = spawn('node', ['scripts/demo.mjs'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), SUPABASE_URL: PROJECT, SUPABASE_ANON_KEY: 'anon-key', DEMO_ORGANIZATION: 'org_01DEMOTEST', DEMO_CONNECTION: '', DEMO_PROVIDER: '' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const printed = [];
    await new Promise((ok, fail) => {
      demo.once('exit', (code) => fail(new Error(`demo exited ${code}: ${printed.join('\n')}`)));
      createInterface({ input: demo.stdout }).on('line', (line) => {
        printed.push(line);
        if (line.includes('Ctrl-C')) ok();
      });
    });
    assert.ok(printed.some((l) => l.includes(`add http://127.0.0.1:${port}/** to the project's redirect allow list`)), printed.join('\n'));
    browser ??= await launchBrowser();
    const page = await browser.newPage();
    const config = await (await fetch(`http://127.0.0.1:${port}/config.js`)).text();
    assert.ok(!/emulator|127\.0\.0\.1:54321/.test(config), `no emulator id or URL: ${config}`);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('#signed-out:not([hidden])');
    const buttons = await page.evaluate(() => [...document.querySelectorAll('#signed-out button')].map((b) => [b.id, b.hidden]));
    assert.deepEqual(buttons, [['signin-connection', true], ['signin-organization', false], ['signin-provider', true]]);
    let authorize;
    await page.route(`${PROJECT}/**`, (route) => {
      authorize = route.request().url();
      return route.fulfill({ status: 200, contentType: 'text/plain', body: 'the project' });
    });
    await page.click('#signin-organization');
    await page.waitForURL(`${PROJECT}/**`);
    const url = new URL(authorize);
    assert.equal(url.origin + url.pathname, `${PROJECT}/auth/v1/authorize`);
    assert.equal(url.searchParams.get('provider'), 'workos');
    assert.equal(url.searchParams.get('organization'), 'org_01DEMOTEST');
    assert.equal(url.searchParams.get('redirect_to'), `http://127.0.0.1:${port}/`);
    assert.ok(url.searchParams.get('code_challenge'), 'PKCE by default');
    await page.close();
  } finally {
    demo.kill('SIGTERM');
  }
});
