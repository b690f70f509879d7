//! Exports for finishing sign-in and keeping the session: the callback URL, the session objects
//! stored for supabase-js, the stored session's health, and what a failed request means.

use alloc::string::String;

use super::convert::{field, js_error, object, set, JsResult};
use crate::core::callback::{self, Callback};
use crate::core::error::{Error, ErrorCode};
use crate::core::refresh;
use crate::core::session::{
    api_error, jwt_payload, resolve_expiry, whole_seconds, ErrorBody, SessionShape,
};
use js_sys::{Object, JSON};
use wasm_bindgen::prelude::*;

fn string_field(obj: &JsValue, key: &str) -> Option<String> {
    field(obj, key).as_string()
}

fn non_empty(obj: &JsValue, key: &str) -> bool {
    string_field(obj, key).is_some_and(|s| !s.is_empty())
}

fn number_field(obj: &JsValue, key: &str) -> Option<f64> {
    field(obj, key).as_f64()
}

/// The `exp` claim of an access token that is a JWT.
fn jwt_exp(access_token: &str) -> Option<u64> {
    let payload = JSON::parse(&jwt_payload(access_token)?).ok()?;
    number_field(&payload, "exp").and_then(whole_seconds)
}

fn user_ok(user: &JsValue) -> bool {
    user.is_object() && non_empty(user, "id")
}

fn set_opt(obj: &Object, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        set(obj, key, &v.into());
    }
}

const NO_EXPIRY: Error = Error::new(
    ErrorCode::InvalidCallback,
    "the callback URL has no usable expiry",
);

/// Parses a callback URL at `now` (unix seconds): `{ type: 'none' | 'implicit' | 'pkce' |
/// 'error' | 'invalid', clean?, params?, code?, flowId?, recovery?, error? }`. An implicit
/// callback's `params` carry the resolved `expires_at` and `expires_in`, so a callback without a
/// usable expiry is `invalid` before any request. Never throws: errors come back as `error`.
#[wasm_bindgen(js_name = parseCallback)]
pub fn parse_callback(href: &str, now: f64) -> JsValue {
    let parsed = callback::parse(href);
    let out = object();
    set_opt(&out, "clean", parsed.cleaned.as_deref());
    let now = whole_seconds(now).unwrap_or_default();
    let callback = parsed.callback.and_then(|c| match c {
        Callback::Implicit(p) => {
            let expiry = resolve_expiry(
                p.expires_at,
                jwt_exp(p.access_token.expose()),
                p.expires_in,
                now,
            );
            expiry
                .map(|e| (Callback::Implicit(p), Some(e)))
                .ok_or(NO_EXPIRY)
        }
        other => Ok((other, None)),
    });
    let kind = match callback {
        Ok((Callback::None, _)) => "none",
        Ok((Callback::Implicit(p), expiry)) => {
            let (expires_at, expires_in) = expiry.unwrap_or_default();
            let params = object();
            set(&params, "access_token", &p.access_token.expose().into());
            set(&params, "refresh_token", &p.refresh_token.expose().into());
            set(&params, "token_type", &p.token_type.into());
            set(&params, "expires_in", &(expires_in as f64).into());
            set(&params, "expires_at", &(expires_at as f64).into());
            set_opt(
                &params,
                "provider_token",
                p.provider_token.as_ref().map(|s| s.expose()),
            );
            set_opt(
                &params,
                "provider_refresh_token",
                p.provider_refresh_token.as_ref().map(|s| s.expose()),
            );
            set(&out, "params", &params.into());
            set(&out, "recovery", &p.recovery.into());
            "implicit"
        }
        Ok((Callback::Pkce { code, flow_id }, _)) => {
            set(&out, "code", &code.expose().into());
            set_opt(&out, "flowId", flow_id.as_deref());
            "pkce"
        }
        Ok((Callback::Error(e), _)) => {
            set(&out, "error", &js_error(e));
            "error"
        }
        Err(e) => {
            set(&out, "error", &js_error(e));
            "invalid"
        }
    };
    set(&out, "type", &kind.into());
    out.into()
}

/// The session for an implicit callback's `params` (from [`parse_callback`]) and the `/user`
/// answer, in the shape and key order supabase-js stores. Throws `invalid_token_response`
/// without a user.
#[wasm_bindgen(js_name = implicitSession)]
pub fn implicit_session(params: JsValue, user: JsValue) -> JsResult<JsValue> {
    if !user_ok(&user) {
        return Err(js_error(Error::new(
            ErrorCode::InvalidTokenResponse,
            "Auth session or user missing",
        )));
    }
    let s = object();
    for key in [
        "provider_token",
        "provider_refresh_token",
        "access_token",
        "expires_in",
        "expires_at",
        "refresh_token",
        "token_type",
    ] {
        let v = field(&params, key);
        if !v.is_undefined() {
            set(&s, key, &v);
        }
    }
    set(&s, "user", &user);
    Ok(s.into())
}

fn shape(session: &JsValue) -> SessionShape {
    SessionShape {
        access_token: non_empty(session, "access_token"),
        refresh_token: non_empty(session, "refresh_token"),
        user: user_ok(&field(session, "user")),
        expires_in: number_field(session, "expires_in"),
        expires_at: number_field(session, "expires_at"),
        jwt_exp: string_field(session, "access_token").and_then(|t| jwt_exp(&t)),
    }
}

/// Checks a `/token` answer and returns it as the session to store, with `expires_at` set
/// (kept when valid, else computed). Throws `invalid_token_response`.
#[wasm_bindgen(js_name = tokenSession)]
pub fn token_session(data: JsValue, now: f64) -> JsResult<JsValue> {
    let now = whole_seconds(now).unwrap_or_default();
    let expires_at = shape(&data).token_expiry(now).map_err(js_error)?;
    set(
        data.unchecked_ref(),
        "expires_at",
        &(expires_at as f64).into(),
    );
    Ok(data)
}

/// Reads a stored session (the raw string, or null): `{}` when there is none, `{ corrupt: true }`
/// when it cannot be trusted, else `{ session, expiresAt, refresh, delay }`: `refresh` says it is
/// due for a refresh at `now_ms`, `delay` how long until it is (with `jitter` in 0..=1).
#[wasm_bindgen(js_name = storedSession)]
pub fn stored_session(raw: JsValue, now_ms: f64, jitter: f64) -> JsValue {
    let out = object();
    let Some(text) = raw.as_string() else {
        return out.into();
    };
    let session = JSON::parse(&text).unwrap_or(JsValue::NULL);
    match shape(&session).stored_expiry() {
        Some(expires_at) => {
            set(&out, "session", &session);
            set(&out, "expiresAt", &(expires_at as f64).into());
            let now = now_ms as u64;
            let expires_in = number_field(&session, "expires_in").and_then(whole_seconds);
            set(
                &out,
                "refresh",
                &refresh::due(expires_at, expires_in, now).into(),
            );
            let delay = refresh::delay_ms(expires_at, expires_in, now, jitter);
            set(&out, "delay", &(delay as f64).into());
        }
        None => set(&out, "corrupt", &true.into()),
    }
    out.into()
}

/// The error for a failed request: `status` 0 for a network failure; `data` the parsed JSON body
/// or `undefined`; `versioned` whether the answer carried `X-Supabase-Api-Version`.
#[wasm_bindgen(js_name = apiError)]
pub fn api_error_js(status: u16, data: JsValue, versioned: bool) -> JsValue {
    let body = data.is_object().then(|| ErrorBody {
        code: string_field(&data, "code"),
        error_code: string_field(&data, "error_code"),
        messages: ["msg", "message", "error_description", "error"]
            .map(|k| string_field(&data, k).filter(|m| !m.is_empty())),
    });
    js_error(api_error(status, body, versioned))
}

/// A stored PKCE verifier (a JSON string, supabase-js's `verifier[/redirectType]`):
/// `{ verifier, recovery }`, or `undefined` when there is none.
#[wasm_bindgen(js_name = readVerifier)]
pub fn read_verifier(raw: JsValue) -> JsValue {
    let stored = raw
        .as_string()
        .and_then(|t| JSON::parse(&t).ok())
        .and_then(|v| v.as_string());
    let Some(stored) = stored else {
        return JsValue::UNDEFINED;
    };
    let (verifier, kind) = stored.split_once('/').unwrap_or((&stored, ""));
    if verifier.is_empty() {
        return JsValue::UNDEFINED;
    }
    let out = object();
    set(&out, "verifier", &verifier.into());
    set(&out, "recovery", &(kind == "recovery").into());
    out.into()
}

/// A client-side error by code, for the shell: `pkce_code_verifier_not_found`,
/// `session_missing`, `storage_unavailable`, or `invalid_options`.
#[wasm_bindgen(js_name = clientError)]
pub fn client_error(code: &str) -> JsValue {
    let e = match code {
        "pkce_code_verifier_not_found" => Error::new(
            ErrorCode::PkceCodeVerifierNotFound,
            "PKCE code verifier not found in storage: the sign-in was started in another browser, or storage was cleared",
        ),
        "session_missing" => Error::new(ErrorCode::SessionMissing, "Auth session missing!"),
        "storage_unavailable" => Error::new(
            ErrorCode::StorageUnavailable,
            "the storage refused to store what sign-in needs",
        ),
        _ => Error::new(ErrorCode::InvalidOptions, "an option is not valid"),
    };
    js_error(e)
}

/// After a failed refresh with this HTTP status (0: network failure) on try `attempt`: the
/// milliseconds to wait before trying again, or -1 when the refresh token was refused and the
/// session is over.
#[wasm_bindgen(js_name = refreshRetry)]
pub fn refresh_retry(status: u16, attempt: u32) -> f64 {
    match refresh::classify_failure(status) {
        refresh::Failure::Retry => refresh::retry_delay_ms(attempt) as f64,
        refresh::Failure::Cooldown(ms) => ms as f64,
        refresh::Failure::SignOut => -1.0,
    }
}
