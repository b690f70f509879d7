// @ts-check
// Storage: every call may be async and may throw. The chain tries the chosen storage, then (for
// localStorage) sessionStorage, then memory, which cannot fail; a storage that throws (disabled,
// full, privacy mode) or does not answer is left for the next one.
import { clientError } from './core.js';

/**
 * A storage call's answer; rejects when it throws or has not answered within `STORAGE_TIMEOUT_MS`.
 * @template T
 * @param {() => T | Promise<T>} call
 * @returns {Promise<T>}
 */
const bounded = (call) =>
  new Promise((ok, fail) => {
    /** The longest a storage call may take: one that has not answered by then has failed. */
    const STORAGE_TIMEOUT_MS = 5000;
    const timer = setTimeout(fail, STORAGE_TIMEOUT_MS);
    Promise.resolve()
      .then(call)
      .then(ok, fail)
      .finally(() => clearTimeout(timer));
  });

/**
 * @typedef {{
 *   getItem(key: string): string | null | Promise<string | null>,
 *   setItem(key: string, value: string): void | Promise<void>,
 *   removeItem(key: string): void | Promise<void>,
 * }} Storage
 * @typedef {[name: string, get: () => Storage]} Link
 */

/**
 * The storages to try for the `storage` option, in order, each by name; `invalid_options` for
 * anything else.
 * @param {unknown} choice
 * @returns {Link[]}
 */
export function storageChain(choice) {
  const m = new Map();
  /** @type {Storage} */
  const memory = {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => void m.set(k, String(v)),
    removeItem: (k) => void m.delete(k),
  };
  /** @type {Link[]} */
  const last = [['memory', () => memory]];
  if (choice === undefined || choice === 'local') {
    return [['localStorage', () => globalThis.localStorage], ['sessionStorage', () => globalThis.sessionStorage], ...last];
  }
  if (choice === 'session') return [['sessionStorage', () => globalThis.sessionStorage], ...last];
  if (choice === 'memory') return last;
  const custom = /** @type {Storage} */ (choice);
  if (
    custom &&
    typeof custom.getItem === 'function' &&
    typeof custom.setItem === 'function' &&
    typeof custom.removeItem === 'function'
  ) {
    return [['the custom storage', () => custom], ...last];
  }
  throw clientError('invalid_options');
}

export class StorageChain {
  /**
   * @param {unknown} choice the `storage` option
   * @param {string[]} firstOnly keys that only the first storage holds (see `_mayBeInFallbacks`)
   * @param {(run: () => void) => void} later runs a task once the client's init is over
   */
  constructor(choice, firstOnly, later) {
    /** Every storage of the chain, those it dropped included. */
    this._links = storageChain(choice);
    this._chain = [...this._links];
    this._memoryChosen = choice === 'memory';
    this._firstOnly = firstOnly;
    this._later = later;
    // `_warned`, set once the first storage dropped has been reported.
  }

  /** Whether the session is in storage of this tab's own (sessionStorage, memory). */
  _ownedByTab() {
    return ['sessionStorage', 'memory'].includes(this._chain[0][0]);
  }

  /** Whether everything but memory has failed, which the app did not choose. */
  _fellBackToMemory() {
    return this._chain.length === 1 && !this._memoryChosen;
  }

  /**
   * Runs `op` on the first storage that does not throw.
   * @template T
   * @param {(storage: Storage) => T | Promise<T>} op
   * @returns {Promise<T>}
   */
  async _withFirst(op) {
    for (;;) {
      const [name, storage] = this._chain[0];
      try {
        return await bounded(() => op(storage()));
      } catch {
        if (this._chain.length === 1) throw clientError('storage_unavailable');
        this._chain.shift();
        if (!this._warned) {
          this._warned = true;
          console.warn(`supabase-workos: ${name} is unavailable; the session is kept in ${this._chain[0][0]} instead`);
        }
      }
    }
  }

  /**
   * Whether the fallbacks of the chain may hold this key when the first storage does not. An
   * earlier page whose first storage refused writes (a full quota answers reads, but what was
   * written went to the next storage) kept the session, the PKCE verifier and the implicit
   * marker there, and losing one of them ends a sign-in. The clock skew (measured again from the
   * next token) and supabase-js's flow index (which supabase-js keeps in localStorage only) live
   * in the first storage only, so a miss on them reads nothing else. Once this chain has fallen
   * back itself, the first storage is the fallback.
   * @param {string} key
   */
  _mayBeInFallbacks(key) {
    return !this._firstOnly.includes(key);
  }

  /**
   * Reads the first storage of the chain that holds the key (see `_mayBeInFallbacks`).
   * @param {string} key
   */
  async _get(key) {
    return (await this._readFirst(key)) ?? this._readFallbacks(key);
  }

  /**
   * Reads the first storage only: the value, or null.
   * @param {string} key
   */
  async _readFirst(key) {
    const value = await this._withFirst((s) => s.getItem(key));
    return typeof value === 'string' ? value : null;
  }

  /**
   * Reads the fallbacks of the chain, when they may hold the key (see `_mayBeInFallbacks`).
   * @param {string} key
   * @returns {Promise<string | null>}
   */
  async _readFallbacks(key) {
    if (!this._mayBeInFallbacks(key)) return null;
    for (const [, storage] of this._chain.slice(1)) {
      try {
        const value = await bounded(() => storage().getItem(key));
        if (typeof value === 'string') return value;
      } catch {
        // A fallback that cannot answer has nothing of ours.
      }
    }
    return null;
  }

  /**
   * @param {string} key
   * @param {string} value
   */
  _set(key, value) {
    return this._withFirst((s) => s.setItem(key, value));
  }

  /**
   * Removes the key from every storage of the chain that may hold it (see `_mayBeInFallbacks`).
   *
   * `consumed` is for a one-time value that a callback uses up (the implicit marker, a verifier):
   * its copies in the fallbacks are removed in a task after init instead, so that a callback's
   * request does not wait on those storages' first access. Only a page whose first storage
   * refused writes left such a copy, and nothing reads it before then. With `consumed.value`,
   * a copy is removed only while it is that value (a sign-in started meanwhile may have kept a
   * new one there).
   * @param {string} key
   * @param {{ value?: string | null }} [consumed]
   */
  async _remove(key, consumed) {
    await this._withFirst((s) => s.removeItem(key));
    if (!this._mayBeInFallbacks(key)) return;
    const fallbacks = this._chain.slice(1);
    const sweep = async () => {
      for (const [, storage] of fallbacks) {
        try {
          if (consumed?.value === undefined || (await bounded(() => storage().getItem(key))) === consumed.value) {
            await bounded(() => storage().removeItem(key));
          }
        } catch {
          // As in _readFallbacks.
        }
      }
    };
    if (consumed) this._later(sweep);
    else await sweep();
  }

  /**
   * Removes the key from every storage it may be read from, those the chain dropped included,
   * and reads each one back: `storage_unavailable` when a copy is left. A storage that cannot be
   * read holds nothing that can be read.
   * @param {string} key
   */
  async _removeEverywhere(key) {
    let left = false;
    for (const [, get] of this._links) {
      try {
        await bounded(() => get().removeItem(key));
      } catch {
        // Read back below.
      }
      try {
        if (typeof (await bounded(() => get().getItem(key))) === 'string') left = true;
      } catch {
        // Unreadable.
      }
    }
    if (left) throw Object.assign(clientError('storage_unavailable'), { message: 'the session could not be removed from storage' });
  }
}
