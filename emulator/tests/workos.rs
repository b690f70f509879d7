//! The WorkOS stand-in on its own: `/sso/authorize` with auto sign-in and
//! `/sso/token`.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn workos_token_endpoint_and_auto_sign_in() {
    let emu = Emu::start(|c| c.auto_sign_in = true).await;
    let cb = format!("{}/auth/v1/callback", emu.base());
    let mut q = Values::default();
    q.set("client_id", "client_emulator");
    q.set("redirect_uri", &cb);
    q.set("response_type", "code");
    q.set("state", "s1");
    q.set("connection", "conn_emulator_okta");
    q.set("login_hint", "grace@example.com");
    let r = emu.get(&format!("/sso/authorize?{}", q.encode())).await;
    assert_eq!(r.status, 302);
    let back = query_of(&r.location());
    assert_eq!(back.get("state").unwrap(), "s1");
    let code = back.get("code").unwrap();
    let form = format!("client_id=client_emulator&client_secret=sk_test_emulator&grant_type=authorization_code&code={code}");
    let ct = [("content-type", "application/x-www-form-urlencoded")];
    let t = emu.req("POST", "/sso/token", &ct, &form).await.unwrap();
    assert_eq!(t.status, 200, "{}", t.body);
    let p = &t.json()["profile"];
    assert_eq!(p["object"], "profile");
    assert_eq!(p["email"], "grace@example.com");
    assert_eq!(p["connection_type"], "OktaSAML");
    assert_eq!(p["organization_id"], "org_emulator_acme");
    let twice = emu.req("POST", "/sso/token", &ct, &form).await.unwrap();
    assert_eq!(
        (twice.status, twice.json()["error"].clone()),
        (400, json!("invalid_grant"))
    );
    let secret = emu
        .req(
            "POST",
            "/sso/token",
            &ct,
            "client_id=client_emulator&client_secret=x&grant_type=authorization_code&code=y",
        )
        .await
        .unwrap();
    assert_eq!(secret.status, 401);

    // An unknown redirect_uri is refused on a page, not redirected to.
    q.set("redirect_uri", "https://evil.example.net/cb");
    assert_eq!(
        emu.get(&format!("/sso/authorize?{}", q.encode()))
            .await
            .status,
        400
    );
}
