//! The authorize vectors in headless Chromium, through the exports as JS calls them: the
//! browser's own `URL` parser, `crypto.getRandomValues`, and JS `Error`s with codes.
#![allow(clippy::indexing_slicing)] // test code: serde_json indexing returns Null, never panics
#![cfg(target_arch = "wasm32")]

mod common;

use common::{cases, expectation, expected_url, map_authorize, Expect, AUTHORIZE};
use js_sys::{Reflect, JSON};
use supabase_workos::core::pkce::Verifier;
use supabase_workos::web::{build_authorize_url, client_config, plan_sign_in, storage_key_for};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

fn js(v: &serde_json::Value) -> JsValue {
    JSON::parse(&v.to_string()).expect("json")
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &key.into()).expect("field")
}

fn code_of(err: JsValue) -> String {
    assert!(err.is_instance_of::<js_sys::Error>(), "a real Error");
    let name = get(&err, "name").as_string().expect("name");
    assert!(name.starts_with("Auth"), "{name}");
    assert_eq!(get(&err, "status").as_f64(), Some(0.0));
    assert_eq!(get(&err, "__isAuthError"), JsValue::TRUE);
    get(&err, "code").as_string().expect("code")
}

#[test]
fn every_authorize_vector_matches_or_is_a_listed_difference_in_the_browser() {
    let verifier = Verifier::from_string("0123456789abcdef0123456789abcdef0123456789abcdef".into());
    let challenge = verifier.challenge();
    let mut checked = 0;
    for case in cases(AUTHORIZE) {
        let m = map_authorize(&case);
        let mut opts = m.options.clone();
        if m.pkce {
            opts["flowType"] = "pkce".into();
            opts["codeChallenge"] = challenge.clone().into();
        }
        let got = build_authorize_url(m.supabase_url.clone().into(), js(&opts));
        match expectation(&case.id) {
            Expect::Refused(code) => {
                assert_eq!(got.map_err(code_of), Err(code.to_owned()), "{}", case.id)
            }
            _ => {
                let want = expected_url(&case, &challenge).expect("url");
                assert_eq!(got.map_err(code_of), Ok(want), "{}", case.id);
                let key = match &m.storage_key {
                    Some(k) => k.clone(),
                    None => storage_key_for(m.supabase_url.clone().into()).expect("key"),
                };
                assert_eq!(
                    key,
                    case.expected["storageKey"].as_str().expect("key"),
                    "{}",
                    case.id
                );
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 41);
}

#[test]
fn plan_sign_in_stores_a_verifier_that_hashes_to_the_url_challenge() {
    let opts = js(
        &serde_json::json!({ "organization": "org_1", "redirectTo": "https://app.example.com/cb" }),
    );
    let a = plan_sign_in(
        "https://abcd.supabase.co".into(),
        "sb-abcd-auth-token",
        true,
        opts.clone(),
    )
    .expect("plan");
    let b = plan_sign_in(
        "https://abcd.supabase.co".into(),
        "sb-abcd-auth-token",
        true,
        opts,
    )
    .expect("plan");
    assert_eq!(
        get(&a, "verifierKey").as_string().as_deref(),
        Some("sb-abcd-auth-token-code-verifier")
    );
    let stored = get(&a, "verifierValue").as_string().expect("value");
    let verifier = JSON::parse(&stored)
        .expect("JSON")
        .as_string()
        .expect("a JSON string");
    assert_eq!(verifier.len(), 112);
    assert!(verifier
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
    let url = get(&a, "url").as_string().expect("url");
    let expected = [
        "https://abcd.supabase.co/auth/v1/authorize?provider=workos&redirect_to=https%3A%2F%2Fapp.example.com%2Fcb&code_challenge=",
        &Verifier::from_string(verifier).challenge(),
        "&code_challenge_method=s256&organization=org_1",
    ]
    .concat();
    assert_eq!(url, expected);
    assert_ne!(
        get(&b, "verifierValue").as_string(),
        Some(stored),
        "fresh randomness each time"
    );
}

#[test]
fn implicit_plan_has_no_verifier() {
    let opts = js(&serde_json::json!({ "provider": "GitHubOAuth" }));
    let plan = plan_sign_in("https://abcd.supabase.co".into(), "k", false, opts).expect("plan");
    assert!(get(&plan, "verifierKey").is_undefined());
    assert_eq!(
        get(&plan, "url").as_string().as_deref(),
        Some("https://abcd.supabase.co/auth/v1/authorize?provider=workos&workos_provider=GitHubOAuth")
    );
}

#[test]
fn lone_surrogates_become_replacement_characters() {
    let opts =
        JSON::parse(r#"{"connection":"x\ud800y","queryParams":{"k":"\udc00"}}"#).expect("json");
    assert_eq!(
        build_authorize_url("https://abcd.supabase.co".into(), opts).map_err(code_of).as_deref(),
        Ok("https://abcd.supabase.co/auth/v1/authorize?provider=workos&connection=x%EF%BF%BDy&k=%EF%BF%BD")
    );
}

#[test]
fn bad_input_gives_coded_errors() {
    let url = |u: &str| JsValue::from_str(u);
    let conn = || js(&serde_json::json!({ "connection": "c" }));
    let cases: Vec<(JsValue, JsValue, &str)> = vec![
        (url("https://a.co"), JsValue::UNDEFINED, "missing_selector"),
        (
            url("https://a.co"),
            js(&serde_json::json!({"connection": "c", "organization": "o"})),
            "ambiguous_selector",
        ),
        (
            url("https://a.co"),
            js(&serde_json::json!({"provider": "Okta"})),
            "invalid_provider",
        ),
        (
            url("https://a.co"),
            js(&serde_json::json!({"connection": "c", "queryParams": {"redirect_uri": "x"}})),
            "invalid_options",
        ),
        (
            url("https://a.co"),
            js(&serde_json::json!({"connection": "c", "queryParams": {"nested": {}}})),
            "invalid_options",
        ),
        (
            url("https://a.co"),
            js(&serde_json::json!({"connection": "c", "redirectTo": "/cb"})),
            "invalid_options",
        ),
        (
            url("https://a.co"),
            js(&serde_json::json!({"connection": "c", "redirectTo": "http://[bad"})),
            "invalid_options",
        ),
        (
            url("https://a.co"),
            js(&serde_json::json!({"connection": 5})),
            "invalid_options",
        ),
        (url("/relative"), conn(), "invalid_options"),
        (url("not a url"), conn(), "invalid_options"),
        (url("ftp://a.co"), conn(), "invalid_options"),
        (JsValue::NULL, conn(), "invalid_options"),
    ];
    for (u, o, code) in cases {
        assert_eq!(
            plan_sign_in(u, "k", true, o).map_err(code_of),
            Err(code.to_owned())
        );
    }
    for (u, k) in [
        ("https://a.co", JsValue::from_str("")),
        ("https://a.co", JsValue::UNDEFINED),
        ("mailto:x@y", "k".into()),
    ] {
        assert_eq!(
            client_config(u.into(), k, JsValue::UNDEFINED).map_err(code_of),
            Err("invalid_options".to_owned())
        );
    }
    let bad_flow = js(&serde_json::json!({ "flowType": "hybrid" }));
    assert_eq!(
        client_config("https://a.co".into(), "k".into(), bad_flow).map_err(code_of),
        Err("invalid_options".to_owned())
    );
}

#[test]
fn client_config_reports_auth_url_storage_key_and_flow() {
    let c = client_config(
        "HTTP://127.0.0.1:54321".into(),
        "anon".into(),
        JsValue::UNDEFINED,
    )
    .expect("config");
    assert_eq!(
        get(&c, "authUrl").as_string().as_deref(),
        Some("http://127.0.0.1:54321/auth/v1")
    );
    assert_eq!(
        get(&c, "storageKey").as_string().as_deref(),
        Some("sb-127-auth-token")
    );
    assert_eq!(get(&c, "pkce"), JsValue::TRUE);
    let opts = js(&serde_json::json!({ "flowType": "implicit", "storageKey": "custom" }));
    let c =
        client_config("https://x.example.com/base".into(), "anon".into(), opts).expect("config");
    assert_eq!(
        get(&c, "authUrl").as_string().as_deref(),
        Some("https://x.example.com/base/auth/v1")
    );
    assert_eq!(get(&c, "storageKey").as_string().as_deref(), Some("custom"));
    assert_eq!(get(&c, "pkce"), JsValue::FALSE);
}
