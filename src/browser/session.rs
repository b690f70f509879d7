//! The session and its user, as Supabase Auth sends them and supabase-js stores them. Answers of
//! `fetch` arrive through the browser's `Response.json()` and serde-wasm-bindgen; what is stored
//! goes out through serde-wasm-bindgen's JSON-compatible serializer and the browser's
//! `JSON.stringify`. Tokens are [`Secret`]s: `Debug` shows `[redacted]`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wasm_bindgen::JsValue;

use crate::protocol::secret::Secret;
use crate::protocol::session::{jwt_exp, SessionShape};

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Secret::new)
    }
}

/// A signed-in session: the fields supabase-js stores under the storage key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Session {
    /// WorkOS's access token, from an implicit callback.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_token: Option<Secret>,
    /// WorkOS's refresh token (WorkOS sends none today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_refresh_token: Option<Secret>,
    /// The Supabase access token (a JWT), for `Authorization: Bearer`.
    pub access_token: Secret,
    /// `bearer`.
    #[serde(default)]
    pub token_type: String,
    /// The access token's lifetime when issued, seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_in: Option<u64>,
    /// When the access token expires, unix seconds (on the server's clock).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// The refresh token; single use, rotated by every refresh.
    pub refresh_token: Secret,
    /// The signed-in user.
    pub user: User,
}

/// A Supabase Auth user, as `GET /auth/v1/user` answers it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct User {
    /// The user's id (a UUID).
    pub id: String,
    /// `authenticated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aud: Option<String>,
    /// The Postgres role, `authenticated`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// The email WorkOS reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// When the email was confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_confirmed_at: Option<String>,
    /// The phone number, usually empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// When the user was confirmed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confirmed_at: Option<String>,
    /// The last sign-in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sign_in_at: Option<String>,
    /// `{provider: "workos", providers: ["workos"], …}`, as the server sent it.
    #[serde(
        default,
        with = "serde_wasm_bindgen::preserve",
        skip_serializing_if = "JsValue::is_undefined"
    )]
    pub app_metadata: JsValue,
    /// The WorkOS profile (`name`, `email`, `custom_claims {connection_id, organization_id}`,
    /// …), as the server sent it.
    #[serde(
        default,
        with = "serde_wasm_bindgen::preserve",
        skip_serializing_if = "JsValue::is_undefined"
    )]
    pub user_metadata: JsValue,
    /// The user's identities.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identities: Option<Vec<Identity>>,
    /// When the user was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the user was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Whether the user signed in anonymously.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_anonymous: Option<bool>,
}

/// One identity of a user: here, the WorkOS one.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Identity {
    /// The identity's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The provider's id for the user (the WorkOS profile id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_id: Option<String>,
    /// The user it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `workos`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// What the provider said of the user, as the server sent it.
    #[serde(
        default,
        with = "serde_wasm_bindgen::preserve",
        skip_serializing_if = "JsValue::is_undefined"
    )]
    pub identity_data: JsValue,
    /// The identity's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// When it last signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_sign_in_at: Option<String>,
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When it was last changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(JsValue::NULL)
}

/// The JSON text of a value the way it is stored.
pub(crate) fn stringify(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}

impl Session {
    /// The session as a plain JS object, as supabase-js stores it (for example for supabase-js's
    /// `auth.setSession`).
    pub fn to_js(&self) -> JsValue {
        to_js(self)
    }

    /// A session from a JS object shaped as supabase-js stores it; `None` when it is not one
    /// (tokens missing or empty, no user, no usable expiry).
    pub fn from_js(value: &JsValue) -> Option<Session> {
        let session: Session = serde_wasm_bindgen::from_value(value.clone()).ok()?;
        session.stored_expiry().map(|_| session)
    }

    /// When the access token expires, unix seconds on the server's clock.
    pub fn expires_at(&self) -> u64 {
        self.stored_expiry().unwrap_or(0)
    }

    /// The fields the protocol judges a session by.
    pub(crate) fn shape(&self) -> SessionShape {
        SessionShape {
            access_token: !self.access_token.expose().is_empty(),
            refresh_token: !self.refresh_token.expose().is_empty(),
            user: true,
            expires_in: self.expires_in,
            expires_at: self.expires_at,
            jwt_exp: jwt_exp(self.access_token.expose()),
        }
    }

    /// The expiry of a stored session, `None` when it is corrupt (rule: removed, not trusted).
    pub(crate) fn stored_expiry(&self) -> Option<u64> {
        self.shape().stored_expiry()
    }

    /// The stored text.
    pub(crate) fn text(&self) -> String {
        stringify(&self.to_js()).unwrap_or_default()
    }
}

impl User {
    /// The user as a plain JS object, as Supabase Auth sends it.
    pub fn to_js(&self) -> JsValue {
        to_js(self)
    }

    pub(crate) fn text(&self) -> String {
        stringify(&self.to_js()).unwrap_or_default()
    }
}

/// A stored text read back: the session, or corrupt (not JSON, not a session), or nothing.
#[allow(clippy::large_enum_variant)] // short-lived
pub(crate) enum Stored {
    None,
    Corrupt,
    Session(Session, u64),
}

/// Reads a stored text with the browser's `JSON.parse`, judged by the protocol.
pub(crate) fn read_stored(raw: Option<&str>) -> Stored {
    let Some(raw) = raw else {
        return Stored::None;
    };
    let parsed = js_sys::JSON::parse(raw).ok();
    let session = parsed.and_then(|v| serde_wasm_bindgen::from_value::<Session>(v).ok());
    match session.and_then(|s| s.stored_expiry().map(|e| (s, e))) {
        Some((s, e)) => Stored::Session(s, e),
        None => Stored::Corrupt,
    }
}
