// Types of the public API (see the project README for the contract).

/** A WorkOS OAuth provider name. */
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

/** Options of `signInWithWorkOS`, besides the selector. */
export interface SignInCommonOptions {
  /** Absolute http(s) URL Supabase Auth sends the user back to (must be on its allow list). */
  redirectTo?: string;
  /** Forwarded to WorkOS as `login_hint`. */
  loginHint?: string;
  /** Forwarded to WorkOS as `domain_hint`. */
  domainHint?: string;
  /** Sent as `scopes` (Supabase Auth ignores it for WorkOS). */
  scopes?: string;
  /** Extra query parameters; reserved keys are refused with `invalid_options`. */
  queryParams?: Record<string, string | number | boolean | null | undefined>;
  /** Return the URL without navigating to it. */
  skipBrowserRedirect?: boolean;
}

export type SignInWithWorkOSOptions = WorkOSSelector & SignInCommonOptions;

/** Options of the pure `buildAuthorizeUrl`. */
export type BuildAuthorizeUrlOptions = SignInWithWorkOSOptions & {
  flowType?: 'pkce' | 'implicit';
  /** The S256 challenge; required with `flowType: 'pkce'`. */
  codeChallenge?: string;
};

/** A storage that works like `localStorage`; methods may return promises. */
export interface SupportedStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

export interface ClientOptions {
  /** Default `'pkce'`. */
  flowType?: 'pkce' | 'implicit';
  /** Default `'local'`. */
  storage?: 'local' | 'session' | 'memory' | SupportedStorage;
  /** Default `sb-<first label of the host>-auth-token`, as supabase-js. */
  storageKey?: string;
}

/** Stable error codes; the code is the contract, messages may change. */
export type AuthErrorCode =
  | 'invalid_options'
  | 'missing_selector'
  | 'ambiguous_selector'
  | 'invalid_provider'
  | 'storage_unavailable';

/** Every error this library throws. */
export interface AuthError extends Error {
  name: string;
  code: AuthErrorCode;
  /** HTTP status, or 0 for errors raised in the browser. */
  status: number;
}

export interface WorkOSAuthClient {
  readonly authUrl: string;
  readonly storageKey: string;
  readonly flowType: 'pkce' | 'implicit';
  /** Builds the authorize URL, stores the PKCE verifier, and navigates (unless skipped). */
  signInWithWorkOS(options: SignInWithWorkOSOptions): Promise<{ provider: 'workos'; url: string }>;
}

/** A client for one Supabase project; throws `invalid_options` for a bad URL or an empty key. */
export function createClient(
  supabaseUrl: string,
  supabaseKey: string,
  options?: ClientOptions,
): WorkOSAuthClient;

/** The authorize URL for these options; nothing is stored. */
export function buildAuthorizeUrl(supabaseUrl: string, options: BuildAuthorizeUrlOptions): string;

/** The key supabase-js stores this project's session under. */
export function storageKeyFor(supabaseUrl: string): string;

/** True for errors thrown by this library (and by supabase-js). */
export function isAuthError(error: unknown): error is AuthError;
