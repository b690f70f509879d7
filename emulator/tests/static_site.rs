//! The static site (`--serve`) and the READY line.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

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
async fn static_site_routes_errors_and_headers() {
    let dir = std::env::temp_dir().join(format!("emu-site-routes-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("docs")).unwrap();
    std::fs::write(dir.join("index.html"), "<p>app</p>").unwrap();
    std::fs::write(dir.join("docs/index.html"), "<p>docs</p>").unwrap();
    let emu = Emu::start(|c| {
        c.serve = Some(dir.clone());
        c.app_headers = vec![("X-Frame-Options".into(), "DENY".into())];
    })
    .await;
    let app = emu.e.app_addr.unwrap();
    let get = |path: &'static str| send(app, "GET", path, &[], "");

    // A client-side route gets the app; a directory its own index.html.
    let route = get("/auth/callback").await.unwrap();
    assert_eq!((route.status, route.body.as_str()), (200, "<p>app</p>"));
    assert_eq!(route.header("content-type"), "text/html; charset=utf-8");
    assert_eq!(route.header("cache-control"), "no-store");
    assert_eq!(route.header("x-frame-options"), "DENY");
    assert_eq!(get("/docs/").await.unwrap().body, "<p>docs</p>");

    // A missing file, a way out of the root, another method: plain text, no extra headers.
    for (method, path, status, body) in [
        ("GET", "/missing.js", 404, "not found\n"),
        ("GET", "/%2e%2e/Cargo.toml", 404, "not found\n"),
        ("GET", "/%2e%2e/etc/passwd", 404, "not found\n"),
        ("POST", "/", 405, "method not allowed\n"),
    ] {
        let r = send(app, method, path, &[], "").await.unwrap();
        assert_eq!(
            (r.status, r.body.as_str()),
            (status, body),
            "{method} {path}"
        );
        assert_eq!(r.header("content-type"), "text/plain; charset=utf-8");
        assert_eq!(r.header("x-frame-options"), "", "{path}");
    }
    let head = send(app, "HEAD", "/", &[], "").await.unwrap();
    assert_eq!((head.status, head.body.as_str()), (200, ""));
}
