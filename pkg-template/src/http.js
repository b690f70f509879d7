// @ts-check
// Requests to Supabase Auth, with what a failed one means decided by the core.
import { timeoutSignal } from './clock.js';
import { requestError } from './core.js';

/**
 * @typedef {(method: string, path: string, body?: object, accessToken?: string) => Promise<{ data: any, text: string }>} Request
 */

/**
 * The requests of one project: `request(method, path, body?, accessToken?)` resolves to the
 * answer's JSON (`data`) and its text, and rejects with the error of a failed request or of an
 * answer that is not JSON.
 * @param {string} authUrl `<supabaseUrl>/auth/v1`
 * @param {string} key the anon key
 * @returns {Request}
 */
export const api = (authUrl, key) => async (method, path, body, accessToken) => {
  // Constants inside the function that uses them: esbuild writes their values in place.
  const VERSION = '0.1.0';
  const API_VERSION = '2024-01-01';
  /** A request that has not answered by then is a network failure (and releases the lock). */
  const REQUEST_TIMEOUT_MS = 15000;
  /** @type {Record<string, string>} */
  const headers = {
    apikey: key,
    authorization: `Bearer ${accessToken ?? key}`,
    'x-client-info': `supabase-workos/${VERSION}`,
    'x-supabase-api-version': API_VERSION,
  };
  if (body) headers['content-type'] = 'application/json;charset=UTF-8';
  let res;
  try {
    res = await fetch(authUrl + path, {
      method,
      headers,
      body: body && JSON.stringify(body),
      signal: timeoutSignal(REQUEST_TIMEOUT_MS),
      // A page's Referrer-Policy could send its URL, a callback's code or tokens with it.
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw requestError(0);
  }
  let text = '';
  let data;
  try {
    text = res.status === 204 ? 'null' : await res.text();
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  if (!res.ok || data === undefined) {
    throw requestError(res.ok ? 200 : res.status, data, res.headers.has('x-supabase-api-version'));
  }
  return { data, text };
};
