// @ts-check
// Time: timers, and the server's time as the device clock gives it less its measured skew.
import { clockSkew, tokenExpiry } from './core.js';

/**
 * @param {number} ms
 * @returns {Promise<void>}
 */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A signal that aborts after `ms` (`AbortSignal.timeout` is missing from browsers that have Web Locks).
 * @param {number} ms
 */
export function timeoutSignal(ms) {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), ms);
  return controller.signal;
}

/** The device clock's skew from the server's, kept in storage across pages. */
export class Clock {
  /**
   * @param {import('./storage.js').StorageChain} storage
   * @param {string} key the storage key of the skew
   */
  constructor(storage, key) {
    this._storage = storage;
    this._key = key;
    /** Milliseconds the device clock is ahead of the server's. */
    this._skew = 0;
  }

  /** The server's time now, in unix milliseconds. */
  _now() {
    return Date.now() - this._skew;
  }

  async _load() {
    const stored = Number(await this._storage._get(this._key).catch(() => null));
    this._skew = Number.isFinite(stored) ? stored : 0;
  }

  /**
   * Keeps a measured skew; from a callback's token (not `fresh`), 0 changes nothing.
   * @param {number} skew
   * @param {boolean} fresh
   */
  async _keep(skew, fresh) {
    if (!fresh && skew === 0) return;
    this._skew = skew;
    if (skew) await this._storage._set(this._key, String(skew)).catch(() => {});
    else await this._storage._remove(this._key).catch(() => {});
  }

  /**
   * A `/token` answer checked by the core, with `expires_at` set: the session to store.
   * @param {{ data: any, text: string }} answer
   */
  async _sessionFromToken({ data, text }) {
    const token = typeof data?.access_token === 'string' ? data.access_token : '';
    // The clock skew this token shows, as one just issued (see `clock_skew_ms`).
    const skew = clockSkew(Date.now(), true, token);
    // One question to the core: it checks the answer (it may be `null`, a number, a user without
    // tokens…) and gives its expiry at the server's time. The skew is kept only once the answer
    // has passed.
    const { expiresAt } = tokenExpiry((Date.now() - skew) / 1000, text);
    await this._keep(skew, true);
    data.expires_at = expiresAt;
    return data;
  }
}
