// Rewrites the wasm's string literal in a bundle esbuild wrote, so that its control characters
// stand as themselves instead of as escapes: esbuild prints the wasm's NUL bytes as `\0` or
// `\x00` and others as `\b`, `\f`, `\v`, `\x07`, … A template literal may hold any of them as
// they are except the carriage return, which it would read as a line feed: that one stays
// escaped everywhere.
//   node scripts/raw-controls.mjs FILE...            an ES module (always decoded as UTF-8)
//   node scripts/raw-controls.mjs --script FILE...   a classic script, which a page may decode
//     with its own charset or paste into its HTML: NUL (which HTML turns into U+FFFD) and SO, SI
//     and ESC (which ISO-2022-JP reads as shifts) stay escaped; every other byte below 0x20 is
//     itself in every ASCII-compatible charset.
// The escapes cost 370 B of gzip in the ES module and 210 B in the drop-in script. The literal
// is the one that starts with the wasm's magic number (`\0asm`); the rewrite is checked by
// evaluating both literals. A bundler that minifies the package again prints its own escapes;
// served as it is (a native ES module, the drop-in script), the file keeps these bytes. The ES
// module with raw NULs is not for pasting into an HTML page's own `<script>` element.
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Each escape of a template literal, read one at a time from the left, or a raw character. */
const ESCAPE = /\\(?:x([0-9A-Fa-f]{2})|u([0-9A-Fa-f]{4})|([\s\S]))|([\s\S])/g;
const SINGLE = { 0: 0, b: 8, t: 9, n: 10, v: 11, f: 12 };

/** What a classic script keeps escaped besides the carriage return: NUL, SO, SI, ESC. */
const SCRIPT_KEEPS = [0x00, 0x0e, 0x0f, 0x1b];

/**
 * The bundle `src` with its wasm literal rewritten; `name` names it in errors; `script` for a
 * classic script.
 * @param {string} src @param {string} name @param {boolean} [script]
 */
export function rawControls(src, name, script = false) {
  const keep = script ? SCRIPT_KEEPS : [];
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
  const body = literal.slice(1, -1).replace(ESCAPE, (escape, hex, unicode, one, char) => {
    // A raw character esbuild left as it is (it writes SO and SI raw, for one): escaped when
    // kept.
    if (char) return keep.includes(char.charCodeAt(0)) ? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}` : char;
    const code = hex ? parseInt(hex, 16) : unicode ? parseInt(unicode, 16) : SINGLE[one];
    // `\0` before a digit would be an octal escape: esbuild writes `\x00` there, and a raw NUL
    // is fine anywhere.
    return code !== undefined && code < 0x20 && code !== 0x0d && !keep.includes(code) ? String.fromCharCode(code) : escape;
  });
  const raw = `\`${body}\``;
  if (new Function(`return ${raw}`)() !== new Function(`return ${literal}`)()) {
    throw new Error(`${name}: the rewritten literal reads differently`);
  }
  return src.slice(0, start) + raw + src.slice(end + 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const script = args[0] === '--script';
  for (const file of script ? args.slice(1) : args) {
    writeFileSync(file, rawControls(readFileSync(file, 'utf8'), file, script));
  }
}
