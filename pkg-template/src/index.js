// The JS shell around the wasm core. It owns the asynchronous I/O (fetch, storage, navigation,
// history) and asks the core for every decision: URLs, PKCE, callback parsing, session checks,
// expiry, and what a failed request means.
import {
  initSync,
  buildAuthorizeUrl as coreBuildAuthorizeUrl,
  storageKeyFor as coreStorageKeyFor,
  clientConfig,
  planSignIn,
  parseCallback,
  implicitSession,
  tokenSession,
  storedSession,
  apiError,
  readVerifier,
  clientError,
} from './core.js';
import { wasmModule } from './wasm-module.js';

const VERSION = '0.1.0';
const API_VERSION = '2024-01-01';

let ready = false;
/** Instantiates the wasm core on first use, synchronously: no `await init()` for anyone. */
function core() {
  if (!ready) {
    initSync({ module: wasmModule() });
    ready = true;
  }
}

const now = () => Math.round(Date.now() / 1000);

/** True for every error this library throws (and supabase-js's own). */
export function isAuthError(e) {
  return typeof e === 'object' && e !== null && '__isAuthError' in e;
}

/** The authorize URL for these options; pure, nothing stored. */
export function buildAuthorizeUrl(supabaseUrl, options) {
  core();
  return coreBuildAuthorizeUrl(supabaseUrl, options);
}

/** The key supabase-js stores this project's session under. */
export function storageKeyFor(supabaseUrl) {
  core();
  return coreStorageKeyFor(supabaseUrl);
}

/**
 * What a callback URL holds: `{ type: 'implicit', params }`, `{ type: 'pkce', code }`,
 * `{ type: 'error', error }` or `{ type: 'none' }`. Throws `invalid_callback` when malformed.
 */
export function parseCallbackUrl(url) {
  core();
  const cb = parseCallback(String(url), now());
  if (cb.type === 'invalid') throw cb.error;
  if (cb.type === 'implicit') return { type: 'implicit', params: cb.params };
  if (cb.type === 'pkce') return { type: 'pkce', code: cb.code };
  if (cb.type === 'error') return { type: 'error', error: cb.error };
  return { type: 'none' };
}

function memoryStorage() {
  const m = new Map();
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
  };
}

function pickStorage(choice) {
  if (choice === undefined || choice === 'local') return () => globalThis.localStorage;
  if (choice === 'session') return () => globalThis.sessionStorage;
  if (choice === 'memory') {
    const m = memoryStorage();
    return () => m;
  }
  if (
    choice &&
    typeof choice.getItem === 'function' &&
    typeof choice.setItem === 'function' &&
    typeof choice.removeItem === 'function'
  ) {
    return () => choice;
  }
  throw clientError('invalid_options');
}

class WorkOSAuthClient {
  constructor(supabaseUrl, supabaseKey, options = {}) {
    core();
    const config = clientConfig(supabaseUrl, supabaseKey, options);
    this.supabaseUrl = supabaseUrl;
    this.authUrl = config.authUrl;
    this.storageKey = config.storageKey;
    this.flowType = config.pkce ? 'pkce' : 'implicit';
    this._key = supabaseKey;
    this._storage = pickStorage(options.storage);
    this._subscribers = new Set();
    this._refreshing = null;
    const detect = options.detectSessionInUrl !== false && typeof location !== 'undefined';
    this._initializing = true;
    this._queued = [];
    this._init = this._initialize(detect);
  }

  // ---- storage: every call may be async, may throw, may be missing ----

  async _get(key) {
    try {
      return (await this._storage().getItem(key)) ?? null;
    } catch {
      return null;
    }
  }

  async _set(key, value) {
    try {
      await this._storage().setItem(key, value);
    } catch {
      throw clientError('storage_unavailable');
    }
  }

  async _remove(key) {
    try {
      await this._storage().removeItem(key);
    } catch {
      // Nothing to lose: a value that cannot be removed is not trusted either.
    }
  }

  // ---- network ----

  async _request(method, path, body, accessToken) {
    const headers = {
      apikey: this._key,
      authorization: `Bearer ${accessToken ?? this._key}`,
      'x-client-info': `supabase-workos/${VERSION}`,
      'x-supabase-api-version': API_VERSION,
    };
    if (body !== undefined) headers['content-type'] = 'application/json;charset=UTF-8';
    let res;
    try {
      res = await fetch(this.authUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw apiError(0, undefined, false);
    }
    let data;
    try {
      data = res.status === 204 ? null : await res.json();
    } catch {
      data = undefined;
    }
    if (!res.ok || data === undefined) {
      throw apiError(res.ok ? 200 : res.status, data, res.headers.has('x-supabase-api-version'));
    }
    return data;
  }

  // ---- events ----

  _emit(event, session) {
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
        if (this._subscribers.has(subscriber)) subscriber('INITIAL_SESSION', session);
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
    const plan = planSignIn(this.supabaseUrl, this.storageKey, this.flowType === 'pkce', options);
    if (plan.verifierKey) await this._set(plan.verifierKey, plan.verifierValue);
    if (!(options && options.skipBrowserRedirect)) globalThis.location.assign(plan.url);
    return { provider: 'workos', url: plan.url };
  }

  async _initialize(detect) {
    let error = null;
    if (detect) {
      try {
        await this._callback(location.href, true);
      } catch (e) {
        error = e;
      }
    }
    const session = await this._session().catch(() => null);
    this._initializing = false;
    for (const subscriber of this._subscribers) {
      try {
        subscriber('INITIAL_SESSION', session);
      } catch {
        // As in _emit.
      }
    }
    for (const [event, s] of this._queued.splice(0)) this._emit(event, s);
    return { error };
  }

  /** Resolves when the client has handled a callback URL (if any): `{ error }`. */
  initialize() {
    return this._init;
  }

  _verifierKey(flowId) {
    return flowId ? `${this.storageKey}-flow-${flowId}-code-verifier` : `${this.storageKey}-code-verifier`;
  }

  /**
   * Removes a used verifier: the slot supabase-js keeps per flow (named by the redirect's flow
   * id, or found by its value when the redirect had none), its entry in supabase-js's flow index,
   * and the legacy key when it holds the same verifier.
   */
  async _removeVerifier(flowId, used) {
    const legacy = this._verifierKey();
    const indexKey = `${this.storageKey}-flows-code-verifier`;
    let index = [];
    try {
      index = JSON.parse(await this._get(indexKey)) ?? [];
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
      await this._remove(this._verifierKey(id));
      const rest = index.filter((x) => x !== id);
      if (rest.length !== index.length) {
        if (rest.length) await this._set(indexKey, JSON.stringify(rest)).catch(() => {});
        else await this._remove(indexKey);
      }
    }
    if ((await this._get(legacy)) === used) await this._remove(legacy);
  }

  async _callback(href, auto) {
    const cb = parseCallback(href, now());
    if (cb.type === 'none') return null;
    let verifier;
    let verifierRaw;
    if (cb.type === 'pkce') {
      verifierRaw = await this._get(this._verifierKey(cb.flowId));
      verifier = readVerifier(verifierRaw);
      // On auto-detect a `?code=` without a verifier may belong to another flow: leave it.
      if (auto && verifier === undefined) return null;
    }
    if (cb.clean !== undefined && typeof location !== 'undefined' && href === location.href) {
      history.replaceState(history.state, '', cb.clean);
    }
    if (cb.type === 'invalid' || cb.type === 'error') throw cb.error;
    let session;
    let recovery;
    if (cb.type === 'pkce') {
      if (verifier === undefined) throw clientError('pkce_code_verifier_not_found');
      recovery = verifier.recovery;
      let data;
      try {
        data = await this._request('POST', '/token?grant_type=pkce', {
          auth_code: cb.code,
          code_verifier: verifier.verifier,
        });
      } finally {
        await this._removeVerifier(cb.flowId, verifierRaw);
      }
      session = tokenSession(data, now());
    } else {
      recovery = cb.recovery;
      const user = await this._request('GET', '/user', undefined, cb.params.access_token);
      session = implicitSession(cb.params, user);
    }
    await this._set(this.storageKey, JSON.stringify(session));
    this._emit(recovery ? 'PASSWORD_RECOVERY' : 'SIGNED_IN', session);
    return session;
  }

  /**
   * Finishes sign-in from a callback URL (default: the current one). Resolves to the session,
   * or null when the URL is not a callback.
   */
  async handleRedirectCallback(url) {
    await this._init;
    return this._callback(url === undefined ? location.href : String(url), false);
  }

  // ---- the session ----

  async _session() {
    const stored = storedSession(await this._get(this.storageKey), now());
    if (stored.corrupt) {
      await this._remove(this.storageKey);
      return null;
    }
    if (!stored.session) return null;
    if (!stored.refresh) return stored.session;
    try {
      return await this._refresh(stored.session);
    } catch (e) {
      // A network failure keeps a session that has not expired yet.
      if (e.name === 'AuthRetryableFetchError' && stored.expiresAt > now()) return stored.session;
      throw e;
    }
  }

  _refresh(session) {
    if (!this._refreshing) {
      this._refreshing = (async () => {
        try {
          const data = await this._request('POST', '/token?grant_type=refresh_token', {
            refresh_token: session.refresh_token,
          });
          const next = tokenSession(data, now());
          await this._set(this.storageKey, JSON.stringify(next));
          this._emit('TOKEN_REFRESHED', next);
          return next;
        } catch (e) {
          if (e.name === 'AuthApiError') {
            await this._signOutLocally();
          }
          throw e;
        } finally {
          this._refreshing = null;
        }
      })();
    }
    return this._refreshing;
  }

  async _signOutLocally() {
    await this._remove(this.storageKey);
    await this._remove(this._verifierKey());
    this._emit('SIGNED_OUT', null);
  }

  /** The current session, refreshed first when it is about to expire; null when signed out. */
  async getSession() {
    await this._init;
    return this._session();
  }

  /** Refreshes the session now. */
  async refreshSession() {
    await this._init;
    const stored = storedSession(await this._get(this.storageKey), now());
    if (!stored.session) throw clientError('session_missing');
    return this._refresh(stored.session);
  }

  /** The signed-in user, from `GET /auth/v1/user`. */
  async getUser() {
    const session = await this.getSession();
    if (!session) throw clientError('session_missing');
    return this._request('GET', '/user', undefined, session.access_token);
  }

  /**
   * Signs out: `POST /logout?scope=`; the local session and verifiers are cleared even when the
   * server call fails, and the failure is then reported.
   */
  async signOut(options = {}) {
    await this._init;
    const scope = options.scope ?? 'global';
    if (scope !== 'global' && scope !== 'local' && scope !== 'others') throw clientError('invalid_options');
    const stored = storedSession(await this._get(this.storageKey), now());
    let failure = null;
    if (stored.session) {
      try {
        await this._request('POST', `/logout?scope=${scope}`, undefined, stored.session.access_token);
      } catch (e) {
        failure = e;
      }
    }
    if (scope !== 'others') await this._signOutLocally();
    if (failure) throw failure;
  }

  /** Stops listeners and timers. */
  dispose() {
    this._subscribers.clear();
  }
}

/** A client for one Supabase project. Throws `invalid_options` at once for a bad URL or key. */
export function createClient(supabaseUrl, supabaseKey, options) {
  return new WorkOSAuthClient(supabaseUrl, supabaseKey, options);
}
