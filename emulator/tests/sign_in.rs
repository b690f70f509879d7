//! The whole redirect dance over real HTTP for each selector and flow:
//! connection with PKCE, organization with the implicit flow, OAuth providers.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn pkce_with_connection_end_to_end() {
    let emu = Emu::start(|_| {}).await;
    let q = format!(
        "provider=workos&redirect_to=http%3A%2F%2Flocalhost%3A5173%2Fcb%3Fz%3D1%26a%3D2&code_challenge={}&code_challenge_method=s256&connection=conn_emulator_okta&login_hint=ada%40example.com",
        challenge()
    );
    let (workos_url, back) = dance(&emu, &q, "ada@example.com").await;

    // The WorkOS request: sorted keys, reserved ones gone, state a flow uuid.
    let wq = query_of(&workos_url);
    let state = wq.get("state").unwrap();
    assert!(uuid_like(&state));
    let callback = format!("{}/auth/v1/callback", emu.base());
    let mut want = Values::default();
    want.set("client_id", "client_emulator");
    want.set("connection", "conn_emulator_okta");
    want.set("login_hint", "ada@example.com");
    want.set("redirect_to", "http://localhost:5173/cb?z=1&a=2");
    want.set("redirect_uri", &callback);
    want.set("response_type", "code");
    want.set("state", &state);
    assert_eq!(
        workos_url,
        format!("{}/sso/authorize?{}", emu.base(), want.encode())
    );

    // PKCE success: code added, existing keys re-sorted.
    let code = query_of(&back).get("code").unwrap();
    assert!(uuid_like(&code));
    assert_eq!(
        back,
        format!("http://localhost:5173/cb?a=2&code={code}&z=1")
    );

    // Wrong verifier first: refused, and the code survives it.
    let bad = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=pkce",
            None,
            &json!({"auth_code": code, "code_verifier": "x".repeat(43)}).to_string(),
        )
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(bad.json()["code"], "bad_code_verifier");

    let body = json!({"auth_code": code, "code_verifier": VERIFIER}).to_string();
    let r = emu
        .rest("POST", "/auth/v1/token?grant_type=pkce", None, &body)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.starts_with("{\"access_token\":\"ey"));
    let keys: Vec<String> = {
        let v: serde_json::Map<String, Value> = serde_json::from_str(&r.body).unwrap();
        v.keys().cloned().collect()
    };
    for k in [
        "access_token",
        "token_type",
        "expires_in",
        "expires_at",
        "refresh_token",
        "user",
        "provider_token",
    ] {
        assert!(keys.contains(&k.to_string()), "{k}");
    }
    let s = r.json();
    assert_eq!(s["token_type"], "bearer");
    assert_eq!(s["expires_in"], 20);
    assert!(s["provider_token"]
        .as_str()
        .unwrap()
        .starts_with("wos_emulated_"));
    let order = [
        "\"access_token\"",
        "\"token_type\"",
        "\"expires_in\"",
        "\"expires_at\"",
        "\"refresh_token\"",
        "\"user\"",
        "\"provider_token\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| r.body.find(k).unwrap()).collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "GoTrue's field order"
    );

    // The access token: GoTrue's claims, in GoTrue's order.
    let at = s["access_token"].as_str().unwrap();
    let payload = String::from_utf8(
        URL_SAFE_NO_PAD
            .decode(at.split('.').nth(1).unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(
        payload.starts_with(&format!("{{\"iss\":\"{}/auth/v1\",\"sub\":\"", emu.base())),
        "{payload}"
    );
    let claims: Value = serde_json::from_str(&payload).unwrap();
    assert_eq!(claims["aud"], "authenticated");
    assert_eq!(claims["role"], "authenticated");
    assert_eq!(claims["aal"], "aal1");
    assert_eq!(claims["amr"][0]["method"], "oauth");
    assert_eq!(claims["is_anonymous"], false);
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        20
    );
    assert_eq!(claims["exp"], s["expires_at"]);

    // The user.
    let u = emu.rest("GET", "/auth/v1/user", Some(at), "").await;
    assert_eq!(u.status, 200, "{}", u.body);
    let user = u.json();
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["id"], claims["sub"]);
    assert_eq!(
        user["app_metadata"],
        json!({"provider": "workos", "providers": ["workos"]})
    );
    assert_eq!(
        user["user_metadata"]["custom_claims"],
        json!({"connection_id": "conn_emulator_okta", "organization_id": "org_emulator_acme"})
    );
    assert_eq!(user["user_metadata"]["iss"], emu.base());
    assert_eq!(user["user_metadata"]["sub"], "prof_emulator_ada");
    assert_eq!(user["user_metadata"]["full_name"], "Ada Lovelace");
    assert_eq!(user["identities"][0]["provider"], "workos");
    assert_eq!(user["identities"][0]["id"], "prof_emulator_ada");
    assert!(u.body.starts_with("{\"id\":"));

    // Codes are single use.
    let again = emu
        .rest("POST", "/auth/v1/token?grant_type=pkce", None, &body)
        .await;
    assert_eq!(again.status, 404);
    assert_eq!(
        again.json(),
        json!({"code": "flow_state_not_found", "message": "invalid flow state, no valid flow state found"})
    );

    // The same profile signs in again: same Supabase user.
    let (_, back2) = dance(&emu, &q, "ada@example.com").await;
    let code2 = query_of(&back2).get("code").unwrap();
    let r2 = emu.pkce_token(&code2).await;
    assert_eq!(r2.json()["user"]["id"], user["id"]);
}

#[tokio::test]
async fn implicit_with_organization_end_to_end() {
    let emu = Emu::start(|_| {}).await;
    let (workos_url, back) = dance(
        &emu,
        "provider=workos&redirect_to=https%3A%2F%2Fapp.example.com%2Fcb%23keep&organization=org_emulator_acme",
        "grace@example.com",
    )
    .await;
    assert_eq!(
        query_of(&workos_url).get("organization").unwrap(),
        "org_emulator_acme"
    );
    // The fragment of redirect_to stays, and the tokens follow a second '#'.
    assert!(
        back.starts_with("https://app.example.com/cb#keep#access_token="),
        "{back}"
    );
    let frag = back.splitn(3, '#').nth(2).unwrap();
    let keys: Vec<&str> = frag
        .split('&')
        .map(|kv| kv.split('=').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "access_token",
            "expires_at",
            "expires_in",
            "provider_token",
            "refresh_token",
            "sb",
            "token_type"
        ]
    );
    let f = Values::parse(frag);
    assert_eq!(f.get("token_type").unwrap(), "bearer");
    assert_eq!(f.get("expires_in").unwrap(), "20");
    assert_eq!(f.get("sb").unwrap(), "");
    let at = f.get("access_token").unwrap();
    let u = emu.rest("GET", "/auth/v1/user", Some(&at), "").await;
    assert_eq!(u.json()["email"], "grace@example.com");

    // The implicit flow state is gone: replaying the callback goes to the Site URL.
    let wq = query_of(&workos_url);
    let replay = emu
        .get(&format!(
            "/auth/v1/callback?code=x&state={}",
            wq.get("state").unwrap()
        ))
        .await;
    assert_eq!(replay.status, 303);
    assert_eq!(
        replay.location(),
        "http://localhost:5173?error=invalid_request&error_code=bad_oauth_state&error_description=OAuth+state+not+found+or+expired"
    );
}

#[tokio::test]
async fn oauth_provider_both_flows() {
    let emu = Emu::start(|_| {}).await;
    let pkce = format!(
        "provider=workos&redirect_to=http%3A%2F%2Flocalhost%3A5173%2F&code_challenge={}&code_challenge_method=S256&workos_provider=GoogleOAuth",
        challenge()
    );
    let (workos_url, back) = dance(&emu, &pkce, "katherine@example.org").await;
    let wq = query_of(&workos_url);
    assert_eq!(wq.get("provider").unwrap(), "GoogleOAuth");
    assert!(!wq.has("workos_provider"));
    assert_eq!(workos_url.matches("provider=").count(), 1);
    let code = query_of(&back).get("code").unwrap();
    let s = emu.pkce_token(&code).await;
    assert_eq!(s.status, 200, "{}", s.body);
    let md = &s.json()["user"]["user_metadata"];
    assert_eq!(
        md["custom_claims"],
        json!({"connection_id": "conn_emulator_googleoauth", "organization_id": ""})
    );

    let (_, back) = dance(
        &emu,
        "provider=workos&workos_provider=GitHubOAuth",
        "alan@example.org",
    )
    .await;
    // No redirect_to: the Site URL.
    assert!(
        back.starts_with("http://localhost:5173#access_token="),
        "{back}"
    );
}
