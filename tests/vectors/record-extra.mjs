#!/usr/bin/env node
// Records the extra conformance cases of authorize.json and callback.json from the supabase-js
// installed in node_modules (see EXTRA below for the ids), and writes them into the two files:
// a case with the same id is replaced, a new one appended; the cases of the first recording and
// their meta are left as they are, and `meta.extraRecording` names the versions of this one.
//
//   node tests/vectors/record-extra.mjs            record and write
//   node tests/vectors/record-extra.mjs --check    record and compare, write nothing
//
// Cases run as the first recording ran them: headless Chromium (Debian's, through playwright-core,
// with scripts/lib/chromium.mjs's options), the clock pinned to `now`, the app at
// https://app.example.com and a scripted Supabase Auth whose default answers are those the first
// recording's own successful cases show. A page cannot be at a custom-scheme URL, so the
// deep-link callbacks run supabase-js in Node instead, with `window.location.href` set to the deep
// link (a fake `window`, `location`, `history`, `localStorage` and `fetch`); what supabase-js did
// to the fake location is recorded as `expected.locationOps`.
import { readFile, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '../..');
const require = createRequire(join(ROOT, 'package.json'));
const APP = 'https://app.example.com';
const SUPABASE_URL = 'https://abcdefghijklmnop.supabase.co';
const NOW = 1767225600;
const STORAGE_KEY = 'sb-abcdefghijklmnop-auth-token';
const VERIFIER = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

const readJson = async (name) => JSON.parse(await readFile(join(HERE, name), 'utf8'));
const authorizeFile = await readJson('authorize.json');
const callbackFile = await readJson('callback.json');
const first = Object.fromEntries(callbackFile.cases.map((c) => [c.id, c]));

// The scripted server's default answers and the tokens, from the first recording.
const DEFAULT_USER = first['implicit-full'].expected.getSession.session.user;
const DEFAULT_PKCE = JSON.parse(first['pkce-code-with-verifier'].expected.storageAfter[STORAGE_KEY].raw);
const DEFAULT_REFRESH = JSON.parse(first['implicit-expires_at-past'].expected.storageAfter[STORAGE_KEY].raw);
const ACCESS_TOKEN = first['implicit-brief-example'].expected.parsedParams.access_token;
const TOKENS = `access_token=${ACCESS_TOKEN}&expires_in=3600&expires_at=1767229200&refresh_token=r1&token_type=bearer`;

const versionOf = (name) => require(`${name}/package.json`).version;
const VERSION = versionOf('@supabase/supabase-js');

// ---- the cases ----

const REDIRECTS = [
  ['custom-scheme', 'myapp://auth/callback', 'a custom-scheme deep link (desktop or mobile shell)'],
  ['custom-scheme-path-only', 'com.example.app:/callback', 'a reverse-domain scheme with a path and no authority'],
  ['javascript', 'javascript:alert(1)', 'a javascript: URL'],
  ['data', 'data:text/html,x', 'a data: URL'],
  ['vbscript', 'vbscript:x', 'a vbscript: URL'],
  ['blob', 'blob:https://app.example.com/x', 'a blob: URL'],
];

const AUTHORIZE_CASES = REDIRECTS.flatMap(([name, redirectTo, what]) =>
  ['implicit', 'pkce'].map((flowType) => ({
    id: `redirectTo-${name}-${flowType}`,
    description: `redirectTo ${what}, ${flowType} flow; supabase-js navigates to /authorize with it URL-encoded in redirect_to (recorded with supabase-js ${VERSION})`,
    input: {
      client: 'supabase-js',
      supabaseUrl: SUPABASE_URL,
      anonKey: 'anon-key',
      flowType,
      signInWithOAuth: { provider: 'workos', options: { redirectTo, queryParams: { connection: 'conn_1' } } },
      expectNavigation: true,
    },
  })),
);

const callbackInput = (url, extra = {}) => ({
  url,
  client: 'supabase-js',
  supabaseUrl: SUPABASE_URL,
  anonKey: 'anon-key',
  flowType: 'implicit',
  storageBefore: {},
  server: {},
  now: NOW,
  ...extra,
});

const CALLBACK_CASES = [
  {
    id: 'implicit-fragment-question-mark',
    description: `fragment starting with #? (URLSearchParams drops one leading ?) (recorded with supabase-js ${VERSION})`,
    input: callbackInput(`${APP}/auth/callback#?access_token=${ACCESS_TOKEN}&expires_in=3600&refresh_token=r1&token_type=bearer`),
  },
  {
    id: 'implicit-custom-scheme',
    description: `deep-link callback myapp://auth/callback#access_token=… (recorded with supabase-js ${VERSION} in Node, window.location.href set to the deep link)`,
    input: callbackInput(`myapp://auth/callback#${TOKENS}`, { runtime: 'node' }),
  },
  {
    id: 'pkce-custom-scheme',
    description: `deep-link callback myapp://auth/callback?code=… with the verifier stored (recorded with supabase-js ${VERSION} in Node, window.location.href set to the deep link)`,
    input: callbackInput('myapp://auth/callback?code=c0de-1234', {
      runtime: 'node',
      flowType: 'pkce',
      storageBefore: { [`${STORAGE_KEY}-code-verifier`]: JSON.stringify(VERIFIER) },
    }),
  },
  {
    id: 'user-wrapped',
    description: `/user answers 200 {"user":{…}} (supabase-js reads data.user ?? data) (recorded with supabase-js ${VERSION})`,
    input: callbackInput(`${APP}/auth/callback#${TOKENS}`, {
      server: { user: { status: 200, headers: { 'x-supabase-api-version': '2024-01-01' }, body: { user: DEFAULT_USER } } },
    }),
  },
  {
    id: 'user-403-session_not_found',
    description: `/user answers 403 session_not_found (recorded with supabase-js ${VERSION})`,
    input: callbackInput(`${APP}/auth/callback#${TOKENS}`, {
      server: {
        user: {
          status: 403,
          headers: { 'x-supabase-api-version': '2024-01-01' },
          body: { code: 'session_not_found', message: 'Session from session_id claim in JWT does not exist' },
        },
      },
    }),
  },
];

// ---- what runs in the page (and in Node): serialising supabase-js's results ----

const PAGE_HELPERS = String.raw`
globalThis.__ser = function ser(v) {
  if (v === undefined) return { $undefined: true };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
  if (v instanceof Error) {
    const out = { name: v.name, message: v.message, status: ser(v.status), code: ser(v.code) };
    if ('details' in v) out.details = ser(v.details);
    out.className = v.constructor.name;
    out.isAuthError = v.__isAuthError === true;
    return out;
  }
  if (Array.isArray(v)) return v.map(ser);
  if (v && typeof v === 'object') {
    const out = {};
    for (const k of Object.keys(v)) out[k] = ser(v[k]);
    return out;
  }
  return v;
};
globalThis.__params = function params(href) {
  const result = {};
  const url = new URL(href);
  if (url.hash && url.hash[0] === '#') {
    try {
      new URLSearchParams(url.hash.substring(1)).forEach((value, key) => { result[key] = value; });
    } catch {}
  }
  url.searchParams.forEach((value, key) => { result[key] = value; });
  return result;
};
globalThis.__storage = function storage(store) {
  const out = {};
  for (let i = 0; i < store.length; i++) {
    const k = store.key(i);
    const raw = store.getItem(k);
    let json = null;
    try { json = JSON.parse(raw); } catch {}
    out[k] = { raw, json };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
};
`;

/** One implicit or PKCE callback: initialize, getSession, events, the address bar. */
const CALLBACK_RUN = String.raw`
async function __runCallback({ supabaseUrl, anonKey, flowType, createClient, hashchanges, historyLength }) {
  const before = location.href;
  const historyBefore = historyLength();
  const client = createClient(supabaseUrl, anonKey, { auth: { flowType } });
  const auth = client.auth;
  const events = [];
  auth.onAuthStateChange((event, session) => events.push({ event, session: __ser(session) }));
  const { error } = await auth.initialize();
  const afterInitialize = location.href;
  const storageAfterInitialize = __storage(localStorage);
  const { data, error: getSessionError } = await auth.getSession();
  await new Promise((r) => setTimeout(r, 50));
  const session = data.session;
  const result = {
    storageKey: auth.storageKey,
    authUrl: auth.url,
    parsedParams: __params(before),
    initialize: { error: error ? __ser(error) : null },
    getSession: { session: __ser(session), error: getSessionError ? __ser(getSessionError) : null },
    sessionTimes: session
      ? { now: Math.round(Date.now() / 1000), expires_at_minus_now: session.expires_at - Math.round(Date.now() / 1000), expires_in: __ser(session.expires_in) }
      : null,
    explicitExchange: null,
    events,
    location: {
      before,
      afterInitialize,
      after: location.href,
      historyLengthDelta: historyLength() - historyBefore,
      hashchangeEvents: hashchanges(),
    },
    storageAfterInitialize,
    storageAfter: __storage(localStorage),
  };
  await auth.stopAutoRefresh();
  return result;
}
`;

// ---- the scripted server ----

function answerFor(server, method, url) {
  const u = new URL(url);
  if (method === 'GET' && u.pathname === '/auth/v1/user') return server.user ?? { status: 200, headers: {}, body: DEFAULT_USER };
  if (u.pathname === '/auth/v1/token' && u.search === '?grant_type=pkce') return server.token_pkce ?? { status: 200, headers: {}, body: DEFAULT_PKCE };
  if (u.pathname === '/auth/v1/token' && u.search === '?grant_type=refresh_token') {
    return server.token_refresh ?? { status: 200, headers: {}, body: DEFAULT_REFRESH };
  }
  return { status: 404, headers: {}, body: { message: 'not scripted' } };
}

const BROWSER_HEADERS = new Set(['user-agent', 'referer', 'origin', 'accept-language', 'accept-encoding', 'host', 'connection', 'content-length', 'cookie']);
function requestRecord(method, url, headers, body) {
  const u = new URL(url);
  const kept = Object.fromEntries(Object.entries(headers).filter(([k]) => !BROWSER_HEADERS.has(k) && !k.startsWith('sec-')));
  const out = { method, url, path: u.pathname, query: u.search, queryPairs: [...u.searchParams], headers: kept };
  if (body != null) {
    out.bodyRaw = body;
    try {
      out.body = JSON.parse(body);
    } catch {
      out.body = null;
    }
  }
  return out;
}

const CORS = {
  'access-control-allow-origin': APP,
  'access-control-allow-headers': 'apikey, authorization, x-client-info, x-supabase-api-version, content-type',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
  'access-control-expose-headers': 'x-supabase-api-version',
};

// ---- Chromium ----

async function bundle() {
  const esbuild = require('esbuild');
  const out = await esbuild.build({
    stdin: { contents: "export { createClient } from '@supabase/supabase-js';", resolveDir: ROOT },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].text;
}

async function inChromium(run) {
  const { chromium } = require('playwright-core');
  const { chromiumLaunchOptions } = await import(join(ROOT, 'scripts/lib/chromium.mjs'));
  const code = await bundle();
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const results = [];
    for (const c of run.cases) results.push(await run.one(browser, code, c));
    return { results, chromium: browser.version() };
  } finally {
    await browser.close();
  }
}

async function openApp(browser, code, nowMs, { onSupabase }) {
  const context = await browser.newContext();
  await context.clock.setFixedTime(nowMs);
  const page = await context.newPage();
  const consoleLines = [];
  const pageErrors = [];
  page.on('console', (m) => consoleLines.push({ type: m.type(), text: m.text() }));
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.route(`${APP}/**`, (route) => {
    if (new URL(route.request().url()).pathname === '/__supabase-js.mjs') {
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: code });
    }
    return route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title>' });
  });
  await page.route(`${SUPABASE_URL}/**`, onSupabase);
  return { context, page, consoleLines, pageErrors };
}

async function recordAuthorize(browser, code, c) {
  const navigations = [];
  const requests = [];
  const { context, page, consoleLines } = await openApp(browser, code, NOW * 1000, {
    onSupabase: (route) => {
      const req = route.request();
      if (req.isNavigationRequest()) {
        navigations.push({ method: req.method(), url: req.url() });
        // 204: the navigation is recorded and the page stays where it is.
        return route.fulfill({ status: 204 });
      }
      requests.push(requestRecord(req.method(), req.url(), req.headers(), req.postData()));
      return route.fulfill({ status: 404, body: '' });
    },
  });
  await page.goto(`${APP}/`);
  const input = c.input;
  const got = await page.evaluate(
    async ({ helpers, input }) => {
      (0, eval)(helpers);
      const { createClient } = await import('/__supabase-js.mjs');
      const client = createClient(input.supabaseUrl, input.anonKey, { auth: { flowType: input.flowType } });
      let result;
      let thrown = null;
      try {
        result = await client.auth.signInWithOAuth(input.signInWithOAuth);
      } catch (e) {
        thrown = __ser(e);
      }
      return {
        storageKey: client.auth.storageKey,
        authUrl: client.auth.url,
        error: result?.error ? __ser(result.error) : null,
        thrown,
        data: result ? __ser(result.data) : null,
        storageAfter: __storage(localStorage),
      };
    },
    { helpers: PAGE_HELPERS, input },
  );
  for (let i = 0; i < 40 && navigations.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  await context.close();

  const url = got.data?.url ?? null;
  const params = url ? new URL(url).searchParams : new URLSearchParams();
  const challenge = params.get('code_challenge');
  const verifierRaw = got.storageAfter[`${got.storageKey}-code-verifier`]?.raw;
  const verifier = verifierRaw ? JSON.parse(verifierRaw) : null;
  const flowId = got.data?.flowId ?? null;
  const pkce = challenge
    ? {
        code_challenge_method: params.get('code_challenge_method'),
        code_challenge_length: challenge.length,
        code_challenge_charset: /^[A-Za-z0-9_-]+$/.test(challenge) ? 'base64url-no-padding' : 'other',
        code_challenge_is_b64url_sha256_of_verifier: challenge === (await s256(verifier)),
        verifier_storage: 'localStorage',
        verifier_storage_key: `${got.storageKey}-code-verifier`,
        verifier_stored_as: verifierRaw.startsWith('"') ? 'JSON string (value wrapped in double quotes)' : 'raw',
        verifier_length: verifier.length,
        verifier_charset: /^[0-9a-f]+$/.test(verifier) ? 'lowercase hex [0-9a-f]' : 'other',
        flow_id_length: flowId?.length ?? null,
        flow_storage_keys: Object.keys(got.storageAfter),
      }
    : null;
  const expected = {
    storageKey: got.storageKey,
    authUrl: got.authUrl,
    error: got.error,
    thrown: got.thrown,
    url,
    data: got.data,
    queryPairs: [...params],
    pkce,
    storageAfter: got.storageAfter,
    navigation: navigations[0] ?? null,
    requests,
    console: consoleLines,
  };
  // Random values become placeholders.
  let text = JSON.stringify(expected);
  for (const [value, name] of [
    [challenge, '{CODE_CHALLENGE}'],
    [verifier, '{VERIFIER}'],
    [flowId, '{FLOW_ID}'],
  ]) {
    if (value) text = text.split(value).join(name);
  }
  return { ...c, expected: JSON.parse(text) };
}

async function s256(text) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Buffer.from(digest).toString('base64url');
}

async function recordCallbackInChromium(browser, code, c) {
  const requests = [];
  let preflights = 0;
  const { context, page, consoleLines, pageErrors } = await openApp(browser, code, c.input.now * 1000, {
    onSupabase: async (route) => {
      const req = route.request();
      if (req.method() === 'OPTIONS') {
        preflights += 1;
        return route.fulfill({ status: 204, headers: CORS });
      }
      requests.push(requestRecord(req.method(), req.url(), await req.allHeaders(), req.postData()));
      const answer = answerFor(c.input.server, req.method(), req.url());
      return route.fulfill({
        status: answer.status,
        headers: { 'content-type': 'application/json', ...CORS, ...answer.headers },
        body: answer.rawBody ?? JSON.stringify(answer.body),
      });
    },
  });
  await page.goto(`${APP}/__setup`);
  await page.evaluate((items) => {
    for (const [k, v] of Object.entries(items)) localStorage.setItem(k, v);
  }, c.input.storageBefore);
  await page.goto(c.input.url);
  const got = await page.evaluate(
    async ({ helpers, run, input }) => {
      (0, eval)(helpers);
      (0, eval)(run);
      let hashchanges = 0;
      addEventListener('hashchange', () => (hashchanges += 1));
      const { createClient } = await import('/__supabase-js.mjs');
      return __runCallback({
        supabaseUrl: input.supabaseUrl,
        anonKey: input.anonKey,
        flowType: input.flowType,
        createClient,
        hashchanges: () => hashchanges,
        historyLength: () => history.length,
      });
    },
    { helpers: PAGE_HELPERS, run: `globalThis.__runCallback = ${CALLBACK_RUN.trim().replace(/^async function __runCallback/, 'async function')}`, input: c.input },
  );
  await context.close();
  return {
    ...c,
    expected: { ...got, requests, corsPreflights: preflights, console: consoleLines, pageErrors },
  };
}

// ---- Node, for deep links ----

/** Runs in a child process: one case, supabase-js over a fake browser whose address is the deep link. */
async function nodeCase(c) {
  const url = new URL(c.input.url);
  const ops = [];
  let href = url.href;
  let historyLength = 1;
  let hashchanges = 0;
  const fragment = (h) => (h.includes('#') ? h.slice(h.indexOf('#')) : null);
  const location = {
    get href() {
      return href;
    },
    get hash() {
      const f = fragment(href);
      return f && f.length > 1 ? f : '';
    },
    // As the Location hash setter does: '' leaves an empty fragment (a bare `#`), a new entry
    // is added to the history, and hashchange fires when the fragment changed.
    set hash(value) {
      ops.push({ op: 'location.hash=', value });
      const old = fragment(href);
      const next = `#${String(value).replace(/^#/, '')}`;
      href = `${href.split('#')[0]}${next}`;
      historyLength += 1;
      if (old !== next) hashchanges += 1;
    },
    get search() {
      return new URL(href).search;
    },
    get pathname() {
      return new URL(href).pathname;
    },
    get origin() {
      return new URL(href).origin;
    },
    assign(to) {
      ops.push({ op: 'location.assign', value: to });
    },
    toString() {
      return href;
    },
  };
  const history = {
    state: null,
    get length() {
      return historyLength;
    },
    replaceState(state, _title, to) {
      ops.push({ op: 'history.replaceState', value: String(to) });
      this.state = state;
      href = new URL(String(to), href).href;
    },
    pushState(state, _title, to) {
      ops.push({ op: 'history.pushState', value: String(to) });
      this.state = state;
      href = new URL(String(to), href).href;
      historyLength += 1;
    },
  };
  const items = new Map(Object.entries(c.input.storageBefore));
  const localStorage = {
    get length() {
      return items.size;
    },
    key: (i) => [...items.keys()][i] ?? null,
    getItem: (k) => (items.has(String(k)) ? items.get(String(k)) : null),
    setItem: (k, v) => void items.set(String(k), String(v)),
    removeItem: (k) => void items.delete(String(k)),
    clear: () => items.clear(),
  };
  const consoleLines = [];
  for (const type of ['log', 'info', 'warn', 'error', 'debug']) {
    console[type] = (...args) => consoleLines.push({ type: type === 'warn' ? 'warning' : type, text: args.map(String).join(' ') });
  }
  const requests = [];
  const listeners = () => {};
  Object.assign(globalThis, {
    window: globalThis,
    document: { visibilityState: 'visible', addEventListener: listeners, removeEventListener: listeners },
    location,
    history,
    localStorage,
    addEventListener: listeners,
    removeEventListener: listeners,
    // Node 20 has none; supabase-js's realtime client only asks for the constructor.
    WebSocket: class WebSocket {},
    fetch: async (input, init = {}) => {
      const method = init.method ?? 'GET';
      const headers = Object.fromEntries(new Headers(init.headers).entries());
      requests.push(requestRecord(method, String(input), headers, init.body ?? null));
      const answer = answerFor(c.input.server, method, String(input));
      return new Response(answer.rawBody ?? JSON.stringify(answer.body), {
        status: answer.status,
        headers: { 'content-type': 'application/json', ...answer.headers },
      });
    },
  });
  const realNow = Date.now;
  Date.now = () => c.input.now * 1000;
  (0, eval)(PAGE_HELPERS);
  (0, eval)(`globalThis.__runCallback = ${CALLBACK_RUN.trim().replace(/^async function __runCallback/, 'async function')}`);
  const { createClient } = await import('@supabase/supabase-js');
  const got = await globalThis.__runCallback({
    supabaseUrl: c.input.supabaseUrl,
    anonKey: c.input.anonKey,
    flowType: c.input.flowType,
    createClient,
    hashchanges: () => hashchanges,
    historyLength: () => historyLength,
  });
  Date.now = realNow;
  return { ...got, locationOps: ops, requests, console: consoleLines, pageErrors: [] };
}

function recordCallbackInNode(c) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--node-case', JSON.stringify(c)], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return { ...c, expected: JSON.parse(out) };
}

// ---- main ----

if (process.argv[2] === '--node-case') {
  const result = await nodeCase(JSON.parse(process.argv[3]));
  process.stdout.write(JSON.stringify(result));
  process.exit(0);
}

const check = process.argv.includes('--check');
const authorize = await inChromium({ cases: AUTHORIZE_CASES, one: recordAuthorize });
const inBrowser = CALLBACK_CASES.filter((c) => c.input.runtime !== 'node');
const callbacks = await inChromium({ cases: inBrowser, one: recordCallbackInChromium });
const recorded = new Map(callbacks.results.map((c) => [c.id, c]));
for (const c of CALLBACK_CASES.filter((c) => c.input.runtime === 'node')) recorded.set(c.id, recordCallbackInNode(c));
const callbackCases = CALLBACK_CASES.map((c) => recorded.get(c.id));

function merge(file, cases, meta) {
  const ids = new Set(cases.map((c) => c.id));
  const kept = file.cases.filter((c) => !ids.has(c.id));
  const all = [...kept, ...cases];
  return { meta: { ...file.meta, count: all.length, extraRecording: { ...meta, count: cases.length, ids: [...ids] } }, cases: all };
}

const meta = {
  generator: 'tests/vectors/record-extra.mjs',
  versions: {
    '@supabase/supabase-js': VERSION,
    '@supabase/auth-js': versionOf('@supabase/auth-js'),
    'playwright-core': versionOf('playwright-core'),
    chromium: authorize.chromium,
    node: process.versions.node,
  },
  fixedNow: NOW,
  notes:
    'These cases were recorded with the versions above, later than the first recording (meta.versions). ' +
    'Cases with input.runtime "node" ran supabase-js in Node with window.location.href set to the deep link ' +
    '(fake window, location, history, localStorage, fetch); expected.locationOps lists what it did to the fake location. ' +
    '{FLOW_ID} replaces the random PKCE flow id supabase-js keys its per-flow verifier slot with.',
};

const outputs = [
  ['authorize.json', merge(authorizeFile, authorize.results, meta)],
  ['callback.json', merge(callbackFile, callbackCases, meta)],
];
let differs = false;
for (const [name, doc] of outputs) {
  const text = `${JSON.stringify(doc, null, 1)}\n`;
  const path = join(HERE, name);
  if (check) {
    // Chromium's own version may move; the cases themselves must not.
    const old = JSON.parse(await readFile(path, 'utf8'));
    const same = JSON.stringify(old.cases) === JSON.stringify(doc.cases);
    console.log(`${name}: ${same ? 'unchanged' : 'DIFFERS'}`);
    differs ||= !same;
  } else {
    await writeFile(path, text);
    console.log(`${name}: ${doc.cases.length} cases (${doc.meta.extraRecording.count} from this recording)`);
  }
}
process.exit(differs ? 1 : 0);
