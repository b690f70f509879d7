// Calls that must not compile. tsc fails on an unused `@ts-expect-error`, so each line below is a
// test that fails the moment the types accept the call.
import { createClient, buildAuthorizeUrl, parseCallbackUrl, storageKeyFor } from 'supabase-workos';
import type { Session } from 'supabase-workos';

const url = 'https://abcd.supabase.co';
const auth = createClient(url, 'anon-key');

// The selector: exactly one of connection, organization, provider.
// @ts-expect-error: no selector
void auth.signInWithWorkOS({});
// @ts-expect-error: no selector, only common options
void auth.signInWithWorkOS({ redirectTo: 'https://app.example.com/callback', skipBrowserRedirect: true });
// @ts-expect-error: two selectors
void auth.signInWithWorkOS({ connection: 'conn_1', organization: 'org_1' });
// @ts-expect-error: two selectors
void auth.signInWithWorkOS({ connection: 'conn_1', provider: 'GoogleOAuth' });
// @ts-expect-error: two selectors
void auth.signInWithWorkOS({ organization: 'org_1', provider: 'GitHubOAuth' });
// @ts-expect-error: three selectors
void auth.signInWithWorkOS({ connection: 'c', organization: 'o', provider: 'AppleOAuth' });
// @ts-expect-error: unknown provider
void auth.signInWithWorkOS({ provider: 'OktaOAuth' });
// @ts-expect-error: provider names are case-sensitive
void auth.signInWithWorkOS({ provider: 'googleoauth' });
// @ts-expect-error: no options at all
void auth.signInWithWorkOS();
// @ts-expect-error: two selectors in the pure helper too
buildAuthorizeUrl(url, { connection: 'c', organization: 'o' });
// @ts-expect-error: no selector in the pure helper
buildAuthorizeUrl(url, { flowType: 'implicit' });

// Wrong option types.
// @ts-expect-error: connection is a string
void auth.signInWithWorkOS({ connection: 42 });
// @ts-expect-error: redirectTo is a string
void auth.signInWithWorkOS({ connection: 'c', redirectTo: new URL('https://app.example.com') });
// @ts-expect-error: skipBrowserRedirect is a boolean
void auth.signInWithWorkOS({ connection: 'c', skipBrowserRedirect: 'yes' });
// @ts-expect-error: queryParams values are plain values, not objects
void auth.signInWithWorkOS({ connection: 'c', queryParams: { nested: { a: '1' } } });
// @ts-expect-error: a misspelt option
void auth.signInWithWorkOS({ connection: 'c', redirectURL: 'https://app.example.com' });
// @ts-expect-error: flowType 'pkce' needs the codeChallenge
buildAuthorizeUrl(url, { connection: 'c', flowType: 'pkce' });
// @ts-expect-error: flowType is 'pkce' or 'implicit'
buildAuthorizeUrl(url, { connection: 'c', flowType: 'code', codeChallenge: 'x' });

// createClient's arguments and options.
// @ts-expect-error: the key is required
createClient(url);
// @ts-expect-error: flowType is 'pkce' or 'implicit'
createClient(url, 'k', { flowType: 'code' });
// @ts-expect-error: storage is 'local', 'session', 'memory' or a storage object
createClient(url, 'k', { storage: 'cookie' });
// @ts-expect-error: a storage object needs removeItem
createClient(url, 'k', { storage: { getItem: () => null, setItem: () => {} } });
// @ts-expect-error: getItem returns a string or null
createClient(url, 'k', { storage: { getItem: () => 1, setItem: () => {}, removeItem: () => {} } });
// @ts-expect-error: booleans
createClient(url, 'k', { autoRefreshToken: 'no' });
// @ts-expect-error: booleans
createClient(url, 'k', { detectSessionInUrl: 1 });
// @ts-expect-error: booleans
createClient(url, 'k', { allowUnsolicitedImplicit: 'yes' });
// @ts-expect-error: storageKey is a string
createClient(url, 'k', { storageKey: 7 });
// @ts-expect-error: an unknown option
createClient(url, 'k', { persistSession: false });

// The client.
// @ts-expect-error: scope is 'global', 'local' or 'others'
void auth.signOut({ scope: 'everywhere' });
// @ts-expect-error: read-only
auth.storageKey = 'other';
// @ts-expect-error: read-only
auth.flowType = 'implicit';
// @ts-expect-error: not an event this library emits
auth.onAuthStateChange((event) => event === 'MFA_CHALLENGE_VERIFIED');
// @ts-expect-error: the callback URL is a string or URL
void auth.handleRedirectCallback(42);
// @ts-expect-error: storageKeyFor takes a URL string
storageKeyFor(new URL(url));

// Results are typed, not `any`.
async function results(): Promise<void> {
  const session = await auth.getSession();
  // @ts-expect-error: possibly null
  void session.access_token;
  if (session) {
    // @ts-expect-error: expires_at is a number
    const s: string = session.expires_at;
    // @ts-expect-error: no such field
    void session.accessToken;
    // @ts-expect-error: unknown metadata is unknown, not any
    const n: number = session.user.user_metadata.anything;
    void s;
    void n;
  }
  const parsed = parseCallbackUrl(location.href);
  // @ts-expect-error: `code` only exists once narrowed to 'pkce'
  void parsed.code;
  const user = await auth.getUser();
  // @ts-expect-error: id is a string
  const id: number = user.id;
  void id;
}

// A Session without a required field is not a Session.
// @ts-expect-error: refresh_token is missing
const partial: Session = { access_token: 'a', token_type: 'bearer', expires_in: 1, expires_at: 1, user: {
  id: 'u', aud: 'authenticated', app_metadata: {}, user_metadata: {}, created_at: '' } };

export { results, partial };
