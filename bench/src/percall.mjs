// Step 3: per-call cost of building an authorize URL, starting sign-in and parsing a callback
// URL, ours against auth-js, in a cross-origin isolated page (5 µs timer resolution).
import { randomUUID } from 'node:crypto';
import { implicitFragment } from './tokens.mjs';
import { median } from './stats.mjs';

/** name → [label, iterations, sides compared]; `js` is the plain-JS floor, not a library. */
export const CASES = {
  'authorize-url': { iterations: 20000, sides: ['ours', 'theirs', 'js'] },
  'signin-implicit': { iterations: 20000, sides: ['ours', 'theirs'] },
  'signin-pkce': { iterations: 5000, sides: ['ours', 'theirs'] },
  'parse-implicit': { iterations: 20000, sides: ['ours', 'theirs'] },
  'parse-pkce': { iterations: 20000, sides: ['ours', 'theirs'] },
};

async function isolatedPage(browser, site, name) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${site.url}/iso/${name}.html`);
  const isolated = await page.evaluate(() => globalThis.crossOriginIsolated);
  return { context, page, isolated };
}

/** The first use of the core (fresh page each time), and the two halves of loading it, replicated. */
async function coldStart(browser, site, samples) {
  const first = [];
  const second = [];
  const parts = { decode: [], compile: [], instantiate: [], call: [] };
  for (let i = 0; i < samples; i++) {
    {
      const { context, page } = await isolatedPage(browser, site, 'percall');
      const r = await page.evaluate(() => globalThis.__percall.cold());
      first.push(r.first);
      second.push(r.second);
      await context.close();
    }
    {
      const { context, page } = await isolatedPage(browser, site, 'cold-parts');
      const r = await page.evaluate(() => globalThis.__coldParts());
      for (const k of Object.keys(parts)) parts[k].push(r[k]);
      await context.close();
    }
  }
  return {
    samples,
    first: median(first),
    second: median(second),
    ...Object.fromEntries(Object.entries(parts).map(([k, xs]) => [k, median(xs)])),
  };
}

export async function perCall({ browser, site, rounds = 5, coldSamples = 10, log }) {
  const cold = await coldStart(browser, site, coldSamples);
  const { context, page, isolated } = await isolatedPage(browser, site, 'percall');
  try {
    const base = 'https://app.example.com/auth/callback';
    const implicitUrl = base + implicitFragment();
    const pkceUrl = `${base}?code=${randomUUID()}`;
    const sample = await page.evaluate(([a, b]) => globalThis.__percall.setup(a, b), [implicitUrl, pkceUrl]);
    const results = {};
    for (const [name, { iterations, sides }] of Object.entries(CASES)) {
      const warm = Math.max(500, iterations / 10);
      for (const side of sides) await page.evaluate(([n, s, k]) => globalThis.__percall.run(n, s, k), [name, side, warm]);
      const ns = Object.fromEntries(sides.map((s) => [s, []]));
      for (let r = 0; r < rounds; r++) {
        // Alternate which side goes first in each round.
        const order = r % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          ns[side].push(await page.evaluate(([n, s, k]) => globalThis.__percall.run(n, s, k), [name, side, iterations]));
        }
      }
      results[name] = { iterations, rounds, ns: Object.fromEntries(sides.map((s) => [s, median(ns[s])])), all: ns };
      if (log) log(`  per-call ${name}: ${sides.map((s) => `${s} ${results[name].ns[s].toFixed(0)} ns`).join(', ')}`);
    }
    return { isolated, cold, results, sample, urls: { implicitUrl, pkceUrl } };
  } finally {
    await context.close();
  }
}
