//! Plain JS objects in and out, and core errors as real JS `Error`s.

use alloc::string::String;
use alloc::vec::Vec;

use super::bindings::Url;
use crate::core::error::{Error, ErrorCode};
use crate::core::project::UrlParts;
use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// What an export returns: a value, or a thrown JS `Error`.
pub type JsResult<T> = Result<T, JsValue>;

/// `obj[key]`, or `undefined` when `obj` is not an object or the getter throws.
pub fn field(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// An optional string option: `undefined`/`null` is `None`, a string is itself, anything else is
/// `invalid_options`.
pub fn opt_string(obj: &JsValue, key: &str) -> Result<Option<String>, Error> {
    let v = field(obj, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or(Error::invalid(
        "a string option has a value that is not a string",
    ))
}

/// `queryParams` as ordered pairs. `null`/`undefined` values are left out; numbers, booleans and
/// bigints are written as JS writes them; objects and arrays are `invalid_options`.
pub fn query_params(v: &JsValue) -> Result<Vec<(String, String)>, Error> {
    let bad = Error::invalid("queryParams must be an object of string values");
    if v.is_undefined() || v.is_null() {
        return Ok(Vec::new());
    }
    if !v.is_object() || Array::is_array(v) {
        return Err(bad);
    }
    let mut out = Vec::new();
    for entry in Object::entries(v.unchecked_ref()).iter() {
        let key = Reflect::get_u32(&entry, 0).ok().and_then(|k| k.as_string());
        let value = Reflect::get_u32(&entry, 1).unwrap_or(JsValue::UNDEFINED);
        let Some(key) = key else { return Err(bad) };
        if value.is_undefined() || value.is_null() {
            continue;
        }
        let text = if value.is_object() || value.is_function() || value.is_symbol() {
            None
        } else if let Some(s) = value.as_string() {
            Some(s)
        } else {
            value.unchecked_ref::<Object>().to_string().as_string()
        };
        out.push((key, text.ok_or(bad.clone())?));
    }
    Ok(out)
}

/// Runs `f` on the parts of a parsed URL.
pub fn with_parts<T>(url: &Url, f: impl FnOnce(UrlParts<'_>) -> T) -> T {
    let (protocol, origin, hostname, pathname) =
        (url.protocol(), url.origin(), url.hostname(), url.pathname());
    let bare = url.search().is_empty() && url.hash().is_empty();
    f(UrlParts {
        protocol: &protocol,
        origin: &origin,
        hostname: &hostname,
        pathname: &pathname,
        bare,
    })
}

/// A new plain object.
pub fn object() -> Object {
    Object::new()
}

/// `obj[key] = value`.
pub fn set(obj: &Object, key: &str, value: &JsValue) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A real JS `Error` with `name`, `message`, `code`, `status`, and supabase-js's `__isAuthError`
/// marker so its `isAuthError` recognises ours too.
pub fn js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(e.message());
    err.set_name(e.code().js_name());
    set(&err, "code", &e.code_str().into());
    set(&err, "status", &e.status().into());
    set(&err, "__isAuthError", &true.into());
    if let Some(server) = e.server() {
        let redirect = e.code() == ErrorCode::Redirect;
        let error = if redirect {
            server.error.as_deref()
        } else {
            Some(e.code_str())
        };
        if let Some(error) = error {
            set(&err, "error", &error.into());
        }
        if let Some(description) = server.message.as_deref() {
            set(&err, "error_description", &description.into());
        }
        if redirect {
            // supabase-js's AuthImplicitGrantRedirectError.details.
            let details = object();
            set(
                &details,
                "error",
                &error.unwrap_or("unspecified_error").into(),
            );
            set(
                &details,
                "code",
                &server.code.as_deref().unwrap_or("unspecified_code").into(),
            );
            set(&err, "details", &details.into());
        }
    }
    err.into()
}
