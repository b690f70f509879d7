//! Sign in with WorkOS SSO through Supabase Auth, from the browser.
//!
//! One crate in three rooms:
//! - [`protocol`] holds every decision (authorize URL, PKCE, callbacks, sessions, storage keys,
//!   error codes) as pure, synchronous Rust that builds and tests natively. Time, randomness,
//!   storage and the network come in as arguments.
//! - `npm` (wasm32 only) is the npm build's boundary: one export, `decide`, under the JS shell in
//!   `pkg-template/`, which owns the asynchronous I/O. With feature `slim` it brings its own
//!   allocator and panic handler and builds `no_std`. With feature `browser` it is a plain Rust
//!   function, not exported, so that an app on the Rust API does not carry it.
//! - `browser` (wasm32 only, default feature `browser`, which the npm build leaves out) is the
//!   typed Rust API for Rust frontends: a `Client` on web-sys and js-sys that calls the protocol
//!   directly. `docs/rust.md` is its guide.
//!
//! `docs/architecture.md` follows a sign-in through the rooms.
#![cfg_attr(feature = "slim", no_std)]
#![warn(missing_docs)]
#![cfg_attr(not(feature = "slim"), forbid(unsafe_code))]
#![cfg_attr(feature = "slim", deny(unsafe_code))]

extern crate alloc;

#[cfg(all(target_arch = "wasm32", feature = "slim", feature = "browser"))]
compile_error!("feature `slim` (the npm build) goes with --no-default-features: the Rust API's std dependencies clash with its no_std runtime");
#[cfg(all(target_arch = "wasm32", feature = "browser"))]
pub mod browser;
#[cfg(target_arch = "wasm32")]
pub mod npm;
pub mod protocol;

pub use crate::protocol::authorize::{AuthorizeOptions, AuthorizeRequest, Provider, Selector};
pub use crate::protocol::error::{Error, ErrorCode};
pub use crate::protocol::pkce::Verifier;
pub use crate::protocol::project::{ProjectUrl, UrlParts};

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
