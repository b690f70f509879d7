//! `GET /auth/v1/authorize`: what is forwarded to WorkOS and where a refused
//! `redirect_to` sends the browser.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn forwarding_strips_reserved_keys_and_keeps_the_rest() {
    let emu = Emu::start(|_| {}).await;
    let r = emu
        .get(
            "/auth/v1/authorize?provider=workos&provider=google&scopes=openid&connection=conn_emulator_okta\
             &domain_hint=example.com&login_hint=ada%40example.com&state=evil&CLIENT_ID=evil&redirect_uri=evil\
             &response_type=token&code_verifier=x&client_secret=s&nonce=n1&custom=a+b",
        )
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    let q = query_of(&r.location());
    assert_eq!(q.get("client_id").unwrap(), "client_emulator");
    assert_eq!(
        q.get("redirect_uri").unwrap(),
        format!("{}/auth/v1/callback", emu.base())
    );
    assert_eq!(q.get("response_type").unwrap(), "code");
    assert!(uuid_like(&q.get("state").unwrap()));
    assert_eq!(q.get("domain_hint").unwrap(), "example.com");
    assert_eq!(q.get("nonce").unwrap(), "n1");
    assert_eq!(q.get("custom").unwrap(), "a b");
    for gone in [
        "provider",
        "scopes",
        "CLIENT_ID",
        "code_verifier",
        "client_secret",
    ] {
        assert!(!q.has(gone), "{gone}");
    }
}

#[tokio::test]
async fn redirect_to_outside_the_allow_list_silently_becomes_the_site_url() {
    let emu = Emu::start(|_| {}).await;
    let (_, back) = dance(
        &emu,
        "provider=workos&redirect_to=https%3A%2F%2Fevil.example.net%2Fcb&connection=conn_emulator_okta",
        "ada@example.com",
    )
    .await;
    assert!(
        back.starts_with("http://localhost:5173#access_token="),
        "{back}"
    );
    // `*` does not cross a `/`: a deeper path is refused too.
    let (_, back) = dance(
        &emu,
        "provider=workos&redirect_to=https%3A%2F%2Fapp.example.com%2Fa%2Fb&connection=conn_emulator_okta",
        "ada@example.com",
    )
    .await;
    assert!(back.starts_with("http://localhost:5173#"), "{back}");
}
