// @ts-check
// Reading the options an app passes: anything of the wrong type is `invalid_options`, never
// coerced.
import { clientError } from './core.js';

/**
 * An optional string option; any other type is `invalid_options`.
 * @param {any} options
 * @param {string} key
 * @returns {string | undefined}
 */
export function str(options, key) {
  const v = options == null ? undefined : options[key];
  if (v == null) return undefined;
  if (typeof v !== 'string') throw clientError('invalid_options');
  return v;
}

/**
 * `queryParams` form-encoded in order; `null`/`undefined` values are left out.
 * @param {unknown} params
 */
export function queryString(params) {
  if (params == null) return '';
  if (typeof params !== 'object' || Array.isArray(params)) throw clientError('invalid_options');
  /** @type {string[][]} */
  const pairs = [];
  // A Map or URLSearchParams as supabase-js takes them, else the object's own members.
  const entries = params instanceof Map || params instanceof URLSearchParams ? [.../** @type {Iterable<[unknown, unknown]>} */ (params)] : Object.entries(params);
  for (const [k, v] of entries) {
    if (v == null) continue;
    if (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol') throw clientError('invalid_options');
    pairs.push([String(k), String(v)]);
  }
  return new URLSearchParams(pairs).toString();
}
