// @ts-check
// The errors the shell throws: a real JS `Error` carrying what the core says about it.

/**
 * @typedef {Error & { code?: string, status?: number, __isAuthError: true } & Record<string, unknown>} AuthError
 */

/**
 * A JS `Error` from the core's `{name, message, code, status, …}`.
 * @param {{ message: string } & Record<string, unknown>} o
 * @returns {AuthError}
 */
export function toError(o) {
  const e = new Error(o.message);
  Object.assign(e, o);
  /** @type {any} */ (e).__isAuthError = true;
  return /** @type {AuthError} */ (e);
}

/**
 * True for every error this library throws (and supabase-js's own).
 * @param {unknown} e
 */
export function isAuthError(e) {
  return typeof e === 'object' && e !== null && '__isAuthError' in e;
}
