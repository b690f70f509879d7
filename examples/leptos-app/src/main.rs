//! A Leptos app, rendered in the browser, that signs in with WorkOS SSO through Supabase Auth
//! with supabase-workos's Rust API. `docs/leptos.md` says how to build and run it.

// The shell reads neither the project nor the WorkOS ids: it signs nobody in.
#![cfg_attr(not(feature = "auth"), allow(dead_code))]

#[cfg_attr(not(feature = "auth"), path = "auth_off.rs")]
mod auth;
mod config;
mod view;

fn main() {
    leptos::mount::mount_to_body(view::App);
}
