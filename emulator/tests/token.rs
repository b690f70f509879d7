//! `POST /auth/v1/token`: PKCE codes that expire, refresh-token rotation and
//! reuse.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn flow_state_expires_after_300_seconds() {
    let emu = Emu::start(|_| {}).await;
    let q = format!(
        "provider=workos&code_challenge={}&code_challenge_method=s256&connection=conn_emulator_okta",
        challenge()
    );
    let (_, back) = dance(&emu, &q, "ada@example.com").await;
    let code = query_of(&back).get("code").unwrap();
    emu.clock.advance_ms(301_000);
    let r = emu.pkce_token(&code).await;
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json(),
        json!({"code": "flow_state_expired", "message": "invalid flow state, flow state has expired"})
    );

    // A callback arriving after 300 s: Site URL, error in the query only.
    let start = emu
        .get("/auth/v1/authorize?provider=workos&connection=conn_emulator_okta")
        .await;
    let state = query_of(&start.location()).get("state").unwrap();
    emu.clock.advance_ms(301_000);
    let late = emu
        .get(&format!("/auth/v1/callback?code=abc&state={state}"))
        .await;
    assert_eq!(late.status, 303);
    assert_eq!(
        late.location(),
        "http://localhost:5173?error=invalid_request&error_code=bad_oauth_state&error_description=OAuth+state+has+expired"
    );
}

#[tokio::test]
async fn refresh_rotation_and_reuse() {
    let emu = Emu::start(|_| {}).await;
    let s = signed_in(&emu).await;
    let rt1 = s["refresh_token"].as_str().unwrap().to_string();
    let refresh = |t: &str| json!({"refresh_token": t}).to_string();

    let r = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            None,
            &refresh(&rt1),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let rt2 = r.json()["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rt1, rt2);
    assert!(r.json().get("provider_token").is_none());

    // Two tabs: the old token within the interval gets the active one back.
    let again = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            None,
            &refresh(&rt1),
        )
        .await;
    assert_eq!(again.json()["refresh_token"], rt2.as_str());

    let rt3 = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            None,
            &refresh(&rt2),
        )
        .await
        .json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let at3 = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            None,
            &refresh(&rt3),
        )
        .await
        .json();
    // rt1 is no longer the parent of the active token; beyond the interval it is refused…
    emu.clock.advance_ms(11_000);
    let used = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            None,
            &refresh(&rt1),
        )
        .await;
    assert_eq!(used.status, 400);
    assert_eq!(
        used.json(),
        json!({"code": "refresh_token_already_used", "message": "Invalid Refresh Token: Already Used"})
    );
    // …and the whole session is gone.
    let u = emu
        .rest(
            "GET",
            "/auth/v1/user",
            Some(at3["access_token"].as_str().unwrap()),
            "",
        )
        .await;
    assert_eq!(u.status, 403);
    assert_eq!(u.json()["code"], "session_not_found");
    let gone = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            None,
            &refresh(at3["refresh_token"].as_str().unwrap()),
        )
        .await;
    assert_eq!(gone.json()["code"], "refresh_token_not_found");
    let unknown = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=refresh_token",
            None,
            &refresh("nope"),
        )
        .await;
    assert_eq!(
        unknown.json(),
        json!({"code": "refresh_token_not_found", "message": "Invalid Refresh Token: Refresh Token Not Found"})
    );

    let stats = emu.get("/__emulator/stats").await.json();
    assert_eq!(stats["refresh_requests"], 7);
    assert_eq!(stats["refresh_token_reuse"], 1);
    assert_eq!(stats["refresh_token_reuse_rejected"], 1);
    assert_eq!(stats["grants"]["refresh_token"], 7);
    assert_eq!(stats["grants"]["pkce"], 1);
    assert_eq!(stats["active_sessions"], 0);
}
