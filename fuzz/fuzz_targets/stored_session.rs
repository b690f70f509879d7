//! The session decoders on any text the browser's JSON.parse accepted: a stored session, a
//! `/token` answer, a `/user` answer. Never panics; always JSON for the shell; and every member
//! the core reads is the one JSON.parse reads (the last of duplicates, keys spelt with escapes).
#![no_main]

use libfuzzer_sys::fuzz_target;
use supabase_workos::protocol::{api, json};

fuzz_target!(|text: &str| {
    // The shell only passes text that JSON.parse accepted; serde_json stands in for it here (its
    // maps, like JSON.parse's objects, keep the last of two members with one key).
    let Ok(parsed) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    for out in [
        api::stored_session(Some(text), 1_767_225_600_000, 0.5),
        api::token_session(text, 1_767_225_600),
        api::checked_user(text, Some("u"), "x.eyJzdWIiOiJ1In0.x"),
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
        let ours = json::member(text, key)
            .map(|raw| serde_json::from_str::<serde_json::Value>(raw).expect("a member is a JSON value"));
        assert_eq!(ours.as_ref(), parsed.as_object().and_then(|o| o.get(key)), "{key}");
    }
});
