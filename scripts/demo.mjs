// The demo: serves examples/demo (the classic-script page) against the local emulator, or against
// a real Supabase project when SUPABASE_URL and SUPABASE_ANON_KEY are set. Ctrl-C stops it.
// `--rust` serves the Leptos example (built into target/leptos/site) instead.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { CSP, ROOT, prepareSite, startEmulator, writeConfig } from './lib/emulator.mjs';
import { prepareLeptosSite } from './lib/leptos.mjs';

const rust = process.argv.includes('--rust');
const site = rust ? prepareLeptosSite(join(ROOT, 'target/demo-leptos-site')) : prepareSite(join(ROOT, 'target/demo-site'));
const appPort = Number(process.env.PORT ?? 5173);
const { SUPABASE_URL, SUPABASE_ANON_KEY } = process.env;
const selectors = {
  connection: process.env.DEMO_CONNECTION,
  organization: process.env.DEMO_ORGANIZATION,
  provider: process.env.DEMO_PROVIDER,
};

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

function serveStatic(dir, port) {
  const server = createServer(async (req, res) => {
    const path = normalize(new URL(req.url, 'http://x').pathname).replace(/^(\.\.[/\\])+/, '');
    // The Leptos app's routes (/callback) are its index.html.
    const route = path.endsWith('/') || (rust && !extname(path));
    const file = join(dir, route ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-security-policy': CSP });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((ok) => server.listen(port, '127.0.0.1', () => ok(server)));
}

let stop;
if (SUPABASE_URL && SUPABASE_ANON_KEY) {
  // Your project knows none of the emulator's ids: only the ones given are offered.
  const given = Object.fromEntries(Object.entries(selectors).map(([k, v]) => [k, v || null]));
  writeConfig(site, { supabaseUrl: SUPABASE_URL, anonKey: SUPABASE_ANON_KEY, ...given });
  const server = await serveStatic(site, appPort);
  stop = () => new Promise((ok) => server.close(ok));
  console.log(`\n${rust ? 'Leptos demo' : 'Demo'} against ${SUPABASE_URL}\n  open http://127.0.0.1:${appPort}/`);
  console.log(`  add http://127.0.0.1:${appPort}/** to the project's redirect allow list (Authentication → URL Configuration)`);
  if (!Object.values(given).some(Boolean)) {
    console.log('  no WorkOS id given: set DEMO_CONNECTION (conn_…), DEMO_ORGANIZATION (org_…) or DEMO_PROVIDER (GoogleOAuth, …)');
  }
} else {
  const emulator = await startEmulator(
    [
      '--port', process.env.EMULATOR_PORT ?? '54321',
      '--serve', site,
      '--app-port', String(appPort),
      '--site-url', `http://127.0.0.1:${appPort}`,
      '--app-header', `Content-Security-Policy: ${CSP}`,
    ],
    { stdio: 'inherit' },
  );
  writeConfig(site, { supabaseUrl: emulator.authUrl, anonKey: emulator.anonKey, ...selectors });
  stop = () => emulator.stop();
  console.log(`\n${rust ? 'Leptos demo' : 'Demo'} against the local emulator (Supabase Auth at ${emulator.authUrl})`);
  console.log(`  open ${emulator.appUrl}/`);
  console.log('  test users: ada@example.com, grace@example.com (connection and organization), katherine@example.org (GoogleOAuth)');
}
console.log('  Ctrl-C to stop\n');

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    await stop();
    process.exit(0);
  });
}
