//! The session decoders on any text the browser's JSON.parse accepted: a stored session, a
//! `/token` answer, a `/user` answer. Never panics; always JSON for the shell.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supabase_workos::protocol::{api, json};

fuzz_target!(|text: &str| {
    // The shell only passes text that JSON.parse accepted; serde_json stands in for it here.
    if serde_json::from_str::<serde_json::Value>(text).is_err() {
        return;
    }
    for out in [
        api::stored_session(Some(text), 1_767_225_600_000, 0.5),
        api::token_session(text, 1_767_225_600),
        api::implicit_user(text),
    ] {
        serde_json::from_str::<serde_json::Value>(&out).expect("JSON");
    }
    for key in [
        "access_token",
        "refresh_token",
        "expires_at",
        "user",
        "id",
        "exp",
    ] {
        if let Some(raw) = json::member(text, key) {
            serde_json::from_str::<serde_json::Value>(raw).expect("a member is a JSON value");
        }
    }
});
