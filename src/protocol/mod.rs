//! The pure, synchronous core: no wasm-bindgen, no browser. Time, randomness and storage come in
//! as arguments, so all of it is tested natively.

pub mod api;
pub mod authorize;
pub mod callback;
pub mod encode;
pub mod error;
pub mod json;
pub mod pkce;
pub mod project;
pub mod refresh;
pub mod secret;
pub mod session;
pub mod shell;
// The cross-tab names and rules, which only the Rust API calls so far: left out of the npm build
// until its shell asks the core for them, so that its wasm does not change meanwhile.
#[cfg(not(feature = "slim"))]
pub mod tabs;
pub mod text;
