// bench/wasm-parts's driver: what each group of the core's operations costs in the optimised wasm.
// A copy of the crate is built once as it is, once with every operation of `decide` unreachable
// behind an `if false` guard (and once with `decide` returning at once: wasm-bindgen's runtime and
// the allocator), and once per group with that group's operations unreachable; a group's row is
// what leaving it out saves, gzip -9. What the groups share is the rest. Then, for scale, cores that
// keep only a few operations (a package that did less), beside wasm-bindgen's JS glue. Builds with
// scripts/build --wasm-only, so with the package's own flags.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build as esbuild } from 'esbuild';
import { ROOT } from './build.mjs';

const GROUPS = [
  ['starting a sign-in: options, selector, reserved keys, the authorize URL, the verifier\'s key', ['s']],
  ['reading a callback: query and fragment pairs, form decoding, lossy UTF-8, the cleaned URL', ['b']],
  ['a failed request\'s error (PROTOCOL.md §6)', ['e']],
  ['the stored session, the `/token` and `/user` answers', ['t', 'u', 'd']],
  ['the client\'s options and storage key', ['c']],
  ['refresh policy, clock skew, the login-CSRF marker, the verifier\'s parts', ['r', 'k', 'p', 'v']],
];

/** Bytes of `gzip -9 -n` of `bytes`. */
const gzipSize = (bytes) => execFileSync('gzip', ['-9', '-n', '-c'], { input: bytes }).length;

const copy = mkdtempSync(join(tmpdir(), 'wasm-parts-'));
const target = join(ROOT, 'target', 'slim-parts');
try {
  for (const entry of ['Cargo.toml', 'Cargo.lock', '.cargo', 'src', 'emulator', 'scripts']) {
    cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'));
  const api = readFileSync(join(ROOT, 'src/protocol/api.rs'), 'utf8');
  const web = readFileSync(join(ROOT, 'src/npm/mod.rs'), 'utf8');

  /** gzip -9 of the optimised wasm built from the copy, with api.rs's operations `ops` unreachable. */
  const build = (ops, empty = false) => {
    let text = api;
    for (const op of ops) {
      const arm = `        "${op}" => `;
      if (text.split(arm).length !== 2) throw new Error(`wasm-parts: no single arm for "${op}" in decide`);
      text = text.replace(arm, `        "${op}" if false => `);
    }
    writeFileSync(join(copy, 'src/protocol/api.rs'), text);
    const call = '    crate::protocol::api::decide(input)';
    if (empty && !web.includes(call)) throw new Error('wasm-parts: src/npm/mod.rs no longer calls decide as expected');
    writeFileSync(join(copy, 'src/npm/mod.rs'), empty ? web.replace(call, '    let _ = input;\n    String::new()') : web);
    execFileSync(join(copy, 'scripts/build'), ['--wasm-only'], { env: { ...process.env, SLIM_TARGET_DIR: target }, stdio: ['ignore', 'ignore', 'inherit'] });
    return gzipSize(readFileSync(join(copy, 'target/wasm-pack/core_opt.wasm')));
  };

  // Every operation letter with an arm in decide, to build cores that keep only some of them.
  const ALL = [...api.matchAll(/^ {8}"([a-z])" => /gm)].map((m) => m[1]);
  const only = (keep) => build(ALL.filter((op) => !keep.includes(op)));
  const whole = build([]);
  // wasm-bindgen's JS glue for the same build, as a bundler ships it beside the wasm.
  const glue = await esbuild({
    stdin: { contents: "import { initSync, decide } from './core.js'; globalThis.core = [initSync, decide];", resolveDir: join(copy, 'target/wasm-pack') },
    bundle: true, minify: true, format: 'esm', write: false, logLevel: 'warning',
  });
  const glueGzip = gzipSize(glue.outputFiles[0].contents);
  const empty = build([], true);
  const rows = GROUPS.map(([name, ops]) => [name, whole - build(ops)]);
  const parts = rows.reduce((n, [, b]) => n + b, 0);
  console.log(`| part of the wasm (${whole.toLocaleString('en')} B gzip -9 in all) | gzip -9 |\n|---|---:|`);
  console.log(`| wasm-bindgen's runtime and the bump allocator (an export that returns at once) | ${empty.toLocaleString('en')} |`);
  for (const [name, b] of rows) console.log(`| ${name} | ${b.toLocaleString('en')} |`);
  console.log(`| shared: error codes, names, messages; JSON writer and reader; JWT decoding; text; allocation | ${(whole - empty - parts).toLocaleString('en')} |`);
  // Smaller products, for scale: what the wasm would be if the package did less.
  const floors = [
    ['starting a sign-in and reading a callback, nothing else (no session checked, no server error read, no life after it)', ['s', 'b', 'x']],
    ['the same, and the client\'s options, the `/token` and `/user` answers checked (a sign-in that ends in a session, no life after it)', ['s', 'b', 'x', 'c', 't', 'u', 'e']],
  ];
  const fmt = (n) => n.toLocaleString('en');
  console.log(`\n| a core that keeps only | wasm, gzip -9 | with wasm-bindgen's glue (${fmt(glueGzip)} B), before any shell |\n|---|---:|---:|`);
  for (const [name, keep] of floors) {
    const b = only(keep);
    console.log(`| ${name} | ${fmt(b)} | ${fmt(b + glueGzip)} |`);
  }
} finally {
  rmSync(copy, { recursive: true, force: true });
}
