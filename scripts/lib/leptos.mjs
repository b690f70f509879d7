// Shared by `scripts/demo --rust` and the Leptos end-to-end tests: the built Leptos example
// (scripts/build-leptos writes target/leptos/site/) laid out as a site with its config.js.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './emulator.mjs';

export const LEPTOS_BUILD = join(ROOT, 'target/leptos/site');

/** Builds the example with scripts/build-leptos when its build is missing. */
export function ensureLeptosBuild() {
  if (existsSync(join(LEPTOS_BUILD, 'leptos_app_bg.wasm'))) return;
  const r = spawnSync(join(ROOT, 'scripts/build-leptos'), { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/build-leptos failed (${r.status ?? r.signal})`);
}

/** Copies the built app into `dir`; scripts/lib/emulator.mjs's writeConfig adds config.js. */
export function prepareLeptosSite(dir) {
  ensureLeptosBuild();
  cpSync(LEPTOS_BUILD, dir, { recursive: true });
  return dir;
}
