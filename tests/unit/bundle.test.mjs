// The built files as scripts/build writes them (scripts/raw-controls.mjs): the wasm's control
// bytes stand as themselves where the file's reader allows it, and stay escaped where a page
// could misread them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../../', import.meta.url);
const file = (path) => new URL(path, root);
const built = existsSync(file('pkg/index.js')) && existsSync(file('pkg/dist/supabase-workos.js'));
const has = (bytes, b) => bytes.includes(b);

test('the ES module carries raw control bytes but no carriage return', { skip: !built && 'pkg/ is not built' }, () => {
  const bytes = readFileSync(file('pkg/index.js'));
  assert.ok(has(bytes, 0x00) && has(bytes, 0x0b), 'NUL and VT as themselves');
  assert.ok(!has(bytes, 0x0d), 'a raw CR would read as LF inside the template literal');
});

test('the classic script keeps NUL, SO, SI, ESC and CR escaped', { skip: !built && 'pkg/ is not built' }, () => {
  const bytes = readFileSync(file('pkg/dist/supabase-workos.js'));
  // HTML turns a NUL in a page's own <script> into U+FFFD; ISO-2022-JP reads SO, SI and ESC as
  // shifts.
  for (const b of [0x00, 0x0d, 0x0e, 0x0f, 0x1b]) assert.ok(!has(bytes, b), `byte 0x${b.toString(16)}`);
  assert.ok(has(bytes, 0x0b), 'VT as itself');
  assert.ok(bytes.every((b) => b < 0x80), 'ASCII only: a page may decode it with its own charset');
});
