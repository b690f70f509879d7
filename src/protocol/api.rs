//! The boundary's pure half: every export of the wasm module takes strings and numbers and returns
//! a JSON text that the shell reads with `JSON.parse`, `{"error":{…}}` when it failed. Only flat
//! data crosses, so the wasm carries no JS object plumbing, and all of it is tested natively.

use alloc::string::String;
use alloc::vec::Vec;

use super::authorize::{AuthorizeOptions, AuthorizeRequest};
use super::callback::{self, Callback, Pair};
use super::error::{Error, ErrorCode};
use super::json::{self, Object};
use super::pkce::Verifier;
use super::project::{verifier_key, ProjectUrl, UrlParts};
use super::refresh;
use super::session::{api_error, jwt_exp, ErrorBody, SessionShape};
use super::shell;
use super::text::{cut, pieces};

/// `{"error":{…}}` for the shell to throw as a JS `Error`.
pub fn error_json(e: &Error) -> String {
    let mut o = Object::new();
    write_error(&mut o, e);
    o.end()
}

/// `"error":{"name","message","code","status",…}`: what the shell copies onto a JS `Error`.
pub fn write_error(o: &mut Object, e: &Error) {
    o.open("error")
        .str("name", e.code().js_name())
        .str("message", e.message())
        .str("code", e.code_str())
        .uint("status", u64::from(e.status()));
    if let Some(server) = e.server() {
        let redirect = e.code() == ErrorCode::Redirect;
        // The server's OAuth error when it named one; else, for a failed request, the code.
        let error = server
            .error
            .as_deref()
            .or((!redirect).then(|| e.code_str()));
        o.opt("error", error)
            .opt("error_description", server.message.as_deref());
        if redirect {
            // supabase-js's AuthImplicitGrantRedirectError.details.
            o.open("details")
                .str("error", error.unwrap_or("unspecified_error"))
                .str("code", server.code.as_deref().unwrap_or("unspecified_code"))
                .close();
        }
    }
    o.close();
}

fn result(r: Result<String, Error>) -> String {
    r.unwrap_or_else(|e| error_json(&e))
}

/// A URL as the browser's parser gave it: `protocol, origin, hostname, pathname` and whether it
/// has neither query nor fragment; `None` when it did not parse.
pub type Parts<'a> = Option<(&'a str, &'a str, &'a str, &'a str, bool)>;

fn url_parts<'a>(p: Parts<'a>) -> Option<UrlParts<'a>> {
    p.map(|(protocol, origin, hostname, pathname, bare)| UrlParts {
        protocol,
        origin,
        hostname,
        pathname,
        bare,
    })
}

fn project(p: Parts<'_>) -> Result<ProjectUrl, Error> {
    url_parts(p)
        .ok_or(Error::invalid(
            "supabaseUrl must be an absolute http(s) URL",
        ))
        .and_then(ProjectUrl::new)
}

/// `createClient`'s decisions: `{"authUrl","storageKey","pkce"}`. `key` is `None` when only the
/// storage key is wanted (`storageKeyFor`).
pub fn client(
    url: Parts<'_>,
    key: Option<&str>,
    flow_type: Option<&str>,
    storage_key: Option<&str>,
) -> String {
    result((|| {
        let project = project(url)?;
        // A key with a control character (a CR or LF pasted with it) cannot go in a header: every
        // request would fail as a network error. Refused here, where the mistake is.
        if key.is_some_and(|k| k.is_empty() || k.bytes().any(|b| b < 0x20 || b == 0x7f)) {
            return Err(Error::invalid(
                "supabaseKey must be a non-empty string without control characters",
            ));
        }
        let pkce = match flow_type {
            None | Some("pkce") => true,
            Some("implicit") => false,
            Some(_) => return Err(Error::invalid("flowType must be 'pkce' or 'implicit'")),
        };
        let storage_key = match storage_key {
            None => project.default_storage_key(),
            Some("") => return Err(Error::invalid("storageKey must be a non-empty string")),
            Some(k) => k.into(),
        };
        let mut o = Object::new();
        o.str("authUrl", &project.auth_url())
            .str("storageKey", &storage_key)
            .bool("pkce", pkce);
        Ok(o.end())
    })())
}

/// `queryParams` as the shell passes them (form-encoded by `URLSearchParams`), in order: each
/// pair is sent as written, its key decoded to be checked.
pub fn query_pairs(query: &str) -> Vec<Pair<'_>> {
    callback::pairs(query)
}

/// Which PKCE challenge `buildAuthorizeUrl` puts in the URL: `flowType: 'pkce'` needs one,
/// `'implicit'` drops it, and without `flowType` a given challenge means PKCE.
fn pure_challenge<'a>(
    flow_type: Option<&str>,
    challenge: Option<&'a str>,
) -> Result<Option<&'a str>, Error> {
    let challenge = challenge.filter(|c| !c.is_empty());
    match flow_type {
        None => Ok(challenge),
        Some("implicit") => Ok(None),
        Some("pkce") => challenge
            .map(Some)
            .ok_or(Error::invalid("flowType 'pkce' needs codeChallenge")),
        Some(_) => Err(Error::invalid("flowType must be 'pkce' or 'implicit'")),
    }
}

/// The authorize URL and, for PKCE, the verifier to store: `{"url","verifierKey"?,
/// "verifierValue"?,"nonce"?,"warn"}`. The caller's `flowType` and `challenge` decide the PKCE
/// challenge (`opts.code_challenge` is set here). `signInWithWorkOS` also passes the `verifier` it
/// hashed (112 hex characters of 56 random bytes; the browser's `crypto.subtle` makes the S256
/// challenge), which is checked and comes back with the key to store it under; or, for the
/// implicit flow, a `nonce` (32 hex characters of 16 random bytes) and the `page` it runs on.
/// The nonce goes into `redirect_to` as a fragment segment of its own ([`callback::NONCE_KEY`]),
/// after `redirectTo` or, without one, after the page's URL (without its fragment): only the
/// callback that brings it back is accepted ([`implicit_pending`]). It comes back as `nonce`, for
/// the shell to store as the pending sign-in's marker.
#[allow(clippy::too_many_arguments)]
pub fn sign_in(
    url: Parts<'_>,
    redirect: Parts<'_>,
    storage_key: &str,
    opts: AuthorizeOptions<'_>,
    verifier: Option<&str>,
    flow_type: Option<&str>,
    challenge: Option<&str>,
    nonce: Option<&str>,
    page: Option<&str>,
) -> String {
    result((|| {
        let project = project(url)?;
        let challenge = pure_challenge(flow_type, challenge)?;
        let verifier = match verifier {
            Some(v) => match (Verifier::from_hex(v), challenge) {
                (Some(v), Some(_)) => Some(v),
                _ => return Err(Error::invalid("a PKCE verifier needs its codeChallenge")),
            },
            None => None,
        };
        let nonce = match nonce {
            Some(n) if challenge.is_none() && valid_nonce(n) => Some(n),
            Some(_) => return Err(Error::invalid("a nonce is for the implicit flow: 32 hex")),
            None => None,
        };
        let opts = AuthorizeOptions {
            code_challenge: challenge,
            ..opts
        };
        // Checked as the caller wrote it; then the nonce is added.
        let req = AuthorizeRequest::new(opts, url_parts(redirect))?;
        let warn = req.redirect_has_fragment();
        let with_nonce = nonce
            .map(|n| shell::redirect_with_nonce(req.redirect_to(), page.unwrap_or_default(), n));
        let req = match &with_nonce {
            Some(r) => req.redirected(r),
            None => req,
        };
        let mut out = Object::new();
        out.str("url", &req.url(&project));
        if let Some(v) = verifier {
            out.str("verifierKey", &verifier_key(storage_key))
                .str("verifierValue", &v.stored_json());
        }
        out.opt("nonce", nonce).bool("warn", warn);
        Ok(out.end())
    })())
}

/// The implicit flow's nonce: 32 lower-case hex characters, from 16 random bytes.
fn valid_nonce(n: &str) -> bool {
    n.len() == 32 && n.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What a callback URL holds, at `now` (unix seconds): `{"type":"none"|"implicit"|"pkce"|
/// "error"|"invalid","clean"?,…}`. An implicit callback's `params` are the session to store
/// (without `user`), in supabase-js's key order, with the resolved expiry; `pkce` has `code` and
/// `flowId`; `error` and `invalid` have the `error` to throw.
pub fn callback(href: &str, now: u64) -> String {
    let parsed = callback::parse(href);
    let mut out = Object::new();
    out.opt("clean", parsed.cleaned.as_deref());
    let found = parsed.callback.and_then(|c| match c {
        Callback::Implicit(p) => {
            shell::implicit_expiry(&p, now).map(|e| (Callback::Implicit(p), e))
        }
        other => Ok((other, (0, 0))),
    });
    let kind = match found {
        Ok((Callback::None, _)) => "none",
        Ok((Callback::Implicit(p), (expires_at, expires_in))) => {
            out.open("params")
                .opt(
                    "provider_token",
                    p.provider_token.as_ref().map(|s| s.expose()),
                )
                .opt(
                    "provider_refresh_token",
                    p.provider_refresh_token.as_ref().map(|s| s.expose()),
                )
                .str("access_token", p.access_token.expose())
                .uint("expires_in", expires_in)
                .uint("expires_at", expires_at)
                .str("refresh_token", p.refresh_token.expose())
                .str("token_type", &p.token_type)
                .close()
                .bool("recovery", p.recovery)
                .opt("nonce", p.nonce.as_deref());
            "implicit"
        }
        Ok((Callback::Pkce { code, flow_id }, _)) => {
            out.str("code", code.expose())
                .opt("flowId", flow_id.as_deref());
            "pkce"
        }
        Ok((Callback::Error(e), _)) => {
            write_error(&mut out, &e);
            "error"
        }
        Err(e) => {
            write_error(&mut out, &e);
            "invalid"
        }
    };
    out.str("type", kind);
    out.end()
}

fn shape(text: &str) -> SessionShape {
    let access = json::member(text, "access_token");
    SessionShape {
        access_token: json::is_nonempty_string(access),
        refresh_token: json::is_nonempty_string(json::member(text, "refresh_token")),
        user: json::is_user(json::member(text, "user")),
        expires_in: json::uint(json::member(text, "expires_in")),
        expires_at: json::uint(json::member(text, "expires_at")),
        jwt_exp: access
            .and_then(|a| a.strip_prefix('"'))
            .and_then(|a| a.strip_suffix('"'))
            .and_then(jwt_exp),
    }
}

/// Checks a `/token` answer (its JSON text): `{"expiresAt":n}` to store with it, or the error.
pub fn token_session(text: &str, now: u64) -> String {
    result(shape(text).token_expiry(now).map(|at| {
        let mut o = Object::new();
        o.uint("expiresAt", at);
        o.end()
    }))
}

/// Checks a `/user` answer (its JSON text) against the session it was asked for: the user is the
/// answer, or its `user` member when that is not `null` (supabase-js reads `data.user ?? data`),
/// and must be an object with a non-empty string `id`; that `id` must be the `sub` of the
/// `access_token` the request carried and, when the session already names its user (`user_id`,
/// for `getUser`), that one too. A cache that ignores `Authorization`, or a server that answers
/// with someone else, is refused. `{"wrapped":bool}` (whether the user was the `user` member), or
/// `invalid_token_response`.
pub fn checked_user(text: &str, user_id: Option<&str>, access_token: &str) -> String {
    let text = text.trim_ascii();
    let (user, wrapped) = match json::member(text, "user") {
        Some(inner) if inner != "null" => (inner, true),
        _ => (text, false),
    };
    let Some(id) = json::user_id(Some(user)) else {
        return error_json(&Error::new(
            ErrorCode::InvalidTokenResponse,
            "Auth session or user missing",
        ));
    };
    if let Err(e) = shell::user_of_token(id, access_token, user_id) {
        return error_json(&e);
    }
    let mut o = Object::new();
    o.bool("wrapped", wrapped);
    o.end()
}

/// Reads a stored session (its raw text, `None` when nothing is stored, `Some("")` when it is not
/// JSON): `{}`, `{"corrupt":true}` (remove it), or `{"expiresAt","refresh","delay"}` where
/// `refresh` says it is due at `now_ms` and `delay` is how long until it is.
pub fn stored_session(raw: Option<&str>, now_ms: u64, jitter: f64) -> String {
    let Some(raw) = raw else {
        return String::from("{}");
    };
    let s = shape(raw);
    match s.stored_expiry() {
        Some(expires_at) => {
            let mut o = Object::new();
            o.uint("expiresAt", expires_at)
                .bool("refresh", refresh::due(expires_at, s.expires_in, now_ms))
                .uint(
                    "delay",
                    refresh::delay_ms(expires_at, s.expires_in, now_ms, jitter),
                );
            o.end()
        }
        None => String::from(r#"{"corrupt":true}"#),
    }
}

/// The error for a failed request: `status` 0 for a network failure; `body` the fields of a JSON
/// body (`None` when it was not JSON); `versioned` when the answer carried
/// `X-Supabase-Api-Version`.
pub fn request_error(status: u16, body: Option<ErrorBody>, versioned: bool) -> String {
    error_json(&api_error(status, body, versioned))
}

/// A stored PKCE verifier (the JSON-decoded string, supabase-js's `verifier[/redirectType]`):
/// `{"verifier"}`, or `{}` when it is empty. The redirect type is dropped: this library starts no
/// password-recovery flow, so a `/recovery` (or `/PASSWORD_RECOVERY`) suffix can only have been
/// planted, and must not turn a sign-in into a `PASSWORD_RECOVERY` event.
pub fn verifier(stored: &str) -> String {
    let Some(verifier) = shell::stored_verifier(stored) else {
        return String::from("{}");
    };
    let mut o = Object::new();
    o.str("verifier", verifier);
    o.end()
}

/// A client-side error by its code, for the shell.
pub fn client_error(code: &str) -> String {
    // The codes the shell finds itself, read by the names `ErrorCode::as_str` gives them.
    let code = [
        ErrorCode::PkceCodeVerifierNotFound,
        ErrorCode::SessionMissing,
        ErrorCode::UnsolicitedCallback,
        ErrorCode::StorageUnavailable,
        ErrorCode::InsecureContext,
    ]
    .into_iter()
    .find(|c| c.as_str() == code)
    .unwrap_or(ErrorCode::InvalidOptions);
    error_json(&shell::client_error(code))
}

/// After a failed refresh with this HTTP status (0: network failure) on try `attempt`: the
/// milliseconds to wait before trying again, or -1 when the refresh token was refused and the
/// session is over.
pub fn refresh_retry(status: u16, attempt: u32) -> f64 {
    match refresh::classify_failure(status) {
        refresh::Failure::Retry => refresh::retry_delay_ms(attempt) as f64,
        refresh::Failure::Cooldown(ms) => ms as f64,
        refresh::Failure::SignOut => -1.0,
    }
}

/// Whether an implicit-flow callback was started by this browser: `marker` is the nonce
/// `signInWithWorkOS` stored, `nonce` the one the callback brought back ([`callback::NONCE_KEY`]).
/// Only the callback of that one sign-in matches; a callback without the nonce, one with another,
/// or any callback when no sign-in is pending is refused unless the app opted out (login CSRF: an
/// attacker's tokens must not sign the victim in to the attacker's account). The shell removes the
/// marker whatever the outcome, so each nonce is good for one callback.
pub fn implicit_pending(marker: Option<&str>, nonce: Option<&str>) -> bool {
    marker.is_some_and(valid_nonce) && marker == nonce
}

/// How far the device clock is off the server's, in milliseconds (positive: fast), judged from
/// the `iat` of an access token received at `now_ms`. `fresh` is true for a `/token` answer, which
/// was just issued; a callback URL may be stale, so from it only a token issued in the future
/// counts (the clock is slow). Differences under 30 s are network time, not skew: 0. Any larger
/// offset is corrected whole: a device clock days off would otherwise see every new token as
/// already expired, and refresh it again at once.
pub fn clock_skew_ms(access_token: &str, now_ms: u64, fresh: bool) -> f64 {
    let Some(iat) = super::json::uint(
        super::session::jwt_payload(access_token)
            .as_deref()
            .and_then(|p| json::member(p, "iat")),
    ) else {
        return 0.0;
    };
    let skew = now_ms as f64 - iat.saturating_mul(1000) as f64;
    if skew.abs() < 30_000.0 || (!fresh && skew > 0.0) {
        0.0
    } else {
        skew
    }
}

/// The fields of one [`decide`] input, in order: NUL-separated; an optional field is empty when
/// absent and starts with `+` when present. Nothing is guessed: a missing field, a number that is
/// not a plain integer, a flag other than `0`/`1` or an optional field without its `+` marks the
/// call `bad`, and [`decide`] then answers `internal_error`.
struct Fields<'a> {
    /// What is left to read; `None` once the last field was taken.
    rest: Option<&'a str>,
    bad: bool,
}

impl<'a> Fields<'a> {
    fn str(&mut self) -> &'a str {
        let Some(rest) = self.rest else {
            self.bad = true;
            return "";
        };
        match cut(rest, 0) {
            Some((field, after)) => {
                self.rest = Some(after);
                field
            }
            None => {
                self.rest = None;
                rest
            }
        }
    }

    fn opt(&mut self) -> Option<&'a str> {
        let field = self.str();
        let value = field.strip_prefix('+');
        self.bad |= value.is_none() && !field.is_empty();
        value
    }

    fn uint(&mut self) -> u64 {
        let n = callback::strict_uint(self.str());
        self.bad |= n.is_none();
        n.unwrap_or(0)
    }

    fn flag(&mut self) -> bool {
        match self.str() {
            "1" => true,
            "0" => false,
            _ => {
                self.bad = true;
                false
            }
        }
    }

    /// The free text that ends an operation's fields: all that is left, NULs included.
    fn tail(&mut self) -> &'a str {
        let rest = self.rest.take();
        self.bad |= rest.is_none();
        rest.unwrap_or("")
    }

    /// A URL as the shell passes it: the browser's `protocol`, `origin`, `hostname`, `pathname`,
    /// and `1` when it has neither query nor fragment, joined by newlines (which the URL parser
    /// never leaves in them); absent when it did not parse.
    fn url(&mut self) -> Parts<'a> {
        let mut it = pieces(self.opt()?, b'\n');
        let mut next = || it.next().unwrap_or("");
        let (protocol, origin, hostname, pathname, bare) = (next(), next(), next(), next(), next());
        // Five parts, the last a flag: anything else is the shell's bug.
        self.bad |= !matches!(bare, "0" | "1") || it.next().is_some();
        Some((protocol, origin, hostname, pathname, bare == "1"))
    }
}

/// Every operation of [`decide`]: its letter and its fields, one character each: `u` a URL (see
/// `Fields::url`), `o` optional text, `s` text, `n` a plain integer, `f` a flag (`0`/`1`), `t` free
/// text to the end (NULs included; last). The JS shell's side of this table is
/// `pkg-template/src/core.js`, which a test compares with this one.
pub const OPERATIONS: [(&str, &str); 12] = [
    ("c", "uooo"),
    ("s", "uusooooooosooooo"),
    ("e", "nffooooooo"),
    ("x", "s"),
    ("r", "nn"),
    ("b", "nt"),
    ("t", "nt"),
    ("u", "ost"),
    ("d", "nnt"),
    ("v", "t"),
    ("p", "ot"),
    ("k", "nft"),
];

/// A signed integer as JSON text.
fn int_json(n: i64) -> String {
    let mut out = String::new();
    if n < 0 {
        out.push('-');
    }
    json::push_uint(&mut out, n.unsigned_abs());
    out
}

/// The one entry point of the wasm module: an operation letter and its fields (NUL-separated;
/// see `Fields` and [`OPERATIONS`]) in, JSON text out. A call that does not fit its operation
/// (an unknown letter, a field missing or left over, a number that does not parse) is the shell's
/// bug, answered `internal_error`: the shell refuses NULs in options before they get here.
pub fn decide(input: &str) -> String {
    let mut f = Fields {
        rest: Some(input),
        bad: false,
    };
    let out = match f.str() {
        "c" => client(f.url(), f.opt(), f.opt(), f.opt()),
        "s" => {
            let (url, redirect, storage_key) = (f.url(), f.url(), f.str());
            let opts = AuthorizeOptions {
                connection: f.opt(),
                organization: f.opt(),
                provider: f.opt(),
                redirect_to: f.opt(),
                scopes: f.opt(),
                login_hint: f.opt(),
                domain_hint: f.opt(),
                query_params: query_pairs(f.str()),
                code_challenge: None,
            };
            let (verifier, flow_type, challenge) = (f.opt(), f.opt(), f.opt());
            let (nonce, page) = (f.opt(), f.opt());
            sign_in(
                url,
                redirect,
                storage_key,
                opts,
                verifier,
                flow_type,
                challenge,
                nonce,
                page,
            )
        }
        "e" => {
            let (status, is_json, versioned) = (f.uint(), f.flag(), f.flag());
            let mut s = || f.opt().map(String::from);
            let body = ErrorBody {
                code: s(),
                error_code: s(),
                messages: [s(), s(), s(), s()],
                error: s(),
            };
            request_error(
                u16::try_from(status).unwrap_or(0),
                is_json.then_some(body),
                versioned,
            )
        }
        "x" => client_error(f.str()),
        "r" => {
            let status = u16::try_from(f.uint()).unwrap_or(0);
            let attempt = u32::try_from(f.uint()).unwrap_or(u32::MAX);
            int_json(refresh_retry(status, attempt) as i64)
        }
        // The free-text ones: fixed fields first, then the text.
        "b" => {
            let now = f.uint();
            callback(f.tail(), now)
        }
        "t" => {
            let now = f.uint();
            token_session(f.tail(), now)
        }
        "u" => {
            let (user_id, access_token) = (f.opt(), f.str());
            checked_user(f.tail(), user_id, access_token)
        }
        "d" => {
            let (now_ms, jitter) = (f.uint(), f.uint() as f64 / 1000.0);
            let raw = f.tail();
            stored_session(raw.strip_prefix('+'), now_ms, jitter)
        }
        "v" => verifier(f.tail()),
        "p" => {
            let nonce = f.opt();
            bool_json(implicit_pending(f.tail().strip_prefix('+'), nonce))
        }
        "k" => {
            let (now_ms, fresh) = (f.uint(), f.flag());
            int_json(clock_skew_ms(f.tail(), now_ms, fresh) as i64)
        }
        _ => {
            f.bad = true;
            String::new()
        }
    };
    if f.bad || f.rest.is_some() {
        error_json(&Error::new(
            ErrorCode::Internal,
            "a bug in supabase-workos (its core was called wrongly): please report it",
        ))
    } else {
        out
    }
}

fn bool_json(b: bool) -> String {
    String::from(if b { "true" } else { "false" })
}

#[cfg(test)]
mod tests {
    use super::decide;
    use alloc::string::String;

    const PROJECT: &str = "+https:\nhttps://abcd.supabase.co\nabcd.supabase.co\n/\n1";

    fn ask(fields: &[&str]) -> String {
        decide(&fields.join("\0"))
    }

    #[test]
    fn client_fields_absent_present_and_empty() {
        assert_eq!(
            ask(&["c", PROJECT, "+anon", "", ""]),
            r#"{"authUrl":"https://abcd.supabase.co/auth/v1","storageKey":"sb-abcd-auth-token","pkce":true}"#
        );
        // No key at all: only the storage key is asked for (storageKeyFor).
        assert!(ask(&["c", PROJECT, "", "", "+mine"]).contains(r#""storageKey":"mine""#));
        // A key given empty is refused; so is an unparsed URL.
        assert!(ask(&["c", PROJECT, "+", "", ""]).contains(r#""code":"invalid_options""#));
        assert!(ask(&["c", "", "+anon", "", ""]).contains(r#""code":"invalid_options""#));
    }

    fn internal(out: &str) -> bool {
        out.contains(r#""code":"internal_error""#)
    }

    #[test]
    fn a_nul_inside_an_option_is_a_bug_not_a_shift() {
        // The shell refuses NULs in options; one that got through anyway shifts no field.
        let out = ask(&[
            "s", PROJECT, "", "k", "+conn_1", "", "", "+a\0b", "", "", "", "", "", "", "", "", "",
        ]);
        assert!(internal(&out), "{out}");
        assert!(!out.contains("authorize"));
        // The reported shift: a NUL in `provider` that would have moved `javascript:` into
        // `redirect_to` when the trailing fields are empty.
        let shifted = ask(&[
            "s",
            PROJECT,
            "+https:\nhttps://app.example\napp.example\n/cb\n1",
            "k",
            "",
            "",
            "+GoogleOAuth\0+javascript:alert(document.domain)",
            "+https://app.example/cb",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ]);
        assert!(internal(&shifted), "{shifted}");
        assert!(!shifted.contains("javascript"));
    }

    #[test]
    fn every_operation_takes_exactly_its_fields() {
        let sample = |kind: char| match kind {
            'u' | 'o' | 't' => "",
            'n' | 'f' => "0",
            _ => "x",
        };
        for (op, kinds) in super::OPERATIONS {
            let mut fields: alloc::vec::Vec<&str> = alloc::vec![op];
            fields.extend(kinds.chars().map(sample));
            let out = ask(&fields);
            assert!(!internal(&out), "{op}: {out}");
            // One field short.
            let short = ask(fields.get(..fields.len() - 1).unwrap_or_default());
            assert!(internal(&short), "{op} short: {short}");
            // One field more, where the last one is not free text.
            if !kinds.ends_with('t') {
                let mut long = fields.clone();
                long.push("");
                assert!(internal(&ask(&long)), "{op} long");
            }
            // A number that does not parse, a flag that is neither 0 nor 1, an optional field
            // without its `+`, a URL with a part missing.
            for (i, kind) in kinds.chars().enumerate() {
                let wrong: &[&str] = match kind {
                    'n' => &["NaN", "-1", "1.5", "", "1e3"],
                    'f' => &["2", "", "true"],
                    'o' => &["x"],
                    'u' => &["+https:\nhttps://a.co\na.co\n/", "x"],
                    _ => &[],
                };
                for w in wrong {
                    let mut bad = fields.clone();
                    if let Some(slot) = bad.get_mut(i + 1) {
                        *slot = w;
                    }
                    assert!(internal(&ask(&bad)), "{op} field {i} = {w:?}");
                }
            }
        }
        // The reported guess: NaN read as 0 gave a 500 delay.
        assert!(internal(&ask(&["r", "NaN", "1"])));
        assert!(internal(&ask(&["?"])));
        assert!(internal(&ask(&[""])));
        let e = ask(&["?"]);
        assert!(
            e.contains(r#""name":"AuthError""#) && e.contains("bug"),
            "{e}"
        );
    }

    #[test]
    fn a_verifier_comes_back_with_its_key_only_beside_its_challenge() {
        let hex: String = (0u8..56).map(|b| alloc::format!("{b:02x}")).collect();
        let verifier = ["+", &hex].concat();
        let ask_with = |v: &str, flow: &str, challenge: &str| {
            ask(&[
                "s", PROJECT, "", "k", "+conn_1", "", "", "", "", "", "", "", v, flow, challenge,
                "", "",
            ])
        };
        let out = ask_with(&verifier, "+pkce", "+abc");
        assert!(out.contains(r#""verifierKey":"k-code-verifier""#), "{out}");
        assert!(
            out.contains(&alloc::format!(r#""verifierValue":"\"{hex}\"""#)),
            "{out}"
        );
        assert!(
            out.contains("&code_challenge=abc&code_challenge_method=s256&"),
            "{out}"
        );
        // Not 112 lower-case hex characters, or without the challenge made from it: refused.
        for (v, flow, challenge) in [
            ("+abc", "+pkce", "+abc"),
            (&*verifier.to_uppercase(), "+pkce", "+abc"),
            (&*verifier, "+implicit", ""),
            (&*verifier, "", ""),
        ] {
            let out = ask_with(v, flow, challenge);
            assert!(out.contains(r#""code":"invalid_options""#), "{out}");
            assert!(!out.contains(&hex), "the verifier never reaches an error");
        }
    }

    #[test]
    fn free_text_tails_keep_their_nuls() {
        // A stored session with a NUL in it is read as text (and is corrupt), not as more fields.
        assert_eq!(
            ask(&["d", "0", "0", "+{\"a\":\"\0\"}"]),
            r#"{"corrupt":true}"#
        );
        assert_eq!(ask(&["d", "0", "0", ""]), "{}");
        assert_eq!(
            ask(&["b", "0", "https://app.example/?x=\0"]),
            r#"{"type":"none"}"#
        );
    }

    #[test]
    fn numbers_and_flags() {
        assert_eq!(ask(&["r", "429", "1"]), "60000");
        assert_eq!(ask(&["r", "400", "1"]), "-1");
        let nonce = "+0123456789abcdef0123456789abcdef";
        assert_eq!(ask(&["p", nonce, nonce]), "true");
        assert_eq!(ask(&["p", nonce, ""]), "false");
        assert_eq!(ask(&["p", "", nonce]), "false");
        let e = ask(&[
            "e", "400", "1", "1", "+bad_jwt", "", "", "+nope", "", "", "",
        ]);
        assert!(
            e.contains(r#""code":"bad_jwt""#) && e.contains(r#""message":"nope""#),
            "{e}"
        );
        // An OAuth-style body keeps its `error`; a body without one gets the code there.
        let oauth = ask(&[
            "e",
            "400",
            "1",
            "0",
            "",
            "",
            "",
            "",
            "+Invalid Refresh Token",
            "+invalid_grant",
            "+invalid_grant",
        ]);
        assert!(
            oauth
                .contains(r#""error":"invalid_grant","error_description":"Invalid Refresh Token""#),
            "{oauth}"
        );
        assert!(e.contains(r#""error":"bad_jwt""#), "{e}");
        let network = ask(&["e", "0", "0", "0", "", "", "", "", "", "", ""]);
        assert!(network.contains(r#""code":"retryable_fetch_error""#));
    }

    /// An unsigned JWT whose payload is `payload`, as the browser would read it.
    fn token(payload: &str) -> String {
        const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::from("h.");
        for chunk in payload.as_bytes().chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                let digit = (n >> (18 - 6 * i)) & 63;
                out.push(char::from(B64.get(digit as usize).copied().unwrap_or(b'A')));
            }
        }
        out.push_str(".s");
        out
    }

    #[test]
    fn a_user_answer_must_be_the_sessions_user() {
        let ada = token(r#"{"sub":"u-ada","exp":4102444800}"#);
        let check = |text: &str, id: &str| ask(&["u", id, &ada, text]);
        let refused = |out: &str| out.contains(r#""code":"invalid_token_response""#);
        assert_eq!(check(r#"{"id":"u-ada"}"#, ""), r#"{"wrapped":false}"#);
        assert_eq!(check(r#"{"id":"u-ada"}"#, "+u-ada"), r#"{"wrapped":false}"#);
        assert_eq!(
            check(r#"{"user":{"id":"u-ada"}}"#, "+u-ada"),
            r#"{"wrapped":true}"#
        );
        assert_eq!(
            check(r#"{"user":null,"id":"u-ada"}"#, ""),
            r#"{"wrapped":false}"#
        );
        // Not a user at all: a 204's empty body, null, {}, [], a string, an id that is no string.
        for text in [
            "",
            "null",
            "{}",
            "[]",
            r#""x""#,
            r#"{"id":5}"#,
            r#"{"id":""}"#,
        ] {
            assert!(refused(&check(text, "")), "{text}");
        }
        // Somebody else: not the token's subject, or not the stored session's user.
        assert!(refused(&check(r#"{"id":"u-eve"}"#, "")));
        assert!(refused(&check(r#"{"id":"u-ada"}"#, "+u-eve")));
        assert!(refused(&check(r#"{"user":{"id":"u-eve"}}"#, "")));
        // A wrapper that holds no user is not read as the user either.
        assert!(refused(&check(r#"{"user":"u-ada","id":"u-ada"}"#, "")));
        // A token without a subject proves no user.
        assert!(refused(&ask(&["u", "", "h.e30.s", r#"{"id":"u-ada"}"#])));
        // Duplicate ids read as JSON.parse reads them: the last one.
        assert!(refused(&check(r#"{"id":"u-ada","id":"u-eve"}"#, "")));
    }

    #[test]
    fn client_options_refuse_what_breaks_every_request() {
        for key in ["+anon\r\n", "+an\non", "+\u{7f}", "+"] {
            let out = ask(&["c", PROJECT, key, "", ""]);
            assert!(
                out.contains(r#""code":"invalid_options""#),
                "{key:?}: {out}"
            );
        }
    }

    #[test]
    fn a_planted_recovery_suffix_is_dropped() {
        for stored in ["abc/recovery", "abc/PASSWORD_RECOVERY", "abc"] {
            assert_eq!(ask(&["v", stored]), r#"{"verifier":"abc"}"#);
        }
        assert_eq!(ask(&["v", "/recovery"]), "{}");
    }

    #[test]
    fn an_implicit_sign_in_carries_its_nonce_in_a_fragment_segment() {
        let nonce = "0123456789abcdef0123456789abcdef";
        let app = "+https:\nhttps://app.example\napp.example\n/cb\n1";
        let sign_in = |redirect: &str, to: &str, flow: &str, challenge: &str, nonce: &str| {
            ask(&[
                "s",
                PROJECT,
                redirect,
                "k",
                "+conn_1",
                "",
                "",
                to,
                "",
                "",
                "",
                "",
                "",
                flow,
                challenge,
                nonce,
                "+https://app.example/page?x=1#old",
            ])
        };
        let out = sign_in(
            app,
            "+https://app.example/cb",
            "+implicit",
            "",
            &["+", nonce].concat(),
        );
        assert!(
            out.contains("redirect_to=https%3A%2F%2Fapp.example%2Fcb%23sbw_nonce%3D0123456789abcdef0123456789abcdef&"),
            "{out}"
        );
        assert!(
            out.contains(&[r#""nonce":""#, nonce, r#"""#].concat()),
            "{out}"
        );
        assert!(
            out.contains(r#""warn":false"#),
            "our own segment is no reason to warn"
        );
        // Without redirectTo, back to the page it started on (its fragment dropped).
        let out = sign_in("", "", "+implicit", "", &["+", nonce].concat());
        assert!(
            out.contains("redirect_to=https%3A%2F%2Fapp.example%2Fpage%3Fx%3D1%23sbw_nonce%3D"),
            "{out}"
        );
        // A nonce is for the implicit flow only, and only of our shape.
        for (flow, challenge, n) in [
            ("+pkce", "+abc", &*["+", nonce].concat()),
            ("+implicit", "", "+0123"),
            ("+implicit", "", &*["+", &nonce.to_uppercase()].concat()),
        ] {
            let out = sign_in(app, "+https://app.example/cb", flow, challenge, n);
            assert!(out.contains(r#""code":"invalid_options""#), "{out}");
        }
        // The callback brings it back, from the segment before the tokens, and the clean URL
        // keeps none of it.
        let cb = ask(&[
            "b",
            "0",
            &[
                "https://app.example/cb#sbw_nonce=",
                nonce,
                "#access_token=a.b.c&expires_at=4102444800&refresh_token=r&token_type=bearer",
            ]
            .concat(),
        ]);
        assert!(
            cb.contains(&[r#""nonce":""#, nonce, r#"""#].concat()),
            "{cb}"
        );
        assert!(cb.contains(r#""clean":"https://app.example/cb""#), "{cb}");
        // Two nonces: not a URL this library's sign-in made.
        let twice = ask(&[
            "b",
            "0",
            "https://app.example/cb?sbw_nonce=a#sbw_nonce=b#access_token=a.b.c&expires_at=4102444800&refresh_token=r&token_type=bearer",
        ]);
        assert!(twice.contains(r#""type":"invalid""#), "{twice}");
    }
}
