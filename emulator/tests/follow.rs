//! `POST /__emulator/follow`: the redirect dance walked by the emulator for a
//! page that cannot navigate, for each selector and flow, cancel and errors.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

impl Emu {
    async fn follow(&self, body: Value) -> Res {
        self.req(
            "POST",
            "/__emulator/follow",
            &[
                ("content-type", "application/json"),
                ("origin", "http://127.0.0.1:8000"),
            ],
            &body.to_string(),
        )
        .await
        .unwrap()
    }

    fn authorize_url(&self, query: &str) -> String {
        format!("{}/auth/v1/authorize?{query}", self.base())
    }

    async fn exchange(&self, code: &str) -> Value {
        let r = self.pkce_token(code).await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.json()
    }
}

#[tokio::test]
async fn pkce_with_connection_signs_in_the_login_hint_user() {
    let emu = Emu::start(|_| {}).await;
    let url = emu.authorize_url(&format!(
        "provider=workos&redirect_to=http%3A%2F%2Flocalhost%3A5173%2Fcb%3Fz%3D1&code_challenge={}&code_challenge_method=s256&connection=conn_emulator_okta&login_hint=grace%40example.com",
        challenge()
    ));
    let r = emu.follow(json!({ "url": url })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("access-control-allow-origin"),
        "http://127.0.0.1:8000"
    );
    let back = r.json()["url"].as_str().unwrap().to_string();
    let code = query_of(&back).get("code").unwrap();
    assert!(uuid_like(&code));
    assert_eq!(back, format!("http://localhost:5173/cb?code={code}&z=1"));
    let session = emu.exchange(&code).await;
    assert_eq!(session["user"]["email"], "grace@example.com");

    // Every hop went through the endpoints a browser would have hit.
    let stats = emu.get("/__emulator/stats").await.json();
    for (endpoint, n) in [
        ("authorize", 1),
        ("sso_authorize", 1),
        ("sso_authorize_complete", 1),
        ("callback", 1),
    ] {
        assert_eq!(stats["requests"][endpoint], n, "{endpoint}");
    }
    assert_eq!(stats["grants"]["pkce"], 1);

    // A page on another origin may call it: the preflight allows the JSON body.
    let pre = emu
        .preflight(
            "/__emulator/follow",
            "http://127.0.0.1:8000",
            "POST",
            "content-type",
        )
        .await;
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        "http://127.0.0.1:8000"
    );
    assert!(pre
        .header("access-control-allow-headers")
        .contains("content-type"));
}

#[tokio::test]
async fn implicit_with_organization_signs_in_the_given_email() {
    let emu = Emu::start(|_| {}).await;
    // The email wins over the login_hint.
    let url = emu.authorize_url(
        "provider=workos&redirect_to=https%3A%2F%2Fapp.example.com%2Fcb&organization=org_emulator_acme&login_hint=grace%40example.com",
    );
    let r = emu
        .follow(json!({ "url": url, "email": "ADA@example.com" }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let back = r.json()["url"].as_str().unwrap().to_string();
    assert!(
        back.starts_with("https://app.example.com/cb#access_token="),
        "{back}"
    );
    let f = Values::parse(back.split_once('#').unwrap().1);
    let u = emu
        .rest(
            "GET",
            "/auth/v1/user",
            Some(&f.get("access_token").unwrap()),
            "",
        )
        .await;
    assert_eq!(u.json()["email"], "ada@example.com");
    assert_eq!(
        u.json()["user_metadata"]["custom_claims"]["organization_id"],
        "org_emulator_acme"
    );
}

#[tokio::test]
async fn provider_signs_in_the_first_user_without_hint_or_email() {
    let emu = Emu::start(|_| {}).await;
    let url = emu.authorize_url(&format!(
        "provider=workos&code_challenge={}&code_challenge_method=S256&workos_provider=GoogleOAuth",
        challenge()
    ));
    let r = emu.follow(json!({ "url": url, "action": "sign_in" })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let back = r.json()["url"].as_str().unwrap().to_string();
    assert!(back.starts_with("http://localhost:5173?code="), "{back}");
    let session = emu.exchange(&query_of(&back).get("code").unwrap()).await;
    assert_eq!(session["user"]["email"], "katherine@example.org");
    assert_eq!(
        session["user"]["user_metadata"]["custom_claims"]["connection_id"],
        "conn_emulator_googleoauth"
    );

    // With --auto-sign-in WorkOS shows no page and the walk goes straight on.
    let auto = Emu::start(|c| c.auto_sign_in = true).await;
    let r = auto
        .follow(
            json!({ "url": auto.authorize_url("provider=workos&connection=conn_emulator_okta") }),
        )
        .await;
    assert!(r.json()["url"]
        .as_str()
        .unwrap()
        .starts_with("http://localhost:5173#access_token="));
}

#[tokio::test]
async fn cancel_and_an_unknown_connection_end_at_the_app_with_the_error() {
    let emu = Emu::start(|_| {}).await;
    let url = emu.authorize_url(
        "provider=workos&redirect_to=http%3A%2F%2Flocalhost%3A5173%2Fcb&connection=conn_emulator_okta",
    );
    let r = emu.follow(json!({ "url": url, "action": "cancel" })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let d = "The+user+denied+the+authorization+request+at+the+identity+provider.";
    assert_eq!(
        r.json()["url"],
        format!("http://localhost:5173/cb?error=access_denied&error_description={d}#error=access_denied&error_description={d}&sb=")
    );

    let r = emu
        .follow(json!({ "url": emu.authorize_url("provider=workos&connection=conn_nope") }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json()["url"],
        "http://localhost:5173?error=connection_invalid&error_description=No+connection+found+for+ID+conn_nope.#error=connection_invalid&error_description=No+connection+found+for+ID+conn_nope.&sb="
    );
    assert_eq!(emu.get("/__emulator/stats").await.json()["sign_ins"], 0);
}

#[tokio::test]
async fn a_walk_that_stops_short_says_where() {
    let emu = Emu::start(|_| {}).await;
    // GoTrue refuses the provider: its 400, and the page it stopped at.
    let url = emu.authorize_url("provider=google");
    let r = emu.follow(json!({ "url": url })).await;
    assert_eq!(r.status, 400);
    let v = r.json();
    assert_eq!(v["stopped_at"], url);
    assert_eq!(v["status"], 400);
    assert!(v["body"]
        .as_str()
        .unwrap()
        .contains("Unsupported provider: provider is not enabled"));

    // A user the page does not offer.
    let url = emu.authorize_url("provider=workos&connection=conn_emulator_okta");
    let r = emu
        .follow(json!({ "url": url, "email": "katherine@example.org" }))
        .await;
    assert_eq!(r.status, 400);
    assert!(r.json()["stopped_at"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/sso/authorize?", emu.base())));

    // A dropped connection on the way.
    add_fault(
        &emu,
        json!({"endpoint": "callback", "kind": "down", "seconds": 30}),
    )
    .await;
    let r = emu.follow(json!({ "url": url })).await;
    assert_eq!(r.status, 502);
    assert!(r.json()["stopped_at"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{}/auth/v1/callback?code=", emu.base())));
    emu.req("DELETE", "/__emulator/faults", &[], "")
        .await
        .unwrap();

    // Requests it refuses.
    for body in [
        json!({ "url": format!("{}/sso/authorize?x=1", emu.base()) }),
        json!({ "url": "https://elsewhere.example.com/auth/v1/authorize" }),
        json!({ "url": url, "action": "wander" }),
        json!({ "email": "ada@example.com" }),
    ] {
        assert_eq!(emu.follow(body.clone()).await.status, 400, "{body}");
    }
    assert_eq!(
        emu.req("GET", "/__emulator/follow", &[], "")
            .await
            .unwrap()
            .status,
        404
    );
}
