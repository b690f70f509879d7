//! The wasm-bindgen boundary: one export, [`decide`]. An operation letter and its fields go in as
//! one string; JSON text comes out, which the JS shell reads with `JSON.parse` (and throws when it
//! holds an `error`). One string each way keeps the JS glue and the wasm's export shims to one
//! small copy; the operations and their fields are in [`crate::protocol::api::decide`]. The browser's
//! own parsers (`URL`, `JSON`) and `crypto.getRandomValues` are used by the shell, which passes
//! their results in.

#[cfg(feature = "slim")]
mod slim;

use alloc::string::String;

/// Every decision of the core; see [`crate::protocol::api::decide`]. Exported to JS only outside
/// feature `browser`: an app on the Rust API never calls it, and an export would keep the whole
/// operation table in its wasm (the tests call it from Rust).
#[cfg_attr(not(feature = "browser"), wasm_bindgen::prelude::wasm_bindgen)]
pub fn decide(input: &str) -> String {
    crate::protocol::api::decide(input)
}
