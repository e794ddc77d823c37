//! The restic-format repository a backup writes to: the password Tend keeps
//! for it, and opening (or creating) it.

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use rustic_backend::BackendOptions;
use rustic_core::{
    ConfigOptions, Credentials, KeyOptions, OpenStatus, ProgressBars, Repository,
    RepositoryOptions, RusticError,
};

use crate::workflows::WorkflowError;

/// Name of the password file under the data directory's `secrets/`.
pub const PASSWORD_FILE: &str = "restic.password";

/// What a repository directory holds, looked at before touching it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoState {
    /// Missing or empty: it will be initialized.
    New,
    /// A restic repository (has `config` and `keys/`).
    Existing,
    /// Something else: refused, never written into.
    Foreign,
}

pub fn state(dir: &Path) -> RepoState {
    match fs::read_dir(dir) {
        Err(_) => RepoState::New,
        Ok(mut entries) => {
            if entries.next().is_none() {
                RepoState::New
            } else if dir.join("config").is_file() && dir.join("keys").is_dir() {
                RepoState::Existing
            } else {
                RepoState::Foreign
            }
        }
    }
}

pub fn password_path(secrets_dir: &Path) -> PathBuf {
    secrets_dir.join(PASSWORD_FILE)
}

/// The repository password if one was generated already (restic reads the
/// file's first line; the line end is not part of it).
pub fn existing_password(secrets_dir: &Path) -> io::Result<Option<String>> {
    match fs::read_to_string(password_path(secrets_dir)) {
        Ok(p) => Ok(Some(p.trim_end_matches(['\n', '\r']).to_string())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Reads the repository password, generating it (mode 0600) on first use.
pub fn password(secrets_dir: &Path) -> io::Result<String> {
    if let Some(existing) = existing_password(secrets_dir)? {
        return Ok(existing);
    }
    let path = password_path(secrets_dir);
    fs::create_dir_all(secrets_dir)?;
    fs::set_permissions(secrets_dir, fs::Permissions::from_mode(0o700))?;
    // 256 random bits from the OS, as hex (restic reads the file's first line).
    let mut bytes = [0u8; 32];
    io::Read::read_exact(&mut fs::File::open("/dev/urandom")?, &mut bytes)?;
    let generated: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let temp = path.with_extension("tmp");
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&temp)?;
    writeln!(file, "{generated}")?;
    file.sync_all()?;
    // Never replace a password another task wrote meanwhile.
    match fs::hard_link(&temp, &path) {
        Ok(()) => {
            let _ = fs::remove_file(&temp);
            Ok(generated)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            let _ = fs::remove_file(&temp);
            self::password(secrets_dir)
        }
        Err(e) => Err(e),
    }
}

/// rustic's error as one line for the task's message. Its own `Display` is
/// a report for a terminal (paragraphs, a backtrace); the task says what
/// failed and why, and a full disk or a refused permission first, in words.
pub(super) fn engine_error(context: &str, e: &RusticError) -> WorkflowError {
    let message = format!("{context}: {}", in_words(e));
    let locked = message.contains("locked");
    // A missing file inside a repository means damage, not an outage (an
    // unmounted repository is caught by the path policy first).
    let outage = io_cause(e).is_some_and(|io| {
        io.kind() != io::ErrorKind::NotFound && crate::workflows::is_transient_io(io)
    });
    if locked || outage {
        WorkflowError::Unavailable(message)
    } else {
        WorkflowError::Engine(message)
    }
}

/// See [`engine_error`].
pub(super) fn in_words(e: &RusticError) -> String {
    let log = e.display_log();
    let detail = log.strip_prefix("Error: ").unwrap_or(&log);
    let lead = match io_cause(e).map(io::Error::kind) {
        Some(io::ErrorKind::StorageFull) => {
            "the disk is full; free some space there or choose another place. "
        }
        Some(io::ErrorKind::PermissionDenied) => "permission denied. ",
        _ => "",
    };
    format!("{lead}{detail}")
}

/// The operating system's error behind `e`, if any.
fn io_cause<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e io::Error> {
    let mut next = Some(e);
    while let Some(error) = next {
        if let Some(io) = error.downcast_ref::<io::Error>() {
            return Some(io);
        }
        next = error.source();
    }
    None
}

/// Whether [`open`] may create the repository, and how.
#[derive(Debug, Clone, Copy)]
pub enum Opening {
    /// Only an existing repository will do (restore).
    Existing,
    /// Initialize a missing or empty directory (backup). `extra_verify`:
    /// the new repository checks each blob before writing it.
    OrCreate { extra_verify: bool },
}

/// Opens the repository in `dir`, initializing it as `opening` allows when
/// the directory is missing or empty. A directory holding anything else is
/// refused.
pub fn open(
    dir: &Path,
    password: &str,
    opening: Opening,
    progress: impl ProgressBars,
) -> Result<Repository<OpenStatus>, WorkflowError> {
    // `Some(extra_verify)`: a new repository is made here.
    let create = match (state(dir), opening) {
        (RepoState::Foreign, _) => return Err(not_a_repository(dir)),
        (RepoState::New, Opening::Existing) => {
            return Err(WorkflowError::InvalidParams(format!(
                "{} holds no backup repository.",
                dir.display()
            )))
        }
        (RepoState::New, Opening::OrCreate { extra_verify }) => Some(extra_verify),
        (RepoState::Existing, _) => None,
    };
    let backends = BackendOptions::default()
        .repository(dir.to_string_lossy().to_string())
        .to_backends()
        .map_err(|e| engine_error("Could not open the repository", &e))?;
    // No cache: Tend's repositories are local, a cache would only duplicate them.
    let options = RepositoryOptions::default().no_cache(true);
    let repo = Repository::new_with_progress(&options, &backends, progress)
        .map_err(|e| engine_error("Could not open the repository", &e))?;
    let credentials = Credentials::password(password);
    match create {
        Some(extra_verify) => {
            fs::create_dir_all(dir).map_err(|source| WorkflowError::Io {
                context: format!("Could not create {}", dir.display()),
                source,
            })?;
            // zstd level 1: restic's own default ("auto") is a fast level too;
            // higher levels cost far more time than they save on backups.
            let config = ConfigOptions::default()
                .set_compression(1)
                .set_extra_verify(extra_verify);
            repo.init(&credentials, &KeyOptions::default(), &config)
                .map_err(|e| engine_error("Could not create the repository", &e))
        }
        None => repo.open(&credentials).map_err(|e| {
            engine_error(
                "Could not open the repository (is it protected by another password?)",
                &e,
            )
        }),
    }
}

pub fn not_a_repository(dir: &Path) -> WorkflowError {
    WorkflowError::InvalidParams(format!(
        "{} is not empty and is not a backup repository; Tend will not write into it. Pick an empty or new directory.",
        dir.display()
    ))
}
