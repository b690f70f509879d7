//! The Rust API (`supabase_workos::browser`) in headless Chromium and Firefox, against the local
//! emulator that scripts/test-rust-api starts: every selector in both flows, WorkOS error
//! redirects, server faults, broken storage, the login-CSRF refusal, refresh, sign-out, events,
//! and the storage layout the JS package and supabase-js share.
#![cfg(all(target_arch = "wasm32", feature = "browser"))]
// Test code: an index out of range or a missing emulator is a failed test.
#![allow(
    clippy::indexing_slicing,
    clippy::type_complexity,
    clippy::option_env_unwrap
)]

mod browser;

trait UnwrapErr<E> {
    fn unwrap_err_or_else(self, f: impl FnOnce()) -> E;
}

impl<T, E> UnwrapErr<E> for Result<T, E> {
    fn unwrap_err_or_else(self, f: impl FnOnce()) -> E {
        match self {
            Ok(_) => {
                f();
                unreachable!()
            }
            Err(e) => e,
        }
    }
}

use browser::*;
use supabase_workos::browser::{
    AuthEvent, AuthState, Client, ErrorCode, Flow, Provider, Scope, Session, SignIn, StorageKind,
    Subscription,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::{wasm_bindgen_test as test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// Starts a sign-in that returns to this page and walks the redirect dance as `email` (or
/// cancels on the WorkOS page): the callback URL.
async fn callback_for(client: &Client, with: SignIn, email: Option<&str>, cancel: bool) -> String {
    let url = client
        .sign_in_with_workos(
            with.redirect_to(app_url("/callback"))
                .skip_browser_redirect(),
        )
        .await
        .expect("sign-in starts");
    follow(&url, email, cancel).await
}

/// The error a callback ends in.
async fn refused(client: &Client, callback: &str) -> supabase_workos::Error {
    client
        .handle_redirect_callback(Some(callback))
        .await
        .expect_err("the callback is refused")
}

/// Signs in through the emulator as `email`: the session.
async fn sign_in(client: &Client, with: SignIn, email: &str) -> Session {
    let callback = callback_for(client, with, Some(email), false).await;
    client
        .handle_redirect_callback(Some(&callback))
        .await
        .expect("the callback succeeds")
        .expect("a session")
}

/// A client of a storage key of its own, signed in as `email`, with its events recorded.
async fn signed_in(
    name: &str,
    flow: Flow,
    with: SignIn,
    email: &str,
) -> (String, Client, Session, Events, Subscription) {
    let key = unique_key(name);
    let c = client(&key, flow);
    let s = sign_in(&c, with, email).await;
    let events = Events::default();
    let sub = c.on_auth_state_change(events.record());
    (key, c, s, events, sub)
}

fn assert_no_secret(text: &str, session: &Session) {
    assert!(!text.contains(session.access_token.expose()));
    assert!(!text.contains(session.refresh_token.expose()));
}

#[test]
fn options_are_checked_when_the_client_is_built() {
    for (url, key) in [
        ("ftp://x.example", "k"),
        ("not a url", "k"),
        ("https://x.example/?a=1", "k"),
        ("https://x.example#f", "k"),
        ("https://x.example", ""),
    ] {
        let e = Client::new(url, key).expect_err(url);
        assert_eq!(e.code(), ErrorCode::InvalidOptions, "{url}");
    }
    let e = Client::builder("https://abcd.supabase.co", "k")
        .storage_key("")
        .build()
        .unwrap_err();
    assert_eq!(e.code_str(), "invalid_options");
    let c = Client::builder("https://abcd.supabase.co", "k")
        .detect_session_in_url(false)
        .build()
        .unwrap();
    assert_eq!(c.storage_key(), "sb-abcd-auth-token");
    let c = Client::builder("http://127.0.0.1:54321", "k")
        .detect_session_in_url(false)
        .build()
        .unwrap();
    assert_eq!(c.storage_key(), "sb-127-auth-token");
}

#[test]
async fn a_pkce_sign_in_stores_its_verifier_where_supabase_js_looks() {
    let key = unique_key("pkce-start");
    let c = client(&key, Flow::Pkce);
    let url = c
        .sign_in_with_workos(
            SignIn::connection("conn_emulator_okta")
                .redirect_to("https://app.example.com/cb")
                .login_hint("ada@example.com")
                .domain_hint("example.com")
                .query_param("prompt", "a b")
                .skip_browser_redirect(),
        )
        .await
        .unwrap();
    let verifier_text = stored(&format!("{key}-code-verifier")).expect("verifier stored");
    let verifier = parse(&verifier_text).as_string().expect("a JSON string");
    assert_eq!(verifier.len(), 112);
    assert!(verifier
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
    let challenge = s256(&verifier);
    assert_eq!(
        url,
        format!(
            "{}/auth/v1/authorize?provider=workos&redirect_to=https%3A%2F%2Fapp.example.com%2Fcb&code_challenge={challenge}&code_challenge_method=s256&connection=conn_emulator_okta&login_hint=ada%40example.com&domain_hint=example.com&prompt=a+b",
            auth_url()
        )
    );
    // A second sign-in replaces the verifier with a new one.
    c.sign_in_with_workos(SignIn::connection("conn_emulator_okta").skip_browser_redirect())
        .await
        .unwrap();
    assert_ne!(stored(&format!("{key}-code-verifier")), Some(verifier_text));
}

#[test]
async fn each_selector_names_its_key() {
    let key = unique_key("selectors");
    let c = client(&key, Flow::Implicit);
    let cases = [
        (SignIn::connection("conn_1"), "&connection=conn_1"),
        (SignIn::organization("org_1"), "&organization=org_1"),
        (
            SignIn::provider(Provider::GoogleOAuth),
            "&workos_provider=GoogleOAuth",
        ),
        (
            SignIn::provider(Provider::SalesforceOAuth),
            "&workos_provider=SalesforceOAuth",
        ),
    ];
    for (sign_in, expected) in cases {
        let url = c
            .sign_in_with_workos(sign_in.skip_browser_redirect())
            .await
            .unwrap();
        assert!(url.ends_with(expected), "{url}");
        assert!(!url.contains("code_challenge"), "implicit: {url}");
    }
    // The implicit flow keeps the login-CSRF marker instead of a verifier.
    let marker = stored(&format!("{key}-implicit-pending")).expect("marker");
    assert_eq!(marker.len(), 32, "a nonce of 16 random bytes");
    assert!(marker.bytes().all(|b| b.is_ascii_hexdigit()));
    let last = c
        .sign_in_with_workos(
            SignIn::connection("conn_1")
                .redirect_to("https://app.example.com/cb")
                .skip_browser_redirect(),
        )
        .await
        .unwrap();
    let marker = stored(&format!("{key}-implicit-pending")).unwrap();
    // It travels in redirect_to, as a fragment segment of its own.
    assert_eq!(
        query_param(&last, "redirect_to"),
        Some(format!("https://app.example.com/cb#sbw_nonce={marker}"))
    );
    assert_eq!(stored(&format!("{key}-code-verifier")), None);
}

#[test]
async fn bad_sign_in_input_stores_nothing() {
    let key = unique_key("bad-input");
    let c = client(&key, Flow::Pkce);
    let cases = [
        (SignIn::connection(""), "missing_selector"),
        (
            SignIn::connection("conn_1").redirect_to("javascript:alert(1)"),
            "invalid_options",
        ),
        (
            SignIn::connection("conn_1").query_param("state", "x"),
            "invalid_options",
        ),
        (
            SignIn::connection("conn_1")
                .query_param("a", "1")
                .query_param("a", "2"),
            "invalid_options",
        ),
        (
            SignIn::connection("conn_1")
                .login_hint("x")
                .query_param("login_hint", "y"),
            "invalid_options",
        ),
    ];
    for (sign_in, code) in cases {
        let e = c
            .sign_in_with_workos(sign_in.skip_browser_redirect())
            .await
            .unwrap_err();
        assert_eq!(e.code_str(), code);
        assert_eq!(stored(&format!("{key}-code-verifier")), None, "{code}");
    }
}

#[test]
async fn pkce_sign_in_for_each_selector() {
    let acme = Some("org_emulator_acme");
    let cases = [
        (
            SignIn::connection("conn_emulator_okta"),
            "ada@example.com",
            acme,
        ),
        (
            SignIn::organization("org_emulator_acme"),
            "grace@example.com",
            acme,
        ),
        (
            SignIn::provider(Provider::from_name("GoogleOAuth").expect("a provider")),
            "katherine@example.org",
            None,
        ),
        (
            SignIn::provider(Provider::GitHubOAuth),
            "alan@example.org",
            None,
        ),
    ];
    for (with, email, organization) in cases {
        let key = unique_key("pkce");
        let c = client(&key, Flow::Pkce);
        let events = Events::default();
        let _sub = c.on_auth_state_change(events.record());
        let session = sign_in(&c, with, email).await;
        assert_eq!(session.user.email.as_deref(), Some(email));
        // WorkOS's organization and connection, from the user's custom claims.
        assert_eq!(session.user.organization_id().as_deref(), organization);
        let connection = session.user.connection_id().expect("a connection");
        assert!(connection.starts_with("conn_emulator_"), "{connection}");
        if organization.is_some() {
            assert_eq!(connection, "conn_emulator_okta");
        }
        assert_eq!(session.token_type, "bearer");
        assert!(session.expires_at() > (js_sys::Date::now() / 1000.0) as u64);
        // Stored as supabase-js stores it, and the verifier is spent.
        let text = stored(&key).expect("stored");
        let v = parse(&text);
        assert_eq!(
            get(&v, "access_token").as_string().as_deref(),
            Some(session.access_token.expose())
        );
        assert_eq!(
            get(&v, "expires_at").as_f64(),
            Some(session.expires_at() as f64)
        );
        assert_eq!(
            get(&get(&v, "user"), "email").as_string().as_deref(),
            Some(email)
        );
        assert_eq!(
            get(&get(&get(&v, "user"), "app_metadata"), "provider")
                .as_string()
                .as_deref(),
            Some("workos")
        );
        assert_eq!(stored(&format!("{key}-code-verifier")), None);
        assert_eq!(
            c.access_token().as_deref(),
            Some(session.access_token.expose())
        );
        assert!(wait_until(2000, || events.count(AuthEvent::SignedIn) == 1).await);
        assert_eq!(events.names()[0], AuthEvent::InitialSession);
        assert_eq!(events.count(AuthEvent::SignedIn), 1, "{email}");
        // The same callback again: its code is spent, and the verifier with it.
        let e = c
            .handle_redirect_callback(Some(
                "https://app.example/cb?code=0d9f5e1c-4a1b-4f1e-9a51-6f5c2b1d3e4f",
            ))
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::PkceCodeVerifierNotFound);
        assert_eq!(e.status(), 400);
    }
}

#[test]
async fn implicit_sign_in_for_each_selector() {
    let cases = [
        (
            SignIn::connection("conn_emulator_okta"),
            "grace@example.com",
        ),
        (SignIn::organization("org_emulator_acme"), "ada@example.com"),
        (
            SignIn::provider(Provider::MicrosoftOAuth),
            "margaret@example.org",
        ),
    ];
    for (with, email) in cases {
        let key = unique_key("implicit");
        let c = client(&key, Flow::Implicit);
        let session = sign_in(&c, with, email).await;
        assert_eq!(session.user.email.as_deref(), Some(email));
        assert!(session.provider_token.is_some(), "WorkOS's token kept");
        assert!(session.expires_in.is_some());
        let v = parse(&stored(&key).unwrap());
        assert_eq!(
            get(&v, "refresh_token").as_string().as_deref(),
            Some(session.refresh_token.expose())
        );
        // The marker is consumed by the callback.
        assert_eq!(stored(&format!("{key}-implicit-pending")), None);
        let debug = format!("{session:?}");
        assert_no_secret(&debug, &session);
        assert!(debug.contains("[redacted]"));
    }
}

#[test]
async fn an_implicit_callback_this_browser_did_not_start_is_refused() {
    // The attacker's sign-in, in the attacker's browser.
    let attacker = client(&unique_key("attacker"), Flow::Implicit);
    let callback = callback_for(
        &attacker,
        SignIn::connection("conn_emulator_okta"),
        Some("grace@example.com"),
        false,
    )
    .await;
    // The victim's browser holds a session of its own.
    let key = unique_key("victim");
    let victim = client(&key, Flow::Implicit);
    let own = sign_in(
        &victim,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    let before = stored(&key);
    let users_before = requests("user").await;
    let e = refused(&victim, &callback).await;
    assert_eq!(e.code(), ErrorCode::UnsolicitedCallback);
    assert_eq!(e.code_str(), "unsolicited_callback");
    assert_eq!(stored(&key), before, "the victim's session untouched");
    assert_eq!(
        requests("user").await,
        users_before,
        "the token was sent nowhere"
    );
    assert_eq!(
        victim.session().await.unwrap().unwrap().user.id,
        own.user.id
    );
    assert!(!e.to_string().contains("access_token="));
    // An app that opts out accepts it.
    let open = Client::builder(auth_url(), anon_key())
        .flow(Flow::Implicit)
        .storage_key(unique_key("open"))
        .detect_session_in_url(false)
        .auto_refresh(false)
        .allow_unsolicited_implicit(true)
        .build()
        .unwrap();
    let s = open
        .handle_redirect_callback(Some(&callback))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.user.email.as_deref(), Some("grace@example.com"));
}

#[test]
async fn workos_error_redirects_are_typed_errors() {
    let key = unique_key("errors");
    let c = client(&key, Flow::Pkce);
    // The user cancels on the WorkOS page.
    let callback = callback_for(&c, SignIn::connection("conn_emulator_okta"), None, true).await;
    let e = refused(&c, &callback).await;
    assert_eq!(e.code(), ErrorCode::Redirect);
    assert_eq!(e.code_str(), "access_denied");
    assert_eq!(e.status(), 500);
    // An organization without a connection.
    let callback = callback_for(&c, SignIn::organization("org_emulator_empty"), None, false).await;
    let e = refused(&c, &callback).await;
    assert_eq!(e.code(), ErrorCode::Redirect);
    assert_eq!(e.code_str(), "organization_invalid");
    assert_eq!(stored(&key), None, "nothing stored");
    // A banned user: Supabase Auth refuses the sign-in.
    let callback = callback_for(
        &c,
        SignIn::connection("conn_emulator_okta"),
        Some("mallory@example.com"),
        false,
    )
    .await;
    let e = refused(&c, &callback).await;
    assert_eq!(e.code(), ErrorCode::Redirect);
    assert_eq!(e.code_str(), "user_banned");
    // A malformed callback: an auth key repeated.
    let e = c
        .handle_redirect_callback(Some(
            "https://app.example/cb#access_token=a&access_token=b&refresh_token=r&token_type=bearer&expires_in=3600",
        ))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidCallback);
    // Not a callback at all.
    assert!(c
        .handle_redirect_callback(Some("https://app.example/page?x=1#top"))
        .await
        .unwrap()
        .is_none());
}

#[test]
async fn an_error_redirect_removes_the_verifier_and_the_marker() {
    assert_eq!(
        Provider::from_name("GitHubOAuth"),
        Some(Provider::GitHubOAuth)
    );
    assert_eq!(Provider::from_name("githuboauth"), None);
    for (flow, slot) in [
        (Flow::Pkce, "code-verifier"),
        (Flow::Implicit, "implicit-pending"),
    ] {
        let key = unique_key("error-cleanup");
        let c = client(&key, flow);
        // The user cancels on the WorkOS page: the sign-in this browser started is over.
        let callback = callback_for(&c, SignIn::connection("conn_emulator_okta"), None, true).await;
        assert!(stored(&format!("{key}-{slot}")).is_some(), "{slot} stored");
        let e = refused(&c, &callback).await;
        assert_eq!(e.code_str(), "access_denied");
        assert_eq!(stored(&format!("{key}-{slot}")), None, "{slot} removed");
        assert_eq!(stored(&key), None);
        // A marker or verifier left behind by another sign-in goes too.
        let storage = local();
        for (k, v) in [
            ("code-verifier", "\"left-behind\""),
            ("implicit-pending", "0123"),
        ] {
            storage.set_item(&format!("{key}-{k}"), v).unwrap();
        }
        let e = refused(
            &c,
            "https://app.example/cb?error=access_denied&error_description=No",
        )
        .await;
        assert_eq!(e.code(), ErrorCode::Redirect);
        assert_eq!(stored(&format!("{key}-code-verifier")), None);
        assert_eq!(stored(&format!("{key}-implicit-pending")), None);
    }
}

/// Signs grace in, then finishes a second sign-in (ada's, in `flow`) with `kind` injected on
/// `endpoint`: the error, and whether the session stored before was kept.
async fn callback_fault(flow: Flow, endpoint: &str, kind: &str) -> (supabase_workos::Error, bool) {
    let key = unique_key("fault");
    let c = client(&key, flow);
    let okta = || SignIn::connection("conn_emulator_okta");
    sign_in(&c, okta(), "grace@example.com").await;
    let before = stored(&key);
    let callback = callback_for(&c, okta(), Some("ada@example.com"), false).await;
    fault(endpoint, kind).await;
    let out = c.handle_redirect_callback(Some(&callback)).await;
    let triggered = get(&stats().await, "faults_triggered");
    clear_faults().await;
    let e = out.unwrap_err_or_else(|| {
        panic!(
            "{kind}: no error; faults triggered: {}",
            js_sys::JSON::stringify(&triggered)
                .map(String::from)
                .unwrap_or_default()
        )
    });
    (e, stored(&key) == before)
}

async fn pkce_fault(kind: &str) -> (supabase_workos::Error, bool) {
    callback_fault(Flow::Pkce, "token_pkce", kind).await
}

#[test]
async fn server_faults_on_the_code_exchange() {
    for (kind, code, status) in [
        ("500", "unexpected_failure", 500),
        ("503", "unexpected_failure", 503),
        ("timeout", "retryable_fetch_error", 0),
        ("garbage", "retryable_fetch_error", 0),
    ] {
        let (e, kept) = pkce_fault(kind).await;
        assert_eq!(e.code(), ErrorCode::RetryableFetch, "{kind}");
        assert_eq!((e.code_str(), e.status()), (code, status), "{kind}");
        assert!(kept, "{kind}: the stored session kept");
    }
    let (e, kept) = pkce_fault("429").await;
    assert_eq!(e.code(), ErrorCode::Api);
    assert_eq!((e.code_str(), e.status()), ("over_request_rate_limit", 429));
    assert!(kept);
    let (e, kept) = pkce_fault("big").await;
    assert_eq!(e.code(), ErrorCode::InvalidTokenResponse);
    assert!(kept);
}

#[test]
async fn user_faults_on_an_implicit_callback_keep_the_stored_session() {
    for (kind, code, status) in [
        ("500", ErrorCode::RetryableFetch, 500),
        ("429", ErrorCode::Api, 429),
        ("garbage", ErrorCode::RetryableFetch, 0),
        ("redirect", ErrorCode::InvalidTokenResponse, 500),
    ] {
        let (e, kept) = callback_fault(Flow::Implicit, "user", kind).await;
        assert_eq!((e.code(), e.status()), (code, status), "{kind}");
        assert!(kept, "{kind}");
    }
}

#[test]
async fn local_storage_that_refuses_writes_falls_back_to_session_storage() {
    let key = unique_key("full");
    break_local_storage(false);
    let c = client(&key, Flow::Pkce);
    let url = c
        .sign_in_with_workos(
            SignIn::connection("conn_emulator_okta")
                .redirect_to(app_url("/callback"))
                .skip_browser_redirect(),
        )
        .await;
    let outcome = match url {
        Ok(url) => {
            let callback = follow(&url, Some("ada@example.com"), false).await;
            c.handle_redirect_callback(Some(&callback)).await
        }
        Err(e) => Err(e),
    };
    let warnings = restore_storage();
    let session = outcome.unwrap().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("localStorage is unavailable"));
    assert_no_secret(&warnings[0], &session);
    assert_eq!(stored(&key), None);
    let text = session_storage()
        .get_item(&key)
        .unwrap()
        .expect("in sessionStorage");
    assert!(text.contains(session.access_token.expose()));
    assert_eq!(
        c.session().await.unwrap().unwrap().access_token.expose(),
        session.access_token.expose()
    );
    session_storage().remove_item(&key).unwrap();
}

#[test]
async fn a_verifier_only_memory_could_keep_is_refused_before_navigating() {
    let key = unique_key("no-storage");
    break_all_storage();
    let c = client(&key, Flow::Pkce);
    let out = c
        .sign_in_with_workos(
            SignIn::connection("conn_emulator_okta").redirect_to(app_url("/callback")),
        )
        .await;
    let warnings = restore_storage();
    let e = out.unwrap_err();
    assert_eq!(e.code(), ErrorCode::StorageUnavailable);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        window().location().href().unwrap().contains("127.0.0.1"),
        "no navigation"
    );
    // Memory chosen by the app is fine for the implicit flow.
    let m = client_with(&key, Flow::Implicit, StorageKind::Memory);
    let s = sign_in(
        &m,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    assert_eq!(stored(&key), None);
    assert_eq!(
        m.session().await.unwrap().unwrap().access_token.expose(),
        s.access_token.expose()
    );
}

#[test]
async fn corrupt_stored_sessions_are_removed_not_trusted() {
    for corrupt in [
        "{not json",
        "null",
        "[]",
        r#"{"access_token":1,"refresh_token":"r","user":{"id":"u"}}"#,
        r#"{"access_token":"a","refresh_token":"r","user":{"id":"u"}}"#,
    ] {
        let key = unique_key("corrupt");
        local().set_item(&key, corrupt).unwrap();
        let c = client(&key, Flow::Pkce);
        assert!(c.session().await.unwrap().is_none(), "{corrupt}");
        assert_eq!(stored(&key), None, "{corrupt}");
        assert_eq!(c.access_token(), None);
    }
}

#[test]
async fn refresh_rotates_tokens_and_tells_subscribers() {
    let (key, c, first, events, _sub) = signed_in(
        "refresh",
        Flow::Pkce,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    let grants = requests("token").await;
    let next = c.refresh_session().await.unwrap();
    assert_ne!(next.refresh_token.expose(), first.refresh_token.expose());
    assert_eq!(next.user.id, first.user.id);
    assert_eq!(requests("token").await, grants + 1.0);
    let v = parse(&stored(&key).unwrap());
    assert_eq!(
        get(&v, "refresh_token").as_string().as_deref(),
        Some(next.refresh_token.expose())
    );
    assert!(wait_until(2000, || events.count(AuthEvent::TokenRefreshed) == 1).await);
    // A session due for refresh is refreshed before use.
    let now = (js_sys::Date::now() / 1000.0) as u64;
    let due = v.clone();
    js_sys::Reflect::set(
        &due,
        &"expires_at".into(),
        &JsValue::from_f64((now + 2) as f64),
    )
    .unwrap();
    local()
        .set_item(
            &key,
            &js_sys::JSON::stringify(&due).unwrap().as_string().unwrap(),
        )
        .unwrap();
    let fresh = c.session().await.unwrap().unwrap();
    assert_ne!(fresh.refresh_token.expose(), next.refresh_token.expose());
    assert!(fresh.expires_at() > now + 60);
    // Not due: no request.
    let grants = requests("token").await;
    c.session().await.unwrap().unwrap();
    assert_eq!(requests("token").await, grants);
}

#[test]
async fn a_due_session_is_refreshed_by_the_timer_while_the_tab_is_visible() {
    let key = unique_key("timer");
    let c = client(&key, Flow::Implicit);
    let s = sign_in(
        &c,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    c.dispose();
    // A 20 s token with 6 s left: the policy refreshes it 5 s ahead of expiry, plus up to a
    // second of spread.
    let now = (js_sys::Date::now() / 1000.0) as u64;
    let v = parse(&stored(&key).unwrap());
    js_sys::Reflect::set(
        &v,
        &"expires_at".into(),
        &JsValue::from_f64((now + 6) as f64),
    )
    .unwrap();
    js_sys::Reflect::set(&v, &"expires_in".into(), &JsValue::from_f64(20.0)).unwrap();
    local()
        .set_item(
            &key,
            &js_sys::JSON::stringify(&v).unwrap().as_string().unwrap(),
        )
        .unwrap();
    let timed = Client::builder(auth_url(), anon_key())
        .storage_key(&key)
        .detect_session_in_url(false)
        .build()
        .unwrap();
    let events = Events::default();
    let _sub = timed.on_auth_state_change(events.record());
    assert_eq!(
        window().document().unwrap().visibility_state(),
        web_sys::VisibilityState::Visible
    );
    assert!(wait_until(5000, || events.count(AuthEvent::TokenRefreshed) == 1).await);
    let next = parse(&stored(&key).unwrap());
    assert_ne!(
        get(&next, "refresh_token").as_string().as_deref(),
        Some(s.refresh_token.expose())
    );
    assert!(get(&next, "expires_at").as_f64().unwrap() > (now + 60) as f64);
    // Once: the next one is an hour away.
    sleep(1500).await;
    assert_eq!(events.count(AuthEvent::TokenRefreshed), 1);
    timed.dispose();
}

#[test]
async fn a_failed_refresh_keeps_the_session_and_a_refused_one_ends_it() {
    let (key, c, _, events, _sub) = signed_in(
        "refresh-fail",
        Flow::Pkce,
        SignIn::organization("org_emulator_acme"),
        "grace@example.com",
    )
    .await;
    for kind in ["500", "timeout", "garbage"] {
        let before = stored(&key);
        fault("token_refresh", kind).await;
        let out = c.refresh_session().await;
        let st = stats().await;
        clear_faults().await;
        let e = out.unwrap_err_or_else(|| {
            panic!(
                "{kind}: no error; {}",
                js_sys::JSON::stringify(&st)
                    .map(String::from)
                    .unwrap_or_default()
            )
        });
        assert_eq!(e.code(), ErrorCode::RetryableFetch, "{kind}");
        assert_eq!(stored(&key), before, "{kind}: still signed in");
    }
    // The server ends every session of the user: the refresh token is refused.
    revoke("grace@example.com").await;
    let e = c.refresh_session().await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::Api);
    assert_eq!(e.code_str(), "refresh_token_not_found");
    assert_eq!(stored(&key), None);
    assert!(wait_until(2000, || events.count(AuthEvent::SignedOut) == 1).await);
    assert!(c.session().await.unwrap().is_none());
}

#[test]
async fn sign_out_clears_the_session_even_when_the_server_fails() {
    let (key, c, _, events, _sub) = signed_in(
        "sign-out",
        Flow::Implicit,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    let logouts = requests("logout").await;
    c.sign_out(Scope::Local).await.unwrap();
    assert_eq!(requests("logout").await, logouts + 1.0);
    assert_eq!(stored(&key), None);
    assert_eq!(c.access_token(), None);
    assert!(wait_until(2000, || events.count(AuthEvent::SignedOut) == 1).await);
    // The server failing: cleared all the same, and the failure reported.
    sign_in(
        &c,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    fault("logout", "500").await;
    let e = c.sign_out(Scope::Global).await.unwrap_err();
    clear_faults().await;
    assert_eq!(e.status(), 500);
    assert_eq!(stored(&key), None);
    // `others` leaves this session signed in.
    let s = sign_in(
        &c,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    c.sign_out(Scope::Others).await.unwrap();
    assert_eq!(c.access_token().as_deref(), Some(s.access_token.expose()));
}

#[test]
async fn events_start_with_the_initial_session_and_stop_on_drop() {
    let key = unique_key("events");
    let c = client(&key, Flow::Implicit);
    let events = Events::default();
    let sub = c.on_auth_state_change(events.record());
    let states = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let log = states.clone();
    let _state = c.on_auth_state(move |s| log.borrow_mut().push(s));
    assert!(wait_until(2000, || events.count(AuthEvent::InitialSession) == 1).await);
    assert!(matches!(
        states.borrow().first(),
        Some(AuthState::SignedOut { .. })
    ));
    let s = sign_in(
        &c,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    assert!(wait_until(2000, || events.count(AuthEvent::SignedIn) == 1).await);
    assert!(
        matches!(states.borrow().last(), Some(AuthState::SignedIn(x)) if x.user.id == s.user.id)
    );
    drop(sub);
    c.refresh_session().await.unwrap();
    sleep(100).await;
    assert_eq!(events.count(AuthEvent::TokenRefreshed), 0, "unsubscribed");
    assert_eq!(
        events.names(),
        [AuthEvent::InitialSession, AuthEvent::SignedIn]
    );
}

#[test]
async fn user_answers_from_the_server_and_stores_a_changed_user() {
    let (key, c, s, events, _sub) = signed_in(
        "user",
        Flow::Pkce,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    let user = c.user().await.unwrap();
    assert_eq!(user.id, s.user.id);
    // The stored user is stale: the server's is stored, and USER_UPDATED emitted.
    let v = parse(&stored(&key).unwrap());
    js_sys::Reflect::set(&get(&v, "user"), &"email".into(), &"old@example.com".into()).unwrap();
    local()
        .set_item(
            &key,
            &js_sys::JSON::stringify(&v).unwrap().as_string().unwrap(),
        )
        .unwrap();
    let user = c.user().await.unwrap();
    assert_eq!(user.email.as_deref(), Some("ada@example.com"));
    assert!(wait_until(2000, || events.count(AuthEvent::UserUpdated) == 1).await);
    assert!(stored(&key).unwrap().contains("ada@example.com"));
    c.sign_out(Scope::Local).await.unwrap();
    assert_eq!(
        c.user().await.unwrap_err().code(),
        ErrorCode::SessionMissing
    );
}

#[test]
async fn a_router_rewrite_during_the_callback_leaves_no_auth_parameter_in_the_address_bar() {
    let key = unique_key("router");
    let c = Client::builder(auth_url(), anon_key())
        .storage_key(&key)
        .auto_refresh(false)
        .detect_session_in_url(false)
        .build()
        .unwrap();
    let url = c
        .sign_in_with_workos(
            SignIn::connection("conn_emulator_okta")
                .redirect_to(app_url("/callback"))
                .skip_browser_redirect(),
        )
        .await
        .unwrap();
    let callback = follow(&url, Some("ada@example.com"), false).await;
    assert!(query_param(&callback, "code").is_some(), "{callback}");
    let history = window().history().unwrap();
    let original = window().location().href().unwrap();
    // A router moved to its own route, keeping what the address held.
    let routed = callback.replacen("/callback", "/en/callback", 1);
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&routed))
        .unwrap();
    let out = c.handle_redirect_callback(Some(&callback)).await;
    let after = window().location().href().unwrap();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&original))
        .unwrap();
    assert!(out.unwrap().is_some(), "signed in");
    assert_eq!(after, app_url("/en/callback"), "no code left");
}

#[test]
async fn initialize_finishes_the_callback_in_the_address_bar_and_strips_it() {
    let key = unique_key("initialize");
    let starter = client(&key, Flow::Pkce);
    let url = starter
        .sign_in_with_workos(
            SignIn::connection("conn_emulator_okta")
                .redirect_to(app_url("/callback?tab=2#/route"))
                .skip_browser_redirect(),
        )
        .await
        .unwrap();
    let callback = follow(&url, Some("ada@example.com"), false).await;
    assert!(query_param(&callback, "code").is_some(), "{callback}");
    let history = window().history().unwrap();
    let original = window().location().href().unwrap();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&callback))
        .unwrap();
    let c = Client::builder(auth_url(), anon_key())
        .storage_key(&key)
        .auto_refresh(false)
        .build()
        .unwrap();
    let out = c.initialize().await;
    let after = window().location().href().unwrap();
    history
        .replace_state_with_url(&JsValue::NULL, "", Some(&original))
        .unwrap();
    let session = out.unwrap().expect("signed in");
    assert_eq!(session.user.email.as_deref(), Some("ada@example.com"));
    assert_eq!(
        after,
        app_url("/callback?tab=2#/route"),
        "only the auth keys left"
    );
    assert!(!after.contains("code="));
}

#[test]
async fn sessions_cross_to_js_and_back() {
    let key = unique_key("to-js");
    let c = client(&key, Flow::Implicit);
    let s = sign_in(
        &c,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    let js = s.to_js();
    assert_eq!(
        get(&js, "access_token").as_string().as_deref(),
        Some(s.access_token.expose())
    );
    assert_eq!(
        get(&js, "token_type").as_string().as_deref(),
        Some("bearer")
    );
    let back = Session::from_js(&js).expect("a session");
    assert_eq!(back.refresh_token.expose(), s.refresh_token.expose());
    assert!(Session::from_js(&JsValue::NULL).is_none());
    assert!(Session::from_js(&parse(
        r#"{"access_token":"","refresh_token":"r","user":{"id":"u"},"expires_at":1}"#
    ))
    .is_none());
}

#[test]
async fn a_session_stored_in_the_js_package_layout_is_read() {
    // A session as supabase-js and the npm package store it (tests/vectors/callback.json's
    // shape): another key order, extra members, `provider_token: null`.
    let key = unique_key("js-layout");
    let c = client(&key, Flow::Pkce);
    let s = sign_in(
        &c,
        SignIn::connection("conn_emulator_okta"),
        "grace@example.com",
    )
    .await;
    let user = js_sys::JSON::stringify(&s.user.to_js())
        .unwrap()
        .as_string()
        .unwrap();
    let text = format!(
        r#"{{"user":{user},"refresh_token":"{}","provider_token":null,"expires_at":{},"expires_in":3600,"token_type":"bearer","access_token":"{}","weak_password":null}}"#,
        s.refresh_token.expose(),
        s.expires_at(),
        s.access_token.expose()
    );
    local().set_item(&key, &text).unwrap();
    let read = c.session().await.unwrap().expect("read");
    assert_eq!(read.access_token.expose(), s.access_token.expose());
    assert!(read.provider_token.is_none());
    // And its refresh token works: it is the same session.
    let next = c.refresh_session().await.unwrap();
    assert_eq!(next.user.email.as_deref(), Some("grace@example.com"));
}

#[test]
async fn a_pkce_flow_started_in_supabase_js_layout_is_finished() {
    // supabase-js's newer per-flow slot: the verifier under `K-flow-<id>-code-verifier`, the id
    // in `K-flows-code-verifier`, and `sb_flow_id` on the redirect.
    let key = unique_key("js-flow");
    let flow_id = "0123456789abcdef0123456789abcdef";
    let verifier = "a".repeat(56) + &"0".repeat(56);
    let slot = format!("{key}-flow-{flow_id}-code-verifier");
    local().set_item(&slot, &format!("\"{verifier}\"")).unwrap();
    local()
        .set_item(
            &format!("{key}-flows-code-verifier"),
            &format!("[\"{flow_id}\"]"),
        )
        .unwrap();
    let redirect = app_url(&format!("/callback?sb_flow_id={flow_id}"));
    let url = format!(
        "{}/auth/v1/authorize?provider=workos&redirect_to={}&code_challenge={}&code_challenge_method=s256&connection=conn_emulator_okta",
        auth_url(),
        String::from(js_sys::encode_uri_component(&redirect)),
        s256(&verifier)
    );
    let callback = follow(&url, Some("ada@example.com"), false).await;
    let c = client(&key, Flow::Pkce);
    let s = c
        .handle_redirect_callback(Some(&callback))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.user.email.as_deref(), Some("ada@example.com"));
    assert_eq!(stored(&slot), None, "the slot is spent");
    assert_eq!(stored(&format!("{key}-flows-code-verifier")), None);
    // And the legacy key, as the JS package writes it.
    let key = unique_key("js-legacy");
    local()
        .set_item(&format!("{key}-code-verifier"), &format!("\"{verifier}\""))
        .unwrap();
    let url = format!(
        "{}/auth/v1/authorize?provider=workos&redirect_to={}&code_challenge={}&code_challenge_method=s256&organization=org_emulator_acme",
        auth_url(),
        String::from(js_sys::encode_uri_component(&app_url("/callback"))),
        s256(&verifier)
    );
    let callback = follow(&url, Some("grace@example.com"), false).await;
    let c = client(&key, Flow::Implicit);
    let s = c
        .handle_redirect_callback(Some(&callback))
        .await
        .unwrap()
        .expect("a verifier proves this browser started it, whatever the client's flow");
    assert_eq!(s.user.email.as_deref(), Some("grace@example.com"));
    assert_eq!(stored(&format!("{key}-code-verifier")), None);
}

#[test]
async fn two_clients_of_one_key_share_refreshes_and_sign_outs() {
    let key = unique_key("tabs");
    let a = client(&key, Flow::Pkce);
    let b = client(&key, Flow::Pkce);
    let b_events = Events::default();
    let _sub = b.on_auth_state_change(b_events.record());
    let s = sign_in(
        &a,
        SignIn::connection("conn_emulator_okta"),
        "ada@example.com",
    )
    .await;
    assert!(wait_until(3000, || b_events.count(AuthEvent::SignedIn) == 1).await);
    let next = a.refresh_session().await.unwrap();
    assert!(wait_until(3000, || b_events.count(AuthEvent::TokenRefreshed) == 1).await);
    assert_eq!(
        b_events.0.borrow().last().unwrap().1.as_deref(),
        Some(next.access_token.expose())
    );
    assert_ne!(next.refresh_token.expose(), s.refresh_token.expose());
    // B reads what A stored, without a refresh of its own.
    let grants = requests("token").await;
    assert_eq!(
        b.session().await.unwrap().unwrap().refresh_token.expose(),
        next.refresh_token.expose()
    );
    assert_eq!(requests("token").await, grants);
    a.sign_out(Scope::Local).await.unwrap();
    assert!(wait_until(3000, || b_events.count(AuthEvent::SignedOut) == 1).await);
    assert!(b.session().await.unwrap().is_none());
}

#[test]
async fn a_callback_url_is_finished_once_per_page_and_key() {
    let key = unique_key("once");
    let a = client(&key, Flow::Pkce);
    let a_events = Events::default();
    let _a_sub = a.on_auth_state_change(a_events.record());
    let callback = callback_for(
        &a,
        SignIn::connection("conn_emulator_okta"),
        Some("ada@example.com"),
        false,
    )
    .await;
    let grants = requests("token").await;
    // Two calls at once (a router and the app, say): one code exchange, one outcome.
    let first = std::rc::Rc::new(std::cell::RefCell::new(None));
    let (a2, url, out) = (a.clone(), callback.clone(), first.clone());
    wasm_bindgen_futures::spawn_local(async move {
        let s = a2.handle_redirect_callback(Some(&url)).await;
        *out.borrow_mut() = Some(s);
    });
    let second = a.handle_redirect_callback(Some(&callback)).await;
    assert!(wait_until(5000, || first.borrow().is_some()).await);
    let first = first.borrow_mut().take().unwrap();
    let token = first.unwrap().unwrap().access_token.expose().to_owned();
    assert_eq!(second.unwrap().unwrap().access_token.expose(), token);
    assert_eq!(requests("token").await, grants + 1.0);
    assert_eq!(a_events.count(AuthEvent::SignedIn), 1);
    // A second client of the key, later: the same session, no request, and its subscribers hear
    // of it.
    let b = client(&key, Flow::Pkce);
    let b_events = Events::default();
    let _b_sub = b.on_auth_state_change(b_events.record());
    let again = b.handle_redirect_callback(Some(&callback)).await.unwrap();
    assert_eq!(again.unwrap().access_token.expose(), token);
    assert_eq!(requests("token").await, grants + 1.0);
    assert!(wait_until(3000, || b_events.count(AuthEvent::SignedIn) >= 1).await);
    // A client of another key is another sign-in: it has no verifier for this code.
    let other = client(&unique_key("once-other"), Flow::Pkce);
    let e = refused(&other, &callback).await;
    assert_eq!(e.code(), ErrorCode::PkceCodeVerifierNotFound);
}

#[test]
async fn errors_show_no_secret() {
    let key = unique_key("secrets");
    let c = client(&key, Flow::Pkce);
    let e = c
        .handle_redirect_callback(Some("https://app.example/cb?code=secret-code-value-1234"))
        .await
        .unwrap_err();
    assert!(!e.to_string().contains("secret-code-value-1234"));
    assert!(!format!("{e:?}").contains("secret-code-value-1234"));
    let e = c
        .handle_redirect_callback(Some("https://app.example/cb#access_token=tok%20en&refresh_token=r&token_type=bearer&expires_in=5"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidCallback);
    assert!(!e.to_string().contains("tok"));
}
