//! Carrying out a sync plan: copies in parallel, then deletions.

use std::fs::{self, File};
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use app::api::ProgressView;

use super::diff::{parent_inside, Change, ChangeKind, SyncPlan};
use super::{SyncParams, TEMP_PREFIX, VERSIONS_DIR};
use crate::workflows::watch::TreeWatch;
use crate::workflows::{while_reporting, Outcome, TaskContext, WorkflowError};

/// Parallel copies: a couple per core keeps disks busy without thrashing.
fn copy_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(4)
        .clamp(2, 16)
}

/// Applies `plan`; each directory it makes is added to `watch` (when the
/// comparison is kept) before anything is written into it.
pub fn apply(
    plan: &SyncPlan,
    params: &SyncParams,
    ctx: &TaskContext,
    retention: Option<Duration>,
    watch: Option<&TreeWatch>,
) -> Result<Outcome, WorkflowError> {
    let dst = &plan.destination;
    let versions_root = dst.join(VERSIONS_DIR);
    if let Some(keep) = retention {
        purge_old_versions(&versions_root, keep, ctx);
    }
    // Made by the first file set aside, never before: a mirror that
    // replaces and deletes nothing leaves no versions area behind.
    let versions = versions_root.join(format!("task-{}", ctx.task_id()));
    // A run that was killed leaves its marker (and maybe temporary files);
    // only then is the destination searched for leftovers.
    let marker = dst.join(IN_PROGRESS);
    let older_marker = versions_root.join(OLDER_IN_PROGRESS);
    if marker.exists() || older_marker.exists() {
        remove_stale_temps(dst);
        let _ = fs::remove_file(&older_marker);
    }
    // Only copies write temporary files, so only they need the marker.
    let copies = plan.changes.iter().any(|c| c.kind != ChangeKind::Delete);
    if copies {
        let _ = File::create(&marker);
    }
    let result = apply_marked(plan, params, ctx, &versions, watch);
    // Cancelled or failed runs leave no temporary files either: each copy
    // removes its own on error, so the marker can go whatever happened.
    if copies {
        let _ = fs::remove_file(&marker);
    }
    // An empty versions area (every version in it purged) is only clutter;
    // `remove_dir` leaves one that holds anything.
    let _ = fs::remove_dir(&versions_root);
    result
}

/// Marks a sync under way in the destination. Named like a temporary file,
/// so walks skip it and a leftover goes with the other temporary files.
const IN_PROGRESS: &str = ".tend-tmp-sync-in-progress";
/// The marker's former place, inside the versions area: a destination
/// synced by an older Tend that was killed mid-run still has it.
const OLDER_IN_PROGRESS: &str = "sync-in-progress";

fn apply_marked(
    plan: &SyncPlan,
    params: &SyncParams,
    ctx: &TaskContext,
    versions: &Path,
    watch: Option<&TreeWatch>,
) -> Result<Outcome, WorkflowError> {
    let dst = &plan.destination;

    let copies: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.kind != ChangeKind::Delete)
        .collect();
    // Non-directories standing where a directory must go are moved aside first.
    let blockers: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Delete && plan.directories.contains(&c.relative))
        .collect();
    let deletions: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::Delete && !plan.directories.contains(&c.relative))
        .collect();
    let total = ProgressView {
        files_total: Some(plan.changes.len() as u64),
        bytes_total: plan.bytes_to_copy(),
        ..ProgressView::default()
    };
    ctx.progress(&total, true);

    let io_err = |context: &str| {
        let context = context.to_string();
        move |source| WorkflowError::Io { context, source }
    };
    for b in &blockers {
        keep_version(dst, versions, &b.relative)
            .map_err(io_err("Could not move a file out of a directory's way"))?;
    }
    for dir in &plan.directories {
        fs::create_dir_all(dst.join(dir))
            .map_err(io_err("Could not create a directory in the destination"))?;
        if let Some(watch) = watch {
            watch.watch(&dst.join(dir), dir);
        }
    }

    let done_files = AtomicU64::new(blockers.len() as u64);
    let done_bytes = AtomicU64::new(0);
    let next = AtomicUsize::new(0);
    let failures: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let vanished = AtomicU64::new(0);
    let report = |current: Option<String>, force: bool| {
        ctx.progress(
            &ProgressView {
                files_done: done_files.load(Ordering::Relaxed),
                bytes_done: done_bytes.load(Ordering::Relaxed),
                current,
                ..total.clone()
            },
            force,
        )
    };
    let current: Mutex<Option<String>> = Mutex::new(None);
    let heartbeat = || report(current.lock().ok().and_then(|c| c.clone()), false);
    while_reporting(heartbeat, || {
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..copy_threads().min(copies.len().max(1)))
                .map(|_| {
                    scope.spawn(|| loop {
                        if ctx.is_cancelled() {
                            return;
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(change) = copies.get(i) else { return };
                        let shown = change.relative.display().to_string();
                        if let Ok(mut c) = current.lock() {
                            *c = Some(shown.clone());
                        }
                        let copied = |n: u64| {
                            done_bytes.fetch_add(n, Ordering::Relaxed);
                        };
                        let cancelled = || ctx.is_cancelled();
                        match copy_one(plan, versions, change, &cancelled, &copied) {
                            Ok(()) => {
                                done_files.fetch_add(1, Ordering::Relaxed);
                            }
                            // Cancelled mid-file: the partial copy is gone
                            // and the run ends as cancelled, not failed.
                            Err(e)
                                if e.kind() == io::ErrorKind::Interrupted && ctx.is_cancelled() => {
                            }
                            // Deleted from the source while the sync ran: as
                            // if it had never been there, like rsync's
                            // "vanished" (a later sync removes its old copy).
                            Err(e)
                                if e.kind() == io::ErrorKind::NotFound
                                    && gone(&plan.source.join(&change.relative)) =>
                            {
                                vanished.fetch_add(1, Ordering::Relaxed);
                                ctx.log(
                                    "info",
                                    format!(
                                        "{}: disappeared from the source before it was copied",
                                        change.relative.display()
                                    ),
                                );
                            }
                            Err(e) => {
                                let line = format!("{}: {e}", change.relative.display());
                                ctx.log("file_error", line.clone());
                                if let Ok(mut f) = failures.lock() {
                                    f.push(line);
                                }
                            }
                        }
                        report(Some(shown), false);
                    })
                })
                .collect();
            for worker in workers {
                let _ = worker.join();
            }
        })
    });
    for e in &plan.errors {
        ctx.log("file_error", e.clone());
    }
    let failed = failures.lock().map(|f| f.len()).unwrap_or(0) + plan.errors.len();
    let mut copied = format!(
        "Copied {} of {} files ({}) from {} to {}.",
        done_files.load(Ordering::Relaxed),
        copies.len() + blockers.len(),
        app::format::bytes(done_bytes.load(Ordering::Relaxed)),
        plan.source.display(),
        dst.display()
    );
    match vanished.load(Ordering::Relaxed) {
        0 => {}
        1 => copied.push_str(" 1 file disappeared from the source before it was copied."),
        n => copied.push_str(&format!(
            " {n} files disappeared from the source before they were copied."
        )),
    }
    if ctx.is_cancelled() {
        report(None, true);
        return Ok(Outcome::Cancelled {
            summary: format!("Cancelled. {copied} Nothing was deleted."),
        });
    }
    if failed > 0 {
        report(None, true);
        return Ok(Outcome::PartlyFailed {
            summary: format!("{copied} Nothing was deleted."),
            error: format!("{failed} entries could not be read or copied, so no file was deleted; the task log lists each one."),
        });
    }
    if deletions.len() as u64 > params.max_delete {
        report(None, true);
        return Ok(Outcome::PartlyFailed {
            summary: format!("{copied} Nothing was deleted."),
            error: format!(
                "{} files are missing from the source, more than the limit of {}; none was deleted. Check the source, then raise the limit if this is intended.",
                deletions.len(),
                params.max_delete
            ),
        });
    }
    let mut deleted = 0u64;
    let mut delete_failures = 0u64;
    for change in &deletions {
        if ctx.is_cancelled() {
            break;
        }
        match keep_version(dst, versions, &change.relative) {
            Ok(()) => {
                deleted += 1;
                done_files.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => {
                delete_failures += 1;
                ctx.log("file_error", format!("{}: {e}", change.relative.display()));
            }
        }
        report(Some(change.relative.display().to_string()), false);
    }
    if delete_failures == 0 && !ctx.is_cancelled() {
        // Only directories that are empty by now; anything else stays.
        for dir in &plan.extraneous_directories {
            let _ = fs::remove_dir(dst.join(dir));
        }
    }
    let wrote = !copies.is_empty() || !blockers.is_empty() || !deletions.is_empty();
    if let Err(e) = if wrote { flush(dst) } else { Ok(()) } {
        return Ok(Outcome::PartlyFailed {
            summary: copied.clone(),
            error: format!("The copies could not be flushed to disk: {e}"),
        });
    }
    report(None, true);
    let summary = if deletions.is_empty() {
        copied
    } else {
        format!(
            "{copied} Removed {deleted} files missing from the source (kept in {}).",
            versions.display()
        )
    };
    if ctx.is_cancelled() {
        Ok(Outcome::Cancelled {
            summary: format!("Cancelled. {summary}"),
        })
    } else if delete_failures > 0 {
        Ok(Outcome::PartlyFailed {
            summary,
            error: format!(
                "{delete_failures} files could not be removed; the task log lists each one."
            ),
        })
    } else {
        Ok(Outcome::Succeeded { summary })
    }
}

/// Whether nothing is at `path` any more.
fn gone(path: &Path) -> bool {
    fs::symlink_metadata(path).is_err_and(|e| e.kind() == io::ErrorKind::NotFound)
}

/// Copies one file or link: temp name in the target directory, metadata,
/// then the old version is kept and the new one renamed over it.
fn copy_one(
    plan: &SyncPlan,
    versions: &Path,
    change: &Change,
    cancelled: &dyn Fn() -> bool,
    copied: &dyn Fn(u64),
) -> io::Result<()> {
    let from = plan.source.join(&change.relative);
    let to = plan.destination.join(&change.relative);
    if !parent_inside(&to, &plan.destination) {
        return Err(io::Error::other(
            "its destination directory leads outside the destination",
        ));
    }
    let temp = temp_name(&to);
    if change.is_symlink {
        std::os::unix::fs::symlink(fs::read_link(&from)?, &temp)?;
    } else {
        let meta = fs::symlink_metadata(&from)?;
        if let Err(e) = copy_contents(&from, &temp, &meta, cancelled, copied) {
            let _ = fs::remove_file(&temp);
            return Err(e);
        }
    }
    if change.kind == ChangeKind::Update {
        if let Err(e) = keep_version_link(&plan.destination, versions, &change.relative) {
            let _ = fs::remove_file(&temp);
            return Err(e);
        }
    }
    fs::rename(&temp, &to).inspect_err(|_| {
        let _ = fs::remove_file(&temp);
    })
}

/// Bytes copied between looks at the cancel flag: well under a second on
/// any disk, so cancelling a sync in the middle of a huge file stops within
/// a second instead of after the file.
const COPY_CHUNK: u64 = 64 << 20;

fn copy_contents(
    from: &Path,
    temp: &Path,
    meta: &fs::Metadata,
    cancelled: &dyn Fn() -> bool,
    copied: &dyn Fn(u64),
) -> io::Result<()> {
    let reader = File::open(from)?;
    let mut writer = File::options().write(true).create_new(true).open(temp)?;
    let mut written = 0u64;
    loop {
        if cancelled() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "cancelled"));
        }
        // std::io::copy uses copy_file_range (also through `take`), which
        // reflinks where the filesystem can.
        let step = io::copy(&mut (&reader).take(COPY_CHUNK), &mut writer);
        // Both offsets moved by what was copied, even when the step ended in
        // an error, so the writer's offset says how far the copy got.
        let at = writer.stream_position()?;
        let n = at - written;
        copied(n);
        written = at;
        match step {
            // A signal landing in copy_file_range: that is not the file's
            // fault, and the next step goes on where this one stopped.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
            // Short of a full step means the end of the file (io::copy
            // reads until EOF or the step's limit): no extra call to find
            // that out.
            Ok(_) if n < COPY_CHUNK => break,
            Ok(_) => {}
        }
    }
    writer.set_permissions(meta.permissions())?;
    // No fsync per file: a killed process cannot tear a file that is only
    // renamed into place once written; the whole run is flushed with one
    // syncfs before it reports success (see `flush`).
    writer.set_modified(meta.modified()?)
}

/// Flushes everything written to the destination's filesystem, once.
fn flush(dst: &Path) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let dir = File::open(dst)?;
    // SAFETY: syncfs only reads the descriptor, which `dir` keeps open.
    if unsafe { libc::syncfs(dir.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

fn temp_name(to: &Path) -> PathBuf {
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let unique = uuid::Uuid::new_v4().simple().to_string();
    to.with_file_name(format!("{TEMP_PREFIX}{}-{name}", &unique[..8]))
}

/// Keeps the current destination file as a version (hard link, so the
/// destination keeps its file until the new one replaces it).
fn keep_version_link(dst: &Path, versions: &Path, relative: &Path) -> io::Result<()> {
    let target = versions.join(relative);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)?;
    }
    let _ = fs::remove_file(&target);
    match fs::hard_link(dst.join(relative), &target) {
        Ok(()) => Ok(()),
        // No hard links here (or a link): keep a copy instead.
        Err(_) => {
            let from = dst.join(relative);
            if fs::symlink_metadata(&from)?.file_type().is_symlink() {
                std::os::unix::fs::symlink(fs::read_link(&from)?, &target)
            } else {
                fs::copy(&from, &target).map(|_| ())
            }
        }
    }
}

/// Moves a destination file into the versions area (a deletion that can be undone).
fn keep_version(dst: &Path, versions: &Path, relative: &Path) -> io::Result<()> {
    let target = versions.join(relative);
    if let Some(parent) = target.parent() {
        fs::create_dir_all(parent)?;
    }
    fs::rename(dst.join(relative), target)
}

/// Removes the versions kept by syncs longer ago than `keep` (the same
/// retention as cleanup quarantines), judged by when their task ran.
fn purge_old_versions(versions_root: &Path, keep: Duration, ctx: &TaskContext) {
    let Ok(entries) = fs::read_dir(versions_root) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let is_task_dir = name.to_str().is_some_and(|n| n.starts_with("task-"));
        let old = entry
            .metadata()
            .ok()
            .filter(|m| m.is_dir())
            .and_then(|m| m.modified().ok())
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > keep);
        if is_task_dir && old {
            match fs::remove_dir_all(entry.path()) {
                Ok(()) => ctx.log(
                    "info",
                    format!("Purged old versions {}", entry.path().display()),
                ),
                Err(e) => ctx.log(
                    "file_error",
                    format!("{}: could not purge: {e}", entry.path().display()),
                ),
            }
        }
    }
}

/// Temporary files left by a run that was killed.
fn remove_stale_temps(dst: &Path) {
    for entry in walkdir::WalkDir::new(dst)
        .follow_links(false)
        .into_iter()
        .filter_entry(|e| e.file_name() != VERSIONS_DIR)
        .flatten()
    {
        if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX)
            && !entry.file_type().is_dir()
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    use super::*;
    use crate::domain::{AllowedPath, PathPolicy};
    use crate::workflows::sync::{diff, Compare, ListingCache, SyncPlan};
    use crate::workflows::Report;

    fn compared(source: &AllowedPath, destination: &AllowedPath) -> SyncPlan {
        diff(
            source,
            destination,
            false,
            Compare::SizeAndTime,
            ListingCache::shared(),
            None,
            &|| false,
        )
    }

    #[test]
    fn a_file_deleted_from_the_source_during_the_sync_is_no_failure() {
        let dir = tempfile::tempdir().unwrap();
        let (src, dst) = (dir.path().join("src"), dir.path().join("dst"));
        fs::create_dir_all(&src).unwrap();
        for name in ["a.txt", "b.txt", "c.txt"] {
            fs::write(src.join(name), name).unwrap();
        }
        let policy = PathPolicy::new([dir.path().to_path_buf()], None);
        let source = policy.check_dir(&src.display().to_string()).unwrap();
        let destination = policy.check_target(&dst.display().to_string()).unwrap();
        // As `run` does before it applies a plan.
        let destination = policy.create_target(&destination).unwrap();
        let plan = compared(&source, &destination);
        assert_eq!(plan.changes.len(), 3);
        // Gone between the comparison and the copy.
        fs::remove_file(src.join("b.txt")).unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let ctx = TaskContext::new(1, Arc::new(AtomicBool::new(false)), tx);
        let params = SyncParams {
            source: src.clone(),
            destination: dst.clone(),
            delete_extraneous: false,
            max_delete: 1000,
            checksum: false,
        };
        let outcome = apply(&plan, &params, &ctx, None, None).unwrap();
        let Outcome::Succeeded { summary } = outcome else {
            panic!("{outcome:?}");
        };
        assert!(summary.contains("Copied 2 of 3 files"), "{summary}");
        assert!(
            summary.contains("1 file disappeared from the source"),
            "{summary}"
        );
        assert_eq!(fs::read_to_string(dst.join("a.txt")).unwrap(), "a.txt");
        assert!(!dst.join("b.txt").exists());
        drop(ctx);
        let mut logged = Vec::new();
        while let Ok(report) = rx.try_recv() {
            if let Report::Log { kind, message } = report {
                logged.push((kind, message));
            }
        }
        assert!(
            logged.contains(&(
                "info",
                "b.txt: disappeared from the source before it was copied".into()
            )),
            "{logged:?}"
        );
        // Compared again, the mirror is complete.
        let plan = compared(&source, &destination);
        assert!(plan.changes.is_empty());
    }
}
