// bench/timeline's driver: where each library's time goes on a callback page. Before any page
// script runs, the browser calls that both libraries make (fetch and its answer, storage,
// history, BroadcastChannel, Web Locks, and the wasm module's compile and instantiation) are
// wrapped, and the first animation frames, DOMContentLoaded and load are noted; each run records
// when each call started and how long it took, from the library's first line (the
// `bench:lib-start` mark), beside the auth request's own phases from Resource Timing. Prints, per
// library, the median start and duration of every call seen in at least half of the runs, and how
// long the answer's first byte waited for `fetch` to settle with and without a frame in between.
// It reports where time goes; bench/run gives the ratios.
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildAll, snapshot } from './build.mjs';
import { startAuth, startSite } from './servers.mjs';
import { median } from './stats.mjs';
import { LIBS, callbackConfig, launchChromium, runOnce, validRun } from './timing.mjs';

const usage = 'usage: bench/timeline [--runs N] [--variant implicit|pkce|both]';
const args = process.argv.slice(2);
const opts = { runs: 15, variant: 'both' };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') opts.runs = Number(args[++i]);
  else if (args[i] === '--variant') opts.variant = args[++i];
  else opts.bad = true;
}
if (opts.bad || !(opts.runs > 0) || !['implicit', 'pkce', 'both'].includes(opts.variant)) {
  console.error(usage);
  process.exit(2);
}

/** Runs in the page before its scripts: wraps the calls, records [name, start, end] in __timeline. */
function wrapCalls() {
  const log = (globalThis.__timeline = []);
  const now = () => performance.now();
  // Storage keys that hold random text (auth-js's `lswt-<random>` probe) are named by their prefix.
  const label = (name, a) => (typeof a === 'string' ? `${name} ${a.replace(/[0-9.]{8,}.*$/, '*').slice(0, 48)}` : name);
  const wrap = (owner, method, name, settles) => {
    const f = owner?.[method];
    if (typeof f !== 'function') return;
    owner[method] = function (...a) {
      const t0 = now();
      try {
        const r = f.apply(this, a);
        if (settles && r && typeof r.then === 'function') {
          const done = () => log.push([`${label(name, a[0]).split(' ')[0]} settled`, now(), now()]);
          r.then(done, done);
        }
        return r;
      } finally {
        log.push([label(name, a[0]), t0, now()]);
      }
    };
  };
  const construct = (owner, key, name) => {
    const C = owner?.[key];
    if (typeof C !== 'function') return;
    owner[key] = new Proxy(C, {
      construct(target, a, newTarget) {
        const t0 = now();
        try {
          return Reflect.construct(target, a, newTarget);
        } finally {
          log.push([name, t0, now()]);
        }
      },
    });
  };
  wrap(globalThis, 'fetch', 'fetch', true);
  wrap(Response.prototype, 'text', 'response.text', true);
  wrap(Response.prototype, 'json', 'response.json', true);
  wrap(Storage.prototype, 'getItem', 'getItem');
  wrap(Storage.prototype, 'setItem', 'setItem');
  wrap(Storage.prototype, 'removeItem', 'removeItem');
  wrap(History.prototype, 'replaceState', 'history.replaceState');
  wrap(globalThis.LockManager?.prototype, 'request', 'locks.request', true);
  wrap(globalThis.BroadcastChannel?.prototype, 'postMessage', 'BroadcastChannel.postMessage');
  construct(globalThis, 'BroadcastChannel', 'new BroadcastChannel');
  construct(WebAssembly, 'Module', 'new WebAssembly.Module');
  construct(WebAssembly, 'Instance', 'new WebAssembly.Instance');
  // The page's first rendering frames (style, layout, paint, then a commit that holds the main
  // thread): when one lands as the answer arrives, the answer waits for it.
  let frames = 0;
  const frame = () => {
    log.push(['animation frame', now(), now()]);
    if (++frames < 4) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  document.addEventListener('DOMContentLoaded', () => log.push(['DOMContentLoaded', now(), now()]));
  addEventListener('load', () => log.push(['load', now(), now()]));
}

/** Evaluated in the page at the end of a run: the calls and the request's phases, from lib-start. */
function collect() {
  const start = performance.getEntriesByName('bench:lib-start')[0].startTime;
  const end = performance.getEntriesByName('bench:session')[0]?.startTime;
  const rows = globalThis.__timeline.filter(([, t0]) => t0 >= start).map(([n, a, b]) => [n, a - start, b - start]);
  for (const e of performance.getEntriesByType('resource').filter((x) => /\/auth\/v1\//.test(x.name))) {
    const path = e.name.replace(/^.*\/auth\/v1/, '').replace(/\?.*$/, '');
    for (const k of ['startTime', 'requestStart', 'responseStart', 'responseEnd']) rows.push([`${path} ${k}`, e[k] - start, e[k] - start]);
  }
  if (end !== undefined) rows.push(['session available', end - start, end - start]);
  return rows;
}

const ms = (x) => x.toFixed(1).padStart(6);

const snap = await snapshot();
const out = await mkdtemp(join(tmpdir(), 'bench-timeline-'));
process.on('exit', () => {
  rmSync(snap.dir, { recursive: true, force: true });
  rmSync(out, { recursive: true, force: true });
});
await buildAll(snap, out);
const auth = await startAuth();
const browser = await launchChromium();
try {
  for (const variant of opts.variant === 'both' ? ['implicit', 'pkce'] : [opts.variant]) {
    const config = callbackConfig(auth.url, variant);
    const site = await startSite({ bundleDir: out, config });
    const valid = validRun(variant);
    const runs = { ours: [], authjs: [] };
    // One warm-up pair, then the runs, alternating which library goes first.
    for (let i = 0; i <= opts.runs; i++) {
      for (const lib of i % 2 ? [...LIBS].reverse() : LIBS) {
        const r = await runOnce(browser, site, lib, variant, config, { script: wrapCalls, collect });
        if (i === 0) continue;
        if (!valid(r) || !r.probe) throw new Error(`bench/timeline: a ${lib} ${variant} run failed: ${r.error ?? JSON.stringify(r.pageErrors ?? r)}`);
        runs[lib].push(r);
      }
    }
    await site.close();
    for (const lib of LIBS) {
      // The n-th call of a name in one run lines up with the n-th call of it in the others.
      const byKey = new Map();
      for (const r of runs[lib]) {
        const seen = new Map();
        for (const [name, a, b] of r.probe) {
          const n = (seen.get(name) ?? 0) + 1;
          seen.set(name, n);
          const key = n > 1 ? `${name} (${n})` : name;
          if (!byKey.has(key)) byKey.set(key, []);
          byKey.get(key).push([a, b - a]);
        }
      }
      const rows = [...byKey]
        .filter(([, v]) => v.length * 2 >= runs[lib].length)
        .map(([key, v]) => [key, median(v.map((x) => x[0])), median(v.map((x) => x[1])), v.length])
        .sort((x, y) => x[1] - y[1]);
      const lt = median(runs[lib].map((r) => r.lib));
      const wire = median(runs[lib].map((r) => r.wire));
      console.log(`\n${lib}, ${variant} callback, ${runs[lib].length} runs: library's own time ${lt.toFixed(1)} ms, request on the wire ${wire.toFixed(1)} ms (medians)`);
      // How long the answer's first byte waits for the fetch promise, in the runs where a frame
      // began in between and in the others.
      const lag = { frame: [], none: [] };
      for (const r of runs[lib]) {
        const at = (name) => r.probe.find(([n]) => n === name)?.[1];
        const first = r.probe.find(([n]) => / responseStart$/.test(n))?.[1];
        const settled = at('fetch settled');
        if (first === undefined || settled === undefined) continue;
        const framed = r.probe.some(([n, a]) => n === 'animation frame' && a >= first && a <= settled);
        lag[framed ? 'frame' : 'none'].push(settled - first);
      }
      const lagText = (xs) => (xs.length ? `${xs.length} runs, median ${median(xs).toFixed(1)} ms` : 'no run');
      console.log(`  first byte → fetch settles: with a frame in between ${lagText(lag.frame)}; without ${lagText(lag.none)}`);
      console.log('  start ms   took ms  call (in how many runs)');
      for (const [key, a, d, n] of rows) console.log(`  ${ms(a)}    ${d >= 0.05 ? ms(d) : '      '}  ${key}${n < runs[lib].length ? ` (${n})` : ''}`);
    }
  }
} finally {
  await browser.close();
  await auth.close();
}
