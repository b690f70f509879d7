// bench/ab's driver: the library's own time and the time to session of two builds of this
// package (A and B, each a copy of target/pkg-stage), in pairs on one callback page, alternating
// which goes first; prints the medians and the median of the per-pair ratios B ÷ A with its 95%
// interval. For changes too small to see in bench/run's comparison with auth-js, whose own
// variation is of the same size.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { BENCH, ESBUILD } from './build.mjs';
import { startAuth, startSite } from './servers.mjs';
import { median, medianInterval } from './stats.mjs';
import { callbackConfig, launchChromium, runOnce, validRun } from './timing.mjs';

const usage = 'usage: bench/ab [--pairs N] [--variant implicit|pkce|both] DIR_A DIR_B (each a copy of target/pkg-stage)';
const args = process.argv.slice(2);
const opts = { pairs: 30, variant: 'both' };
const dirs = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--pairs') opts.pairs = Number(args[++i]);
  else if (args[i] === '--variant') opts.variant = args[++i];
  else dirs.push(resolve(args[i]));
}
if (dirs.length !== 2 || !(opts.pairs > 0) || !['implicit', 'pkce', 'both'].includes(opts.variant)) {
  console.error(usage);
  process.exit(2);
}
for (const dir of dirs) {
  if (!(await stat(join(dir, 'index.js')).catch(() => null))) {
    console.error(`bench/ab: ${dir}/index.js is missing\n${usage}`);
    process.exit(2);
  }
}

// The timing entry, bundled once against each build; the site serves them as /cb/a.html, /cb/b.html.
const out = await mkdtemp(join(tmpdir(), 'bench-ab-'));
let auth;
let browser;
const fmt = (x) => x.toFixed(2);
try {
  for (const [name, dir] of [['a', dirs[0]], ['b', dirs[1]]]) {
    await build({
      ...ESBUILD,
      entryPoints: [join(BENCH, 'entries', 'time-ours.js')],
      outfile: join(out, `time-${name}.js`),
      absWorkingDir: BENCH,
      plugins: [{ name: 'build-under-test', setup: (b) => b.onResolve({ filter: /^supabase-workos$/ }, () => ({ path: join(dir, 'index.js') })) }],
    });
  }

  auth = await startAuth();
  browser = await launchChromium();
  for (const variant of opts.variant === 'both' ? ['implicit', 'pkce'] : [opts.variant]) {
    const config = callbackConfig(auth.url, variant);
    const site = await startSite({ bundleDir: out, config });
    const valid = validRun(variant);
    const ratios = { lib: [], toSession: [] };
    const runs = { a: [], b: [] };
    let failed = 0;
    // Two warm-up pairs, then the measured ones; A first in even pairs, B first in odd ones.
    for (let i = 0; i < opts.pairs + 2; i++) {
      const pair = {};
      for (const lib of i % 2 ? ['b', 'a'] : ['a', 'b']) pair[lib] = await runOnce(browser, site, lib, variant, config);
      if (i < 2) continue;
      // As in bench/run: a session with a user, and exactly the one auth request expected.
      if (!valid(pair.a) || !valid(pair.b)) {
        failed++;
        continue;
      }
      runs.a.push(pair.a);
      runs.b.push(pair.b);
      for (const k of ['lib', 'toSession']) ratios[k].push(pair.b[k] / pair.a[k]);
    }
    await site.close();
    if (ratios.lib.length === 0) throw new Error(`bench/ab: no valid pair for ${variant} (${failed} failed)`);
    for (const k of ['lib', 'toSession']) {
      const [lo, hi] = medianInterval(ratios[k]);
      const a = median(runs.a.map((r) => r[k]));
      const b = median(runs.b.map((r) => r[k]));
      console.log(`${variant} ${k === 'lib' ? "library's own time" : 'navigation start → session'}: A ${a.toFixed(1)} ms, B ${b.toFixed(1)} ms, B ÷ A ${fmt(median(ratios[k]))} [${fmt(lo)}–${fmt(hi)}] (${ratios[k].length} pairs${failed ? `, ${failed} failed` : ''})`);
    }
  }
} finally {
  await browser?.close();
  await auth?.close();
  await rm(out, { recursive: true, force: true });
}
