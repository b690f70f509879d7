// @ts-check
// The operation table: the only module that knows how the wasm core is asked. `decide`
// (src/protocol/api.rs) takes an operation letter and its fields joined by NULs, an optional field
// empty when absent and `+` and the value when present, and answers with JSON. Each export of
// the table below is one operation: its letter, its fields in order, and the reading of its
// answer. The rest of the shell calls these and never builds a field string.
import { wasmModule } from './wasm-module.js';
import { toError } from './errors.js';

/** The wasm's exports, once instantiated. @type {any} */
let wasm;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Instantiates the core from its compiled module (the wasm imports nothing).
 * @param {WebAssembly.Module} module
 */
export const instantiate = (module) => (wasm = new WebAssembly.Instance(module).exports);

/**
 * `decide` (src/npm/mod.rs) through the exports wasm-bindgen 0.2.130 (pinned in Cargo.toml and
 * scripts/setup) makes of it, without its JS glue: one string each way needs none of the glue's
 * caches, loaders and fallbacks. The input's UTF-8 goes into a block from `__wbindgen_malloc(len,
 * 1)`, which the export takes and frees; `decide(ptr, len)` answers the answer's address and
 * length, a block freed with `__wbindgen_free(ptr, len, 1)` once read. Instantiated on first
 * use, synchronously: no `await init()` for anyone.
 * @param {string} input
 * @returns {string}
 */
export function decide(input) {
  wasm ?? instantiate(wasmModule());
  const bytes = encoder.encode(input);
  const at = wasm.__wbindgen_malloc(bytes.length, 1);
  new Uint8Array(wasm.memory.buffer).set(bytes, at);
  const [out, length] = wasm.decide(at, bytes.length);
  // A view made after the call: the call may have grown memory, which detaches older views.
  const text = decoder.decode(new Uint8Array(wasm.memory.buffer, out, length));
  wasm.__wbindgen_free(out, length, 1);
  return text;
}

/**
 * Each operation's fields, as `OPERATIONS` in src/protocol/api.rs lists them (a unit test
 * compares the two): `u` a URL, `o` optional, `s` text, `n` a number, `f` a flag, `t` free text
 * to the end. Only `t` may hold a NUL; anywhere else a NUL would shift the fields that follow.
 */
export const OPERATIONS = {
  c: 'uooo',
  s: 'uusooooooosooooo',
  e: 'nffooooooo',
  x: 's',
  r: 'nn',
  b: 'nt',
  t: 'nt',
  u: 'ost',
  d: 'nnt',
  v: 't',
  p: 'ot',
  k: 'nft',
};

/**
 * Asks the core: the operation letter, then its fields. A NUL in an option is the caller's mistake
 * (`invalid_options`); a call that does not fit the table is this library's, which the core
 * answers with `internal_error`.
 * @param {keyof typeof OPERATIONS} op
 * @param {...(string | number)} fields
 * @returns {any} the parsed answer
 */
function ask(op, ...fields) {
  const kinds = OPERATIONS[op];
  fields.forEach((f, i) => {
    if (kinds[i] != 't' && String(f).includes('\0')) throw clientError('invalid_options');
  });
  // Numbers cross as whole decimal numbers (seconds and a stored clock skew may not be whole).
  const out = JSON.parse(decide([op, ...fields].map((f) => (typeof f === 'number' ? Math.round(f) : f)).join('\0')));
  // Thrown whatever the operation: no answer of the shell's own mistake is ever used.
  if (out?.error?.code == 'internal_error') throw toError(out.error);
  return out;
}

/**
 * An optional field: empty when absent, `+` and the value when present.
 * @param {string | undefined | null} v
 */
const opt = (v) => (v == null ? '' : '+' + v);

/**
 * The core's answer, with an `error` member thrown.
 * @param {any} out
 */
function answer(out) {
  if (out.error) throw toError(out.error);
  return out;
}

/**
 * A URL field: the browser's parse of it, as the core takes it; absent when it does not parse.
 * @param {unknown} url
 */
function url(url) {
  if (typeof url !== 'string') return '';
  try {
    const u = new URL(url);
    return opt([u.protocol, u.origin, u.hostname, u.pathname, u.search || u.hash ? 0 : 1].join('\n'));
  } catch {
    return '';
  }
}

// ---- the table, in the order of `decide`'s match ----

/**
 * `c`: createClient's decisions, `{ authUrl, storageKey, pkce }`; without `key`, only the
 * storage key is asked for. Throws `invalid_options`.
 * @param {unknown} supabaseUrl @param {string} [key] @param {string} [flowType] @param {string} [storageKey]
 * @returns {{ authUrl: string, storageKey: string, pkce: boolean }}
 */
export const clientConfig = (supabaseUrl, key, flowType, storageKey) =>
  answer(ask('c', url(supabaseUrl), opt(key), opt(flowType), opt(storageKey)));

/**
 * `s`: the authorize URL and, with a `verifier`, the key and value to store it under:
 * `{ url, verifierKey?, verifierValue?, warn }` (`warn`: redirectTo has a fragment). `selectors`
 * are the options in the order of the fields (`redirectTo` fourth), `query` is `queryParams`
 * form-encoded, and `pkce` the verifier, the flow type, the challenge, the implicit flow's
 * login-CSRF nonce and the page's URL. Throws the user's error.
 * @param {unknown} supabaseUrl @param {string} storageKey
 * @param {[connection?: string, organization?: string, provider?: string, redirectTo?: string, scopes?: string, loginHint?: string, domainHint?: string]} selectors
 * @param {string} query
 * @param {[verifier?: string, flowType?: string, challenge?: string, nonce?: string, page?: string]} pkce
 * @returns {{ url: string, verifierKey?: string, verifierValue?: string, nonce?: string, warn: boolean }}
 */
export const authorizePlan = (supabaseUrl, storageKey, selectors, query, pkce) =>
  answer(ask('s', url(supabaseUrl), url(selectors[3]), storageKey, ...selectors.map(opt), query, ...pkce.map(opt)));

/**
 * `e`: the error for a failed request. `status` 0 for a network failure; `body` the parsed
 * JSON body, undefined when it was not JSON; `versioned` when the answer carried
 * `X-Supabase-Api-Version`.
 * @param {number} status @param {unknown} [body] @param {boolean} [versioned]
 */
export function requestError(status, body, versioned) {
  const json = typeof body === 'object' && body !== null;
  /**
   * A member's string, without NULs (they separate the fields).
   * @param {string} k
   */
  const s = (k) => {
    const v = json ? /** @type {Record<string, unknown>} */ (body)[k] : undefined;
    return opt(typeof v === 'string' ? v.replace(/\0/g, '') : undefined);
  };
  // `error` twice: the second is the OAuth error code, when the body names one.
  const fields = ['code', 'error_code', 'msg', 'message', 'error_description', 'error', 'error'].map(s);
  return toError(ask('e', status, json ? 1 : 0, versioned ? 1 : 0, ...fields).error);
}

/**
 * `x`: the error for a code the shell finds itself (`invalid_options`, `session_missing`, …).
 * @param {string} code
 */
export const clientError = (code) => toError(ask('x', code).error);

/**
 * `r`: after a failed refresh with this HTTP status (0: network failure) on try `attempt`, the
 * milliseconds to wait before trying again, or -1 when the session is over.
 * @param {number} status @param {number} attempt
 * @returns {number}
 */
export const retryDelay = (status, attempt) => ask('r', status, attempt);

/**
 * `b`: what a callback URL holds at `nowS` (the server's unix seconds), its error as a JS `Error`:
 * `{ type, clean?, params?, recovery?, code?, flowId?, error? }`.
 * @param {number} nowS @param {string} href
 */
export function readCallback(nowS, href) {
  const cb = ask('b', nowS, href);
  if (cb.error) cb.error = toError(cb.error);
  return cb;
}

/**
 * `t`: a `/token` answer (its text) checked at `nowS`: `{ expiresAt }` to store with it. Throws.
 * @param {number} nowS @param {string} text
 * @returns {{ expiresAt: number }}
 */
export const tokenExpiry = (nowS, text) => answer(ask('t', nowS, text));

/**
 * `u`: a `/user` answer (its text) checked against the session it was asked for: the user of
 * `accessToken` and, when given, `userId`. `{ wrapped }`: the user is the answer's `user` member.
 * Throws `invalid_token_response`.
 * @param {string} text @param {string | undefined} userId @param {string} accessToken
 * @returns {{ wrapped: boolean }}
 */
export const checkUser = (text, userId, accessToken) => answer(ask('u', opt(userId), accessToken, text));

/**
 * `d`: a stored session's raw text (null when nothing is stored, `''` when it is not JSON) at
 * `nowMs`: `{}`, `{ corrupt: true }`, or `{ expiresAt, refresh, delay }` (`delay` shortened by
 * up to `jitter` of the window, 0 to 1).
 * @param {number} nowMs @param {number} jitter @param {string | null} raw
 * @returns {{ expiresAt?: number, refresh?: boolean, delay: number, corrupt?: boolean }}
 */
export const readStored = (nowMs, jitter, raw) => ask('d', nowMs, Math.floor(jitter * 1000), opt(raw));

/**
 * `v`: a stored PKCE verifier (the JSON-decoded string): `{ verifier }`, or `{}`.
 * @param {string} stored
 * @returns {{ verifier?: string }}
 */
export const readVerifier = (stored) => ask('v', stored);

/**
 * `p`: whether an implicit callback that brought `nonce` back is the one of the sign-in whose
 * marker (its nonce; null when none is pending) this browser stored.
 * @param {string | undefined} nonce @param {string | null} marker
 * @returns {boolean}
 */
export const implicitPending = (nonce, marker) => ask('p', opt(nonce), opt(marker));

/**
 * `k`: how far the device clock is off the server's (ms), from the `iat` of `token` received at
 * `nowMs`; `fresh` for a `/token` answer, which was just issued.
 * @param {number} nowMs @param {boolean} fresh @param {string} token
 * @returns {number}
 */
export const clockSkew = (nowMs, fresh, token) => ask('k', nowMs, fresh ? 1 : 0, token);

// ---- ahead of time ----

/**
 * Asks the core, with made-up input, what it will be asked once a PKCE callback's answer
 * arrives: the browser compiles a wasm function on its first call, and this runs while the
 * request is on the wire, when the page is otherwise waiting. The answers are thrown away; the
 * core keeps no state.
 */
export function warm() {
  /** A JWT (not a real one) and a session with it. */
  const WARM_TOKEN = 'x.eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0.x';
  const WARM_SESSION = `{"access_token":"${WARM_TOKEN}","token_type":"bearer","expires_in":3600,"expires_at":1700003600,"refresh_token":"r","user":{"id":"u"}}`;
  clockSkew(1700000000000, true, WARM_TOKEN);
  tokenExpiry(1700000000, WARM_SESSION);
  readStored(1700000000000, 0, WARM_SESSION);
}
