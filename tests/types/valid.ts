// Calls a user writes: each must compile, and the results must have the documented types.
import {
  createClient,
  buildAuthorizeUrl,
  parseCallbackUrl,
  storageKeyFor,
  isAuthError,
} from 'supabase-workos';
import type {
  AuthChangeEvent,
  AuthError,
  ClientOptions,
  Session,
  SignInWithWorkOSOptions,
  SupportedStorage,
  User,
  WorkOSAuthClient,
  WorkOSProvider,
} from 'supabase-workos';
import { expectType, type Equal } from './util.js';

const url = 'https://abcd.supabase.co';
const auth = createClient(url, 'anon-key');
expectType<Equal<typeof auth, WorkOSAuthClient>>();
expectType<Equal<typeof auth.flowType, 'pkce' | 'implicit'>>();
expectType<Equal<typeof auth.authUrl, string>>();
expectType<Equal<typeof auth.storageKey, string>>();

// Every storage choice, including an async one.
const asyncStorage: SupportedStorage = {
  getItem: async (key) => (key ? 'v' : null),
  setItem: async () => {},
  removeItem: async () => {},
};
const options: ClientOptions[] = [
  {},
  { flowType: 'pkce' },
  { flowType: 'implicit', storage: 'session' },
  { storage: 'memory', storageKey: 'my-key' },
  { storage: 'local', autoRefreshToken: false, detectSessionInUrl: false },
  { storage: asyncStorage, allowUnsolicitedImplicit: true },
  { storage: globalThis.localStorage },
  { storage: window.sessionStorage },
];
for (const o of options) createClient(url, 'anon-key', o);

// One selector of each kind, with every common option.
async function signIn(): Promise<string> {
  const a = await auth.signInWithWorkOS({ connection: 'conn_1' });
  expectType<Equal<typeof a, { provider: 'workos'; url: string }>>();
  await auth.signInWithWorkOS({ organization: 'org_1', redirectTo: `${location.origin}/callback` });
  for (const provider of ['GoogleOAuth', 'MicrosoftOAuth', 'GitHubOAuth', 'AppleOAuth', 'SalesforceOAuth'] as const) {
    await auth.signInWithWorkOS({ provider });
  }
  const { url: authorize } = await auth.signInWithWorkOS({
    connection: 'conn_1',
    redirectTo: 'https://app.example.com/callback',
    loginHint: 'ada@example.com',
    domainHint: 'example.com',
    scopes: 'openid',
    queryParams: { prompt: 'login', max_age: 0, debug: false, skipped: undefined, none: null },
    skipBrowserRedirect: true,
  });
  return authorize;
}

// A selector chosen at run time still type-checks as a whole.
declare const kind: 'connection' | 'organization' | 'provider';
declare const provider: WorkOSProvider;
const chosen: SignInWithWorkOSOptions =
  kind === 'connection'
    ? { connection: 'conn_1' }
    : kind === 'organization'
      ? { organization: 'org_1' }
      : { provider };
void auth.signInWithWorkOS({ ...chosen, skipBrowserRedirect: true });

// Finishing sign-in and the session lifecycle.
async function lifecycle(): Promise<void> {
  const fromUrl = await auth.handleRedirectCallback();
  expectType<Equal<typeof fromUrl, Session | null>>();
  await auth.handleRedirectCallback('https://app.example.com/callback?code=abc');
  await auth.handleRedirectCallback(new URL(location.href));
  const { error } = await auth.initialize();
  expectType<Equal<typeof error, AuthError | null>>();
  const session = await auth.getSession();
  expectType<Equal<typeof session, Session | null>>();
  const user = await auth.getUser();
  expectType<Equal<typeof user, User>>();
  const refreshed = await auth.refreshSession();
  expectType<Equal<typeof refreshed, Session>>();
  await auth.signOut();
  await auth.signOut({});
  await auth.signOut({ scope: 'local' });
  await auth.signOut({ scope: 'others' });
  await auth.signOut({ scope: 'global' });
  const sub = auth.onAuthStateChange((event, s) => {
    expectType<Equal<typeof event, AuthChangeEvent>>();
    expectType<Equal<typeof s, Session | null>>();
    if (event === 'SIGNED_IN' && s) console.log(s.user.email);
  });
  sub.unsubscribe();
  auth.dispose();
}

// Errors: a narrowed AuthError exposes its code and status; codes from the server are strings.
async function errors(): Promise<void> {
  try {
    await auth.signInWithWorkOS({ connection: 'conn_1' });
  } catch (e) {
    if (isAuthError(e)) {
      expectType<Equal<typeof e.status, number>>();
      expectType<Equal<typeof e.error, string | undefined>>();
      expectType<Equal<typeof e.error_description, string | undefined>>();
      const message: string = e.message;
      switch (e.code) {
        case 'invalid_options':
        case 'missing_selector':
        case 'ambiguous_selector':
        case 'invalid_provider':
        case 'storage_unavailable':
        case 'invalid_callback':
        case 'pkce_code_verifier_not_found':
        case 'invalid_token_response':
        case 'retryable_fetch_error':
        case 'session_missing':
        case 'signup_disabled': // a server's own error_code
          console.log(message);
      }
      if (e.name === 'AuthPKCECodeVerifierMissingError' || e.name === 'AuthApiError') console.log(e.name);
      const asError: Error = e;
      void asError;
    }
  }
}

// The pure helpers.
const built: string = buildAuthorizeUrl(url, { connection: 'conn_1' });
buildAuthorizeUrl(url, { provider: 'GitHubOAuth', flowType: 'implicit' });
buildAuthorizeUrl(url, { organization: 'org_1', flowType: 'pkce', codeChallenge: 'x'.repeat(43) });
buildAuthorizeUrl(url, { organization: 'org_1', codeChallenge: 'x'.repeat(43) });
const key: string = storageKeyFor(url);

const parsed = parseCallbackUrl(location.href);
switch (parsed.type) {
  case 'implicit': {
    expectType<Equal<typeof parsed.params.access_token, string>>();
    expectType<Equal<typeof parsed.params.expires_at, number>>();
    break;
  }
  case 'pkce':
    expectType<Equal<typeof parsed.code, string>>();
    break;
  case 'error':
    expectType<Equal<typeof parsed.error, AuthError>>();
    expectType<Equal<typeof parsed.error.code, AuthError['code']>>();
    break;
  case 'none':
    expectType<Equal<keyof typeof parsed, 'type'>>();
    break;
  default: {
    const exhaustive: never = parsed;
    void exhaustive;
  }
}

export { signIn, lifecycle, errors, built, key };
