//! The session and its user, as Supabase Auth sends them and supabase-js stores them. Answers of
//! `fetch` arrive through the browser's `Response.json()` and are read member by member; what is
//! stored is built as a plain object and goes out through the browser's `JSON.stringify`. Tokens
//! are [`Secret`]s: `Debug` shows `[redacted]`.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use wasm_bindgen::{JsCast, JsValue};

use super::web::{get, set};

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
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
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

// JS objects are read and built member by member, with `Reflect`, rather than through serde:
// the derived impls above stay for apps that use serde, but the client does not instantiate
// them, which keeps serde's deserializers and their error formatting out of an app's wasm.

/// A member that is a string or absent (`undefined` or `null`); `Err` for any other value.
fn opt_string(o: &JsValue, key: &str) -> Result<Option<String>, ()> {
    let v = get(o, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or(())
}

/// A member that is a string; `Err` when it is absent or another value.
fn string(o: &JsValue, key: &str) -> Result<String, ()> {
    opt_string(o, key)?.ok_or(())
}

/// A member that is a whole number from 0 to 2^53 - 1, or absent.
fn opt_u64(o: &JsValue, key: &str) -> Result<Option<u64>, ()> {
    let v = get(o, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if (0.0..=9_007_199_254_740_991.0).contains(&n) && n == n.trunc() => {
            Ok(Some(n as u64))
        }
        _ => Err(()),
    }
}

/// A member that is a boolean, or absent.
fn opt_bool(o: &JsValue, key: &str) -> Result<Option<bool>, ()> {
    let v = get(o, key);
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_bool().map(Some).ok_or(())
}

/// Reads string members (or absent) into their slots: the user's and the identity's, by one
/// function.
fn read_strings(o: &JsValue, slots: &mut [(&str, &mut Option<String>)]) -> Result<(), ()> {
    for (key, slot) in slots {
        **slot = opt_string(o, key)?;
    }
    Ok(())
}

fn object(v: &JsValue) -> Result<&JsValue, ()> {
    if v.is_object() {
        Ok(v)
    } else {
        Err(())
    }
}

/// Sets `key` when there is a value.
fn put_str(o: &JsValue, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        set(o, key, &JsValue::from_str(v));
    }
}

/// Sets each member that has a value, in order.
fn put_strs(o: &JsValue, members: &[(&str, &Option<String>)]) {
    for (key, value) in members {
        put_str(o, key, value.as_deref());
    }
}

fn put_u64(o: &JsValue, key: &str, value: Option<u64>) {
    if let Some(v) = value {
        set(o, key, &JsValue::from_f64(v as f64));
    }
}

fn put_raw(o: &JsValue, key: &str, value: &JsValue) {
    if !value.is_undefined() {
        set(o, key, value);
    }
}

impl Session {
    fn read(v: &JsValue) -> Result<Session, ()> {
        let o = object(v)?;
        Ok(Session {
            provider_token: opt_string(o, "provider_token")?.map(Secret::new),
            provider_refresh_token: opt_string(o, "provider_refresh_token")?.map(Secret::new),
            access_token: Secret::new(string(o, "access_token")?),
            token_type: opt_string(o, "token_type")?.unwrap_or_default(),
            expires_in: opt_u64(o, "expires_in")?,
            expires_at: opt_u64(o, "expires_at")?,
            refresh_token: Secret::new(string(o, "refresh_token")?),
            user: User::read(&get(o, "user"))?,
        })
    }
}

impl User {
    /// A user from a JS object shaped as Supabase Auth sends it; `Err` when it is not one.
    pub(crate) fn read(v: &JsValue) -> Result<User, ()> {
        let o = object(v)?;
        let identities = get(o, "identities");
        let identities = if identities.is_undefined() || identities.is_null() {
            None
        } else {
            let list: &js_sys::Array = identities.dyn_ref().ok_or(())?;
            let mut out = Vec::new();
            for item in list.iter() {
                out.push(Identity::read(&item)?);
            }
            Some(out)
        };
        let mut user = User {
            id: string(o, "id")?,
            aud: None,
            role: None,
            email: None,
            email_confirmed_at: None,
            phone: None,
            confirmed_at: None,
            last_sign_in_at: None,
            app_metadata: get(o, "app_metadata"),
            user_metadata: get(o, "user_metadata"),
            identities,
            created_at: None,
            updated_at: None,
            is_anonymous: opt_bool(o, "is_anonymous")?,
        };
        read_strings(o, &mut user.strings_mut())?;
        Ok(user)
    }

    /// The optional string members, in the order they are stored (`app_metadata`,
    /// `user_metadata` and `identities` after the seventh).
    fn strings(&self) -> [(&'static str, &Option<String>); 9] {
        [
            ("aud", &self.aud),
            ("role", &self.role),
            ("email", &self.email),
            ("email_confirmed_at", &self.email_confirmed_at),
            ("phone", &self.phone),
            ("confirmed_at", &self.confirmed_at),
            ("last_sign_in_at", &self.last_sign_in_at),
            ("created_at", &self.created_at),
            ("updated_at", &self.updated_at),
        ]
    }

    fn strings_mut(&mut self) -> [(&'static str, &mut Option<String>); 9] {
        [
            ("aud", &mut self.aud),
            ("role", &mut self.role),
            ("email", &mut self.email),
            ("email_confirmed_at", &mut self.email_confirmed_at),
            ("phone", &mut self.phone),
            ("confirmed_at", &mut self.confirmed_at),
            ("last_sign_in_at", &mut self.last_sign_in_at),
            ("created_at", &mut self.created_at),
            ("updated_at", &mut self.updated_at),
        ]
    }

    fn write(&self) -> JsValue {
        let o: JsValue = js_sys::Object::new().into();
        set(&o, "id", &JsValue::from_str(&self.id));
        let strings = self.strings();
        let (before, after) = strings.split_at(7);
        put_strs(&o, before);
        put_raw(&o, "app_metadata", &self.app_metadata);
        put_raw(&o, "user_metadata", &self.user_metadata);
        if let Some(list) = &self.identities {
            let a = js_sys::Array::new();
            for i in list {
                a.push(&i.write());
            }
            set(&o, "identities", &a);
        }
        put_strs(&o, after);
        if let Some(b) = self.is_anonymous {
            set(&o, "is_anonymous", &JsValue::from_bool(b));
        }
        o
    }
}

impl Identity {
    /// The string members, in the order they are stored (`identity_data` after the fourth).
    fn strings(&self) -> [(&'static str, &Option<String>); 8] {
        [
            ("id", &self.id),
            ("identity_id", &self.identity_id),
            ("user_id", &self.user_id),
            ("provider", &self.provider),
            ("email", &self.email),
            ("last_sign_in_at", &self.last_sign_in_at),
            ("created_at", &self.created_at),
            ("updated_at", &self.updated_at),
        ]
    }

    fn read(v: &JsValue) -> Result<Identity, ()> {
        let o = object(v)?;
        let mut identity = Identity {
            identity_data: get(o, "identity_data"),
            ..Identity::default()
        };
        read_strings(
            o,
            &mut [
                ("id", &mut identity.id),
                ("identity_id", &mut identity.identity_id),
                ("user_id", &mut identity.user_id),
                ("provider", &mut identity.provider),
                ("email", &mut identity.email),
                ("last_sign_in_at", &mut identity.last_sign_in_at),
                ("created_at", &mut identity.created_at),
                ("updated_at", &mut identity.updated_at),
            ],
        )?;
        Ok(identity)
    }

    fn write(&self) -> JsValue {
        let o: JsValue = js_sys::Object::new().into();
        let strings = self.strings();
        let (before, after) = strings.split_at(4);
        put_strs(&o, before);
        put_raw(&o, "identity_data", &self.identity_data);
        put_strs(&o, after);
        o
    }
}

/// The JSON text of a value the way it is stored.
pub(crate) fn stringify(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value).ok()?.as_string()
}

impl Session {
    /// The session as a plain JS object, as supabase-js stores it (for example for supabase-js's
    /// `auth.setSession`).
    pub fn to_js(&self) -> JsValue {
        let o: JsValue = js_sys::Object::new().into();
        put_str(
            &o,
            "provider_token",
            self.provider_token.as_ref().map(Secret::expose),
        );
        put_str(
            &o,
            "provider_refresh_token",
            self.provider_refresh_token.as_ref().map(Secret::expose),
        );
        set(
            &o,
            "access_token",
            &JsValue::from_str(self.access_token.expose()),
        );
        set(&o, "token_type", &JsValue::from_str(&self.token_type));
        put_u64(&o, "expires_in", self.expires_in);
        put_u64(&o, "expires_at", self.expires_at);
        set(
            &o,
            "refresh_token",
            &JsValue::from_str(self.refresh_token.expose()),
        );
        set(&o, "user", &self.user.write());
        o
    }

    /// A session from a JS object shaped as supabase-js stores it; `None` when it is not one
    /// (tokens missing or empty, no user, no usable expiry).
    pub fn from_js(value: &JsValue) -> Option<Session> {
        let session = Session::read(value).ok()?;
        session.stored_expiry().map(|_| session)
    }

    /// A session from a `/token` answer; `Err` when it is not shaped as one.
    pub(crate) fn from_answer(value: &JsValue) -> Result<Session, ()> {
        Session::read(value)
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
        self.write()
    }

    pub(crate) fn text(&self) -> String {
        stringify(&self.to_js()).unwrap_or_default()
    }

    /// A string of WorkOS's `custom_claims`, which Supabase Auth keeps in `user_metadata`.
    fn claim(&self, key: &str) -> Option<String> {
        let claims = get(&self.user_metadata, "custom_claims");
        if !claims.is_object() {
            return None;
        }
        get(&claims, key).as_string().filter(|s| !s.is_empty())
    }

    /// The WorkOS organization (`org_…`) the user signed in through, from
    /// `user_metadata.custom_claims.organization_id`; `None` for a sign-in without one (an OAuth
    /// provider, a connection of no organization).
    pub fn organization_id(&self) -> Option<String> {
        self.claim("organization_id")
    }

    /// The WorkOS connection (`conn_…`) the user signed in through, from
    /// `user_metadata.custom_claims.connection_id`.
    pub fn connection_id(&self) -> Option<String> {
        self.claim("connection_id")
    }
}

/// A stored text read back: the session, or corrupt (not JSON, not a session), or nothing. The
/// session is boxed: moving it out of a reading is then a pointer's move, not its fields'.
pub(crate) enum Stored {
    None,
    Corrupt,
    Session(Box<Session>, u64),
}

/// Reads a stored text with the browser's `JSON.parse`, judged by the protocol.
pub(crate) fn read_stored(raw: Option<&str>) -> Stored {
    let Some(raw) = raw else {
        return Stored::None;
    };
    let parsed = js_sys::JSON::parse(raw).ok();
    let session = parsed.and_then(|v| Session::read(&v).ok());
    match session.and_then(|s| s.stored_expiry().map(|e| (s, e))) {
        Some((s, e)) => Stored::Session(Box::new(s), e),
        None => Stored::Corrupt,
    }
}
