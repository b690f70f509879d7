//! What the tabs of one origin share (docs/architecture.md, "Cross-tab rules"): the storage keys
//! beside the session's, the names of the Web Locks and of the `BroadcastChannel`, the waits, and
//! which session a tab takes from another. Both shells call these, so a JS tab and a Rust tab of
//! one origin name things alike.

use alloc::string::String;

/// The longest a tab waits for another tab's refresh before refreshing itself (rule 3.2).
pub const LOCK_WAIT_MS: u32 = 20_000;
/// How long a tab that replaced the stored session marks it spent (rule 4.1).
pub const SPENT_MS: u32 = 10_000;
/// The longest a tab waits for another tab's write to reach its copy of storage (rule 4.2).
pub const CATCH_UP_MS: u32 = 2_000;
/// How often a tab reads storage again while it waits for its copy (rule 4.2).
pub const CATCH_UP_POLL_MS: u32 = 10;
/// How long a tab with storage of its own waits for the others' sessions (rule 5.3).
pub const ASK_MS: u32 = 250;
/// A request that has not answered by then is a network failure (and releases the lock).
pub const REQUEST_TIMEOUT_MS: u32 = 15_000;

fn join(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// `K-implicit-pending`: the login-CSRF marker of an implicit sign-in.
pub fn pending_key(storage_key: &str) -> String {
    join(&[storage_key, "-implicit-pending"])
}

/// `K-clock-skew`: the device clock's measured skew, milliseconds.
pub fn skew_key(storage_key: &str) -> String {
    join(&[storage_key, "-clock-skew"])
}

/// supabase-js's verifier slot for one flow, `K-flow-<id>-code-verifier`; without a flow id, the
/// legacy `K-code-verifier`.
pub fn flow_verifier_key(storage_key: &str, flow_id: Option<&str>) -> String {
    match flow_id {
        Some(id) => join(&[storage_key, "-flow-", id, "-code-verifier"]),
        None => super::project::verifier_key(storage_key),
    }
}

/// `K-flows-code-verifier`: supabase-js's index of the flow ids that have a slot.
pub fn flow_index_key(storage_key: &str) -> String {
    join(&[storage_key, "-flows-code-verifier"])
}

/// Whether a key lives in the first storage of the chain only (rule 2.3): the clock skew and
/// supabase-js's flow index. Every other key may be in a fallback.
pub fn first_storage_only(storage_key: &str, key: &str) -> bool {
    key == skew_key(storage_key) || key == flow_index_key(storage_key)
}

/// Whether the first storage of a chain, by its name, is the tab's own (rule 2.5).
pub fn owned_by_tab(first_storage: &str) -> bool {
    first_storage == "sessionStorage" || first_storage == "memory"
}

/// The digest that names a stored text in a lock without its tokens (rule 1.2): for each UTF-16
/// code unit `c`, `h = h × 31 + c` modulo 2^32.
pub fn digest(text: &str) -> u32 {
    text.encode_utf16()
        .fold(0u32, |h, c| h.wrapping_mul(31).wrapping_add(u32::from(c)))
}

/// `supabase-workos-refresh:K`, the refresh lock.
pub fn refresh_lock(storage_key: &str) -> String {
    join(&["supabase-workos-refresh:", storage_key])
}

/// `supabase-workos-spent:K:<digest>`, the mark of a replaced stored text.
pub fn spent_lock(storage_key: &str, replaced: &str) -> String {
    let mut n = String::new();
    super::json::push_uint(&mut n, u64::from(digest(replaced)));
    join(&["supabase-workos-spent:", storage_key, ":", &n])
}

/// `supabase-workos:K`, the channel between the tabs that share a storage key.
pub fn channel(storage_key: &str) -> String {
    join(&["supabase-workos:", storage_key])
}

/// The event a `storage` event on `K` stands for, in a browser without `BroadcastChannel`
/// (rule 7.6): a removed value is `SIGNED_OUT`, a value where there was none `SIGNED_IN`, any
/// other change `TOKEN_REFRESHED`.
pub fn storage_event(old: Option<&str>, new: Option<&str>) -> &'static str {
    match (old, new) {
        (_, None) => "SIGNED_OUT",
        (None, Some(_)) => "SIGNED_IN",
        _ => "TOKEN_REFRESHED",
    }
}

/// What a tab knows of a stored session to compare it with another: its user and its expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held<'a> {
    /// The user's id.
    pub user: &'a str,
    /// `expires_at`, unix seconds.
    pub expires_at: u64,
}

/// Which of two sessions a tab with storage of its own keeps (rules 5.3 and 7.4): another tab's
/// (`theirs`, valid, whose text differs from the tab's) when the tab holds none, or holds one of
/// the same user expiring no later. Two such tabs may hold two users: another user's session is
/// never taken.
pub fn takes_theirs(theirs: Held<'_>, texts_differ: bool, mine: Option<Held<'_>>) -> bool {
    texts_differ && mine.is_none_or(|m| m.user == theirs.user && theirs.expires_at >= m.expires_at)
}

/// With shared storage, whether a `SIGNED_IN` from another tab is waited for until this tab's copy
/// of storage shows it (rule 7.4): when it expires later than what the copy holds, or the copy
/// holds none.
pub fn waits_for_sign_in(theirs_expires_at: u64, mine_expires_at: Option<u64>) -> bool {
    mine_expires_at.is_none_or(|m| theirs_expires_at > m)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn digests_match_the_js_shell() {
        // Computed by the JS shell's `digest` (pkg-template/src/locks.js).
        assert_eq!(digest(""), 0);
        assert_eq!(digest("a"), 97);
        assert_eq!(digest("{\"access_token\":\"x\"}"), 3_185_379_374);
        assert_eq!(digest("é😀 session"), 2_077_346_434);
        assert_eq!(
            spent_lock("sb-x-auth-token", "a"),
            "supabase-workos-spent:sb-x-auth-token:97"
        );
    }

    #[test]
    fn names_of_keys_locks_and_channel() {
        let k = "sb-abcd-auth-token";
        assert_eq!(pending_key(k), "sb-abcd-auth-token-implicit-pending");
        assert_eq!(skew_key(k), "sb-abcd-auth-token-clock-skew");
        assert_eq!(
            flow_verifier_key(k, Some("0123456789abcdef")),
            "sb-abcd-auth-token-flow-0123456789abcdef-code-verifier"
        );
        assert_eq!(
            flow_verifier_key(k, None),
            "sb-abcd-auth-token-code-verifier"
        );
        assert_eq!(flow_index_key(k), "sb-abcd-auth-token-flows-code-verifier");
        assert!(first_storage_only(k, &skew_key(k)));
        assert!(first_storage_only(k, &flow_index_key(k)));
        assert!(!first_storage_only(k, k));
        assert!(!first_storage_only(k, &pending_key(k)));
        assert_eq!(
            refresh_lock(k),
            "supabase-workos-refresh:sb-abcd-auth-token"
        );
        assert_eq!(channel(k), "supabase-workos:sb-abcd-auth-token");
        assert!(owned_by_tab("memory") && owned_by_tab("sessionStorage"));
        assert!(!owned_by_tab("localStorage") && !owned_by_tab("the custom storage"));
    }

    #[test]
    fn storage_events_stand_for_messages() {
        assert_eq!(storage_event(Some("a"), None), "SIGNED_OUT");
        assert_eq!(storage_event(None, Some("a")), "SIGNED_IN");
        assert_eq!(storage_event(Some("a"), Some("b")), "TOKEN_REFRESHED");
    }

    #[test]
    fn a_tab_takes_only_a_newer_session_of_its_own_user() {
        let theirs = Held {
            user: "u1",
            expires_at: 200,
        };
        let older = Held {
            user: "u1",
            expires_at: 100,
        };
        let newer = Held {
            user: "u1",
            expires_at: 300,
        };
        let other = Held {
            user: "u2",
            expires_at: 100,
        };
        assert!(takes_theirs(theirs, true, None));
        assert!(takes_theirs(theirs, true, Some(older)));
        assert!(takes_theirs(theirs, true, Some(theirs)), "same expiry");
        assert!(!takes_theirs(theirs, false, Some(older)), "the same text");
        assert!(!takes_theirs(theirs, true, Some(newer)));
        assert!(!takes_theirs(theirs, true, Some(other)));
        assert!(waits_for_sign_in(200, None));
        assert!(waits_for_sign_in(200, Some(100)));
        assert!(!waits_for_sign_in(200, Some(200)));
    }
}
