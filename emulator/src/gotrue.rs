//! Supabase Auth (GoTrue) under `/auth/v1`: authorize, callback, token
//! (pkce, refresh_token), user, logout, health.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::gourl::{GoUrl, Values};
use crate::http::{self, ApiError, AuthError, Req, Resp};
use crate::ids;
use crate::redirect::{
    bad_state_redirect, error_redirect, implicit_redirect, pkce_redirect, ImplicitTokens,
};
use crate::server::App;
use crate::store::{app_metadata, FlowState, Scope, SignInPolicy, User, UserJson};
use crate::{jwt, workos};

/// Providers GoTrue knows; asking for one of them (not enabled here) gets
/// "provider is not enabled", anything else "could not be found".
const KNOWN_PROVIDERS: [&str; 25] = [
    "apple",
    "azure",
    "bitbucket",
    "discord",
    "facebook",
    "figma",
    "fly",
    "github",
    "gitlab",
    "google",
    "kakao",
    "keycloak",
    "linkedin",
    "linkedin_oidc",
    "notion",
    "snapchat",
    "spotify",
    "slack",
    "slack_oidc",
    "twitch",
    "twitter",
    "x",
    "vercel_marketplace",
    "zoom",
    "web3",
];

/// OAuth parameters GoTrue never forwards (`reservedOAuthParams`, minus nonce).
const RESERVED: [&str; 8] = [
    "client_id",
    "client_secret",
    "redirect_uri",
    "response_type",
    "state",
    "code_challenge",
    "code_challenge_method",
    "code_verifier",
];

fn check_provider(provider: &str) -> Result<(), String> {
    let name = provider.to_lowercase();
    if name == "workos" {
        Ok(())
    } else if name.starts_with("custom:") {
        Err("custom OAuth providers are disabled".into())
    } else if KNOWN_PROVIDERS.contains(&name.as_str()) {
        Err("provider is not enabled".into())
    } else {
        Err(format!("Provider {name} could not be found"))
    }
}

fn validation(msg: &str) -> AuthError {
    AuthError::Http(ApiError::bad_request("validation_failed", msg))
}

/// `validatePKCEParams`.
fn validate_pkce(method: &str, challenge: &str) -> Result<(), AuthError> {
    if challenge.is_empty() != method.is_empty() {
        return Err(validation(
            "PKCE flow requires code_challenge_method and code_challenge",
        ));
    }
    if challenge.is_empty() {
        return Ok(());
    }
    if challenge.len() < 43 || challenge.len() > 128 {
        return Err(validation(
            "code challenge has to be between 43 and 128 characters",
        ));
    }
    if !challenge
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || b"._~-".contains(&c))
    {
        return Err(validation("code challenge can only contain alphanumeric characters, hyphens, periods, underscores and tildes"));
    }
    Ok(())
}

/// `GET /authorize`: validate, remember a flow state, send the browser to
/// WorkOS with the flow state's id as `state`.
pub fn authorize(app: &App, req: &Req) -> Resp {
    match authorize_inner(app, req) {
        Ok(url) => http::redirect(302, &url, &req.method),
        Err(e) => e.into_response(req.api_version_2024()),
    }
}

fn authorize_inner(app: &App, req: &Req) -> Result<String, AuthError> {
    let q = req.query();
    check_provider(&q.get_or_empty("provider")).map_err(|e| {
        AuthError::Http(ApiError::bad_request(
            "validation_failed",
            format!("Unsupported provider: {e}"),
        ))
    })?;
    if !q.get_or_empty("invite_token").is_empty() {
        return Err(AuthError::Http(ApiError::new(
            404,
            "user_not_found",
            "User identified by token not found",
        )));
    }
    let referrer = app.redirect.referrer(req);
    let challenge = q.get_or_empty("code_challenge");
    let method = q.get_or_empty("code_challenge_method");
    validate_pkce(&method, &challenge)?;

    let mut forwarded = Values::default();
    for key in q.keys() {
        let name = String::from_utf8_lossy(&key).into_owned();
        let lower = name.to_lowercase();
        if name == "scopes" || name == "provider" || RESERVED.contains(&lower.as_str()) {
            continue;
        }
        let value = q.first_raw(&key).unwrap_or_default().to_vec();
        if name == "workos_provider" {
            forwarded.set_raw(b"provider", &value);
        } else {
            forwarded.set_raw(&key, &value);
        }
    }

    let method = method.to_lowercase();
    if !challenge.is_empty() && method != "s256" && method != "plain" {
        return Err(validation("Invalid code_challenge_method"));
    }
    let now = app.clock.now_ms();
    let flow = FlowState {
        id: ids::uuid_v4(),
        auth_code: (!challenge.is_empty()).then(|| ids::uuid_v4().to_string()),
        code_challenge: challenge,
        code_challenge_method: method,
        referrer,
        created_at: now,
        user_id: None,
        provider_access_token: String::new(),
        provider_refresh_token: String::new(),
    };
    let state = flow.id.to_string();
    app.store().flow_states.insert(flow.id, flow);

    let mut v = Values::default();
    v.set("response_type", "code");
    v.set("client_id", &app.cfg.workos_client_id);
    v.set("redirect_uri", &app.callback_url());
    v.set("state", &state);
    for key in forwarded.keys() {
        if let Some(val) = forwarded.first_raw(&key) {
            let val = val.to_vec();
            v.set_raw(&key, &val);
        }
    }
    Ok(format!("{}/sso/authorize?{}", app.base_url, v.encode()))
}

/// `loadFlowState`: the flow state named by `state`, or the error that sends
/// the browser to the Site URL.
fn load_flow_state(app: &App, req: &Req) -> Result<FlowState, AuthError> {
    let state = if req.method == hyper::Method::POST {
        req.form().get_or_empty("state")
    } else {
        req.query().get_or_empty("state")
    };
    let bad = |code: &str, msg: &str| AuthError::Http(ApiError::bad_request(code, msg));
    if state.is_empty() {
        return Err(bad("bad_oauth_callback", "OAuth state parameter missing"));
    }
    let id = Uuid::parse_str(&state)
        .map_err(|_| bad("bad_oauth_state", "OAuth state parameter is invalid"))?;
    let flow = app
        .store()
        .flow_states
        .get(&id)
        .cloned()
        .ok_or_else(|| bad("bad_oauth_state", "OAuth state not found or expired"))?;
    if flow.is_expired(app.clock.now_ms(), app.cfg.flow_state_expiry) {
        return Err(bad("bad_oauth_state", "OAuth state has expired"));
    }
    if flow.is_pkce() && flow.user_id.is_some() {
        return Err(bad(
            "flow_state_already_used",
            "State has already been used",
        ));
    }
    Ok(flow)
}

/// `GET|POST /callback`: WorkOS's answer; ends in a redirect to the app.
pub fn callback(app: &App, req: &Req) -> Resp {
    let flow = match load_flow_state(app, req) {
        Ok(f) => f,
        Err(e) => {
            return http::redirect(303, &bad_state_redirect(&app.cfg.site_url, &e), &req.method)
        }
    };
    let rurl = if flow.referrer.is_empty() {
        app.cfg.site_url.clone()
    } else {
        flow.referrer.clone()
    };
    let Ok(parsed) = GoUrl::parse(&rurl) else {
        return AuthError::Http(ApiError::internal(
            "Unexpected failure, please check server logs for more information",
        ))
        .into_response(req.api_version_2024());
    };
    match callback_inner(app, req, &flow, &rurl, &parsed) {
        Ok(location) => http::redirect(302, &location, &req.method),
        Err(e) => {
            eprintln!("[emulator] callback: redirecting with an error");
            http::redirect(302, &error_redirect(&parsed, &e), &req.method)
        }
    }
}

fn callback_inner(
    app: &App,
    req: &Req,
    flow: &FlowState,
    rurl: &str,
    parsed: &GoUrl,
) -> Result<String, AuthError> {
    let rq = if req.method == hyper::Method::POST {
        req.form()
    } else {
        req.query()
    };
    let error = rq.get_or_empty("error");
    if !error.is_empty() {
        return Err(AuthError::oauth(
            &error,
            &rq.get_or_empty("error_description"),
        ));
    }
    let code = rq.get_or_empty("code");
    if code.is_empty() {
        return Err(AuthError::Http(ApiError::bad_request(
            "bad_oauth_callback",
            "OAuth callback with missing authorization code missing",
        )));
    }
    let (profile, provider_token, banned) = workos::exchange(
        app,
        &app.cfg.workos_client_id,
        &app.cfg.workos_client_secret,
        &code,
    )
    .map_err(|_| {
        let prefix: String = code.chars().take(4).collect();
        AuthError::Http(ApiError::internal(format!(
            "Unable to exchange external code: {prefix}"
        )))
    })?;
    let now = app.clock.now_ms();
    let policy = SignInPolicy {
        disable_signup: app.cfg.disable_signup,
        banned,
        workos_issuer: app.base_url.clone(),
    };
    let mut store = app.store();
    let user_id = store.upsert_user(&profile, &policy, now)?;
    if flow.is_pkce() {
        let Some(f) = store.flow_states.get_mut(&flow.id) else {
            return Err(AuthError::Http(ApiError::bad_request(
                "bad_oauth_state",
                "OAuth state not found or expired",
            )));
        };
        if f.user_id.is_some() {
            return Err(AuthError::Http(ApiError::bad_request(
                "flow_state_already_used",
                "State has already been used",
            )));
        }
        f.user_id = Some(user_id);
        f.provider_access_token = provider_token;
        let code = f.auth_code.clone().unwrap_or_default();
        return Ok(pkce_redirect(parsed, &code));
    }
    let (session_id, refresh_token, amr) = store.issue_session(user_id, now);
    store.flow_states.remove(&flow.id);
    let user = store.users.get(&user_id).cloned();
    drop(store);
    let Some(user) = user else {
        return Err(AuthError::Http(ApiError::internal("Error loading user")));
    };
    let (access_token, expires_at) = access_token(app, &user, session_id, amr);
    Ok(implicit_redirect(
        rurl,
        &ImplicitTokens {
            access_token: &access_token,
            expires_at,
            expires_in: app.cfg.jwt_exp,
            refresh_token: &refresh_token,
            provider_token: &provider_token,
            provider_refresh_token: "",
        },
    ))
}

#[derive(Serialize)]
struct Amr {
    method: &'static str,
    timestamp: i64,
}

/// GoTrue's `AccessTokenClaims`, in its field order.
#[derive(Serialize)]
struct AccessClaims<'a> {
    iss: String,
    sub: String,
    aud: &'static str,
    exp: i64,
    iat: i64,
    email: &'a str,
    phone: &'static str,
    app_metadata: Value,
    user_metadata: &'a serde_json::Map<String, Value>,
    role: &'static str,
    aal: &'static str,
    amr: [Amr; 1],
    session_id: String,
    is_anonymous: bool,
}

/// A signed access token and its `exp`.
fn access_token(app: &App, user: &User, session_id: Uuid, amr_timestamp: i64) -> (String, i64) {
    let iat = app.clock.now_s();
    let exp = iat.saturating_add(app.cfg.jwt_exp);
    let claims = AccessClaims {
        iss: app.auth_url(),
        sub: user.id.to_string(),
        aud: "authenticated",
        exp,
        iat,
        email: &user.email,
        phone: "",
        app_metadata: app_metadata(),
        user_metadata: &user.user_metadata,
        role: "authenticated",
        aal: "aal1",
        amr: [Amr {
            method: "oauth",
            timestamp: amr_timestamp,
        }],
        session_id: session_id.to_string(),
        is_anonymous: false,
    };
    (jwt::sign(&app.cfg.jwt_secret, &claims), exp)
}

/// GoTrue's `AccessTokenResponse`.
#[derive(Serialize)]
struct TokenResponse<'a> {
    access_token: String,
    token_type: &'static str,
    expires_in: i64,
    expires_at: i64,
    refresh_token: String,
    user: UserJson<'a>,
    #[serde(skip_serializing_if = "str::is_empty")]
    provider_token: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    provider_refresh_token: &'a str,
}

/// The JSON body as a map of string fields, failing as `json.Unmarshal`
/// into GoTrue's params struct would.
fn string_params(body: &[u8], go_type: &str, fields: &[&str]) -> Result<Vec<String>, AuthError> {
    let bad = |detail: String| {
        AuthError::Http(ApiError::bad_request(
            "bad_json",
            format!("Could not parse request body as JSON: {detail}"),
        ))
    };
    let v: Value = serde_json::from_slice(body).map_err(|e| bad(e.to_string()))?;
    let obj = match &v {
        Value::Object(o) => Some(o),
        Value::Null => None,
        other => {
            let kind = match other {
                Value::Array(_) => "array",
                Value::String(_) => "string",
                Value::Number(_) => "number",
                _ => "bool",
            };
            return Err(bad(format!(
                "json: cannot unmarshal {kind} into Go value of type api.{go_type}"
            )));
        }
    };
    fields
        .iter()
        .map(|f| match obj.and_then(|o| o.get(*f)) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(other) => {
                let kind = match other {
                    Value::Array(_) => "array",
                    Value::Object(_) => "object",
                    Value::Number(_) => "number",
                    _ => "bool",
                };
                Err(bad(format!(
                    "json: cannot unmarshal {kind} into Go struct field {go_type}.{f} of type string"
                )))
            }
        })
        .collect()
}

/// `POST /token`.
pub fn token(app: &App, req: &Req) -> Resp {
    let result = match req.form().get_or_empty("grant_type").as_str() {
        "pkce" => pkce_grant(app, req),
        "refresh_token" => refresh_grant(app, req),
        _ => Err(AuthError::oauth("unsupported_grant_type", "")),
    };
    match result {
        Ok(body) => http::json(200, body),
        Err(e) => e.into_response(req.api_version_2024()),
    }
}

fn verify_pkce(flow: &FlowState, verifier: &str) -> Result<(), String> {
    let ok = match flow.code_challenge_method.as_str() {
        "s256" => {
            let digest = Sha256::digest(verifier.as_bytes());
            URL_SAFE_NO_PAD.encode(digest) == flow.code_challenge
        }
        "plain" => verifier == flow.code_challenge,
        _ => return Err("code challenge method not supported".into()),
    };
    if ok {
        Ok(())
    } else {
        Err("code challenge does not match previously saved code verifier".into())
    }
}

fn pkce_grant(app: &App, req: &Req) -> Result<String, AuthError> {
    let params = string_params(
        &req.body,
        "PKCEGrantParams",
        &["auth_code", "code_verifier"],
    )?;
    let (auth_code, verifier) = match params.as_slice() {
        [a, v] => (a.clone(), v.clone()),
        _ => (String::new(), String::new()),
    };
    if auth_code.is_empty() || verifier.is_empty() {
        return Err(validation(
            "invalid request: both auth code and code verifier should be non-empty",
        ));
    }
    let now = app.clock.now_ms();
    let mut store = app.store();
    store.stats.grant("pkce");
    let flow = store
        .flow_states
        .values()
        .find(|f| f.auth_code.as_deref() == Some(auth_code.as_str()))
        .cloned();
    let Some((flow, user_id)) = flow.and_then(|f| f.user_id.map(|u| (f, u))) else {
        return Err(AuthError::Http(ApiError::new(
            404,
            "flow_state_not_found",
            "invalid flow state, no valid flow state found",
        )));
    };
    if flow.is_expired(now, app.cfg.flow_state_expiry) {
        return Err(AuthError::Http(ApiError::new(
            422,
            "flow_state_expired",
            "invalid flow state, flow state has expired",
        )));
    }
    verify_pkce(&flow, &verifier)
        .map_err(|m| AuthError::Http(ApiError::bad_request("bad_code_verifier", m)))?;
    let (session_id, refresh_token, amr) = store.issue_session(user_id, now);
    store.flow_states.remove(&flow.id);
    let user = store
        .users
        .get(&user_id)
        .cloned()
        .ok_or_else(|| AuthError::Http(ApiError::internal("Error loading user")))?;
    drop(store);
    let (access_token, expires_at) = access_token(app, &user, session_id, amr);
    Ok(crate::json::to_go_json(&TokenResponse {
        access_token,
        token_type: "bearer",
        expires_in: app.cfg.jwt_exp,
        expires_at,
        refresh_token,
        user: user.to_json(),
        provider_token: &flow.provider_access_token,
        provider_refresh_token: &flow.provider_refresh_token,
    }))
}

fn refresh_grant(app: &App, req: &Req) -> Result<String, AuthError> {
    let params = string_params(&req.body, "RefreshTokenGrantParams", &["refresh_token"])?;
    let token = params.first().cloned().unwrap_or_default();
    if token.is_empty() {
        return Err(AuthError::oauth(
            "invalid_request",
            "refresh_token required",
        ));
    }
    let now = app.clock.now_ms();
    let mut store = app.store();
    store.stats.grant("refresh_token");
    let refreshed = store.refresh(&token, now, app.cfg.refresh_token_reuse_interval)?;
    let user = store
        .users
        .get(&refreshed.user_id)
        .cloned()
        .ok_or_else(|| AuthError::Http(ApiError::internal("Error loading user")))?;
    drop(store);
    let (access_token, expires_at) =
        access_token(app, &user, refreshed.session_id, refreshed.amr_timestamp);
    Ok(crate::json::to_go_json(&TokenResponse {
        access_token,
        token_type: "bearer",
        expires_in: app.cfg.jwt_exp,
        expires_at,
        refresh_token: refreshed.refresh_token,
        user: user.to_json(),
        provider_token: "",
        provider_refresh_token: "",
    }))
}

/// `requireAuthentication`: the user and session of the bearer token.
fn authenticate(app: &App, req: &Req) -> Result<(User, Option<Uuid>), ApiError> {
    let header = req.header("authorization");
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .filter(|t| !t.is_empty() && !t.contains([' ', '\t', '\n', '\r', '\x0c']));
    let Some(token) = token else {
        return Err(ApiError::new(
            401,
            "no_authorization",
            "This endpoint requires a Bearer token",
        ));
    };
    let claims = jwt::verify(&app.cfg.jwt_secret, token, app.clock.now_s()).map_err(|e| {
        ApiError::new(
            403,
            "bad_jwt",
            format!("invalid JWT: unable to parse or verify signature, {e}"),
        )
    })?;
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or("");
    if sub.is_empty() {
        return Err(ApiError::new(
            403,
            "bad_jwt",
            "invalid claim: missing sub claim",
        ));
    }
    let user_id = Uuid::parse_str(sub)
        .map_err(|_| ApiError::bad_request("bad_jwt", "invalid claim: sub claim must be a UUID"))?;
    let store = app.store();
    let user = store.users.get(&user_id).cloned().ok_or_else(|| {
        ApiError::new(
            403,
            "user_not_found",
            "User from sub claim in JWT does not exist",
        )
    })?;
    let sid = claims
        .get("session_id")
        .and_then(Value::as_str)
        .unwrap_or("");
    if sid.is_empty() || sid == Uuid::nil().to_string() {
        return Ok((user, None));
    }
    let session_id = Uuid::parse_str(sid).map_err(|_| {
        ApiError::new(
            403,
            "bad_jwt",
            "invalid claim: session_id claim must be a UUID",
        )
    })?;
    if !store.sessions.contains_key(&session_id) {
        return Err(ApiError::new(
            403,
            "session_not_found",
            "Session from session_id claim in JWT does not exist",
        ));
    }
    Ok((user, Some(session_id)))
}

/// `GET /user`.
pub fn user(app: &App, req: &Req) -> Resp {
    match authenticate(app, req) {
        Ok((user, _)) => http::json(200, crate::json::to_go_json(&user.to_json())),
        Err(e) => AuthError::Http(e).into_response(req.api_version_2024()),
    }
}

/// `POST /logout`.
pub fn logout(app: &App, req: &Req) -> Resp {
    let v = req.api_version_2024();
    let (user, session) = match authenticate(app, req) {
        Ok(x) => x,
        Err(e) => return AuthError::Http(e).into_response(v),
    };
    let raw = req.query().get_or_empty("scope");
    let scope = match raw.as_str() {
        "" | "global" => Scope::Global,
        "local" => Scope::Local,
        "others" => Scope::Others,
        other => {
            return AuthError::Http(ApiError::bad_request(
                "validation_failed",
                format!("Unsupported logout scope {}", json!(other)),
            ))
            .into_response(v)
        }
    };
    app.store().logout(user.id, session, scope);
    http::empty(204)
}

/// `GET /health`.
pub fn health(_: &App, _: &Req) -> Resp {
    http::json(
        200,
        crate::json::to_go_json(&json!({
            "version": "v2.999.0-emulator",
            "name": "GoTrue",
            "description": "GoTrue is a user registration and authentication API"
        })),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_messages() {
        assert!(check_provider("WorkOS").is_ok());
        assert_eq!(
            check_provider("google").unwrap_err(),
            "provider is not enabled"
        );
        assert_eq!(
            check_provider("Nope").unwrap_err(),
            "Provider nope could not be found"
        );
    }

    #[test]
    fn pkce_param_validation() {
        assert!(validate_pkce("", "").is_ok());
        assert!(validate_pkce("s256", "").is_err());
        assert!(validate_pkce("", &"a".repeat(43)).is_err());
        assert!(validate_pkce("s256", &"a".repeat(42)).is_err());
        assert!(validate_pkce("s256", &format!("{}!", "a".repeat(43))).is_err());
        assert!(validate_pkce("S256", &"a".repeat(43)).is_ok());
    }

    #[test]
    fn body_errors_look_like_gotrue() {
        let e =
            string_params(b"{\"auth_code\": 1}", "PKCEGrantParams", &["auth_code"]).unwrap_err();
        match e {
            AuthError::Http(e) => {
                assert_eq!(e.code, "bad_json");
                assert!(e.msg.contains("PKCEGrantParams.auth_code"));
            }
            AuthError::OAuth { .. } => panic!("wrong kind"),
        }
        assert!(string_params(b"not json", "X", &["a"]).is_err());
        assert_eq!(
            string_params(b"null", "X", &["a"]).unwrap(),
            vec![String::new()]
        );
    }
}
