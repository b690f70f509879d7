//! The listener, the router and what every request goes through: CORS,
//! counters, injected faults and the gateway's `apikey` check.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderValue;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;

use crate::clock::Clock;
use crate::config::Config;
use crate::faults::{Faults, Kind};
use crate::http::{self, add_cors, preflight, ApiError, AuthError, Req, Resp};
use crate::redirect::RedirectPolicy;
use crate::store::Store;
use crate::{control, gotrue, jwt, workos};

/// Largest request body read (anything bigger is refused with 413).
const MAX_BODY: usize = 1 << 20;

/// Shared state of one emulator.
pub struct App {
    pub cfg: Config,
    pub clock: Arc<Clock>,
    store: Mutex<Store>,
    faults: Mutex<Faults>,
    pub anon_key: String,
    /// `http://127.0.0.1:PORT`: the Supabase URL and the WorkOS API base.
    pub base_url: String,
    pub redirect: RedirectPolicy,
}

/// A request whose connection is dropped without an answer.
#[derive(Debug)]
pub struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for Dropped {}

impl App {
    pub fn new(cfg: Config, clock: Arc<Clock>, base_url: String) -> App {
        let anon_key = cfg
            .anon_key
            .clone()
            .unwrap_or_else(|| jwt::anon_key(&cfg.jwt_secret));
        let now = clock.now_ms();
        let mut faults = Faults::default();
        for spec in &cfg.faults {
            faults.add(spec.clone(), now);
        }
        let redirect = RedirectPolicy {
            site_url: cfg.site_url.clone(),
            allow: cfg.allow.clone(),
        };
        App {
            cfg,
            clock,
            store: Mutex::new(Store::default()),
            faults: Mutex::new(faults),
            anon_key,
            base_url,
            redirect,
        }
    }

    /// The store, even if a panicking thread poisoned the lock.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// GoTrue's `API_EXTERNAL_URL`, also the JWT `iss`.
    pub fn auth_url(&self) -> String {
        format!("{}/auth/v1", self.base_url)
    }

    /// Where WorkOS sends the browser back to.
    pub fn callback_url(&self) -> String {
        format!("{}/auth/v1/callback", self.base_url)
    }

    fn key_is_accepted(&self, key: &str) -> bool {
        if key == self.anon_key {
            return true;
        }
        jwt::verify(&self.cfg.jwt_secret, key, self.clock.now_s())
            .ok()
            .and_then(|c| c.get("role").and_then(|r| r.as_str()).map(str::to_string))
            .is_some_and(|r| r == "anon" || r == "service_role")
    }
}

/// Accepts connections until the task is dropped, answering each request with `handler`.
/// Shared by the Auth server and the static site.
pub async fn accept<H, Fut, E>(listener: TcpListener, handler: H)
where
    H: Fn(Request<Incoming>) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = Result<Resp, E>> + Send + 'static,
    E: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let handler = handler.clone();
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service_fn(handler))
                .await;
        });
    }
}

/// Serves Supabase Auth and the WorkOS stand-in until the task is dropped.
pub async fn serve(listener: TcpListener, app: Arc<App>) {
    accept(listener, move |req| handle(app.clone(), req)).await
}

/// Reads a whole body, or says it was too large.
pub async fn read_body(body: Incoming) -> Result<Bytes, ()> {
    match Limited::new(body, MAX_BODY).collect().await {
        Ok(c) => Ok(c.to_bytes()),
        Err(_) => Err(()),
    }
}

async fn handle(app: Arc<App>, req: Request<Incoming>) -> Result<Resp, Dropped> {
    let (parts, body) = req.into_parts();
    let path = parts.uri.path().to_string();
    let method = parts.method.clone();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let body = read_body(body).await;
    let req = Req {
        method: parts.method,
        path,
        raw_query,
        headers: parts.headers,
        body: body.clone().unwrap_or_default(),
    };
    let origin = req.header("origin");
    let result = if body.is_err() {
        Ok(http::json(
            413,
            json!({"message": "Request body too large"}).to_string(),
        ))
    } else {
        dispatch(&app, &req).await
    };
    match result {
        Ok(mut resp) => {
            add_cors(&mut resp, &origin);
            eprintln!(
                "[emulator] {method} {} -> {}",
                req.path,
                resp.status().as_u16()
            );
            Ok(resp)
        }
        Err(d) => {
            eprintln!("[emulator] {method} {} -> dropped (fault)", req.path);
            Err(d)
        }
    }
}

/// `(endpoint, narrower endpoint)` names used by faults and counters.
fn route_name(req: &Req) -> Option<(&'static str, Option<&'static str>)> {
    Some(match req.path.as_str() {
        "/auth/v1/authorize" => ("authorize", None),
        "/auth/v1/callback" => ("callback", None),
        "/auth/v1/token" => (
            "token",
            match req.form().get_or_empty("grant_type").as_str() {
                "pkce" => Some("token_pkce"),
                "refresh_token" => Some("token_refresh"),
                _ => None,
            },
        ),
        "/auth/v1/user" => ("user", None),
        "/auth/v1/logout" => ("logout", None),
        "/auth/v1/health" => ("health", None),
        "/sso/authorize" => ("sso_authorize", None),
        "/sso/token" => ("sso_token", None),
        "/sso/authorize/complete" | "/sso/authorize/cancel" => ("sso_authorize_complete", None),
        _ => return None,
    })
}

async fn apply_fault(app: &App, req: &Req, kind: Kind, hold: u64) -> Result<Resp, Dropped> {
    let v = req.api_version_2024();
    Ok(match kind {
        Kind::Status500 => AuthError::Http(ApiError::internal(
            "Unexpected failure, please check server logs for more information",
        ))
        .into_response(v),
        Kind::Status503 => AuthError::Http(ApiError::new(
            503,
            "unexpected_failure",
            "Service temporarily unavailable",
        ))
        .into_response(v),
        Kind::Status429 => {
            let mut r = AuthError::Http(ApiError::new(
                429,
                "over_request_rate_limit",
                "Request rate limit reached",
            ))
            .into_response(v);
            r.headers_mut()
                .insert("retry-after", HeaderValue::from_static("1"));
            r
        }
        Kind::Timeout => {
            tokio::time::sleep(Duration::from_secs(hold)).await;
            return Err(Dropped);
        }
        Kind::Down => return Err(Dropped),
        Kind::Garbage => http::respond(
            200,
            "application/json",
            "<html><body>502 Bad Gateway (garbage injected by the emulator)</body></html>",
        ),
        Kind::Big => {
            let mut body = String::with_capacity(5 * 1024 * 1024 + 16);
            body.push_str("{\"padding\":\"");
            body.push_str(&"x".repeat(5 * 1024 * 1024));
            body.push_str("\"}");
            http::json(200, body)
        }
        Kind::Redirect => http::redirect(
            302,
            &format!("{}/__emulator/redirected", app.base_url),
            &req.method,
        ),
    })
}

/// Whether the Supabase gateway would want an `apikey` for this path.
fn needs_apikey(path: &str) -> bool {
    path.starts_with("/auth/v1/")
        && !matches!(
            path,
            "/auth/v1/authorize" | "/auth/v1/callback" | "/auth/v1/verify"
        )
}

async fn dispatch(app: &App, req: &Req) -> Result<Resp, Dropped> {
    if req.method == Method::OPTIONS {
        return Ok(preflight(req));
    }
    if req.path.starts_with("/__emulator/") {
        return Ok(control::handle(app, req));
    }
    if let Some((name, sub)) = route_name(req) {
        app.store().stats.count(name);
        let action = app.faults().take(name, sub, app.clock.now_ms());
        if let Some(a) = action {
            return apply_fault(app, req, a.kind, a.hold_seconds).await;
        }
    }
    if needs_apikey(&req.path) {
        let mut key = req.header("apikey");
        if key.is_empty() {
            key = req.query().get_or_empty("apikey");
        }
        if key.is_empty() {
            return Ok(http::json(
                401,
                json!({"message": "No API key found in request"}).to_string(),
            ));
        }
        if !app.key_is_accepted(&key) {
            return Ok(http::json(
                401,
                json!({"message": "Invalid API key"}).to_string(),
            ));
        }
    }
    let m = &req.method;
    Ok(match req.path.as_str() {
        "/" if m == Method::GET => control::index(app),
        "/auth/v1/authorize" if m == Method::GET => gotrue::authorize(app, req),
        "/auth/v1/callback" if m == Method::GET || m == Method::POST => gotrue::callback(app, req),
        "/auth/v1/token" if m == Method::POST => gotrue::token(app, req),
        "/auth/v1/user" if m == Method::GET => gotrue::user(app, req),
        "/auth/v1/logout" if m == Method::POST => gotrue::logout(app, req),
        "/auth/v1/health" if m == Method::GET => gotrue::health(),
        "/sso/authorize" if m == Method::GET => workos::authorize(app, req),
        "/sso/authorize/complete" if m == Method::POST => workos::complete(app, req),
        "/sso/authorize/cancel" if m == Method::POST => workos::cancel(app, req),
        "/sso/token" if m == Method::POST => workos::token(app, req),
        "/"
        | "/auth/v1/authorize"
        | "/auth/v1/callback"
        | "/auth/v1/token"
        | "/auth/v1/user"
        | "/auth/v1/logout"
        | "/auth/v1/health"
        | "/sso/authorize"
        | "/sso/authorize/complete"
        | "/sso/authorize/cancel"
        | "/sso/token" => AuthError::Http(ApiError::new(
            405,
            "validation_failed",
            "Method not allowed",
        ))
        .into_response(req.api_version_2024()),
        _ => AuthError::Http(ApiError::new(404, "not_found", "Not found"))
            .into_response(req.api_version_2024()),
    })
}
