// Step 1: a consistent snapshot of the built package, the bundles (esbuild, as an app's bundler
// would produce them) and their sizes raw, gzip -9 and brotli 11.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, gzipSync, constants as Z } from 'node:zlib';
import { rawControls } from '../../scripts/raw-controls.mjs';

export const BENCH = resolve(new URL('..', import.meta.url).pathname);
export const ROOT = resolve(BENCH, '..');
const ENTRIES = join(BENCH, 'entries');

/** Same options for every library: what a bundler does for a browser app in production. */
export const ESBUILD = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2020',
  minify: true,
  treeShaking: true,
  legalComments: 'none',
  // Non-ASCII text stays UTF-8, as Vite's production build prints it.
  charset: 'utf8',
  logLevel: 'warning',
  write: true,
};

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * Copies pkg/index.js, the optimised wasm and the unbundled shell sources to a temporary
 * directory, and checks that they come from the same build (scripts/build may be rewriting them):
 * the hashes of scripts/build's manifest, and the wasm that wasm-module.js carries.
 */
export async function snapshot() {
  const dir = await mkdtemp(join(tmpdir(), 'sw-bench-'));
  const files = {
    pkgIndex: ['pkg/index.js', 'pkg-index.js'],
    pkgJson: ['pkg/package.json', 'pkg-package.json'],
    wasm: ['target/wasm-pack/core_opt.wasm', 'core_opt.wasm'],
    wasmUnopt: ['target/wasm-pack/core_bg.wasm', 'core_bg.wasm'],
    stageIndex: ['target/pkg-stage/index.js', 'stage/index.js'],
    stageCore: ['target/pkg-stage/core.js', 'stage/core.js'],
    stageWasmModule: ['target/pkg-stage/wasm-module.js', 'stage/wasm-module.mjs'],
    manifest: ['target/pkg-stage/manifest.sha256', 'manifest.sha256'],
  };
  await mkdir(join(dir, 'stage'));
  for (let attempt = 1; ; attempt++) {
    const paths = {};
    try {
      for (const [k, [from, to]] of Object.entries(files)) {
        paths[k] = join(dir, to);
        await copyFile(join(ROOT, from), paths[k]);
      }
      // The shell's other modules, which stage/index.js imports.
      for (const f of await readdir(join(ROOT, 'target/pkg-stage'))) {
        if (f.endsWith('.js') && f !== 'wasm-module.js' && !Object.values(files).some(([from]) => from.endsWith(`/${f}`))) {
          await copyFile(join(ROOT, 'target/pkg-stage', f), join(dir, 'stage', f));
        }
      }
      const sha = async (p) => createHash('sha256').update(await readFile(p)).digest('hex');
      const manifest = await readFile(paths.manifest, 'utf8');
      const wasm = await readFile(paths.wasm);
      const { wasmBytes } = await import(pathToFileURL(paths.stageWasmModule).href);
      if (
        manifest.includes(`${await sha(paths.wasm)}  target/wasm-pack/core_opt.wasm`) &&
        manifest.includes(`${await sha(paths.pkgIndex)}  pkg/index.js`) &&
        Buffer.from(wasmBytes()).equals(wasm)
      ) {
        // A separate-.wasm build: the shell gets its compiled module from the app, not from the string.
        paths.wasmStub = join(dir, 'stage', 'wasm-stub.js');
        await writeFile(paths.wasmStub, 'export const wasmModule = () => globalThis.__supabaseWorkOSWasm;\n');
        return { dir, paths, wasmSha256: createHash('sha256').update(wasm).digest('hex') };
      }
      throw new Error('pkg/index.js, wasm-module.js and core_opt.wasm are from different builds');
    } catch (e) {
      if (attempt >= 20) throw new Error(`no consistent build of pkg/ to measure (run scripts/build first): ${e.message}`);
      await sleep(3000);
    }
  }
}

/** Resolves `supabase-workos` (and a few bench-only names) to files of the snapshot. */
function aliases(map) {
  return {
    name: 'bench-aliases',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (Object.hasOwn(map, args.path)) return { path: map[args.path] };
        if (args.path === './wasm-module.js' && map['./wasm-module.js']) return { path: map['./wasm-module.js'] };
        return undefined;
      });
    },
  };
}

/**
 * gzip's own `gzip -9 -n` (what scripts/build reports, and what people type), read from stdin so
 * no file name is stored; node's zlib at level 9 only where the gzip program is missing (zlib's
 * deflate differs from gzip's by ±0.5%).
 */
function gzip9(bytes) {
  try {
    return execFileSync('gzip', ['-9', '-n', '-c'], { input: bytes, maxBuffer: 1 << 28 }).length;
  } catch {
    GZIP.tool = 'node zlib level 9 (no gzip program found)';
    return gzipSync(bytes, { level: 9 }).length;
  }
}
export const GZIP = { tool: 'gzip -9 -n' };

export function sizesOf(bytes, { text = true } = {}) {
  return {
    raw: bytes.length,
    gzip: gzip9(bytes),
    brotli: brotliCompressSync(bytes, {
      params: {
        [Z.BROTLI_PARAM_QUALITY]: Z.BROTLI_MAX_QUALITY,
        [Z.BROTLI_PARAM_MODE]: text ? Z.BROTLI_MODE_TEXT : Z.BROTLI_MODE_GENERIC,
        [Z.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    }).length,
  };
}

const add = (a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, brotli: a.brotli + b.brotli });

/** Builds every bundle into `out` and measures the shipped bytes. */
export async function buildAll(snap, out) {
  await mkdir(out, { recursive: true });
  const inline = {
    'supabase-workos': snap.paths.pkgIndex,
    'bench-wasm-module': snap.paths.stageWasmModule,
    'bench-core-glue': snap.paths.stageCore,
    // What the stage's core.js imports.
    './wasm-module.js': snap.paths.stageWasmModule,
  };
  const separate = { 'supabase-workos': snap.paths.stageIndex, './wasm-module.js': snap.paths.wasmStub };
  const jobs = {
    'size-ours-inline': ['ours.js', inline],
    'size-ours-shell': ['ours.js', separate],
    'size-authjs': ['authjs.js', {}],
    'size-supabasejs': ['supabasejs.js', {}],
    'time-ours': ['time-ours.js', inline],
    'time-authjs': ['time-authjs.js', {}],
    percall: ['percall.js', inline],
    'cold-parts': ['cold-parts.js', inline],
  };
  const metas = {};
  await Promise.all(
    Object.entries(jobs).map(async ([name, [entry, map]]) => {
      const r = await build({
        ...ESBUILD,
        entryPoints: [join(ENTRIES, entry)],
        outfile: join(out, `${name}.js`),
        plugins: [aliases(map)],
        metafile: true,
        absWorkingDir: BENCH,
      });
      metas[name] = r.metafile;
    }),
  );
  // What esbuild printed again of pkg/index.js, with the wasm's literal as scripts/build ships it.
  for (const name of ['size-ours-inline', 'time-ours', 'percall']) {
    const file = join(out, `${name}.js`);
    await writeFile(file, rawControls(await readFile(file, 'utf8'), file));
  }
  const read = (name) => readFile(join(out, `${name}.js`));
  const wasm = sizesOf(await readFile(snap.paths.wasm), { text: false });
  const shell = sizesOf(await read('size-ours-shell'));
  const sizes = {
    oursInline: sizesOf(await read('size-ours-inline')),
    oursShell: shell,
    oursWasm: wasm,
    oursSeparate: add(shell, wasm),
    authjs: sizesOf(await read('size-authjs')),
    supabasejs: sizesOf(await read('size-supabasejs')),
    timeOurs: sizesOf(await read('time-ours')),
    timeAuthjs: sizesOf(await read('time-authjs')),
  };
  return { sizes, breakdown: breakdown(metas), wasmSections: await wasmSections(snap) };
}

/** Bytes in each bundle's output by package (or by file for ours), from esbuild's metafile. */
function breakdown(metas) {
  const result = {};
  for (const name of ['size-ours-shell', 'size-authjs', 'size-supabasejs']) {
    const [output] = Object.values(metas[name].outputs);
    const by = {};
    for (const [file, { bytesInOutput }] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const key = m ? m[1] : file.replace(/^.*\/(stage|entries)\//, '$1/');
      by[key] = (by[key] ?? 0) + bytesInOutput;
    }
    result[name] = Object.entries(by).sort((a, b) => b[1] - a[1]);
  }
  return result;
}

// ---- what the wasm is made of ----

function leb(b, o) {
  let r = 0;
  let s = 0;
  let x;
  do {
    x = b[o++];
    r += (x & 127) * 2 ** s;
    s += 7;
  } while (x & 128);
  return [r, o];
}

const SECTION = { 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory', 6: 'global', 7: 'export', 8: 'start', 9: 'element', 10: 'code', 11: 'data', 12: 'datacount' };

/** Sections of a wasm module; function body sizes with their names when a name section exists. */
function parseWasm(b) {
  const sections = [];
  const bodies = [];
  const names = new Map();
  let imports = 0;
  let o = 8;
  while (o < b.length) {
    const id = b[o++];
    let n;
    [n, o] = leb(b, o);
    const end = o + n;
    let name = SECTION[id] ?? `id${id}`;
    if (id === 0) {
      const [l, p] = leb(b, o);
      name = `custom:${b.subarray(p, p + l).toString()}`;
      if (name === 'custom:name') {
        let q = p + l;
        while (q < end) {
          const sub = b[q++];
          let sl;
          [sl, q] = leb(b, q);
          const se = q + sl;
          if (sub === 1) {
            let c;
            [c, q] = leb(b, q);
            for (let i = 0; i < c; i++) {
              let idx;
              let len;
              [idx, q] = leb(b, q);
              [len, q] = leb(b, q);
              names.set(idx, b.subarray(q, q + len).toString());
              q += len;
            }
          }
          q = se;
        }
      }
    } else if (id === 2) {
      let [c, p] = leb(b, o);
      for (let i = 0; i < c; i++) {
        let l;
        [l, p] = leb(b, p);
        p += l;
        [l, p] = leb(b, p);
        p += l;
        const kind = b[p++];
        if (kind === 0) {
          [l, p] = leb(b, p);
          imports++;
        } else if (kind === 1) {
          p++;
          const f = b[p++];
          [l, p] = leb(b, p);
          if (f & 1) [l, p] = leb(b, p);
        } else if (kind === 2) {
          const f = b[p++];
          [l, p] = leb(b, p);
          if (f & 1) [l, p] = leb(b, p);
        } else if (kind === 3) p += 2;
        else if (kind === 4) {
          p++;
          [l, p] = leb(b, p);
        }
      }
    } else if (id === 10) {
      let [c, p] = leb(b, o);
      for (let i = 0; i < c; i++) {
        let l;
        [l, p] = leb(b, p);
        bodies.push(l);
        p += l;
      }
    }
    sections.push([name, n]);
    o = end;
  }
  return { sections, functions: bodies.map((size, i) => [size, names.get(i + imports)]) };
}

const PRIMITIVE = /^(?:[iu](?:8|16|32|64|128|size)|f32|f64|bool|char|str)$/;

/**
 * The crate a (demangled) Rust symbol belongs to, roughly: its first path segment; for
 * `<primitive or generic T as path::Trait>` the trait's crate; exported wasm-bindgen shims have no path.
 */
function crateOf(name) {
  if (!name) return '(unnamed)';
  if (/^__wbg|^__wbindgen|^__externref|^wasm_bindgen/.test(name)) return 'wasm_bindgen';
  if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name)) return '(exported shims)';
  const m = /^[<&*\s\[]*(?:dyn |mut |const )*([A-Za-z_][A-Za-z0-9_]*)/.exec(name);
  if (!m) return '(other)';
  if (PRIMITIVE.test(m[1]) || /^[A-Z]$/.test(m[1])) {
    const t = / as [<&*\s]*(?:dyn )?([A-Za-z_][A-Za-z0-9_]*)/.exec(name);
    if (t) return t[1];
  }
  return m[1];
}

async function wasmSections(snap) {
  const opt = parseWasm(await readFile(snap.paths.wasm));
  const unopt = parseWasm(await readFile(snap.paths.wasmUnopt));
  const byCrate = {};
  let total = 0;
  for (const [size, name] of unopt.functions) {
    const c = crateOf(name);
    byCrate[c] = (byCrate[c] ?? 0) + size;
    total += size;
  }
  const topFunctions = unopt.functions
    .filter(([, n]) => n)
    .sort((a, b) => b[0] - a[0])
    .slice(0, 12)
    .map(([size, n]) => [size, n.replace(/::h[0-9a-f]{16}$/, '').replace(/\[[0-9a-f]{16}\]/g, '')]);
  return {
    optimised: opt.sections,
    unoptimisedCodeBytes: total,
    unoptimisedFunctions: unopt.functions.length,
    optimisedFunctions: opt.functions.length,
    byCrate: Object.entries(byCrate).sort((a, b) => b[1] - a[1]),
    topFunctions,
  };
}
