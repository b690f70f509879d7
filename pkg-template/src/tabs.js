// @ts-check
// The other tabs of this origin that share the storage key: a BroadcastChannel (or, without
// one, localStorage's own storage events) tells each what the others did, and a tab whose
// session is in storage of its own asks them for theirs.
import { sleep } from './clock.js';
import { newerSession, schedule, stopTimer } from './refresh.js';

/**
 * @typedef {{ event: string, session?: any, user?: string | null }} Message
 */

export class Tabs {
  /** @param {string} storageKey */
  constructor(storageKey) {
    this._storageKey = storageKey;
  }

  /** The channel between the tabs that share this storage key. */
  _open() {
    return new BroadcastChannel(`supabase-workos:${this._storageKey}`);
  }

  /**
   * Starts listening: `handle` gets the other tabs' messages one at a time, in the order they
   * came.
   * @param {(message: Message) => Promise<void>} handle
   */
  _listen(handle) {
    let queue = Promise.resolve();
    /** @param {Message} message */
    const onMessage = (message) => (queue = queue.then(() => handle(message)).catch(() => {}));
    if (typeof BroadcastChannel === 'function') {
      this._channel = this._open();
      this._channel.onmessage = (e) => onMessage(e.data);
    } else if (typeof window !== 'undefined') {
      // Without BroadcastChannel, localStorage's own events tell what another tab did.
      /** @param {StorageEvent} e */
      this._onStorage = (e) => {
        if (e.key !== this._storageKey) return;
        const event = e.newValue === null ? 'SIGNED_OUT' : e.oldValue === null ? 'SIGNED_IN' : 'TOKEN_REFRESHED';
        onMessage({ event });
      };
      window.addEventListener('storage', this._onStorage);
    }
  }

  /**
   * Tells the other tabs. `user`: the id of the user whose session a `SIGNED_OUT` ended.
   * @param {string} event
   * @param {any} session
   * @param {string | null} [user]
   */
  _broadcast(event, session, user) {
    try {
      this._channel?.postMessage({ event, session, user });
    } catch {
      // A closed channel: this client was disposed.
    }
  }

  /**
   * The newest session the other tabs answer with within `ASK_MS`, as text; `newer(text, ours)`
   * says whether one is newer than the best so far (first `ours`), and returns its reading.
   * Storage of a tab's own misses what the others did while it was away (on another page, or
   * discarded and reloaded), and its refresh token may be spent.
   * @template R
   * @param {R} ours
   * @param {(text: string, ours: R) => R | undefined} newer
   * @returns {Promise<string | undefined> | undefined}
   */
  _askOthers(ours, newer) {
    /** How long a tab with storage of its own waits for the other tabs' sessions. */
    const ASK_MS = 250;
    if (typeof BroadcastChannel !== 'function') return undefined;
    const channel = this._open();
    /** @type {string | undefined} */
    let newest;
    channel.onmessage = ({ data }) => {
      const text = data?.event === 'SESSION' && JSON.stringify(data.session);
      const theirs = text && newer(text, ours);
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

  _close() {
    this._channel?.close();
    if (this._onStorage) window.removeEventListener('storage', this._onStorage);
  }
}

/**
 * What another tab said, applied to this one.
 * @param {import('./client.js').WorkOSAuthClient} c
 * @param {Message} message
 */
export async function onTabMessage(c, message) {
  if (c._disposed || !message || typeof message.event !== 'string') return;
  await c._initialized;
  const { event } = message;
  const storage = c._storage;
  if (event === 'ASK') {
    const { session } = c._checkStored(await c._readStored());
    if (session) c._tabs._broadcast('SESSION', session);
    return;
  }
  if (event === 'SIGNED_OUT') {
    if (storage._ownedByTab()) {
      // Storage of this tab's own ends only the user's session that ended: a session of another
      // user is not the other tab's to end. A message that does not say whose (a storage event,
      // a sender that could not read its session) ends it.
      const ours = c._checkStored(await c._readStored());
      if (message.user !== undefined && ours.session?.user.id !== message.user) return;
      await storage._remove(c._key);
    }
    // Shared storage: the tab that signed out removed the session (and may have stored a new
    // one since).
    stopTimer(c);
    // Said once: several tabs may each announce the end of one session.
    if (!c._events._signedOut) c._events._emit('SIGNED_OUT', null);
    return;
  }
  if (event !== 'SIGNED_IN' && event !== 'TOKEN_REFRESHED' && event !== 'USER_UPDATED') return;
  await c._clock._load();
  const raw = await c._readStored();
  const text = message.session && JSON.stringify(message.session);
  let wait = false;
  // Without a session in the message (the storage event of a browser without BroadcastChannel),
  // storage is all there is.
  if (text) {
    const ours = c._checkStored(raw);
    if (storage._ownedByTab()) {
      // Storage of this tab's own takes the session from the message when it holds none, or an
      // older one of the same user (whose refresh token the other tab may have spent); else the
      // message is not about this tab's session.
      if (!newerSession(c, text, raw, ours)) return;
      await c._store(text).catch(() => {});
    } else {
      // Shared storage is written by the tab that sent the message, and only by it: a copy here
      // may lag behind (see `caughtUp` in locks.js), and a message may cross a sign-out. A
      // sign-in leaves no mark, so its session is waited for until the copy changes.
      const theirs = c._checkStored(text);
      wait = event === 'SIGNED_IN' && !!theirs.session && (!ours.session || theirs.expiresAt > ours.expiresAt);
    }
  }
  const current = c._checkStored(await c._caughtUp(await c._readStored(), wait)).session;
  if (current) c._events._emit(event, current);
  c._retryAttempt = 0;
  schedule(c);
}
