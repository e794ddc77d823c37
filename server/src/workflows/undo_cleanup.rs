//! Undo of a cleanup: puts every quarantined file back where it was,
//! refusing to overwrite anything that appeared there since.
//!
//! Each file is hard-linked back (which fails rather than overwrite) and then
//! unlinked from quarantine, and recorded in `restored.jsonl`. A crash between
//! the two leaves the same file under both names, which the next attempt
//! recognises (same inode) and finishes.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use app::api::{PreviewView, ProgressView};
use serde::{Deserialize, Serialize};

use super::cleanup::{self, ManifestEntry, RemovedDir, RestoredEntry, RestoredLog, PREVIEW_SAMPLE};
use super::{Outcome, TaskContext, WorkflowEnv, WorkflowError};
use crate::domain::{AllowedPath, PathPolicy};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UndoCleanupParams {
    /// The cleanup task being undone.
    pub cleanup_task_id: i64,
    /// That cleanup's directory (canonical); every file goes back under it.
    pub directory: PathBuf,
}

/// How putting one file back went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PutBack {
    Restored,
    /// Something exists at the original place; left in quarantine.
    Occupied,
    /// Not in quarantine any more (removed by hand or purged).
    Missing,
}

fn io_error(context: &str) -> impl FnOnce(io::Error) -> WorkflowError + '_ {
    move |source| WorkflowError::Io {
        context: context.to_string(),
        source,
    }
}

fn task_dir(
    params: &UndoCleanupParams,
    env: &WorkflowEnv,
    policy: &PathPolicy,
) -> Result<(AllowedPath, PathBuf), WorkflowError> {
    let root = policy.recheck(&params.directory)?;
    let dir = cleanup::locate(&env.quarantine_dir, params.cleanup_task_id, &root)
        .map_err(io_error("Could not find the quarantine"))?;
    Ok((root, dir))
}

/// What an undo would put back, and what is in the way.
pub fn preview(
    params: &UndoCleanupParams,
    env: &WorkflowEnv,
) -> Result<PreviewView, WorkflowError> {
    let policy = env.policy();
    let (_, dir) = task_dir(params, env, &policy)?;
    let pending = cleanup::pending_entries(&dir)
        .map_err(io_error("Could not read the quarantine manifest"))?;
    let mut preview = PreviewView {
        file_count: 0,
        total_bytes: 0,
        sample_paths: Vec::new(),
        warnings: Vec::new(),
    };
    let mut occupied = 0;
    for entry in &pending {
        if fs::symlink_metadata(&entry.original).is_ok() {
            occupied += 1;
            continue;
        }
        preview.file_count += 1;
        preview.total_bytes += entry.size;
        if preview.sample_paths.len() < PREVIEW_SAMPLE {
            preview
                .sample_paths
                .push(entry.original.display().to_string());
        }
    }
    if occupied > 0 {
        preview.warnings.push(format!(
            "{occupied} files will stay in quarantine because something now exists at their original place."
        ));
    }
    let dirs = missing_dirs(&dir)?;
    if !dirs.is_empty() {
        preview.warnings.push(format!(
            "{} removed empty directories will be recreated.",
            dirs.len()
        ));
    }
    Ok(preview)
}

pub fn run(
    params: &UndoCleanupParams,
    env: &WorkflowEnv,
    ctx: &TaskContext,
) -> Result<Outcome, WorkflowError> {
    let policy = env.policy();
    let (root, dir) = task_dir(params, env, &policy)?;
    let pending = cleanup::pending_entries(&dir)
        .map_err(io_error("Could not read the quarantine manifest"))?;
    let mut log = RestoredLog::open(&dir).map_err(io_error("Could not open the restore log"))?;
    let mut progress = ProgressView {
        files_total: Some(pending.len() as u64),
        bytes_total: pending.iter().map(|e| e.size).sum(),
        ..ProgressView::default()
    };
    ctx.progress(&progress, true);
    let (mut occupied, mut missing, mut failed) = (0u64, 0u64, 0u64);
    for entry in &pending {
        if ctx.is_cancelled() {
            break;
        }
        progress.current = Some(entry.original.display().to_string());
        match put_back(entry, &dir, &root, &policy) {
            Ok(PutBack::Restored) => {
                progress.files_done += 1;
                progress.bytes_done += entry.size;
                let record = RestoredEntry {
                    stored: entry.stored.clone(),
                    original: entry.original.clone(),
                    restored_at: crate::now_ms(),
                };
                log.record(&record)
                    .map_err(io_error("Could not write the restore log"))?;
            }
            Ok(PutBack::Occupied) => {
                occupied += 1;
                ctx.log(
                    "file_error",
                    format!(
                        "{}: something exists there now; left in quarantine",
                        entry.original.display()
                    ),
                );
            }
            Ok(PutBack::Missing) => {
                missing += 1;
                ctx.log(
                    "file_error",
                    format!("{}: no longer in quarantine", entry.original.display()),
                );
            }
            Err(e) => {
                failed += 1;
                ctx.log("file_error", format!("{}: {e}", entry.original.display()));
            }
        }
        ctx.progress(&progress, false);
    }
    log.close()
        .map_err(io_error("Could not write the restore log"))?;
    if !ctx.is_cancelled() {
        for removed in missing_dirs(&dir)? {
            if let Err(e) = recreate_dir(&removed, &root, &policy) {
                failed += 1;
                ctx.log("file_error", format!("{}: {e}", removed.original.display()));
            }
        }
    }
    progress.current = None;
    ctx.progress(&progress, true);

    let done = format!(
        "Put back {} of {} files ({}) from the quarantine of task #{}.",
        progress.files_done,
        pending.len(),
        app::format::bytes(progress.bytes_done),
        params.cleanup_task_id
    );
    if ctx.is_cancelled() {
        return Ok(Outcome::Cancelled {
            summary: format!("Cancelled. {done}"),
        });
    }
    if occupied + missing + failed == 0 {
        return Ok(Outcome::Succeeded { summary: done });
    }
    let mut problems = Vec::new();
    if occupied > 0 {
        problems.push(format!(
            "{occupied} stayed in quarantine because a file exists at their original place"
        ));
    }
    if missing > 0 {
        problems.push(format!("{missing} were no longer in quarantine"));
    }
    if failed > 0 {
        problems.push(format!("{failed} could not be moved"));
    }
    Ok(Outcome::PartlyFailed {
        summary: done,
        error: format!("{}; the task log lists each file.", problems.join(", ")),
    })
}

/// Removed directories that do not exist again yet, parents first.
fn missing_dirs(task_dir: &Path) -> Result<Vec<RemovedDir>, WorkflowError> {
    let mut dirs: Vec<RemovedDir> = cleanup::removed_dirs(task_dir)
        .map_err(io_error("Could not read the list of removed directories"))?
        .into_iter()
        .filter(|d| fs::symlink_metadata(&d.original).is_err())
        .collect();
    dirs.sort_by_key(|d| d.original.components().count());
    dirs.dedup_by(|a, b| a.original == b.original);
    Ok(dirs)
}

/// Recreates one removed directory with its permissions, only where its
/// parent (resolved now) is still inside the cleaned root.
fn recreate_dir(removed: &RemovedDir, root: &AllowedPath, policy: &PathPolicy) -> io::Result<()> {
    let original = &removed.original;
    let parent_inside = original
        .parent()
        .and_then(|p| p.canonicalize().ok())
        .is_some_and(|p| p.starts_with(root.as_path()));
    if !original.is_absolute() || !parent_inside || policy.protection().covers(original) {
        return Err(io::Error::other(
            "its place is no longer inside the cleaned directory",
        ));
    }
    match fs::create_dir(original) {
        Ok(()) => fs::set_permissions(original, fs::Permissions::from_mode(removed.mode)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

fn put_back(
    entry: &ManifestEntry,
    task_dir: &Path,
    root: &AllowedPath,
    policy: &PathPolicy,
) -> io::Result<PutBack> {
    let stored = task_dir.join(&entry.stored);
    let original = &entry.original;
    let inside = original.starts_with(root.as_path()) && !policy.protection().covers(original);
    if !inside || !original.is_absolute() {
        return Err(io::Error::other(
            "its original place is outside the cleaned directory",
        ));
    }
    let stored_meta = fs::symlink_metadata(&stored).ok();
    if let Ok(there) = fs::symlink_metadata(original) {
        // The same file under both names: an earlier attempt stopped between
        // linking it back and unlinking it from quarantine.
        return match stored_meta {
            Some(s) if s.dev() == there.dev() && s.ino() == there.ino() => {
                fs::remove_file(&stored)?;
                Ok(PutBack::Restored)
            }
            _ => Ok(PutBack::Occupied),
        };
    }
    if stored_meta.is_none() {
        return Ok(PutBack::Missing);
    }
    let parent = original
        .parent()
        .ok_or_else(|| io::Error::other("no parent directory"))?;
    fs::create_dir_all(parent)?;
    // A directory on the way could have been swapped for a link to elsewhere.
    if !parent.canonicalize()?.starts_with(root.as_path()) {
        return Err(io::Error::other(
            "its directory now leads outside the cleaned directory",
        ));
    }
    match fs::hard_link(&stored, original) {
        Ok(()) => fs::remove_file(&stored)?,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(PutBack::Occupied),
        // Filesystems without hard links: rename, having just checked the place is free.
        Err(_) => fs::rename(&stored, original)?,
    }
    Ok(PutBack::Restored)
}
