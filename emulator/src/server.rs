//! The listener, the route table and the layers every request goes through:
//! body limit, logging and CORS, preflights, counters and injected faults, and
//! the gateway's `apikey` check.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::handler::Handler;
use axum::middleware::{self, Next};
use axum::routing::{any, get, post, MethodRouter};
use axum::Router;
use hyper::body::Incoming;
use hyper::header::{HeaderValue, ALLOW};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::Method;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tower::ServiceExt;

use crate::clock::Clock;
use crate::config::Config;
use crate::faults::{Faults, Kind};
use crate::http::{self, add_cors, header_text, preflight, ApiError, AuthError, Req, Resp};
use crate::redirect::RedirectPolicy;
use crate::store::Store;
use crate::{control, follow, gotrue, jwt, workos};

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

/// Marks a response whose connection is dropped without an answer (the
/// `timeout` and `down` faults): the listener closes the connection instead.
#[derive(Clone, Copy, Debug)]
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

/// A handler written as `fn(&App, &Req) -> Resp`, as an axum [`Handler`].
#[derive(Clone, Copy)]
pub struct Call(pub fn(&App, &Req) -> Resp);

impl Handler<(), Arc<App>> for Call {
    type Future = Pin<Box<dyn Future<Output = Resp> + Send>>;

    fn call(self, req: Request, app: Arc<App>) -> Self::Future {
        Box::pin(async move {
            match Req::from_request(req, &app).await {
                Ok(req) => (self.0)(&app, &req),
                Err(resp) => resp,
            }
        })
    }
}

/// The one route table of the Auth listener. A GoTrue or WorkOS route names
/// its counter and fault endpoint; its other methods (HEAD included) answer
/// GoTrue's 405.
pub fn router(app: Arc<App>) -> Router {
    let route = {
        let app = app.clone();
        move |name, methods| endpoint(&app, name, methods)
    };
    let routes = Router::new()
        .route("/", route(None, get(Call(control::index))))
        .route(
            "/auth/v1/authorize",
            route(Some("authorize"), get(Call(gotrue::authorize))),
        )
        .route(
            "/auth/v1/callback",
            route(
                Some("callback"),
                get(Call(gotrue::callback)).post(Call(gotrue::callback)),
            ),
        )
        .route(
            "/auth/v1/token",
            route(Some("token"), post(Call(gotrue::token))),
        )
        .route(
            "/auth/v1/user",
            route(Some("user"), get(Call(gotrue::user))),
        )
        .route(
            "/auth/v1/logout",
            route(Some("logout"), post(Call(gotrue::logout))),
        )
        .route(
            "/auth/v1/health",
            route(Some("health"), get(Call(gotrue::health))),
        )
        .route(
            "/sso/authorize",
            route(Some("sso_authorize"), get(Call(workos::authorize))),
        )
        .route(
            "/sso/authorize/complete",
            route(Some("sso_authorize_complete"), post(Call(workos::complete))),
        )
        .route(
            "/sso/authorize/cancel",
            route(Some("sso_authorize_complete"), post(Call(workos::cancel))),
        )
        .route(
            "/sso/token",
            route(Some("sso_token"), post(Call(workos::token))),
        )
        .route(
            "/__emulator/faults",
            control_route(
                get(Call(control::faults))
                    .post(Call(control::add_fault))
                    .delete(Call(control::clear_faults)),
            ),
        )
        .route(
            "/__emulator/stats",
            control_route(get(Call(control::stats))),
        )
        .route(
            "/__emulator/reset",
            control_route(post(Call(control::reset))),
        )
        .route(
            "/__emulator/revoke",
            control_route(post(Call(control::revoke))),
        )
        .route(
            "/__emulator/clock",
            control_route(get(Call(control::clock)).post(Call(control::advance_clock))),
        )
        .route(
            "/__emulator/users",
            control_route(get(Call(control::users))),
        )
        .route("/__emulator/follow", control_route(post(follow::follow)))
        .route("/__emulator/redirected", any(Call(control::redirected)))
        .fallback(Call(not_found).layer(middleware::from_fn_with_state(app.clone(), apikey)))
        .with_state(app);
    // Around the whole router (`Router::layer` would wrap each route, inside
    // the `Allow` header axum adds to a 405).
    let outer = tower::ServiceBuilder::new()
        .layer(middleware::from_fn(wire))
        .layer(middleware::from_fn(answer_preflight))
        .service(routes);
    Router::new().fallback_service(outer)
}

/// A GoTrue or WorkOS route: unlisted methods get the 405, then the gateway's
/// `apikey` check, and outside it the counter and faults of `name`.
fn endpoint(
    app: &Arc<App>,
    name: Option<&'static str>,
    methods: MethodRouter<Arc<App>>,
) -> MethodRouter<Arc<App>> {
    let methods = methods
        .head(Call(method_not_allowed))
        .fallback(Call(method_not_allowed))
        .layer(middleware::from_fn_with_state(app.clone(), apikey));
    match name {
        Some(name) => methods.layer(middleware::from_fn_with_state((app.clone(), name), faults)),
        None => methods,
    }
}

/// A control route: any other method is an unknown control endpoint.
fn control_route(methods: MethodRouter<Arc<App>>) -> MethodRouter<Arc<App>> {
    methods
        .head(Call(control::unknown))
        .fallback(Call(control::unknown))
}

fn method_not_allowed(_: &App, req: &Req) -> Resp {
    AuthError::Http(ApiError::new(
        405,
        "validation_failed",
        "Method not allowed",
    ))
    .into_response(req.api_version_2024())
}

fn not_found(app: &App, req: &Req) -> Resp {
    if req.path.starts_with("/__emulator/") {
        return control::unknown(app, req);
    }
    AuthError::Http(ApiError::new(404, "not_found", "Not found"))
        .into_response(req.api_version_2024())
}

/// The outermost layer: reads the whole body (413 past [`http::MAX_BODY`]),
/// logs method, path and status (never the query), adds the CORS headers.
/// GoTrue's 405 has no `Allow` header, which axum would add.
async fn wire(req: Request, next: Next) -> Resp {
    let (parts, body) = req.into_parts();
    let method = parts.method.clone();
    let path = parts.uri.path().to_string();
    let origin = header_text(&parts.headers, "origin");
    let mut resp = match axum::body::to_bytes(body, http::MAX_BODY).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(_) => http::too_large(),
    };
    if resp.extensions().get::<Dropped>().is_some() {
        eprintln!("[emulator] {method} {path} -> dropped (fault)");
        return resp;
    }
    if resp.status() == hyper::StatusCode::METHOD_NOT_ALLOWED {
        resp.headers_mut().remove(ALLOW);
    }
    add_cors(&mut resp, &origin);
    eprintln!("[emulator] {method} {path} -> {}", resp.status().as_u16());
    resp
}

/// Any `OPTIONS` request is a CORS preflight, answered before routing.
async fn answer_preflight(req: Request, next: Next) -> Resp {
    if req.method() == Method::OPTIONS {
        return preflight(req.headers());
    }
    next.run(req).await
}

/// Counts the request under `name` and answers it with a fault if one is due.
/// `token` is narrowed to `token_pkce` or `token_refresh` by its `grant_type`.
async fn faults(
    State((app, name)): State<(Arc<App>, &'static str)>,
    req: Request,
    next: Next,
) -> Resp {
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, http::MAX_BODY).await else {
        return http::too_large();
    };
    let view = Req {
        method: parts.method.clone(),
        path: parts.uri.path().to_string(),
        raw_query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts.headers.clone(),
        body: bytes.clone(),
    };
    let sub = match (name, view.form().get_or_empty("grant_type").as_str()) {
        ("token", "pkce") => Some("token_pkce"),
        ("token", "refresh_token") => Some("token_refresh"),
        _ => None,
    };
    app.store().stats.count(name);
    let action = app.faults().take(name, sub, app.clock.now_ms());
    match action {
        Some(a) => apply_fault(&app, &view, a.kind, a.hold_seconds).await,
        None => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    }
}

fn dropped() -> Resp {
    let mut resp = http::empty(502);
    resp.extensions_mut().insert(Dropped);
    resp
}

async fn apply_fault(app: &App, req: &Req, kind: Kind, hold: u64) -> Resp {
    let v = req.api_version_2024();
    match kind {
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
            dropped()
        }
        Kind::Down => dropped(),
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
    }
}

/// Whether the Supabase gateway would want an `apikey` for this path.
fn needs_apikey(path: &str) -> bool {
    path.starts_with("/auth/v1/")
        && !matches!(
            path,
            "/auth/v1/authorize" | "/auth/v1/callback" | "/auth/v1/verify"
        )
}

/// The Supabase gateway: `/auth/v1/*` (but the browser's navigations) needs
/// the anon key or another accepted key, as a header or `?apikey=`.
async fn apikey(State(app): State<Arc<App>>, req: Request, next: Next) -> Resp {
    if !needs_apikey(req.uri().path()) {
        return next.run(req).await;
    }
    let mut key = header_text(req.headers(), "apikey");
    if key.is_empty() {
        key = crate::gourl::Values::parse(req.uri().query().unwrap_or("")).get_or_empty("apikey");
    }
    if key.is_empty() {
        return http::json(
            401,
            json!({"message": "No API key found in request"}).to_string(),
        );
    }
    if !app.key_is_accepted(&key) {
        return http::json(401, json!({"message": "Invalid API key"}).to_string());
    }
    next.run(req).await
}

/// Accepts connections until the task is dropped, answering each request with
/// `router`. A response marked [`Dropped`] closes the connection unanswered.
/// Shared by the Auth listener and the static site.
pub async fn serve(listener: TcpListener, router: Router) {
    loop {
        let stream = match listener.accept().await {
            Ok((s, _)) => s,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                continue;
            }
        };
        let router = router.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req: hyper::Request<Incoming>| {
                let router = router.clone();
                async move {
                    let resp = router
                        .oneshot(req)
                        .await
                        .unwrap_or_else(|e: Infallible| match e {});
                    if resp.extensions().get::<Dropped>().is_some() {
                        Err(Dropped)
                    } else {
                        Ok::<_, Dropped>(resp)
                    }
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// Answers one request with `router` in process, as a browser's request
/// would be answered (used by the control API's `follow`).
pub async fn call(router: Router, req: Request) -> Resp {
    router
        .oneshot(req)
        .await
        .unwrap_or_else(|e: Infallible| match e {})
}
