//! The authorize vectors in headless Chromium, through the wasm exports with the browser's own
//! `URL` parser and `crypto.getRandomValues`, as the JS shell calls them.
#![allow(clippy::indexing_slicing)] // test code: serde_json indexing returns Null, never panics
#![cfg(target_arch = "wasm32")]

mod common;

use common::{cases, expectation, expected_url, map_authorize, Expect, AUTHORIZE};
use serde_json::Value;
use supabase_workos::npm::decide;
use supabase_workos::protocol::pkce::{Verifier, VERIFIER_BYTES};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = URL)]
    type Url;
    #[wasm_bindgen(constructor, catch, js_class = URL)]
    fn new(input: &str) -> Result<Url, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn protocol(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    fn origin(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    fn hostname(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    fn pathname(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    fn search(this: &Url) -> String;
    #[wasm_bindgen(method, getter)]
    fn hash(this: &Url) -> String;
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    fn get_random_values(buf: &mut [u8]);
}

/// What the shell passes for a URL: the browser's parse, newline-joined.
fn parts(url: &str) -> Option<String> {
    let u = Url::new(url).ok()?;
    let bare = if u.search().is_empty() && u.hash().is_empty() {
        "1"
    } else {
        "0"
    };
    Some(
        [
            u.protocol(),
            u.origin(),
            u.hostname(),
            u.pathname(),
            bare.into(),
        ]
        .join("\n"),
    )
}

/// An optional field of the core's input, as the shell writes it.
fn field(v: Option<String>) -> String {
    v.map_or(String::new(), |s| format!("+{s}"))
}

/// `createClient`'s question to the core, as the shell asks it.
fn client(
    url: Option<String>,
    key: Option<String>,
    flow: Option<String>,
    storage_key: Option<String>,
) -> String {
    decide(
        &[
            "c".into(),
            field(url),
            field(key),
            field(flow),
            field(storage_key),
        ]
        .join("\0"),
    )
}

/// `signInWithWorkOS`'s question to the core, as the shell asks it.
#[allow(clippy::too_many_arguments)]
fn sign_in(
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
    flow: Option<String>,
    challenge: Option<String>,
) -> String {
    // The shell makes the verifier from 56 random bytes and its challenge with crypto.subtle;
    // here the sha2 and base64 crates stand in for the latter.
    let verifier = random.and_then(|r| {
        let bytes: [u8; VERIFIER_BYTES] = (*r).try_into().ok()?;
        Some(Verifier::from_random(&bytes))
    });
    let (flow, challenge) = match &verifier {
        Some(v) => (Some("pkce".into()), Some(common::s256(v.secret()))),
        None => (flow, challenge),
    };
    decide(
        &[
            "s".into(),
            field(url),
            field(redirect),
            storage_key.into(),
            field(connection),
            field(organization),
            field(provider),
            field(redirect_to),
            field(scopes),
            field(login_hint),
            field(domain_hint),
            query.into(),
            field(verifier.map(|v| v.secret().into())),
            field(flow),
            field(challenge),
            // `buildAuthorizeUrl` and the vectors' PKCE sign-ins carry no implicit nonce.
            String::new(),
            String::new(),
        ]
        .join("\0"),
    )
}

fn opt(v: &Value, key: &str) -> Option<String> {
    v[key].as_str().map(String::from)
}

/// The shell's `queryParams` encoding: `URLSearchParams` over the non-null values.
fn query(v: &Value) -> Result<String, ()> {
    match v {
        Value::Null => Ok(String::new()),
        Value::Object(m) => {
            let mut out = String::new();
            for (k, v) in m {
                let v = match v {
                    Value::Null => continue,
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    Value::Bool(b) => b.to_string(),
                    _ => return Err(()),
                };
                if !out.is_empty() {
                    out.push('&');
                }
                supabase_workos::protocol::encode::form_component(&mut out, k);
                out.push('=');
                supabase_workos::protocol::encode::form_component(&mut out, &v);
            }
            Ok(out)
        }
        _ => Err(()),
    }
}

fn outcome(json: &str) -> Result<Value, String> {
    let v: Value = serde_json::from_str(json).expect("the core answers JSON");
    match v.get("error") {
        Some(e) => {
            assert!(e["name"].as_str().is_some_and(|n| n.starts_with("Auth")));
            assert!(e["status"].is_u64());
            Err(e["code"].as_str().expect("code").to_owned())
        }
        None => Ok(v),
    }
}

fn build(
    supabase_url: &str,
    o: &Value,
    random: Option<Box<[u8]>>,
    challenge: Option<String>,
) -> Result<Value, String> {
    let Ok(q) = query(&o["queryParams"]) else {
        return Err("invalid_options".into());
    };
    let redirect = opt(o, "redirectTo")
        .filter(|r| !r.is_empty())
        .and_then(|r| parts(&r));
    let flow = challenge.as_ref().map(|_| String::from("pkce"));
    outcome(&sign_in(
        parts(supabase_url),
        redirect,
        "sb-key",
        opt(o, "connection"),
        opt(o, "organization"),
        opt(o, "provider"),
        opt(o, "redirectTo"),
        opt(o, "scopes"),
        opt(o, "loginHint"),
        opt(o, "domainHint"),
        &q,
        random,
        flow,
        challenge,
    ))
}

#[test]
fn every_authorize_vector_matches_or_is_a_listed_difference_in_the_browser() {
    let verifier = Verifier::from_string("0123456789abcdef0123456789abcdef0123456789abcdef".into());
    let challenge = common::s256(verifier.secret());
    let mut checked = 0;
    for case in cases(AUTHORIZE) {
        let m = map_authorize(&case);
        let got = build(
            &m.supabase_url,
            &m.options,
            None,
            m.pkce.then(|| challenge.clone()),
        );
        match expectation(&case.id) {
            Expect::Refused(code) => {
                assert_eq!(got.map(|_| ()), Err(code.to_owned()), "{}", case.id)
            }
            _ => {
                let want = expected_url(&case, &challenge).expect("url");
                assert_eq!(
                    got.map(|v| v["url"].clone()),
                    Ok(Value::from(want)),
                    "{}",
                    case.id
                );
                let key = match &m.storage_key {
                    Some(k) => k.clone(),
                    None => {
                        let c = outcome(&client(parts(&m.supabase_url), None, None, None))
                            .expect("client");
                        c["storageKey"].as_str().expect("key").to_owned()
                    }
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
    assert_eq!(checked, 53);
}

#[test]
fn a_sign_in_stores_a_verifier_that_hashes_to_the_url_challenge() {
    let opts =
        serde_json::json!({ "organization": "org_1", "redirectTo": "https://app.example.com/cb" });
    let random = || {
        let mut bytes = vec![0u8; 56];
        get_random_values(&mut bytes);
        Some(bytes.into_boxed_slice())
    };
    let a = build("https://abcd.supabase.co", &opts, random(), None).expect("plan");
    let b = build("https://abcd.supabase.co", &opts, random(), None).expect("plan");
    assert_eq!(a["verifierKey"], "sb-key-code-verifier");
    let stored = a["verifierValue"].as_str().expect("value");
    let verifier: String = serde_json::from_str(stored).expect("a JSON string");
    assert_eq!(verifier.len(), 112);
    assert!(verifier
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
    let expected = [
        "https://abcd.supabase.co/auth/v1/authorize?provider=workos&redirect_to=https%3A%2F%2Fapp.example.com%2Fcb&code_challenge=",
        &common::s256(&verifier),
        "&code_challenge_method=s256&organization=org_1",
    ]
    .concat();
    assert_eq!(a["url"], Value::from(expected));
    assert_ne!(
        b["verifierValue"], a["verifierValue"],
        "fresh randomness each time"
    );
}

#[test]
fn bad_input_gives_coded_errors() {
    let cases = [
        ("https://a.co", serde_json::json!({}), "missing_selector"),
        (
            "https://a.co",
            serde_json::json!({"connection": "c", "organization": "o"}),
            "ambiguous_selector",
        ),
        (
            "https://a.co",
            serde_json::json!({"provider": "Okta"}),
            "invalid_provider",
        ),
        (
            "https://a.co",
            serde_json::json!({"connection": "c", "queryParams": {"redirect_uri": "x"}}),
            "invalid_options",
        ),
        (
            "https://a.co",
            serde_json::json!({"connection": "c", "redirectTo": "/cb"}),
            "invalid_options",
        ),
        (
            "https://a.co",
            serde_json::json!({"connection": "c", "redirectTo": "http://[bad"}),
            "invalid_options",
        ),
        (
            "/relative",
            serde_json::json!({"connection": "c"}),
            "invalid_options",
        ),
        (
            "not a url",
            serde_json::json!({"connection": "c"}),
            "invalid_options",
        ),
        (
            "ftp://a.co",
            serde_json::json!({"connection": "c"}),
            "invalid_options",
        ),
    ];
    for (url, opts, code) in cases {
        assert_eq!(
            build(url, &opts, None, None).map(|_| ()),
            Err(code.to_owned()),
            "{url} {opts}"
        );
    }
    for (url, key) in [("https://a.co", Some("")), ("mailto:x@y", Some("k"))] {
        let got = outcome(&client(parts(url), key.map(String::from), None, None));
        assert_eq!(got.map(|_| ()), Err("invalid_options".to_owned()));
    }
    let got = outcome(&client(
        parts("https://a.co"),
        Some("k".into()),
        Some("hybrid".into()),
        None,
    ));
    assert_eq!(got.map(|_| ()), Err("invalid_options".to_owned()));
}

#[test]
fn the_client_reports_auth_url_storage_key_and_flow() {
    let c = outcome(&client(
        parts("HTTP://127.0.0.1:54321"),
        Some("anon".into()),
        None,
        None,
    ))
    .expect("client");
    assert_eq!(c["authUrl"], "http://127.0.0.1:54321/auth/v1");
    assert_eq!(c["storageKey"], "sb-127-auth-token");
    assert_eq!(c["pkce"], true);
    let c = outcome(&client(
        parts("https://x.example.com/base"),
        Some("anon".into()),
        Some("implicit".into()),
        Some("custom".into()),
    ))
    .expect("client");
    assert_eq!(c["authUrl"], "https://x.example.com/base/auth/v1");
    assert_eq!(c["storageKey"], "custom");
    assert_eq!(c["pkce"], false);
}
