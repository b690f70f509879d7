// Step 2: time to session on a callback page, our package against auth-js, alternating A/B in
// pairs, a fresh browser context for every run.
import { randomBytes, randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../../scripts/lib/chromium.mjs';
import { implicitFragment } from './tokens.mjs';
import { median, medianInterval, p90 } from './stats.mjs';

export const LIBS = ['ours', 'authjs'];

/** Headless Chromium as the tests run it (scripts/lib/chromium.mjs). */
export const launchChromium = () => chromium.launch(chromiumLaunchOptions());

/** What a callback page tells the entries (`globalThis.BENCH_CONFIG`), for the auth server at `url`. */
export const callbackConfig = (url, flowType) => ({
  url,
  key: 'sb_publishable_bench_0123456789abcdef',
  storageKey: 'sb-bench-auth-token',
  connection: 'conn_01HBENCHCONNECTION0000000',
  flowType,
  redirectTo: 'http://127.0.0.1/cb',
});

/**
 * One run: a fresh context, a blank page of the site (so the renderer exists), then the callback
 * page. `probe` (bench/timeline's) adds `script`, run in the page before any of its own, and
 * `collect`, evaluated in the page at the end, whose answer is the result's `probe` member.
 */
export async function runOnce(browser, site, lib, variant, config, probe) {
  const context = await browser.newContext();
  try {
    if (probe) await context.addInitScript(probe.script);
    let url = `${site.url}/cb/${lib}.html`;
    if (variant === 'implicit') {
      url += implicitFragment();
    } else {
      // A PKCE callback: the verifier is where signInWithOAuth / signInWithWorkOS stored it
      // (JSON string under `<storageKey>-code-verifier`), put there before any page script runs.
      const verifier = randomBytes(56).toString('hex');
      await context.addInitScript(
        ([key, value]) => {
          if (location.pathname.startsWith('/cb/') && localStorage.getItem(key) === null) localStorage.setItem(key, value);
        },
        [`${config.storageKey}-code-verifier`, JSON.stringify(verifier)],
      );
      url += `?code=${randomUUID()}`;
    }
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${site.url}/blank.html`);
    const done = page.waitForEvent('console', { predicate: (m) => m.text() === 'bench:done', timeout: 15000 });
    await page.goto(url, { waitUntil: 'commit' });
    await done;
    const r = await page.evaluate(() => globalThis.__bench);
    if (probe) r.probe = await page.evaluate(probe.collect);
    if (errors.length) r.pageErrors = errors;
    return r;
  } catch (e) {
    return { ok: false, error: String(e) };
  } finally {
    await context.close();
  }
}

/**
 * Whether a run counts: it ended with the session and exactly one auth request, GET /user for an
 * implicit callback and POST /token for PKCE.
 */
export function validRun(variant) {
  const expected = variant === 'implicit' ? '/auth/v1/user' : '/auth/v1/token?grant_type=pkce';
  return (r) => r.ok && r.requests?.length === 1 && r.requests[0] === expected;
}

/**
 * `pairs` measured pairs after `warmup` discarded ones; pair i runs ours first when i is even,
 * auth-js first when odd. A run counts only when it ended with the session and exactly one
 * auth request (GET /user for implicit, POST /token for PKCE).
 */
export async function timeToSession({ browser, site, variant, config, pairs, warmup, log }) {
  const runs = { ours: [], authjs: [] };
  const failures = [];
  const valid = validRun(variant);
  const pairRatios = { toSession: [], lib: [] };
  for (let i = 0; i < warmup + pairs; i++) {
    const order = i % 2 === 0 ? LIBS : [...LIBS].reverse();
    const pair = {};
    for (const lib of order) pair[lib] = await runOnce(browser, site, lib, variant, config);
    if (i < warmup) continue;
    for (const lib of LIBS) {
      if (valid(pair[lib])) runs[lib].push(pair[lib]);
      else failures.push({ lib, run: pair[lib] });
    }
    if (valid(pair.ours) && valid(pair.authjs)) {
      pairRatios.toSession.push(pair.ours.toSession / pair.authjs.toSession);
      pairRatios.lib.push(pair.ours.lib / pair.authjs.lib);
    }
    if (log && (i - warmup + 1) % 10 === 0) log(`  ${variant}: ${i - warmup + 1}/${pairs} pairs`);
  }
  if (runs.ours.length === 0 || runs.authjs.length === 0) {
    throw new Error(`time to session (${variant}): no valid run; first failures: ${JSON.stringify(failures.slice(0, 2))}`);
  }
  const summary = (lib, key) => ({ median: median(runs[lib].map((r) => r[key])), p90: p90(runs[lib].map((r) => r[key])) });
  return {
    variant,
    n: { ours: runs.ours.length, authjs: runs.authjs.length, pairs: pairRatios.lib.length },
    failures,
    toSession: {
      ours: summary('ours', 'toSession'),
      authjs: summary('authjs', 'toSession'),
      pairRatio: median(pairRatios.toSession),
      pairInterval: medianInterval(pairRatios.toSession),
    },
    lib: { ours: summary('ours', 'lib'), authjs: summary('authjs', 'lib'), pairRatio: median(pairRatios.lib), pairInterval: medianInterval(pairRatios.lib) },
    wire: { ours: summary('ours', 'wire'), authjs: summary('authjs', 'wire') },
    libStart: { ours: summary('ours', 'libStart'), authjs: summary('authjs', 'libStart') },
    runs,
  };
}
