//! The Supabase project URL: where Auth lives and which storage key supabase-js would use.
//!
//! Parsing is the browser's job (`new URL`); the core receives the parsed parts and decides.

use alloc::string::String;

use super::error::Error;

/// The parts of a URL as the WHATWG URL parser (the browser's `URL`) reports them.
#[derive(Clone, Copy, Debug)]
pub struct UrlParts<'a> {
    /// `protocol`, with its colon: `"https:"`.
    pub protocol: &'a str,
    /// `origin`: scheme, host and non-default port, lower-cased by the parser.
    pub origin: &'a str,
    /// `hostname`, without port.
    pub hostname: &'a str,
    /// `pathname`, starting with `/`.
    pub pathname: &'a str,
    /// `search` and `hash` are both empty.
    pub bare: bool,
}

/// True for the two schemes Supabase Auth is served over.
pub fn is_http(protocol: &str) -> bool {
    protocol == "https:" || protocol == "http:"
}

/// A validated Supabase project URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProjectUrl {
    /// `origin + pathname`, with exactly one trailing slash.
    base: String,
    /// The first label of the host name.
    label: String,
}

impl ProjectUrl {
    /// Validates the parsed project URL: absolute http(s), no query, no fragment.
    pub fn new(parts: UrlParts<'_>) -> Result<Self, Error> {
        if !is_http(parts.protocol) || parts.hostname.is_empty() {
            return Err(Error::invalid(
                "supabaseUrl must be an absolute http(s) URL",
            ));
        }
        if !parts.bare {
            return Err(Error::invalid(
                "supabaseUrl must not carry a query or a fragment",
            ));
        }
        let mut base = String::with_capacity(parts.origin.len() + parts.pathname.len() + 1);
        base.push_str(parts.origin);
        base.push_str(parts.pathname);
        if !base.ends_with('/') {
            base.push('/');
        }
        let label = super::text::cut_or_all(parts.hostname, b'.').0.into();
        Ok(ProjectUrl { base, label })
    }

    /// `<base>auth/v1`, the root of every Auth endpoint.
    pub fn auth_url(&self) -> String {
        let mut s = self.base.clone();
        s.push_str("auth/v1");
        s
    }

    /// The key supabase-js stores the session under: `sb-<first host label>-auth-token`.
    pub fn default_storage_key(&self) -> String {
        let mut key = String::with_capacity(self.label.len() + 14);
        key.push_str("sb-");
        key.push_str(&self.label);
        key.push_str("-auth-token");
        key
    }
}

/// The storage key that holds a pending PKCE verifier for a session storage key.
pub fn verifier_key(storage_key: &str) -> String {
    let mut key = String::with_capacity(storage_key.len() + 14);
    key.push_str(storage_key);
    key.push_str("-code-verifier");
    key
}
