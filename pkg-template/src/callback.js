// @ts-check
// Finishing a sign-in from the callback URL: the PKCE code exchanged with its stored verifier,
// or the implicit flow's tokens checked against the server, the address bar cleaned either way.
import { checkUser, clientError, clockSkew, implicitPending, readCallback, warm } from './core.js';
import { markSpent } from './locks.js';
import { removeUsedVerifier, storedVerifier, verifierKey } from './pkce.js';
import { schedule } from './refresh.js';

/**
 * What a callback URL holds: `{ type: 'implicit', params }`, `{ type: 'pkce', code }`,
 * `{ type: 'error', error }` or `{ type: 'none' }`. Throws `invalid_callback` when malformed.
 * @param {unknown} url
 */
export function parseCallbackUrl(url) {
  const { type, params, code, error } = readCallback(Date.now() / 1000, String(url));
  if (type === 'invalid') throw error;
  if (type === 'implicit') return { type, params };
  if (type === 'pkce') return { type, code };
  if (type === 'error') return { type, error };
  return { type: 'none' };
}

/**
 * Each callback URL this page finished, per storage key: the client that did and its outcome.
 * @type {Map<string, { c: import('./client.js').WorkOSAuthClient, done: Promise<any> }>}
 */
const finished = new Map();

/**
 * Finishes a callback: `{ session, text }` (the session and its stored text), or null when
 * `href` is not one (or, on auto-detect, a `?code=` of another flow). One callback URL is
 * finished once per page and storage key (a code or a token is good for one request): a second
 * client on the page, as a framework's development mode mounts twice, or a second call gets the
 * first one's outcome, and a second client then tells its own subscribers.
 * @param {import('./client.js').WorkOSAuthClient} c
 * @param {string} href
 * @param {boolean} auto on auto-detect by the client's init
 */
export async function finishCallback(c, href, auto) {
  const key = c._key + '\n' + href;
  const first = finished.get(key);
  if (first) {
    const done = await first.done;
    if (done && first.c !== c) c._events._emit('SIGNED_IN', done.session);
    return done;
  }
  const done = finish(c, href, auto);
  finished.set(key, { c, done });
  // A URL that is no callback of ours may be tried again (by a client of another storage key it
  // is another key).
  done.then((d) => d || finished.delete(key), () => {});
  return done;
}

/**
 * Finishes a callback (see `finishCallback`). The request goes out as early as it can; the rest
 * of the work (listeners, address bar, storage) is done while it is on the wire.
 * @param {import('./client.js').WorkOSAuthClient} c
 * @param {string} href
 * @param {boolean} auto
 */
async function finish(c, href, auto) {
  const { _storage: storage, _clock: clock, _key: storageKey } = c;
  // At the skew known so far; an implicit callback's expiry is read again below if the stored
  // skew differs (nothing else in the answer depends on the time).
  const skew = clock._skew;
  const cb = readCallback(clock._now() / 1000, href);
  if (cb.type === 'none') return null;
  let verifier;
  let verifierRaw = null;
  if (cb.type === 'pkce') {
    verifierRaw = await storage._get(verifierKey(storageKey, cb.flowId));
    verifier = storedVerifier(verifierRaw);
    // On auto-detect a `?code=` without a verifier may belong to another flow: leave it.
    if (auto && verifier === undefined) return null;
  }
  // From here the auth parameters leave the address bar, whatever the outcome: those of the
  // address as it is now, which a router may have rewritten since `href` was read.
  let cleaned = false;
  const clean = () => {
    if (cleaned) return;
    cleaned = true;
    const now = globalThis.location?.href;
    const bare = now === href ? cb.clean : now && readCallback(0, now).clean;
    if (bare !== undefined) history.replaceState(history.state, '', bare);
  };
  let session;
  let recovery;
  try {
    if (cb.type === 'error') {
      // The sign-in this browser started is over: its marker and verifier go with it.
      await storage._remove(c._implicitMarkerKey(), {}).catch(() => {});
      await storage._remove(verifierKey(storageKey), {}).catch(() => {});
    }
    if (cb.type === 'invalid' || cb.type === 'error') throw cb.error;
    if (cb.type === 'pkce') {
      if (verifier === undefined) throw clientError('pkce_code_verifier_not_found');
      const request = c._request('POST', '/token?grant_type=pkce', {
        auth_code: cb.code,
        code_verifier: verifier.verifier,
      });
      // The verifier is spent once sent, whatever the answer.
      const answer = await whileSent(c, request, clean, async () => {
        await removeUsedVerifier(storage, storageKey, cb.flowId, verifierRaw);
        // The main thread has time to spare while /token answers (an implicit callback's
        // first storage access fills that time already).
        warm();
      });
      session = await clock._sessionFromToken(answer);
    } else {
      // Login CSRF: unless the app opted out, only a sign-in started in this browser is
      // finished, and a token it did not ask for is never sent anywhere.
      if (!c._allowUnsolicited) {
        const key = c._implicitMarkerKey();
        const first = await storage._readFirst(key);
        const pending = first ?? (await storage._readFallbacks(key));
        // Consumed. Found in the first storage, its copies in the fallbacks (from an earlier
        // page) go after init, off the way to the request; found in a fallback, every copy goes
        // now, before another callback could read it.
        await storage._remove(key, first === null ? undefined : {});
        if (!implicitPending(cb.nonce, pending)) throw clientError('unsolicited_callback');
      }
      recovery = cb.recovery;
      let params = cb.params;
      const request = c._request('GET', '/user', undefined, params.access_token);
      let answer;
      try {
        answer = await whileSent(c, request, clean, async () => {
          // The marker is consumed either way.
          if (c._allowUnsolicited) await storage._remove(c._implicitMarkerKey(), {});
          await clock._load();
          if (clock._skew !== skew) params = readCallback(clock._now() / 1000, href).params;
          await clock._keep(clockSkew(Date.now(), false, params.access_token), false);
        });
      } catch (e) {
        // Revoked between the redirect and the request (`session_not_found`): as supabase-js,
        // the session is over, and the app hears SIGNED_OUT.
        if (/** @type {any} */ (e)?.name === 'AuthSessionMissingError') await c._signOutLocally().catch(() => {});
        throw e;
      }
      const { data, text } = answer;
      session = { ...params, user: checkUser(text, undefined, params.access_token).wrapped ? data.user : data };
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
  const replaced = await storage._readFirst(storageKey);
  await c._store(text);
  const event = recovery ? 'PASSWORD_RECOVERY' : 'SIGNED_IN';
  c._events._emit(event, session);
  const announce = () => {
    markSpent(storageKey, replaced);
    c._tabs._broadcast(event, session);
  };
  // Other tabs hear of it (and the lock manager of the mark, which costs this page a few ms)
  // once this page's init is over: it is busy until then.
  if (c._initializing) c._afterInit(announce);
  else announce();
  if (!c._initializing) schedule(c);
  return { session, text };
}

/**
 * The answer to a request just issued, once `meanwhile` is done too: the work that waits for
 * nothing from the answer (listeners, address bar, then `meanwhile`'s storage) is done while the
 * request is on the wire. An error of that work wins over the answer's, as it came first.
 * @template T
 * @param {import('./client.js').WorkOSAuthClient} c
 * @param {Promise<T>} request
 * @param {() => void} clean
 * @param {() => Promise<void>} meanwhile
 */
async function whileSent(c, request, clean, meanwhile) {
  const work = (async () => {
    c._listen();
    clean();
    await meanwhile();
  })();
  await Promise.allSettled([request, work]);
  await work;
  return request;
}
