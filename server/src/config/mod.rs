//! One place for configuration: defaults, then a TOML file, then `TEND_*`
//! environment variables, each overriding the one before.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::nlu::classifier::Method;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {path} is not valid TOML: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("the config file {path} has an unknown key {key:?}; the keys are {known}")]
    UnknownKey {
        path: PathBuf,
        key: String,
        known: String,
    },
    #[error("in the config file {path}, {key} is not valid: {reason}")]
    File {
        path: PathBuf,
        key: &'static str,
        reason: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("{name}={value:?} is not valid: {reason}")]
    Env {
        name: String,
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
    /// Host names Tend is reached by besides loopback names and IP
    /// addresses (a reverse proxy's `tend.example.org`): a request whose
    /// `Host` names anything else is refused, which stops DNS rebinding
    /// (`http/host_guard.rs`). Kept lower case without a trailing dot.
    pub public_names: Vec<String>,
    /// Where Tend keeps its database, quarantine and secrets. Default `./data`.
    pub data_dir: PathBuf,
    /// Directories commands may touch, besides `<data_dir>/files` which is always allowed.
    pub extra_allowed_roots: Vec<PathBuf>,
    /// Paths no workflow ever touches, even inside an allowed root. Tend's
    /// own data directory (but its `files` root) is always protected.
    pub protected_paths: Vec<PathBuf>,
    /// Days a cleanup's quarantine is kept before it is purged (0 keeps it forever).
    pub quarantine_retention_days: u64,
    /// Days audit log entries are kept (0, the default: forever).
    pub audit_retention_days: u64,
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
    /// Attempts a task gets: a transient failure (a network mount timing
    /// out, a destination that vanished) or a crash is retried until then.
    pub max_attempts: i64,
    /// The delay before the first retry; each later one doubles, up to
    /// `retry_max_secs`, spread by ±20%.
    pub retry_base_secs: f64,
    pub retry_max_secs: u64,
    /// A task with no progress this long is stopped as a transient failure
    /// (0: never).
    pub stall_timeout_secs: u64,
    /// Each workflow's time limit when the command gives none (0: none).
    pub backup_timeout_secs: u64,
    pub restore_timeout_secs: u64,
    pub sync_timeout_secs: u64,
    pub cleanup_timeout_secs: u64,
    /// On SIGTERM, how long running tasks get to reach a safe point and be
    /// released before the server exits anyway.
    pub shutdown_grace_secs: u64,
    /// Backpressure: with this many tasks queued or retrying, new ones are
    /// refused (503 `queue_full`) and scheduled runs skipped.
    pub max_queued: i64,
    /// One aging step of the priority order: a normal task that has waited
    /// this long goes before an urgent one made now, a low one after twice
    /// this (docs/architecture.md, "Order").
    pub priority_aging_secs: u64,
    /// Below this much free space in the data directory (MiB), readiness
    /// fails and an alert goes out.
    pub min_free_mb: u64,
    /// A generic JSON webhook every alert is POSTed to.
    pub notify_webhook: Option<String>,
    /// A schedule with no successful run for its period plus this long
    /// raises an alert.
    pub schedule_grace_secs: u64,
    /// How often missed schedules and free space are looked at.
    pub alert_check_secs: u64,
    /// Most destination files one sync may delete; more and it deletes none.
    pub sync_max_delete: u64,
    /// The intent model: a Hugging Face-style directory (config.json,
    /// tokenizer.json, model.safetensors). Default
    /// `models/multilingual-e5-small`, where `scripts/setup.sh` puts it
    /// (`models/all-MiniLM-L6-v2`, English only, is the other one it
    /// fetches); when missing, intents come from keyword cues.
    pub model_dir: PathBuf,
    /// A GLM-4 checkpoint directory; when set, intents come from this
    /// zero-shot GLM backend instead of the encoder.
    pub glm_dir: Option<PathBuf>,
    /// How the encoder's embeddings become an intent: `trained` (a
    /// classifier trained on the examples, the default) or `nearest` (the
    /// mean similarity of each intent's nearest examples).
    pub intent_classifier: Method,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            admin_token: None,
            public_names: Vec::new(),
            data_dir: PathBuf::from("data"),
            extra_allowed_roots: Vec::new(),
            protected_paths: Vec::new(),
            quarantine_retention_days: 30,
            audit_retention_days: 0,
            backup_extra_verify: true,
            site_dir: None,
            database_url: None,
            node_name: None,
            node_lease_secs: 30,
            workers: 2,
            max_command_bytes: 4096,
            plan_ttl_secs: 3600,
            max_attempts: 5,
            retry_base_secs: 30.0,
            retry_max_secs: 3600,
            stall_timeout_secs: 600,
            backup_timeout_secs: 24 * 3600,
            restore_timeout_secs: 24 * 3600,
            sync_timeout_secs: 24 * 3600,
            cleanup_timeout_secs: 6 * 3600,
            shutdown_grace_secs: 20,
            max_queued: crate::store::DEFAULT_MAX_QUEUED,
            priority_aging_secs: (crate::store::order::DEFAULT_AGING_MS / 1000) as u64,
            min_free_mb: 1024,
            notify_webhook: None,
            schedule_grace_secs: 3600,
            alert_check_secs: 60,
            sync_max_delete: 1000,
            model_dir: PathBuf::from("models/multilingual-e5-small"),
            glm_dir: None,
            intent_classifier: Method::default(),
        }
    }
}

/// A value for one key, as the file or the environment gives it.
enum Raw<'a> {
    /// From the TOML file, whose directory relative paths are taken from.
    File { value: toml::Value, base: &'a Path },
    /// From a `TEND_*` variable: relative paths stay relative to the
    /// working directory.
    Env(String),
}

/// A type a key's value can be read as, from either source.
trait Setting: Sized {
    fn from_file(value: toml::Value, base: &Path) -> Result<Self, String>;
    fn from_env(text: &str) -> Result<Self, String>;
}

/// Scalars: the file's typed value, the environment's text parsed.
macro_rules! scalar_setting {
    ($($t:ty),*) => {$(
        impl Setting for $t {
            fn from_file(value: toml::Value, _base: &Path) -> Result<Self, String> {
                value.try_into().map_err(|e: toml::de::Error| e.message().to_string())
            }
            fn from_env(text: &str) -> Result<Self, String> {
                text.parse().map_err(|e| format!("{e}"))
            }
        }
    )*};
}
scalar_setting!(SocketAddr, String, bool, u64, usize, i64, f64);

impl Setting for PathBuf {
    fn from_file(value: toml::Value, base: &Path) -> Result<Self, String> {
        let path: PathBuf = value
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())?;
        // Relative paths in a config file mean relative to that file.
        Ok(if path.is_relative() {
            base.join(path)
        } else {
            path
        })
    }
    fn from_env(text: &str) -> Result<Self, String> {
        Ok(PathBuf::from(text))
    }
}

/// A list of paths: an array in the file, colon-separated in the environment.
impl Setting for Vec<PathBuf> {
    fn from_file(value: toml::Value, base: &Path) -> Result<Self, String> {
        let toml::Value::Array(items) = value else {
            return Err("expected an array of paths".into());
        };
        items
            .into_iter()
            .map(|item| PathBuf::from_file(item, base))
            .collect()
    }
    fn from_env(text: &str) -> Result<Self, String> {
        Ok(text
            .split(':')
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect())
    }
}

/// A list of names: an array in the file, comma-separated in the environment.
impl Setting for Vec<String> {
    fn from_file(value: toml::Value, _base: &Path) -> Result<Self, String> {
        value
            .try_into()
            .map_err(|e: toml::de::Error| e.message().to_string())
    }
    fn from_env(text: &str) -> Result<Self, String> {
        Ok(text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect())
    }
}

/// `public_names` as a `Host` header carries them: lower case, without the
/// final dot of a fully qualified name. A URL or a port is refused rather
/// than kept, as it would never match.
fn host_names(entries: Vec<String>) -> Result<Vec<String>, String> {
    let is_label = |label: &str| {
        !label.is_empty()
            && label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    entries
        .into_iter()
        .map(|entry| {
            let name = entry.trim().trim_end_matches('.').to_ascii_lowercase();
            if name.split('.').all(is_label) {
                Ok(name)
            } else {
                Err(format!(
                    "{entry:?} is not a host name: write the name alone, as in [\"tend.example.org\"], without a scheme, port or path"
                ))
            }
        })
        .collect()
}

impl Raw<'_> {
    fn read<T: Setting>(self) -> Result<T, String> {
        match self {
            Raw::File { value, base } => T::from_file(value, base),
            Raw::Env(text) => T::from_env(&text),
        }
    }
}

/// One configuration key: its name in the file, and how a value is applied.
/// Its environment variable is [`Key::env_name`].
struct Key {
    name: &'static str,
    apply: fn(&mut Config, Raw<'_>) -> Result<(), String>,
}

impl Key {
    /// `TEND_` and the file key upper-cased: `max_attempts` is `TEND_MAX_ATTEMPTS`.
    fn env_name(&self) -> String {
        format!("TEND_{}", self.name.to_ascii_uppercase())
    }
}

/// `key!(name, |config, value: Type| assignment)`: reads the value as `Type`
/// from whichever source gave it, then assigns it.
macro_rules! key {
    ($name:literal, |$config:ident, $value:ident: $t:ty| $assign:expr) => {
        Key {
            name: $name,
            apply: |$config, raw| {
                let $value: $t = raw.read()?;
                $assign;
                Ok(())
            },
        }
    };
}

/// Every key, once: both the file and the environment read this list, so a
/// key added here is settable from both.
#[rustfmt::skip] // A table reads best one key per line.
const KEYS: &[Key] = &[
    key!("bind", |c, v: SocketAddr| c.bind = v),
    key!("admin_token", |c, v: String| c.admin_token = Some(v)),
    key!("public_names", |c, v: Vec<String>| c.public_names.extend(host_names(v)?)),
    key!("data_dir", |c, v: PathBuf| c.data_dir = v),
    key!("allowed_roots", |c, v: Vec<PathBuf>| c.extra_allowed_roots.extend(v)),
    key!("protected_paths", |c, v: Vec<PathBuf>| c.protected_paths.extend(v)),
    key!("quarantine_retention_days", |c, v: u64| c.quarantine_retention_days = v),
    key!("audit_retention_days", |c, v: u64| c.audit_retention_days = v),
    key!("backup_extra_verify", |c, v: bool| c.backup_extra_verify = v),
    key!("site_dir", |c, v: PathBuf| c.site_dir = Some(v)),
    key!("database_url", |c, v: String| c.database_url = Some(v)),
    key!("node_name", |c, v: String| c.node_name = Some(v)),
    key!("node_lease_secs", |c, v: u64| c.node_lease_secs = v.max(1)),
    key!("workers", |c, v: usize| c.workers = v),
    key!("max_command_bytes", |c, v: usize| c.max_command_bytes = v),
    key!("plan_ttl_secs", |c, v: u64| c.plan_ttl_secs = v),
    key!("max_attempts", |c, v: i64| c.max_attempts = v.max(1)),
    key!("retry_base_secs", |c, v: f64| c.retry_base_secs = if v.is_finite() { v.max(0.0) } else { 30.0 }),
    key!("retry_max_secs", |c, v: u64| c.retry_max_secs = v),
    key!("stall_timeout_secs", |c, v: u64| c.stall_timeout_secs = v),
    key!("backup_timeout_secs", |c, v: u64| c.backup_timeout_secs = v),
    key!("restore_timeout_secs", |c, v: u64| c.restore_timeout_secs = v),
    key!("sync_timeout_secs", |c, v: u64| c.sync_timeout_secs = v),
    key!("cleanup_timeout_secs", |c, v: u64| c.cleanup_timeout_secs = v),
    key!("shutdown_grace_secs", |c, v: u64| c.shutdown_grace_secs = v),
    key!("max_queued", |c, v: i64| c.max_queued = v.max(1)),
    key!("priority_aging_secs", |c, v: u64| c.priority_aging_secs = v),
    key!("min_free_mb", |c, v: u64| c.min_free_mb = v),
    key!("notify_webhook", |c, v: String| c.notify_webhook = Some(v)),
    key!("schedule_grace_secs", |c, v: u64| c.schedule_grace_secs = v),
    key!("alert_check_secs", |c, v: u64| c.alert_check_secs = v.max(1)),
    key!("sync_max_delete", |c, v: u64| c.sync_max_delete = v),
    key!("model_dir", |c, v: PathBuf| c.model_dir = v),
    key!("glm_dir", |c, v: PathBuf| c.glm_dir = Some(v)),
    key!("intent_classifier", |c, v: String| c.intent_classifier = classifier_method(&v)?),
];

/// `intent_classifier`'s value, or what to write instead.
fn classifier_method(name: &str) -> Result<Method, String> {
    Method::parse(name.trim())
        .ok_or_else(|| format!("{name:?} is not a classifier: write \"trained\" or \"nearest\""))
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
    /// An address other machines reach needs sign-in: an admin token, or
    /// users in the database (`has_users`). Checked when the server starts.
    pub fn validate(&self, has_users: bool) -> Result<(), ConfigError> {
        match &self.admin_token {
            Some(token) if token.trim().chars().count() < MIN_TOKEN_CHARS => {
                Err(ConfigError::Invalid(format!(
                    "admin_token must be at least {MIN_TOKEN_CHARS} characters (for example the output of `openssl rand -hex 16`)."
                )))
            }
            None if !self.bind.ip().is_loopback() && !has_users => Err(ConfigError::Invalid(format!(
                "bind = {} can be reached from other machines, and whoever reaches Tend can act on your files: add a user (`tend user add NAME`) or set admin_token (TEND_ADMIN_TOKEN, {MIN_TOKEN_CHARS}+ characters) so that people must sign in, or bind 127.0.0.1.",
                self.bind
            ))),
            _ => Ok(()),
        }
    }

    fn apply_file(&mut self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        for (name, value) in table {
            let Some(key) = KEYS.iter().find(|k| k.name == name) else {
                let known: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
                return Err(ConfigError::UnknownKey {
                    path: path.to_path_buf(),
                    key: name,
                    known: known.join(", "),
                });
            };
            (key.apply)(self, Raw::File { value, base }).map_err(|reason| ConfigError::File {
                path: path.to_path_buf(),
                key: key.name,
                reason,
            })?;
        }
        Ok(())
    }

    fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        for key in KEYS {
            let name = key.env_name();
            if let Some(value) = env(&name) {
                (key.apply)(self, Raw::Env(value.clone())).map_err(|reason| ConfigError::Env {
                    name,
                    value,
                    reason,
                })?;
            }
        }
        Ok(())
    }

    /// The root that is always allowed: `<data_dir>/files`.
    /// Attempts, backoff and time limits for this node's workers.
    pub fn run_policy(&self) -> crate::queue::RunPolicy {
        let secs = Duration::from_secs;
        let limit = |secs: u64| (secs > 0).then(|| Duration::from_secs(secs));
        let timeouts = [
            ("backup", limit(self.backup_timeout_secs)),
            ("restore", limit(self.restore_timeout_secs)),
            ("sync", limit(self.sync_timeout_secs)),
            ("cleanup", limit(self.cleanup_timeout_secs)),
            // Putting a cleanup back is a cleanup's work in reverse.
            ("undo_cleanup", limit(self.cleanup_timeout_secs)),
        ];
        crate::queue::RunPolicy {
            max_attempts: self.max_attempts.max(1),
            retry_base: Duration::from_secs_f64(self.retry_base_secs.clamp(0.0, 86_400.0)),
            retry_max: secs(self.retry_max_secs),
            stall_timeout: limit(self.stall_timeout_secs),
            timeouts: timeouts
                .into_iter()
                .filter_map(|(name, limit)| Some((name, limit?)))
                .collect(),
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
        assert_eq!(c.model_dir, PathBuf::from("models/multilingual-e5-small"));
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
        assert!(err.to_string().contains("unknown key \"colour\""), "{err}");
        let err = c
            .apply_file(Path::new("t.toml"), "workers = \"many\"")
            .unwrap_err();
        assert!(err.to_string().contains("workers is not valid"), "{err}");
        let err = c.apply_file(Path::new("t.toml"), "workers = ").unwrap_err();
        assert!(err.to_string().contains("not valid TOML"), "{err}");
    }

    /// A value for every key, other than its default, as the file and as
    /// the environment write it.
    const SAMPLES: &[(&str, &str, &str)] = &[
        ("bind", "\"0.0.0.0:8080\"", "0.0.0.0:8080"),
        (
            "admin_token",
            "\"a-long-enough-secret\"",
            "a-long-enough-secret",
        ),
        ("public_names", "[\"tend.example.org\"]", "tend.example.org"),
        ("data_dir", "\"/var/lib/tend\"", "/var/lib/tend"),
        ("allowed_roots", "[\"/srv\", \"/mnt/nas\"]", "/srv:/mnt/nas"),
        ("protected_paths", "[\"/srv/private\"]", "/srv/private"),
        ("quarantine_retention_days", "7", "7"),
        ("audit_retention_days", "365", "365"),
        ("backup_extra_verify", "false", "false"),
        ("site_dir", "\"/opt/tend/site\"", "/opt/tend/site"),
        (
            "database_url",
            "\"postgres://tend@db/tend\"",
            "postgres://tend@db/tend",
        ),
        ("node_name", "\"node-a\"", "node-a"),
        ("node_lease_secs", "45", "45"),
        ("workers", "4", "4"),
        ("max_command_bytes", "8192", "8192"),
        ("plan_ttl_secs", "600", "600"),
        ("max_attempts", "7", "7"),
        ("retry_base_secs", "0.5", "0.5"),
        ("retry_max_secs", "60", "60"),
        ("stall_timeout_secs", "120", "120"),
        ("backup_timeout_secs", "7200", "7200"),
        ("restore_timeout_secs", "7200", "7200"),
        ("sync_timeout_secs", "7200", "7200"),
        ("cleanup_timeout_secs", "7200", "7200"),
        ("shutdown_grace_secs", "5", "5"),
        ("max_queued", "100", "100"),
        ("priority_aging_secs", "60", "60"),
        ("min_free_mb", "50", "50"),
        (
            "notify_webhook",
            "\"http://127.0.0.1:9/hook\"",
            "http://127.0.0.1:9/hook",
        ),
        ("schedule_grace_secs", "120", "120"),
        ("alert_check_secs", "5", "5"),
        ("sync_max_delete", "50", "50"),
        ("model_dir", "\"/opt/models/minilm\"", "/opt/models/minilm"),
        ("glm_dir", "\"/opt/models/glm\"", "/opt/models/glm"),
        ("intent_classifier", "\"nearest\"", "nearest"),
    ];

    #[test]
    fn every_key_is_settable_from_the_file_and_from_the_environment() {
        let keys: Vec<&str> = KEYS.iter().map(|k| k.name).collect();
        let sampled: Vec<&str> = SAMPLES.iter().map(|(key, ..)| *key).collect();
        assert_eq!(keys, sampled, "each key needs a sample in SAMPLES");

        let file: String = SAMPLES
            .iter()
            .map(|(key, value, _)| format!("{key} = {value}\n"))
            .collect();
        let mut from_file = Config::default();
        from_file
            .apply_file(Path::new("/etc/tend/tend.toml"), &file)
            .unwrap();
        every_field_was_set(&from_file);

        let mut from_env = Config::default();
        from_env
            .apply_env(|name| {
                SAMPLES
                    .iter()
                    .find(|(key, ..)| format!("TEND_{}", key.to_ascii_uppercase()) == name)
                    .map(|(.., value)| value.to_string())
            })
            .unwrap();
        every_field_was_set(&from_env);

        assert_eq!((from_file.max_attempts, from_env.max_attempts), (7, 7));
        assert_eq!(
            from_env.extra_allowed_roots,
            [PathBuf::from("/srv"), PathBuf::from("/mnt/nas")]
        );
    }

    /// Names every field of [`Config`] (a new one breaks the build here
    /// until it is added), and fails for any that the samples left at its
    /// default: a field that no key sets.
    fn every_field_was_set(c: &Config) {
        let d = Config::default();
        let Config {
            bind,
            admin_token,
            public_names,
            data_dir,
            extra_allowed_roots,
            protected_paths,
            quarantine_retention_days,
            audit_retention_days,
            backup_extra_verify,
            site_dir,
            database_url,
            node_name,
            node_lease_secs,
            workers,
            max_command_bytes,
            plan_ttl_secs,
            max_attempts,
            retry_base_secs,
            retry_max_secs,
            stall_timeout_secs,
            backup_timeout_secs,
            restore_timeout_secs,
            sync_timeout_secs,
            cleanup_timeout_secs,
            shutdown_grace_secs,
            max_queued,
            priority_aging_secs,
            min_free_mb,
            notify_webhook,
            schedule_grace_secs,
            alert_check_secs,
            sync_max_delete,
            model_dir,
            glm_dir,
            intent_classifier,
        } = c;
        let unset: Vec<&str> = [
            ("bind", *bind == d.bind),
            ("admin_token", *admin_token == d.admin_token),
            ("public_names", *public_names == d.public_names),
            ("data_dir", *data_dir == d.data_dir),
            (
                "allowed_roots",
                *extra_allowed_roots == d.extra_allowed_roots,
            ),
            ("protected_paths", *protected_paths == d.protected_paths),
            (
                "quarantine_retention_days",
                *quarantine_retention_days == d.quarantine_retention_days,
            ),
            (
                "audit_retention_days",
                *audit_retention_days == d.audit_retention_days,
            ),
            (
                "backup_extra_verify",
                *backup_extra_verify == d.backup_extra_verify,
            ),
            ("site_dir", *site_dir == d.site_dir),
            ("database_url", *database_url == d.database_url),
            ("node_name", *node_name == d.node_name),
            ("node_lease_secs", *node_lease_secs == d.node_lease_secs),
            ("workers", *workers == d.workers),
            (
                "max_command_bytes",
                *max_command_bytes == d.max_command_bytes,
            ),
            ("plan_ttl_secs", *plan_ttl_secs == d.plan_ttl_secs),
            ("max_attempts", *max_attempts == d.max_attempts),
            ("retry_base_secs", *retry_base_secs == d.retry_base_secs),
            ("retry_max_secs", *retry_max_secs == d.retry_max_secs),
            (
                "stall_timeout_secs",
                *stall_timeout_secs == d.stall_timeout_secs,
            ),
            (
                "backup_timeout_secs",
                *backup_timeout_secs == d.backup_timeout_secs,
            ),
            (
                "restore_timeout_secs",
                *restore_timeout_secs == d.restore_timeout_secs,
            ),
            (
                "sync_timeout_secs",
                *sync_timeout_secs == d.sync_timeout_secs,
            ),
            (
                "cleanup_timeout_secs",
                *cleanup_timeout_secs == d.cleanup_timeout_secs,
            ),
            (
                "shutdown_grace_secs",
                *shutdown_grace_secs == d.shutdown_grace_secs,
            ),
            ("max_queued", *max_queued == d.max_queued),
            (
                "priority_aging_secs",
                *priority_aging_secs == d.priority_aging_secs,
            ),
            ("min_free_mb", *min_free_mb == d.min_free_mb),
            ("notify_webhook", *notify_webhook == d.notify_webhook),
            (
                "schedule_grace_secs",
                *schedule_grace_secs == d.schedule_grace_secs,
            ),
            ("alert_check_secs", *alert_check_secs == d.alert_check_secs),
            ("sync_max_delete", *sync_max_delete == d.sync_max_delete),
            ("model_dir", *model_dir == d.model_dir),
            ("glm_dir", *glm_dir == d.glm_dir),
            (
                "intent_classifier",
                *intent_classifier == d.intent_classifier,
            ),
        ]
        .into_iter()
        .filter_map(|(field, unchanged)| unchanged.then_some(field))
        .collect();
        assert!(unset.is_empty(), "no key sets {unset:?}");
    }

    #[test]
    fn the_environment_names_stay_as_documented() {
        let names: Vec<String> = KEYS.iter().map(Key::env_name).collect();
        for documented in [
            "TEND_BIND",
            "TEND_ADMIN_TOKEN",
            "TEND_PUBLIC_NAMES",
            "TEND_DATA_DIR",
            "TEND_ALLOWED_ROOTS",
            "TEND_PROTECTED_PATHS",
            "TEND_QUARANTINE_RETENTION_DAYS",
            "TEND_BACKUP_EXTRA_VERIFY",
            "TEND_SITE_DIR",
            "TEND_DATABASE_URL",
            "TEND_NODE_NAME",
            "TEND_NODE_LEASE_SECS",
            "TEND_WORKERS",
            "TEND_MAX_COMMAND_BYTES",
            "TEND_PLAN_TTL_SECS",
            "TEND_MAX_ATTEMPTS",
            "TEND_SYNC_MAX_DELETE",
            "TEND_MODEL_DIR",
            "TEND_GLM_DIR",
            "TEND_INTENT_CLASSIFIER",
        ] {
            assert!(names.iter().any(|n| n == documented), "{documented}");
        }
    }

    #[test]
    fn public_names_are_a_toml_array_or_a_comma_separated_list_of_bare_names() {
        let mut c = Config::default();
        c.apply_file(
            Path::new("t.toml"),
            "public_names = [\"tend.example.org\", \"NAS.home.arpa.\"]",
        )
        .unwrap();
        c.apply_env(|name| {
            (name == "TEND_PUBLIC_NAMES").then(|| " tend.lan , ,backup-box ".to_string())
        })
        .unwrap();
        assert_eq!(
            c.public_names,
            [
                "tend.example.org",
                "nas.home.arpa",
                "tend.lan",
                "backup-box"
            ]
        );

        for wrong in ["https://tend.example.org", "tend.example.org:443", "a..b"] {
            let err = Config::default()
                .apply_env(|name| (name == "TEND_PUBLIC_NAMES").then(|| wrong.to_string()))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("TEND_PUBLIC_NAMES") && err.contains("not a host name"),
                "{err}"
            );
        }
        let err = Config::default()
            .apply_file(Path::new("t.toml"), "public_names = \"tend.example.org\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("public_names is not valid"), "{err}");
    }

    #[test]
    fn a_reachable_address_needs_a_token_and_a_token_must_be_long() {
        let mut c = Config::default();
        assert!(
            c.validate(false).is_ok(),
            "loopback without a token is fine"
        );
        c.bind = "0.0.0.0:3000".parse().unwrap();
        let err = c.validate(false).unwrap_err().to_string();
        assert!(err.contains("admin_token"), "{err}");
        assert!(err.contains("tend user add"), "{err}");
        assert!(c.validate(true).is_ok(), "users sign in without a token");
        c.admin_token = Some("short".into());
        let err = c.validate(true).unwrap_err().to_string();
        assert!(err.contains("at least 16"), "{err}");
        c.admin_token = Some("a-long-enough-secret".into());
        assert!(c.validate(false).is_ok());
        c.apply_env(|name| (name == "TEND_ADMIN_TOKEN").then(|| "another-long-secret".into()))
            .unwrap();
        assert_eq!(c.admin_token.as_deref(), Some("another-long-secret"));
    }
}
