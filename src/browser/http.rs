//! Requests to Supabase Auth (PROTOCOL.md §6) with the browser's `fetch`; what a failed one means
//! is the protocol's decision.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestInit, Response};

use super::web::{boxed, get, set, timeout_signal, Fut};
use crate::protocol::error::Error;
use crate::protocol::session::{api_error, ErrorBody};
use crate::protocol::tabs::REQUEST_TIMEOUT_MS;

const CLIENT_INFO: &str = concat!("supabase-workos-rs/", env!("CARGO_PKG_VERSION"));
const API_VERSION: &str = "2024-01-01";

/// A member's string, when it is one (an error body's `code` may be a number).
fn string_member(body: &JsValue, key: &str) -> Option<String> {
    get(body, key).as_string()
}

fn error_body(data: &JsValue) -> ErrorBody {
    let s = |k| string_member(data, k);
    ErrorBody {
        code: s("code"),
        error_code: s("error_code"),
        messages: [s("msg"), s("message"), s("error_description"), s("error")],
        error: s("error"),
    }
}

/// A JSON body: a plain object with string members.
pub(crate) fn body(members: &[(&str, &str)]) -> JsValue {
    let o = js_sys::Object::new();
    for (k, v) in members {
        set(&o, k, &JsValue::from_str(v));
    }
    o.into()
}

/// `method <auth_url><path>`, with the anon key, and the user's access token when given; the
/// answer's JSON (`null` for 204), or the error of a failed request or of an answer that is
/// not JSON.
pub(crate) fn request<'a>(
    auth_url: &'a str,
    anon_key: &'a str,
    method: &'a str,
    path: &'a str,
    json_body: Option<&'a JsValue>,
    access_token: Option<&'a str>,
) -> Fut<'a, Result<JsValue, Error>> {
    boxed(async move {
        let network = || api_error(0, None, false);
        let bearer = ["Bearer ", access_token.unwrap_or(anon_key)].concat();
        // A plain object of header names, which `fetch` takes as it takes `Headers`.
        let headers = body(&[
            ("apikey", anon_key),
            ("authorization", &bearer),
            ("x-client-info", CLIENT_INFO),
            ("x-supabase-api-version", API_VERSION),
        ]);
        let init = RequestInit::new();
        init.set_method(method);
        if let Some(b) = json_body {
            set(
                &headers,
                "content-type",
                &JsValue::from_str("application/json;charset=UTF-8"),
            );
            let text = js_sys::JSON::stringify(b).map_err(|_| network())?;
            init.set_body(&text);
        }
        init.set_headers(&headers);
        if let Some(signal) = timeout_signal(REQUEST_TIMEOUT_MS) {
            init.set_signal(Some(&signal));
        }
        let url = [auth_url, path].concat();
        let window = web_sys::window().ok_or_else(network)?;
        let res: Response = JsFuture::from(window.fetch_with_str_and_init(&url, &init))
            .await
            .map_err(|_| network())?
            .dyn_into()
            .map_err(|_| network())?;
        let data = if res.status() == 204 {
            Some(JsValue::NULL)
        } else {
            match res.json() {
                Ok(p) => JsFuture::from(p).await.ok(),
                Err(_) => None,
            }
        };
        match data {
            Some(data) if res.ok() => Ok(data),
            data => {
                let body = data.filter(JsValue::is_object).map(|d| error_body(&d));
                let status = if res.ok() { 200 } else { res.status() };
                let versioned = res.headers().has("x-supabase-api-version").unwrap_or(false);
                Err(api_error(status, body, versioned))
            }
        }
    })
}
