//! Injected faults, from the command line and the control API.
#![allow(clippy::indexing_slicing)]

mod common;

use common::*;

#[tokio::test]
async fn injected_faults() {
    let emu = Emu::start(|c| {
        c.faults =
            vec![supabase_workos_emulator::faults::FaultSpec::parse_flag("user=503:1").unwrap()]
    })
    .await;
    let s = signed_in(&emu).await;
    let at = s["access_token"].as_str().unwrap();
    assert_eq!(
        emu.rest("GET", "/auth/v1/user", Some(at), "").await.status,
        503
    );
    assert_eq!(
        emu.rest("GET", "/auth/v1/user", Some(at), "").await.status,
        200
    );

    let add = |body: Value| add_fault(&emu, body);
    assert_eq!(
        add(json!({"endpoint": "token_refresh", "kind": "500", "count": 1}))
            .await
            .status,
        200
    );
    let rt = json!({"refresh_token": s["refresh_token"]}).to_string();
    let r = emu
        .rest("POST", "/auth/v1/token?grant_type=refresh_token", None, &rt)
        .await;
    assert_eq!(
        (r.status, r.json()["code"].clone()),
        (500, json!("unexpected_failure"))
    );

    add(json!({"endpoint": "user", "kind": "garbage"})).await;
    let g = emu.rest("GET", "/auth/v1/user", Some(at), "").await;
    assert_eq!(g.status, 200);
    assert!(serde_json::from_str::<Value>(&g.body).is_err());

    add(json!({"endpoint": "user", "kind": "big"})).await;
    assert!(
        emu.rest("GET", "/auth/v1/user", Some(at), "")
            .await
            .body
            .len()
            >= 5 * 1024 * 1024
    );

    add(json!({"endpoint": "user", "kind": 429})).await;
    let limited = emu.rest("GET", "/auth/v1/user", Some(at), "").await;
    assert_eq!(
        (limited.status, limited.header("retry-after")),
        (429, "1".to_string())
    );

    add(json!({"endpoint": "user", "kind": "redirect"})).await;
    let moved = emu.rest("GET", "/auth/v1/user", Some(at), "").await;
    assert_eq!(moved.status, 302);
    assert_eq!(emu.get(&moved.location()).await.status, 200);

    add(json!({"endpoint": "all", "kind": "down", "seconds": 30})).await;
    let anon = emu.anon();
    assert!(emu
        .req("GET", "/auth/v1/health", &[("apikey", &anon)], "")
        .await
        .is_err());
    assert!(emu
        .req("GET", "/auth/v1/health", &[("apikey", &anon)], "")
        .await
        .is_err());
    emu.clock.advance_ms(31_000);
    assert_eq!(
        emu.req("GET", "/auth/v1/health", &[("apikey", &anon)], "")
            .await
            .unwrap()
            .status,
        200
    );

    add(json!({"endpoint": "user", "kind": "timeout", "seconds": 1})).await;
    let started = std::time::Instant::now();
    assert!(emu.rest_result(at).await.is_err());
    assert!(started.elapsed() >= std::time::Duration::from_millis(900));

    let bad = add(json!({"endpoint": "user", "kind": "teapot"})).await;
    assert_eq!(bad.status, 400);
    let stats = emu.get("/__emulator/stats").await.json();
    assert_eq!(stats["faults_triggered"], 9);

    let reset = emu.req("POST", "/__emulator/reset", &[], "").await.unwrap();
    assert_eq!(reset.status, 200);
    let stats = emu.get("/__emulator/stats").await.json();
    assert_eq!(
        (
            stats["faults_triggered"].clone(),
            stats["active_sessions"].clone()
        ),
        (json!(0), json!(0))
    );
}
