// Rewrites the wasm's string literal in a bundle esbuild wrote (`node scripts/raw-controls.mjs
// FILE...`), so that its control characters stand as themselves instead of as escapes: esbuild
// prints the wasm's NUL bytes as `\0` or `\x00` and others as `\b`, `\f`, `\v`, `\x07`, `\x1B`, …
// A template literal may hold any of them as they are except the carriage return, which it
// would read as a line feed, so that one stays escaped. Every byte below 0x20 is an ASCII byte
// in any charset a page may declare, so this holds for the classic script too. The escapes
// cost 370 B of gzip in the ES module and 680 B in the drop-in script. The literal is the one that starts with the wasm's
// magic number (`\0asm`); the rewrite is checked by evaluating both literals. A bundler that
// minifies the package again prints its own escapes; served as it is (a native ES module, the
// drop-in script), the file keeps these bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Each escape of a template literal, read one at a time from the left. */
const ESCAPE = /\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|([\s\S]))/g;
const SINGLE = { 0: 0, b: 8, t: 9, n: 10, v: 11, f: 12 };

/**
 * The bundle `src` with its wasm literal rewritten; `name` names it in errors.
 * @param {string} src @param {string} name
 */
export function rawControls(src, name) {
  const start = src.indexOf('`\\0asm');
  if (start < 0 || src.indexOf('`\\0asm', start + 1) >= 0) {
    throw new Error(`${name}: not one template literal holding the wasm`);
  }
  let end = start + 1;
  while (src[end] !== '`') {
    if (end >= src.length) throw new Error(`${name}: the wasm's literal does not end`);
    end += src[end] === '\\' ? 2 : 1;
  }
  const literal = src.slice(start, end + 1);
  const raw = literal.replace(ESCAPE, (escape, hex, unicode, one) => {
    const code = hex ? parseInt(hex, 16) : unicode ? parseInt(unicode, 16) : SINGLE[one];
    // `\0` before a digit would be an octal escape: esbuild writes `\x00` there, and a raw NUL
    // is fine anywhere.
    return code !== undefined && code < 0x20 && code !== 0x0d ? String.fromCharCode(code) : escape;
  });
  if (new Function(`return ${raw}`)() !== new Function(`return ${literal}`)()) {
    throw new Error(`${name}: the rewritten literal reads differently`);
  }
  return src.slice(0, start) + raw + src.slice(end + 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const file of process.argv.slice(2)) writeFileSync(file, rawControls(readFileSync(file, 'utf8'), file));
}
