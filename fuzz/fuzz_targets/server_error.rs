//! The server-error decoder on any status and body fields: never panics, always a coded error.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use supabase_workos::protocol::api;
use supabase_workos::protocol::session::ErrorBody;

#[derive(Arbitrary, Debug)]
struct Input {
    status: u16,
    json: bool,
    versioned: bool,
    code: Option<String>,
    error_code: Option<String>,
    messages: [Option<String>; 4],
}

fuzz_target!(|i: Input| {
    let body = i.json.then(|| ErrorBody {
        code: i.code,
        error_code: i.error_code,
        // The shell passes the body's `error` as the last message and on its own.
        error: i.messages[3].clone(),
        messages: i.messages,
    });
    let out: serde_json::Value =
        serde_json::from_str(&api::request_error(i.status, body, i.versioned)).expect("JSON");
    let e = &out["error"];
    assert!(e["code"].as_str().is_some_and(|c| !c.is_empty()));
    assert!(e["name"].as_str().is_some_and(|n| n.starts_with("Auth")));
    assert!(e["status"].is_u64());
});
