//! The WorkOS side's directory: organizations, connections and the test users
//! who can sign in through them, from TOML or the built-in defaults.

use serde::Deserialize;
use serde_json::{Map, Value};

/// The OAuth providers WorkOS accepts in `provider=`.
pub const OAUTH_PROVIDERS: [&str; 5] = [
    "GoogleOAuth",
    "MicrosoftOAuth",
    "GitHubOAuth",
    "AppleOAuth",
    "SalesforceOAuth",
];

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub domains: Vec<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Connection {
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// WorkOS `connection_type`, e.g. `OktaSAML` or `GoogleOAuth`.
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub organization: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestUser {
    /// WorkOS profile id (`prof_…`); derived from the email when absent.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub idp_id: Option<String>,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// The connection the user signs in through…
    #[serde(default)]
    pub connection: Option<String>,
    /// …or an OAuth provider (`GoogleOAuth`, …) instead.
    #[serde(default)]
    pub provider: Option<String>,
    #[serde(default)]
    pub raw_attributes: Map<String, Value>,
    /// Supabase refuses the user (`user_banned`) after WorkOS lets them in.
    #[serde(default)]
    pub banned: bool,
}

/// What a users file (or the `[[…]]` tables of the config file) holds.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct DirectoryFile {
    #[serde(default)]
    pub organizations: Vec<Organization>,
    #[serde(default)]
    pub connections: Vec<Connection>,
    #[serde(default)]
    pub users: Vec<TestUser>,
}

/// A user as the directory hands them out: every field resolved.
#[derive(Clone, Debug)]
pub struct DirUser {
    pub profile_id: String,
    pub idp_id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub connection_id: String,
    pub raw_attributes: Map<String, Value>,
    pub banned: bool,
}

impl DirUser {
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
            .trim()
            .to_string()
    }
}

/// The resolved, validated directory.
#[derive(Clone, Debug, Default)]
pub struct Directory {
    pub organizations: Vec<Organization>,
    pub connections: Vec<Connection>,
    pub users: Vec<DirUser>,
}

fn slug(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

impl Directory {
    /// Checks references and fills in derived ids.
    pub fn resolve(file: DirectoryFile) -> Result<Directory, String> {
        let mut dir = Directory {
            organizations: file.organizations,
            connections: file.connections,
            users: Vec::new(),
        };
        for (i, o) in dir.organizations.iter().enumerate() {
            if dir.organizations.iter().skip(i + 1).any(|x| x.id == o.id) {
                return Err(format!("organization {:?} is defined twice", o.id));
            }
        }
        for (i, c) in dir.connections.iter().enumerate() {
            if dir.connections.iter().skip(i + 1).any(|x| x.id == c.id) {
                return Err(format!("connection {:?} is defined twice", c.id));
            }
            if let Some(org) = &c.organization {
                if !dir.organizations.iter().any(|o| &o.id == org) {
                    return Err(format!(
                        "connection {:?} names unknown organization {org:?}",
                        c.id
                    ));
                }
            }
        }
        for u in file.users {
            let connection_id = match (&u.connection, &u.provider) {
                (Some(c), None) => {
                    if !dir.connections.iter().any(|x| &x.id == c) {
                        return Err(format!("user {:?} names unknown connection {c:?}", u.email));
                    }
                    c.clone()
                }
                (None, Some(p)) => {
                    if !OAUTH_PROVIDERS.contains(&p.as_str()) {
                        return Err(format!(
                            "user {:?}: provider {p:?} is not one of {}",
                            u.email,
                            OAUTH_PROVIDERS.join(", ")
                        ));
                    }
                    match dir
                        .connections
                        .iter()
                        .find(|c| &c.kind == p && c.organization.is_none())
                    {
                        Some(c) => c.id.clone(),
                        None => {
                            let id = format!("conn_emulator_{}", slug(p));
                            dir.connections.push(Connection {
                                id: id.clone(),
                                name: p.clone(),
                                kind: p.clone(),
                                organization: None,
                            });
                            id
                        }
                    }
                }
                _ => {
                    return Err(format!(
                        "user {:?} needs exactly one of `connection` or `provider`",
                        u.email
                    ))
                }
            };
            let profile_id =
                u.id.clone()
                    .unwrap_or_else(|| format!("prof_emulator_{}", slug(&u.email)));
            if dir.users.iter().any(|x| x.profile_id == profile_id) {
                return Err(format!("user id {profile_id:?} is used twice"));
            }
            dir.users.push(DirUser {
                idp_id: u
                    .idp_id
                    .clone()
                    .unwrap_or_else(|| format!("idp_{}", slug(&u.email))),
                profile_id,
                email: u.email,
                first_name: u.first_name,
                last_name: u.last_name,
                connection_id,
                raw_attributes: u.raw_attributes,
                banned: u.banned,
            });
        }
        Ok(dir)
    }

    pub fn connection(&self, id: &str) -> Option<&Connection> {
        self.connections.iter().find(|c| c.id == id)
    }

    pub fn organization(&self, id: &str) -> Option<&Organization> {
        self.organizations.iter().find(|o| o.id == id)
    }

    pub fn users_of(&self, connection_id: &str) -> Vec<&DirUser> {
        self.users
            .iter()
            .filter(|u| u.connection_id == connection_id)
            .collect()
    }

    pub fn user(&self, profile_id: &str) -> Option<&DirUser> {
        self.users.iter().find(|u| u.profile_id == profile_id)
    }

    /// The built-in directory used when none is configured.
    pub fn defaults() -> Directory {
        let file: DirectoryFile = toml::from_str(DEFAULT_USERS).unwrap_or_default();
        Directory::resolve(file).unwrap_or_default()
    }
}

/// The default directory, also shipped as `users.example.toml`.
pub const DEFAULT_USERS: &str = include_str!("../users.example.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_resolve_with_every_provider() {
        let d = Directory::defaults();
        assert_eq!(
            d.users_of("conn_emulator_okta").first().unwrap().email,
            "ada@example.com"
        );
        for p in OAUTH_PROVIDERS {
            assert!(
                d.connections
                    .iter()
                    .any(|c| c.kind == p && c.organization.is_none()),
                "{p}"
            );
        }
        assert!(d.organization("org_emulator_acme").is_some());
    }

    #[test]
    fn bad_references_are_reported() {
        let f: DirectoryFile =
            toml::from_str("[[users]]\nemail = \"a@x\"\nconnection = \"conn_nope\"\n").unwrap();
        assert!(Directory::resolve(f).unwrap_err().contains("conn_nope"));
        let f: DirectoryFile =
            toml::from_str("[[users]]\nemail = \"a@x\"\nprovider = \"FooOAuth\"\n").unwrap();
        assert!(Directory::resolve(f).is_err());
    }
}
