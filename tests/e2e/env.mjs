// Shared by the end-to-end tests: the demo site with the test fixtures, the emulator serving it,
// and the browser, started before a file's tests and stopped after; and the reliability rows.
import { before, after } from 'node:test';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSP, ROOT, prepareSite, startEmulator, writeConfig } from '../../scripts/lib/emulator.mjs';
import { launchBrowser } from '../js/harness.mjs';

/**
 * Registers the hooks; read `env.emulator`, `env.browser` and `env.site` inside the tests.
 * `args` are extra emulator flags; `rows` (when given) is written to
 * artifacts/reliability/<file> after the tests, under `header`.
 */
export function emulatorEnv(args = [], report) {
  const env = {};
  before(async () => {
    env.site = prepareSite(mkdtempSync(join(tmpdir(), 'sbw-e2e-')));
    for (const f of readdirSync(join(ROOT, 'tests/e2e/fixtures'))) {
      copyFileSync(join(ROOT, 'tests/e2e/fixtures', f), join(env.site, f));
    }
    env.emulator = await startEmulator(['--port', '0', '--serve', env.site, '--app-port', '0', ...args]);
    writeConfig(env.site, { supabaseUrl: env.emulator.authUrl, anonKey: env.emulator.anonKey });
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.emulator?.stop();
    if (report && report.rows.length) {
      const dir = join(ROOT, 'artifacts/reliability');
      mkdirSync(dir, { recursive: true });
      const lines = [...(report.header ?? []), ...report.rows.map((r) => `| ${r.join(' | ')} |`)];
      writeFileSync(join(dir, report.file), `${lines.join('\n')}\n`);
    }
  });
  return env;
}

/** Where the end-to-end tests leave their screenshots. */
export const SHOTS = join(ROOT, 'artifacts/screenshots');

/**
 * Registers the hooks of a file whose tests run on a site that `prepare(dir)` lays out, served by
 * the emulator under the demo's strict CSP; read `env.emulator`, `env.browser` and `env.site`.
 * @param {(dir: string) => string} prepare
 * @param {string} prefix of the temporary directory
 */
export function strictSiteEnv(prepare, prefix) {
  const env = {};
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    env.site = prepare(mkdtempSync(join(tmpdir(), prefix)));
    env.emulator = await startEmulator([
      '--port', '0',
      '--serve', env.site,
      '--app-port', '0',
      '--app-header', `Content-Security-Policy: ${CSP}`,
    ]);
    writeConfig(env.site, { supabaseUrl: env.emulator.authUrl, anonKey: env.emulator.anonKey });
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.emulator?.stop();
  });
  return env;
}
