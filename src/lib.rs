//! Sign in with WorkOS SSO through Supabase Auth, from the browser.
//!
//! [`core`] holds every decision (authorize URL, PKCE, storage keys, error codes) as pure,
//! synchronous Rust that builds and tests natively. `web` (wasm32 only) exposes it to the JS
//! shell in `pkg-template/`, which owns the asynchronous I/O.
#![cfg_attr(feature = "slim", no_std)]
#![cfg_attr(not(feature = "slim"), forbid(unsafe_code))]
#![cfg_attr(feature = "slim", deny(unsafe_code))]

extern crate alloc;

pub mod core;
#[cfg(target_arch = "wasm32")]
pub mod web;

pub use crate::core::authorize::{AuthorizeOptions, AuthorizeRequest, Provider, Selector};
pub use crate::core::error::{Error, ErrorCode};
pub use crate::core::pkce::Verifier;
pub use crate::core::project::{ProjectUrl, UrlParts};

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
