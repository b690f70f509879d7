//! Configuration from command-line flags and an optional TOML file
//! (`--config`); a flag wins over the file, the file over the defaults.

use std::path::{Path, PathBuf};

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

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkosFile {
    client_id: Option<String>,
    client_secret: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    port: Option<u16>,
    site_url: Option<String>,
    allow: Option<Vec<String>>,
    jwt_secret: Option<String>,
    jwt_exp: Option<i64>,
    anon_key: Option<String>,
    auto_sign_in: Option<bool>,
    disable_signup: Option<bool>,
    faults: Option<Vec<String>>,
    refresh_token_reuse_interval: Option<i64>,
    users_file: Option<String>,
    serve: Option<String>,
    app_port: Option<u16>,
    app_headers: Option<Vec<String>>,
    workos: Option<WorkosFile>,
    #[serde(default)]
    organizations: Vec<Organization>,
    #[serde(default)]
    connections: Vec<Connection>,
    #[serde(default)]
    users: Vec<TestUser>,
}

/// What `parse_args` decided.
pub enum Command {
    Run(Box<Config>),
    Help,
    Version,
}

pub const USAGE: &str = "\
supabase-workos-emulator: Supabase Auth (GoTrue) and WorkOS SSO on loopback

USAGE: supabase-workos-emulator [FLAGS]

  --config PATH                  TOML file with any of the settings below
  --port N                       port on 127.0.0.1 (default 54321; 0 picks a free one)
  --site-url URL                 GoTrue Site URL (default http://localhost:5173)
  --allow GLOB                   redirect allow-list entry (repeatable)
  --jwt-secret SECRET            HS256 secret (default: the Supabase CLI's)
  --jwt-exp SECONDS              access-token lifetime (default 3600)
  --anon-key KEY                 anon key to accept and print (default: minted)
  --users PATH                   test users: a TOML file or a directory of them
  --auto-sign-in                 WorkOS signs the first (or login_hint) user in at once
  --disable-signup               new users are refused (error_code signup_disabled)
  --refresh-token-reuse-interval SECONDS   (default 10)
  --fault ENDPOINT=KIND[:COUNT[:SECONDS]]  inject a fault (repeatable)
  --serve DIR                    also serve DIR as a static site
  --app-port N                   port of that site (default 0: a free one)
  --app-header 'Name: value'     extra header on every static response (repeatable)
  --workos-client-id ID          (default client_emulator)
  --workos-client-secret SECRET  (default sk_test_emulator)
  --help, --version
";

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

fn parse_num<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag} expects a number, got {v:?}"))
}

/// Parses the command line (without the program name).
pub fn parse_args(args: &[String]) -> Result<Command, String> {
    // Split `--flag=value` and collect (flag, value) pairs first.
    let mut pairs: Vec<(String, Option<String>)> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        match flag.as_str() {
            "--help" | "-h" => return Ok(Command::Help),
            "--version" | "-V" => return Ok(Command::Version),
            "--auto-sign-in" | "--disable-signup" => pairs.push((flag, None)),
            "--config"
            | "--port"
            | "--site-url"
            | "--allow"
            | "--jwt-secret"
            | "--jwt-exp"
            | "--anon-key"
            | "--users"
            | "--fault"
            | "--refresh-token-reuse-interval"
            | "--serve"
            | "--app-port"
            | "--app-header"
            | "--workos-client-id"
            | "--workos-client-secret" => {
                let value = match inline {
                    Some(v) => v,
                    None => it
                        .next()
                        .cloned()
                        .ok_or_else(|| format!("{flag} needs a value"))?,
                };
                pairs.push((flag, Some(value)));
            }
            other => return Err(format!("unknown argument {other:?} (see --help)")),
        }
    }

    let mut cfg = Config::default();
    let mut file_dir = PathBuf::from(".");
    let mut file = FileConfig::default();
    if let Some((_, Some(path))) = pairs.iter().find(|(f, _)| f == "--config") {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        file = toml::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
        file_dir = Path::new(path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
    }

    // The file first…
    let mut allow: Vec<String> = file.allow.unwrap_or_default();
    let mut faults: Vec<String> = file.faults.unwrap_or_default();
    let mut headers: Vec<String> = file.app_headers.unwrap_or_default();
    let mut users_path: Option<PathBuf> = file.users_file.map(|p| file_dir.join(p));
    if let Some(v) = file.port {
        cfg.port = v;
    }
    if let Some(v) = file.site_url {
        cfg.site_url = v;
    }
    if let Some(v) = file.jwt_secret {
        cfg.jwt_secret = v;
    }
    if let Some(v) = file.jwt_exp {
        cfg.jwt_exp = v;
    }
    cfg.anon_key = file.anon_key;
    if let Some(v) = file.auto_sign_in {
        cfg.auto_sign_in = v;
    }
    if let Some(v) = file.disable_signup {
        cfg.disable_signup = v;
    }
    if let Some(v) = file.refresh_token_reuse_interval {
        cfg.refresh_token_reuse_interval = v;
    }
    cfg.serve = file.serve.map(|p| file_dir.join(p));
    if let Some(v) = file.app_port {
        cfg.app_port = v;
    }
    if let Some(w) = file.workos {
        if let Some(v) = w.client_id {
            cfg.workos_client_id = v;
        }
        if let Some(v) = w.client_secret {
            cfg.workos_client_secret = v;
        }
    }
    let inline_dir =
        !file.users.is_empty() || !file.connections.is_empty() || !file.organizations.is_empty();
    if inline_dir {
        cfg.directory = Directory::resolve(DirectoryFile {
            organizations: file.organizations,
            connections: file.connections,
            users: file.users,
        })?;
    }

    // …then the flags, which win (a repeated list flag replaces the file's list).
    let (mut flag_allow, mut flag_faults, mut flag_headers) = (Vec::new(), Vec::new(), Vec::new());
    for (flag, value) in pairs {
        let v = value.unwrap_or_default();
        match flag.as_str() {
            "--port" => cfg.port = parse_num(&flag, &v)?,
            "--site-url" => cfg.site_url = v,
            "--allow" => flag_allow.push(v),
            "--jwt-secret" => cfg.jwt_secret = v,
            "--jwt-exp" => cfg.jwt_exp = parse_num(&flag, &v)?,
            "--anon-key" => cfg.anon_key = Some(v),
            "--users" => users_path = Some(PathBuf::from(v)),
            "--auto-sign-in" => cfg.auto_sign_in = true,
            "--disable-signup" => cfg.disable_signup = true,
            "--fault" => flag_faults.push(v),
            "--refresh-token-reuse-interval" => {
                cfg.refresh_token_reuse_interval = parse_num(&flag, &v)?
            }
            "--serve" => cfg.serve = Some(PathBuf::from(v)),
            "--app-port" => cfg.app_port = parse_num(&flag, &v)?,
            "--app-header" => flag_headers.push(v),
            "--workos-client-id" => cfg.workos_client_id = v,
            "--workos-client-secret" => cfg.workos_client_secret = v,
            _ => {}
        }
    }
    if !flag_allow.is_empty() {
        allow = flag_allow;
    }
    if !flag_faults.is_empty() {
        faults = flag_faults;
    }
    if !flag_headers.is_empty() {
        headers = flag_headers;
    }
    if let Some(path) = users_path {
        cfg.directory = load_directory(&path)?;
    }

    cfg.allow = allow
        .iter()
        .map(|p| Glob::compile(p))
        .collect::<Result<_, _>>()?;
    cfg.faults = faults
        .iter()
        .map(|f| FaultSpec::parse_flag(f))
        .collect::<Result<_, _>>()?;
    cfg.app_headers = headers
        .iter()
        .map(|h| parse_header(h))
        .collect::<Result<_, _>>()?;
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
    Ok(Command::Run(Box::new(cfg)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, String> {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match parse_args(&args)? {
            Command::Run(c) => Ok(*c),
            _ => Err("not run".into()),
        }
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
        assert!(run(&["--port"]).is_err());
        assert!(run(&["--fault", "token=teapot"]).is_err());
        assert!(run(&["--app-header", "no colon"]).is_err());
    }
}
