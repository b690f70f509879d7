//! `POST /__emulator/follow`: the redirect dance walked server-side, for a
//! test page that cannot navigate away. Every hop is a request answered by
//! the emulator's own router, layers included, so flow states, codes, counters
//! and faults behave as they do for a browser following the redirects.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use hyper::header::{CONTENT_TYPE, HOST, LOCATION, REFERER};
use hyper::{Method, StatusCode};
use serde::Deserialize;
use serde_json::json;

use crate::control::{body_json, fail, ok};
use crate::gourl::Values;
use crate::http::{self, Req, Resp};
use crate::server::{self, App, Dropped};
use crate::workos::SignInPage;

/// A browser's limit on redirects in a row.
const MAX_HOPS: usize = 20;

/// The longest page text quoted back when the walk stops.
const MAX_QUOTED: usize = 4096;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Follow {
    url: String,
    email: Option<String>,
    action: Option<String>,
}

/// What the simulated user does on the WorkOS page.
enum Choice {
    SignIn(Option<String>),
    Cancel,
}

/// `POST /__emulator/follow {"url", "email"?, "action"?}`: from an
/// `/auth/v1/authorize` URL to the app's redirect, answered as `{"url"}`.
pub async fn follow(State(app): State<Arc<App>>, req: Req) -> Resp {
    let asked: Follow = match body_json(&req)
        .and_then(|v| serde_json::from_value(v).map_err(|e| format!("invalid follow request: {e}")))
    {
        Ok(f) => f,
        Err(e) => return fail(400, &e),
    };
    let choice = match asked.action.as_deref() {
        None | Some("sign_in") => Choice::SignIn(asked.email),
        Some("cancel") => Choice::Cancel,
        Some(other) => return fail(400, &format!("unknown action {other:?}: sign_in or cancel")),
    };
    let start = local_target(&app, &asked.url)
        .filter(|t| path_of(t) == "/auth/v1/authorize")
        .map(str::to_string);
    let Some(start) = start else {
        return fail(
            400,
            &format!(
                "`url` must be this emulator's {}/authorize URL",
                app.auth_url()
            ),
        );
    };
    walk(app, start, choice, &req.header("referer")).await
}

/// The path and query of `url` if it is on this emulator (`127.0.0.1` or
/// `localhost`, or a bare path).
fn local_target<'a>(app: &App, url: &'a str) -> Option<&'a str> {
    let localhost = app.base_url.replace("127.0.0.1", "localhost");
    let rest = [app.base_url.as_str(), localhost.as_str()]
        .iter()
        .find_map(|base| url.strip_prefix(base))
        .unwrap_or(url);
    rest.starts_with('/').then_some(rest)
}

fn path_of(target: &str) -> &str {
    target.split(['?', '#']).next().unwrap_or("")
}

struct Hop {
    method: Method,
    target: String,
    form: Option<String>,
}

async fn walk(app: Arc<App>, start: String, choice: Choice, referer: &str) -> Resp {
    let router = server::router(app.clone());
    let host = app.base_url.trim_start_matches("http://").to_string();
    let mut hop = Hop {
        method: Method::GET,
        target: start,
        form: None,
    };
    for _ in 0..MAX_HOPS {
        let mut request = Request::builder()
            .method(hop.method.clone())
            .uri(hop.target.as_str())
            .header(HOST, host.as_str());
        if !referer.is_empty() {
            request = request.header(REFERER, referer);
        }
        if hop.form.is_some() {
            request = request.header(CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        let Ok(request) = request.body(Body::from(hop.form.clone().unwrap_or_default())) else {
            return stopped(&app, StatusCode::BAD_GATEWAY, "an unusable URL", &hop, "");
        };
        let resp = server::call(router.clone(), request).await;
        if resp.extensions().get::<Dropped>().is_some() {
            return stopped(
                &app,
                StatusCode::BAD_GATEWAY,
                "the connection was dropped (an injected fault)",
                &hop,
                "",
            );
        }
        let status = resp.status();
        let location = http::header_text(resp.headers(), LOCATION.as_str());
        if status.is_redirection() && !location.is_empty() {
            let next = local_target(&app, &location)
                .filter(|_| path_of(&hop.target) != "/auth/v1/callback");
            let Some(next) = next else {
                return ok(json!({ "url": location }));
            };
            let keep = matches!(
                status,
                StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
            );
            // A browser sends no fragment.
            let target = next.split('#').next().unwrap_or(next).to_string();
            hop = Hop {
                method: if keep { hop.method } else { Method::GET },
                target,
                form: if keep { hop.form } else { None },
            };
            continue;
        }
        let text = match axum::body::to_bytes(resp.into_body(), http::MAX_BODY * 8).await {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => String::new(),
        };
        let page = (status == StatusCode::OK && path_of(&hop.target) == "/sso/authorize")
            .then(|| SignInPage::parse(&text))
            .flatten();
        let Some(page) = page else {
            let what = if status.is_success() || status.is_redirection() {
                "a page that is neither a redirect nor the WorkOS sign-in page"
            } else {
                "an error page"
            };
            return stopped(&app, status, what, &hop, &text);
        };
        let mut form = Values::default();
        form.set("authorization", &page.authorization);
        let target = match &choice {
            Choice::Cancel => "/sso/authorize/cancel",
            Choice::SignIn(email) => {
                let user = match email {
                    Some(e) => page.users.iter().find(|u| u.email.eq_ignore_ascii_case(e)),
                    None => page.users.iter().find(|u| u.hinted).or(page.users.first()),
                };
                let Some(user) = user else {
                    let why = match email {
                        Some(e) => format!("the WorkOS sign-in page does not offer {e}"),
                        None => "the WorkOS sign-in page offers no user".to_string(),
                    };
                    return stopped(&app, StatusCode::BAD_REQUEST, &why, &hop, "");
                };
                form.set("profile", &user.profile_id);
                "/sso/authorize/complete"
            }
        };
        hop = Hop {
            method: Method::POST,
            target: target.to_string(),
            form: Some(form.encode()),
        };
    }
    stopped(
        &app,
        StatusCode::LOOP_DETECTED,
        "too many redirects",
        &hop,
        "",
    )
}

/// The walk ended short of the app: the status of the page it stopped at
/// (502 when that page was no error), where, and the page's text.
fn stopped(app: &App, status: StatusCode, why: &str, hop: &Hop, text: &str) -> Resp {
    let code = if status.is_client_error() || status.is_server_error() {
        status.as_u16()
    } else {
        502
    };
    let mut end = text.len().min(MAX_QUOTED);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    http::json(
        code,
        json!({
            "error": format!("the walk stopped at {why}"),
            "stopped_at": format!("{}{}", app.base_url, hop.target),
            "method": hop.method.as_str(),
            "status": status.as_u16(),
            "body": text.get(..end).unwrap_or(""),
        })
        .to_string(),
    )
}
