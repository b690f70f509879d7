//! The session: when it expires, when to refresh it, whether a stored or received one can be
//! trusted, and what a failed request means. Time comes in as an argument (unix seconds).

use alloc::string::String;
use alloc::vec::Vec;

use super::error::{Error, ErrorCode, ServerDetail};

fn b64url_value(b: u8) -> Option<u32> {
    Some(u32::from(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'-' | b'+' => 62,
        b'_' | b'/' => 63,
        _ => return None,
    }))
}

/// Decodes base64url (padding optional); `None` for anything else.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let end = s.bytes().rposition(|b| b != b'=').map_or(0, |i| i + 1);
    let s = s.get(..end)?;
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in s.bytes() {
        acc = (acc << 6) | b64url_value(b)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    (bits < 6).then_some(out)
}

/// The JSON text of a JWT's payload, without checking the signature (the server does that);
/// `None` when the token is not a JWT.
pub fn jwt_payload(token: &str) -> Option<String> {
    let mut parts = super::text::pieces(token, b'.');
    let (_, payload, _, None) = (parts.next()?, parts.next()?, parts.next()?, parts.next()) else {
        return None;
    };
    // Lossy: only ASCII members (`exp`, `iat`) are read from it, and the decoder is shared with
    // the callback parser.
    Some(super::callback::utf8_lossy(&base64url_decode(payload)?))
}

/// The `exp` claim of an access token that is a JWT with one.
pub fn jwt_exp(token: &str) -> Option<u64> {
    super::json::uint(super::json::member(&jwt_payload(token)?, "exp"))
}

/// A JS number as a strict unix-seconds integer: finite, whole, non-negative, below 2^53.
pub fn whole_seconds(n: f64) -> Option<u64> {
    let whole = n as u64;
    ((0.0..9_007_199_254_740_992.0).contains(&n) && whole as f64 == n).then_some(whole)
}

/// `expires_at` and `expires_in` for a session received in a callback URL: `expires_at` from
/// the URL, else the access token's `exp`, else `now + expires_in`. `None` when there is no
/// usable expiry. `expires_in` is the URL's when valid, else what is left until `expires_at`.
pub fn resolve_expiry(
    url_expires_at: Option<u64>,
    jwt_exp: Option<u64>,
    expires_in: Option<u64>,
    now: u64,
) -> Option<(u64, u64)> {
    let expires_at = url_expires_at
        .or(jwt_exp)
        .or_else(|| expires_in.map(|e| now.saturating_add(e)))?;
    Some((
        expires_at,
        expires_in.unwrap_or(expires_at.saturating_sub(now)),
    ))
}

/// The fields of a session object (from `/token` or from storage) that decide whether it is one.
#[derive(Clone, Copy, Debug, Default)]
pub struct SessionShape {
    /// `access_token` is a non-empty string.
    pub access_token: bool,
    /// `refresh_token` is a non-empty string.
    pub refresh_token: bool,
    /// `user` is an object with a string `id`.
    pub user: bool,
    /// `expires_in`, when it is a whole non-negative number.
    pub expires_in: Option<u64>,
    /// `expires_at`, when it is a whole non-negative number.
    pub expires_at: Option<u64>,
    /// The access token's `exp` claim, when it is a JWT with one.
    pub jwt_exp: Option<u64>,
}

const NO_SESSION: Error = Error::new(
    ErrorCode::InvalidTokenResponse,
    "Auth session or user missing",
);

impl SessionShape {
    /// For a `/token` answer: `Ok(expires_at)` to store with it (the answer's own when valid,
    /// else `now + expires_in`, else the JWT's `exp`), or `invalid_token_response`.
    pub fn token_expiry(&self, now: u64) -> Result<u64, Error> {
        if !(self.access_token && self.refresh_token && self.user) {
            return Err(NO_SESSION);
        }
        self.expires_at
            .or_else(|| self.expires_in.map(|e| now.saturating_add(e)))
            .or(self.jwt_exp)
            .ok_or(NO_SESSION)
    }

    /// For a stored session: its `expires_at` when it is usable, `None` when it is corrupt
    /// (and must be removed rather than trusted).
    pub fn stored_expiry(&self) -> Option<u64> {
        (self.access_token && self.refresh_token && self.user)
            .then(|| self.expires_at.or(self.jwt_exp))
            .flatten()
    }
}

/// The fields of a JSON error body that name the error (PROTOCOL.md §6).
#[derive(Clone, Debug, Default)]
pub struct ErrorBody {
    /// `code`, when it is a string (the versioned shape).
    pub code: Option<String>,
    /// `error_code` (the legacy shape).
    pub error_code: Option<String>,
    /// `msg` (legacy), `message`, `error_description`, `error`: the first present is the message.
    pub messages: [Option<String>; 4],
    /// `error` (an OAuth-style body's error code).
    pub error: Option<String>,
}

/// What a failed request means: a network failure (`status` 0), a 5xx or a non-JSON answer are
/// retryable; any other status is the server refusing, with its own code. `versioned` is true
/// when the answer carried `X-Supabase-Api-Version` (then `code` is the error code).
pub fn api_error(status: u16, body: Option<ErrorBody>, versioned: bool) -> Error {
    let Some(body) = body else {
        let (code, status, message) = match status {
            0 => (
                ErrorCode::RetryableFetch,
                0,
                "the request failed before an answer",
            ),
            200..=299 => (ErrorCode::RetryableFetch, 0, "the answer is not JSON"),
            500.. => (ErrorCode::RetryableFetch, status, "the server failed"),
            _ => (ErrorCode::Api, status, "the server refused the request"),
        };
        let detail = ServerDetail {
            status,
            ..ServerDetail::default()
        };
        return Error::with_server(code, message, detail);
    };
    let named = |c: Option<String>| c.filter(|c| !c.is_empty());
    let code = if versioned { named(body.code) } else { None }.or(named(body.error_code));
    // An OAuth-style body (`{"error":"invalid_grant","error_description":…}`) names its error.
    let detail = ServerDetail {
        status,
        code,
        message: body.messages.into_iter().flat_map(named).next(),
        error: named(body.error),
    };
    // supabase-js throws AuthSessionMissingError for `session_not_found` (a revoked session), and
    // apps check for it by that name.
    let kind = if status >= 500 {
        ErrorCode::RetryableFetch
    } else if detail.code.as_deref() == Some("session_not_found") {
        ErrorCode::SessionMissing
    } else {
        ErrorCode::Api
    };
    Error::with_server(kind, "the server refused the request", detail)
}
