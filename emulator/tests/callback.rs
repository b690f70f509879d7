//! `/auth/v1/callback`: bad and expired states, errors relayed in query and
//! fragment byte for byte, a form POST, the Referer fallback.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn bad_state_goes_to_the_site_url() {
    let emu = Emu::start(|e| e.site_url = "http://localhost:5173/home?x=1".into()).await;
    let cases = [
        (
            "/auth/v1/callback?code=abc",
            "bad_oauth_callback",
            "OAuth+state+parameter+missing",
        ),
        (
            "/auth/v1/callback?code=abc&state=nope",
            "bad_oauth_state",
            "OAuth+state+parameter+is+invalid",
        ),
        (
            "/auth/v1/callback?code=abc&state=6f1f5a8e-3b8a-4c34-9d0a-2f6f1c3c9a11",
            "bad_oauth_state",
            "OAuth+state+not+found+or+expired",
        ),
    ];
    for (path, code, desc) in cases {
        let r = emu.get(path).await;
        assert_eq!(r.status, 303);
        assert_eq!(
            r.location(),
            format!("http://localhost:5173/home?error=invalid_request&error_code={code}&error_description={desc}&x=1")
        );
    }
}

#[tokio::test]
async fn error_redirects_in_query_and_fragment() {
    let emu = Emu::start(|_| {}).await;
    // Cancel at WorkOS: the relayed error has no error_code.
    let r = emu
        .get("/auth/v1/authorize?provider=workos&redirect_to=http%3A%2F%2Flocalhost%3A5173%2Fcb&connection=conn_emulator_okta")
        .await;
    let page = emu.get(&r.location()).await;
    let (auth, _) = page_ids(&page.body, "ada@example.com");
    assert!(page.body.contains("id=\"cancel\""));
    let cancel = emu
        .req(
            "POST",
            "/sso/authorize/cancel",
            &[("content-type", "application/x-www-form-urlencoded")],
            &format!("authorization={auth}"),
        )
        .await
        .unwrap();
    assert_eq!(cancel.status, 302);
    let back = emu.get(&cancel.location()).await;
    assert_eq!(back.status, 302);
    let d = "The+user+denied+the+authorization+request+at+the+identity+provider.";
    assert_eq!(
        back.location(),
        format!("http://localhost:5173/cb?error=access_denied&error_description={d}#error=access_denied&error_description={d}&sb=")
    );

    // A WorkOS selector error, relayed (note `%3A` → `%253A` in the fragment).
    let r = emu
        .get("/auth/v1/authorize?provider=workos&connection=conn_nope")
        .await;
    let to_callback = emu.get(&r.location()).await;
    assert_eq!(to_callback.status, 302);
    assert!(to_callback.location().contains("error=connection_invalid&error_description=No%20connection%20found%20for%20ID%20conn_nope.&state="));
    let back = emu.get(&to_callback.location()).await;
    assert_eq!(
        back.location(),
        "http://localhost:5173?error=connection_invalid&error_description=No+connection+found+for+ID+conn_nope.#error=connection_invalid&error_description=No+connection+found+for+ID+conn_nope.&sb="
    );

    // None and several selectors.
    for (q, err) in [
        ("", "invalid_connection_selector"),
        (
            "&connection=conn_emulator_okta&organization=org_emulator_acme",
            "ambiguous_connection_selector",
        ),
        ("&organization=org_emulator_empty", "organization_invalid"),
        (
            "&organization=org_emulator_multi",
            "ambiguous_connection_selector",
        ),
        ("&organization=org_nope", "organization_invalid"),
    ] {
        let r = emu
            .get(&format!("/auth/v1/authorize?provider=workos{q}"))
            .await;
        let w = emu.get(&r.location()).await;
        assert!(
            w.location().contains(&format!("?error={err}&")),
            "{q}: {}",
            w.location()
        );
    }

    // A GoTrue error after WorkOS let the user in: error_code set, error access_denied.
    let (_, back) = dance(
        &emu,
        "provider=workos&connection=conn_emulator_okta",
        "mallory@example.com",
    )
    .await;
    assert_eq!(
        back,
        "http://localhost:5173?error=access_denied&error_code=user_banned&error_description=User+is+banned#error=access_denied&error_code=user_banned&error_description=User+is+banned&sb="
    );
}

#[tokio::test]
async fn signup_disabled_redirect() {
    let emu = Emu::start(|c| c.disable_signup = true).await;
    let (_, back) = dance(&emu, "provider=workos&redirect_to=http%3A%2F%2Flocalhost%3A5173%2Fcb&connection=conn_emulator_okta", "ada@example.com").await;
    assert_eq!(
        back,
        "http://localhost:5173/cb?error=access_denied&error_code=signup_disabled&error_description=Signups+not+allowed+for+this+instance#error=access_denied&error_code=signup_disabled&error_description=Signups+not+allowed+for+this+instance&sb="
    );
}

#[tokio::test]
async fn callback_accepts_a_form_post_and_falls_back_to_the_referer() {
    let emu = Emu::start(|_| {}).await;
    // redirect_to refused, Referer allowed: GoTrue's GetReferrer picks the Referer.
    let r = emu
        .req(
            "GET",
            "/auth/v1/authorize?provider=workos&redirect_to=https%3A%2F%2Fevil.example.net%2F&connection=conn_emulator_okta",
            &[("referer", "http://localhost:5173/from-here")],
            "",
        )
        .await
        .unwrap();
    let page = emu.get(&r.location()).await;
    let (auth, profile) = page_ids(&page.body, "ada@example.com");
    let done = emu
        .req(
            "POST",
            "/sso/authorize/complete",
            &[("content-type", "application/x-www-form-urlencoded")],
            &format!("authorization={auth}&profile={profile}"),
        )
        .await
        .unwrap();
    let cb = query_of(&done.location());
    let form = format!(
        "code={}&state={}",
        cb.get("code").unwrap(),
        cb.get("state").unwrap()
    );
    let back = emu
        .req(
            "POST",
            "/auth/v1/callback",
            &[("content-type", "application/x-www-form-urlencoded")],
            &form,
        )
        .await
        .unwrap();
    assert_eq!(back.status, 302);
    assert!(
        back.location()
            .starts_with("http://localhost:5173/from-here#access_token="),
        "{}",
        back.location()
    );
    // The WorkOS code is single use: a replay with a fresh state fails as a 500 relayed in the redirect.
    let second = emu
        .get("/auth/v1/authorize?provider=workos&connection=conn_emulator_okta")
        .await;
    let state = query_of(&second.location()).get("state").unwrap();
    let replay = emu
        .get(&format!(
            "/auth/v1/callback?code={}&state={state}",
            cb.get("code").unwrap()
        ))
        .await;
    let prefix: String = cb.get("code").unwrap().chars().take(4).collect();
    assert_eq!(
        query_of(&replay.location())
            .get("error_description")
            .unwrap(),
        format!("Unable to exchange external code: {prefix}")
    );
    assert_eq!(
        query_of(&replay.location()).get("error").unwrap(),
        "server_error"
    );
}
