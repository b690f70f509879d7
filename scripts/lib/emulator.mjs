// Shared by the demo and the end-to-end tests: lays out the demo site (the page, the classic
// script build, a config.js) and starts the local emulator, reading its READY line.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const EMULATOR_BIN = join(ROOT, 'target', process.env.EMULATOR_PROFILE ?? 'debug', 'supabase-workos-emulator');

/** The strict policy the demo runs under: no inline script, no eval, wasm allowed. */
export const CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src 'self' http://127.0.0.1:* http://localhost:* https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Copies the demo page and the built classic script into `dir`. */
export function prepareSite(dir) {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(join(ROOT, 'examples/demo'))) {
    if (f !== 'config.example.js') copyFileSync(join(ROOT, 'examples/demo', f), join(dir, f));
  }
  copyFileSync(join(ROOT, 'pkg/dist/supabase-workos.js'), join(dir, 'supabase-workos.js'));
  return dir;
}

/**
 * Writes the page's config.js. A selector left undefined is the emulator's; `null` is none (the
 * page then offers no button for it).
 */
export function writeConfig(dir, { supabaseUrl, anonKey, connection, organization, provider }) {
  const or = (value, emulators) => (value === undefined ? emulators : value);
  const config = {
    supabaseUrl,
    anonKey,
    connection: or(connection, 'conn_emulator_okta'),
    organization: or(organization, 'org_emulator_acme'),
    provider: or(provider, 'GoogleOAuth'),
  };
  writeFileSync(join(dir, 'config.js'), `window.DEMO_CONFIG = ${JSON.stringify(config, null, 2)};\n`);
}

/**
 * Starts the emulator with `args` and resolves once it prints READY:
 * `{ authUrl, appUrl, anonKey, siteUrl, control(path, body), stop() }`.
 */
export function startEmulator(args = [], { stdio = 'pipe' } = {}) {
  const child = spawn(EMULATOR_BIN, args, { stdio: ['ignore', 'pipe', stdio === 'inherit' ? 'inherit' : 'pipe'] });
  const stderr = [];
  child.stderr?.on('data', (d) => stderr.push(String(d)));
  return new Promise((resolveReady, reject) => {
    const lines = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error(`emulator not ready: ${stderr.join('')}`)), 30000);
    child.once('exit', (code) => reject(new Error(`emulator exited ${code}: ${stderr.join('')}`)));
    lines.on('line', (line) => {
      if (!line.startsWith('READY ')) return;
      clearTimeout(timer);
      const ready = JSON.parse(line.slice(6));
      const authUrl = ready.auth_url;
      resolveReady({
        authUrl,
        appUrl: ready.app_url,
        anonKey: ready.anon_key,
        siteUrl: ready.site_url,
        stderr,
        async control(path, body) {
          const res = await fetch(`${authUrl}/__emulator/${path}`, {
            method: body === undefined ? 'GET' : 'POST',
            headers: { 'content-type': 'application/json' },
            body: body === undefined ? undefined : JSON.stringify(body),
          });
          const text = await res.text();
          return text ? JSON.parse(text) : null;
        },
        stop() {
          return new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', done);
            child.kill('SIGTERM');
          });
        },
      });
    });
  });
}
