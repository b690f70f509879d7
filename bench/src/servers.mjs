// Two loopback HTTP servers: the static site (callback pages and bundles, one origin for both
// libraries) and a scripted Supabase Auth endpoint on another port (so cross-origin, with CORS
// preflights, as a real *.supabase.co project is for an app).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
import { mintSession, userJson } from './tokens.mjs';

const listen = (server) =>
  new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(`http://127.0.0.1:${server.address().port}`)));

/**
 * Static server: `/b/<file>` serves a file from `bundleDir`; `/cb/<lib>.html` (any query or
 * fragment) is the callback page that loads `/b/time-<lib>.js` as a module script after setting
 * `globalThis.BENCH_CONFIG`; `/iso/<name>.html` loads `/b/<name>.js` cross-origin isolated;
 * `/blank.html` is an empty page. Nothing is compressed or cached.
 */
export async function startSite({ bundleDir, config }) {
  const server = createServer(async (req, res) => {
    const path = normalize(new URL(req.url, 'http://x').pathname);
    const noStore = { 'cache-control': 'no-store' };
    try {
      if (path.startsWith('/b/') && path.endsWith('.js')) {
        const body = await readFile(join(bundleDir, path.slice(3)));
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', ...noStore }).end(body);
        return;
      }
      const page = /^\/cb\/([a-z-]+)\.html$/.exec(path);
      if (page) {
        const html =
          '<!doctype html><meta charset="utf-8"><title>callback</title>\n' +
          `<script>globalThis.BENCH_CONFIG = ${JSON.stringify(config)};</script>\n` +
          `<script type="module" src="/b/time-${page[1]}.js"></script>\n`;
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...noStore }).end(html);
        return;
      }
      // Cross-origin isolated pages (COOP + COEP) for the per-call loops: performance.now()
      // then has 5 µs resolution instead of 100 µs.
      const iso = /^\/iso\/([a-z-]+)\.html$/.exec(path);
      if (iso) {
        const html =
          '<!doctype html><meta charset="utf-8"><title>per-call</title>\n' +
          `<script type="module" src="/b/${iso[1]}.js"></script>\n`;
        res.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
          ...noStore,
        }).end(html);
        return;
      }
      if (path === '/blank.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...noStore }).end('<!doctype html><title>blank</title>');
        return;
      }
    } catch {
      // fall through to 404
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  const url = await listen(server);
  return { url, close: () => new Promise((ok) => server.close(ok)) };
}

/**
 * Scripted Supabase Auth: `GET /auth/v1/user` answers the user of the bearer token;
 * `POST /auth/v1/token?grant_type=pkce` answers a fresh session. Every preflight is answered
 * (no caching: `access-control-max-age: 0`), and every request is counted.
 */
export async function startAuth() {
  const counts = { options: 0, user: 0, token: 0, other: 0 };
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const cors = {
      'access-control-allow-origin': req.headers.origin ?? '*',
      'access-control-allow-headers': req.headers['access-control-request-headers'] ?? '*',
      'access-control-allow-methods': 'GET, POST, OPTIONS',
      'access-control-expose-headers': 'x-supabase-api-version',
      'access-control-max-age': '0',
      'timing-allow-origin': '*',
      vary: 'origin',
    };
    if (req.method === 'OPTIONS') {
      counts.options++;
      res.writeHead(204, cors).end();
      return;
    }
    const json = (status, body) => {
      res.writeHead(status, { ...cors, 'content-type': 'application/json', 'x-supabase-api-version': '2024-01-01' });
      res.end(JSON.stringify(body));
    };
    // The body is drained before answering, as a real server would read it.
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'GET' && url.pathname === '/auth/v1/user') {
        counts.user++;
        const auth = req.headers.authorization ?? '';
        if (!auth.startsWith('Bearer ey')) return json(401, { code: 'bad_jwt', message: 'invalid JWT' });
        return json(200, userJson());
      }
      if (req.method === 'POST' && url.pathname === '/auth/v1/token' && url.searchParams.get('grant_type') === 'pkce') {
        counts.token++;
        let body = {};
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          // answered below
        }
        if (!body.auth_code || !body.code_verifier) return json(400, { code: 'validation_failed', message: 'missing' });
        const s = mintSession();
        return json(200, { ...s, user: userJson() });
      }
      counts.other++;
      json(404, { code: 'not_found', message: `${req.method} ${url.pathname}` });
    });
  });
  const url = await listen(server);
  return { url, counts, close: () => new Promise((ok) => server.close(ok)) };
}
