//! Restore: a snapshot (latest, or by id), whole or a sub-path, into a
//! target directory. Existing files are never overwritten unless asked.

use std::any::Any;
use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use app::api::{PreviewView, ProgressView};
use rustic_core::{
    repofile::{Node, NodeType, SnapshotFile},
    IndexedFullStatus, LocalDestination, LsOptions, Repository, RestoreOptions,
};
use serde::{Deserialize, Serialize};

use super::progress::{ByteCounter, Counters};
use super::repository;
use crate::workflows::{while_reporting, Outcome, TaskContext, WorkflowEnv, WorkflowError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoreParams {
    pub repository: PathBuf,
    /// `latest` or a snapshot id (or its prefix).
    #[serde(default = "latest")]
    pub snapshot: String,
    /// A path inside the backed-up directory (relative to it); empty: all.
    #[serde(default)]
    pub path: String,
    pub target: PathBuf,
    /// Replace files that already exist in the target.
    #[serde(default)]
    pub overwrite: bool,
}

fn latest() -> String {
    "latest".into()
}

/// One file the restore would write.
struct Item {
    relative: PathBuf,
    size: u64,
    exists: bool,
}

/// The restore, resolved: snapshot, node, and what it would write.
struct Resolved {
    repo: Repository<IndexedFullStatus>,
    snapshot: SnapshotFile,
    node: Node,
    items: Vec<Item>,
    /// rustic's listing of `node`, in its order; what the restore walks.
    listing: Vec<(PathBuf, Node)>,
}

fn engine(context: &str) -> impl Fn(Box<rustic_core::RusticError>) -> WorkflowError + '_ {
    move |e| super::repository::engine_error(context, &e)
}

/// Bytes an unprivileged writer may still use on the filesystem that
/// holds `dir`, or its nearest existing parent.
fn free_space(dir: &Path) -> Option<u64> {
    let existing = dir.ancestors().find(|p| p.exists())?;
    let stats = rustix::fs::statvfs(existing).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}

/// A panic inside rustic, in words: its message names the system's error.
fn panic_in_words(panic: &(dyn Any + Send)) -> String {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("no message");
    if message.contains("StorageFull") || message.contains("os error 28") {
        "the disk is full; free some space there or restore somewhere else.".into()
    } else if message.contains("PermissionDenied") {
        "permission denied in the target.".into()
    } else {
        format!("rustic stopped unexpectedly ({message}).")
    }
}

/// After a failed step: removes the files it was writing that did not
/// exist before (they may be torn), and names in the log the ones it was
/// replacing, whose old content is gone. Returns both counts.
fn unfinished(
    written: impl Iterator<Item = PathBuf>,
    existed: &HashSet<PathBuf>,
    ctx: &TaskContext,
) -> (u64, u64) {
    let (mut removed, mut torn) = (0, 0);
    for path in written {
        if existed.contains(&path) {
            ctx.log(
                "file_error",
                format!("{}: may be incomplete", path.display()),
            );
            torn += 1;
        } else if std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    (removed, torn)
}

fn resolve(
    params: &RestoreParams,
    env: &WorkflowEnv,
    counters: Arc<Counters>,
) -> Result<(Resolved, PathBuf), WorkflowError> {
    let policy = env.policy();
    let repo_dir = policy.recheck(&params.repository)?;
    let target = policy.check_target(&params.target.to_string_lossy())?;
    if target.as_path().starts_with(repo_dir.as_path()) {
        return Err(WorkflowError::InvalidParams(
            "The restore target is inside the repository.".into(),
        ));
    }
    if params.path.split('/').any(|c| c == "..") {
        return Err(WorkflowError::InvalidParams(
            "The path inside the snapshot may not contain \"..\".".into(),
        ));
    }
    let password = repository::password(&env.secrets_dir).map_err(|source| WorkflowError::Io {
        context: "Could not read the repository password".into(),
        source,
    })?;
    let repo = repository::open(
        repo_dir.as_path(),
        &password,
        repository::Opening::Existing,
        ByteCounter(counters),
    )?
    .to_indexed()
    .map_err(engine("Could not read the repository index"))?;
    let snapshot = repo
        .get_snapshot_from_str(&params.snapshot, |_| true)
        .map_err(|e| {
            WorkflowError::InvalidParams(format!(
                "No snapshot \"{}\" in {}: {e}",
                params.snapshot, repo_dir
            ))
        })?;
    // Tend backs up one directory per snapshot; paths are inside it.
    let base = snapshot
        .paths
        .iter()
        .next()
        .cloned()
        .unwrap_or_else(|| "/".into());
    let inner = Path::new(&base).join(params.path.trim_start_matches('/'));
    let node = repo
        .node_from_snapshot_and_path(&snapshot, &inner.to_string_lossy())
        .map_err(|e| {
            WorkflowError::InvalidParams(format!(
                "{} is not in snapshot {}: {e}",
                inner.display(),
                params.snapshot
            ))
        })?;
    let mut items = Vec::new();
    let single_file = !node.is_dir();
    let listing: Vec<(PathBuf, Node)> = repo
        .ls(&node, &LsOptions::default())
        .and_then(|entries| entries.collect())
        .map_err(engine("Could not list the snapshot"))?;
    if single_file {
        let name = PathBuf::from(node.name().into_owned());
        let dest = target.as_path().join(&name);
        items.push(Item {
            exists: dest.symlink_metadata().is_ok(),
            relative: name,
            size: node.meta.size,
        });
    }
    for (relative, n) in &listing {
        if matches!(n.node_type, NodeType::Dir) {
            continue;
        }
        let dest = target.as_path().join(relative);
        items.push(Item {
            exists: dest.symlink_metadata().is_ok(),
            relative: relative.clone(),
            size: n.meta.size,
        });
    }
    Ok((
        Resolved {
            repo,
            snapshot,
            node,
            items,
            listing,
        },
        target.as_path().to_path_buf(),
    ))
}

fn short(snap: &SnapshotFile) -> String {
    snap.id.to_string().chars().take(8).collect()
}

/// What a restore would write (nothing is written).
pub fn preview(params: &RestoreParams, env: &WorkflowEnv) -> Result<PreviewView, WorkflowError> {
    let (resolved, target) = resolve(params, env, Arc::default())?;
    let existing = resolved.items.iter().filter(|i| i.exists).count();
    let mut warnings = vec![format!(
        "Snapshot {} of {}, taken {}.",
        short(&resolved.snapshot),
        resolved.snapshot.paths,
        resolved.snapshot.time.strftime("%Y-%m-%d %H:%M")
    )];
    if existing > 0 {
        warnings.push(if params.overwrite {
            format!("{existing} files already in {} will be replaced.", target.display())
        } else {
            format!(
                "{existing} files already exist in {}; the restore will refuse to overwrite them (say \"overwrite\" to replace them).",
                target.display()
            )
        });
    }
    let needed: u64 = resolved
        .items
        .iter()
        .filter(|i| params.overwrite || !i.exists)
        .map(|i| i.size)
        .sum();
    if let Some(free) = free_space(&target).filter(|&free| free < needed) {
        warnings.push(format!(
            "The restore writes {} and the disk of {} has {} free: it would stop when the disk is full.",
            app::format::bytes(needed),
            target.display(),
            app::format::bytes(free)
        ));
    }
    Ok(PreviewView {
        file_count: resolved.items.len() as u64,
        total_bytes: resolved.items.iter().map(|i| i.size).sum(),
        sample_paths: resolved
            .items
            .iter()
            .take(crate::workflows::cleanup::PREVIEW_SAMPLE)
            .map(|i| i.relative.display().to_string())
            .collect(),
        warnings,
    })
}

/// A restore step ends after this many files or bytes, whichever comes
/// first: a cancel waits for at most one step (about a second's work).
const STEP_FILES: u64 = 1000;
const STEP_BYTES: u64 = 64 << 20;

/// Which step restores each entry of a listing (directories: every step).
struct Steps {
    of_entry: Vec<Option<usize>>,
    /// Files (and links and other non-directories) in each step.
    files: Vec<u64>,
}

fn steps(listing: &[(PathBuf, Node)], max_files: u64, max_bytes: u64) -> Steps {
    let mut of_entry = Vec::with_capacity(listing.len());
    let mut files = vec![0u64];
    let mut bytes = 0u64;
    for (_, node) in listing {
        if node.is_dir() {
            of_entry.push(None);
            continue;
        }
        let current = files.len() - 1;
        if files[current] > 0 && (files[current] >= max_files || bytes >= max_bytes) {
            files.push(0);
            bytes = 0;
        }
        let current = files.len() - 1;
        files[current] += 1;
        bytes += node.meta.size;
        of_entry.push(Some(current));
    }
    Steps { of_entry, files }
}

pub fn run(
    params: &RestoreParams,
    env: &WorkflowEnv,
    ctx: &TaskContext,
) -> Result<Outcome, WorkflowError> {
    let counters = Arc::new(Counters::default());
    let (resolved, target) = resolve(params, env, counters.clone())?;
    let clashes: Vec<&Item> = resolved.items.iter().filter(|i| i.exists).collect();
    if !clashes.is_empty() && !params.overwrite {
        for c in clashes.iter().take(100) {
            ctx.log(
                "file_error",
                format!("{}: already exists", target.join(&c.relative).display()),
            );
        }
        return Err(WorkflowError::InvalidParams(format!(
            "{} files already exist in {} (first: {}); nothing was restored. Ask again with \"overwrite\" to replace them, or pick an empty directory.",
            clashes.len(),
            target.display(),
            clashes[0].relative.display()
        )));
    }
    let Resolved {
        repo,
        snapshot,
        node,
        items,
        listing,
    } = resolved;
    let total_files = items.len() as u64;
    let total_bytes: u64 = items.iter().map(|i| i.size).sum();
    let existed: HashSet<PathBuf> = items
        .iter()
        .filter(|i| i.exists)
        .map(|i| target.join(&i.relative))
        .collect();
    let single_file = !node.is_dir();
    // A single file is restored under its own name inside the target.
    let dest_path = if single_file {
        target.join(node.name())
    } else {
        target.clone()
    };
    std::fs::create_dir_all(&target).map_err(|source| WorkflowError::Io {
        context: format!("Could not create {}", target.display()),
        source,
    })?;
    let dest = LocalDestination::new(&dest_path.to_string_lossy(), true, single_file)
        .map_err(engine("Could not prepare the target"))?;
    let steps = steps(&listing, STEP_FILES, STEP_BYTES);
    let options = RestoreOptions::default();

    let files_done = AtomicU64::new(0);
    let progress = || ProgressView {
        files_done: files_done.load(Ordering::Relaxed),
        files_total: Some(total_files),
        bytes_done: counters.done.load(Ordering::Relaxed).min(total_bytes),
        bytes_total: total_bytes,
        current: None,
    };
    // rustic restores a plan in one go, with no way to stop it; the files
    // are restored a step at a time instead, and a cancel is honoured
    // between steps. Every step lists all directories (in the listing's
    // order, which rustic's merge with the target's walk relies on) and its
    // own files; the last step leaves every directory's metadata right.
    let result = while_reporting(
        || ctx.progress(&progress(), false),
        || -> Result<bool, WorkflowError> {
            for step in 0..steps.files.len() {
                if ctx.is_cancelled() {
                    return Ok(false);
                }
                let part: Vec<(PathBuf, Node)> = listing
                    .iter()
                    .zip(&steps.of_entry)
                    .filter(|(_, s)| s.is_none_or(|s| s == step))
                    .map(|(entry, _)| entry.clone())
                    .collect();
                // rustic panics on some write errors (a full disk among
                // them); either way the step's files may be torn.
                let restored = std::panic::catch_unwind(AssertUnwindSafe(|| {
                    let plan = repo
                        .prepare_restore(&options, part.iter().cloned().map(Ok), &dest, false)
                        .map_err(engine("Could not plan the restore"))?;
                    repo.restore(plan, &options, part.iter().cloned().map(Ok), &dest)
                        .map_err(engine("The restore failed"))
                }));
                let reason = match restored {
                    Ok(Ok(())) => {
                        files_done.fetch_add(steps.files[step], Ordering::Relaxed);
                        continue;
                    }
                    Ok(Err(e)) => e.to_string(),
                    Err(panic) => format!("The restore failed: {}", panic_in_words(&*panic)),
                };
                let written = part
                    .iter()
                    .filter(|(_, n)| !n.is_dir())
                    .map(|(relative, n)| {
                        if single_file {
                            target.join(n.name())
                        } else {
                            target.join(relative)
                        }
                    });
                let (removed, torn) = unfinished(written, &existed, ctx);
                let done = files_done.load(Ordering::Relaxed);
                let mut message = format!(
                    "{reason} {done} of {total_files} files were restored into {}, each of them whole; the {removed} new files of the part that failed were removed.",
                    target.display()
                );
                if torn > 0 {
                    message.push_str(&format!(
                        " {torn} files that it was replacing may be incomplete; the task log names them."
                    ));
                }
                return Err(WorkflowError::Engine(message));
            }
            Ok(true)
        },
    );
    ctx.progress(&progress(), true);
    if !result? {
        let done = files_done.load(Ordering::Relaxed);
        return Ok(Outcome::Cancelled {
            summary: format!(
                "Cancelled: {done} of {total_files} files were restored into {} (each of them whole); the rest were not. Restore again with \"overwrite\" to finish.",
                target.display()
            ),
        });
    }
    Ok(Outcome::Succeeded {
        summary: format!(
            "Restored {total_files} files ({}) from snapshot {} of {} into {}.",
            app::format::bytes(total_bytes),
            short(&snapshot),
            snapshot.paths,
            target.display()
        ),
    })
}
