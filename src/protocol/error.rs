//! One error type with stable, string-backed codes: the code is the contract, messages may change.
//!
//! Client-side messages are static text that names parameters, never their values, so no token,
//! code or verifier can reach an error message. Errors reported by the server or a redirect carry
//! the server's own code and description.

use alloc::boxed::Box;
use alloc::string::String;

/// What went wrong, as a stable code shared by Rust and JS callers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorCode {
    /// An option is missing, of the wrong type, or not allowed (`invalid_options`).
    InvalidOptions,
    /// None of `connection`, `organization`, `provider` was given (`missing_selector`).
    MissingSelector,
    /// More than one of `connection`, `organization`, `provider` was given (`ambiguous_selector`).
    AmbiguousSelector,
    /// `provider` is not one of the WorkOS OAuth provider names (`invalid_provider`).
    InvalidProvider,
    /// The configured storage refused to store what sign-in needs (`storage_unavailable`).
    StorageUnavailable,
    /// The callback URL is malformed: an auth key repeated, a required field missing, no usable
    /// expiry (`invalid_callback`).
    InvalidCallback,
    /// A `?code=` callback with no PKCE verifier stored (`pkce_code_verifier_not_found`).
    PkceCodeVerifierNotFound,
    /// The server's session answer lacks a session or a user (`invalid_token_response`).
    InvalidTokenResponse,
    /// A network failure, a 5xx, or an answer that is not JSON: worth retrying
    /// (`retryable_fetch_error`, unless the server named a code).
    RetryableFetch,
    /// There is no session to act on (`session_missing`), or the server says the session was
    /// revoked (its code, `session_not_found`, is kept).
    SessionMissing,
    /// An implicit-flow callback this browser did not start: refused as login CSRF
    /// (`unsolicited_callback`).
    UnsolicitedCallback,
    /// PKCE needs `crypto.subtle`, which browsers give only to secure contexts (https,
    /// localhost) (`insecure_context`).
    InsecureContext,
    /// The JS shell called the core wrongly: a bug in this library, never the caller's mistake
    /// (`internal_error`).
    Internal,
    /// The server refused the request; the code is the server's (`AuthApiError`).
    Api,
    /// The callback URL carries an error from Supabase Auth or WorkOS; the code is the
    /// redirect's `error_code`, else its `error` (`AuthImplicitGrantRedirectError`).
    Redirect,
}

impl ErrorCode {
    /// The stable code string, as documented in the README. For [`ErrorCode::Api`] and
    /// [`ErrorCode::Redirect`] the error's own code is in [`Error::code_str`].
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidOptions => "invalid_options",
            ErrorCode::MissingSelector => "missing_selector",
            ErrorCode::AmbiguousSelector => "ambiguous_selector",
            ErrorCode::InvalidProvider => "invalid_provider",
            ErrorCode::StorageUnavailable => "storage_unavailable",
            ErrorCode::InvalidCallback => "invalid_callback",
            ErrorCode::PkceCodeVerifierNotFound => "pkce_code_verifier_not_found",
            ErrorCode::InvalidTokenResponse => "invalid_token_response",
            ErrorCode::RetryableFetch => "retryable_fetch_error",
            ErrorCode::SessionMissing => "session_missing",
            ErrorCode::UnsolicitedCallback => "unsolicited_callback",
            ErrorCode::InsecureContext => "insecure_context",
            ErrorCode::Internal => "internal_error",
            ErrorCode::Api => "unexpected_failure",
            ErrorCode::Redirect => "unspecified_error",
        }
    }

    /// The JS error class name: supabase-js's where the meaning matches, so code written against
    /// supabase-js catches ours the same way.
    pub fn js_name(self) -> &'static str {
        match self {
            ErrorCode::InvalidCallback | ErrorCode::Redirect | ErrorCode::UnsolicitedCallback => {
                "AuthImplicitGrantRedirectError"
            }
            ErrorCode::PkceCodeVerifierNotFound => "AuthPKCECodeVerifierMissingError",
            ErrorCode::InvalidTokenResponse => "AuthInvalidTokenResponseError",
            ErrorCode::RetryableFetch => "AuthRetryableFetchError",
            ErrorCode::SessionMissing => "AuthSessionMissingError",
            ErrorCode::Api => "AuthApiError",
            _ => "AuthError",
        }
    }

    /// The status supabase-js gives the same class of error; 0 for ours.
    fn default_status(self) -> u16 {
        match self {
            ErrorCode::InvalidCallback | ErrorCode::Redirect | ErrorCode::InvalidTokenResponse => {
                500
            }
            ErrorCode::PkceCodeVerifierNotFound
            | ErrorCode::SessionMissing
            | ErrorCode::UnsolicitedCallback => 400,
            _ => 0,
        }
    }
}

/// What the server or a redirect said, kept with the error.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ServerDetail {
    /// The HTTP status (0 for a network failure or a redirect).
    pub status: u16,
    /// The server's error code, when it named one.
    pub code: Option<String>,
    /// The server's message or the redirect's `error_description`.
    pub message: Option<String>,
    /// A redirect's `error` (OAuth error code).
    pub error: Option<String>,
}

/// An error from the core: a stable [`ErrorCode`], a message, and what the server said.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: &'static str,
    server: Option<Box<ServerDetail>>,
}

impl Error {
    /// An error with a code and a fixed message.
    pub const fn new(code: ErrorCode, message: &'static str) -> Self {
        Error {
            code,
            message,
            server: None,
        }
    }

    /// An error carrying what the server or a redirect said; `message` is the fallback text when
    /// the server gave none.
    pub fn with_server(code: ErrorCode, message: &'static str, detail: ServerDetail) -> Self {
        Error {
            code,
            message,
            server: Some(Box::new(detail)),
        }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The code string: the server's or the redirect's own code where it named one.
    pub fn code_str(&self) -> &str {
        let own = self.server.as_ref().and_then(|s| s.code.as_deref());
        match (self.code, own) {
            (
                ErrorCode::Api
                | ErrorCode::Redirect
                | ErrorCode::RetryableFetch
                | ErrorCode::SessionMissing,
                Some(c),
            ) => c,
            (ErrorCode::Redirect, None) => self
                .server
                .as_ref()
                .and_then(|s| s.error.as_deref())
                .unwrap_or(ErrorCode::Redirect.as_str()),
            _ => self.code.as_str(),
        }
    }

    /// A human-readable message: the server's when it gave one, else fixed text that names
    /// parameters, never their values.
    pub fn message(&self) -> &str {
        self.server
            .as_ref()
            .and_then(|s| s.message.as_deref())
            .unwrap_or(self.message)
    }

    /// The HTTP status, or the status supabase-js reports for the same class of error.
    pub fn status(&self) -> u16 {
        match &self.server {
            Some(s) if s.status != 0 || self.code == ErrorCode::RetryableFetch => s.status,
            _ => self.code.default_status(),
        }
    }

    /// What the server or redirect said, if anything.
    pub fn server(&self) -> Option<&ServerDetail> {
        self.server.as_deref()
    }

    pub(crate) const fn invalid(message: &'static str) -> Self {
        Error::new(ErrorCode::InvalidOptions, message)
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message())
    }
}

impl core::error::Error for Error {}
