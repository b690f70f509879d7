//! Tokens, codes and verifiers as a secret type: `Debug` prints `[redacted]`, there is no
//! `Display`, and the value is read through an explicit accessor.

use alloc::string::String;

/// A secret string (access or refresh token, provider token, authorization code).
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret value; every read is explicit.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Debug for Secret {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("[redacted]")
    }
}
