// @ts-check
// Starting a sign-in: the authorize URL, and the PKCE verifier or the implicit flow's marker
// stored before the browser leaves.
import { authorizePlan, clientError } from './core.js';
import { queryString, str } from './options.js';
import { randomHex, s256 } from './pkce.js';

/**
 * The authorize URL (and, with a `verifier`, the key and value to store it under) for
 * `signInWithWorkOS`-style options.
 * @param {unknown} supabaseUrl
 * @param {string} storageKey
 * @param {any} options
 * @param {string} [verifier]
 * @param {string} [flowType]
 * @param {string} [challenge]
 * @param {string} [nonce]
 */
function plan(supabaseUrl, storageKey, options, verifier, flowType, challenge, nonce) {
  const provider = options == null ? undefined : options.provider;
  const out = authorizePlan(
    supabaseUrl,
    storageKey,
    [
      str(options, 'connection'),
      str(options, 'organization'),
      // A provider of the wrong type is given but unknown: `invalid_provider`.
      provider == null ? undefined : typeof provider === 'string' ? provider : '?',
      str(options, 'redirectTo'),
      str(options, 'scopes'),
      str(options, 'loginHint'),
      str(options, 'domainHint'),
    ],
    queryString(options == null ? undefined : options.queryParams),
    [verifier, flowType, challenge, nonce, nonce && globalThis.location?.href],
  );
  if (out.warn) console.warn("supabase-workos: redirectTo has a fragment; Supabase Auth appends the callback after a second '#'");
  return out;
}

/**
 * The authorize URL for these options; pure, nothing stored.
 * @param {unknown} supabaseUrl
 * @param {any} options
 */
export function buildAuthorizeUrl(supabaseUrl, options) {
  return plan(supabaseUrl, '', options, undefined, str(options, 'flowType'), str(options, 'codeChallenge')).url;
}

/**
 * Starts WorkOS SSO: builds the authorize URL, stores the PKCE verifier where supabase-js
 * looks for it, then navigates unless `skipBrowserRedirect`.
 * @param {import('./client.js').WorkOSAuthClient} c
 * @param {any} options
 */
export async function signIn(c, options) {
  const storage = c._storage;
  let verifier, challenge, nonce;
  if (c.flowType === 'pkce') {
    verifier = randomHex(56);
    challenge = await s256(verifier);
  } else nonce = randomHex(16);
  // The implicit flow has no verifier to bind the callback to this browser: its nonce goes out in
  // redirect_to and is remembered here, so that only the callback that brings it back is
  // finished (login CSRF).
  const p = plan(c.supabaseUrl, c._key, options, verifier, verifier && 'pkce', challenge, nonce);
  if (p.verifierKey) {
    await storage._set(p.verifierKey, /** @type {string} */ (p.verifierValue));
    // A verifier kept only in memory is lost with the redirect: refuse before navigating.
    if (storage._fellBackToMemory()) {
      await storage._remove(p.verifierKey);
      throw clientError('storage_unavailable');
    }
  } else await storage._set(c._implicitMarkerKey(), /** @type {string} */ (p.nonce));
  if (!options?.skipBrowserRedirect) globalThis.location.assign(p.url);
  return { provider: 'workos', url: p.url };
}
