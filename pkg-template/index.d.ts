// Types of the public API of supabase-workos. Names and shapes follow supabase-js where the
// meaning is the same; the project README documents every option and error code.

// ---------------------------------------------------------------------------------------------
// Starting sign-in

/** A WorkOS OAuth provider, sent as `workos_provider` so Supabase Auth forwards it to WorkOS. */
export type WorkOSProvider =
  | 'GoogleOAuth'
  | 'MicrosoftOAuth'
  | 'GitHubOAuth'
  | 'AppleOAuth'
  | 'SalesforceOAuth';

/** Exactly one of `connection`, `organization` or `provider`. */
export type WorkOSSelector =
  | { connection: string; organization?: never; provider?: never }
  | { organization: string; connection?: never; provider?: never }
  | { provider: WorkOSProvider; connection?: never; organization?: never };

/** A value of `queryParams`: `null` and `undefined` are left out, the rest sent as JS writes it. */
export type QueryParamValue = string | number | boolean | bigint | null | undefined;

/** The options of `signInWithWorkOS` besides the selector. */
export interface SignInCommonOptions {
  /** Absolute http(s) URL Supabase Auth sends the user back to (must be on its allow list). */
  redirectTo?: string;
  /** Forwarded to WorkOS as `login_hint`. */
  loginHint?: string;
  /** Forwarded to WorkOS as `domain_hint`. */
  domainHint?: string;
  /** Sent as `scopes`. */
  scopes?: string;
  /**
   * Extra query parameters, sent in order (an object, a `Map` or `URLSearchParams`, as
   * supabase-js takes them); reserved OAuth keys are refused (`invalid_options`).
   */
  queryParams?: Record<string, QueryParamValue> | Map<string, QueryParamValue> | URLSearchParams;
  /** Resolve with the URL instead of navigating to it. */
  skipBrowserRedirect?: boolean;
}

/** The options of `signInWithWorkOS`: one selector plus the common options. */
export type SignInWithWorkOSOptions = WorkOSSelector & SignInCommonOptions;

/** What `signInWithWorkOS` resolves to. */
export interface SignInWithWorkOSResult {
  provider: 'workos';
  /** `<supabaseUrl>/auth/v1/authorize?provider=workos&…` */
  url: string;
}

/** The flow of `buildAuthorizeUrl`: PKCE needs the S256 challenge of a verifier you keep. */
export type AuthorizeUrlFlow =
  | { flowType: 'pkce'; codeChallenge: string }
  | { flowType: 'implicit'; codeChallenge?: never }
  /** Without `flowType`, a `codeChallenge` means PKCE. */
  | { flowType?: undefined; codeChallenge?: string };

/** The options of the pure `buildAuthorizeUrl`. */
export type BuildAuthorizeUrlOptions = SignInWithWorkOSOptions & AuthorizeUrlFlow;

// ---------------------------------------------------------------------------------------------
// The client

/** The sign-in flow. */
export type AuthFlowType = 'pkce' | 'implicit';

/** A storage that works like `localStorage`; each method may return a promise. */
export interface SupportedStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

/** The options of `createClient`. */
export interface ClientOptions {
  /** Default `'pkce'`. */
  flowType?: AuthFlowType;
  /** Where the session and the PKCE verifier are kept. Default `'local'` (localStorage). */
  storage?: 'local' | 'session' | 'memory' | SupportedStorage;
  /** Default `sb-<first label of the host>-auth-token`, as supabase-js. */
  storageKey?: string;
  /** Refresh the session before it expires. Default `true`. */
  autoRefreshToken?: boolean;
  /** Handle a callback URL when the client is created. Default `true`. */
  detectSessionInUrl?: boolean;
  /**
   * Accept an implicit callback that this browser did not start (no pending sign-in recorded).
   * Default `false`: such a callback is refused, since accepting it allows login CSRF.
   */
  allowUnsolicitedImplicit?: boolean;
}

/** The auth events `onAuthStateChange` reports. */
export type AuthChangeEvent =
  | 'INITIAL_SESSION'
  | 'SIGNED_IN'
  | 'SIGNED_OUT'
  | 'TOKEN_REFRESHED'
  | 'USER_UPDATED'
  | 'PASSWORD_RECOVERY';

/** `signOut`'s scope: every session of the user, this one, or all but this one. */
export type SignOutScope = 'global' | 'local' | 'others';

/** A client for one Supabase project, from `createClient`. */
export interface WorkOSAuthClient {
  /** `<supabaseUrl>/auth/v1` */
  readonly authUrl: string;
  /** The key the session is stored under. */
  readonly storageKey: string;
  readonly flowType: AuthFlowType;
  /**
   * Builds the authorize URL, stores the PKCE verifier where supabase-js looks for it, then
   * navigates with `location.assign` unless `skipBrowserRedirect`. Rejects with
   * `missing_selector`, `ambiguous_selector`, `invalid_provider`, `invalid_options` or
   * `storage_unavailable`, having stored nothing and navigated nowhere.
   */
  signInWithWorkOS(options: SignInWithWorkOSOptions): Promise<SignInWithWorkOSResult>;
  /**
   * Finishes sign-in from a callback URL (default `location.href`): stores the session and
   * emits `SIGNED_IN`. Resolves to `null` when the URL is not a callback.
   */
  handleRedirectCallback(url?: string | URL): Promise<Session | null>;
  /** Resolves once the client has handled the callback URL it was created on, if any. */
  initialize(): Promise<{ error: AuthError | null }>;
  /** The current session, refreshed first when about to expire; `null` when signed out. */
  getSession(): Promise<Session | null>;
  /** The signed-in user from `GET /auth/v1/user`; rejects with `session_missing` when signed out. */
  getUser(): Promise<User>;
  /** Refreshes the session now; rejects with `session_missing` when signed out. */
  refreshSession(): Promise<Session>;
  /** Signs out (default scope `'global'`); the local session is cleared even when the call fails. */
  signOut(options?: { scope?: SignOutScope }): Promise<void>;
  /** Subscribes to auth events; a new subscriber first receives `INITIAL_SESSION`. */
  onAuthStateChange(callback: (event: AuthChangeEvent, session: Session | null) => void): {
    unsubscribe(): void;
  };
  /** Stops timers, listeners and channels. */
  dispose(): void;
}

/** A client for one Supabase project; throws `invalid_options` for a bad URL or an empty key. */
export function createClient(
  supabaseUrl: string,
  supabaseKey: string,
  options?: ClientOptions,
): WorkOSAuthClient;

// ---------------------------------------------------------------------------------------------
// Sessions and users, as supabase-js stores them

/** `app_metadata` of a user; WorkOS users have `provider: 'workos'`. */
export interface UserAppMetadata {
  provider?: string;
  providers?: string[];
  [key: string]: unknown;
}

/** The WorkOS profile's ids, under `user_metadata.custom_claims`. */
export interface WorkOSCustomClaims {
  connection_id?: string;
  organization_id?: string;
  [key: string]: unknown;
}

/** `user_metadata` of a user: the claims Supabase Auth kept from the WorkOS profile. */
export interface UserMetadata {
  iss?: string;
  sub?: string;
  name?: string;
  full_name?: string;
  email?: string;
  email_verified?: boolean;
  provider_id?: string;
  custom_claims?: WorkOSCustomClaims;
  [key: string]: unknown;
}

/** One linked identity of a user. */
export interface UserIdentity {
  id: string;
  user_id: string;
  identity_id: string;
  identity_data?: { [key: string]: unknown };
  provider: string;
  email?: string;
  created_at?: string;
  last_sign_in_at?: string;
  updated_at?: string;
}

/** The user, as `GET /auth/v1/user` answers and supabase-js stores it. */
export interface User {
  id: string;
  aud: string;
  role?: string;
  email?: string;
  email_confirmed_at?: string;
  phone?: string;
  confirmed_at?: string;
  last_sign_in_at?: string;
  app_metadata: UserAppMetadata;
  user_metadata: UserMetadata;
  identities?: UserIdentity[];
  created_at: string;
  updated_at?: string;
  is_anonymous?: boolean;
}

/** A session, in exactly the shape supabase-js stores (so either library reads the other's). */
export interface Session {
  access_token: string;
  token_type: 'bearer';
  /** Seconds the access token lives, from when it was issued. */
  expires_in: number;
  /** When the access token expires, in unix seconds. */
  expires_at: number;
  refresh_token: string;
  user: User;
  provider_token?: string | null;
  provider_refresh_token?: string | null;
}

// ---------------------------------------------------------------------------------------------
// Errors

/** The codes raised in the browser; a server's own `error_code` may appear too. */
export type AuthErrorCode =
  | 'invalid_options'
  | 'missing_selector'
  | 'ambiguous_selector'
  | 'invalid_provider'
  | 'storage_unavailable'
  | 'invalid_callback'
  | 'pkce_code_verifier_not_found'
  | 'invalid_token_response'
  | 'retryable_fetch_error'
  | 'session_missing'
  | 'unsolicited_callback'
  | 'insecure_context'
  | (string & {});

/** supabase-js's class names, where one fits. */
export type AuthErrorName =
  | 'AuthError'
  | 'AuthApiError'
  | 'AuthImplicitGrantRedirectError'
  | 'AuthPKCECodeVerifierMissingError'
  | 'AuthInvalidTokenResponseError'
  | 'AuthRetryableFetchError'
  | 'AuthSessionMissingError'
  | (string & {});

/** Every error this library throws: a real `Error` with a stable `code` (messages may change). */
export interface AuthError extends Error {
  name: AuthErrorName;
  code: AuthErrorCode;
  /**
   * The HTTP status; 0 for a network failure; for errors raised in the browser, the status
   * supabase-js gives the same error (400 or 500).
   */
  status: number;
  /** Server errors: the OAuth `error` the body names, else `code`. Redirect errors: the redirect's `error`, when it has one. */
  error?: string;
  /** Server and redirect errors: the server's description. */
  error_description?: string;
  /** Redirect errors, as supabase-js's `AuthImplicitGrantRedirectError.details`. */
  details?: { error: string; code: string };
}

/** True for errors thrown by this library (and by supabase-js). */
export function isAuthError(error: unknown): error is AuthError;

// ---------------------------------------------------------------------------------------------
// Pure helpers

/** The authorize URL for these options; nothing is stored. */
export function buildAuthorizeUrl(supabaseUrl: string, options: BuildAuthorizeUrlOptions): string;

/** The token fields of an implicit callback, with the expiry resolved. */
export interface ImplicitCallbackParams {
  access_token: string;
  refresh_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  provider_token?: string;
  provider_refresh_token?: string;
}

/** What a callback URL holds. */
export type CallbackUrl =
  | { type: 'implicit'; params: ImplicitCallbackParams }
  | { type: 'pkce'; code: string }
  | { type: 'error'; error: AuthError }
  | { type: 'none' };

/** Reads a callback URL without acting on it; throws `invalid_callback` when it is malformed. */
export function parseCallbackUrl(url: string | URL): CallbackUrl;

/** The key supabase-js stores this project's session under. */
export function storageKeyFor(supabaseUrl: string): string;
