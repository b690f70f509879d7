// Writes an ES module that carries the wasm bytes as base64, so the core instantiates
// synchronously on first use: no fetch, no `await init()`, and one file for every loader.
import { readFileSync, writeFileSync } from 'node:fs';

const [wasmPath, outPath] = process.argv.slice(2);
const b64 = readFileSync(wasmPath).toString('base64');
writeFileSync(
  outPath,
  `const b64 = '${b64}';\n` +
    'export function wasmModule() {\n' +
    '  const s = atob(b64);\n' +
    '  const bytes = new Uint8Array(s.length);\n' +
    '  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);\n' +
    '  return new WebAssembly.Module(bytes);\n' +
    '}\n',
);
