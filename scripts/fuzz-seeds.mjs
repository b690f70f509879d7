// Seed corpora for the fuzz targets, from the conformance vectors: every callback and authorize
// URL, every stored session and server answer they record.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

const [root, out] = process.argv.slice(2);
const seed = (target, text) => {
  const dir = join(out, target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, createHash('sha1').update(text).digest('hex')), text);
};
const read = (f) => JSON.parse(readFileSync(join(root, 'tests/vectors', f), 'utf8'));

for (const c of read('callback.json').cases) {
  seed('callback', c.input.url);
  for (const v of Object.values(c.input.storageBefore ?? {})) seed('stored_session', v);
  for (const v of Object.values(c.expected.storageAfter ?? {})) seed('stored_session', v.raw);
  for (const answer of Object.values(c.input.server ?? {})) {
    seed('stored_session', answer.rawBody ?? JSON.stringify(answer.body));
  }
}
for (const c of read('authorize.json').cases) {
  if (c.expected.url) seed('callback', c.expected.url);
}
