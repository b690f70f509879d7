//! The UI shell's stand-in for `auth.rs`, built with `--no-default-features`: the same context
//! and the same views, without the crate. Nobody signs in; the buttons do nothing. It exists so
//! that `scripts/leptos-size` can weigh the sign-in code alone.

use leptos::prelude::*;

use crate::config::Config;
use crate::view::{Profile, Selector};

/// The session's stand-in: the profile itself.
pub type Session = Profile;

/// The same context as with the sign-in code; nothing ever writes the session.
#[derive(Clone, Copy)]
pub struct Auth {
    pub session: ReadSignal<Option<Session>, LocalStorage>,
    pub event: ReadSignal<Option<&'static str>>,
    pub ready: ReadSignal<bool>,
    pub error: RwSignal<Option<String>>,
}

pub fn profile(session: &Session) -> Profile {
    session.clone()
}

pub fn provide_auth(config: Result<&Config, &'static str>) {
    let (session, _) = signal_local(None);
    let (event, _) = signal(None);
    let (ready, _) = signal(true);
    let error = RwSignal::new(config.err().map(String::from));
    provide_context(Auth {
        session,
        event,
        ready,
        error,
    });
}

impl Auth {
    pub async fn sign_in(self, _: Selector) {}

    pub async fn refresh(self) {}

    pub async fn sign_out(self) {}
}
