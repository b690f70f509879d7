//! One error type with stable, string-backed codes: the code is the contract, messages may change.
//!
//! Messages are static text that names parameters, never their values, so no token, code or
//! verifier can reach an error message.

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
}

impl ErrorCode {
    /// The stable code string, as documented in the README.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidOptions => "invalid_options",
            ErrorCode::MissingSelector => "missing_selector",
            ErrorCode::AmbiguousSelector => "ambiguous_selector",
            ErrorCode::InvalidProvider => "invalid_provider",
            ErrorCode::StorageUnavailable => "storage_unavailable",
        }
    }

    /// The JS error class name (supabase-js's where the meaning matches).
    pub fn js_name(self) -> &'static str {
        "AuthError"
    }
}

/// An error from the core: a stable [`ErrorCode`] and a message that never holds a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: &'static str,
}

impl Error {
    /// An error with a code and a fixed message.
    pub const fn new(code: ErrorCode, message: &'static str) -> Self {
        Error { code, message }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// A human-readable message that names parameters, never their values.
    pub fn message(&self) -> &'static str {
        self.message
    }

    /// The HTTP status, or 0 for errors raised on the client.
    pub fn status(&self) -> u16 {
        0
    }

    pub(crate) const fn invalid(message: &'static str) -> Self {
        Error::new(ErrorCode::InvalidOptions, message)
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.message)
    }
}

impl core::error::Error for Error {}
