// @ts-check
// The package's exports. The JS shell around the wasm core owns the asynchronous I/O (fetch,
// storage, navigation, history) and asks the core for every decision: URLs, PKCE, callback
// parsing, session checks, expiry, and what a failed request means.
import { clientConfig } from './core.js';

export { createClient } from './client.js';
export { buildAuthorizeUrl } from './authorize.js';
export { parseCallbackUrl } from './callback.js';
export { isAuthError } from './errors.js';

/**
 * The key supabase-js stores this project's session under.
 * @param {unknown} supabaseUrl
 */
export function storageKeyFor(supabaseUrl) {
  return clientConfig(supabaseUrl).storageKey;
}
