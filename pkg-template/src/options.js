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
  for (const [k, v] of Object.entries(params)) {
    if (v == null) continue;
    if (typeof v === 'object' || typeof v === 'function' || typeof v === 'symbol') throw clientError('invalid_options');
    pairs.push([k, String(v)]);
  }
  return new URLSearchParams(pairs).toString();
}
