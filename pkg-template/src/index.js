// The JS shell around the wasm core. It owns the asynchronous I/O (fetch, storage, navigation,
// history) and asks the core for every decision: URLs, PKCE, callback parsing, session checks,
// expiry, and what a failed request means.
import { initSync, decide as coreDecide } from './core.js';
import { wasmModule } from './wasm-module.js';

const VERSION = '0.1.0';
const API_VERSION = '2024-01-01';
/** A request that has not answered by then is a network failure (and releases the lock). */
const REQUEST_TIMEOUT_MS = 15000;
/** The longest a tab waits for another tab's refresh before refreshing itself. */
const LOCK_WAIT_MS = 20000;
/** How long a tab that refreshed marks the session it replaced as spent (see `_caughtUp`). */
const SPENT_MS = 10000;
/** The longest a tab waits for another tab's write to reach its own copy of localStorage. */
const CATCH_UP_MS = 2000;
/** How long a tab with storage of its own waits for the other tabs' sessions (see `_ask`). */
const ASK_MS = 250;

const lockManager = () => globalThis.navigator?.locks;

/** A signal that aborts after `ms` (`AbortSignal.timeout` is missing from browsers that have Web Locks). */
function timeoutSignal(ms) {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A 32-bit digest of a stored session: names it in a lock without its tokens. */
function digest(text) {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h >>> 0;
}

let ready = false;
/** Instantiates the wasm core on first use, synchronously: no `await init()` for anyone. */
function core() {
  if (!ready) {
    initSync({ module: wasmModule() });
    ready = true;
  }
}

/** A JS `Error` from the core's `{name, message, code, status, …}`. */
function toError(o) {
  const e = new Error(o.message);
  Object.assign(e, o);
  e.__isAuthError = true;
  return e;
}

/**
 * Asks the core: an operation letter and its fields, joined by NULs (see `decide` in
 * src/core/api.rs). It answers with JSON.
 */
function decide(...fields) {
  core();
  // Numbers cross as whole decimal numbers, rounded here (seconds and a stored clock skew may not be whole).
  const text = fields.map((f) => (typeof f === 'number' ? Math.round(f) : f)).join('\0');
  return JSON.parse(coreDecide(text));
}

/** A JWT (not a real one) and a session with it, for `warm`. */
const WARM_TOKEN = 'x.eyJpYXQiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMzYwMH0.x';
const WARM_SESSION = `{"access_token":"${WARM_TOKEN}","token_type":"bearer","expires_in":3600,"expires_at":1700003600,"refresh_token":"r","user":{"id":"u"}}`;

/**
 * Asks the core, with made-up input, what it will be asked once a PKCE callback's answer
 * arrives: the browser compiles a wasm function on its first call, and this runs while the
 * request is on the wire, when the page is otherwise waiting. The answers are thrown away; the
 * core keeps no state.
 */
function warm() {
  decide('k', 1700000000000, 1, WARM_TOKEN);
  decide('t', 1700000000, WARM_SESSION);
  decide('d', 1700000000000, 0, '+' + WARM_SESSION);
}

/** An optional field: empty when absent, `+` and the value when present. */
const opt = (v) => (v == null ? '' : '+' + v);

/** The core's answer, with an `error` member thrown. */
function call(out) {
  if (out.error) throw toError(out.error);
  return out;
}

const clientError = (code) => toError(decide('x', code).error);

/** The browser's parse of a URL, as the core takes it; undefined when it does not parse. */
function urlParts(url) {
  if (typeof url !== 'string') return undefined;
  try {
    const u = new URL(url);
    return [u.protocol, u.origin, u.hostname, u.pathname, u.search || u.hash ? 0 : 1].join('\n');
  } catch {
    return undefined;
  }
}

/** An optional string option; any other type is `invalid_options`. */
function str(options, key) {
  const v = options == null ? undefined : options[key];
  if (v == null) return undefined;
  if (typeof v !== 'string') throw clientError('invalid_options');
  return v;
}

/** `queryParams` form-encoded in order; `null`/`undefined` values are left out. */
function queryString(params) {
  if (params == null) return '';
  if (typeof params !== 'object' || Array.isArray(params)) throw clientError('invalid_options');
  const pairs = [];
  for (const [k, v] of Object.entries(params)) {
    if (v == null) continue;
    if (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol') throw clientError('invalid_options');
    pairs.push([k, String(v)]);
  }
  return new URLSearchParams(pairs).toString();
}

/**
 * The S256 PKCE challenge of a verifier, base64url(SHA-256), by the browser's WebCrypto.
 * `crypto.subtle` exists only in secure contexts (https, localhost): elsewhere PKCE is refused,
 * never downgraded to the `plain` method.
 */
async function s256(verifier) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw clientError('insecure_context');
  const hash = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...hash)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * The authorize URL (and, with a `verifier`, the key and value to store it under) for
 * `signInWithWorkOS`-style options.
 */
function plan(supabaseUrl, storageKey, options, verifier, flowType, challenge) {
  const provider = options == null ? undefined : options.provider;
  const redirectTo = str(options, 'redirectTo');
  const out = call(
    decide(
      's',
      opt(urlParts(supabaseUrl)),
      opt(redirectTo ? urlParts(redirectTo) : undefined),
      storageKey,
      opt(str(options, 'connection')),
      opt(str(options, 'organization')),
      // A provider of the wrong type is given but unknown: `invalid_provider`.
      opt(provider == null ? undefined : typeof provider === 'string' ? provider : '?'),
      opt(redirectTo),
      opt(str(options, 'scopes')),
      opt(str(options, 'loginHint')),
      opt(str(options, 'domainHint')),
      queryString(options == null ? undefined : options.queryParams),
      opt(verifier),
      opt(flowType),
      opt(challenge),
    ),
  );
  if (out.warn) console.warn("supabase-workos: redirectTo has a fragment; Supabase Auth appends the callback after a second '#'");
  return out;
}

/** True for every error this library throws (and supabase-js's own). */
export function isAuthError(e) {
  return typeof e === 'object' && e !== null && '__isAuthError' in e;
}

/** The authorize URL for these options; pure, nothing stored. */
export function buildAuthorizeUrl(supabaseUrl, options) {
  return plan(supabaseUrl, '', options, undefined, str(options, 'flowType'), str(options, 'codeChallenge')).url;
}

/** The key supabase-js stores this project's session under. */
export function storageKeyFor(supabaseUrl) {
  return call(decide('c', opt(urlParts(supabaseUrl)), '', '', '')).storageKey;
}

/**
 * What a callback URL holds: `{ type: 'implicit', params }`, `{ type: 'pkce', code }`,
 * `{ type: 'error', error }` or `{ type: 'none' }`. Throws `invalid_callback` when malformed.
 */
export function parseCallbackUrl(url) {
  const { type, params, code, error } = parseCallback(String(url));
  if (type === 'invalid') throw error;
  if (type === 'implicit') return { type, params };
  if (type === 'pkce') return { type, code };
  if (type === 'error') return { type, error };
  return { type: 'none' };
}

/** The core's reading of a callback URL, with its error as a JS `Error`. */
function parseCallback(href, nowS = Date.now() / 1000) {
  const cb = decide('b', nowS, href);
  if (cb.error) cb.error = toError(cb.error);
  return cb;
}


/** A stored PKCE verifier: `{ verifier, recovery }`, or undefined when there is none. */
function readVerifier(raw) {
  let stored;
  try {
    stored = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof stored !== 'string') return undefined;
  const out = decide('v', stored);
  return out.verifier === undefined ? undefined : out;
}

/**
 * The storages to try, in order: the chosen one, then (for localStorage) sessionStorage, then
 * memory, which cannot fail. A storage that throws (disabled, full, privacy mode) is left for
 * the next one.
 */
function storageChain(choice) {
  const m = new Map();
  const memory = {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
  };
  const last = [['memory', () => memory]];
  if (choice === undefined || choice === 'local') {
    return [['localStorage', () => globalThis.localStorage], ['sessionStorage', () => globalThis.sessionStorage], ...last];
  }
  if (choice === 'session') return [['sessionStorage', () => globalThis.sessionStorage], ...last];
  if (choice === 'memory') return last;
  if (
    choice &&
    typeof choice.getItem === 'function' &&
    typeof choice.setItem === 'function' &&
    typeof choice.removeItem === 'function'
  ) {
    return [['the custom storage', () => choice], ...last];
  }
  throw clientError('invalid_options');
}

class WorkOSAuthClient {
  constructor(supabaseUrl, supabaseKey, options) {
    const config = call(
      decide(
        'c',
        opt(urlParts(supabaseUrl)),
        opt(typeof supabaseKey === 'string' ? supabaseKey : ''),
        opt(str(options, 'flowType')),
        opt(str(options, 'storageKey')),
      ),
    );
    this.supabaseUrl = supabaseUrl;
    this.authUrl = config.authUrl;
    this.storageKey = config.storageKey;
    this.flowType = config.pkce ? 'pkce' : 'implicit';
    this._key = supabaseKey;
    this._storages = storageChain(options.storage);
    this._memoryChosen = options.storage === 'memory';
    this._allowUnsolicited = options.allowUnsolicitedImplicit === true;
    this._subscribers = new Set();
    this._refreshing = null;
    this._autoRefresh = options.autoRefreshToken !== false;
    this._skew = 0;
    this._timer = null;
    this._attempt = 0;
    this._disposed = false;
    const detect = options.detectSessionInUrl !== false && typeof location !== 'undefined';
    this._initializing = true;
    this._queued = [];
    this._listening = false;
    this._init = this._initialize(detect);
  }

  // ---- other tabs of this origin, and the tab's visibility ----

  /**
   * Starts listening, once: while a callback's request is on the wire, or at the end of init
   * when there was none (so that creating the client does not wait for it).
   */
  _listen() {
    if (this._listening || this._disposed) return;
    this._listening = true;
    // One message at a time, in the order they came.
    let queue = Promise.resolve();
    const onRemote = (message) => (queue = queue.then(() => this._onRemote(message)).catch(() => {}));
    if (typeof BroadcastChannel === 'function') {
      this._channel = this._newChannel();
      this._channel.onmessage = (e) => onRemote(e.data);
    } else if (typeof window !== 'undefined') {
      // Without BroadcastChannel, localStorage's own events tell what another tab did.
      this._onStorage = (e) => {
        if (e.key !== this.storageKey) return;
        const event = e.newValue === null ? 'SIGNED_OUT' : e.oldValue === null ? 'SIGNED_IN' : 'TOKEN_REFRESHED';
        onRemote({ event });
      };
      window.addEventListener('storage', this._onStorage);
    }
    if (typeof document !== 'undefined') {
      this._onVisibility = () => {
        if (document.visibilityState === 'visible') this._tick();
        else this._stopTimer();
      };
      document.addEventListener('visibilitychange', this._onVisibility);
    }
  }

  /** The channel between the tabs that share this storage key. */
  _newChannel() {
    return new BroadcastChannel(`supabase-workos:${this.storageKey}`);
  }

  /** `user`: the id of the user whose session a `SIGNED_OUT` ended. */
  _broadcast(event, session, user) {
    try {
      this._channel?.postMessage({ event, session, user });
    } catch {
      // A closed channel: this client was disposed.
    }
  }

  async _onRemote(message) {
    if (this._disposed || !message || typeof message.event !== 'string') return;
    await this._init;
    const { event } = message;
    if (event === 'ASK') {
      const { session } = this._stored(await this._get(this.storageKey));
      if (session) this._broadcast('SESSION', session);
      return;
    }
    if (event === 'SIGNED_OUT') {
      if (this._own()) {
        // Storage of this tab's own ends only the user's session that ended: a session of another
        // user is not the other tab's to end. A message that does not say whose (a storage event,
        // a sender that could not read its session) ends it.
        const ours = this._stored(await this._get(this.storageKey));
        if (message.user !== undefined && ours.session?.user.id !== message.user) return;
        await this._remove(this.storageKey);
      }
      // Shared storage: the tab that signed out removed the session (and may have stored a new
      // one since).
      this._stopTimer();
      // Said once: several tabs may each announce the end of one session.
      if (!this._out) this._emit('SIGNED_OUT', null);
      return;
    }
    if (event !== 'SIGNED_IN' && event !== 'TOKEN_REFRESHED' && event !== 'USER_UPDATED') return;
    await this._loadSkew();
    const raw = await this._get(this.storageKey);
    const text = message.session && JSON.stringify(message.session);
    let wait = false;
    // Without a session in the message (the storage event of a browser without BroadcastChannel),
    // storage is all there is.
    if (text) {
      const ours = this._stored(raw);
      if (this._own()) {
        // Storage of this tab's own takes the session from the message when it holds none, or an
        // older one of the same user (whose refresh token the other tab may have spent); else the
        // message is not about this tab's session.
        if (!this._newer(text, raw, ours)) return;
        await this._set(this.storageKey, text).catch(() => {});
      } else {
        // Shared storage is written by the tab that sent the message, and only by it: a copy here
        // may lag behind (see `_caughtUp`), and a message may cross a sign-out. A sign-in leaves
        // no mark, so its session is waited for until the copy changes.
        const theirs = this._stored(text);
        wait = event === 'SIGNED_IN' && theirs.session && (!ours.session || theirs.expiresAt > ours.expiresAt);
      }
    }
    const current = this._stored(await this._caughtUp(await this._get(this.storageKey), wait)).session;
    if (current) this._emit(event, current);
    this._attempt = 0;
    this._schedule();
  }

  // ---- time: the server's, as the device clock gives it less its measured skew ----

  _serverNow() {
    return Date.now() - this._skew;
  }

  /** The stored session's raw text, checked by the core: `{ session?, expiresAt, refresh, delay, corrupt? }`. */
  _stored(raw, jitter = 0) {
    let session;
    try {
      session = raw === null ? undefined : JSON.parse(raw);
    } catch {
      raw = '';
    }
    const out = decide('d', this._serverNow(), Math.floor(jitter * 1000), opt(raw));
    if (out.expiresAt !== undefined) out.session = session;
    return out;
  }

  _skewKey() {
    return `${this.storageKey}-clock-skew`;
  }

  async _loadSkew() {
    const stored = Number(await this._get(this._skewKey()).catch(() => null));
    this._skew = Number.isFinite(stored) ? stored : 0;
  }

  /** Keeps a measured skew; from a callback's token (not `fresh`), 0 changes nothing. */
  async _noteSkew(skew, fresh) {
    if (!fresh && skew === 0) return;
    this._skew = skew;
    if (skew) await this._set(this._skewKey(), String(skew)).catch(() => {});
    else await this._remove(this._skewKey()).catch(() => {});
  }

  /** A `/token` answer checked by the core, with `expires_at` set: the session to store. */
  async _fresh({ data, text }) {
    const token = typeof data?.access_token === 'string' ? data.access_token : '';
    // The clock skew this token shows, as one just issued (see `clock_skew_ms`).
    const skew = decide('k', Date.now(), 1, token);
    // One question to the core: it checks the answer (it may be `null`, a number, a user without
    // tokens…) and gives its expiry at the server's time. The skew is kept only once the answer
    // has passed.
    const { expiresAt } = call(decide('t', (Date.now() - skew) / 1000, text));
    await this._noteSkew(skew, true);
    data.expires_at = expiresAt;
    return data;
  }

  // ---- storage: every call may be async, may throw; a failing storage falls back ----

  async _storageOp(op) {
    for (;;) {
      const [name, storage] = this._storages[0];
      try {
        return await op(storage());
      } catch {
        if (this._storages.length === 1) throw clientError('storage_unavailable');
        this._storages.shift();
        if (!this._warnedStorage) {
          this._warnedStorage = true;
          console.warn(`supabase-workos: ${name} is unavailable; the session is kept in ${this._storages[0][0]} instead`);
        }
      }
    }
  }

  /** Runs `fn` in a task of its own once init is over (the page is busy until then). */
  _afterInit(fn) {
    this._init.then(() => setTimeout(fn));
  }

  /**
   * Whether the fallbacks of the chain may hold this key when the first storage does not. An
   * earlier page whose first storage refused writes (a full quota answers reads, but what was
   * written went to the next storage) kept the session, the PKCE verifier and the implicit
   * marker there, and losing one of them ends a sign-in. The clock skew (measured again from the
   * next token) and supabase-js's flow index (which supabase-js keeps in localStorage only) live
   * in the first storage only, so a miss on them reads nothing else. Once this client has fallen
   * back itself, the first storage is the fallback.
   */
  _inFallbacks(key) {
    return key !== this._skewKey() && key !== this._flowIndexKey();
  }

  /** Reads the first storage of the chain that holds the key (see `_inFallbacks`). */
  async _get(key) {
    return (await this._first(key)) ?? this._fromFallbacks(key);
  }

  /** Reads the first storage only: the value, or null. */
  async _first(key) {
    const value = await this._storageOp((s) => s.getItem(key));
    return typeof value === 'string' ? value : null;
  }

  /** Reads the fallbacks of the chain, when they may hold the key (see `_inFallbacks`). */
  async _fromFallbacks(key) {
    if (!this._inFallbacks(key)) return null;
    for (const [, storage] of this._storages.slice(1)) {
      try {
        const value = await storage().getItem(key);
        if (typeof value === 'string') return value;
      } catch {
        // A fallback that cannot answer has nothing of ours.
      }
    }
    return null;
  }

  _set(key, value) {
    return this._storageOp((s) => s.setItem(key, value));
  }

  /**
   * Removes the key from every storage of the chain that may hold it (see `_inFallbacks`).
   *
   * `consumed` is for a one-time value that a callback uses up (the implicit marker, a verifier):
   * its copies in the fallbacks are removed in a task after init instead, so that a callback's
   * request does not wait on those storages' first access. Only a page whose first storage
   * refused writes left such a copy, and nothing reads it before then. With `consumed.value`,
   * a copy is removed only while it is that value (a sign-in started meanwhile may have kept a
   * new one there).
   */
  async _remove(key, consumed) {
    await this._storageOp((s) => s.removeItem(key));
    if (!this._inFallbacks(key)) return;
    const fallbacks = this._storages.slice(1);
    const sweep = async () => {
      for (const [, storage] of fallbacks) {
        try {
          if (consumed?.value === undefined || (await storage().getItem(key)) === consumed.value) {
            await storage().removeItem(key);
          }
        } catch {
          // As in _get.
        }
      }
    };
    if (consumed) this._afterInit(sweep);
    else await sweep();
  }

  // ---- network ----

  async _request(method, path, body, accessToken) {
    const headers = {
      apikey: this._key,
      authorization: `Bearer ${accessToken ?? this._key}`,
      'x-client-info': `supabase-workos/${VERSION}`,
      'x-supabase-api-version': API_VERSION,
    };
    if (body) headers['content-type'] = 'application/json;charset=UTF-8';
    let res;
    try {
      res = await fetch(this.authUrl + path, {
        method,
        headers,
        body: body && JSON.stringify(body),
        signal: timeoutSignal(REQUEST_TIMEOUT_MS),
      });
    } catch {
      throw toError(decide('e', 0, 0, 0).error);
    }
    let text = '';
    let data;
    try {
      text = res.status === 204 ? 'null' : await res.text();
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
    if (!res.ok || data === undefined) {
      const json = typeof data === 'object' && data !== null;
      // A member's string, without NULs (they separate the core's fields).
      const s = (k) => opt(json && typeof data[k] === 'string' ? data[k].replace(/\0/g, '') : undefined);
      throw toError(
        decide(
          'e',
          res.ok ? 200 : res.status,
          json ? 1 : 0,
          res.headers.has('x-supabase-api-version') ? 1 : 0,
          s('code'),
          s('error_code'),
          s('msg'),
          s('message'),
          s('error_description'),
          s('error'),
          // Again: the OAuth error code, when the body names one.
          s('error'),
        ).error,
      );
    }
    return { data, text };
  }

  // ---- events ----

  _emit(event, session) {
    this._out = !session;
    if (this._disposed) return;
    if (this._initializing) {
      this._queued.push([event, session]);
      return;
    }
    for (const cb of this._subscribers) {
      try {
        cb(event, session);
      } catch {
        // One failing subscriber does not stop the others.
      }
    }
  }

  /** Subscribes to auth events; the subscriber first receives `INITIAL_SESSION`. */
  onAuthStateChange(callback) {
    const subscriber = (event, session) => callback(event, session);
    this._subscribers.add(subscriber);
    if (!this._initializing) {
      this._init.then(async () => {
        const session = await this._session().catch(() => null);
        try {
          if (this._subscribers.has(subscriber)) subscriber('INITIAL_SESSION', session);
        } catch {
          // As in _emit.
        }
      });
    }
    return { unsubscribe: () => this._subscribers.delete(subscriber) };
  }

  // ---- sign-in ----

  /**
   * Starts WorkOS SSO: builds the authorize URL, stores the PKCE verifier where supabase-js
   * looks for it, then navigates unless `skipBrowserRedirect`.
   */
  async signInWithWorkOS(options) {
    let verifier, challenge;
    if (this.flowType === 'pkce') {
      // 56 random bytes as 112 hex characters, the shape supabase-js uses.
      verifier = Array.from(crypto.getRandomValues(new Uint8Array(56)), (b) => (b | 256).toString(16).slice(1)).join('');
      challenge = await s256(verifier);
    }
    const p = plan(this.supabaseUrl, this.storageKey, options, verifier, verifier && 'pkce', challenge);
    if (p.verifierKey) {
      await this._set(p.verifierKey, p.verifierValue);
      // A verifier kept only in memory is lost with the redirect: refuse before navigating.
      if (this._storages.length === 1 && !this._memoryChosen) {
        await this._remove(p.verifierKey);
        throw clientError('storage_unavailable');
      }
    }
    // The implicit flow has no verifier to bind the callback to this browser: remember that a
    // sign-in was started here, so that a callback nobody started is refused (login CSRF).
    else await this._set(this._pendingKey(), String(Date.now()));
    if (!options?.skipBrowserRedirect) globalThis.location.assign(p.url);
    return { provider: 'workos', url: p.url };
  }

  async _initialize(detect) {
    let error = null;
    let done = null;
    if (detect) {
      try {
        done = await this._callback(location.href, true);
      } catch (e) {
        error = e;
      }
    }
    // A callback that stored a session has loaded or measured the skew already.
    if (!done) await this._loadSkew();
    // The session a callback just stored is the initial one, without reading it back, unless it
    // is already due for a refresh (then `_session` refreshes it).
    const stored = done && this._stored(done.text);
    const reuse = Boolean(stored?.session) && !stored.refresh;
    const session = reuse ? stored.session : await this._session().catch(() => null);
    // For the getSession() calls that waited on init (see there); dropped by the task below.
    this._initialText = reuse ? done.text : undefined;
    this._initializing = false;
    this._out = !session;
    for (const subscriber of this._subscribers) {
      try {
        subscriber('INITIAL_SESSION', session);
      } catch {
        // As in _emit.
      }
    }
    for (const [event, s] of this._queued.splice(0)) this._emit(event, s);
    this._listen();
    // The refresh timer in a task of its own, after the callers waiting on init have run.
    setTimeout(() => {
      this._initialText = undefined;
      this._schedule();
    });
    return { error };
  }

  /** Resolves when the client has handled a callback URL (if any): `{ error }`. */
  initialize() {
    return this._init;
  }

  _pendingKey() {
    return `${this.storageKey}-implicit-pending`;
  }

  _verifierKey(flowId) {
    return flowId ? `${this.storageKey}-flow-${flowId}-code-verifier` : `${this.storageKey}-code-verifier`;
  }

  /** supabase-js's list of the flow ids that have a verifier slot. */
  _flowIndexKey() {
    return `${this.storageKey}-flows-code-verifier`;
  }

  /**
   * Removes a used verifier: the slot supabase-js keeps per flow (named by the redirect's flow
   * id, or found by its value when the redirect had none), its entry in supabase-js's flow index,
   * and the legacy key when it holds the same verifier.
   */
  async _removeVerifier(flowId, used) {
    const legacy = this._verifierKey();
    const indexKey = this._flowIndexKey();
    let index;
    try {
      index = JSON.parse(await this._get(indexKey));
    } catch {
      // A corrupt index is left as it is.
    }
    if (!Array.isArray(index)) index = [];
    let id = flowId;
    if (!id) {
      for (const candidate of index) {
        if (typeof candidate === 'string' && (await this._get(this._verifierKey(candidate))) === used) id = candidate;
      }
    }
    if (id) {
      await this._remove(this._verifierKey(id), { value: used });
      const rest = index.filter((x) => x !== id);
      if (rest.length !== index.length) {
        if (rest.length) await this._set(indexKey, JSON.stringify(rest)).catch(() => {});
        else await this._remove(indexKey);
      }
    }
    if ((await this._get(legacy)) === used) await this._remove(legacy, { value: used });
  }

  /**
   * Finishes a callback: `{ session, text }` (the session and its stored text), or null when
   * `href` is not one (or, on auto-detect, a `?code=` of another flow). The request goes out as
   * early as it can; the rest of the work (listeners, address bar, storage) is done while it is
   * on the wire.
   */
  async _callback(href, auto) {
    // At the skew known so far; an implicit callback's expiry is read again below if the stored
    // skew differs (nothing else in the answer depends on the time).
    const skew = this._skew;
    const cb = parseCallback(href, this._serverNow() / 1000);
    if (cb.type === 'none') return null;
    let verifier;
    let verifierRaw;
    if (cb.type === 'pkce') {
      verifierRaw = await this._get(this._verifierKey(cb.flowId));
      verifier = readVerifier(verifierRaw);
      // On auto-detect a `?code=` without a verifier may belong to another flow: leave it.
      if (auto && verifier === undefined) return null;
    }
    // From here the auth parameters leave the address bar, whatever the outcome.
    let cleaned = false;
    const clean = () => {
      if (cleaned) return;
      cleaned = true;
      if (cb.clean !== undefined && href === globalThis.location?.href) {
        history.replaceState(history.state, '', cb.clean);
      }
    };
    let session;
    let recovery;
    try {
      if (cb.type === 'invalid' || cb.type === 'error') throw cb.error;
      if (cb.type === 'pkce') {
        if (verifier === undefined) throw clientError('pkce_code_verifier_not_found');
        recovery = verifier.recovery;
        const request = this._request('POST', '/token?grant_type=pkce', {
          auth_code: cb.code,
          code_verifier: verifier.verifier,
        });
        // The verifier is spent once sent, whatever the answer.
        const answer = await this._whileSent(request, clean, async () => {
          await this._removeVerifier(cb.flowId, verifierRaw);
          // The main thread has time to spare while /token answers (an implicit callback's
          // first storage access fills that time already).
          warm();
        });
        session = await this._fresh(answer);
      } else {
        // Login CSRF: unless the app opted out, only a sign-in started in this browser is
        // finished, and a token it did not ask for is never sent anywhere.
        if (!this._allowUnsolicited) {
          const key = this._pendingKey();
          const first = await this._first(key);
          const pending = first ?? (await this._fromFallbacks(key));
          // Consumed. Found in the first storage, its copies in the fallbacks (from an earlier
          // page) go after init, off the way to the request; found in a fallback, every copy goes
          // now, before another callback could read it.
          await this._remove(key, first === null ? undefined : {});
          if (!decide('p', Date.now(), opt(pending))) throw clientError('unsolicited_callback');
        }
        recovery = cb.recovery;
        let params = cb.params;
        const request = this._request('GET', '/user', undefined, params.access_token);
        const { data: user, text } = await this._whileSent(request, clean, async () => {
          // The marker is consumed either way.
          if (this._allowUnsolicited) await this._remove(this._pendingKey(), {});
          await this._loadSkew();
          if (this._skew !== skew) params = parseCallback(href, this._serverNow() / 1000).params;
          await this._noteSkew(decide('k', Date.now(), 0, params.access_token), false);
        });
        call(decide('u', text));
        session = { ...params, user };
      }
    } finally {
      clean();
    }
    const text = JSON.stringify(session);
    // Not under the refresh lock: on a fresh page the lock manager's first answer takes 15 to 30
    // ms here, longer than the request. Instead the session replaced is marked, as a refresh marks
    // it: a refresh (or getUser) answered in another tab whose copy of storage does not show this
    // sign-in yet waits for it, and then leaves it alone. Only the first storage's copy is read:
    // the fallbacks are the tab's own (no other tab reads them), and a page's first access to
    // sessionStorage waits 1 to 6 ms on the browser, which here is after the answer.
    const replaced = await this._first(this.storageKey);
    await this._set(this.storageKey, text);
    const event = recovery ? 'PASSWORD_RECOVERY' : 'SIGNED_IN';
    this._emit(event, session);
    const announce = () => {
      this._markSpent(replaced);
      this._broadcast(event, session);
    };
    // Other tabs hear of it (and the lock manager of the mark, which costs this page a few ms)
    // once this page's init is over: it is busy until then.
    if (this._initializing) this._afterInit(announce);
    else announce();
    if (!this._initializing) this._schedule();
    return { session, text };
  }

  /**
   * The answer to a request just issued, once `meanwhile` is done too: the work that waits for
   * nothing from the answer (listeners, address bar, then `meanwhile`'s storage) is done while the
   * request is on the wire. An error of that work wins over the answer's, as it came first.
   */
  async _whileSent(request, clean, meanwhile) {
    const work = (async () => {
      this._listen();
      clean();
      await meanwhile();
    })();
    await Promise.allSettled([request, work]);
    await work;
    return request;
  }

  /**
   * Finishes sign-in from a callback URL (default: the current one). Resolves to the session,
   * or null when the URL is not a callback.
   */
  async handleRedirectCallback(url) {
    await this._init;
    const done = await this._callback(url === undefined ? location.href : String(url), false);
    return done && done.session;
  }

  // ---- the session ----

  async _session() {
    const stored = this._stored(await this._get(this.storageKey));
    if (stored.corrupt) {
      await this._remove(this.storageKey);
      return null;
    }
    if (!stored.session) return null;
    if (!stored.refresh) return stored.session;
    try {
      return await this._refresh(false);
    } catch (e) {
      // A failure that is not the end of the session keeps one that has not expired yet.
      if (e.code !== 'session_missing' && stored.expiresAt * 1000 > this._serverNow() && decide('r', e.status ?? 0, 1) >= 0) {
        return stored.session;
      }
      throw e;
    }
  }

  /** One refresh at a time in this client; across tabs, one at a time per storage key. */
  _refresh(force) {
    if (!this._refreshing) {
      this._refreshing = this._locked(() => this._refreshOnce(force)).finally(() => {
        this._refreshing = null;
      });
    }
    return this._refreshing;
  }

  /**
   * Runs `run` holding the storage key's lock across tabs, which every refresh and sign-out
   * takes; without Web Locks, as it is. Never an unbounded wait: past `LOCK_WAIT_MS` it runs
   * without the lock.
   */
  async _locked(run) {
    const locks = lockManager();
    if (!locks) return run();
    let started = false;
    try {
      return await locks.request(`supabase-workos-refresh:${this.storageKey}`, { signal: timeoutSignal(LOCK_WAIT_MS) }, () => {
        started = true;
        return run();
      });
    } catch (e) {
      // Timed out, or refused (an opaque origin): run without the lock.
      if (!started) return run();
      throw e;
    }
  }

  async _refreshOnce(force) {
    // Holding the lock: another tab may have refreshed while this one waited.
    const own = this._own();
    let raw = await this._current();
    let stored = this._stored(raw);
    if (!stored.session) throw clientError('session_missing');
    if (!force && !stored.refresh) return stored.session;
    const newer = own && (await this._ask(raw, stored));
    if (newer) {
      // Unless a message changed this tab's session meanwhile.
      const now = await this._get(this.storageKey);
      if (now === raw) {
        await this._set(this.storageKey, newer);
        this._emit('TOKEN_REFRESHED', this._stored(newer).session);
      }
      raw = now === raw ? newer : now;
      stored = this._stored(raw);
      if (!stored.session) throw clientError('session_missing');
      if (!force && !stored.refresh) return stored.session;
    }
    let answer;
    try {
      answer = await this._request('POST', '/token?grant_type=refresh_token', {
        refresh_token: stored.session.refresh_token,
      });
    } catch (e) {
      if (decide('r', e.status ?? 0, 1) < 0 && (await this._get(this.storageKey)) === raw) {
        await this._signOutLocally();
      }
      throw e;
    }
    const next = await this._fresh(answer);
    // A result is discarded when the stored session changed meanwhile (sign-out, another sign-in;
    // a sign-in in another tab marks the session it replaced, as a refresh does).
    const now = await this._current();
    if (now !== raw) {
      const current = this._stored(now).session;
      if (!current) throw clientError('session_missing');
      return current;
    }
    await this._set(this.storageKey, JSON.stringify(next));
    // Asked for before the refresh lock is let go, so the next tab to hold it sees the mark.
    this._markSpent(raw);
    this._emit('TOKEN_REFRESHED', next);
    this._broadcast('TOKEN_REFRESHED', next);
    return next;
  }

  /**
   * The stored session's text; from shared storage, once another tab's write has reached this
   * tab's copy of it (see `_caughtUp`).
   */
  async _current() {
    const raw = await this._get(this.storageKey);
    return this._own() ? raw : this._caughtUp(raw);
  }

  /** Whether the session is in storage of this tab's own (sessionStorage, memory). */
  _own() {
    return ['sessionStorage', 'memory'].includes(this._storages[0][0]);
  }

  /**
   * The newest session of the same user that the other tabs hold, when newer than `raw` (whose
   * reading is `ours`), after `ASK_MS`; else undefined. Storage of a tab's own misses what the
   * others did while it was away (on another page, or discarded and reloaded), and its refresh
   * token may be spent.
   */
  _ask(raw, ours) {
    if (typeof BroadcastChannel !== 'function') return undefined;
    const channel = this._newChannel();
    let newest;
    channel.onmessage = ({ data }) => {
      const text = data?.event === 'SESSION' && JSON.stringify(data.session);
      const theirs = text && this._newer(text, raw, ours);
      if (theirs) {
        ours = theirs;
        newest = text;
      }
    };
    channel.postMessage({ event: 'ASK' });
    return sleep(ASK_MS).then(() => {
      channel.close();
      return newest;
    });
  }

  /**
   * The session in `text` (another tab's), checked, when it is not `raw` and, unless `raw` holds
   * no session, is the same user's (two tabs with storage of their own may hold two users) and
   * expires no earlier than `ours` (the reading of `raw`); else undefined.
   */
  _newer(text, raw, ours) {
    const theirs = this._stored(text);
    const mine = ours.session;
    if (theirs.session && text !== raw && (!mine || (theirs.session.user.id === mine.user.id && theirs.expiresAt >= ours.expiresAt))) return theirs;
    return undefined;
  }

  _spentLock(raw) {
    return `supabase-workos-spent:${this.storageKey}:${digest(raw)}`;
  }

  /** Marks the stored session `raw` as replaced for `SPENT_MS` (see `_caughtUp`); never waits. */
  _markSpent(raw) {
    if (raw != null) {
      lockManager()
        ?.request(this._spentLock(raw), () => sleep(SPENT_MS))
        .catch(() => {});
    }
  }

  /**
   * The stored session, once a write by another tab has arrived. Chromium keeps a copy of
   * localStorage in each renderer and brings it up to date a moment after the writing tab let go
   * of the refresh lock, so a tab that takes the lock next can still read the session just
   * replaced, whose refresh token is spent. The tab that replaced it holds a lock named after it
   * (the lock manager is one for all tabs), and this waits for the copy to change.
   */
  async _caughtUp(raw, wait) {
    try {
      if (!wait) {
        const locks = lockManager();
        if (!locks || raw == null) return raw;
        const name = this._spentLock(raw);
        const { held } = await locks.query();
        // Read again: storage may have changed while the lock manager answered.
        if (!held.some((l) => l.name === name)) return await this._get(this.storageKey);
      }
      // A deadline, not a count: a hidden tab's timers run once a second at most.
      for (const end = Date.now() + CATCH_UP_MS; Date.now() < end; ) {
        await sleep(10);
        const text = await this._get(this.storageKey);
        if (text !== raw) return text;
      }
    } catch {
      // Without an answer from the lock manager, the copy in hand is the best there is.
    }
    return raw;
  }

  async _signOutLocally() {
    this._stopTimer();
    // Whose session ends: null for none, undefined when storage cannot tell.
    let user;
    try {
      user = this._stored(await this._get(this.storageKey)).session?.user.id ?? null;
    } catch {
      // Unknown: the other tabs end theirs.
    }
    await this._remove(this.storageKey).catch(() => {});
    await this._remove(this._verifierKey()).catch(() => {});
    this._emit('SIGNED_OUT', null);
    this._broadcast('SIGNED_OUT', null, user);
  }

  // ---- automatic refresh: one timer, only while the tab is visible ----

  _stopTimer() {
    clearTimeout(this._timer);
    this._timer = null;
  }

  async _schedule() {
    this._stopTimer();
    if (!this._autoRefresh || this._disposed) return;
    if (typeof document !== 'undefined' && document.visibilityState === 'hidden') return;
    await this._loadSkew();
    const stored = this._stored(await this._get(this.storageKey).catch(() => null), Math.random());
    if (!stored.session || this._disposed) return;
    this._stopTimer();
    this._timer = setTimeout(() => this._tick(), Math.min(stored.delay, 2147483647));
  }

  async _tick() {
    this._stopTimer();
    if (this._disposed || !this._autoRefresh) return;
    try {
      await this._session();
      this._attempt = 0;
      this._schedule();
    } catch (e) {
      const wait = decide('r', e.status ?? 0, ++this._attempt);
      // A hidden tab sets none; a retry replaces a timer set meanwhile.
      const hidden = typeof document !== 'undefined' && document.visibilityState === 'hidden';
      if (wait >= 0 && e.code !== 'session_missing' && !this._disposed && !hidden) {
        this._stopTimer();
        this._timer = setTimeout(() => this._tick(), wait);
      }
    }
  }

  /** The current session, refreshed first when it is about to expire; null when signed out. */
  async getSession() {
    const waited = this._initializing;
    await this._init;
    // A call that waited on init gets the session init just took from a callback, as it was
    // stored (a copy of its own), without reading it back.
    const text = waited ? this._initialText : undefined;
    return text === undefined ? this._session() : JSON.parse(text);
  }

  /** Refreshes the session now. */
  async refreshSession() {
    await this._init;
    const session = await this._refresh(true);
    this._schedule();
    return session;
  }

  /** The signed-in user, from `GET /auth/v1/user`. */
  async getUser() {
    const session = await this.getSession();
    if (!session) throw clientError('session_missing');
    const { data: user } = await this._request('GET', '/user', undefined, session.access_token);
    if (JSON.stringify(user) !== JSON.stringify(session.user)) {
      const raw = JSON.stringify(session);
      // Under the refresh lock, and only over the session it read: another tab may have
      // refreshed it meanwhile (and this tab's copy of storage may not show that yet).
      await this._locked(async () => {
        if ((await this._current()) !== raw) return;
        const updated = { ...session, user };
        await this._set(this.storageKey, JSON.stringify(updated));
        this._emit('USER_UPDATED', updated);
        this._broadcast('USER_UPDATED', updated);
      });
    }
    return user;
  }

  /**
   * Signs out: `POST /logout?scope=`; the local session and verifiers are cleared even when the
   * server call fails, and the failure is then reported.
   */
  async signOut(options) {
    await this._init;
    const scope = options?.scope ?? 'global';
    if (scope !== 'global' && scope !== 'local' && scope !== 'others') throw clientError('invalid_options');
    const stored = this._stored(await this._get(this.storageKey));
    let failure = null;
    if (stored.session) {
      try {
        await this._request('POST', `/logout?scope=${scope}`, undefined, stored.session.access_token);
      } catch (e) {
        failure = e;
      }
    }
    // Under the refresh lock: a refresh in flight in another tab writes its session first, and
    // this removes it.
    if (scope !== 'others') await this._locked(() => this._signOutLocally());
    if (failure) throw failure;
  }

  /** Stops timers, listeners and channels; the client does nothing more. */
  dispose() {
    this._disposed = true;
    this._stopTimer();
    this._subscribers.clear();
    this._channel?.close();
    if (this._onStorage) window.removeEventListener('storage', this._onStorage);
    if (this._onVisibility) document.removeEventListener('visibilitychange', this._onVisibility);
  }
}

/** A client for one Supabase project. Throws `invalid_options` at once for a bad URL or key. */
export function createClient(supabaseUrl, supabaseKey, options) {
  // `null` is no options, as supabase-js takes it.
  return new WorkOSAuthClient(supabaseUrl, supabaseKey, options ?? {});
}
