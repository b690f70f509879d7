//! Configuration from command-line flags and an optional TOML file
//! (`--config`); a flag wins over the file, the file over the defaults.

use std::path::{Path, PathBuf};

use clap::{Args, Parser};
use serde::Deserialize;

use crate::faults::FaultSpec;
use crate::glob::Glob;
use crate::users::{Connection, Directory, DirectoryFile, Organization, TestUser};

/// The JWT secret `supabase start` uses; the anon key minted from it is the
/// well-known local one.
pub const DEFAULT_JWT_SECRET: &str = "super-secret-jwt-token-with-at-least-32-characters-long";

/// Everything the server needs, resolved and validated.
#[derive(Clone, Debug)]
pub struct Config {
    pub port: u16,
    pub site_url: String,
    pub allow: Vec<Glob>,
    pub jwt_secret: String,
    pub jwt_exp: i64,
    pub anon_key: Option<String>,
    pub auto_sign_in: bool,
    pub disable_signup: bool,
    pub faults: Vec<FaultSpec>,
    pub refresh_token_reuse_interval: i64,
    pub flow_state_expiry: i64,
    pub serve: Option<PathBuf>,
    pub app_port: u16,
    pub app_headers: Vec<(String, String)>,
    pub workos_client_id: String,
    pub workos_client_secret: String,
    pub directory: Directory,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            port: 54321,
            site_url: "http://localhost:5173".to_string(),
            allow: Vec::new(),
            jwt_secret: DEFAULT_JWT_SECRET.to_string(),
            jwt_exp: 3600,
            anon_key: None,
            auto_sign_in: false,
            disable_signup: false,
            faults: Vec::new(),
            refresh_token_reuse_interval: 10,
            flow_state_expiry: 300,
            serve: None,
            app_port: 0,
            app_headers: Vec::new(),
            workos_client_id: "client_emulator".to_string(),
            workos_client_secret: "sk_test_emulator".to_string(),
            directory: Directory::defaults(),
        }
    }
}

/// Every setting, as a flag and as a name in the TOML file (`--site-url` is
/// `site_url`): clap derives the one, serde the other, from the same field.
/// Every field is optional so that a flag can win over the file.
#[derive(Debug, Default, Deserialize, Parser)]
#[serde(deny_unknown_fields)]
#[command(
    name = "supabase-workos-emulator",
    version,
    about = "Supabase Auth (GoTrue) and WorkOS SSO on loopback"
)]
pub struct Settings {
    /// TOML file with any of the settings below; a flag wins over the file
    #[arg(long, value_name = "PATH")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// Port on 127.0.0.1 (default 54321; 0 picks a free one)
    #[arg(long, value_name = "N")]
    pub port: Option<u16>,
    /// GoTrue's Site URL (default http://localhost:5173)
    #[arg(long, value_name = "URL")]
    pub site_url: Option<String>,
    /// Redirect allow-list entry (repeatable)
    #[arg(long, value_name = "GLOB")]
    pub allow: Option<Vec<String>>,
    /// HS256 secret (default: the Supabase CLI's)
    #[arg(long, value_name = "SECRET")]
    pub jwt_secret: Option<String>,
    /// Access-token lifetime (default 3600)
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub jwt_exp: Option<i64>,
    /// The anon key to accept and print (default: minted, the `supabase start` one)
    #[arg(long, value_name = "KEY")]
    pub anon_key: Option<String>,
    /// Test users: a TOML file or a directory of them (in the file: `users_file`)
    #[arg(long = "users", value_name = "PATH")]
    pub users_file: Option<PathBuf>,
    /// WorkOS signs the login_hint user (else the first) in at once
    #[arg(long)]
    #[serde(default)]
    pub auto_sign_in: bool,
    /// New users are refused (error_code signup_disabled)
    #[arg(long)]
    #[serde(default)]
    pub disable_signup: bool,
    /// GoTrue's refresh-token reuse interval (default 10)
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub refresh_token_reuse_interval: Option<i64>,
    /// Inject a fault (repeatable; in the file: `faults`)
    #[arg(long = "fault", value_name = "ENDPOINT=KIND[:COUNT[:SECONDS]]")]
    pub faults: Option<Vec<String>>,
    /// Also serve DIR as a static site
    #[arg(long, value_name = "DIR")]
    pub serve: Option<PathBuf>,
    /// Port of that site (default 0: a free one)
    #[arg(long, value_name = "N")]
    pub app_port: Option<u16>,
    /// Extra header on every static response (repeatable; in the file: `app_headers`)
    #[arg(long = "app-header", value_name = "'Name: value'")]
    pub app_headers: Option<Vec<String>>,
    #[command(flatten)]
    #[serde(default)]
    pub workos: WorkosSettings,
    #[arg(skip)]
    #[serde(default)]
    pub organizations: Vec<Organization>,
    #[arg(skip)]
    #[serde(default)]
    pub connections: Vec<Connection>,
    #[arg(skip)]
    #[serde(default)]
    pub users: Vec<TestUser>,
}

/// `--workos-client-id`, `--workos-client-secret`; `[workos] client_id`,
/// `client_secret` in the file.
#[derive(Debug, Default, Deserialize, Args)]
#[serde(deny_unknown_fields)]
pub struct WorkosSettings {
    /// WorkOS client id (default client_emulator)
    #[arg(long = "workos-client-id", value_name = "ID")]
    pub client_id: Option<String>,
    /// WorkOS client secret (default sk_test_emulator)
    #[arg(long = "workos-client-secret", value_name = "SECRET")]
    pub client_secret: Option<String>,
}

fn parse_header(h: &str) -> Result<(String, String), String> {
    let (name, value) = h
        .split_once(':')
        .ok_or_else(|| format!("--app-header {h:?} is not 'Name: value'"))?;
    let name = name.trim();
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-') {
        return Err(format!("--app-header {h:?} has an invalid name"));
    }
    Ok((name.to_string(), value.trim().to_string()))
}

fn load_directory(path: &Path) -> Result<Directory, String> {
    let mut merged = DirectoryFile::default();
    let files: Vec<PathBuf> = if path.is_dir() {
        let mut v: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        v.sort();
        v
    } else {
        vec![path.to_path_buf()]
    };
    for f in files {
        let text =
            std::fs::read_to_string(&f).map_err(|e| format!("cannot read {}: {e}", f.display()))?;
        let part: DirectoryFile =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        merged.organizations.extend(part.organizations);
        merged.connections.extend(part.connections);
        merged.users.extend(part.users);
    }
    Directory::resolve(merged).map_err(|e| format!("{}: {e}", path.display()))
}

impl Settings {
    /// Reads the `--config` file, if any, and resolves flags over file over
    /// defaults into a validated [`Config`].
    pub fn resolve(self) -> Result<Config, String> {
        let file = match &self.config {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
                let mut file: Settings =
                    toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
                // The file's paths are relative to the file.
                let dir = path.parent().unwrap_or(Path::new("."));
                file.users_file = file.users_file.map(|p| dir.join(p));
                file.serve = file.serve.map(|p| dir.join(p));
                file
            }
            None => Settings::default(),
        };
        self.over(file).into_config()
    }

    /// These settings where given, `file`'s elsewhere (a list given here
    /// replaces the file's).
    fn over(self, file: Settings) -> Settings {
        Settings {
            config: self.config,
            port: self.port.or(file.port),
            site_url: self.site_url.or(file.site_url),
            allow: self.allow.or(file.allow),
            jwt_secret: self.jwt_secret.or(file.jwt_secret),
            jwt_exp: self.jwt_exp.or(file.jwt_exp),
            anon_key: self.anon_key.or(file.anon_key),
            users_file: self.users_file.or(file.users_file),
            auto_sign_in: self.auto_sign_in || file.auto_sign_in,
            disable_signup: self.disable_signup || file.disable_signup,
            refresh_token_reuse_interval: self
                .refresh_token_reuse_interval
                .or(file.refresh_token_reuse_interval),
            faults: self.faults.or(file.faults),
            serve: self.serve.or(file.serve),
            app_port: self.app_port.or(file.app_port),
            app_headers: self.app_headers.or(file.app_headers),
            workos: WorkosSettings {
                client_id: self.workos.client_id.or(file.workos.client_id),
                client_secret: self.workos.client_secret.or(file.workos.client_secret),
            },
            organizations: file.organizations,
            connections: file.connections,
            users: file.users,
        }
    }

    fn into_config(self) -> Result<Config, String> {
        let d = Config::default();
        let mut directory = d.directory;
        if !self.users.is_empty() || !self.connections.is_empty() || !self.organizations.is_empty()
        {
            directory = Directory::resolve(DirectoryFile {
                organizations: self.organizations,
                connections: self.connections,
                users: self.users,
            })?;
        }
        if let Some(path) = &self.users_file {
            directory = load_directory(path)?;
        }
        let cfg = Config {
            port: self.port.unwrap_or(d.port),
            site_url: self.site_url.unwrap_or(d.site_url),
            allow: self
                .allow
                .unwrap_or_default()
                .iter()
                .map(|p| Glob::compile(p))
                .collect::<Result<_, _>>()?,
            jwt_secret: self.jwt_secret.unwrap_or(d.jwt_secret),
            jwt_exp: self.jwt_exp.unwrap_or(d.jwt_exp),
            anon_key: self.anon_key,
            auto_sign_in: self.auto_sign_in,
            disable_signup: self.disable_signup,
            faults: self
                .faults
                .unwrap_or_default()
                .iter()
                .map(|f| FaultSpec::parse_flag(f))
                .collect::<Result<_, _>>()?,
            refresh_token_reuse_interval: self
                .refresh_token_reuse_interval
                .unwrap_or(d.refresh_token_reuse_interval),
            flow_state_expiry: d.flow_state_expiry,
            serve: self.serve,
            app_port: self.app_port.unwrap_or(d.app_port),
            app_headers: self
                .app_headers
                .unwrap_or_default()
                .iter()
                .map(|h| parse_header(h))
                .collect::<Result<_, _>>()?,
            workos_client_id: self.workos.client_id.unwrap_or(d.workos_client_id),
            workos_client_secret: self.workos.client_secret.unwrap_or(d.workos_client_secret),
            directory,
        };
        if cfg.jwt_secret.is_empty() {
            return Err("--jwt-secret must not be empty".into());
        }
        if cfg.jwt_exp <= 0 {
            return Err("--jwt-exp must be positive".into());
        }
        if cfg.refresh_token_reuse_interval < 0 {
            return Err("--refresh-token-reuse-interval must not be negative".into());
        }
        if crate::gourl::GoUrl::parse(&cfg.site_url).is_err() || !cfg.site_url.contains("://") {
            return Err(format!(
                "--site-url {:?} is not an absolute URL",
                cfg.site_url
            ));
        }
        if cfg.serve.as_ref().is_some_and(|d| !d.is_dir()) {
            return Err("--serve must name a directory".into());
        }
        Ok(cfg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, String> {
        let args = std::iter::once("supabase-workos-emulator").chain(args.iter().copied());
        Settings::try_parse_from(args)
            .map_err(|e| e.to_string())?
            .resolve()
    }

    #[test]
    fn flags_override_file_and_defaults_apply() {
        let dir = std::env::temp_dir().join(format!("emu-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("c.toml");
        std::fs::write(
            &path,
            "port = 1234\nsite_url = \"http://127.0.0.1:3000\"\nallow = [\"http://a/*\"]\njwt_exp = 50\n",
        )
        .unwrap();
        let c = run(&[
            "--config",
            path.to_str().unwrap(),
            "--port=0",
            "--allow",
            "http://b/**",
        ])
        .unwrap();
        assert_eq!(c.port, 0);
        assert_eq!(c.site_url, "http://127.0.0.1:3000");
        assert_eq!(c.jwt_exp, 50);
        assert_eq!(c.allow.len(), 1);
        assert_eq!(c.allow.first().unwrap().source(), "http://b/**");
        let d = run(&[]).unwrap();
        assert_eq!((d.port, d.jwt_exp), (54321, 3600));
        assert!(run(&["--nope"]).is_err());
        assert!(run(&["--help"]).is_err());
        assert!(run(&["--port"]).is_err());
        assert!(run(&["--fault", "token=teapot"]).is_err());
        assert!(run(&["--app-header", "no colon"]).is_err());
    }

    #[test]
    fn every_file_name_of_the_readme_is_read() {
        let dir = std::env::temp_dir().join(format!("emu-cfg-names-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("site")).unwrap();
        std::fs::write(
            dir.join("users.toml"),
            "[[connections]]\nid = \"conn_x\"\nname = \"X\"\ntype = \"OktaSAML\"\n\n[[users]]\nemail = \"x@example.com\"\nconnection = \"conn_x\"\n",
        )
        .unwrap();
        let path = dir.join("c.toml");
        std::fs::write(
            &path,
            "port = 0\nsite_url = \"http://127.0.0.1:3000\"\nallow = [\"http://a/*\"]\n\
             jwt_secret = \"s3cret\"\njwt_exp = 50\nanon_key = \"k\"\nauto_sign_in = true\n\
             disable_signup = true\nrefresh_token_reuse_interval = 3\nfaults = [\"token=500:3\"]\n\
             users_file = \"users.toml\"\nserve = \"site\"\napp_port = 7\n\
             app_headers = [\"X-A: 1\"]\n[workos]\nclient_id = \"cid\"\nclient_secret = \"cs\"\n",
        )
        .unwrap();
        let c = run(&["--config", path.to_str().unwrap()]).unwrap();
        assert_eq!(c.site_url, "http://127.0.0.1:3000");
        assert_eq!((c.jwt_secret.as_str(), c.jwt_exp), ("s3cret", 50));
        assert_eq!(c.anon_key.as_deref(), Some("k"));
        assert!(c.auto_sign_in && c.disable_signup);
        assert_eq!((c.refresh_token_reuse_interval, c.app_port), (3, 7));
        assert_eq!(c.faults.len(), 1);
        assert_eq!(c.serve, Some(dir.join("site")));
        assert_eq!(c.app_headers, vec![("X-A".to_string(), "1".to_string())]);
        assert_eq!(
            (c.workos_client_id.as_str(), c.workos_client_secret.as_str()),
            ("cid", "cs")
        );
        assert!(c.directory.connection("conn_x").is_some());
        assert!(c.directory.connection("conn_emulator_okta").is_none());

        // The same names as flags win.
        let c = run(&[
            "--config",
            path.to_str().unwrap(),
            "--jwt-secret=other",
            "--fault",
            "user=503",
            "--fault",
            "all=down",
            "--workos-client-id",
            "id2",
            "--app-header",
            "X-B: 2",
            "--users",
            dir.join("users.toml").to_str().unwrap(),
        ])
        .unwrap();
        assert_eq!(c.jwt_secret, "other");
        assert_eq!(c.faults.len(), 2);
        assert_eq!(
            (c.workos_client_id.as_str(), c.workos_client_secret.as_str()),
            ("id2", "cs")
        );
        assert_eq!(c.app_headers, vec![("X-B".to_string(), "2".to_string())]);

        std::fs::write(&path, "config = \"x.toml\"\n").unwrap();
        assert!(run(&["--config", path.to_str().unwrap()]).is_err());
    }
}
