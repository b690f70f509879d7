// The JS shell around the wasm core. It owns the asynchronous I/O (storage, navigation and,
// later, fetch and timers) and asks the core for every decision: URLs, PKCE, validation, keys.
import {
  initSync,
  buildAuthorizeUrl as coreBuildAuthorizeUrl,
  storageKeyFor as coreStorageKeyFor,
  clientConfig,
  planSignIn,
} from './core.js';
import { wasmModule } from './wasm-module.js';

let ready = false;
/** Instantiates the wasm core on first use, synchronously: no `await init()` for anyone. */
function core() {
  if (!ready) {
    initSync({ module: wasmModule() });
    ready = true;
  }
}

function authError(code, message) {
  const e = new Error(message);
  e.name = 'AuthError';
  e.code = code;
  e.status = 0;
  e.__isAuthError = true;
  return e;
}

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
  if (choice && typeof choice.getItem === 'function' && typeof choice.setItem === 'function' &&
      typeof choice.removeItem === 'function') {
    return () => choice;
  }
  throw authError('invalid_options', "storage must be 'local', 'session', 'memory' or a storage object");
}

class WorkOSAuthClient {
  constructor(supabaseUrl, supabaseKey, options = {}) {
    core();
    const config = clientConfig(supabaseUrl, supabaseKey, options);
    this.supabaseUrl = supabaseUrl;
    this.authUrl = config.authUrl;
    this.storageKey = config.storageKey;
    this.flowType = config.pkce ? 'pkce' : 'implicit';
    this._storage = pickStorage(options.storage);
  }

  /**
   * Starts WorkOS SSO: builds the authorize URL, stores the PKCE verifier where supabase-js
   * looks for it, then navigates unless `skipBrowserRedirect`.
   */
  async signInWithWorkOS(options) {
    const plan = planSignIn(this.supabaseUrl, this.storageKey, this.flowType === 'pkce', options);
    if (plan.verifierKey) {
      try {
        await this._storage().setItem(plan.verifierKey, plan.verifierValue);
      } catch {
        throw authError('storage_unavailable', 'the PKCE verifier could not be stored');
      }
    }
    if (!(options && options.skipBrowserRedirect)) globalThis.location.assign(plan.url);
    return { provider: 'workos', url: plan.url };
  }
}

/** A client for one Supabase project. Throws `invalid_options` at once for a bad URL or key. */
export function createClient(supabaseUrl, supabaseKey, options) {
  return new WorkOSAuthClient(supabaseUrl, supabaseKey, options);
}
