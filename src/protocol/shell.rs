//! Decisions both I/O shells make around a request, typed: the errors a shell raises itself, a
//! stored PKCE verifier, and what a failed refresh leaves standing.

use alloc::string::String;

use super::callback::ImplicitParams;
use super::error::{Error, ErrorCode};
use super::refresh::{classify_failure, Failure};
use super::session::{jwt_exp, resolve_expiry};
use super::text::cut_or_all;

/// The error a shell raises itself, by its code; `invalid_options` for any code that is not
/// one of the shell's.
pub fn client_error(code: ErrorCode) -> Error {
    let message = match code {
        ErrorCode::PkceCodeVerifierNotFound => {
            "PKCE code verifier not found in storage: the sign-in was started in another browser, or storage was cleared"
        }
        ErrorCode::SessionMissing => "Auth session missing!",
        ErrorCode::UnsolicitedCallback => {
            "an implicit-flow callback arrived that this browser did not start (login CSRF); allowUnsolicitedImplicit accepts it"
        }
        ErrorCode::StorageUnavailable => {
            "no storage that survives the redirect could keep the PKCE verifier"
        }
        ErrorCode::InsecureContext => {
            "PKCE needs crypto.subtle, which only secure contexts (https, localhost) have; or use flowType 'implicit'"
        }
        _ => return Error::invalid("an option is missing or of the wrong type"),
    };
    Error::new(code, message)
}

/// A stored PKCE verifier, the JSON-decoded string (supabase-js's `verifier[/redirectType]`):
/// the verifier, `None` when it is empty. The redirect type is dropped, as [`super::api::verifier`]
/// drops it: this library starts no password-recovery flow.
pub fn stored_verifier(stored: &str) -> Option<&str> {
    let verifier = cut_or_all(stored, b'/').0;
    (!verifier.is_empty()).then_some(verifier)
}

/// The implicit flow's `redirect_to` with its login-CSRF nonce as a fragment segment of its own
/// ([`super::callback::NONCE_KEY`]): after the caller's `redirect_to`, or without one after the
/// page's URL without its fragment.
pub fn redirect_with_nonce(redirect_to: Option<&str>, page: &str, nonce: &str) -> String {
    let base = redirect_to.unwrap_or(cut_or_all(page, b'#').0);
    let mut out = String::with_capacity(base.len() + 44);
    for part in [base, "#", super::callback::NONCE_KEY, "=", nonce] {
        out.push_str(part);
    }
    out
}

/// Whether a `/user` answer's user is the user of the access token the request carried (its
/// `sub`), and of the session when it names one (`user_id`): a cache that ignores
/// `Authorization`, or a server answering with someone else, is refused.
pub fn user_of_token(id: &str, access_token: &str, user_id: Option<&str>) -> Result<(), Error> {
    let payload = super::session::jwt_payload(access_token);
    let sub = payload
        .as_deref()
        .and_then(|p| super::json::member(p, "sub"))
        .and_then(|s| s.strip_prefix('"')?.strip_suffix('"'));
    if sub == Some(id) && user_id.is_none_or(|u| u == id) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidTokenResponse,
            "the /user answer is not the user of this session",
        ))
    }
}

/// Whether a session that was due survives a refresh that failed with `error`: a failure that is
/// not the end of the session (a network failure, a 5xx, a 429) keeps a session that has not
/// expired yet at `now_ms` (the server's time).
pub fn survives_failed_refresh(error: &Error, expires_at_s: u64, now_ms: u64) -> bool {
    error.code() != ErrorCode::SessionMissing
        && expires_at_s.saturating_mul(1000) > now_ms
        && classify_failure(error.status()) != Failure::SignOut
}

/// Whether a refused refresh ends the session: the server refused the refresh token itself (not
/// a network failure, a 5xx or a 429), and storage still holds the session whose token it was
/// (`unchanged`).
pub fn refusal_ends_session(status: u16, unchanged: bool) -> bool {
    unchanged && classify_failure(status) == Failure::SignOut
}

/// `expires_at` and `expires_in` of an implicit callback's session at `now` (unix seconds, the
/// server's clock): see [`resolve_expiry`]; `invalid_callback` when there is no usable expiry.
pub fn implicit_expiry(params: &ImplicitParams, now: u64) -> Result<(u64, u64), Error> {
    let exp = jwt_exp(params.access_token.expose());
    resolve_expiry(params.expires_at, exp, params.expires_in, now).ok_or(Error::new(
        ErrorCode::InvalidCallback,
        "the callback URL has no usable expiry",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::session::api_error;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn client_errors_carry_their_code_and_status() {
        let e = client_error(ErrorCode::SessionMissing);
        assert_eq!((e.code_str(), e.status()), ("session_missing", 400));
        let e = client_error(ErrorCode::UnsolicitedCallback);
        assert_eq!((e.code_str(), e.status()), ("unsolicited_callback", 400));
        assert_eq!(
            client_error(ErrorCode::Api).code(),
            ErrorCode::InvalidOptions
        );
        assert_eq!(
            client_error(ErrorCode::PkceCodeVerifierNotFound).code_str(),
            "pkce_code_verifier_not_found"
        );
    }

    #[test]
    fn stored_verifiers() {
        assert_eq!(stored_verifier("abc"), Some("abc"));
        assert_eq!(stored_verifier("abc/recovery"), Some("abc"));
        assert_eq!(stored_verifier(""), None);
        assert_eq!(stored_verifier("/recovery"), None);
    }

    #[test]
    fn the_nonce_is_a_fragment_segment_of_its_own() {
        let n = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            redirect_with_nonce(Some("https://a.example/cb#/r"), "https://p.example/x", n),
            "https://a.example/cb#/r#sbw_nonce=0123456789abcdef0123456789abcdef"
        );
        assert_eq!(
            redirect_with_nonce(None, "https://p.example/x?q=1#old", n),
            "https://p.example/x?q=1#sbw_nonce=0123456789abcdef0123456789abcdef"
        );
    }

    #[test]
    fn a_user_answer_must_be_the_tokens_user() {
        // {"sub":"u1"}
        let token = "x.eyJzdWIiOiJ1MSJ9.x";
        assert!(user_of_token("u1", token, None).is_ok());
        assert!(user_of_token("u1", token, Some("u1")).is_ok());
        assert!(user_of_token("u2", token, None).is_err());
        assert!(user_of_token("u1", token, Some("u2")).is_err());
        assert!(user_of_token("u1", "not-a-jwt", None).is_err());
    }

    #[test]
    fn what_survives_a_failed_refresh() {
        let now = 1_000_000;
        let network = api_error(0, None, false);
        let server = api_error(503, None, false);
        let limited = api_error(429, None, false);
        let refused = api_error(400, None, false);
        for e in [&network, &server, &limited] {
            assert!(survives_failed_refresh(e, 1_001, now), "{e:?}");
            assert!(!survives_failed_refresh(e, 1_000, now), "expired: {e:?}");
        }
        assert!(!survives_failed_refresh(&refused, 1_001, now));
        assert!(!survives_failed_refresh(
            &client_error(ErrorCode::SessionMissing),
            1_001,
            now
        ));
        assert!(refusal_ends_session(400, true));
        assert!(!refusal_ends_session(400, false), "another tab changed it");
        assert!(!refusal_ends_session(503, true));
        assert!(!refusal_ends_session(0, true));
        assert!(!refusal_ends_session(429, true));
    }
}
