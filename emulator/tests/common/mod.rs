//! What every test file shares: an emulator on port 0 with a clock the test
//! moves, a small HTTP/1 client, and the redirect dance of a browser.
#![allow(dead_code, clippy::indexing_slicing)]

use std::sync::Arc;

pub use base64::engine::general_purpose::URL_SAFE_NO_PAD;
pub use base64::Engine;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
pub use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use supabase_workos_emulator::clock::Clock;
use supabase_workos_emulator::config::Config;
use supabase_workos_emulator::glob::Glob;
pub use supabase_workos_emulator::gourl::{GoUrl, Values};
use supabase_workos_emulator::{start, Emulator};

pub const VERIFIER: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

pub struct Res {
    pub status: u16,
    pub headers: hyper::HeaderMap,
    pub body: String,
}

impl Res {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }
    pub fn location(&self) -> String {
        self.header("location")
    }
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON: {}", self.body))
    }
}

pub struct Emu {
    pub e: Emulator,
    pub clock: Arc<Clock>,
}

impl Emu {
    /// `POST /token?grant_type=pkce` with [`VERIFIER`].
    pub async fn pkce_token(&self, code: &str) -> Res {
        let body = json!({"auth_code": code, "code_verifier": VERIFIER}).to_string();
        self.rest("POST", "/auth/v1/token?grant_type=pkce", None, &body)
            .await
    }

    /// A CORS preflight from `origin` asking for `headers`.
    pub async fn preflight(&self, path: &str, origin: &str, method: &str, headers: &str) -> Res {
        self.req(
            "OPTIONS",
            path,
            &[
                ("origin", origin),
                ("access-control-request-method", method),
                ("access-control-request-headers", headers),
            ],
            "",
        )
        .await
        .unwrap()
    }

    pub async fn start(tweak: impl FnOnce(&mut Config)) -> Emu {
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

    pub fn base(&self) -> String {
        self.e.auth_url()
    }

    pub fn anon(&self) -> String {
        self.e.app.anon_key.clone()
    }

    /// Any absolute URL on this emulator, or a path.
    pub async fn req(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Result<Res, String> {
        let path = target.strip_prefix(&self.base()).unwrap_or(target);
        send(self.e.auth_addr, method, path, headers, body).await
    }

    pub async fn get(&self, target: &str) -> Res {
        self.req("GET", target, &[], "").await.unwrap()
    }

    pub async fn rest(&self, method: &str, path: &str, bearer: Option<&str>, body: &str) -> Res {
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

impl Emu {
    pub async fn rest_result(&self, bearer: &str) -> Result<Res, String> {
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

pub async fn send(
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

pub fn challenge() -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(VERIFIER.as_bytes()))
}

pub fn query_of(url: &str) -> Values {
    GoUrl::parse(url).unwrap().query()
}

/// The hidden `authorization` id and the profile of `email` on the sign-in page.
pub fn page_ids(page: &str, email: &str) -> (String, String) {
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
pub async fn dance(emu: &Emu, authorize_query: &str, email: &str) -> (String, String) {
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

pub fn uuid_like(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok() && s.len() == 36
}

pub async fn signed_in(emu: &Emu) -> Value {
    let q = format!(
        "provider=workos&code_challenge={}&code_challenge_method=s256&connection=conn_emulator_okta",
        challenge()
    );
    let (_, back) = dance(emu, &q, "ada@example.com").await;
    let code = query_of(&back).get("code").unwrap();
    emu.pkce_token(&code).await.json()
}

pub async fn add_fault(emu: &Emu, body: Value) -> Res {
    emu.req("POST", "/__emulator/faults", &[], &body.to_string())
        .await
        .unwrap()
}
