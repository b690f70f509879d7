//! Everything the emulator remembers: Supabase users, flow states, sessions
//! and refresh tokens, WorkOS authorizations and codes, and counters. Time is
//! always passed in (from the shared clock), never read here.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::clock::rfc3339;
use crate::http::ApiError;
use crate::ids;

/// The profile WorkOS hands back for a code (`POST /sso/token`).
#[derive(Clone, Debug, Serialize)]
pub struct Profile {
    pub object: &'static str,
    pub id: String,
    pub idp_id: String,
    pub organization_id: Option<String>,
    pub connection_id: String,
    pub connection_type: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub raw_attributes: Map<String, Value>,
}

#[derive(Clone, Debug)]
pub struct Identity {
    pub identity_id: Uuid,
    pub provider_id: String,
    pub identity_data: Map<String, Value>,
    pub created_at: i64,
    pub updated_at: i64,
    pub last_sign_in_at: i64,
    pub email: String,
}

#[derive(Clone, Debug)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub email_confirmed_at: i64,
    pub last_sign_in_at: Option<i64>,
    pub user_metadata: Map<String, Value>,
    pub identities: Vec<Identity>,
}

#[derive(Serialize)]
struct IdentityJson<'a> {
    identity_id: String,
    id: &'a str,
    user_id: String,
    identity_data: &'a Map<String, Value>,
    provider: &'static str,
    last_sign_in_at: String,
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "str::is_empty")]
    email: &'a str,
}

/// `models.User` as GoTrue marshals it (field order included).
#[derive(Serialize)]
pub struct UserJson<'a> {
    id: String,
    aud: &'static str,
    role: &'static str,
    email: &'a str,
    email_confirmed_at: String,
    phone: &'static str,
    confirmed_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_sign_in_at: Option<String>,
    app_metadata: Value,
    user_metadata: &'a Map<String, Value>,
    identities: Vec<IdentityJson<'a>>,
    created_at: String,
    updated_at: String,
    is_anonymous: bool,
}

/// `app_metadata` of a user who only ever signed in with WorkOS.
pub fn app_metadata() -> Value {
    json!({"provider": "workos", "providers": ["workos"]})
}

impl User {
    pub fn to_json(&self) -> UserJson<'_> {
        UserJson {
            id: self.id.to_string(),
            aud: "authenticated",
            role: "authenticated",
            email: &self.email,
            email_confirmed_at: rfc3339(self.email_confirmed_at),
            phone: "",
            confirmed_at: rfc3339(self.email_confirmed_at),
            last_sign_in_at: self.last_sign_in_at.map(rfc3339),
            app_metadata: app_metadata(),
            user_metadata: &self.user_metadata,
            identities: self
                .identities
                .iter()
                .map(|i| IdentityJson {
                    identity_id: i.identity_id.to_string(),
                    id: &i.provider_id,
                    user_id: self.id.to_string(),
                    identity_data: &i.identity_data,
                    provider: "workos",
                    last_sign_in_at: rfc3339(i.last_sign_in_at),
                    created_at: rfc3339(i.created_at),
                    updated_at: rfc3339(i.updated_at),
                    email: &i.email,
                })
                .collect(),
            created_at: rfc3339(self.created_at),
            updated_at: rfc3339(self.updated_at),
            is_anonymous: false,
        }
    }
}

/// GoTrue's `flow_state` row for one `/authorize`.
#[derive(Clone, Debug)]
pub struct FlowState {
    pub id: Uuid,
    pub auth_code: Option<String>,
    pub code_challenge: String,
    pub code_challenge_method: String,
    pub referrer: String,
    pub created_at: i64,
    pub user_id: Option<Uuid>,
    pub provider_access_token: String,
    pub provider_refresh_token: String,
}

impl FlowState {
    pub fn is_pkce(&self) -> bool {
        !self.code_challenge.is_empty()
    }

    pub fn is_expired(&self, now_ms: i64, expiry_s: i64) -> bool {
        now_ms
            > self
                .created_at
                .saturating_add(expiry_s.saturating_mul(1000))
    }
}

#[derive(Clone, Debug)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    pub created_at: i64,
    pub refreshed_at: Option<i64>,
    /// When the `oauth` sign-in happened (the `amr` timestamp), in seconds.
    pub amr_timestamp: i64,
}

#[derive(Clone, Debug)]
pub struct RefreshToken {
    pub seq: u64,
    pub token: String,
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub parent: Option<String>,
    pub revoked: bool,
    pub updated_at: i64,
}

/// A sign-in started at the WorkOS stand-in, waiting for a user to be picked.
#[derive(Clone, Debug)]
pub struct PendingAuthorization {
    pub redirect_uri: String,
    pub state: Option<String>,
    pub connection_id: String,
    pub login_hint: String,
    pub created_at: i64,
}

/// A WorkOS authorization code, single use.
#[derive(Clone, Debug)]
pub struct WorkosCode {
    pub profile_id: String,
    pub client_id: String,
    pub created_at: i64,
}

/// Counters for `GET /__emulator/stats`.
#[derive(Clone, Debug, Default)]
pub struct Stats {
    pub requests: BTreeMap<String, u64>,
    pub grants: BTreeMap<String, u64>,
    pub refresh_requests: u64,
    pub refresh_token_reuse: u64,
    pub refresh_token_reuse_rejected: u64,
    pub sign_ins: u64,
}

impl Stats {
    pub fn count(&mut self, endpoint: &str) {
        *self.requests.entry(endpoint.to_string()).or_default() += 1;
    }

    pub fn grant(&mut self, grant_type: &str) {
        *self.grants.entry(grant_type.to_string()).or_default() += 1;
    }
}

/// Logout scopes of `POST /logout`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Global,
    Local,
    Others,
}

/// The outcome of one refresh-token grant.
#[derive(Debug)]
pub struct Refreshed {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub refresh_token: String,
    pub amr_timestamp: i64,
}

#[derive(Debug, Default)]
pub struct Store {
    pub users: HashMap<Uuid, User>,
    pub flow_states: HashMap<Uuid, FlowState>,
    pub sessions: HashMap<Uuid, Session>,
    pub refresh_tokens: HashMap<String, RefreshToken>,
    rt_seq: u64,
    pub pending: HashMap<String, PendingAuthorization>,
    pub codes: HashMap<String, WorkosCode>,
    pub stats: Stats,
}

/// How the signing-in user is treated (from the emulator's settings and the
/// test user's entry).
pub struct SignInPolicy {
    pub disable_signup: bool,
    pub banned: bool,
    /// `iss` of the identity data: the WorkOS API base.
    pub workos_issuer: String,
}

fn identity_data(p: &Profile, issuer: &str) -> Map<String, Value> {
    let name = format!("{} {}", p.first_name, p.last_name)
        .trim()
        .to_string();
    let mut m = Map::new();
    m.insert(
        "custom_claims".into(),
        json!({
            "connection_id": p.connection_id,
            "organization_id": p.organization_id.clone().unwrap_or_default(),
        }),
    );
    if !p.email.is_empty() {
        m.insert("email".into(), json!(p.email));
    }
    m.insert("email_verified".into(), json!(true));
    if !name.is_empty() {
        m.insert("full_name".into(), json!(name));
    }
    m.insert("iss".into(), json!(issuer));
    if !name.is_empty() {
        m.insert("name".into(), json!(name));
    }
    m.insert("phone_verified".into(), json!(false));
    m.insert("provider_id".into(), json!(p.id));
    m.insert("sub".into(), json!(p.id));
    m
}

impl Store {
    /// Clears sessions, flows, codes and counters; users stay.
    pub fn reset(&mut self) {
        self.flow_states.clear();
        self.sessions.clear();
        self.refresh_tokens.clear();
        self.pending.clear();
        self.codes.clear();
        self.stats = Stats::default();
    }

    /// `createAccountFromExternalIdentity`: find the user by identity, else
    /// link by verified email, else sign up; then refresh their metadata.
    pub fn upsert_user(
        &mut self,
        profile: &Profile,
        policy: &SignInPolicy,
        now: i64,
    ) -> Result<Uuid, ApiError> {
        if profile.email.is_empty() {
            return Err(ApiError::internal(
                "Error getting user email from external provider",
            ));
        }
        let email = profile.email.to_lowercase();
        let data = identity_data(profile, &policy.workos_issuer);
        let by_identity = self
            .users
            .values()
            .find(|u| u.identities.iter().any(|i| i.provider_id == profile.id))
            .map(|u| u.id);
        let by_email = self.users.values().find(|u| u.email == email).map(|u| u.id);
        let existing = by_identity.or(by_email);
        if existing.is_none() && policy.disable_signup {
            return Err(ApiError::new(
                422,
                "signup_disabled",
                "Signups not allowed for this instance",
            ));
        }
        if policy.banned {
            return Err(ApiError::new(403, "user_banned", "User is banned"));
        }
        let user_id = existing.unwrap_or_else(|| ids::stable_uuid(&format!("user:{email}")));
        let user = self.users.entry(user_id).or_insert_with(|| User {
            id: user_id,
            email: email.clone(),
            created_at: now,
            updated_at: now,
            email_confirmed_at: now,
            last_sign_in_at: None,
            user_metadata: Map::new(),
            identities: Vec::new(),
        });
        for (k, v) in &data {
            user.user_metadata.insert(k.clone(), v.clone());
        }
        user.updated_at = now;
        match user
            .identities
            .iter_mut()
            .find(|i| i.provider_id == profile.id)
        {
            Some(i) => {
                i.identity_data = data;
                i.updated_at = now;
                i.last_sign_in_at = now;
                i.email = email;
            }
            None => user.identities.push(Identity {
                identity_id: ids::stable_uuid(&format!("identity:{}", profile.id)),
                provider_id: profile.id.clone(),
                identity_data: data,
                created_at: now,
                updated_at: now,
                last_sign_in_at: now,
                email,
            }),
        }
        Ok(user_id)
    }

    fn new_refresh_token(
        &mut self,
        user_id: Uuid,
        session_id: Uuid,
        parent: Option<String>,
        now: i64,
    ) -> String {
        self.rt_seq += 1;
        let token = ids::random_lower_alnum(12);
        self.refresh_tokens.insert(
            token.clone(),
            RefreshToken {
                seq: self.rt_seq,
                token: token.clone(),
                user_id,
                session_id,
                parent,
                revoked: false,
                updated_at: now,
            },
        );
        token
    }

    /// `IssueRefreshToken`: a new session and its first refresh token.
    pub fn issue_session(&mut self, user_id: Uuid, now: i64) -> (Uuid, String, i64) {
        let session_id = ids::uuid_v4();
        let amr_timestamp = now.div_euclid(1000);
        self.sessions.insert(
            session_id,
            Session {
                id: session_id,
                user_id,
                created_at: now,
                refreshed_at: None,
                amr_timestamp,
            },
        );
        if let Some(u) = self.users.get_mut(&user_id) {
            u.last_sign_in_at = Some(now);
            u.updated_at = now;
        }
        self.stats.sign_ins += 1;
        let token = self.new_refresh_token(user_id, session_id, None, now);
        (session_id, token, amr_timestamp)
    }

    fn delete_session(&mut self, session_id: Uuid) {
        self.sessions.remove(&session_id);
        self.refresh_tokens
            .retain(|_, t| t.session_id != session_id);
    }

    /// The refresh-token grant of `tokens/service.go` (legacy tokens):
    /// rotation; a revoked token that is the parent of the session's active
    /// one gets that active token back; any other revoked token is accepted
    /// only within the reuse interval (counted, as GoTrue does, from the
    /// token's `updated_at`, which revocation leaves at its creation time),
    /// else the session is ended and `refresh_token_already_used` returned.
    pub fn refresh(
        &mut self,
        token: &str,
        now: i64,
        reuse_interval_s: i64,
    ) -> Result<Refreshed, ApiError> {
        self.stats.refresh_requests += 1;
        let Some(rt) = self.refresh_tokens.get(token).cloned() else {
            return Err(ApiError::bad_request(
                "refresh_token_not_found",
                "Invalid Refresh Token: Refresh Token Not Found",
            ));
        };
        let Some(session) = self.sessions.get(&rt.session_id).cloned() else {
            return Err(ApiError::bad_request(
                "session_not_found",
                "Invalid Refresh Token: No Valid Session Found",
            ));
        };
        let issued = if rt.revoked {
            let active = self
                .refresh_tokens
                .values()
                .filter(|t| t.session_id == rt.session_id && !t.revoked)
                .max_by_key(|t| t.seq)
                .cloned();
            match active {
                Some(a) if a.parent.as_deref() == Some(token) => {
                    self.stats.refresh_token_reuse += 1;
                    a.token
                }
                _ => {
                    let reuse_until = rt
                        .updated_at
                        .saturating_add(reuse_interval_s.saturating_mul(1000));
                    if now > reuse_until {
                        self.stats.refresh_token_reuse_rejected += 1;
                        self.delete_session(rt.session_id);
                        return Err(ApiError::bad_request(
                            "refresh_token_already_used",
                            "Invalid Refresh Token: Already Used",
                        ));
                    }
                    self.stats.refresh_token_reuse += 1;
                    self.new_refresh_token(rt.user_id, rt.session_id, Some(rt.token.clone()), now)
                }
            }
        } else {
            // `UpdateOnly(token, "revoked")` leaves `updated_at` (the start of
            // the reuse window) at the token's creation time.
            if let Some(t) = self.refresh_tokens.get_mut(token) {
                t.revoked = true;
            }
            self.new_refresh_token(rt.user_id, rt.session_id, Some(rt.token.clone()), now)
        };
        if let Some(s) = self.sessions.get_mut(&session.id) {
            s.refreshed_at = Some(now);
        }
        Ok(Refreshed {
            user_id: rt.user_id,
            session_id: session.id,
            refresh_token: issued,
            amr_timestamp: session.amr_timestamp,
        })
    }

    /// `POST /logout`.
    pub fn logout(&mut self, user_id: Uuid, session_id: Option<Uuid>, scope: Scope) {
        let Some(current) = session_id.filter(|s| self.sessions.contains_key(s)) else {
            self.refresh_tokens.retain(|_, t| t.user_id != user_id);
            return;
        };
        let victims: Vec<Uuid> = self
            .sessions
            .values()
            .filter(|s| s.user_id == user_id)
            .filter(|s| match scope {
                Scope::Global => true,
                Scope::Local => s.id == current,
                Scope::Others => s.id != current,
            })
            .map(|s| s.id)
            .collect();
        for id in victims {
            self.delete_session(id);
        }
    }

    /// Ends every session of a user (the admin sign-out), returning how many.
    pub fn revoke_user(&mut self, user_id: Uuid) -> usize {
        let victims: Vec<Uuid> = self
            .sessions
            .values()
            .filter(|s| s.user_id == user_id)
            .map(|s| s.id)
            .collect();
        for id in &victims {
            self.delete_session(*id);
        }
        victims.len()
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        let email = email.to_lowercase();
        self.users.values().find(|u| u.email == email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile {
            object: "profile",
            id: "prof_1".into(),
            idp_id: "idp".into(),
            organization_id: Some("org_1".into()),
            connection_id: "conn_1".into(),
            connection_type: "OktaSAML".into(),
            email: "Ada@Example.com".into(),
            first_name: "Ada".into(),
            last_name: "Lovelace".into(),
            raw_attributes: Map::new(),
        }
    }

    fn policy() -> SignInPolicy {
        SignInPolicy {
            disable_signup: false,
            banned: false,
            workos_issuer: "http://127.0.0.1:1".into(),
        }
    }

    #[test]
    fn user_id_is_stable_per_profile_and_metadata_is_gotrues() {
        let mut s = Store::default();
        let a = s.upsert_user(&profile(), &policy(), 1_000).unwrap();
        let b = s.upsert_user(&profile(), &policy(), 2_000).unwrap();
        assert_eq!(a, b);
        let u = s.users.get(&a).unwrap();
        assert_eq!(u.email, "ada@example.com");
        assert_eq!(u.identities.len(), 1);
        assert_eq!(
            crate::json::to_go_json(&u.user_metadata),
            r#"{"custom_claims":{"connection_id":"conn_1","organization_id":"org_1"},"email":"Ada@Example.com","email_verified":true,"full_name":"Ada Lovelace","iss":"http://127.0.0.1:1","name":"Ada Lovelace","phone_verified":false,"provider_id":"prof_1","sub":"prof_1"}"#
        );
    }

    #[test]
    fn signup_disabled_and_banned() {
        let mut s = Store::default();
        let mut p = policy();
        p.disable_signup = true;
        assert_eq!(
            s.upsert_user(&profile(), &p, 0).unwrap_err().code,
            "signup_disabled"
        );
        p.disable_signup = false;
        p.banned = true;
        assert_eq!(s.upsert_user(&profile(), &p, 0).unwrap_err().status, 403);
        assert!(s.users.is_empty());
    }

    #[test]
    fn rotation_and_reuse() {
        let mut s = Store::default();
        let uid = s.upsert_user(&profile(), &policy(), 0).unwrap();
        let (_, rt1, _) = s.issue_session(uid, 0);
        let rt2 = s.refresh(&rt1, 1_000, 10).unwrap().refresh_token;
        assert_ne!(rt1, rt2);
        // rt1 is the parent of the active rt2: rt2 comes back, even late.
        assert_eq!(s.refresh(&rt1, 2_000, 10).unwrap().refresh_token, rt2);
        assert_eq!(s.refresh(&rt1, 60_000, 10).unwrap().refresh_token, rt2);
        let rt3 = s.refresh(&rt2, 61_000, 10).unwrap().refresh_token;
        // rt1 is now a grandparent: within 10 s of its creation it would be
        // accepted; it is 62 s old, so it is refused and the session ends.
        let err = s.refresh(&rt1, 62_000, 10).unwrap_err();
        assert_eq!(err.code, "refresh_token_already_used");
        assert!(s.sessions.is_empty());
        assert_eq!(
            s.refresh(&rt3, 62_000, 10).unwrap_err().code,
            "refresh_token_not_found"
        );
        assert_eq!(s.stats.refresh_token_reuse, 2);
        assert_eq!(s.stats.refresh_token_reuse_rejected, 1);
    }

    #[test]
    fn grandparent_within_interval_is_accepted() {
        let mut s = Store::default();
        let uid = s.upsert_user(&profile(), &policy(), 0).unwrap();
        let (_, rt1, _) = s.issue_session(uid, 0);
        let rt2 = s.refresh(&rt1, 0, 10).unwrap().refresh_token;
        let _rt3 = s.refresh(&rt2, 1_000, 10).unwrap().refresh_token;
        let again = s.refresh(&rt1, 5_000, 10).unwrap().refresh_token;
        assert!(s.refresh_tokens.get(&again).is_some_and(|t| !t.revoked));
    }

    #[test]
    fn logout_scopes() {
        let mut s = Store::default();
        let uid = s.upsert_user(&profile(), &policy(), 0).unwrap();
        let (a, _, _) = s.issue_session(uid, 0);
        let (b, _, _) = s.issue_session(uid, 0);
        let (c, _, _) = s.issue_session(uid, 0);
        s.logout(uid, Some(a), Scope::Others);
        assert!(
            s.sessions.contains_key(&a)
                && !s.sessions.contains_key(&b)
                && !s.sessions.contains_key(&c)
        );
        s.logout(uid, Some(a), Scope::Local);
        assert!(s.sessions.is_empty() && s.refresh_tokens.is_empty());
    }
}
