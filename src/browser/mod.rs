//! The typed Rust API, for frontends written in Rust (Leptos, Yew, Dioxus, a Tauri webview): the
//! JS package's `createClient` as a [`Client`], on web-sys and js-sys.
//!
//! Every decision is the [`protocol`](crate::protocol)'s, as it is for the JS shell; this room
//! only does the I/O: `fetch`, `Storage`, `history.replaceState`, `location.assign`,
//! `crypto.getRandomValues` and `crypto.subtle`, Web Locks, `BroadcastChannel`, timers. Sessions
//! and PKCE verifiers are stored where and as supabase-js and the npm package store them, and a
//! Rust tab follows the cross-tab rules of `docs/architecture.md`, so Rust and JS tabs of one
//! origin share a session.
//!
//! ```no_run
//! use supabase_workos::browser::{AuthEvent, Client, SignIn};
//!
//! async fn app() -> Result<(), supabase_workos::Error> {
//!     let auth = Client::new("https://abcd.supabase.co", "<anon key>")?;
//!     // A callback in the address bar is finished (and removed from it) as the client starts.
//!     let _events = auth.on_auth_state_change(|event, session| {
//!         if event == AuthEvent::SignedIn {
//!             let email = session.and_then(|s| s.user.email.as_deref());
//!             web_sys::console::log_1(&email.unwrap_or("").into());
//!         }
//!     });
//!     match auth.initialize().await? {
//!         Some(session) => {
//!             let _header = ["Bearer ", session.access_token.expose()].concat();
//!         }
//!         None => {
//!             auth.sign_in_with_workos(
//!                 SignIn::organization("org_01H").redirect_to("https://app.example.com/callback"),
//!             )
//!             .await?;
//!         }
//!     }
//!     Ok(())
//! }
//! ```
//!
//! `docs/rust.md` has a recipe each for Leptos, Yew and Dioxus.

mod client;
mod events;
mod http;
mod session;
mod sign_in;
mod storage;
mod web;

pub use client::{Client, ClientBuilder, Flow, Scope};
pub use events::{AuthEvent, AuthState, SignedOutReason, Subscription};
pub use session::{Identity, Session, User};
pub use sign_in::{Provider, SignIn};
pub use storage::{MemoryStorage, Storage, StorageError, StorageKind};

pub use crate::protocol::error::{Error, ErrorCode};
pub use crate::protocol::secret::Secret;
