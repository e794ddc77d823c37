//! One place for configuration: defaults, then a TOML file, then `TEND_*`
//! environment variables, each overriding the one before.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error("{name}={value:?} is not valid: {reason}")]
    Env {
        name: &'static str,
        value: String,
        reason: String,
    },
}

/// Shortest admin token accepted.
pub const MIN_TOKEN_CHARS: usize = 16;

#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server binds. Default 127.0.0.1:3000. An address
    /// other machines can reach needs `admin_token`.
    pub bind: SocketAddr,
    /// The secret that signs people in (browsers, once, on `/login`) and
    /// authorizes API calls (`Authorization: Bearer <token>`). Unset: no
    /// sign-in, allowed only on a loopback address.
    pub admin_token: Option<String>,
    /// Where Tend keeps its database, quarantine and secrets. Default `./data`.
    pub data_dir: PathBuf,
    /// Directories commands may touch, besides `<data_dir>/files` which is always allowed.
    pub extra_allowed_roots: Vec<PathBuf>,
    /// Paths no workflow ever touches, even inside an allowed root. Tend's
    /// own data directory (but its `files` root) is always protected.
    pub protected_paths: Vec<PathBuf>,
    /// Days a cleanup's quarantine is kept before it is purged (0 keeps it forever).
    pub quarantine_retention_days: u64,
    /// Whether backup repositories Tend creates check every blob after
    /// compressing and encrypting it, before it is written (decrypt,
    /// decompress, compare), as restic does since 0.16.4. Default on; off is
    /// restic's `--no-extra-verify`: faster, and memory or CPU faults then
    /// go unnoticed until `restic check --read-data`.
    pub backup_extra_verify: bool,
    /// Where the built site (`pkg/tend.js`, `pkg/tend_bg.wasm`, `pkg/tend.css`) lives.
    /// Default: found next to the binary (see [`Config::site_dir`]).
    pub site_dir: Option<PathBuf>,
    /// Database URL. Default: a SQLite file `<data_dir>/tend.db`.
    pub database_url: Option<String>,
    /// This server's name in the tasks it runs, so that servers sharing a
    /// PostgreSQL database requeue only a stopped server's tasks. Default:
    /// `<hostname>:<bind port>:<data_dir>`, the same across restarts.
    pub node_name: Option<String>,
    /// Seconds a node may stay silent before the others take its running
    /// tasks as interrupted and requeue them (nodes sharing PostgreSQL).
    pub node_lease_secs: u64,
    /// How many tasks run at once.
    pub workers: usize,
    /// Longest command text accepted, in bytes.
    pub max_command_bytes: usize,
    /// How long a plan can be confirmed after it was shown.
    pub plan_ttl_secs: u64,
    /// How many times a task interrupted by a crash is retried before it fails.
    pub max_attempts: i64,
    /// Most destination files one sync may delete; more and it deletes none.
    pub sync_max_delete: u64,
    /// The intent model: a Hugging Face-style directory (config.json,
    /// tokenizer.json, model.safetensors). Default `models/all-MiniLM-L6-v2`,
    /// where `scripts/setup.sh` puts it; when missing, intents come from
    /// keyword cues.
    pub model_dir: PathBuf,
    /// A GLM-4 checkpoint directory; when set, intents come from this
    /// zero-shot GLM backend instead of the encoder.
    pub glm_dir: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            admin_token: None,
            data_dir: PathBuf::from("data"),
            extra_allowed_roots: Vec::new(),
            protected_paths: Vec::new(),
            quarantine_retention_days: 30,
            backup_extra_verify: true,
            site_dir: None,
            database_url: None,
            node_name: None,
            node_lease_secs: 30,
            workers: 2,
            max_command_bytes: 4096,
            plan_ttl_secs: 3600,
            max_attempts: 3,
            sync_max_delete: 1000,
            model_dir: PathBuf::from("models/all-MiniLM-L6-v2"),
            glm_dir: None,
        }
    }
}

/// The file form: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    bind: Option<SocketAddr>,
    admin_token: Option<String>,
    data_dir: Option<PathBuf>,
    allowed_roots: Option<Vec<PathBuf>>,
    protected_paths: Option<Vec<PathBuf>>,
    quarantine_retention_days: Option<u64>,
    backup_extra_verify: Option<bool>,
    site_dir: Option<PathBuf>,
    database_url: Option<String>,
    node_name: Option<String>,
    node_lease_secs: Option<u64>,
    workers: Option<usize>,
    max_command_bytes: Option<usize>,
    plan_ttl_secs: Option<u64>,
    max_attempts: Option<i64>,
    sync_max_delete: Option<u64>,
    model_dir: Option<PathBuf>,
    glm_dir: Option<PathBuf>,
}

impl Config {
    /// Loads the config: `file` if given, else `$TEND_CONFIG`, else `./tend.toml`
    /// if it exists; then the environment.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut config = Config::default();
        let file = file
            .map(Path::to_path_buf)
            .or_else(|| env("TEND_CONFIG").map(PathBuf::from))
            .or_else(|| Some(PathBuf::from("tend.toml")).filter(|p| p.exists()));
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            config.apply_file(&path, &text)?;
        }
        config.apply_env(env)?;
        // Not validated here: `tend parse` and `tend eval` run fine with a
        // serving config; `startup::start` refuses an unsafe one.
        Ok(config)
    }

    /// Refuses settings that would open Tend to anyone: whoever reaches the
    /// server can move, copy and quarantine files under the allowed roots.
    /// Checked when the server starts.
    pub fn validate(&self) -> Result<(), ConfigError> {
        match &self.admin_token {
            Some(token) if token.trim().chars().count() < MIN_TOKEN_CHARS => {
                Err(ConfigError::Invalid(format!(
                    "admin_token must be at least {MIN_TOKEN_CHARS} characters (for example the output of `openssl rand -hex 16`)."
                )))
            }
            None if !self.bind.ip().is_loopback() => Err(ConfigError::Invalid(format!(
                "bind = {} can be reached from other machines, and whoever reaches Tend can act on your files: set admin_token (TEND_ADMIN_TOKEN, {MIN_TOKEN_CHARS}+ characters) so that people must sign in, or bind 127.0.0.1.",
                self.bind
            ))),
            _ => Ok(()),
        }
    }

    fn apply_file(&mut self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        // Relative paths in a config file mean relative to that file.
        let resolve = |p: PathBuf| if p.is_relative() { base.join(p) } else { p };
        if let Some(v) = file.bind {
            self.bind = v;
        }
        if let Some(v) = file.admin_token {
            self.admin_token = Some(v);
        }
        if let Some(v) = file.data_dir {
            self.data_dir = resolve(v);
        }
        if let Some(v) = file.allowed_roots {
            self.extra_allowed_roots.extend(v.into_iter().map(resolve));
        }
        if let Some(v) = file.protected_paths {
            self.protected_paths.extend(v.into_iter().map(resolve));
        }
        if let Some(v) = file.quarantine_retention_days {
            self.quarantine_retention_days = v;
        }
        if let Some(v) = file.backup_extra_verify {
            self.backup_extra_verify = v;
        }
        if let Some(v) = file.site_dir {
            self.site_dir = Some(resolve(v));
        }
        if let Some(v) = file.database_url {
            self.database_url = Some(v);
        }
        if let Some(v) = file.node_name {
            self.node_name = Some(v);
        }
        if let Some(v) = file.node_lease_secs {
            self.node_lease_secs = v.max(1);
        }
        if let Some(v) = file.workers {
            self.workers = v;
        }
        if let Some(v) = file.max_command_bytes {
            self.max_command_bytes = v;
        }
        if let Some(v) = file.plan_ttl_secs {
            self.plan_ttl_secs = v;
        }
        if let Some(v) = file.max_attempts {
            self.max_attempts = v.max(1);
        }
        if let Some(v) = file.sync_max_delete {
            self.sync_max_delete = v;
        }
        if let Some(v) = file.model_dir {
            self.model_dir = resolve(v);
        }
        if let Some(v) = file.glm_dir {
            self.glm_dir = Some(resolve(v));
        }
        Ok(())
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn parse<T: std::str::FromStr>(name: &'static str, value: String) -> Result<T, ConfigError>
        where
            T::Err: std::fmt::Display,
        {
            value.parse::<T>().map_err(|e| ConfigError::Env {
                name,
                reason: e.to_string(),
                value,
            })
        }
        if let Some(v) = env("TEND_BIND") {
            self.bind = parse("TEND_BIND", v)?;
        }
        if let Some(v) = env("TEND_ADMIN_TOKEN") {
            self.admin_token = Some(v);
        }
        if let Some(v) = env("TEND_DATA_DIR") {
            self.data_dir = PathBuf::from(v);
        }
        if let Some(v) = env("TEND_ALLOWED_ROOTS") {
            self.extra_allowed_roots
                .extend(v.split(':').filter(|s| !s.is_empty()).map(PathBuf::from));
        }
        if let Some(v) = env("TEND_PROTECTED_PATHS") {
            self.protected_paths
                .extend(v.split(':').filter(|s| !s.is_empty()).map(PathBuf::from));
        }
        if let Some(v) = env("TEND_QUARANTINE_RETENTION_DAYS") {
            self.quarantine_retention_days = parse("TEND_QUARANTINE_RETENTION_DAYS", v)?;
        }
        if let Some(v) = env("TEND_BACKUP_EXTRA_VERIFY") {
            self.backup_extra_verify = parse("TEND_BACKUP_EXTRA_VERIFY", v)?;
        }
        if let Some(v) = env("TEND_SITE_DIR") {
            self.site_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = env("TEND_DATABASE_URL") {
            self.database_url = Some(v);
        }
        if let Some(v) = env("TEND_NODE_NAME") {
            self.node_name = Some(v);
        }
        if let Some(v) = env("TEND_NODE_LEASE_SECS") {
            self.node_lease_secs = parse::<u64>("TEND_NODE_LEASE_SECS", v)?.max(1);
        }
        if let Some(v) = env("TEND_WORKERS") {
            self.workers = parse("TEND_WORKERS", v)?;
        }
        if let Some(v) = env("TEND_MAX_COMMAND_BYTES") {
            self.max_command_bytes = parse("TEND_MAX_COMMAND_BYTES", v)?;
        }
        if let Some(v) = env("TEND_SYNC_MAX_DELETE") {
            self.sync_max_delete = parse("TEND_SYNC_MAX_DELETE", v)?;
        }
        if let Some(v) = env("TEND_PLAN_TTL_SECS") {
            self.plan_ttl_secs = parse("TEND_PLAN_TTL_SECS", v)?;
        }
        if let Some(v) = env("TEND_MODEL_DIR") {
            self.model_dir = PathBuf::from(v);
        }
        if let Some(v) = env("TEND_GLM_DIR") {
            self.glm_dir = Some(PathBuf::from(v));
        }
        Ok(())
    }

    /// The root that is always allowed: `<data_dir>/files`.
    /// Attempts, backoff and time limits for this node's workers.
    pub fn run_policy(&self) -> crate::queue::RunPolicy {
        crate::queue::RunPolicy {
            max_attempts: self.max_attempts.max(1),
            ..crate::queue::RunPolicy::default()
        }
    }

    pub fn default_root(&self) -> PathBuf {
        self.data_dir.join("files")
    }

    /// Secrets Tend generates (the backup repositories' password), as an
    /// absolute path once the data directory exists: messages show it.
    pub fn secrets_dir(&self) -> PathBuf {
        self.data_dir
            .canonicalize()
            .unwrap_or_else(|_| self.data_dir.clone())
            .join("secrets")
    }

    pub fn quarantine_dir(&self) -> PathBuf {
        self.data_dir.join("quarantine")
    }

    /// Example phrases' embeddings, kept between runs (safe to delete).
    pub fn embedding_cache(&self) -> PathBuf {
        self.data_dir.join("cache/embeddings.bin")
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("tend.db").display()),
        }
    }

    pub fn node_name(&self) -> String {
        if let Some(name) = &self.node_name {
            return name.clone();
        }
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "localhost".into());
        let data = self
            .data_dir
            .canonicalize()
            .unwrap_or_else(|_| self.data_dir.clone());
        format!("{host}:{}:{}", self.bind.port(), data.display())
    }

    /// The built site: configured, or beside the binary as the build lays it
    /// out (`target/<profile>/tend` next to `target/site`), or an installed
    /// layout (`<prefix>/bin/tend` with `<prefix>/share/tend/site`), or
    /// `./target/site` when run from the source tree.
    pub fn site_dir(&self) -> PathBuf {
        if let Some(dir) = &self.site_dir {
            return dir.clone();
        }
        let mut candidates = Vec::new();
        if let Some(exe_dir) = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(Path::to_path_buf))
        {
            candidates.push(exe_dir.join("site"));
            candidates.push(exe_dir.join("../site"));
            candidates.push(exe_dir.join("../share/tend/site"));
        }
        candidates.push(PathBuf::from("target/site"));
        candidates
            .iter()
            .find(|dir| dir.join("pkg").is_dir())
            .cloned()
            .unwrap_or_else(|| PathBuf::from("target/site"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_make_a_first_run_work() {
        let c = Config::default();
        assert_eq!(c.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(c.default_root(), PathBuf::from("data/files"));
        assert_eq!(c.database_url(), "sqlite://data/tend.db");
        assert_eq!(c.model_dir, PathBuf::from("models/all-MiniLM-L6-v2"));
    }

    #[test]
    fn file_then_env_override() {
        let mut c = Config::default();
        c.apply_file(
            Path::new("/etc/tend/tend.toml"),
            "bind = \"0.0.0.0:8080\"\ndata_dir = \"state\"\nallowed_roots = [\"/srv\"]\nworkers = 4\nmodel_dir = \"models/minilm\"\nbackup_extra_verify = false\n",
        )
        .unwrap();
        assert!(!c.backup_extra_verify);
        assert_eq!(c.data_dir, PathBuf::from("/etc/tend/state"));
        assert_eq!(c.model_dir, PathBuf::from("/etc/tend/models/minilm"));
        assert_eq!(c.workers, 4);
        c.apply_env(|name| match name {
            "TEND_BIND" => Some("127.0.0.1:9000".into()),
            "TEND_ALLOWED_ROOTS" => Some("/mnt/nas::/home".into()),
            "TEND_MODEL_DIR" => Some("/opt/models/minilm".into()),
            "TEND_BACKUP_EXTRA_VERIFY" => Some("true".into()),
            _ => None,
        })
        .unwrap();
        assert!(c.backup_extra_verify);
        assert_eq!(c.model_dir, PathBuf::from("/opt/models/minilm"));
        assert_eq!(c.bind.to_string(), "127.0.0.1:9000");
        assert_eq!(
            c.extra_allowed_roots,
            vec![
                PathBuf::from("/srv"),
                PathBuf::from("/mnt/nas"),
                PathBuf::from("/home")
            ]
        );
    }

    #[test]
    fn bad_values_are_named() {
        let mut c = Config::default();
        let err = c
            .apply_env(|name| (name == "TEND_WORKERS").then(|| "many".to_string()))
            .unwrap_err();
        assert!(err.to_string().contains("TEND_WORKERS"));
        let err = c.apply_file(Path::new("t.toml"), "colour = 1").unwrap_err();
        assert!(err.to_string().contains("not valid TOML"));
    }

    #[test]
    fn a_reachable_address_needs_a_token_and_a_token_must_be_long() {
        let mut c = Config::default();
        assert!(c.validate().is_ok(), "loopback without a token is fine");
        c.bind = "0.0.0.0:3000".parse().unwrap();
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("admin_token"), "{err}");
        c.admin_token = Some("short".into());
        let err = c.validate().unwrap_err().to_string();
        assert!(err.contains("at least 16"), "{err}");
        c.admin_token = Some("a-long-enough-secret".into());
        assert!(c.validate().is_ok());
        c.apply_env(|name| (name == "TEND_ADMIN_TOKEN").then(|| "another-long-secret".into()))
            .unwrap();
        assert_eq!(c.admin_token.as_deref(), Some("another-long-secret"));
    }
}
