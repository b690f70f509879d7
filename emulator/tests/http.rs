//! The emulator over real HTTP on port 0: the whole redirect dance for each
//! selector and flow, error redirects byte for byte, token rotation, error
//! shapes, the gateway's apikey, CORS, faults, the static site.
#![allow(clippy::indexing_slicing)]

use std::sync::Arc;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use supabase_workos_emulator::clock::Clock;
use supabase_workos_emulator::config::Config;
use supabase_workos_emulator::glob::Glob;
use supabase_workos_emulator::gourl::{GoUrl, Values};
use supabase_workos_emulator::{start, Emulator};

const VERIFIER: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

struct Res {
    status: u16,
    headers: hyper::HeaderMap,
    body: String,
}

impl Res {
    fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
    fn location(&self) -> String {
        self.header("location")
    }
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

struct Emu {
    e: Emulator,
    clock: Arc<Clock>,
}

impl Emu {
    async fn start(tweak: impl FnOnce(&mut Config)) -> Emu {
        let mut cfg = Config {
            port: 0,
            site_url: "http://localhost:5173".into(),
            allow: vec![
                Glob::compile("http://localhost:5173/**").unwrap(),
                Glob::compile("https://app.example.com/*").unwrap(),
            ],
            jwt_exp: 20,
            ..Config::default()
        };
        tweak(&mut cfg);
        let clock = Arc::new(Clock::default());
        let e = start(cfg, clock.clone()).await.unwrap();
        Emu { e, clock }
    }

    fn base(&self) -> String {
        self.e.auth_url()
    }

    fn anon(&self) -> String {
        self.e.app.anon_key.clone()
    }

    /// Any absolute URL on this emulator, or a path.
    async fn req(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<Res, String> {
        let path = target.strip_prefix(&self.base()).unwrap_or(target);
        send(self.e.auth_addr, method, path, headers, body).await
    }

    async fn get(&self, target: &str) -> Res {
        self.req("GET", target, &[], "").await.unwrap()
    }

    async fn rest(&self, method: &str, path: &str, bearer: Option<&str>, body: &str) -> Res {
        let anon = self.anon();
        let auth = format!("Bearer {}", bearer.unwrap_or(&anon));
        self.req(
            method,
            path,
            &[
                ("apikey", &anon),
                ("authorization", &auth),
                ("content-type", "application/json;charset=UTF-8"),
                ("x-supabase-api-version", "2024-01-01"),
            ],
            body,
        )
        .await
        .unwrap()
    }
}

async fn send(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> Result<Res, String> {
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .map_err(|e| e.to_string())?;
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(conn);
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let req = builder
        .body(Full::new(Bytes::from(body.to_string())))
        .unwrap();
    let resp = sender.send_request(req).await.map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok(Res {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    })
}

fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

fn query_of(url: &str) -> Values {
    GoUrl::parse(url).unwrap().query()
}

/// The hidden `authorization` id and the profile of `email` on the sign-in page.
fn page_ids(page: &str, email: &str) -> (String, String) {
    let auth = page
        .split("name=\"authorization\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let marker = format!("data-user-email=\"{email}\" data-profile-id=\"");
    let profile = page
        .split(&marker)
        .nth(1)
        .unwrap_or_else(|| panic!("{email} not on the page"))
        .split('"')
        .next()
        .unwrap()
        .to_string();
    (auth, profile)
}

/// `/authorize` → WorkOS page → pick `email` → `/callback`: returns the
/// WorkOS URL and the final Location.
async fn dance(emu: &Emu, authorize_query: &str, email: &str) -> (String, String) {
    let r = emu
        .get(&format!("/auth/v1/authorize?{authorize_query}"))
        .await;
    assert_eq!(r.status, 302, "{}", r.body);
    let workos_url = r.location();
    assert!(workos_url.starts_with(&format!("{}/sso/authorize?", emu.base())));
    let page = emu.get(&workos_url).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("WorkOS (emulated)"));
    let (auth, profile) = page_ids(&page.body, email);
    let done = emu
        .req(
            "POST",
            "/sso/authorize/complete",
            &[("content-type", "application/x-www-form-urlencoded")],
            &format!("authorization={auth}&profile={profile}"),
        )
        .await
        .unwrap();
    assert_eq!(done.status, 302, "{}", done.body);
    let callback = done.location();
    assert!(callback.starts_with(&format!("{}/auth/v1/callback?code=", emu.base())));
    let back = emu.get(&callback).await;
    assert_eq!(back.status, 302, "{}", back.body);
    (workos_url, back.location())
}

fn uuid_like(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

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
    let r2 = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=pkce",
            None,
            &json!({"auth_code": code2, "code_verifier": VERIFIER}).to_string(),
        )
        .await;
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
    let s = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=pkce",
            None,
            &json!({"auth_code": code, "code_verifier": VERIFIER}).to_string(),
        )
        .await;
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
    let r = emu
        .rest(
            "POST",
            "/auth/v1/token?grant_type=pkce",
            None,
            &json!({"auth_code": code, "code_verifier": VERIFIER}).to_string(),
        )
        .await;
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

async fn signed_in(emu: &Emu) -> Value {
    let q = format!(
        "provider=workos&code_challenge={}&code_challenge_method=s256&connection=conn_emulator_okta",
        challenge()
    );
    let (_, back) = dance(emu, &q, "ada@example.com").await;
    let code = query_of(&back).get("code").unwrap();
    emu.rest(
        "POST",
        "/auth/v1/token?grant_type=pkce",
        None,
        &json!({"auth_code": code, "code_verifier": VERIFIER}).to_string(),
    )
    .await
    .json()
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

#[tokio::test]
async fn error_shapes_apikey_and_cors() {
    let emu = Emu::start(|_| {}).await;
    let anon = emu.anon();

    let no_key = emu.req("GET", "/auth/v1/user", &[], "").await.unwrap();
    assert_eq!(
        (no_key.status, no_key.body.as_str()),
        (401, r#"{"message":"No API key found in request"}"#)
    );
    let bad_key = emu
        .req("GET", "/auth/v1/user", &[("apikey", "nope")], "")
        .await
        .unwrap();
    assert_eq!(
        (bad_key.status, bad_key.body.as_str()),
        (401, r#"{"message":"Invalid API key"}"#)
    );

    let legacy = emu
        .req("GET", "/auth/v1/user", &[("apikey", &anon)], "")
        .await
        .unwrap();
    assert_eq!(legacy.status, 401);
    assert_eq!(
        legacy.body,
        r#"{"code":401,"error_code":"no_authorization","msg":"This endpoint requires a Bearer token"}"#
    );
    assert_eq!(legacy.header("x-supabase-api-version"), "");
    let v2 = emu
        .req(
            "GET",
            "/auth/v1/user",
            &[("apikey", &anon), ("x-supabase-api-version", "2024-01-01")],
            "",
        )
        .await
        .unwrap();
    assert_eq!(
        v2.body,
        r#"{"code":"no_authorization","message":"This endpoint requires a Bearer token"}"#
    );
    assert_eq!(v2.header("x-supabase-api-version"), "2024-01-01");
    // The anon key is not a user's token.
    let anon_bearer = emu.rest("GET", "/auth/v1/user", None, "").await;
    assert_eq!(
        anon_bearer.json(),
        json!({"code": "bad_jwt", "message": "invalid claim: missing sub claim"})
    );

    // /authorize is a navigation: no apikey, legacy shape.
    let unsupported = emu.get("/auth/v1/authorize?provider=google").await;
    assert_eq!(unsupported.status, 400);
    assert_eq!(
        unsupported.body,
        r#"{"code":400,"error_code":"validation_failed","msg":"Unsupported provider: provider is not enabled"}"#
    );
    let pkce_half = emu
        .get("/auth/v1/authorize?provider=workos&code_challenge_method=s256")
        .await;
    assert_eq!(
        pkce_half.json()["msg"],
        "PKCE flow requires code_challenge_method and code_challenge"
    );

    let missing = emu
        .rest("POST", "/auth/v1/token?grant_type=pkce", None, "{}")
        .await;
    assert_eq!(
        missing.json(),
        json!({"code": "validation_failed", "message": "invalid request: both auth code and code verifier should be non-empty"})
    );
    let not_json = emu
        .rest("POST", "/auth/v1/token?grant_type=pkce", None, "{nope")
        .await;
    assert_eq!(
        (not_json.status, not_json.json()["code"].clone()),
        (400, json!("bad_json"))
    );
    let grant = emu
        .rest("POST", "/auth/v1/token?grant_type=password", None, "{}")
        .await;
    assert_eq!(grant.body, r#"{"error":"unsupported_grant_type"}"#);

    let pre = emu
        .req(
            "OPTIONS",
            "/auth/v1/token?grant_type=pkce",
            &[
                ("origin", "http://localhost:5173"),
                ("access-control-request-method", "POST"),
                (
                    "access-control-request-headers",
                    "apikey, authorization, content-type, x-client-info, x-supabase-api-version",
                ),
            ],
            "",
        )
        .await
        .unwrap();
    assert_eq!(pre.status, 204);
    assert_eq!(
        pre.header("access-control-allow-origin"),
        "http://localhost:5173"
    );
    assert_eq!(
        pre.header("access-control-allow-methods"),
        "GET, POST, PUT, DELETE, OPTIONS"
    );
    for h in [
        "apikey",
        "authorization",
        "x-client-info",
        "x-supabase-api-version",
        "content-type",
    ] {
        assert!(
            pre.header("access-control-allow-headers").contains(h),
            "{h}"
        );
    }
    let normal = emu
        .req(
            "GET",
            "/auth/v1/health",
            &[("apikey", &anon), ("origin", "http://127.0.0.1:9999")],
            "",
        )
        .await
        .unwrap();
    assert_eq!(normal.status, 200);
    assert_eq!(normal.json()["name"], "GoTrue");
    assert_eq!(
        normal.header("access-control-allow-origin"),
        "http://127.0.0.1:9999"
    );
    assert_eq!(
        normal.header("access-control-expose-headers"),
        "x-supabase-api-version"
    );
}

#[tokio::test]
async fn injected_faults() {
    let emu = Emu::start(|c| {
        c.faults =
            vec![supabase_workos_emulator::faults::FaultSpec::parse_flag("user=503:1").unwrap()]
    })
    .await;
    let s = signed_in(&emu).await;
    let at = s["access_token"].as_str().unwrap();
    assert_eq!(
        emu.rest("GET", "/auth/v1/user", Some(at), "").await.status,
        503
    );
    assert_eq!(
        emu.rest("GET", "/auth/v1/user", Some(at), "").await.status,
        200
    );

    let add = |body: Value| add_fault(&emu, body);
    assert_eq!(
        add(json!({"endpoint": "token_refresh", "kind": "500", "count": 1}))
            .await
            .status,
        200
    );
    let rt = json!({"refresh_token": s["refresh_token"]}).to_string();
    let r = emu
        .rest("POST", "/auth/v1/token?grant_type=refresh_token", None, &rt)
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (500, json!("unexpected_failure"))
    );

    add(json!({"endpoint": "user", "kind": "garbage"})).await;
    let g = emu.rest("GET", "/auth/v1/user", Some(at), "").await;
    assert_eq!(g.status, 200);
    assert!(serde_json::from_str::<Value>(&g.body).is_err());

    add(json!({"endpoint": "user", "kind": "big"})).await;
    assert!(
        emu.rest("GET", "/auth/v1/user", Some(at), "")
            .await
            .body
            .len()
            >= 5 * 1024 * 1024
    );

    add(json!({"endpoint": "user", "kind": 429})).await;
    let limited = emu.rest("GET", "/auth/v1/user", Some(at), "").await;
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, "1".to_string())
    );

    add(json!({"endpoint": "user", "kind": "redirect"})).await;
    let moved = emu.rest("GET", "/auth/v1/user", Some(at), "").await;
    assert_eq!(moved.status, 302);
    assert_eq!(emu.get(&moved.location()).await.status, 200);

    add(json!({"endpoint": "all", "kind": "down", "seconds": 30})).await;
    let anon = emu.anon();
    assert!(emu
        .req("GET", "/auth/v1/health", &[("apikey", &anon)], "")
        .await
        .is_err());
    assert!(emu
        .req("GET", "/auth/v1/health", &[("apikey", &anon)], "")
        .await
        .is_err());
    emu.clock.advance_ms(31_000);
    assert_eq!(
        emu.req("GET", "/auth/v1/health", &[("apikey", &anon)], "")
            .await
            .unwrap()
            .status,
        200
    );

    add(json!({"endpoint": "user", "kind": "timeout", "seconds": 1})).await;
    let started = std::time::Instant::now();
    assert!(emu.rest_result(at).await.is_err());
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));

    let bad = add(json!({"endpoint": "user", "kind": "teapot"})).await;
    assert_eq!(bad.status, 400);
    let stats = emu.get("/__emulator/stats").await.json();
    assert_eq!(stats["faults_triggered"], 9);

    let reset = emu.req("POST", "/__emulator/reset", &[], "").await.unwrap();
    assert_eq!(reset.status, 200);
    let stats = emu.get("/__emulator/stats").await.json();
    assert_eq!(
        (
            stats["faults_triggered"].clone(),
            stats["active_sessions"].clone()
        ),
        (json!(0), json!(0))
    );
}

async fn add_fault(emu: &Emu, body: Value) -> Res {
    emu.req("POST", "/__emulator/faults", &[], &body.to_string())
        .await
        .unwrap()
}

impl Emu {
    async fn rest_result(&self, bearer: &str) -> Result<Res, String> {
        let anon = self.anon();
        let auth = format!("Bearer {bearer}");
        self.req(
            "GET",
            "/auth/v1/user",
            &[("apikey", &anon), ("authorization", &auth)],
            "",
        )
        .await
    }
}

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

#[tokio::test]
async fn static_site_and_ready_line() {
    let dir = std::env::temp_dir().join(format!("emu-site-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><p>demo</p>").unwrap();
    std::fs::write(dir.join("pkg/core.wasm"), b"\0asm").unwrap();
    std::fs::write(dir.join("app.js"), "export {}").unwrap();
    let emu = Emu::start(|c| {
        c.serve = Some(dir.clone());
        c.app_headers = vec![(
            "Content-Security-Policy".into(),
            "default-src 'self'".into(),
        )];
    })
    .await;
    let app = emu.e.app_addr.unwrap();
    let index = send(app, "GET", "/", &[], "").await.unwrap();
    assert_eq!(index.status, 200);
    assert_eq!(index.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(
        index.header("content-security-policy"),
        "default-src 'self'"
    );
    let wasm = send(app, "GET", "/pkg/core.wasm", &[], "").await.unwrap();
    assert_eq!(wasm.header("content-type"), "application/wasm");
    let js = send(app, "GET", "/app.js", &[], "").await.unwrap();
    assert_eq!(js.header("content-type"), "text/javascript; charset=utf-8");
    assert_eq!(
        send(app, "GET", "/../Cargo.toml", &[], "")
            .await
            .unwrap()
            .status,
        404
    );

    let line = emu.e.ready_line();
    let json: Value = serde_json::from_str(line.strip_prefix("READY ").unwrap()).unwrap();
    assert_eq!(json["auth_url"], emu.base());
    assert_eq!(json["app_url"], format!("http://{app}"));
    assert_eq!(json["site_url"], "http://localhost:5173");
    assert_eq!(json["anon_key"], emu.anon());
    assert!(line.starts_with("READY {\"auth_url\":"));
}

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
