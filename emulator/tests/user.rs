//! `GET /auth/v1/user` and `POST /auth/v1/logout`: token expiry, logout
//! scopes, revocation.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn access_token_expiry_and_logout_scopes() {
    let emu = Emu::start(|_| {}).await;
    let a = signed_in(&emu).await;
    let b = signed_in(&emu).await;
    let at_a = a["access_token"].as_str().unwrap();
    let at_b = b["access_token"].as_str().unwrap();

    let bad_scope = emu
        .rest("POST", "/auth/v1/logout?scope=everything", Some(at_a), "")
        .await;
    assert_eq!(bad_scope.status, 400);
    assert_eq!(
        bad_scope.json()["message"],
        "Unsupported logout scope \"everything\""
    );

    let out = emu
        .rest("POST", "/auth/v1/logout?scope=local", Some(at_a), "")
        .await;
    assert_eq!(out.status, 204);
    assert_eq!(
        emu.rest("GET", "/auth/v1/user", Some(at_a), "")
            .await
            .json()["code"],
        "session_not_found"
    );
    assert_eq!(
        emu.rest("GET", "/auth/v1/user", Some(at_b), "")
            .await
            .status,
        200
    );
    let rt_a = json!({"refresh_token": a["refresh_token"]}).to_string();
    assert_eq!(
        emu.rest(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            None,
            &rt_a
        )
        .await
        .json()["code"],
        "refresh_token_not_found"
    );

    emu.clock.advance_ms(21_000);
    let expired = emu.rest("GET", "/auth/v1/user", Some(at_b), "").await;
    assert_eq!(expired.status, 403);
    assert_eq!(
        expired.json(),
        json!({"code": "bad_jwt", "message": "invalid JWT: unable to parse or verify signature, token has invalid claims: token is expired"})
    );

    // The admin-style revocation of the control API.
    let c = signed_in(&emu).await;
    let rev = emu
        .req(
            "POST",
            "/__emulator/revoke",
            &[],
            &json!({"email": "ada@example.com"}).to_string(),
        )
        .await
        .unwrap();
    assert_eq!(rev.json()["revoked_sessions"], 2);
    let rt_c = json!({"refresh_token": c["refresh_token"]}).to_string();
    assert_eq!(
        emu.rest(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            None,
            &rt_c
        )
        .await
        .json()["code"],
        "refresh_token_not_found"
    );
}
