//! The engines that change files. Each workflow is blocking code run on a
//! blocking thread; it reports progress and checks for cancellation through
//! a [`TaskContext`], and only ever receives paths the policy approved.

pub mod backup;
pub mod cleanup;
mod context;
pub mod sync;
pub mod undo_cleanup;
pub mod watch;

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};

pub use context::{while_reporting, Report, TaskContext};

use crate::domain::{PathPolicy, PolicyError};
use crate::store::PathLock;

/// The parameters of every workflow, as stored with a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "workflow", rename_all = "snake_case")]
pub enum WorkflowParams {
    Cleanup(cleanup::CleanupParams),
    UndoCleanup(undo_cleanup::UndoCleanupParams),
    Sync(sync::SyncParams),
    Backup(backup::BackupParams),
    Restore(backup::restore::RestoreParams),
}

impl WorkflowParams {
    /// The parameters of one run of schedule `schedule_id` starting at
    /// `now_ms`. A cleanup's "older than 30 days" counts from each run, not
    /// from the day the plan was made; a backup tags its snapshot with the
    /// schedule.
    pub fn for_scheduled_run(mut self, schedule_id: i64, now_ms: i64) -> WorkflowParams {
        match &mut self {
            WorkflowParams::Cleanup(c) => {
                if let Some(days) = c.older_than_days {
                    c.modified_before_ms = Some(cleanup::cutoff_ms(days, now_ms));
                }
                // Each run selects for itself: no preview saw its files.
                c.work_list = None;
            }
            WorkflowParams::Backup(b) => b.schedule_id = Some(schedule_id),
            WorkflowParams::Sync(_)
            | WorkflowParams::UndoCleanup(_)
            | WorkflowParams::Restore(_) => {}
        }
        self
    }

    /// The paths a run reads and writes, for the queue's per-path locks:
    /// two tasks that collide there never run at once.
    pub fn path_locks(&self) -> Vec<PathLock> {
        match self {
            WorkflowParams::Cleanup(c) => vec![PathLock::write(&c.directory)],
            WorkflowParams::UndoCleanup(u) => vec![PathLock::write(&u.directory)],
            WorkflowParams::Sync(s) => {
                vec![PathLock::read(&s.source), PathLock::write(&s.destination)]
            }
            WorkflowParams::Backup(b) => {
                vec![PathLock::read(&b.source), PathLock::write(&b.repository)]
            }
            WorkflowParams::Restore(r) => {
                vec![PathLock::read(&r.repository), PathLock::write(&r.target)]
            }
        }
    }

    pub fn name(&self) -> &'static str {
        match self {
            WorkflowParams::Cleanup(_) => "cleanup",
            WorkflowParams::UndoCleanup(_) => "undo_cleanup",
            WorkflowParams::Sync(_) => "sync",
            WorkflowParams::Backup(_) => "backup",
            WorkflowParams::Restore(_) => "restore",
        }
    }
}

/// What the workflows share: the live path policy and where quarantine lives.
#[derive(Clone)]
pub struct WorkflowEnv {
    pub policy: Arc<RwLock<PathPolicy>>,
    /// Tend's own quarantine (`<data_dir>/quarantine`), used when it is on the
    /// same filesystem as the files being cleaned.
    pub quarantine_dir: PathBuf,
    /// `<data_dir>/secrets`: the backup repository password lives here.
    pub secrets_dir: PathBuf,
    /// `<data_dir>/cache`: what can be rebuilt, kept to go faster.
    pub cache_dir: PathBuf,
    /// How long undo material (quarantines, sync versions) is kept; `None`: forever.
    pub undo_retention: Option<std::time::Duration>,
    /// Repositories created from now on verify each blob before writing it
    /// (see `Config::backup_extra_verify`).
    pub backup_extra_verify: bool,
}

impl WorkflowEnv {
    /// `<data_dir>/work-lists`: the files cleanup previews selected.
    pub fn work_lists_dir(&self) -> PathBuf {
        self.cache_dir.with_file_name("work-lists")
    }

    /// The current policy (a poisoned lock still holds a valid policy).
    pub fn policy(&self) -> PathPolicy {
        match self.policy.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// How a workflow ended, when it did not fail outright.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Succeeded {
        summary: String,
    },
    /// Some items failed; the rest were done. Never reported as success.
    PartlyFailed {
        summary: String,
        error: String,
    },
    Cancelled {
        summary: String,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum WorkflowError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("The task's parameters are not valid: {0}")]
    InvalidParams(String),
    /// The backup engine (rustic) failed as a whole.
    #[error("{0}")]
    Engine(String),
    /// The engine failed for a reason that may pass (a network mount that
    /// timed out, a repository another program holds locked).
    #[error("{0}")]
    Unavailable(String),
    #[error("{context}: {source}{hint}", hint = io_hint(.source))]
    Io {
        context: String,
        source: std::io::Error,
    },
}

impl WorkflowError {
    /// Whether a later attempt may succeed, so the task is retried with a
    /// backoff instead of failing at once. Transient: timeouts and
    /// connection errors from a network mount, a source or destination that
    /// vanished (unmounted: the plan's preview found it), a repository held
    /// locked. Permanent: invalid parameters, permission denied, a damaged
    /// repository, anything else.
    pub fn is_transient(&self) -> bool {
        match self {
            WorkflowError::Unavailable(_) => true,
            WorkflowError::Policy(p) => {
                matches!(p, PolicyError::RootAbsent(_) | PolicyError::NotFound(_))
            }
            WorkflowError::Io { source, .. } => is_transient_io(source),
            WorkflowError::InvalidParams(_) | WorkflowError::Engine(_) => false,
        }
    }
}

/// The system errors that say "not reachable right now" rather than "wrong".
pub fn is_transient_io(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::*;
    // ESTALE, ENODEV, ENXIO, EHOSTDOWN, ENOMEDIUM: a mount gone or going.
    const GONE: [i32; 5] = [
        libc::ESTALE,
        libc::ENODEV,
        libc::ENXIO,
        libc::EHOSTDOWN,
        libc::ENOMEDIUM,
    ];
    matches!(
        e.kind(),
        TimedOut
            | ConnectionRefused
            | ConnectionReset
            | ConnectionAborted
            | NotConnected
            | HostUnreachable
            | NetworkUnreachable
            | NetworkDown
            | StaleNetworkFileHandle
            | NotFound
            | Interrupted
    ) || e.raw_os_error().is_some_and(|code| GONE.contains(&code))
}

/// What to do about the system errors a user can fix.
fn io_hint(e: &std::io::Error) -> &'static str {
    match e.kind() {
        std::io::ErrorKind::StorageFull => {
            ". The disk is full: free some space there, then try again."
        }
        _ => "",
    }
}

/// Runs a task's workflow to the end (blocking).
pub fn run(
    params: &WorkflowParams,
    env: &WorkflowEnv,
    ctx: &TaskContext,
) -> Result<Outcome, WorkflowError> {
    match params {
        WorkflowParams::Cleanup(p) => cleanup::run(p, env, ctx),
        WorkflowParams::UndoCleanup(p) => undo_cleanup::run(p, env, ctx),
        WorkflowParams::Sync(p) => sync::run(p, env, ctx),
        WorkflowParams::Backup(p) => backup::run(p, env, ctx),
        WorkflowParams::Restore(p) => backup::restore::run(p, env, ctx),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scheduled_cleanup_selects_for_itself_from_its_own_day() {
        let planned = WorkflowParams::Cleanup(cleanup::CleanupParams {
            directory: PathBuf::from("/srv/scratch"),
            patterns: vec!["*.tmp".into()],
            older_than_days: Some(7.0),
            modified_before_ms: Some(1_000),
            min_size_bytes: None,
            empty_dirs: false,
            work_list: Some(PathBuf::from("/data/work-lists/x.jsonl")),
        });
        let now = 30 * 86_400_000;
        let WorkflowParams::Cleanup(run) = planned.for_scheduled_run(3, now) else {
            panic!("a cleanup");
        };
        assert_eq!(run.work_list, None, "no preview saw this run's files");
        assert_eq!(run.modified_before_ms, Some(now - 7 * 86_400_000));
    }
}
