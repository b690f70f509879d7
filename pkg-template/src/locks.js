// @ts-check
// Web Locks across the tabs of the origin: one refresh (or sign-out) at a time per storage key,
// and the mark a tab leaves on the session it replaced. Without Web Locks, a single tab is still
// correct.
import { sleep, timeoutSignal } from './clock.js';

/**
 * A 32-bit digest of a stored session: names it in a lock without its tokens.
 * @param {string} text
 */
export function digest(text) {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h >>> 0;
}

/**
 * @param {string} storageKey
 * @param {string} raw
 */
const spentLock = (storageKey, raw) => `supabase-workos-spent:${storageKey}:${digest(raw)}`;

/**
 * Runs `run` holding the storage key's lock across tabs, which every refresh and sign-out
 * takes; without Web Locks, as it is. Never an unbounded wait: past `LOCK_WAIT_MS` it runs
 * without the lock.
 * @template T
 * @param {string} storageKey
 * @param {() => Promise<T>} run
 * @returns {Promise<T>}
 */
export async function withRefreshLock(storageKey, run) {
  /** The longest a tab waits for another tab's refresh before refreshing itself. */
  const LOCK_WAIT_MS = 20000;
  const locks = globalThis.navigator?.locks;
  if (!locks) return run();
  let started = false;
  try {
    return await locks.request(`supabase-workos-refresh:${storageKey}`, { signal: timeoutSignal(LOCK_WAIT_MS) }, () => {
      started = true;
      return run();
    });
  } catch (e) {
    // Timed out, or refused (an opaque origin): run without the lock.
    if (!started) return run();
    throw e;
  }
}

/**
 * Marks the stored session `raw` as replaced for `SPENT_MS` (see `caughtUp`); never waits.
 * @param {string} storageKey
 * @param {string | null} raw
 */
export function markSpent(storageKey, raw) {
  /** How long a tab that refreshed marks the session it replaced as spent (see `caughtUp`). */
  const SPENT_MS = 10000;
  if (raw != null) {
    globalThis.navigator?.locks
      ?.request(spentLock(storageKey, raw), () => sleep(SPENT_MS))
      .catch(() => {});
  }
}

/**
 * The stored session, once a write by another tab has arrived. Chromium keeps a copy of
 * localStorage in each renderer and brings it up to date a moment after the writing tab let go
 * of the refresh lock, so a tab that takes the lock next can still read the session just
 * replaced, whose refresh token is spent. The tab that replaced it holds a lock named after it
 * (the lock manager is one for all tabs), and this waits for the copy to change; with `wait`,
 * it waits without asking.
 * @param {string} storageKey
 * @param {string | null} raw the stored text in hand
 * @param {boolean} wait
 * @param {() => Promise<string | null>} read reads the stored text again
 */
export async function caughtUp(storageKey, raw, wait, read) {
  /** The longest a tab waits for another tab's write to reach its own copy of localStorage. */
  const CATCH_UP_MS = 2000;
  try {
    if (!wait) {
      const locks = globalThis.navigator?.locks;
      if (!locks || raw == null) return raw;
      const name = spentLock(storageKey, raw);
      const { held = [], pending = [] } = await locks.query();
      // A mark asked for and not granted yet counts: the text was replaced all the same. Read
      // again: storage may have changed while the lock manager answered.
      if (![...held, ...pending].some((l) => l.name === name)) return await read();
    }
    // A deadline, not a count: a hidden tab's timers run once a second at most.
    for (const end = Date.now() + CATCH_UP_MS; Date.now() < end; ) {
      await sleep(10);
      const text = await read();
      if (text !== raw) return text;
    }
  } catch {
    // Without an answer from the lock manager, the copy in hand is the best there is.
  }
  return raw;
}
