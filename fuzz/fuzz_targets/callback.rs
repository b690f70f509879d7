//! The callback parser on any URL: never panics, answers JSON the shell can read, and the URL it
//! hands back for the address bar holds no auth parameter anywhere.
#![no_main]

use libfuzzer_sys::fuzz_target;
use supabase_workos::protocol::api;
use supabase_workos::protocol::callback::{has_auth_keys, parse, Callback};

fuzz_target!(|href: &str| {
    let parsed = parse(href);
    if let Some(clean) = &parsed.cleaned {
        assert!(
            !has_auth_keys(clean),
            "an auth parameter left in the cleaned URL"
        );
    } else if !matches!(parsed.callback, Ok(Callback::None)) {
        panic!("a callback without a cleaned URL");
    }
    // Debug output shows no token: the secret fields print as `[redacted]`.
    if let Ok(Callback::Implicit(p)) = &parsed.callback {
        let shown = format!("{p:?}");
        assert!(
            shown.contains("access_token: [redacted]")
                && shown.contains("refresh_token: [redacted]"),
            "{shown}"
        );
    }
    let out: serde_json::Value =
        serde_json::from_str(&api::callback(href, 1_767_225_600)).expect("JSON");
    assert!(out["type"].is_string());
});
