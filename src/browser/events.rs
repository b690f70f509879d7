//! Auth events, their subscribers, and the state a UI holds.

use alloc::rc::{Rc, Weak};
use core::cell::{Cell, RefCell};

use super::session::Session;
use crate::protocol::error::Error;

/// What happened to the session, as supabase-js names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthEvent {
    /// Once to each subscriber, when the client has started (a callback handled, if any).
    InitialSession,
    /// A sign-in finished (once per sign-in, never on focus).
    SignedIn,
    /// A password-recovery callback finished.
    PasswordRecovery,
    /// The session was refreshed, here or in another tab.
    TokenRefreshed,
    /// `user()` found a changed user.
    UserUpdated,
    /// The session ended: signed out here or in another tab, or its refresh token was refused.
    SignedOut,
}

impl AuthEvent {
    /// supabase-js's name: `INITIAL_SESSION`, `SIGNED_IN`, …
    pub fn as_str(self) -> &'static str {
        match self {
            AuthEvent::InitialSession => "INITIAL_SESSION",
            AuthEvent::SignedIn => "SIGNED_IN",
            AuthEvent::PasswordRecovery => "PASSWORD_RECOVERY",
            AuthEvent::TokenRefreshed => "TOKEN_REFRESHED",
            AuthEvent::UserUpdated => "USER_UPDATED",
            AuthEvent::SignedOut => "SIGNED_OUT",
        }
    }

    /// The event for a name another tab sent; `None` for any other.
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        [
            AuthEvent::InitialSession,
            AuthEvent::SignedIn,
            AuthEvent::PasswordRecovery,
            AuthEvent::TokenRefreshed,
            AuthEvent::UserUpdated,
            AuthEvent::SignedOut,
        ]
        .into_iter()
        .find(|e| e.as_str() == name)
    }
}

/// Why there is no session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignedOutReason {
    /// No session was stored when the client started.
    NoSession,
    /// The session ended: a sign-out here or in another tab, or a refused refresh token.
    Ended,
}

/// The state of authentication, for a UI to hold (in a signal, a state hook): see
/// [`AuthState::next`] and the recipes in `docs/rust.md`.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)] // one per app, held as it is
pub enum AuthState {
    /// The client has not started yet (a callback may be on the wire).
    Loading,
    /// No session.
    SignedOut {
        /// Why.
        reason: SignedOutReason,
    },
    /// Signed in.
    SignedIn(Session),
    /// Starting failed: a callback carried an error, or was refused.
    Failed(Error),
}

impl AuthState {
    /// The state after an event.
    pub fn next(event: AuthEvent, session: Option<&Session>) -> AuthState {
        match (session, event) {
            (Some(s), _) => AuthState::SignedIn(s.clone()),
            (None, AuthEvent::InitialSession) => AuthState::SignedOut {
                reason: SignedOutReason::NoSession,
            },
            (None, _) => AuthState::SignedOut {
                reason: SignedOutReason::Ended,
            },
        }
    }

    /// The session, when signed in.
    pub fn session(&self) -> Option<&Session> {
        match self {
            AuthState::SignedIn(s) => Some(s),
            _ => None,
        }
    }
}

type Callback = Rc<RefCell<dyn FnMut(AuthEvent, Option<&Session>)>>;

/// The subscribers of one client.
#[derive(Default)]
pub(crate) struct Subscribers {
    list: RefCell<Vec<(u64, Callback)>>,
    next: Cell<u64>,
}

impl Subscribers {
    pub(crate) fn add(
        self: &Rc<Self>,
        f: impl FnMut(AuthEvent, Option<&Session>) + 'static,
    ) -> (u64, Subscription) {
        let id = self.next.get();
        self.next.set(id + 1);
        self.list.borrow_mut().push((id, Rc::new(RefCell::new(f))));
        let sub = Subscription {
            subscribers: Rc::downgrade(self),
            id,
        };
        (id, sub)
    }

    pub(crate) fn has(&self, id: u64) -> bool {
        self.list.borrow().iter().any(|(i, _)| *i == id)
    }

    /// Calls every subscriber (or the one `only`); a subscriber may subscribe or unsubscribe
    /// from its callback. One that is running already (an event raised from its own callback)
    /// is skipped.
    pub(crate) fn emit(&self, event: AuthEvent, session: Option<&Session>, only: Option<u64>) {
        let list: Vec<Callback> = self
            .list
            .borrow()
            .iter()
            .filter(|(i, _)| only.is_none_or(|o| o == *i))
            .map(|(_, c)| c.clone())
            .collect();
        for callback in list {
            if let Ok(mut f) = callback.try_borrow_mut() {
                f(event, session);
            }
        }
    }

    pub(crate) fn clear(&self) {
        self.list.borrow_mut().clear();
    }
}

/// A subscription to auth events; dropping it unsubscribes.
#[must_use = "dropping a Subscription unsubscribes at once"]
pub struct Subscription {
    subscribers: Weak<Subscribers>,
    id: u64,
}

impl Subscription {
    /// Unsubscribes now (the same as dropping it).
    pub fn unsubscribe(self) {}
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(s) = self.subscribers.upgrade() {
            if let Ok(mut list) = s.list.try_borrow_mut() {
                list.retain(|(i, _)| *i != self.id);
            }
        }
    }
}

impl core::fmt::Debug for Subscription {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}
