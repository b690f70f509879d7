// @ts-check
// The client: one Supabase project's session in this tab, composed of the storage chain, the
// clock, the requests, the other tabs, the events and the refresh; the core decides.
import { checkUser, clientConfig, clientError, readStored } from './core.js';
import { signIn } from './authorize.js';
import { finishCallback } from './callback.js';
import { Clock } from './clock.js';
import { AuthEvents } from './events.js';
import { api } from './http.js';
import { caughtUp, withRefreshLock } from './locks.js';
import { str } from './options.js';
import { flowIndexKey, verifierKey } from './pkce.js';
import { refresh, schedule, sessionRefreshedIfDue, stopTimer, watchVisibility } from './refresh.js';
import { StorageChain } from './storage.js';
import { Tabs, onTabMessage } from './tabs.js';

/**
 * A stored session's reading: `session` (parsed) when it is one, with its expiry and whether a
 * refresh is due; `corrupt` when it must be removed.
 * @typedef {{ session?: any, expiresAt?: any, refresh?: boolean, delay: number, corrupt?: boolean }} Stored
 */

export class WorkOSAuthClient {
  /**
   * @param {unknown} supabaseUrl
   * @param {unknown} supabaseKey
   * @param {any} options
   */
  constructor(supabaseUrl, supabaseKey, options) {
    const config = clientConfig(
      supabaseUrl,
      typeof supabaseKey === 'string' ? supabaseKey : '',
      str(options, 'flowType'),
      str(options, 'storageKey'),
    );
    const storageKey = config.storageKey;
    this.supabaseUrl = supabaseUrl;
    this.authUrl = config.authUrl;
    this.storageKey = storageKey;
    this._key = storageKey;
    this.flowType = config.pkce ? 'pkce' : 'implicit';
    this._request = api(config.authUrl, /** @type {string} */ (supabaseKey));
    const skewKey = `${storageKey}-clock-skew`;
    this._storage = new StorageChain(options.storage, [skewKey, flowIndexKey(storageKey)], (fn) => this._afterInit(fn));
    this._clock = new Clock(this._storage, skewKey);
    this._tabs = new Tabs(storageKey);
    this._events = new AuthEvents();
    this._allowUnsolicited = options.allowUnsolicitedImplicit === true;
    /** @type {Promise<any> | null} */
    this._refreshInFlight = null;
    this._autoRefresh = options.autoRefreshToken !== false;
    this._retryAttempt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this._refreshTimer = undefined;
    const detect = options.detectSessionInUrl !== false && typeof location !== 'undefined';
    this._initializing = true;
    // Set later (unset is false): `_disposed` by dispose(), `_listening` by _listen().
    this._initialized = this._initialize(detect);
  }

  /**
   * Starts listening to the other tabs and the tab's visibility, once: while a callback's
   * request is on the wire, or at the end of init when there was none (so that creating the
   * client does not wait for it).
   */
  _listen() {
    if (this._listening || this._disposed) return;
    this._listening = true;
    this._tabs._listen((message) => onTabMessage(this, message));
    this._stopWatching = watchVisibility(this);
  }

  /** Runs `fn` in a task of its own once init is over (the page is busy until then). @param {() => void} fn */
  _afterInit(fn) {
    this._initialized.then(() => setTimeout(fn));
  }

  /**
   * @param {boolean} detect whether to finish a callback in the current URL
   * @returns {Promise<{ error: unknown }>}
   */
  async _initialize(detect) {
    let error = null;
    let done = null;
    if (detect) {
      try {
        done = await finishCallback(this, location.href, true);
      } catch (e) {
        error = e;
      }
    }
    // A callback that stored a session has loaded or measured the skew already.
    if (!done) await this._clock._load();
    // The session a callback just stored is the initial one, without reading it back, unless it
    // is already due for a refresh (then `sessionRefreshedIfDue` refreshes it).
    const stored = done && this._checkStored(done.text);
    const reuse = Boolean(stored?.session) && !stored?.refresh;
    const session = reuse ? stored?.session : await sessionRefreshedIfDue(this).catch(() => null);
    // For the getSession() calls that waited on init (see there); dropped by the task below.
    this._initialText = reuse ? done?.text : undefined;
    this._initializing = false;
    this._events._release(session);
    this._listen();
    // The refresh timer in a task of its own, after the callers waiting on init have run.
    setTimeout(() => {
      this._initialText = undefined;
      schedule(this);
    });
    return { error };
  }

  /** Resolves when the client has handled a callback URL (if any): `{ error }`. */
  initialize() {
    return this._initialized;
  }

  _implicitMarkerKey() {
    return `${this._key}-implicit-pending`;
  }

  // ---- the stored session ----

  /** The stored session's text. */
  _readStored() {
    return this._storage._get(this._key);
  }

  /** Stores the session's text. @param {string} text */
  _store(text) {
    return this._storage._set(this._key, text);
  }

  /**
   * The stored session's text; from shared storage, once another tab's write has reached this
   * tab's copy of it (see `caughtUp` in locks.js).
   */
  async _readLatest() {
    const raw = await this._readStored();
    return this._storage._ownedByTab() ? raw : this._caughtUp(raw, false);
  }

  /** @param {string | null} raw @param {boolean} wait */
  _caughtUp(raw, wait) {
    return caughtUp(this._key, raw, wait, () => this._readStored());
  }

  /**
   * The stored session's raw text checked by the core at the server's time (`jitter` spreads
   * the tabs' timers).
   * @param {string | null} raw
   * @returns {Stored}
   */
  _checkStored(raw, jitter = 0) {
    let session;
    try {
      session = raw === null ? undefined : JSON.parse(raw);
    } catch {
      raw = '';
    }
    /** @type {Stored} */
    const out = readStored(this._clock._now(), jitter, raw);
    if (out.expiresAt !== undefined) out.session = session;
    return out;
  }

  async _signOutLocally() {
    stopTimer(this);
    // Whose session ends: null for none, undefined when storage cannot tell.
    let user;
    try {
      user = this._checkStored(await this._readStored()).session?.user.id ?? null;
    } catch {
      // Unknown: the other tabs end theirs.
    }
    await this._storage._remove(verifierKey(this._key)).catch(() => {});
    // A pending implicit sign-in's marker too: its callback is not to be finished after this.
    await this._storage._remove(this._implicitMarkerKey()).catch(() => {});
    // From every storage it may be read from, or the sign-out fails: never SIGNED_OUT while a
    // copy is left that the next page would read.
    await this._storage._removeEverywhere(this._key);
    this._events._emit('SIGNED_OUT', null);
    this._tabs._broadcast('SIGNED_OUT', null, user);
  }

  // ---- the public API ----

  /**
   * Subscribes to auth events; the subscriber first receives `INITIAL_SESSION`.
   * @param {(event: string, session: any) => void} callback
   */
  onAuthStateChange(callback) {
    return this._events._subscribe(callback, async () => {
      await this._initialized;
      return sessionRefreshedIfDue(this).catch(() => null);
    });
  }

  /** Starts WorkOS SSO (see `signIn` in authorize.js). @param {any} options */
  signInWithWorkOS(options) {
    return signIn(this, options);
  }

  /**
   * Finishes sign-in from a callback URL (default: the current one). Resolves to the session,
   * or null when the URL is not a callback.
   * @param {string} [url]
   */
  async handleRedirectCallback(url) {
    await this._initialized;
    const done = await finishCallback(this, url === undefined ? location.href : String(url), false);
    return done && done.session;
  }

  /** The current session, refreshed first when it is about to expire; null when signed out. */
  async getSession() {
    const waited = this._initializing;
    await this._initialized;
    // A call that waited on init gets the session init just took from a callback, as it was
    // stored (a copy of its own), without reading it back.
    const text = waited ? this._initialText : undefined;
    return text === undefined ? sessionRefreshedIfDue(this) : JSON.parse(text);
  }

  /** Refreshes the session now. */
  async refreshSession() {
    await this._initialized;
    const session = await refresh(this, true);
    schedule(this);
    return session;
  }

  /** The signed-in user, from `GET /auth/v1/user`. */
  async getUser() {
    const session = await this.getSession();
    if (!session) throw clientError('session_missing');
    const { data, text } = await this._request('GET', '/user', undefined, session.access_token);
    // The user of this session's token, or `invalid_token_response`: nothing else is stored.
    const user = checkUser(text, session.user.id, session.access_token).wrapped ? data.user : data;
    if (JSON.stringify(user) !== JSON.stringify(session.user)) {
      const raw = JSON.stringify(session);
      // Under the refresh lock, and only over the session it read: another tab may have
      // refreshed it meanwhile (and this tab's copy of storage may not show that yet).
      await withRefreshLock(this._key, async () => {
        if ((await this._readLatest()) !== raw) return;
        const updated = { ...session, user };
        await this._store(JSON.stringify(updated));
        this._events._emit('USER_UPDATED', updated);
        this._tabs._broadcast('USER_UPDATED', updated);
      });
    }
    return user;
  }

  /**
   * Signs out: `POST /logout?scope=`; the local session and verifiers are cleared even when the
   * server call fails, and the failure is then reported.
   * @param {{ scope?: 'global' | 'local' | 'others' }} [options]
   */
  async signOut(options) {
    await this._initialized;
    const scope = options?.scope ?? 'global';
    if (scope !== 'global' && scope !== 'local' && scope !== 'others') throw clientError('invalid_options');
    const stored = this._checkStored(await this._readStored());
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
    if (scope !== 'others') await withRefreshLock(this._key, () => this._signOutLocally());
    if (failure) throw failure;
  }

  /** Stops timers, listeners and channels; the client does nothing more. */
  dispose() {
    this._disposed = true;
    stopTimer(this);
    this._events._close();
    this._tabs._close();
    this._stopWatching?.();
  }
}

/**
 * A client for one Supabase project. Throws `invalid_options` at once for a bad URL or key.
 * @param {unknown} supabaseUrl
 * @param {unknown} supabaseKey
 * @param {object | null} [options]
 */
export function createClient(supabaseUrl, supabaseKey, options) {
  // `null` is no options, as supabase-js takes it.
  return new WorkOSAuthClient(supabaseUrl, supabaseKey, options ?? {});
}
