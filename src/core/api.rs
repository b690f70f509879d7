//! The boundary's pure half: every export of the wasm module takes strings and numbers and returns
//! a JSON text that the shell reads with `JSON.parse`, `{"error":{…}}` when it failed. Only flat
//! data crosses, so the wasm carries no JS object plumbing, and all of it is tested natively.

use alloc::string::String;
use alloc::vec::Vec;

use super::authorize::{AuthorizeOptions, AuthorizeRequest};
use super::callback::{self, form_decode, Callback};
use super::error::{Error, ErrorCode};
use super::json::{self, Object};
use super::pkce::{Verifier, VERIFIER_BYTES};
use super::project::{verifier_key, ProjectUrl, UrlParts};
use super::refresh;
use super::session::{api_error, jwt_exp, resolve_expiry, ErrorBody, SessionShape};

/// `{"error":{…}}` for the shell to throw as a JS `Error`.
pub fn error_json(e: &Error) -> String {
    Object::new().raw("error", &error_object(e)).end()
}

/// `{"name","message","code","status",…}`: what the shell copies onto a JS `Error`.
pub fn error_object(e: &Error) -> String {
    let mut err = Object::new()
        .str("name", e.code().js_name())
        .str("message", e.message())
        .str("code", e.code_str())
        .uint("status", u64::from(e.status()));
    if let Some(server) = e.server() {
        let redirect = e.code() == ErrorCode::Redirect;
        let error = if redirect {
            server.error.as_deref()
        } else {
            Some(e.code_str())
        };
        err = err
            .opt("error", error)
            .opt("error_description", server.message.as_deref());
        if redirect {
            // supabase-js's AuthImplicitGrantRedirectError.details.
            let details = Object::new()
                .str("error", error.unwrap_or("unspecified_error"))
                .str("code", server.code.as_deref().unwrap_or("unspecified_code"))
                .end();
            err = err.raw("details", &details);
        }
    }
    err.end()
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
        if key.is_some_and(str::is_empty) {
            return Err(Error::invalid("supabaseKey must be a non-empty string"));
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
        Ok(Object::new()
            .str("authUrl", &project.auth_url())
            .str("storageKey", &storage_key)
            .bool("pkce", pkce)
            .end())
    })())
}

/// `queryParams` as the shell passes them (form-encoded by `URLSearchParams`), decoded, in order.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (form_decode(k), form_decode(v))
        })
        .collect()
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
/// "verifierValue"?,"warn"}`. PKCE comes either from `random` (56 bytes from
/// `crypto.getRandomValues`; the verifier is made here), or, for the pure `buildAuthorizeUrl`,
/// from the caller's `flowType` and `challenge` (`opts.code_challenge` is set here).
#[allow(clippy::too_many_arguments)]
pub fn sign_in(
    url: Parts<'_>,
    redirect: Parts<'_>,
    storage_key: &str,
    opts: AuthorizeOptions<'_>,
    random: Option<&[u8]>,
    flow_type: Option<&str>,
    challenge: Option<&str>,
) -> String {
    result((|| {
        let project = project(url)?;
        let challenge = pure_challenge(flow_type, challenge)?;
        let verifier = match random {
            Some(bytes) => {
                let bytes: &[u8; VERIFIER_BYTES] = bytes
                    .try_into()
                    .map_err(|_| Error::invalid("not enough random bytes"))?;
                Some(Verifier::from_random(bytes))
            }
            None => None,
        };
        let made = verifier.as_ref().map(Verifier::challenge);
        let opts = AuthorizeOptions {
            code_challenge: made.as_deref().or(challenge),
            ..opts
        };
        let req = AuthorizeRequest::new(opts, url_parts(redirect))?;
        let mut out = Object::new().str("url", &req.url(&project));
        if let Some(v) = verifier {
            out = out
                .str("verifierKey", &verifier_key(storage_key))
                .str("verifierValue", &v.stored_json());
        }
        Ok(out.bool("warn", req.redirect_has_fragment()).end())
    })())
}

const NO_EXPIRY: Error = Error::new(
    ErrorCode::InvalidCallback,
    "the callback URL has no usable expiry",
);

/// What a callback URL holds, at `now` (unix seconds): `{"type":"none"|"implicit"|"pkce"|
/// "error"|"invalid","clean"?,…}`. An implicit callback's `params` are the session to store
/// (without `user`), in supabase-js's key order, with the resolved expiry; `pkce` has `code` and
/// `flowId`; `error` and `invalid` have the `error` to throw.
pub fn callback(href: &str, now: u64) -> String {
    let parsed = callback::parse(href);
    let mut out = Object::new().opt("clean", parsed.cleaned.as_deref());
    let found = parsed.callback.and_then(|c| match c {
        Callback::Implicit(p) => {
            let exp = jwt_exp(p.access_token.expose());
            resolve_expiry(p.expires_at, exp, p.expires_in, now)
                .map(|e| (Callback::Implicit(p), e))
                .ok_or(NO_EXPIRY)
        }
        other => Ok((other, (0, 0))),
    });
    let kind = match found {
        Ok((Callback::None, _)) => "none",
        Ok((Callback::Implicit(p), (expires_at, expires_in))) => {
            let params = Object::new()
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
                .end();
            out = out.raw("params", &params).bool("recovery", p.recovery);
            "implicit"
        }
        Ok((Callback::Pkce { code, flow_id }, _)) => {
            out = out
                .str("code", code.expose())
                .opt("flowId", flow_id.as_deref());
            "pkce"
        }
        Ok((Callback::Error(e), _)) => {
            out = out.raw("error", &error_object(&e));
            "error"
        }
        Err(e) => {
            out = out.raw("error", &error_object(&e));
            "invalid"
        }
    };
    out.str("type", kind).end()
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
    result(
        shape(text)
            .token_expiry(now)
            .map(|at| Object::new().uint("expiresAt", at).end()),
    )
}

/// Checks a `/user` answer for an implicit sign-in: `{}`, or `invalid_token_response`.
pub fn implicit_user(text: &str) -> String {
    if json::is_user(Some(text.trim())) {
        String::from("{}")
    } else {
        error_json(&Error::new(
            ErrorCode::InvalidTokenResponse,
            "Auth session or user missing",
        ))
    }
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
        Some(expires_at) => Object::new()
            .uint("expiresAt", expires_at)
            .bool("refresh", refresh::due(expires_at, s.expires_in, now_ms))
            .uint(
                "delay",
                refresh::delay_ms(expires_at, s.expires_in, now_ms, jitter),
            )
            .end(),
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
/// `{"verifier","recovery"}`, or `{}` when it is empty.
pub fn verifier(stored: &str) -> String {
    let (verifier, kind) = stored.split_once('/').unwrap_or((stored, ""));
    if verifier.is_empty() {
        return String::from("{}");
    }
    Object::new()
        .str("verifier", verifier)
        .bool("recovery", kind == "recovery")
        .end()
}

/// A client-side error by its code, for the shell.
pub fn client_error(code: &str) -> String {
    let e = match code {
        "pkce_code_verifier_not_found" => Error::new(
            ErrorCode::PkceCodeVerifierNotFound,
            "PKCE code verifier not found in storage: the sign-in was started in another browser, or storage was cleared",
        ),
        "session_missing" => Error::new(ErrorCode::SessionMissing, "Auth session missing!"),
        "unsolicited_callback" => Error::new(
            ErrorCode::UnsolicitedCallback,
            "an implicit-flow callback arrived that this browser did not start (login CSRF); allowUnsolicitedImplicit accepts it",
        ),
        "storage_unavailable" => Error::new(
            ErrorCode::StorageUnavailable,
            "no storage that survives the redirect could keep the PKCE verifier",
        ),
        _ => Error::invalid("an option is missing or of the wrong type"),
    };
    error_json(&e)
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

/// How long a sign-in started with the implicit flow may take to come back.
pub const PENDING_IMPLICIT_MS: u64 = 30 * 60 * 1000;

/// Whether an implicit-flow callback was started by this browser: `marker` is what
/// `signInWithWorkOS` stored (the start time, unix ms). A callback without one, or past
/// [`PENDING_IMPLICIT_MS`], is refused unless the app opted out (login CSRF: an attacker's
/// tokens must not sign the victim in to the attacker's account).
pub fn implicit_pending(marker: Option<&str>, now_ms: u64) -> bool {
    marker
        .and_then(callback::strict_uint)
        .is_some_and(|started| {
            started <= now_ms.saturating_add(60_000)
                && now_ms.saturating_sub(started) <= PENDING_IMPLICIT_MS
        })
}

/// How far the device clock is off the server's, in milliseconds (positive: fast), judged from
/// the `iat` of an access token received at `now_ms`. `fresh` is true for a `/token` answer, which
/// was just issued; a callback URL may be stale, so from it only a token issued in the future
/// counts (the clock is slow). Differences under 30 s are network time, not skew: 0.
pub fn clock_skew_ms(access_token: &str, now_ms: u64, fresh: bool) -> f64 {
    let Some(iat) = super::json::uint(
        super::session::jwt_payload(access_token)
            .as_deref()
            .and_then(|p| json::member(p, "iat")),
    ) else {
        return 0.0;
    };
    let skew = now_ms as f64 - iat.saturating_mul(1000) as f64;
    let day = 86_400_000.0;
    if skew.abs() < 30_000.0 || (!fresh && skew > 0.0) {
        0.0
    } else {
        skew.clamp(-day, day)
    }
}
