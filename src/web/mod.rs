//! The wasm-bindgen boundary. Only strings, numbers and bytes cross it: each export forwards to
//! [`crate::core::api`] and returns its JSON text, which the JS shell reads with `JSON.parse`
//! (and throws when it holds an `error`). The browser's own parsers (`URL`, `JSON`) and
//! `crypto.getRandomValues` are used by the shell, which passes their results in.

#[cfg(feature = "slim")]
mod slim;

use crate::core::api::{self, Parts};
use crate::core::authorize::AuthorizeOptions;
use crate::core::session::ErrorBody;
use alloc::boxed::Box;
use alloc::string::String;
use wasm_bindgen::prelude::*;

/// A URL as the shell passes it: the browser's `protocol`, `origin`, `hostname`, `pathname`,
/// and `1` when it has neither query nor fragment, joined by newlines (which the URL parser never
/// leaves in them); `None` when it did not parse.
fn parts(url: &Option<String>) -> Parts<'_> {
    let mut it = url.as_deref()?.split('\n');
    Some((
        it.next()?,
        it.next()?,
        it.next()?,
        it.next()?,
        it.next() == Some("1"),
    ))
}

/// `createClient`'s and `storageKeyFor`'s decisions; see [`api::client`].
#[wasm_bindgen]
pub fn client(
    url: Option<String>,
    key: Option<String>,
    flow_type: Option<String>,
    storage_key: Option<String>,
) -> String {
    api::client(
        parts(&url),
        key.as_deref(),
        flow_type.as_deref(),
        storage_key.as_deref(),
    )
}

/// The authorize URL and the verifier to store; see [`api::sign_in`].
#[wasm_bindgen(js_name = signIn)]
#[allow(clippy::too_many_arguments)]
pub fn sign_in(
    url: Option<String>,
    redirect: Option<String>,
    storage_key: &str,
    connection: Option<String>,
    organization: Option<String>,
    provider: Option<String>,
    redirect_to: Option<String>,
    scopes: Option<String>,
    login_hint: Option<String>,
    domain_hint: Option<String>,
    query: &str,
    random: Option<Box<[u8]>>,
    flow_type: Option<String>,
    challenge: Option<String>,
) -> String {
    api::sign_in(
        parts(&url),
        parts(&redirect),
        storage_key,
        AuthorizeOptions {
            connection: connection.as_deref(),
            organization: organization.as_deref(),
            provider: provider.as_deref(),
            redirect_to: redirect_to.as_deref(),
            scopes: scopes.as_deref(),
            login_hint: login_hint.as_deref(),
            domain_hint: domain_hint.as_deref(),
            query_params: api::query_pairs(query),
            code_challenge: None,
        },
        random.as_deref(),
        flow_type.as_deref(),
        challenge.as_deref(),
    )
}

/// What a callback URL holds; see [`api::callback`].
#[wasm_bindgen]
pub fn callback(href: &str, now: f64) -> String {
    api::callback(href, now as u64)
}

/// Checks a `/token` answer's JSON text; see [`api::token_session`].
#[wasm_bindgen(js_name = tokenSession)]
pub fn token_session(text: &str, now: f64) -> String {
    api::token_session(text, now as u64)
}

/// Checks a `/user` answer's JSON text; see [`api::implicit_user`].
#[wasm_bindgen(js_name = implicitUser)]
pub fn implicit_user(text: &str) -> String {
    api::implicit_user(text)
}

/// Reads a stored session's text; see [`api::stored_session`].
#[wasm_bindgen(js_name = storedSession)]
pub fn stored_session(raw: Option<String>, now_ms: f64, jitter: f64) -> String {
    api::stored_session(raw.as_deref(), now_ms as u64, jitter)
}

/// The error for a failed request. `json` is false when the body was not JSON; the other
/// strings are the body's members of those names when they are strings.
#[wasm_bindgen(js_name = requestError)]
#[allow(clippy::too_many_arguments)]
pub fn request_error(
    status: u16,
    json: bool,
    versioned: bool,
    code: Option<String>,
    error_code: Option<String>,
    msg: Option<String>,
    message: Option<String>,
    error_description: Option<String>,
    error: Option<String>,
) -> String {
    // Empty strings are ignored by the core itself.
    let body = json.then_some(ErrorBody {
        code,
        error_code,
        messages: [msg, message, error_description, error],
    });
    api::request_error(status, body, versioned)
}

/// A stored verifier's parts; see [`api::verifier`].
#[wasm_bindgen]
pub fn verifier(stored: &str) -> String {
    api::verifier(stored)
}

/// A client-side error by code; see [`api::client_error`].
#[wasm_bindgen(js_name = clientError)]
pub fn client_error(code: &str) -> String {
    api::client_error(code)
}

/// The wait after a failed refresh, or -1; see [`api::refresh_retry`].
#[wasm_bindgen(js_name = refreshRetry)]
pub fn refresh_retry(status: u16, attempt: u32) -> f64 {
    api::refresh_retry(status, attempt)
}

/// Whether an implicit callback was started here; see [`api::implicit_pending`].
#[wasm_bindgen(js_name = implicitPending)]
pub fn implicit_pending(marker: Option<String>, now_ms: f64) -> bool {
    api::implicit_pending(marker.as_deref(), now_ms as u64)
}

/// The device clock's offset from the server's; see [`api::clock_skew_ms`].
#[wasm_bindgen(js_name = clockSkew)]
pub fn clock_skew(access_token: &str, now_ms: f64, fresh: bool) -> f64 {
    api::clock_skew_ms(access_token, now_ms as u64, fresh)
}
