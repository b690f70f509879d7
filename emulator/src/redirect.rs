//! Where GoTrue sends the browser: `redirect_to` validation
//! (`internal/utilities/request.go`) and the redirect URLs it builds on
//! success and failure (`external.go`, `verify.go`, `tokens/service.go`).

use std::net::IpAddr;

use crate::glob::Glob;
use crate::gourl::{GoUrl, Values};
use crate::http::{AuthError, Req};

/// Site URL and allow list, the two inputs of every redirect decision.
#[derive(Clone, Debug)]
pub struct RedirectPolicy {
    pub site_url: String,
    pub allow: Vec<Glob>,
}

fn ip_is_loopback(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

fn is_localhost(host: &str) -> bool {
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(ip_is_loopback)
}

fn is_regular_hostname(host: &str) -> bool {
    let b = host.as_bytes();
    let edge = |c: &u8| c.is_ascii_alphanumeric();
    match (b.first(), b.last()) {
        (Some(first), Some(last)) => {
            edge(first)
                && edge(last)
                && b.iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'.' || *c == b'-')
        }
        _ => false,
    }
}

impl RedirectPolicy {
    /// `utilities.IsRedirectURLValid`.
    pub fn is_valid(&self, redirect_url: &str) -> bool {
        if redirect_url.is_empty() {
            return false;
        }
        if redirect_url.chars().any(|c| c <= ' ' || c == '\u{7f}') {
            return false;
        }
        let Ok(base) = GoUrl::parse(&self.site_url) else {
            return false;
        };
        match GoUrl::parse(redirect_url) {
            Err(_) => {
                let lower = redirect_url.to_ascii_lowercase();
                if lower.starts_with("http:") || lower.starts_with("https:") {
                    return false;
                }
            }
            Ok(r) => {
                let host = r.hostname();
                if base.hostname() == host
                    && base.scheme == r.scheme
                    && (base.port() == r.port() || is_localhost(&host))
                {
                    return true;
                }
                let scheme = r.scheme.trim_end_matches(':').to_ascii_lowercase();
                let is_http = scheme == "http" || scheme == "https";
                if !host.is_empty() && host.bytes().all(|c| c.is_ascii_digit()) {
                    return false;
                } else if let Ok(ip) = host.parse::<IpAddr>() {
                    return ip_is_loopback(ip);
                } else if is_http && !is_regular_hostname(&host) {
                    return false;
                }
            }
        }
        let without_fragment = redirect_url.split('#').next().unwrap_or("");
        self.allow.iter().any(|g| g.matches(without_fragment))
    }

    /// `utilities.GetReferrer`: the `redirect_to` header, else the
    /// `redirect_to` form value, then the `Referer` header, then the Site URL.
    pub fn referrer(&self, req: &Req) -> String {
        let mut wanted = req.header("redirect_to");
        if wanted.is_empty() {
            wanted = req.form().get_or_empty("redirect_to");
        }
        if self.is_valid(&wanted) {
            return wanted;
        }
        let referer = req.header("referer");
        if self.is_valid(&referer) {
            return referer;
        }
        self.site_url.clone()
    }
}

/// GoTrue's `oauthErrorMap`.
fn oauth_error_for_status(status: u16) -> Option<&'static str> {
    match status {
        400 => Some("invalid_request"),
        401 => Some("unauthorized_client"),
        403 => Some("access_denied"),
        500 => Some("server_error"),
        503 => Some("temporarily_unavailable"),
        _ => None,
    }
}

/// `getErrorQueryString`: the error merged into the existing query `q`.
fn error_query(err: &AuthError, mut q: Values) -> Values {
    match err {
        AuthError::Http(e) => {
            let error = match e.code.as_str() {
                "signup_disabled" | "user_banned" | "provider_email_needs_verification" => {
                    "access_denied"
                }
                _ => oauth_error_for_status(e.status).unwrap_or("server_error"),
            };
            q.set("error", error);
            q.set("error_description", &e.msg);
            q.set("error_code", &e.code);
        }
        AuthError::OAuth { error, description } => {
            q.set("error", error);
            q.set("error_description", description);
        }
    }
    q
}

/// `redirectErrors`: the error in the query (existing keys kept, re-sorted)
/// and again in the fragment with the `sb` marker; the fragment is escaped
/// once more by `URL.String`, so a `%` there reads `%25`.
pub fn error_redirect(rurl: &GoUrl, err: &AuthError) -> String {
    let mut u = rurl.clone();
    let q = error_query(err, u.query());
    u.raw_query = q.encode();
    let mut hq = Values::default();
    for key in ["error", "error_description", "error_code"] {
        if let Some(v) = q.get(key).filter(|v| !v.is_empty()) {
            hq.set(key, &v);
        }
    }
    hq.set("sb", "");
    u.set_fragment(&hq.encode());
    u.to_string()
}

/// `loadFlowState`'s failure: back to the Site URL, the error in the query
/// only (answered with 303).
pub fn bad_state_redirect(site_url: &str, err: &AuthError) -> String {
    match GoUrl::parse(site_url) {
        Ok(mut u) => {
            u.raw_query = error_query(err, u.query()).encode();
            u.to_string()
        }
        Err(_) => site_url.to_string(),
    }
}

/// `prepPKCERedirectURL`: `code` added to the (re-sorted) query, fragment kept.
pub fn pkce_redirect(rurl: &GoUrl, code: &str) -> String {
    let mut u = rurl.clone();
    let mut q = u.query();
    q.set("code", code);
    u.raw_query = q.encode();
    u.to_string()
}

/// The tokens of an implicit-flow redirect.
pub struct ImplicitTokens<'a> {
    pub access_token: &'a str,
    pub expires_at: i64,
    pub expires_in: i64,
    pub refresh_token: &'a str,
    pub provider_token: &'a str,
    pub provider_refresh_token: &'a str,
}

/// `AccessTokenResponse.AsRedirectURL`: the redirect URL as a plain string,
/// `#`, then the sorted token parameters (a second `#` when `rurl` had one).
pub fn implicit_redirect(rurl: &str, t: &ImplicitTokens<'_>) -> String {
    let mut q = Values::default();
    q.set("provider_token", t.provider_token);
    if !t.provider_refresh_token.is_empty() {
        q.set("provider_refresh_token", t.provider_refresh_token);
    }
    q.set("access_token", t.access_token);
    q.set("token_type", "bearer");
    q.set("expires_in", &t.expires_in.to_string());
    q.set("expires_at", &t.expires_at.to_string());
    q.set("refresh_token", t.refresh_token);
    q.set("sb", "");
    format!("{rurl}#{}", q.encode())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::ApiError;

    fn policy(site: &str, allow: &[&str]) -> RedirectPolicy {
        RedirectPolicy {
            site_url: site.to_string(),
            allow: allow.iter().map(|p| Glob::compile(p).unwrap()).collect(),
        }
    }

    // supabase/auth internal/utilities/request_test.go, TestIsRedirectURLValidSameOrigin.
    #[test]
    fn same_origin_table_from_gotrue() {
        let cases = [
            ("https://example.com", "https://example.com/path", true),
            ("https://example.com", "http://example.com/path", false),
            ("http://example.com", "https://example.com/path", false),
            (
                "https://example.com",
                "https://example.com:8443/path",
                false,
            ),
            (
                "https://example.com:9000",
                "https://example.com:9000/path",
                true,
            ),
            (
                "https://example.com:9000",
                "https://example.com/path",
                false,
            ),
            (
                "https://example.com:9000",
                "https://example.com:9001/path",
                false,
            ),
            (
                "http://localhost:3000",
                "http://localhost:8080/callback",
                true,
            ),
            (
                "http://127.0.0.1:3000",
                "http://127.0.0.1:8080/callback",
                true,
            ),
            ("http://localhost:3000", "http://localhost/callback", true),
            (
                "https://localhost:3000",
                "http://localhost:8080/callback",
                false,
            ),
        ];
        for (site, url, want) in cases {
            assert_eq!(policy(site, &[]).is_valid(url), want, "{site} {url}");
        }
    }

    // TestIsRedirectURLValidAllowList.
    #[test]
    fn allow_list_table_from_gotrue() {
        let cases: [(&[&str], &str, bool); 10] = [
            (
                &["com.my_cool_app.example://callback"],
                "com.my_cool_app.example://callback",
                true,
            ),
            (
                &["com.my_cool_app.example://**"],
                "com.my_cool_app.example://callback/path",
                true,
            ),
            (
                &["com.other.app://callback"],
                "com.my_cool_app.example://callback",
                false,
            ),
            (&[], "com.my_cool_app.example://callback", false),
            (
                &["https://2130706433/**"],
                "https://2130706433/callback",
                false,
            ),
            (
                &["https://example.com/**"],
                "https://example.com/auth/callback",
                true,
            ),
            (&["https://**", "*"], "https://2130706433/%zz", false),
            (&["http://**", "*"], "http://example.com/%zz", false),
            (&["**", "*"], "\thttps://2130706433/", false),
            (&["**", "*"], "https://example.com/\n/cb", false),
        ];
        for (allow, url, want) in cases {
            assert_eq!(
                policy("https://site.example.com", allow).is_valid(url),
                want,
                "{allow:?} {url:?}"
            );
        }
        assert!(!policy("https://site.example.com", &["**", "*"]).is_valid(" https://2130706433/"));
    }

    // TestGetReferrer.
    #[test]
    fn referrer_table_from_gotrue() {
        let p = policy(
            "https://example.com",
            &[
                "http://localhost:8000/*",
                "http://*.localhost:8000/*",
                "http://*:12345/*",
                "http://**:12345/*",
            ],
        );
        let cases = [
            ("http://localhost:8000/path", true),
            ("http://localhost:3000", false),
            ("http://localhost:8000", false),
            ("http://localhost:8000/path/to/page", false),
            ("http://localhost:8000/path?param=1", true),
            ("http://123?.localhost:8000/path", false),
            ("http://123.123.123.123?localhost:8000/path", false),
            (
                "http://[65e7:9410:d8b6:e227:58cd:e55b:8fc0:206d]?localhost:8000/path",
                false,
            ),
            (
                "http://65e7:9410:d8b6:e227:58cd:e55b:8fc0:206d?localhost:8000/path",
                false,
            ),
            ("http://127.0.0.1:12345/path", true),
            ("http://[0:0:0:0:0:0:0:1]:12345/path", true),
            ("https://example.com/dashboard", true),
            ("http://example.com/dashboard", false),
            ("https://example.com:8443/dashboard", false),
        ];
        for (url, valid) in cases {
            assert_eq!(p.is_valid(url), valid, "{url}");
        }
    }

    #[test]
    fn fragment_is_not_part_of_the_match_but_query_is() {
        let p = policy("http://localhost:5173", &["https://app.example.com/cb"]);
        assert!(p.is_valid("https://app.example.com/cb#anything"));
        assert!(!p.is_valid("https://app.example.com/cb?x=1"));
    }

    #[test]
    fn error_redirect_bytes() {
        let u = GoUrl::parse("https://app.example.com/cb?z=1&a=2#old").unwrap();
        let err = AuthError::Http(ApiError::new(
            422,
            "signup_disabled",
            "Signups not allowed for this instance",
        ));
        assert_eq!(
            error_redirect(&u, &err),
            "https://app.example.com/cb?a=2&error=access_denied&error_code=signup_disabled&error_description=Signups+not+allowed+for+this+instance&z=1#error=access_denied&error_code=signup_disabled&error_description=Signups+not+allowed+for+this+instance&sb="
        );
        let relayed = AuthError::oauth("connection_invalid", "No connection: conn_x");
        assert_eq!(
            error_redirect(&GoUrl::parse("http://localhost:5173").unwrap(), &relayed),
            "http://localhost:5173?error=connection_invalid&error_description=No+connection%3A+conn_x#error=connection_invalid&error_description=No+connection%253A+conn_x&sb="
        );
    }

    #[test]
    fn pkce_and_implicit_redirect_bytes() {
        let u = GoUrl::parse("https://app.example.com/cb?z=1&a=b%20c#keep").unwrap();
        assert_eq!(
            pkce_redirect(&u, "c0de"),
            "https://app.example.com/cb?a=b+c&code=c0de&z=1#keep"
        );
        let t = ImplicitTokens {
            access_token: "a.b.c",
            expires_at: 1_767_229_200,
            expires_in: 3600,
            refresh_token: "r1",
            provider_token: "p1",
            provider_refresh_token: "",
        };
        assert_eq!(
            implicit_redirect("https://app.example.com/cb#x", &t),
            "https://app.example.com/cb#x#access_token=a.b.c&expires_at=1767229200&expires_in=3600&provider_token=p1&refresh_token=r1&sb=&token_type=bearer"
        );
    }

    #[test]
    fn bad_state_goes_to_site_url_query_only() {
        let err = AuthError::Http(ApiError::bad_request(
            "bad_oauth_state",
            "OAuth state not found or expired",
        ));
        assert_eq!(
            bad_state_redirect("http://localhost:5173", &err),
            "http://localhost:5173?error=invalid_request&error_code=bad_oauth_state&error_description=OAuth+state+not+found+or+expired"
        );
    }
}
