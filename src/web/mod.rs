//! The wasm-bindgen boundary: the only Rust that sees `JsValue`. It reads the caller's plain
//! objects, asks the browser to parse URLs and for random bytes, calls the core, and turns core
//! errors into real JS `Error`s. Everything asynchronous lives in the JS shell.

use alloc::string::String;

mod bindings;
mod convert;
mod session;
#[cfg(feature = "slim")]
mod slim;

use crate::core::authorize::{AuthorizeOptions, AuthorizeRequest};
use crate::core::error::Error;
use crate::core::pkce::{Verifier, VERIFIER_BYTES};
use crate::core::project::{verifier_key, ProjectUrl};
use bindings::{get_random_values, warn, Url};
use convert::{field, js_error, object, opt_string, query_params, set, with_parts, JsResult};
pub use session::*;
use wasm_bindgen::prelude::*;

fn project(supabase_url: &JsValue) -> Result<ProjectUrl, Error> {
    let bad = Error::invalid("supabaseUrl must be an absolute http(s) URL");
    let text = supabase_url.as_string().ok_or(bad.clone())?;
    let url = Url::new(&text).map_err(|_| bad)?;
    with_parts(&url, ProjectUrl::new)
}

/// The storage key supabase-js uses for this project: `sb-<first host label>-auth-token`.
#[wasm_bindgen(js_name = storageKeyFor)]
pub fn storage_key_for(supabase_url: JsValue) -> JsResult<String> {
    Ok(project(&supabase_url)
        .map_err(js_error)?
        .default_storage_key())
}

fn request(options: &JsValue, code_challenge: Option<String>) -> Result<AuthorizeRequest, Error> {
    let redirect_to = opt_string(options, "redirectTo")?;
    let parsed = redirect_to
        .as_deref()
        .filter(|r| !r.is_empty())
        .and_then(|r| Url::new(r).ok());
    let opts = AuthorizeOptions {
        connection: opt_string(options, "connection")?,
        organization: opt_string(options, "organization")?,
        // A provider of the wrong type is given but unknown: `invalid_provider`, not ignored.
        provider: opt_string(options, "provider").unwrap_or(Some(String::from("?"))),
        redirect_to,
        scopes: opt_string(options, "scopes")?,
        login_hint: opt_string(options, "loginHint")?,
        domain_hint: opt_string(options, "domainHint")?,
        query_params: query_params(&field(options, "queryParams"))?,
        code_challenge,
    };
    let req = match parsed {
        Some(url) => with_parts(&url, |parts| AuthorizeRequest::new(opts, Some(parts))),
        None => AuthorizeRequest::new(opts, None),
    }?;
    if req.redirect_has_fragment() {
        warn("supabase-workos: redirectTo has a fragment; Supabase Auth appends the callback after a second '#'");
    }
    Ok(req)
}

/// The authorize URL for these options, as `signInWithWorkOS` would navigate to. Pure: nothing is
/// stored. `flowType: 'pkce'` needs the `codeChallenge`; without `flowType` a given
/// `codeChallenge` means PKCE.
#[wasm_bindgen(js_name = buildAuthorizeUrl)]
pub fn build_authorize_url(supabase_url: JsValue, options: JsValue) -> JsResult<String> {
    let run = || -> Result<String, Error> {
        let project = project(&supabase_url)?;
        let challenge = opt_string(&options, "codeChallenge")?.filter(|c| !c.is_empty());
        let challenge = match opt_string(&options, "flowType")?.as_deref() {
            None => challenge,
            Some("implicit") => None,
            Some("pkce") => {
                Some(challenge.ok_or(Error::invalid("flowType 'pkce' needs codeChallenge"))?)
            }
            Some(_) => return Err(Error::invalid("flowType must be 'pkce' or 'implicit'")),
        };
        Ok(request(&options, challenge)?.url(&project))
    };
    run().map_err(js_error)
}

/// Validates `createClient`'s arguments once; returns `{ authUrl, storageKey, pkce }`.
#[wasm_bindgen(js_name = clientConfig)]
pub fn client_config(supabase_url: JsValue, key: JsValue, options: JsValue) -> JsResult<JsValue> {
    let run = || -> Result<JsValue, Error> {
        let project = project(&supabase_url)?;
        if key.as_string().is_none_or(|k| k.is_empty()) {
            return Err(Error::invalid("supabaseKey must be a non-empty string"));
        }
        let pkce = match opt_string(&options, "flowType")?.as_deref() {
            None | Some("pkce") => true,
            Some("implicit") => false,
            Some(_) => return Err(Error::invalid("flowType must be 'pkce' or 'implicit'")),
        };
        let storage_key = match opt_string(&options, "storageKey")? {
            Some(k) if !k.is_empty() => k,
            None => project.default_storage_key(),
            Some(_) => return Err(Error::invalid("storageKey must be a non-empty string")),
        };
        let out = object();
        set(&out, "authUrl", &project.auth_url().into());
        set(&out, "storageKey", &storage_key.into());
        set(&out, "pkce", &pkce.into());
        Ok(out.into())
    };
    run().map_err(js_error)
}

/// Plans a sign-in: validates the options, makes a verifier for PKCE from
/// `crypto.getRandomValues`, and returns `{ url, verifierKey?, verifierValue? }`. The shell
/// stores the verifier, then navigates.
#[wasm_bindgen(js_name = planSignIn)]
pub fn plan_sign_in(
    supabase_url: JsValue,
    storage_key: &str,
    pkce: bool,
    options: JsValue,
) -> JsResult<JsValue> {
    let run = || -> Result<JsValue, Error> {
        let project = project(&supabase_url)?;
        let verifier = pkce.then(|| {
            let mut bytes = [0u8; VERIFIER_BYTES];
            get_random_values(&mut bytes);
            Verifier::from_random(&bytes)
        });
        let req = request(&options, verifier.as_ref().map(Verifier::challenge))?;
        let out = object();
        set(&out, "url", &req.url(&project).into());
        if let Some(v) = verifier {
            set(&out, "verifierKey", &verifier_key(storage_key).into());
            set(&out, "verifierValue", &v.stored_json().into());
        }
        Ok(out.into())
    };
    run().map_err(js_error)
}
