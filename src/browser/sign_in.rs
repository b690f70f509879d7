//! What `sign_in_with_workos` takes: exactly one selector, by type, then the options.

use crate::protocol::authorize::Provider as WorkOsProvider;

/// A WorkOS OAuth provider, named as WorkOS names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // WorkOS's own names
pub enum Provider {
    /// `GoogleOAuth`
    GoogleOAuth,
    /// `MicrosoftOAuth`
    MicrosoftOAuth,
    /// `GitHubOAuth`
    GitHubOAuth,
    /// `AppleOAuth`
    AppleOAuth,
    /// `SalesforceOAuth`
    SalesforceOAuth,
}

impl Provider {
    /// The name WorkOS expects, e.g. `GoogleOAuth`.
    pub fn name(self) -> &'static str {
        self.protocol().name()
    }

    /// The provider WorkOS names `name` (exactly, e.g. `GoogleOAuth`); `None` for any other.
    ///
    /// ```
    /// use supabase_workos::browser::Provider;
    /// assert_eq!(Provider::from_name("GitHubOAuth"), Some(Provider::GitHubOAuth));
    /// assert_eq!(Provider::from_name("github"), None);
    /// ```
    pub fn from_name(name: &str) -> Option<Provider> {
        Some(match WorkOsProvider::from_name(name)? {
            WorkOsProvider::Google => Provider::GoogleOAuth,
            WorkOsProvider::Microsoft => Provider::MicrosoftOAuth,
            WorkOsProvider::GitHub => Provider::GitHubOAuth,
            WorkOsProvider::Apple => Provider::AppleOAuth,
            WorkOsProvider::Salesforce => Provider::SalesforceOAuth,
        })
    }

    fn protocol(self) -> WorkOsProvider {
        match self {
            Provider::GoogleOAuth => WorkOsProvider::Google,
            Provider::MicrosoftOAuth => WorkOsProvider::Microsoft,
            Provider::GitHubOAuth => WorkOsProvider::GitHub,
            Provider::AppleOAuth => WorkOsProvider::Apple,
            Provider::SalesforceOAuth => WorkOsProvider::Salesforce,
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Which {
    Connection(String),
    Organization(String),
    Provider(Provider),
}

/// A sign-in to start: one selector (a constructor each), then the options.
///
/// ```no_run
/// use supabase_workos::browser::{Provider, SignIn};
/// let sign_in = SignIn::organization("org_01H")
///     .redirect_to("https://app.example.com/callback")
///     .login_hint("ada@example.com");
/// let google = SignIn::provider(Provider::GoogleOAuth).skip_browser_redirect();
/// ```
#[derive(Clone, Debug)]
#[must_use = "a SignIn does nothing until given to Client::sign_in_with_workos"]
pub struct SignIn {
    pub(crate) which: Which,
    pub(crate) redirect_to: Option<String>,
    pub(crate) login_hint: Option<String>,
    pub(crate) domain_hint: Option<String>,
    pub(crate) scopes: Option<String>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) skip_browser_redirect: bool,
}

impl SignIn {
    fn new(which: Which) -> Self {
        SignIn {
            which,
            redirect_to: None,
            login_hint: None,
            domain_hint: None,
            scopes: None,
            query: Vec::new(),
            skip_browser_redirect: false,
        }
    }

    /// Signs in through a WorkOS connection, `conn_…`.
    pub fn connection(id: impl Into<String>) -> Self {
        SignIn::new(Which::Connection(id.into()))
    }

    /// Signs in through an organization's connection, `org_…`.
    pub fn organization(id: impl Into<String>) -> Self {
        SignIn::new(Which::Organization(id.into()))
    }

    /// Signs in through an OAuth provider that WorkOS brokers (sent as `workos_provider`, which
    /// Supabase Auth renames for WorkOS).
    pub fn provider(provider: Provider) -> Self {
        SignIn::new(Which::Provider(provider))
    }

    /// Where Supabase Auth sends the browser back: an absolute URL on the project's redirect
    /// allow list (else the server silently uses the Site URL). An app's own scheme, such as
    /// `myapp://auth/callback` for a desktop or mobile deep link, is accepted; `javascript:`,
    /// `data:`, `vbscript:` and `blob:` are refused with `invalid_options`.
    pub fn redirect_to(mut self, url: impl Into<String>) -> Self {
        self.redirect_to = Some(url.into());
        self
    }

    /// `login_hint`: the email to sign in with, forwarded to WorkOS.
    pub fn login_hint(mut self, hint: impl Into<String>) -> Self {
        self.login_hint = Some(hint.into());
        self
    }

    /// `domain_hint`, forwarded to WorkOS.
    pub fn domain_hint(mut self, hint: impl Into<String>) -> Self {
        self.domain_hint = Some(hint.into());
        self
    }

    /// `scopes` (Supabase Auth ignores it for WorkOS; kept for parity with supabase-js).
    pub fn scopes(mut self, scopes: impl Into<String>) -> Self {
        self.scopes = Some(scopes.into());
        self
    }

    /// An extra query parameter for WorkOS. Reserved OAuth keys and repeated keys are refused
    /// with `invalid_options` when the sign-in starts.
    pub fn query_param(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    /// Returns the authorize URL instead of navigating to it (the verifier is stored all the
    /// same).
    pub fn skip_browser_redirect(mut self) -> Self {
        self.skip_browser_redirect = true;
        self
    }

    /// The selector's fields, as the protocol takes them.
    pub(crate) fn selector(&self) -> (Option<&str>, Option<&str>, Option<&'static str>) {
        match &self.which {
            Which::Connection(c) => (Some(c), None, None),
            Which::Organization(o) => (None, Some(o), None),
            Which::Provider(p) => (None, None, Some(p.name())),
        }
    }
}
