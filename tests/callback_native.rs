//! The callback parser, natively: the recorded vectors, the deliberate differences, hostile
//! input, and properties that must hold for any URL.
#![allow(clippy::indexing_slicing)] // test code: serde_json indexing returns Null, never panics
#![cfg(not(target_arch = "wasm32"))]

mod common;

use proptest::prelude::*;
use supabase_workos::protocol::api;
use supabase_workos::protocol::callback::{form_decode, parse, strict_uint, Callback, AUTH_KEYS};
use supabase_workos::protocol::error::{ErrorCode, ServerDetail};
use supabase_workos::protocol::session::{
    api_error, base64url_decode, jwt_exp, jwt_payload, resolve_expiry, whole_seconds, ErrorBody,
};

const CALLBACK: &str = include_str!("vectors/callback.json");
const BASE: &str = "https://app.example.com/auth/callback";

fn kind(c: &Result<Callback, supabase_workos::Error>) -> &'static str {
    match c {
        Ok(Callback::None) => "none",
        Ok(Callback::Implicit(_)) => "implicit",
        Ok(Callback::Pkce { .. }) => "pkce",
        Ok(Callback::Error(_)) => "error",
        Err(_) => "invalid",
    }
}

#[test]
fn every_callback_vector_parses_as_expected() {
    let all = common::cases(CALLBACK);
    assert_eq!(all.len(), 59);
    for case in &all {
        let url = case.input["url"].as_str().expect("url");
        let parsed = parse(url);
        let e = &case.expected;
        let init_error = e["initialize"]["error"]["name"].as_str();
        let pp = &e["parsedParams"];
        // What the vector shows supabase-js doing, in our terms, with the deliberate differences.
        let want = match case.id.as_str() {
            "implicit-duplicated-keys" | "pkce-duplicated-code" => "invalid",
            "implicit-semicolon-separator"
            | "implicit-missing-refresh_token"
            | "implicit-only-access_token" => "invalid",
            "implicit-missing-expires_in" => "implicit",
            _ if pp.get("error").is_some() || pp.get("error_description").is_some() => "error",
            _ if pp.get("access_token").is_some() => "implicit",
            _ if pp["code"].as_str().is_some_and(|c| !c.is_empty()) => "pkce",
            _ => "none",
        };
        assert_eq!(kind(&parsed.callback), want, "{}", case.id);
        if want == "none" {
            assert_eq!(parsed.cleaned, None, "{}: nothing to clean", case.id);
        } else {
            let cleaned = parsed.cleaned.as_deref().expect("cleaned");
            for key in AUTH_KEYS {
                assert!(
                    !cleaned.contains(&[key, "="].concat()),
                    "{}: {key} left",
                    case.id
                );
            }
            assert!(!cleaned.ends_with('#'), "{}", case.id);
        }
        match &parsed.callback {
            Ok(Callback::Implicit(p)) => {
                assert_eq!(
                    Some(p.access_token.expose()),
                    pp["access_token"].as_str(),
                    "{}",
                    case.id
                );
                assert_eq!(
                    Some(p.refresh_token.expose()),
                    pp["refresh_token"].as_str(),
                    "{}",
                    case.id
                );
                assert_eq!(
                    p.provider_token.as_ref().map(|s| s.expose()),
                    pp["provider_token"].as_str()
                );
                assert_eq!(
                    p.expires_in,
                    pp["expires_in"].as_str().and_then(strict_uint),
                    "{}",
                    case.id
                );
                assert_eq!(p.recovery, pp["type"] == "recovery");
            }
            Ok(Callback::Pkce { code, flow_id }) => {
                assert_eq!(Some(code.expose()), pp["code"].as_str());
                assert_eq!(*flow_id, None);
            }
            Ok(Callback::Error(err)) => {
                assert_eq!(init_error, Some("AuthImplicitGrantRedirectError"));
                assert_eq!(
                    err.message(),
                    e["initialize"]["error"]["message"]
                        .as_str()
                        .expect("message")
                );
                let details = &e["initialize"]["error"]["details"];
                let detail = err.server().expect("detail");
                assert_eq!(
                    detail.error.as_deref().unwrap_or("unspecified_error"),
                    details["error"]
                );
                assert_eq!(
                    detail.code.as_deref().unwrap_or("unspecified_code"),
                    details["code"]
                );
            }
            _ => {}
        }
        check_user_answer(case);
    }
}

/// A scripted `/user` answer as the core reads it, against what supabase-js made of it: a user
/// (bare or wrapped as `{"user":{…}}`) where it kept a session, else an error of the same name.
fn check_user_answer(case: &common::Case) {
    let Some(answer) = case.input["server"].get("user") else {
        return;
    };
    let e = &case.expected;
    let status = u16::try_from(answer["status"].as_u64().expect("status")).expect("a status");
    let body = answer.get("body");
    let text = match (answer["rawBody"].as_str(), body) {
        (Some(raw), _) => raw.to_owned(),
        (None, Some(b)) => b.to_string(),
        (None, None) => String::new(),
    };
    if (200..300).contains(&status) {
        if let Some(body) = body {
            let token = e["parsedParams"]["access_token"].as_str().expect("token");
            let got: serde_json::Value =
                serde_json::from_str(&api::checked_user(&text, None, token)).expect("json");
            let session = &e["getSession"]["session"];
            assert!(
                !session.is_null(),
                "{}: supabase-js kept no session",
                case.id
            );
            assert_eq!(got.get("error"), None, "{}", case.id);
            let wrapped = body.get("user").is_some();
            assert_eq!(got["wrapped"], wrapped, "{}", case.id);
            let user = if wrapped { &body["user"] } else { body };
            assert_eq!(&session["user"], user, "{}: the user stored", case.id);
            return;
        }
    }
    let field = |k: &str| body.and_then(|b| b[k].as_str()).map(str::to_owned);
    let fields = body.filter(|b| b.is_object()).map(|_| ErrorBody {
        code: field("code"),
        error_code: field("error_code"),
        messages: [
            field("msg"),
            field("message"),
            field("error_description"),
            field("error"),
        ],
        error: field("error"),
    });
    let versioned = answer["headers"].get("x-supabase-api-version").is_some();
    let ours: serde_json::Value =
        serde_json::from_str(&api::request_error(status, fields, versioned)).expect("json");
    let (ours, theirs) = (&ours["error"], &e["initialize"]["error"]);
    assert_eq!(ours["name"], theirs["name"], "{}", case.id);
    if case.id == "user-403-session_not_found" {
        // supabase-js's AuthSessionMissingError is status 400 with no code; ours keeps the
        // server's status and code.
        assert_eq!(
            (&ours["status"], &ours["code"]),
            (&403.into(), &"session_not_found".into())
        );
    } else {
        assert_eq!(ours["status"], theirs["status"], "{}", case.id);
    }
}

#[test]
fn implicit_cleaning_keeps_the_app_query_and_leaves_no_hash() {
    let p = parse("https://app.example.com/cb?next=%2Fdash&x=a+b#access_token=a.b.c&refresh_token=r&token_type=bearer&expires_in=3600&sb=");
    assert_eq!(
        p.cleaned.as_deref(),
        Some("https://app.example.com/cb?next=%2Fdash&x=a+b")
    );
}

#[test]
fn hash_router_callback_is_read_and_the_route_kept() {
    // Supabase Auth appends a second `#` when redirect_to already had a fragment.
    let url = "https://app.example.com/#/dashboard?tab=1#access_token=a.b.c&expires_at=1767229200&expires_in=3600&refresh_token=r1&sb=&token_type=bearer";
    let p = parse(url);
    let Ok(Callback::Implicit(params)) = &p.callback else {
        panic!("implicit")
    };
    assert_eq!(params.refresh_token.expose(), "r1");
    assert_eq!(params.expires_at, Some(1767229200));
    assert_eq!(
        p.cleaned.as_deref(),
        Some("https://app.example.com/#/dashboard?tab=1")
    );
}

#[test]
fn pkce_callback_keeps_the_fragment_and_reads_the_flow_id() {
    let p = parse("https://app.example.com/cb?b=2&code=c-1&sb_flow_id=0123456789abcdef0123456789abcdef&a=1#frag");
    assert_eq!(
        p.cleaned.as_deref(),
        Some("https://app.example.com/cb?b=2&a=1#frag")
    );
    let Ok(Callback::Pkce { code, flow_id }) = &p.callback else {
        panic!("pkce")
    };
    assert_eq!(code.expose(), "c-1");
    assert_eq!(flow_id.as_deref(), Some("0123456789abcdef0123456789abcdef"));
    let bad = parse("https://app.example.com/cb?code=c-1&sb_flow_id=../../x");
    assert_eq!(
        bad.callback.map_err(|e| e.code()),
        Err(ErrorCode::InvalidCallback)
    );
}

#[test]
fn error_in_both_query_and_fragment_reads_the_query_and_removes_both() {
    let url = "https://app.example.com/cb?error=access_denied&error_code=signup_disabled&error_description=Signups+not+allowed+for+this+instance#error=access_denied&error_code=signup_disabled&error_description=Signups%2Bnot%2Ballowed&sb=";
    let p = parse(url);
    let Ok(Callback::Error(e)) = &p.callback else {
        panic!("error")
    };
    assert_eq!(e.code_str(), "signup_disabled");
    assert_eq!(e.message(), "Signups not allowed for this instance");
    assert_eq!(e.status(), 500);
    assert_eq!(p.cleaned.as_deref(), Some("https://app.example.com/cb"));
}

#[test]
fn a_key_repeated_across_query_and_fragment_is_not_pollution_but_within_one_is() {
    let both = parse("https://a.co/?refresh_token=q#access_token=a&refresh_token=f&token_type=bearer&expires_in=60");
    let Ok(Callback::Implicit(p)) = both.callback else {
        panic!("implicit")
    };
    assert_eq!(p.refresh_token.expose(), "q", "the query wins");
    let twice = parse("https://a.co/#access_token=a&access_token=b&refresh_token=f&token_type=bearer&expires_in=60");
    assert_eq!(
        twice.callback.map_err(|e| e.code()),
        Err(ErrorCode::InvalidCallback)
    );
    assert_eq!(twice.cleaned.as_deref(), Some("https://a.co/"));
    let app_repeat = parse(
        "https://a.co/?tag=1&tag=2#access_token=a&refresh_token=f&token_type=bearer&expires_in=60",
    );
    assert!(app_repeat.callback.is_ok(), "the app's own keys may repeat");
    assert_eq!(
        app_repeat.cleaned.as_deref(),
        Some("https://a.co/?tag=1&tag=2")
    );
}

#[test]
fn hostile_input_is_a_typed_result_never_a_panic() {
    let big = [
        "https://a.co/#access_token=",
        &"x".repeat(1 << 20),
        "&refresh_token=r&token_type=bearer",
    ]
    .concat();
    let p = parse(&big);
    assert!(matches!(p.callback, Ok(Callback::Implicit(_))));
    assert_eq!(p.cleaned.as_deref(), Some("https://a.co/"));
    for url in [
        "https://a.co/#access_token=%",
        "https://a.co/#access_token=%E",
        "https://a.co/#access_token=%FF%FE&refresh_token=%00&token_type=%0A",
        "https://a.co/#access_token=a\u{0}b&refresh_token=\u{7}&token_type=\r\n",
        "https://a.co/##",
        "https://a.co/?#&&&=&=",
        "#",
        "",
        "?code",
        "https://a.co/#=access_token",
    ] {
        let p = parse(url);
        if let Some(c) = &p.cleaned {
            assert!(!c.contains("access_token="), "{url}");
        }
    }
    assert_eq!(form_decode("%ZZ%E0%A4%A"), "%ZZ\u{FFFD}%A");
    assert_eq!(form_decode("a+b%20c%2B"), "a b c+");
}

#[test]
fn debug_output_never_shows_a_token() {
    let p = parse("https://a.co/#access_token=SECRET-AT&refresh_token=SECRET-RT&token_type=bearer&expires_in=60&provider_token=SECRET-PT");
    let shown = format!("{p:?}");
    assert!(!shown.contains("SECRET"), "{shown}");
    let p = parse("https://a.co/?code=SECRET-CODE");
    assert!(!format!("{p:?}").contains("SECRET"));
}

#[test]
fn strict_integers() {
    assert_eq!(strict_uint("3600"), Some(3600));
    assert_eq!(strict_uint("0"), Some(0));
    for bad in [
        "",
        "-60",
        "1e3",
        " 3600",
        "3600abc",
        "36.0",
        "+1",
        "1234567890123456",
    ] {
        assert_eq!(strict_uint(bad), None, "{bad}");
    }
    assert_eq!(whole_seconds(1.5), None);
    assert_eq!(whole_seconds(-1.0), None);
    assert_eq!(whole_seconds(f64::NAN), None);
    assert_eq!(whole_seconds(f64::INFINITY), None);
    assert_eq!(whole_seconds(1767229200.0), Some(1767229200));
}

#[test]
fn expiry_prefers_the_url_then_the_jwt_then_expires_in() {
    let now = 1_767_225_600;
    assert_eq!(
        resolve_expiry(Some(now + 100), Some(now + 200), Some(300), now),
        Some((now + 100, 300))
    );
    assert_eq!(
        resolve_expiry(None, Some(now + 200), Some(300), now),
        Some((now + 200, 300))
    );
    assert_eq!(
        resolve_expiry(None, None, Some(300), now),
        Some((now + 300, 300))
    );
    assert_eq!(
        resolve_expiry(None, Some(now + 200), None, now),
        Some((now + 200, 200))
    );
    assert_eq!(resolve_expiry(None, None, None, now), None);
    assert_eq!(
        resolve_expiry(Some(now - 10), None, None, now),
        Some((now - 10, 0))
    );
}

#[test]
fn jwt_payloads_decode_and_non_jwts_do_not() {
    // {"sub":"u1","exp":4102444800}
    assert_eq!(
        jwt_payload("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsImV4cCI6NDEwMjQ0NDgwMH0.c2ln").as_deref(),
        Some(r#"{"sub":"u1","exp":4102444800}"#)
    );
    for bad in ["opaque-token", "a.b", "a.b.c.d", "a.!!!.c"] {
        assert_eq!(jwt_payload(bad), None, "{bad}");
    }
    // A payload that is not UTF-8 is read lossily; it has no claims to find.
    assert_eq!(jwt_payload("a.wA.c").as_deref(), Some("\u{FFFD}"));
    assert_eq!(jwt_exp("a.wA.c"), None);
    assert_eq!(base64url_decode("Zm9vYg"), Some(b"foob".to_vec()));
    assert_eq!(base64url_decode("Zm9vYg=="), Some(b"foob".to_vec()));
    assert_eq!(base64url_decode("Z"), None);
}

#[test]
fn token_answers_need_tokens_and_a_user() {
    let answer = |extra: &str| {
        [r#"{"access_token":"a.b.c","token_type":"bearer","refresh_token":"r","user":{"id":"u"}"#, extra, "}"].concat()
    };
    let expiry = |text: &str| {
        serde_json::from_str::<serde_json::Value>(&api::token_session(text, 100)).expect("json")
    };
    assert_eq!(expiry(&answer(r#","expires_in":3600"#))["expiresAt"], 3700);
    assert_eq!(
        expiry(&answer(r#","expires_in":3600,"expires_at":5000"#))["expiresAt"],
        5000
    );
    assert_eq!(
        expiry(&answer(r#","expires_in":3600,"expires_at":1.5"#))["expiresAt"],
        3700
    );
    for broken in [
        r#"{"access_token":"a","refresh_token":"r","expires_in":60,"user":{"email":"x"}}"#,
        r#"{"access_token":"","refresh_token":"r","expires_in":60,"user":{"id":"u"}}"#,
        r#"{"access_token":"a","refresh_token":"","expires_in":60,"user":{"id":"u"}}"#,
        r#"{"access_token":"a","refresh_token":"r","user":{"id":"u"}}"#,
        r#"{"user":{"id":"u","access_token":"a","refresh_token":"r","expires_in":60}}"#,
        "{}",
        "[]",
        "null",
    ] {
        let out = expiry(broken);
        assert_eq!(out["error"]["code"], "invalid_token_response", "{broken}");
        assert_eq!(out["error"]["name"], "AuthInvalidTokenResponseError");
        assert_eq!(out["error"]["status"], 500);
    }
}

#[test]
fn stored_sessions_are_used_or_removed() {
    let stored = |raw: Option<&str>, now_ms: u64| {
        serde_json::from_str::<serde_json::Value>(&api::stored_session(raw, now_ms, 0.0))
            .expect("json")
    };
    let good = r#"{"access_token":"a.b.c","refresh_token":"r","expires_in":3600,"expires_at":5000,"user":{"id":"u"}}"#;
    let at = |s: u64| s * 1000;
    assert_eq!(
        stored(Some(good), at(1400)),
        serde_json::json!({"expiresAt": 5000, "refresh": false, "delay": 3_510_000})
    );
    assert_eq!(stored(Some(good), at(4910))["refresh"], true);
    assert_eq!(stored(None, 0), serde_json::json!({}));
    for corrupt in [
        "",
        "{}",
        "[1]",
        r#"{"access_token":"a","refresh_token":"r","expires_at":5000}"#,
        r#"{"access_token":"a","refresh_token":"r","user":{"id":"u"}}"#,
    ] {
        assert_eq!(
            stored(Some(corrupt), 0),
            serde_json::json!({"corrupt": true}),
            "{corrupt}"
        );
    }
    // No expires_at (as supabase-js sometimes stores a PKCE session): the JWT's exp.
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsImV4cCI6NDEwMjQ0NDgwMH0.c2ln";
    let no_at = [
        r#"{"access_token":""#,
        jwt,
        r#"","refresh_token":"r","user":{"id":"u"}}"#,
    ]
    .concat();
    assert_eq!(stored(Some(&no_at), 0)["expiresAt"], 4_102_444_800u64);
}

#[test]
fn callback_answers_are_flat_json_for_the_shell() {
    let read = |href: &str| {
        serde_json::from_str::<serde_json::Value>(&api::callback(href, 1_767_225_600))
            .expect("json")
    };
    let v = read("https://a.co/cb?x=1#access_token=a.b.c&expires_in=3600&refresh_token=r1&token_type=bearer&provider_token=p");
    assert_eq!(v["type"], "implicit");
    assert_eq!(v["clean"], "https://a.co/cb?x=1");
    assert_eq!(
        serde_json::to_string(&v["params"]).expect("params"),
        r#"{"access_token":"a.b.c","expires_at":1767229200,"expires_in":3600,"provider_token":"p","refresh_token":"r1","token_type":"bearer"}"#,
        "(serde_json sorts keys; the key order itself is checked in the browser vectors)"
    );
    let raw = api::callback("https://a.co/#access_token=a.b.c&expires_in=60&refresh_token=r&token_type=bearer&provider_token=p", 0);
    assert!(raw.contains(r#""params":{"provider_token":"p","access_token":"a.b.c","expires_in":60,"expires_at":60,"refresh_token":"r","token_type":"bearer"}"#), "{raw}");
    let e = read("https://a.co/?error=access_denied&error_description=No#error=access_denied");
    assert_eq!(e["type"], "error");
    assert_eq!(
        e["error"]["details"],
        serde_json::json!({"error": "access_denied", "code": "unspecified_code"})
    );
    assert_eq!(
        read("https://a.co/#access_token=opaque&refresh_token=r&token_type=bearer")["type"],
        "invalid"
    );
    assert_eq!(
        read("https://a.co/?code=c&sb_flow_id=0123456789abcdef")["flowId"],
        "0123456789abcdef"
    );
    assert_eq!(read("https://a.co/"), serde_json::json!({"type": "none"}));
}

#[test]
fn server_errors_decode_both_shapes() {
    let body = |code: Option<&str>,
                error_code: Option<&str>,
                msg: Option<&str>,
                message: Option<&str>| ErrorBody {
        code: code.map(Into::into),
        error_code: error_code.map(Into::into),
        messages: [msg.map(Into::into), message.map(Into::into), None, None],
        error: None,
    };
    let versioned = api_error(
        404,
        Some(body(
            Some("flow_state_not_found"),
            None,
            None,
            Some("invalid flow state"),
        )),
        true,
    );
    assert_eq!(
        (versioned.code(), versioned.code_str(), versioned.status()),
        (ErrorCode::Api, "flow_state_not_found", 404)
    );
    assert_eq!(versioned.message(), "invalid flow state");
    let legacy = api_error(
        400,
        Some(body(
            None,
            Some("refresh_token_not_found"),
            Some("Invalid Refresh Token"),
            None,
        )),
        false,
    );
    assert_eq!(
        (legacy.code_str(), legacy.message()),
        ("refresh_token_not_found", "Invalid Refresh Token")
    );
    // A numeric legacy `code` is not an error code.
    let numeric = api_error(
        400,
        Some(body(None, Some("validation_failed"), Some("bad"), None)),
        false,
    );
    assert_eq!(numeric.code_str(), "validation_failed");
    let down = api_error(503, Some(body(None, None, None, Some("down"))), false);
    assert_eq!(
        (down.code(), down.code_str(), down.status()),
        (ErrorCode::RetryableFetch, "retryable_fetch_error", 503)
    );
    let network = api_error(0, None, false);
    assert_eq!(
        (network.code(), network.status()),
        (ErrorCode::RetryableFetch, 0)
    );
    let garbage = api_error(200, None, false);
    assert_eq!(
        (garbage.code(), garbage.status()),
        (ErrorCode::RetryableFetch, 0)
    );
    let refused = api_error(401, None, false);
    assert_eq!(
        (refused.code(), refused.code_str(), refused.status()),
        (ErrorCode::Api, "unexpected_failure", 401)
    );
    let detail: &ServerDetail = versioned.server().expect("detail");
    assert_eq!(detail.status, 404);
}

fn auth_key() -> impl Strategy<Value = String> {
    prop::sample::select(AUTH_KEYS.to_vec()).prop_map(String::from)
}

fn component() -> impl Strategy<Value = String> {
    prop::string::string_regex("[a-zA-Z0-9%+=&#?/._~ -]{0,12}").expect("regex")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn utf8_decoding_matches_std(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        prop_assert_eq!(supabase_workos::protocol::callback::utf8_lossy(&bytes), String::from_utf8_lossy(&bytes).into_owned());
    }

    #[test]
    fn utf8_decoding_matches_std_near_valid_text(s in "\\PC{0,16}", cut in 0..64usize, flip in any::<u8>()) {
        let mut bytes = s.into_bytes();
        if !bytes.is_empty() {
            let at = cut % bytes.len();
            bytes[at] ^= flip;
            bytes.truncate(bytes.len().saturating_sub(cut % 3));
        }
        prop_assert_eq!(supabase_workos::protocol::callback::utf8_lossy(&bytes), String::from_utf8_lossy(&bytes).into_owned());
    }

    #[test]
    fn parse_never_panics(s in "\\PC{0,200}") {
        let _ = parse(&s);
    }

    #[test]
    fn cleaned_urls_hold_no_auth_key_and_keep_every_app_pair(
        app in prop::collection::vec(("[a-z]{1,6}", "[a-z0-9]{0,6}"), 0..4),
        auth in prop::collection::vec((auth_key(), component()), 1..6),
        in_query in any::<bool>(),
    ) {
        let app: Vec<String> = app.into_iter()
            .filter(|(k, _)| !AUTH_KEYS.contains(&k.as_str()))
            .map(|(k, v)| [k, v].join("="))
            .collect();
        let auth: Vec<String> = auth.into_iter().map(|(k, v)| {
            let mut enc = String::new();
            supabase_workos::protocol::encode::form_component(&mut enc, &v);
            [k, enc].join("=")
        }).collect();
        let url = if in_query {
            [BASE, "?", &app.iter().chain(auth.iter()).cloned().collect::<Vec<_>>().join("&")].concat()
        } else {
            [BASE, "?", &app.join("&"), "#", &auth.join("&")].concat()
        };
        let parsed = parse(&url);
        if let Some(cleaned) = parsed.cleaned {
            let query = cleaned.split_once('?').map(|(_, q)| q.split('#').next().unwrap_or("")).unwrap_or("");
            for pair in query.split('&').filter(|p| !p.is_empty()) {
                let key = pair.split('=').next().unwrap_or("");
                prop_assert!(!AUTH_KEYS.contains(&key), "{} in {}", key, cleaned);
            }
            prop_assert!(!cleaned.contains('#'), "{}", cleaned);
            for pair in &app {
                prop_assert!(cleaned.contains(pair.as_str()), "{} lost from {}", pair, cleaned);
            }
        }
    }
}

#[test]
fn an_implicit_callback_needs_the_nonce_of_this_browsers_sign_in() {
    let nonce = "0123456789abcdef0123456789abcdef";
    assert!(api::implicit_pending(Some(nonce), Some(nonce)));
    // Another sign-in's nonce, none at all, or no sign-in pending: refused.
    let other = "fedcba9876543210fedcba9876543210";
    assert!(!api::implicit_pending(Some(nonce), Some(other)));
    assert!(!api::implicit_pending(Some(nonce), None));
    assert!(!api::implicit_pending(None, Some(nonce)));
    assert!(!api::implicit_pending(None, None));
    // A marker that is no nonce of ours (the old timestamp marker, a planted value) never
    // matches, even a callback that brings the same text.
    for bad in [
        "",
        "1767225500000",
        "abc",
        "0123456789ABCDEF0123456789ABCDEF",
    ] {
        assert!(!api::implicit_pending(Some(bad), Some(bad)), "{bad:?}");
    }
    let e: serde_json::Value =
        serde_json::from_str(&api::client_error("unsolicited_callback")).expect("json");
    assert_eq!(e["error"]["code"], "unsolicited_callback");
    assert_eq!(e["error"]["name"], "AuthImplicitGrantRedirectError");
    assert_eq!(e["error"]["status"], 400);
}

#[test]
fn empty_server_codes_and_messages_are_not_used() {
    // Found by the server_error fuzz target: an empty `code` made an error with an empty code.
    let body = ErrorBody {
        code: Some(String::new()),
        error_code: Some(String::new()),
        messages: [
            Some(String::new()),
            None,
            Some("described".into()),
            Some(String::new()),
        ],
        error: Some(String::new()),
    };
    let e = api_error(400, Some(body), true);
    assert_eq!(e.code_str(), "unexpected_failure");
    assert_eq!(e.message(), "described");
    assert_eq!(e.server().and_then(|s| s.error.as_deref()), None);
}

#[test]
fn clock_skew_is_judged_from_fresh_tokens() {
    // {"iat":1767225600}
    let token = "eyJhbGciOiJIUzI1NiJ9.eyJpYXQiOjE3NjcyMjU2MDB9.c2ln";
    let issued = 1_767_225_600_000u64;
    assert_eq!(
        api::clock_skew_ms(token, issued + 600_000, true),
        600_000.0,
        "10 min fast"
    );
    assert_eq!(
        api::clock_skew_ms(token, issued - 600_000, true),
        -600_000.0,
        "10 min slow"
    );
    assert_eq!(
        api::clock_skew_ms(token, issued + 5_000, true),
        0.0,
        "network time is not skew"
    );
    assert_eq!(
        api::clock_skew_ms(token, issued + 600_000, false),
        0.0,
        "a callback may be stale"
    );
    assert_eq!(
        api::clock_skew_ms(token, issued - 600_000, false),
        -600_000.0,
        "but not from the future"
    );
    // Any offset, however large, is corrected whole (a cap left a clock two days fast
    // refreshing each new token at once).
    for days in [2, 10, 400] {
        let off = days * 86_400_000;
        assert_eq!(api::clock_skew_ms(token, issued + off, true), off as f64);
        assert_eq!(api::clock_skew_ms(token, issued - off, true), -(off as f64));
    }
    assert_eq!(api::clock_skew_ms("opaque", issued, true), 0.0);
}

#[test]
fn a_cleaned_fragment_never_starts_with_a_question_marked_auth_key() {
    // `#x&?error=…` loses `x` (an auth key) and would keep `?error=…` first, which reads as
    // `error` once the leading `?` is dropped.
    let p = parse("https://app.example/cb#error=denied#code=1&?error=x&keep=1");
    let clean = p.cleaned.expect("cleaned");
    assert_eq!(clean, "https://app.example/cb#keep=1");
    assert!(!supabase_workos::protocol::callback::has_auth_keys(&clean));
}
