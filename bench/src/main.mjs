// bench/run's driver: sizes, time to session, per-call costs; prints one markdown table and
// writes bench/results.md (and the raw data to bench/out/results.json).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { BENCH, ROOT, ESBUILD, GZIP, buildAll, snapshot } from './build.mjs';
import { perCall } from './percall.mjs';
import { startAuth, startSite } from './servers.mjs';
import { CHROMIUM_FLAGS } from '../../scripts/lib/chromium.mjs';
import { callbackConfig, launchChromium, timeToSession } from './timing.mjs';

const env = (name, fallback) => (process.env[name] === undefined ? fallback : Number(process.env[name]));
const PAIRS = env('BENCH_PAIRS', 40);
const WARMUP = env('BENCH_WARMUP', 2);
const PKCE = env('BENCH_PKCE', 1) !== 0;
const ROUNDS = env('BENCH_ROUNDS', 5);
const COLD = env('BENCH_COLD', 10);

const started = Date.now();
const log = (msg) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s] ${msg}`);
const run = (cmd, args) => {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
};
const version = async (pkg) => JSON.parse(await readFile(join(BENCH, 'node_modules', pkg, 'package.json'), 'utf8')).version;

// ---- 1. bytes ----
const load0 = loadavg();
log('snapshotting pkg/ and bundling');
const snap = await snapshot();
process.on('exit', () => rmSync(snap.dir, { recursive: true, force: true }));
const OUT = join(BENCH, 'out');
const built = await buildAll(snap, OUT);
const ourVersion = JSON.parse(await readFile(snap.paths.pkgJson, 'utf8')).version;

// ---- servers and browser ----
const auth = await startAuth();
const config = callbackConfig(auth.url, 'implicit');
const site = await startSite({ bundleDir: OUT, config });
// The PKCE pages get their own site (same bundles) so the inline config says flowType 'pkce'.
const sitePkce = await startSite({ bundleDir: OUT, config: { ...config, flowType: 'pkce' } });
const browser = await launchChromium();

let timing;
let timingPkce = null;
let percall;
try {
  // ---- 2. time to session ----
  log(`time to session, implicit callback: ${WARMUP} warm-up + ${PAIRS} pairs`);
  timing = await timeToSession({ browser, site, variant: 'implicit', config, pairs: PAIRS, warmup: WARMUP, log });
  if (PKCE) {
    log(`time to session, PKCE callback: ${WARMUP} warm-up + ${PAIRS} pairs`);
    timingPkce = await timeToSession({
      browser,
      site: sitePkce,
      variant: 'pkce',
      config: { ...config, flowType: 'pkce' },
      pairs: PAIRS,
      warmup: WARMUP,
      log,
    });
  }
  // ---- 3. per call ----
  log(`per-call costs: ${ROUNDS} rounds, ${COLD} cold starts`);
  percall = await perCall({ browser, site, rounds: ROUNDS, coldSamples: COLD, log });
} finally {
  var chromiumVersion = browser.version();
  await browser.close();
  await Promise.all([site.close(), sitePkce.close(), auth.close()]);
}

// ---- 4. report ----
const machine = {
  date: new Date().toISOString(),
  cpu: run('lscpu', []).match(/^Model name:\s*(.*)$/m)?.[1] ?? cpus()[0]?.model,
  cores: availableParallelism(),
  memoryGiB: (totalmem() / 2 ** 30).toFixed(1),
  chromium: `${chromiumVersion} (Debian package ${run('dpkg-query', ['-W', '-f=${Version}', 'chromium']) || '?'})`,
  node: process.version,
  packages: {
    'supabase-workos': ourVersion,
    '@supabase/auth-js': await version('@supabase/auth-js'),
    '@supabase/supabase-js': await version('@supabase/supabase-js'),
    esbuild: await version('esbuild'),
    'playwright-core': await version('playwright-core'),
  },
  commit: run('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
  dirty: run('git', ['--no-optional-locks', '-C', ROOT, 'status', '--porcelain', '--', 'src', 'pkg-template', 'scripts', 'Cargo.toml', 'Cargo.lock']) !== '',
  wasmSha256: snap.wasmSha256.slice(0, 16),
  loadBefore: load0.map((x) => x.toFixed(2)).join(' '),
  loadAfter: loadavg().map((x) => x.toFixed(2)).join(' '),
  seconds: Math.round((Date.now() - started) / 1000),
};

const B = (n) => Math.round(n).toLocaleString('en-US');
const R = (x) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const MS = (x) => x.toFixed(1);
const NS = (x) => B(x);
const s = built.sizes;
const v = machine.packages;

const rows = [];
const row = (measure, ours, authjs, supabasejs, rA, rS) => rows.push([measure, ours, authjs, supabasejs, rA, rS]);
for (const [label, key] of [
  ['ours (a) = wasm inlined in a string, one file', 'oursInline'],
  ['ours (b) = separate .wasm + JS', 'oursSeparate'],
]) {
  for (const k of ['raw', 'gzip', 'brotli']) {
    const unit = { raw: 'raw', gzip: 'gzip -9', brotli: 'brotli 11' }[k];
    row(`bytes ${unit}, ${label}`, B(s[key][k]), B(s.authjs[k]), B(s.supabasejs[k]), R(s[key][k] / s.authjs[k]), R(s[key][k] / s.supabasejs[k]));
  }
}
for (const t of [timing, timingPkce].filter(Boolean)) {
  const name = t.variant === 'implicit' ? 'implicit callback' : 'PKCE callback';
  const pair = (f) => `${R(f.pairRatio)} ᵖ [${R(f.pairInterval[0])}–${R(f.pairInterval[1])}]`;
  row(`ms (i) navigation start → session, ${name}, median`, MS(t.toSession.ours.median), MS(t.toSession.authjs.median), '', pair(t.toSession), '');
  row(`ms (i) navigation start → session, ${name}, p90`, MS(t.toSession.ours.p90), MS(t.toSession.authjs.p90), '', R(t.toSession.ours.p90 / t.toSession.authjs.p90), '');
  row(`ms (ii) library's own time, ${name}, median`, MS(t.lib.ours.median), MS(t.lib.authjs.median), '', pair(t.lib), '');
  row(`ms (ii) library's own time, ${name}, p90`, MS(t.lib.ours.p90), MS(t.lib.authjs.p90), '', R(t.lib.ours.p90 / t.lib.authjs.p90), '');
}
const pc = percall.results;
const pcRow = (label, name, theirSide = 'theirs') =>
  row(label, NS(pc[name].ns.ours), NS(pc[name].ns[theirSide]), '', R(pc[name].ns.ours / pc[name].ns[theirSide]), '');
pcRow('ns/call authorize URL: buildAuthorizeUrl vs signInWithOAuth (implicit, no redirect)', 'authorize-url');
pcRow("ns/call authorize URL: buildAuthorizeUrl vs auth-js's URL-building lines alone (plain JS) ᶠ", 'authorize-url', 'js');
pcRow('ns/call start sign-in, implicit: signInWithWorkOS vs signInWithOAuth', 'signin-implicit');
pcRow('ns/call start sign-in, PKCE (verifier + SHA-256 challenge + store)', 'signin-pkce');
pcRow('ns/call parse implicit callback URL: parseCallbackUrl vs parseParametersFromURL', 'parse-implicit');
pcRow('ns/call parse PKCE callback URL: parseCallbackUrl vs parseParametersFromURL', 'parse-pkce');

const header = ['measure', `ours (supabase-workos ${v['supabase-workos']})`, `auth-js ${v['@supabase/auth-js']}`, `supabase-js ${v['@supabase/supabase-js']}`, 'ours / auth-js', 'ours / supabase-js'];
const mdTable = (h, rs) => [`| ${h.join(' | ')} |`, `|${h.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rs.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const table = [
  mdTable(header, rows),
  '',
  'ᵖ median of the per-pair ratios (each pair: one run of each library, back to back), then in brackets its 95% ' +
    'confidence interval (distribution-free, from the order statistics). ᶠ the floor: not a library, ' +
    "the three lines of auth-js's private _getUrlForProvider that build the URL, copied into a synchronous function.",
].join('\n');

const w = built.wasmSections;
const codeTotal = w.unoptimisedCodeBytes;
const details = [
  '### Bytes in detail',
  '',
  mdTable(
    ['bundle', 'raw', 'gzip -9', 'brotli 11'],
    [
      ['ours (a): pkg/index.js (wasm inlined) + entry, one file', s.oursInline],
      ['ours (b) JS: shell + entry, minified (wasm-module.js stubbed)', s.oursShell],
      ['ours (b) wasm: target/wasm-pack/core_opt.wasm', s.oursWasm],
      ['ours (b) total (two files, each compressed on its own)', s.oursSeparate],
      [`auth-js ${v['@supabase/auth-js']}: GoTrueClient entry`, s.authjs],
      [`supabase-js ${v['@supabase/supabase-js']}: createClient entry`, s.supabasejs],
      ['timing page bundle, ours (= (a) + marks and report)', s.timeOurs],
      ['timing page bundle, auth-js (= auth-js + marks and report)', s.timeAuthjs],
    ].map(([l, x]) => [l, B(x.raw), B(x.gzip), B(x.brotli)]),
  ),
  '',
  `Where the minified bytes come from (esbuild metafile, bytes in output before compression): ours (b) JS ${built.breakdown['size-ours-shell'].map(([k, n]) => `${k} ${B(n)}`).join(', ')}; auth-js bundle ${built.breakdown['size-authjs'].map(([k, n]) => `${k} ${B(n)}`).join(', ')}; supabase-js bundle ${built.breakdown['size-supabasejs'].map(([k, n]) => `${k} ${B(n)}`).join(', ')}.`,
  '',
  `The wasm (core_opt.wasm, ${B(s.oursWasm.raw)} B) by section: ${w.optimised.map(([k, n]) => `${k} ${B(n)}`).join(', ')}. ` +
    `Its code before wasm-opt (core_bg.wasm, ${B(codeTotal)} B of function bodies in ${w.unoptimisedFunctions} functions; ${w.optimisedFunctions} after wasm-opt), by crate: ` +
    `${w.byCrate.filter(([, n]) => n / codeTotal >= 0.01).map(([k, n]) => `${k} ${((100 * n) / codeTotal).toFixed(0)}%`).join(', ')}. ` +
    `Largest functions before wasm-opt: ${w.topFunctions.slice(0, 8).map(([n, k]) => `${k} ${B(n)}`).join(', ')}.`,
  '',
  '### Time in detail',
  '',
  mdTable(
    ['figure (medians, ms)', 'ours', 'auth-js'],
    [timing, timingPkce].filter(Boolean).flatMap((t) => [
      [`${t.variant}: navigation start → first line of the bundle runs (fetch + parse of the page and bundle)`, MS(t.libStart.ours.median), MS(t.libStart.authjs.median)],
      [`${t.variant}: auth request on the wire (responseEnd − startTime, preflight included; subtracted in (ii))`, MS(t.wire.ours.median), MS(t.wire.authjs.median)],
      [`${t.variant}: valid runs (failed runs)`, `${t.n.ours} (${t.failures.filter((f) => f.lib === 'ours').length})`, `${t.n.authjs} (${t.failures.filter((f) => f.lib === 'authjs').length})`],
    ]),
  ),
  '',
  `Cold start of the core in a fresh page (median of ${percall.cold.samples}): first call of buildAuthorizeUrl ${MS(percall.cold.first)} ms ` +
    `(string decode, compile, instantiate, call), the second call ${(percall.cold.second * 1000).toFixed(0)} µs; replicated separately in another fresh page: ` +
    `string decode by wasm-module.js ${MS(percall.cold.decode)} ms, new WebAssembly.Module ${MS(percall.cold.compile)} ms, ` +
    `instantiation (core.js's instantiate) ${MS(percall.cold.instantiate)} ms, first call ${MS(percall.cold.call)} ms.`,
  '',
  `Per-call loops, ns/call for each side: median of the rounds [fastest – slowest round]; page cross-origin isolated: ${percall.isolated}.`,
  '',
  mdTable(
    ['case', 'calls × rounds', 'ours', 'auth-js', 'plain-JS floor'],
    Object.entries(pc).map(([k, r]) => {
      const cell = (side) => {
        const xs = r.all[side];
        return xs ? `${NS(r.ns[side])} [${NS(Math.min(...xs))} – ${NS(Math.max(...xs))}]` : '';
      };
      return [k, `${B(r.iterations)} × ${r.rounds}`, cell('ours'), cell('theirs'), cell('js')];
    }),
  ),
].join('\n');

const machineLines = [
  `- date: ${machine.date}; whole run ${machine.seconds} s`,
  `- CPU: ${machine.cpu}, ${machine.cores} cores; memory ${machine.memoryGiB} GiB; load average before ${machine.loadBefore}, after ${machine.loadAfter} (other builds share the machine)`,
  `- Chromium ${machine.chromium}, headless, flags ${CHROMIUM_FLAGS.join(' ')}`,
  `- Node ${machine.node}; ${Object.entries(machine.packages).map(([k, x]) => `${k} ${x}`).join(', ')}`,
  `- measured build: commit ${machine.commit}${machine.dirty ? ' with uncommitted changes in src/, pkg-template/ or scripts/' : ''}, core_opt.wasm sha256 ${machine.wasmSha256}…`,
  `- esbuild options for every bundle: ${JSON.stringify({ format: ESBUILD.format, platform: ESBUILD.platform, target: ESBUILD.target, minify: ESBUILD.minify, treeShaking: ESBUILD.treeShaking, legalComments: ESBUILD.legalComments })}`,
  `- compression: ${GZIP.tool}; brotli from node's zlib at quality 11 (text mode for JS, generic for the .wasm), window 22
` +
  `- time to session: ${PAIRS} pairs per variant after ${WARMUP} warm-up pairs, alternating which library goes first, fresh browser context per run`,
].join('\n');

const md = [
  '# Benchmark results',
  '',
  'Produced by `bench/run` (see bench/README.md for what each figure means). Ratios are ours ÷ theirs: below 1 means ours is smaller or faster. Benchmarks report; they do not pass or fail.',
  '',
  table,
  '',
  details,
  '',
  '## Machine',
  '',
  machineLines,
  '',
].join('\n');

await writeFile(join(BENCH, 'results.md'), md);
await writeFile(join(OUT, 'results.json'), JSON.stringify({ machine, built, timing, timingPkce, percall }, null, 1));
console.log(table);
console.log('');
console.log(machineLines);
log(`wrote bench/results.md and bench/out/results.json in ${machine.seconds} s`);
