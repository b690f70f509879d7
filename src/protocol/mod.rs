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
// Typed decisions the Rust API calls; the npm build reaches its copies through `api` until its
// operations call these (left out of it meanwhile, so that its wasm does not change).
pub mod shell;
#[cfg(not(feature = "slim"))]
pub mod tabs;
pub mod text;
