// @ts-check
// PKCE: the verifier and its challenge (RFC 7636), and the verifier's storage slots, which are
// supabase-js's own so that either library can finish the other's sign-in.
import { clientError, readVerifier } from './core.js';

/**
 * `n` random bytes as lower-case hex: a verifier (56 bytes, the shape supabase-js uses) or the
 * implicit flow's nonce (16).
 * @param {number} n
 */
export const randomHex = (n) =>
  Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => (b | 256).toString(16).slice(1)).join('');

/**
 * The S256 PKCE challenge of a verifier, base64url(SHA-256), by the browser's WebCrypto.
 * `crypto.subtle` exists only in secure contexts (https, localhost): elsewhere PKCE is refused,
 * never downgraded to the `plain` method.
 * @param {string} verifier
 */
export async function s256(verifier) {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw clientError('insecure_context');
  const hash = new Uint8Array(await subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...hash)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A stored PKCE verifier (its raw stored text): `{ verifier }`, or undefined when there is none.
 * @param {string | null} raw
 * @returns {{ verifier: string } | undefined}
 */
export function storedVerifier(raw) {
  let stored;
  try {
    stored = JSON.parse(/** @type {string} */ (raw));
  } catch {
    return undefined;
  }
  if (typeof stored !== 'string') return undefined;
  const out = readVerifier(stored);
  return out.verifier === undefined ? undefined : /** @type {any} */ (out);
}

/**
 * Where supabase-js keeps a verifier: the legacy key, or the slot of one flow.
 * @param {string} storageKey
 * @param {string} [flowId]
 */
export const verifierKey = (storageKey, flowId) =>
  flowId ? `${storageKey}-flow-${flowId}-code-verifier` : `${storageKey}-code-verifier`;

/**
 * supabase-js's list of the flow ids that have a verifier slot.
 * @param {string} storageKey
 */
export const flowIndexKey = (storageKey) => `${storageKey}-flows-code-verifier`;

/**
 * Removes a used verifier: the slot supabase-js keeps per flow (named by the redirect's flow
 * id, or found by its value when the redirect had none), its entry in supabase-js's flow index,
 * and the legacy key when it holds the same verifier.
 * @param {import('./storage.js').StorageChain} storage
 * @param {string} storageKey
 * @param {string | undefined} flowId
 * @param {string | null} used the verifier's raw stored text
 */
export async function removeUsedVerifier(storage, storageKey, flowId, used) {
  const legacy = verifierKey(storageKey);
  const indexKey = flowIndexKey(storageKey);
  let index;
  try {
    index = JSON.parse(/** @type {string} */ (await storage._get(indexKey)));
  } catch {
    // A corrupt index is left as it is.
  }
  if (!Array.isArray(index)) index = [];
  let id = flowId;
  if (!id) {
    for (const candidate of index) {
      if (typeof candidate === 'string' && (await storage._get(verifierKey(storageKey, candidate))) === used) id = candidate;
    }
  }
  if (id) {
    await storage._remove(verifierKey(storageKey, id), { value: used });
    const rest = index.filter((x) => x !== id);
    if (rest.length !== index.length) {
      if (rest.length) await storage._set(indexKey, JSON.stringify(rest)).catch(() => {});
      else await storage._remove(indexKey);
    }
  }
  if ((await storage._get(legacy)) === used) await storage._remove(legacy, { value: used });
}
