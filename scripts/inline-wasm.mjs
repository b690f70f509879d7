// Writes an ES module that carries the wasm bytes in a string, one character per byte
// (U+0000–U+00FF), so the core instantiates synchronously on first use: no fetch, no
// `await init()`, and one file for every loader. Unlike base64, this keeps the bytes' own
// patterns, so gzip compresses the string almost as well as the .wasm file itself.
// scripts/build prints it as UTF-8 in the ES module (always decoded as UTF-8) and escaped to
// ASCII in the classic script (decoded as the page's charset, which may not be UTF-8).
import { readFileSync, writeFileSync } from 'node:fs';

const [wasmPath, outPath] = process.argv.slice(2);
const bytes = readFileSync(wasmPath);
let text = '';
for (const b of bytes) text += String.fromCharCode(b);
writeFileSync(
  outPath,
  `const w = ${JSON.stringify(text)};\n` +
    '/** The wasm bytes. */\n' +
    'export function wasmBytes() {\n' +
    // Native where the browser has it (btoa reads the string as Latin-1): about a tenth of the
    // byte loop's time, which runs in the interpreter on a cold page.
    "  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(btoa(w));\n" +
    '  const bytes = new Uint8Array(w.length);\n' +
    '  for (let i = 0; i < w.length; i++) bytes[i] = w.charCodeAt(i);\n' +
    '  return bytes;\n' +
    '}\n' +
    'export const wasmModule = () => new WebAssembly.Module(wasmBytes());\n',
);
