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
