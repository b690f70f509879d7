//! The WorkOS SSO stand-in at the emulator's root: `/sso/authorize` (a
//! sign-in page listing the test users), `/sso/token` (code → profile).

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;

use crate::gourl::encode_uri_component;
use crate::http::{self, html_escape, Req, Resp};
use crate::ids;
use crate::server::App;
use crate::store::{PendingAuthorization, Profile, WorkosCode};
use crate::users::{DirUser, OAUTH_PROVIDERS};

/// How long a pending sign-in and a code stay usable.
const LIFETIME_MS: i64 = 10 * 60 * 1000;

/// `redirect_uri` with `pairs` and `state` appended, values escaped as WorkOS
/// does (`encodeURIComponent`, so a space is `%20`).
fn with_params(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> String {
    let mut url = redirect_uri.to_string();
    let mut sep = if redirect_uri.contains('?') { '&' } else { '?' };
    for (k, v) in pairs.iter().copied().chain(state.map(|s| ("state", s))) {
        url.push(sep);
        url.push_str(k);
        url.push('=');
        url.push_str(&encode_uri_component(v));
        sep = '&';
    }
    url
}

/// WorkOS's error redirect: `error`, `error_description`, `state`.
fn error_redirect(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> String {
    with_params(
        redirect_uri,
        &[("error", error), ("error_description", description)],
        state,
    )
}

fn code_redirect(redirect_uri: &str, code: &str, state: Option<&str>) -> String {
    with_params(redirect_uri, &[("code", code)], state)
}

fn error_page(status: u16, title: &str, detail: &str) -> Resp {
    http::respond(
        status,
        "text/html; charset=utf-8",
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>WorkOS (emulated): {t}</title></head>\
             <body><h1>WorkOS (emulated)</h1><p id=\"error\" data-error=\"{t}\">{t}</p><p>{d}</p></body></html>",
            t = html_escape(title),
            d = html_escape(detail)
        ),
    )
}

/// Which connection a selector names, or WorkOS's error for it.
fn resolve_selector(
    app: &App,
    connection: &str,
    organization: &str,
    provider: &str,
) -> Result<String, (&'static str, String)> {
    let dir = &app.cfg.directory;
    let given = [connection, organization, provider]
        .iter()
        .filter(|s| !s.is_empty())
        .count();
    match given {
        0 => return Err((
            "invalid_connection_selector",
            "A valid connection selector query parameter must be provided in order to correctly determine the proper connection to use (connection, organization, or provider).".into(),
        )),
        1 => {}
        _ => return Err((
            "ambiguous_connection_selector",
            "Only one connection selector (connection, organization, or provider) may be provided.".into(),
        )),
    }
    if !connection.is_empty() {
        return dir.connection(connection).map(|c| c.id.clone()).ok_or((
            "connection_invalid",
            format!("No connection found for ID {connection}."),
        ));
    }
    if !organization.is_empty() {
        if dir.organization(organization).is_none() {
            return Err((
                "organization_invalid",
                format!("No organization found for ID {organization}."),
            ));
        }
        let conns: Vec<&str> = dir
            .connections
            .iter()
            .filter(|c| c.organization.as_deref() == Some(organization))
            .map(|c| c.id.as_str())
            .collect();
        return match conns.as_slice() {
            [] => Err((
                "organization_invalid",
                "No connection associated with organization".into(),
            )),
            [one] => Ok((*one).to_string()),
            _ => Err((
                "ambiguous_connection_selector",
                "A connection could not be uniquely identified using the provided connection selector.".into(),
            )),
        };
    }
    if !OAUTH_PROVIDERS.contains(&provider) {
        return Err((
            "invalid_connection_selector",
            format!("Invalid provider: {provider}."),
        ));
    }
    dir.connections
        .iter()
        .find(|c| c.kind == provider && c.organization.is_none())
        .map(|c| c.id.clone())
        .ok_or((
            "connection_invalid",
            format!("No {provider} connection is configured."),
        ))
}

/// `GET /sso/authorize`.
pub fn authorize(app: &App, req: &Req) -> Resp {
    let q = req.query();
    let client_id = q.get_or_empty("client_id");
    let redirect_uri = q.get_or_empty("redirect_uri");
    let state = q.get("state").filter(|s| !s.is_empty());
    if client_id != app.cfg.workos_client_id {
        return error_page(
            400,
            "Invalid client ID",
            "The client_id is not known to this environment.",
        );
    }
    if redirect_uri != app.callback_url() {
        return error_page(
            400,
            "Invalid redirect URI",
            "The redirect_uri is not one of this environment's redirect URIs.",
        );
    }
    if q.get_or_empty("response_type") != "code" {
        let url = error_redirect(
            &redirect_uri,
            "invalid_request",
            "response_type must be code.",
            state.as_deref(),
        );
        return http::redirect(302, &url, &req.method);
    }
    let connection_id = match resolve_selector(
        app,
        &q.get_or_empty("connection"),
        &q.get_or_empty("organization"),
        &q.get_or_empty("provider"),
    ) {
        Ok(c) => c,
        Err((error, description)) => {
            let url = error_redirect(&redirect_uri, error, &description, state.as_deref());
            return http::redirect(302, &url, &req.method);
        }
    };
    let login_hint = q.get_or_empty("login_hint");
    let users = app.cfg.directory.users_of(&connection_id);
    if app.cfg.auto_sign_in {
        let chosen = users
            .iter()
            .find(|u| !login_hint.is_empty() && u.email.eq_ignore_ascii_case(&login_hint))
            .or(users.first());
        return match chosen {
            Some(u) => {
                let code = issue_code(app, u);
                http::redirect(
                    302,
                    &code_redirect(&redirect_uri, &code, state.as_deref()),
                    &req.method,
                )
            }
            None => http::redirect(
                302,
                &error_redirect(
                    &redirect_uri,
                    "access_denied",
                    "The connection has no test users.",
                    state.as_deref(),
                ),
                &req.method,
            ),
        };
    }
    let id = ids::random_crockford(26);
    app.store().pending.insert(
        id.clone(),
        PendingAuthorization {
            redirect_uri,
            state,
            connection_id: connection_id.clone(),
            login_hint: login_hint.clone(),
            created_at: app.clock.now_ms(),
        },
    );
    sign_in_page(app, &id, &connection_id, &users, &login_hint)
}

fn sign_in_page(app: &App, id: &str, connection_id: &str, users: &[&DirUser], hint: &str) -> Resp {
    let dir = &app.cfg.directory;
    let conn = dir.connection(connection_id);
    let conn_name = conn.map(|c| c.name.clone()).unwrap_or_default();
    let conn_type = conn.map(|c| c.kind.clone()).unwrap_or_default();
    let org_name = conn
        .and_then(|c| c.organization.as_deref())
        .and_then(|o| dir.organization(o))
        .map(|o| o.name.clone());
    let id = html_escape(id);
    let mut items = String::new();
    for u in users {
        let hinted = !hint.is_empty() && u.email.eq_ignore_ascii_case(hint);
        items.push_str(&format!(
            "<li><form method=\"post\" action=\"/sso/authorize/complete\">\
             <input type=\"hidden\" name=\"authorization\" value=\"{id}\">\
             <input type=\"hidden\" name=\"profile\" value=\"{pid}\">\
             <button type=\"submit\" id=\"user-{pid}\" class=\"user{cls}\" data-user-email=\"{email}\" data-profile-id=\"{pid}\"{extra}>\
             <span class=\"name\">{name}</span> <span class=\"email\">{email}</span></button></form></li>",
            pid = html_escape(&u.profile_id),
            email = html_escape(&u.email),
            name = html_escape(&u.display_name()),
            cls = if hinted { " hinted" } else { "" },
            extra = if hinted { " data-hinted=\"true\" autofocus" } else { "" },
        ));
    }
    if items.is_empty() {
        items.push_str("<li id=\"no-users\">No test users for this connection.</li>");
    }
    let org = org_name
        .map(|o| format!(" · {}", html_escape(&o)))
        .unwrap_or_default();
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>WorkOS (emulated)</title><style>\
         body{{font-family:system-ui,sans-serif;background:#f4f4f8;margin:0}}\
         main{{max-width:28rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:12px;box-shadow:0 2px 12px #0002}}\
         h1{{font-size:1.2rem;margin:0 0 .5rem}}ul{{list-style:none;padding:0}}li{{margin:.5rem 0}}\
         button{{width:100%;padding:.7rem;border:1px solid #ccd;border-radius:8px;background:#fff;cursor:pointer;text-align:left;font:inherit}}\
         button.hinted{{border-color:#6363f1;box-shadow:0 0 0 2px #6363f155}}.email{{color:#667;font-size:.9em}}\
         #cancel{{text-align:center;background:#f4f4f8}}\
         </style></head><body><main>\
         <h1>WorkOS (emulated)</h1>\
         <p id=\"connection\" data-connection-id=\"{cid}\">Sign in with <strong>{cname}</strong> ({ctype}{org})</p>\
         <ul id=\"users\">{items}</ul>\
         <form method=\"post\" action=\"/sso/authorize/cancel\">\
         <input type=\"hidden\" name=\"authorization\" value=\"{id}\">\
         <button type=\"submit\" id=\"cancel\">Cancel</button></form>\
         </main></body></html>",
        cid = html_escape(connection_id),
        cname = html_escape(&conn_name),
        ctype = html_escape(&conn_type),
    );
    let mut resp = http::respond(200, "text/html; charset=utf-8", body);
    resp.headers_mut().insert(
        "cache-control",
        hyper::header::HeaderValue::from_static("no-store"),
    );
    resp
}

/// What a browser offers on the sign-in page, read back from its markup: the
/// pending sign-in's id and the users' buttons (`follow` clicks one of them).
#[derive(Debug, PartialEq)]
pub struct SignInPage {
    pub authorization: String,
    pub users: Vec<OfferedUser>,
}

/// One user's button on the sign-in page.
#[derive(Debug, PartialEq)]
pub struct OfferedUser {
    pub email: String,
    pub profile_id: String,
    pub hinted: bool,
}

fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let value = tag.get(start..)?.split('"').next()?;
    Some(html_unescape(value))
}

fn html_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

impl SignInPage {
    /// Reads the page [`authorize`] renders; `None` for any other page.
    pub fn parse(html: &str) -> Option<SignInPage> {
        let form = html
            .split("<input type=\"hidden\" name=\"authorization\"")
            .nth(1)?;
        let authorization = attribute(form.split('>').next()?, "value")?;
        let users = html
            .split("<button type=\"submit\" id=\"user-")
            .skip(1)
            .filter_map(|rest| {
                let tag = rest.split('>').next()?;
                Some(OfferedUser {
                    email: attribute(tag, "data-user-email")?,
                    profile_id: attribute(tag, "data-profile-id")?,
                    hinted: tag.contains(" data-hinted=\"true\""),
                })
            })
            .collect();
        Some(SignInPage {
            authorization,
            users,
        })
    }
}

fn issue_code(app: &App, user: &DirUser) -> String {
    let code = ids::random_crockford(26);
    app.store().codes.insert(
        code.clone(),
        WorkosCode {
            profile_id: user.profile_id.clone(),
            client_id: app.cfg.workos_client_id.clone(),
            created_at: app.clock.now_ms(),
        },
    );
    code
}

/// The pending sign-in a form names (consumed), and the chosen profile.
fn take_pending(app: &App, req: &Req) -> Option<(PendingAuthorization, String)> {
    let form = req.form();
    let id = form.get_or_empty("authorization");
    let pending = app.store().pending.remove(&id)?;
    (app.clock.now_ms() <= pending.created_at + LIFETIME_MS)
        .then(|| (pending, form.get_or_empty("profile")))
}

fn expired_page() -> Resp {
    error_page(
        400,
        "Sign-in request expired",
        "Start the sign-in again from the application.",
    )
}

/// `POST /sso/authorize/complete`: the chosen user signs in.
pub fn complete(app: &App, req: &Req) -> Resp {
    let Some((pending, profile_id)) = take_pending(app, req) else {
        return expired_page();
    };
    let user = app
        .cfg
        .directory
        .user(&profile_id)
        .filter(|u| u.connection_id == pending.connection_id);
    match user {
        Some(u) => {
            let code = issue_code(app, u);
            http::redirect(
                302,
                &code_redirect(&pending.redirect_uri, &code, pending.state.as_deref()),
                &req.method,
            )
        }
        None => error_page(
            400,
            "Unknown user",
            "That user cannot sign in through this connection.",
        ),
    }
}

/// `POST /sso/authorize/cancel`: the user gives up at the IdP.
pub fn cancel(app: &App, req: &Req) -> Resp {
    match take_pending(app, req) {
        Some((p, _)) => http::redirect(
            302,
            &error_redirect(
                &p.redirect_uri,
                "access_denied",
                "The user denied the authorization request at the identity provider.",
                p.state.as_deref(),
            ),
            &req.method,
        ),
        None => expired_page(),
    }
}

/// A failed `/sso/token` call: status, `error`, `error_description`.
#[derive(Debug)]
pub struct TokenError(pub u16, pub &'static str, pub &'static str);

/// `POST /sso/token` as a function: the code's profile, a provider access
/// token, and whether Supabase must refuse the user.
pub fn exchange(
    app: &App,
    client_id: &str,
    client_secret: &str,
    code: &str,
) -> Result<(Profile, String, bool), TokenError> {
    if client_id != app.cfg.workos_client_id {
        return Err(TokenError(400, "invalid_client", "Invalid client ID."));
    }
    if client_secret != app.cfg.workos_client_secret {
        return Err(TokenError(
            401,
            "unauthorized_client",
            "Invalid client secret.",
        ));
    }
    let invalid = TokenError(400, "invalid_grant", "The code has expired or is invalid.");
    let entry = app.store().codes.remove(code).ok_or(invalid)?;
    if entry.client_id != client_id || app.clock.now_ms() > entry.created_at + LIFETIME_MS {
        return Err(TokenError(
            400,
            "invalid_grant",
            "The code has expired or is invalid.",
        ));
    }
    let dir = &app.cfg.directory;
    let user = dir.user(&entry.profile_id).ok_or(TokenError(
        400,
        "invalid_grant",
        "The code has expired or is invalid.",
    ))?;
    let conn = dir.connection(&user.connection_id);
    let profile = Profile {
        object: "profile",
        id: user.profile_id.clone(),
        idp_id: user.idp_id.clone(),
        organization_id: conn.and_then(|c| c.organization.clone()),
        connection_id: user.connection_id.clone(),
        connection_type: conn.map(|c| c.kind.clone()).unwrap_or_default(),
        email: user.email.clone(),
        first_name: user.first_name.clone(),
        last_name: user.last_name.clone(),
        raw_attributes: user.raw_attributes.clone(),
    };
    Ok((
        profile,
        format!("wos_emulated_{}", ids::random_lower_alnum(32)),
        user.banned,
    ))
}

/// `POST /sso/token` over HTTP (form body; client credentials in the body
/// or as HTTP Basic).
pub fn token(app: &App, req: &Req) -> Resp {
    let form = req.form();
    let (mut client_id, mut secret) = (
        form.get_or_empty("client_id"),
        form.get_or_empty("client_secret"),
    );
    if let Some(basic) = req.header("authorization").strip_prefix("Basic ") {
        if let Some((id, s)) = STANDARD
            .decode(basic.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| {
                t.split_once(':')
                    .map(|(a, b)| (a.to_string(), b.to_string()))
            })
        {
            client_id = id;
            secret = s;
        }
    }
    #[derive(Serialize)]
    struct Failure<'a> {
        error: &'a str,
        error_description: &'a str,
    }
    if form.get_or_empty("grant_type") != "authorization_code" {
        return http::json(
            400,
            crate::json::to_go_json(&Failure {
                error: "unsupported_grant_type",
                error_description: "grant_type must be authorization_code.",
            }),
        );
    }
    match exchange(app, &client_id, &secret, &form.get_or_empty("code")) {
        Ok((profile, access_token, _)) => {
            #[derive(Serialize)]
            struct Success<'a> {
                access_token: &'a str,
                profile: &'a Profile,
            }
            http::json(
                200,
                crate::json::to_go_json(&Success {
                    access_token: &access_token,
                    profile: &profile,
                }),
            )
        }
        Err(TokenError(status, error, description)) => http::json(
            status,
            crate::json::to_go_json(&Failure {
                error,
                error_description: description,
            }),
        ),
    }
}
