// @ts-check
// Refreshing the session: one refresh at a time per storage key across tabs, and automatic
// refresh by one timer that runs only while the tab is visible.
import { clientError, retryDelay } from './core.js';
import { markSpent, withRefreshLock } from './locks.js';

/** @typedef {import('./client.js').WorkOSAuthClient} Client */

/**
 * One refresh at a time in this client; across tabs, one at a time per storage key.
 * @param {Client} c
 * @param {boolean} force refresh even when the session is not due
 */
export function refresh(c, force) {
  if (!c._refreshInFlight) {
    c._refreshInFlight = withRefreshLock(c._key, () => refreshUnderLock(c, force)).finally(() => {
      c._refreshInFlight = null;
    });
  }
  return c._refreshInFlight;
}

/**
 * @param {Client} c
 * @param {boolean} force
 */
async function refreshUnderLock(c, force) {
  // Holding the lock: another tab may have refreshed while this one waited.
  const storage = c._storage;
  const own = storage._ownedByTab();
  let raw = await c._readLatest();
  let stored = c._checkStored(raw);
  if (!stored.session) throw clientError('session_missing');
  if (!force && !stored.refresh) return stored.session;
  const asked = raw;
  const newer = own && (await c._tabs._askOthers(stored, (text, ours) => newerSession(c, text, asked, ours)));
  if (newer) {
    // Unless a message changed this tab's session meanwhile.
    const now = await c._readStored();
    if (now === raw) {
      await c._store(newer);
      c._events._emit('TOKEN_REFRESHED', c._checkStored(newer).session);
    }
    raw = now === raw ? newer : now;
    stored = c._checkStored(raw);
    if (!stored.session) throw clientError('session_missing');
    if (!force && !stored.refresh) return stored.session;
  }
  let answer;
  try {
    answer = await c._request('POST', '/token?grant_type=refresh_token', {
      refresh_token: stored.session.refresh_token,
    });
  } catch (e) {
    if (retryDelay(e.status ?? 0, 1) < 0 && (await c._readStored()) === raw) {
      // Unless the session cannot be removed: then it stays, and so does the error.
      await c._signOutLocally().catch(() => {});
    }
    throw e;
  }
  const next = await c._clock._sessionFromToken(answer);
  // A result is discarded when the stored session changed meanwhile (sign-out, another sign-in;
  // a sign-in in another tab marks the session it replaced, as a refresh does).
  const now = await c._readLatest();
  if (now !== raw) {
    const current = c._checkStored(now).session;
    if (!current) throw clientError('session_missing');
    return current;
  }
  await c._store(JSON.stringify(next));
  // Asked for before the refresh lock is let go, so the next tab to hold it sees the mark.
  markSpent(c._key, raw);
  c._events._emit('TOKEN_REFRESHED', next);
  c._tabs._broadcast('TOKEN_REFRESHED', next);
  return next;
}

/**
 * The session in `text` (another tab's), checked, when it is not `raw` and, unless `raw` holds
 * no session, is the same user's (two tabs with storage of their own may hold two users) and
 * expires no earlier than `ours` (the reading of `raw`); else undefined.
 * @param {Client} c
 * @param {string} text
 * @param {string | null} raw
 * @param {import('./client.js').Stored} ours
 */
export function newerSession(c, text, raw, ours) {
  const theirs = c._checkStored(text);
  const mine = ours.session;
  if (theirs.session && text !== raw && (!mine || (theirs.session.user.id === mine.user.id && theirs.expiresAt >= ours.expiresAt))) return theirs;
  return undefined;
}

/**
 * The stored session, refreshed first when it is due; null when there is none.
 * @param {Client} c
 */
export async function sessionRefreshedIfDue(c) {
  const stored = c._checkStored(await c._readStored());
  if (stored.corrupt) {
    await c._storage._remove(c._key);
    return null;
  }
  if (!stored.session) return null;
  if (!stored.refresh) return stored.session;
  try {
    return await refresh(c, false);
  } catch (e) {
    // A failure that is not the end of the session keeps one that has not expired yet.
    if (e.code !== 'session_missing' && stored.expiresAt * 1000 > c._clock._now() && retryDelay(e.status ?? 0, 1) >= 0) {
      return stored.session;
    }
    throw e;
  }
}

// ---- automatic refresh: one timer, only while the tab is visible ----

/** @param {Client} c */
export function stopTimer(c) {
  clearTimeout(c._refreshTimer);
  c._refreshTimer = undefined;
}

/**
 * Sets the timer for when the stored session is due.
 * @param {Client} c
 */
export async function schedule(c) {
  stopTimer(c);
  if (!c._autoRefresh || c._disposed || globalThis.document?.visibilityState === 'hidden') return;
  await c._clock._load();
  const stored = c._checkStored(await c._readStored().catch(() => null), Math.random());
  if (!stored.session || c._disposed) return;
  stopTimer(c);
  c._refreshTimer = setTimeout(() => tick(c), Math.min(stored.delay, 2147483647));
}

/**
 * The timer's turn: the session, refreshed when due; after a failure that may pass, a retry.
 * @param {Client} c
 */
async function tick(c) {
  stopTimer(c);
  if (c._disposed || !c._autoRefresh) return;
  try {
    await sessionRefreshedIfDue(c);
    c._retryAttempt = 0;
    schedule(c);
  } catch (e) {
    const wait = retryDelay(e.status ?? 0, ++c._retryAttempt);
    // A hidden tab sets none; a retry replaces a timer set meanwhile.
    if (wait >= 0 && e.code !== 'session_missing' && !c._disposed && globalThis.document?.visibilityState !== 'hidden') {
      stopTimer(c);
      c._refreshTimer = setTimeout(() => tick(c), wait);
    }
  }
}

/**
 * Checks at once when the tab becomes visible, and stops the timer when it is hidden. Returns
 * what stops listening.
 * @param {Client} c
 */
export function watchVisibility(c) {
  if (typeof document === 'undefined') return undefined;
  const listener = () => {
    if (document.visibilityState === 'visible') tick(c);
    else stopTimer(c);
  };
  document.addEventListener('visibilitychange', listener);
  return () => document.removeEventListener('visibilitychange', listener);
}
