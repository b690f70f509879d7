// Per-call costs, in the page: our pure helpers and sign-in start against the work auth-js does
// for the same result. Everything is set up lazily by setup(), so that cold() can measure the
// very first use of the wasm core.
import { buildAuthorizeUrl, parseCallbackUrl, createClient } from 'supabase-workos';
import { GoTrueClient } from '@supabase/auth-js';
// auth-js's own callback parser (not exported from the package index; this is its dist file).
import { parseParametersFromURL } from '@supabase/auth-js/dist/module/lib/helpers.js';

const SUPA = 'https://abcdefghijklmnop.supabase.co';
const CONNECTION = 'conn_01HBENCHCONNECTION0000000';
const REDIRECT = 'https://app.example.com/auth/callback';
const KEY = 'sb_publishable_bench_0123456789abcdef';

function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
  };
}

/**
 * The URL-building lines of auth-js's `_getUrlForProvider` for an implicit flow (copied: the
 * method is private and async), so the pure builder also has a synchronous JS counterpart.
 */
function authJsUrlLines(url, provider, options) {
  const urlParams = [`provider=${encodeURIComponent(provider)}`];
  if (options.redirectTo) urlParams.push(`redirect_to=${encodeURIComponent(options.redirectTo)}`);
  if (options.queryParams) urlParams.push(new URLSearchParams(options.queryParams).toString());
  return `${url}?${urlParams.join('&')}`;
}

let cases;

export function setup(implicitUrl, pkceUrl) {
  const ours = (flowType) =>
    createClient(SUPA, KEY, { flowType, storage: memoryStorage(), detectSessionInUrl: false, autoRefreshToken: false });
  const theirs = (flowType) =>
    new GoTrueClient({
      url: `${SUPA}/auth/v1`,
      headers: { apikey: KEY, Authorization: `Bearer ${KEY}` },
      storageKey: 'sb-abcdefghijklmnop-auth-token',
      storage: memoryStorage(),
      flowType,
      detectSessionInUrl: false,
      autoRefreshToken: false,
    });
  const oursImplicit = ours('implicit');
  const oursPkce = ours('pkce');
  const theirsImplicit = theirs('implicit');
  const theirsPkce = theirs('pkce');
  const signInOpts = { connection: CONNECTION, redirectTo: REDIRECT, skipBrowserRedirect: true };
  const oauth = {
    provider: 'workos',
    options: { redirectTo: REDIRECT, queryParams: { connection: CONNECTION }, skipBrowserRedirect: true },
  };
  const unwrap = async (p) => {
    const { data, error } = await p;
    if (error) throw error;
    return data.url;
  };
  cases = {
    'authorize-url': {
      ours: { sync: true, fn: () => buildAuthorizeUrl(SUPA, { connection: CONNECTION, redirectTo: REDIRECT, flowType: 'implicit' }) },
      js: { sync: true, fn: () => authJsUrlLines(`${SUPA}/auth/v1/authorize`, 'workos', { redirectTo: REDIRECT, queryParams: { connection: CONNECTION } }) },
      theirs: { sync: false, fn: () => unwrap(theirsImplicit.signInWithOAuth(oauth)) },
    },
    'signin-implicit': {
      ours: { sync: false, fn: async () => (await oursImplicit.signInWithWorkOS(signInOpts)).url },
      theirs: { sync: false, fn: () => unwrap(theirsImplicit.signInWithOAuth(oauth)) },
    },
    'signin-pkce': {
      ours: { sync: false, fn: async () => (await oursPkce.signInWithWorkOS(signInOpts)).url },
      theirs: { sync: false, fn: () => unwrap(theirsPkce.signInWithOAuth(oauth)) },
    },
    'parse-implicit': {
      ours: { sync: true, fn: () => parseCallbackUrl(implicitUrl) },
      theirs: { sync: true, fn: () => parseParametersFromURL(implicitUrl) },
    },
    'parse-pkce': {
      ours: { sync: true, fn: () => parseCallbackUrl(pkceUrl) },
      theirs: { sync: true, fn: () => parseParametersFromURL(pkceUrl) },
    },
  };
  // One call of each, for the record (and to fail loudly if a side does not do the job).
  return Promise.all(
    Object.entries(cases).map(async ([name, sides]) => [
      name,
      Object.fromEntries(await Promise.all(Object.entries(sides).map(async ([side, c]) => [side, await c.fn()]))),
    ]),
  ).then(Object.fromEntries);
}

const sizeOf = (r) => (typeof r === 'string' ? r.length : 1);

/** Runs `n` calls of one side of one case; returns nanoseconds per call. */
export async function run(name, side, n) {
  const { sync, fn } = cases[name][side];
  let sink = 0;
  const t0 = performance.now();
  if (sync) {
    for (let i = 0; i < n; i++) sink += sizeOf(fn());
  } else {
    for (let i = 0; i < n; i++) sink += sizeOf(await fn());
  }
  const t = performance.now() - t0;
  globalThis.__sink = sink;
  return (t * 1e6) / n;
}

/** The first use of the wasm core in this page (string decode, compile, instantiate, one call), then a second call. */
export function cold() {
  const t0 = performance.now();
  buildAuthorizeUrl(SUPA, { connection: CONNECTION, redirectTo: REDIRECT, flowType: 'implicit' });
  const t1 = performance.now();
  buildAuthorizeUrl(SUPA, { connection: CONNECTION, redirectTo: REDIRECT, flowType: 'implicit' });
  const t2 = performance.now();
  return { first: t1 - t0, second: t2 - t1 };
}

globalThis.__percall = { setup, run, cold };
