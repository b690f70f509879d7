//! What every request meets: the gateway's `apikey`, GoTrue's two error
//! shapes, CORS and preflights, 404 and 405.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

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
        .preflight(
            "/auth/v1/token?grant_type=pkce",
            "http://localhost:5173",
            "POST",
            "apikey, authorization, content-type, x-client-info, x-supabase-api-version",
        )
        .await;
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
async fn method_not_allowed_not_found_and_too_large() {
    let emu = Emu::start(|_| {}).await;
    let anon = emu.anon();
    // GoTrue's 405: its error shape, no Allow header; HEAD is not GET.
    for (method, path) in [
        ("POST", "/auth/v1/authorize"),
        ("HEAD", "/auth/v1/authorize"),
        ("PUT", "/auth/v1/callback"),
        ("GET", "/sso/token"),
        ("DELETE", "/"),
    ] {
        let r = emu.req(method, path, &[], "").await.unwrap();
        assert_eq!(r.status, 405, "{method} {path}");
        assert_eq!(r.header("allow"), "", "{method} {path}");
        if method != "HEAD" {
            assert_eq!(
                r.body,
                r#"{"code":405,"error_code":"validation_failed","msg":"Method not allowed"}"#
            );
        }
    }
    // Behind the gateway the apikey comes first, then the 405.
    let r = emu.req("GET", "/auth/v1/token", &[], "").await.unwrap();
    assert_eq!(r.status, 401);
    let r = emu
        .req(
            "GET",
            "/auth/v1/token",
            &[("apikey", &anon), ("x-supabase-api-version", "2024-01-01")],
            "",
        )
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.body.as_str()),
        (
            405,
            r#"{"code":"validation_failed","message":"Method not allowed"}"#
        )
    );
    // A wrong method still counts and can be faulted, as the endpoint does.
    assert_eq!(
        emu.get("/__emulator/stats").await.json()["requests"]["authorize"],
        2
    );

    // Unknown paths: the apikey under /auth/v1/ (but /verify), else 404.
    let r = emu.req("GET", "/auth/v1/nope", &[], "").await.unwrap();
    assert_eq!(r.status, 401);
    let r = emu
        .req("GET", "/auth/v1/nope", &[("apikey", &anon)], "")
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.body.as_str()),
        (
            404,
            r#"{"code":404,"error_code":"not_found","msg":"Not found"}"#
        )
    );
    assert_eq!(emu.get("/auth/v1/verify").await.status, 404);
    assert_eq!(emu.get("/auth/v1/user?apikey=nope").await.status, 401);
    let control = emu.req("PUT", "/__emulator/stats", &[], "").await.unwrap();
    assert_eq!(
        (control.status, control.json()),
        (404, json!({"error": "unknown control endpoint"}))
    );
    assert_eq!(emu.get("/__emulator/nope").await.status, 404);

    // Bodies past 1 MiB, on any path.
    let big = "x".repeat((1 << 20) + 1);
    let r = emu
        .req(
            "POST",
            "/auth/v1/token?grant_type=pkce",
            &[("origin", "http://a.example")],
            &big,
        )
        .await
        .unwrap();
    assert_eq!(
        (r.status, r.body.as_str()),
        (413, r#"{"message":"Request body too large"}"#)
    );
    assert_eq!(r.header("access-control-allow-origin"), "http://a.example");
}
