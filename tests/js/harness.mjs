// Shared by the browser tests: a static server for the repository on loopback, and Debian's
// Chromium driven by playwright-core (never a downloaded browser).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumLaunchOptions } from '../../scripts/lib/chromium.mjs';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.png': 'image/png',
};

/** Serves the repository read-only on 127.0.0.1; `headers` are added to every answer. */
export async function startServer({ headers = {} } = {}) {
  const server = createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = join(ROOT, path.endsWith('/') ? join(path, 'index.html') : path);
    if (!file.startsWith(ROOT)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
        ...headers,
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** Headless Chromium from Debian, with the flags this closed network needs. */
export function launchBrowser() {
  return chromium.launch(chromiumLaunchOptions());
}

/** A page in a fresh context, with its console collected in `page.logs`. */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.logs = [];
  page.on('console', (m) => page.logs.push(m.text()));
  page.on('pageerror', (e) => page.logs.push(String(e)));
  await page.goto(url);
  return page;
}

/** An unsigned JWT with these claims (the client reads claims; only the server checks signatures). */
export const jwt = (claims) => `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url(claims)}.c2lnbmF0dXJl`;
const b64url = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** An expiry far ahead: 2100-01-01. */
export const FAR = 4102444800;

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'apikey, authorization, x-client-info, x-supabase-api-version, content-type',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

/**
 * Scripts a Supabase Auth endpoint: `answer(request)` returns `{ status, body }`. Preflights
 * are answered; every other request is recorded in the returned list.
 */
export async function scriptEndpoint(page, pattern, answer) {
  const seen = [];
  await page.route(pattern, async (route) => {
    const request = route.request();
    if (request.method() === 'OPTIONS') {
      await route.fulfill({ status: 204, headers: CORS });
      return;
    }
    seen.push({
      method: request.method(),
      url: request.url(),
      headers: await request.allHeaders(),
      body: request.postData(),
    });
    const { status = 200, body } = await answer(request);
    await route.fulfill({
      status,
      headers: { ...CORS, 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  });
  return seen;
}

/**
 * For a test file: the static server and the browser, started before its tests and closed after.
 * Read `env.server` and `env.browser` inside the tests.
 */
export function serverAndBrowser() {
  const env = {};
  before(async () => {
    env.server = await startServer();
    env.browser = await launchBrowser();
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.close();
  });
  return env;
}
