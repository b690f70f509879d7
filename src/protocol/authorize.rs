//! The Supabase Auth authorize URL for WorkOS (PROTOCOL.md §2), byte-identical to supabase-js's
//! `_getUrlForProvider` for the same inputs.

use alloc::string::String;
use alloc::vec::Vec;

use super::callback::Pair;
use super::encode::{form_component, uri_component};
use super::error::{Error, ErrorCode};
use super::project::{ProjectUrl, UrlParts};

/// A WorkOS OAuth provider name, as WorkOS spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// `GoogleOAuth`
    Google,
    /// `MicrosoftOAuth`
    Microsoft,
    /// `GitHubOAuth`
    GitHub,
    /// `AppleOAuth`
    Apple,
    /// `SalesforceOAuth`
    Salesforce,
}

impl Provider {
    const ALL: [Provider; 5] = [
        Provider::Google,
        Provider::Microsoft,
        Provider::GitHub,
        Provider::Apple,
        Provider::Salesforce,
    ];

    /// The provider for an exact WorkOS name, or `None`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The name WorkOS expects.
    pub fn name(self) -> &'static str {
        match self {
            Provider::Google => "GoogleOAuth",
            Provider::Microsoft => "MicrosoftOAuth",
            Provider::GitHub => "GitHubOAuth",
            Provider::Apple => "AppleOAuth",
            Provider::Salesforce => "SalesforceOAuth",
        }
    }
}

/// Which WorkOS connection signs the user in: exactly one of the three.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selector<'a> {
    /// A connection id, `conn_…`.
    Connection(&'a str),
    /// An organization id, `org_…`.
    Organization(&'a str),
    /// An OAuth provider; sent to Supabase as `workos_provider`, which GoTrue renames.
    Provider(Provider),
}

impl<'a> Selector<'a> {
    /// Picks the one selector given. Absent and empty values count as not given.
    pub fn pick(
        connection: Option<&'a str>,
        organization: Option<&'a str>,
        provider: Option<&'a str>,
    ) -> Result<Self, Error> {
        // Empty or only white space: not given (a stray space from a form is not a selector).
        let given =
            |v: Option<&str>| v.is_some_and(|s| !s.bytes().all(|b| b.is_ascii_whitespace()));
        let count = usize::from(given(connection))
            + usize::from(given(organization))
            + usize::from(given(provider));
        if count == 0 {
            return Err(Error::new(
                ErrorCode::MissingSelector,
                "one of connection, organization or provider is required",
            ));
        }
        if count > 1 {
            return Err(Error::new(
                ErrorCode::AmbiguousSelector,
                "give only one of connection, organization or provider",
            ));
        }
        match (connection, organization, provider) {
            (Some(c), _, _) if given(Some(c)) => Ok(Selector::Connection(c)),
            (_, Some(o), _) if given(Some(o)) => Ok(Selector::Organization(o)),
            (_, _, p) => p
                .and_then(Provider::from_name)
                .map(Selector::Provider)
                .ok_or(Error::new(
                    ErrorCode::InvalidProvider,
                    "provider must be GoogleOAuth, MicrosoftOAuth, GitHubOAuth, AppleOAuth or SalesforceOAuth",
                )),
        }
    }

    fn pair(&self) -> (&'static str, &'a str) {
        match self {
            Selector::Connection(c) => ("connection", c),
            Selector::Organization(o) => ("organization", o),
            Selector::Provider(p) => ("workos_provider", p.name()),
        }
    }
}

/// Keys `queryParams` may not set: ours to write, or stripped by GoTrue before WorkOS sees them.
pub const RESERVED_KEYS: [&str; 13] = [
    "provider",
    "workos_provider",
    "connection",
    "organization",
    "redirect_to",
    "code_challenge",
    "code_challenge_method",
    "client_id",
    "client_secret",
    "redirect_uri",
    "response_type",
    "state",
    "code_verifier",
];

/// Everything the authorize URL is built from, validated. Borrows the caller's strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthorizeRequest<'a> {
    selector: Selector<'a>,
    redirect_to: Option<&'a str>,
    scopes: Option<&'a str>,
    login_hint: Option<&'a str>,
    domain_hint: Option<&'a str>,
    query_params: Vec<Pair<'a>>,
    code_challenge: Option<&'a str>,
}

/// What the caller passes, before validation. Empty strings count as absent for the optional
/// strings, as in supabase-js.
#[derive(Clone, Debug, Default)]
pub struct AuthorizeOptions<'a> {
    /// `connection`
    pub connection: Option<&'a str>,
    /// `organization`
    pub organization: Option<&'a str>,
    /// `provider`
    pub provider: Option<&'a str>,
    /// `redirectTo`, as written by the caller (it is sent unchanged).
    pub redirect_to: Option<&'a str>,
    /// `scopes`
    pub scopes: Option<&'a str>,
    /// `loginHint`
    pub login_hint: Option<&'a str>,
    /// `domainHint`
    pub domain_hint: Option<&'a str>,
    /// `queryParams`, in insertion order, as `URLSearchParams` wrote them (see
    /// [`crate::protocol::api::query_pairs`]): sent as written, their keys checked decoded.
    pub query_params: Vec<Pair<'a>>,
    /// The S256 challenge for the PKCE flow; `None` for the implicit flow.
    pub code_challenge: Option<&'a str>,
}

/// The schemes a `redirectTo` may not have: each can only run script or content the attacker
/// chose. Every other absolute URL is sent, as supabase-js sends it, and Supabase Auth checks it
/// against the project's allow list: `https:` for web apps, `myapp:` or `com.example.app:` for
/// the deep links that Tauri, Capacitor and Electron apps return through.
pub const REFUSED_REDIRECT_SCHEMES: [&str; 4] = ["javascript:", "data:", "vbscript:", "blob:"];

/// Whether a `redirectTo` with this scheme (the browser's `protocol`, lower-cased, with its
/// colon) may be sent.
pub fn redirect_scheme_allowed(protocol: &str) -> bool {
    !protocol.is_empty() && !REFUSED_REDIRECT_SCHEMES.contains(&protocol)
}

fn non_empty(v: Option<&str>) -> Option<&str> {
    v.filter(|s| !s.is_empty())
}

impl<'a> AuthorizeRequest<'a> {
    /// Validates the options. `redirect` is the browser's parse of `redirect_to` (`None` when it
    /// did not parse); it is only consulted when `redirect_to` is non-empty.
    pub fn new(opts: AuthorizeOptions<'a>, redirect: Option<UrlParts<'_>>) -> Result<Self, Error> {
        let redirect_to = non_empty(opts.redirect_to);
        if redirect_to.is_some() && !redirect.is_some_and(|r| redirect_scheme_allowed(r.protocol)) {
            return Err(Error::invalid(
                "redirectTo must be an absolute URL, not javascript:, data:, vbscript: or blob:",
            ));
        }
        let login_hint = non_empty(opts.login_hint);
        let domain_hint = non_empty(opts.domain_hint);
        let scopes = non_empty(opts.scopes);
        for (i, Pair { raw, key, .. }) in opts.query_params.iter().enumerate() {
            // Sent as written: only what `URLSearchParams` writes, so nothing else reaches the URL.
            if !raw.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'*' | b'-' | b'.' | b'_' | b'+' | b'%' | b'=')
            }) {
                return Err(Error::invalid("queryParams must be form-encoded"));
            }
            if RESERVED_KEYS.contains(&key.as_str()) {
                return Err(Error::invalid("queryParams may not set a reserved key"));
            }
            if (key == "login_hint" && login_hint.is_some())
                || (key == "domain_hint" && domain_hint.is_some())
                || (key == "scopes" && scopes.is_some())
                || opts.query_params.iter().skip(i + 1).any(|p| p.key == *key)
            {
                return Err(Error::invalid("queryParams repeats a key"));
            }
        }
        let selector = Selector::pick(opts.connection, opts.organization, opts.provider)?;
        Ok(AuthorizeRequest {
            selector,
            redirect_to,
            scopes,
            login_hint,
            domain_hint,
            query_params: opts.query_params,
            code_challenge: opts.code_challenge,
        })
    }

    /// The selector this request signs in with.
    pub fn selector(&self) -> Selector<'a> {
        self.selector
    }

    /// The authorize URL: `<project>auth/v1/authorize?provider=workos&…` in supabase-js's order.
    pub fn url(&self, project: &ProjectUrl) -> String {
        let mut url = project.auth_url();
        url.push_str("/authorize?provider=workos");
        let uri_param = |url: &mut String, key: &str, value: Option<&str>| {
            if let Some(v) = value {
                url.push('&');
                url.push_str(key);
                url.push('=');
                uri_component(url, v);
            }
        };
        uri_param(&mut url, "redirect_to", self.redirect_to);
        uri_param(&mut url, "scopes", self.scopes);
        if let Some(challenge) = self.code_challenge {
            url.push_str("&code_challenge=");
            uri_component(&mut url, challenge);
            url.push_str("&code_challenge_method=s256");
        }
        let (key, value) = self.selector.pair();
        let hints = [
            ("login_hint", self.login_hint),
            ("domain_hint", self.domain_hint),
        ];
        for (k, v) in core::iter::once((key, Some(value))).chain(hints) {
            if let Some(v) = v {
                url.push('&');
                form_component(&mut url, k);
                url.push('=');
                form_component(&mut url, v);
            }
        }
        for p in &self.query_params {
            url.push('&');
            url.push_str(p.raw);
        }
        url
    }

    /// `redirect_to`, when there is one.
    pub fn redirect_to(&self) -> Option<&'a str> {
        self.redirect_to
    }

    /// The same request, returning to `redirect_to` (a validated one with a segment added).
    pub(crate) fn redirected(self, redirect_to: &'a str) -> Self {
        AuthorizeRequest {
            redirect_to: Some(redirect_to),
            ..self
        }
    }

    /// True when `redirect_to` carries a fragment, which the server keeps and appends tokens
    /// after a second `#`: worth a warning.
    pub fn redirect_has_fragment(&self) -> bool {
        self.redirect_to
            .is_some_and(|r| r.bytes().any(|b| b == b'#'))
    }
}
