//! The test-control API under `/__emulator/` (faults, counters, reset,
//! revocation, clock; `follow` is in [`crate::follow`]) and the small index
//! page at `/`.

use serde_json::{json, Value};
use uuid::Uuid;

use crate::faults::FaultSpec;
use crate::http::{self, html_escape, Req, Resp};
use crate::server::App;

pub(crate) fn ok(v: Value) -> Resp {
    http::json(200, v.to_string())
}

pub(crate) fn fail(status: u16, msg: &str) -> Resp {
    http::json(status, json!({ "error": msg }).to_string())
}

pub(crate) fn body_json(req: &Req) -> Result<Value, String> {
    if req.body.is_empty() {
        return Ok(json!({}));
    }
    serde_json::from_slice(&req.body).map_err(|e| format!("invalid JSON body: {e}"))
}

/// Counters and gauges for `GET /__emulator/stats`.
pub fn stats_json(app: &App) -> Value {
    let triggered = app.faults().triggered;
    let store = app.store();
    let s = &store.stats;
    json!({
        "requests": s.requests,
        "grants": s.grants,
        "refresh_requests": s.refresh_requests,
        "refresh_token_reuse": s.refresh_token_reuse,
        "refresh_token_reuse_rejected": s.refresh_token_reuse_rejected,
        "sign_ins": s.sign_ins,
        "active_sessions": store.sessions.len(),
        "users": store.users.len(),
        "faults_triggered": triggered,
    })
}

/// `GET /__emulator/faults`.
pub fn faults(app: &App, _: &Req) -> Resp {
    ok(json!({ "faults": app.faults().to_json() }))
}

/// `DELETE /__emulator/faults`.
pub fn clear_faults(app: &App, _: &Req) -> Resp {
    app.faults().clear();
    ok(json!({ "faults": [] }))
}

/// `POST /__emulator/faults {"endpoint","kind","count"?,"seconds"?}`.
pub fn add_fault(app: &App, req: &Req) -> Resp {
    let v = match body_json(req) {
        Ok(v) => v,
        Err(e) => return fail(400, &e),
    };
    match FaultSpec::from_json(&v) {
        Ok(spec) => {
            let mut faults = app.faults();
            let id = faults.add(spec, app.clock.now_ms());
            ok(json!({ "id": id, "faults": faults.to_json() }))
        }
        Err(e) => fail(400, &e),
    }
}

/// `GET /__emulator/stats`.
pub fn stats(app: &App, _: &Req) -> Resp {
    ok(stats_json(app))
}

/// `POST /__emulator/reset`.
pub fn reset(app: &App, _: &Req) -> Resp {
    app.store().reset();
    let mut faults = app.faults();
    faults.clear();
    faults.triggered = 0;
    app.clock.reset();
    ok(json!({ "reset": true }))
}

/// `POST /__emulator/revoke {"email"}` or `{"user_id"}`.
pub fn revoke(app: &App, req: &Req) -> Resp {
    let v = match body_json(req) {
        Ok(v) => v,
        Err(e) => return fail(400, &e),
    };
    let mut store = app.store();
    let user_id = if let Some(id) = v.get("user_id").and_then(Value::as_str) {
        Uuid::parse_str(id)
            .ok()
            .filter(|u| store.users.contains_key(u))
    } else if let Some(email) = v.get("email").and_then(Value::as_str) {
        store.user_by_email(email).map(|u| u.id)
    } else {
        return fail(400, "give `email` or `user_id`");
    };
    match user_id {
        Some(id) => ok(json!({ "revoked_sessions": store.revoke_user(id) })),
        None => fail(404, "no such user"),
    }
}

/// `GET /__emulator/clock`.
pub fn clock(app: &App, _: &Req) -> Resp {
    ok(clock_json(app))
}

/// `POST /__emulator/clock {"advance_seconds": N}`.
pub fn advance_clock(app: &App, req: &Req) -> Resp {
    let v = match body_json(req) {
        Ok(v) => v,
        Err(e) => return fail(400, &e),
    };
    match v.get("advance_seconds").and_then(Value::as_i64) {
        Some(s) => {
            app.clock.advance_ms(s.saturating_mul(1000));
            ok(clock_json(app))
        }
        None => fail(400, "`advance_seconds` (integer) is required"),
    }
}

/// `GET /__emulator/users`.
pub fn users(app: &App, _: &Req) -> Resp {
    let store = app.store();
    let mut users: Vec<_> = store.users.values().collect();
    users.sort_by(|a, b| a.email.cmp(&b.email));
    let list: Vec<Value> = users
        .iter()
        .map(|u| serde_json::to_value(u.to_json()).unwrap_or(Value::Null))
        .collect();
    ok(json!({ "users": list }))
}

/// Where the `redirect` fault sends a client.
pub fn redirected(_: &App, _: &Req) -> Resp {
    ok(json!({ "message": "redirected by an injected fault" }))
}

/// Any other path or method under `/__emulator/`.
pub fn unknown(_: &App, _: &Req) -> Resp {
    fail(404, "unknown control endpoint")
}

fn clock_json(app: &App) -> Value {
    json!({
        "now": app.clock.now_s(),
        "offset_seconds": app.clock.offset_ms().div_euclid(1000),
    })
}

/// `GET /`: what is running and how to sign in.
pub fn index(app: &App, _: &Req) -> Resp {
    let mut rows = String::new();
    for c in &app.cfg.directory.connections {
        for u in app.cfg.directory.users_of(&c.id) {
            rows.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                html_escape(&u.email),
                html_escape(&c.id),
                html_escape(&c.kind),
                html_escape(c.organization.as_deref().unwrap_or("")),
            ));
        }
    }
    http::respond(
        200,
        "text/html; charset=utf-8",
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>supabase-workos-emulator</title></head>\
             <body><h1>supabase-workos-emulator</h1><p>Supabase URL: <code>{base}</code> · Site URL: <code>{site}</code></p>\
             <table><tr><th>email</th><th>connection</th><th>type</th><th>organization</th></tr>{rows}</table></body></html>",
            base = html_escape(&app.base_url),
            site = html_escape(&app.cfg.site_url),
        ),
    )
}
