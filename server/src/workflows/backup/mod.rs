//! Backup: deduplicated, compressed, encrypted snapshots in a restic-format
//! repository (through rustic_core), readable by the standard `restic` tool
//! with the password Tend keeps in `<data_dir>/secrets/restic.password`.
//!
//! rustic's API is blocking; the worker already runs workflows on a blocking
//! thread. Retention (forget + prune) runs only after a backup that read every
//! file: a partial backup never makes older snapshots go away.

mod kept_walk;
mod progress;
pub mod repository;
pub mod restore;
mod source;
mod unchanged;

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use app::api::{PreviewView, ProgressView};
use rustic_core::{
    jiff::Zoned, repofile::SnapshotFile, BackupOptions, Excludes, KeepOptions, LocalSource,
    LocalSourceFilterOptions, LocalSourceSaveOptions, PruneOptions, SnapshotOptions,
};
use serde::{Deserialize, Serialize};

use super::{while_reporting, Outcome, TaskContext, WorkflowEnv, WorkflowError};
use crate::domain::{AllowedPath, PathPolicy};
use kept_walk::KeptWalks;
use progress::{ByteCounter, Counters};
use repository::RepoState;
use source::{Seen, TrackedSource};
use unchanged::{Fingerprint, LastBackups};

/// Snapshots Tend makes carry this tag (and `task-<id>`, `schedule-<id>`).
pub const TAG: &str = "tend";

/// How many snapshots to keep after a successful backup. All `None`: keep all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Retention {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_last: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_daily: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_weekly: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_monthly: Option<u32>,
}

impl Retention {
    pub fn is_set(&self) -> bool {
        self.keep_last.is_some()
            || self.keep_daily.is_some()
            || self.keep_weekly.is_some()
            || self.keep_monthly.is_some()
    }

    pub fn describe(&self) -> String {
        let parts: Vec<String> = [
            ("last", self.keep_last),
            ("daily", self.keep_daily),
            ("weekly", self.keep_weekly),
            ("monthly", self.keep_monthly),
        ]
        .iter()
        .filter_map(|(name, n)| {
            n.map(|n| match *name {
                "last" => format!("the last {n}"),
                _ => format!("{n} {name}"),
            })
        })
        .collect();
        if parts.is_empty() {
            "keep every snapshot".into()
        } else {
            format!("keep {}", parts.join(", "))
        }
    }

    fn options(&self) -> KeepOptions {
        let n = |v: Option<u32>| v.map(|v| v.min(i32::MAX as u32) as i32);
        KeepOptions::default()
            .keep_last(n(self.keep_last))
            .keep_daily(n(self.keep_daily))
            .keep_weekly(n(self.keep_weekly))
            .keep_monthly(n(self.keep_monthly))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupParams {
    pub source: PathBuf,
    /// The repository directory (created and initialized if missing or empty).
    pub repository: PathBuf,
    /// Globs to leave out (gitignore syntax, relative to the source).
    #[serde(default)]
    pub excludes: Vec<String>,
    /// Honour `.gitignore` and `.tendignore` files in the source.
    #[serde(default = "yes")]
    pub ignore_files: bool,
    #[serde(default)]
    pub retention: Retention,
    /// Set on the runs a schedule queues; their snapshots are tagged with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<i64>,
}

/// Where the fingerprints of the last complete backups live (see
/// `unchanged`): `<data_dir>/cache/backups`, safe to delete.
pub fn fingerprints_dir(env: &WorkflowEnv) -> PathBuf {
    env.cache_dir.join("backups")
}

fn yes() -> bool {
    true
}

/// `tend,task-12` and, for a scheduled run, `schedule-3`: which task and
/// which schedule made a snapshot, for `restic snapshots --tag`.
fn tags(params: &BackupParams, task_id: i64) -> String {
    match params.schedule_id {
        Some(schedule) => format!("{TAG},task-{task_id},schedule-{schedule}"),
        None => format!("{TAG},task-{task_id}"),
    }
}

/// Ignore files read in every directory of the source.
pub const IGNORE_FILE: &str = ".tendignore";

/// Checks the source and the repository directory against the policy and
/// against each other.
pub fn check_ends(
    policy: &PathPolicy,
    source: &Path,
    repository: &Path,
) -> Result<(AllowedPath, AllowedPath), WorkflowError> {
    let source = policy.recheck(source)?;
    let repo = policy.check_target(&repository.to_string_lossy())?;
    if repo.as_path().starts_with(source.as_path()) || source.as_path().starts_with(repo.as_path())
    {
        return Err(WorkflowError::InvalidParams(format!(
            "{source} and {repo} contain one another; a backup cannot be stored inside what it backs up."
        )));
    }
    if repository::state(repo.as_path()) == RepoState::Foreign {
        return Err(repository::not_a_repository(repo.as_path()));
    }
    Ok((source, repo))
}

/// What a backup would read: files and bytes after excludes.
pub fn preview(params: &BackupParams, env: &WorkflowEnv) -> Result<PreviewView, WorkflowError> {
    let (source, repo) = check_ends(&env.policy(), &params.source, &params.repository)?;
    let local = local_source(params, source.as_path())?;
    let mut files = 0u64;
    let mut bytes = 0u64;
    let mut sample = Vec::new();
    // The walk's fingerprint, watched from here on, for the run (`kept_walk`).
    let watch = KeptWalks::watch_for(source.as_path());
    let fingerprint = Fingerprint::default();
    for entry in rustic_core::ReadSource::entries(&local) {
        let Ok(entry) = entry else {
            fingerprint.spoil();
            continue;
        };
        fingerprint.add(&entry.path, &entry.node);
        if let (Some(watch), true) = (&watch, entry.node.is_dir()) {
            // Yielded before the walk reads it, so watched from before.
            let relative = entry
                .path
                .strip_prefix(source.as_path())
                .unwrap_or(&entry.path);
            watch.watch(&entry.path, relative);
        }
        if !entry.node.is_dir() {
            files += 1;
            bytes += entry.node.meta.size;
            if sample.len() < crate::workflows::cleanup::PREVIEW_SAMPLE {
                let shown = entry
                    .path
                    .strip_prefix(source.as_path())
                    .unwrap_or(&entry.path);
                sample.push(shown.display().to_string());
            }
        }
    }
    if let (Some(watch), Some(fingerprint)) = (watch, fingerprint.finish()) {
        KeptWalks::shared().keep(params, fingerprint, watch);
    }
    let state = match repository::state(repo.as_path()) {
        RepoState::Existing => format!(
            "{} is an existing repository: only new and changed data is stored.",
            repo
        ),
        _ => format!(
            "{} will be created as a new restic repository; its password is kept in {}.",
            repo,
            repository::password_path(&env.secrets_dir).display()
        ),
    };
    Ok(PreviewView {
        file_count: files,
        total_bytes: bytes,
        sample_paths: sample,
        warnings: vec![state],
    })
}

fn local_source(params: &BackupParams, source: &Path) -> Result<LocalSource, WorkflowError> {
    let mut excludes = Excludes::default();
    excludes.globs = params.excludes.iter().map(|g| format!("!{g}")).collect();
    let mut filters = LocalSourceFilterOptions::default();
    if params.ignore_files {
        filters.git_ignore = true;
        filters.no_require_git = true;
        filters.custom_ignorefiles = vec![IGNORE_FILE.to_string()];
    }
    LocalSource::new(
        LocalSourceSaveOptions::default(),
        &excludes,
        &filters,
        &[source],
    )
    .map_err(|e| WorkflowError::InvalidParams(format!("The excludes are not valid: {e}")))
}

pub fn run(
    params: &BackupParams,
    env: &WorkflowEnv,
    ctx: &TaskContext,
) -> Result<Outcome, WorkflowError> {
    let (source, repo_dir) = check_ends(&env.policy(), &params.source, &params.repository)?;
    let password = repository::password(&env.secrets_dir).map_err(|source| WorkflowError::Io {
        context: "Could not read or create the repository password".into(),
        source,
    })?;
    let counters = Arc::new(Counters::default());
    let created = repository::state(repo_dir.as_path()) == RepoState::New;
    let repo = repository::open(
        repo_dir.as_path(),
        &password,
        repository::Opening::OrCreate {
            extra_verify: env.backup_extra_verify,
        },
        ByteCounter(counters.clone()),
    )?;
    let snapshot = SnapshotOptions::default()
        .add_tags(&tags(params, ctx.task_id()))
        .and_then(|o| o.to_snapshot())
        .map_err(|e| repository::engine_error("Could not describe the snapshot", &e))?;
    let seen = Arc::new(Seen::default());
    let last = LastBackups::new(
        fingerprints_dir(env),
        &repo.config().id.to_string(),
        source.as_path(),
        &format!("{:?} {}", params.excludes, params.ignore_files),
    );

    // Nothing changed since the last complete backup: the new snapshot is
    // the same tree again (see `unchanged`).
    let walk = local_source(params, source.as_path())?;
    // The preview's walk, when nothing in the source changed since.
    let previewed = KeptWalks::shared().take(params);
    if previewed.is_some() {
        ctx.log(
            "info",
            "Nothing in the source changed since the preview: its walk is used, not repeated.",
        );
    }
    if !created {
        let started = Zoned::now();
        let unchanged = while_reporting(
            || report(ctx, &seen, &counters, false, Walk::Going),
            || {
                last.unchanged_since(&repo, &walk, previewed, &ctx.cancel_flag(), |path, node| {
                    seen.walked(path, node)
                })
            },
        );
        if ctx.is_cancelled() {
            return Ok(cancelled());
        }
        if let Some((previous, fingerprint)) = unchanged {
            let snap = unchanged::save_again(&repo, &previous, snapshot, started)?;
            remember(&last, ctx, &snap, fingerprint);
            let total = snap.summary.as_ref().map_or(0, |s| s.total_bytes_processed);
            counters.total.store(total, Ordering::Relaxed);
            counters.done.store(total, Ordering::Relaxed);
            seen.total_bytes.store(total, Ordering::Relaxed);
            report(ctx, &seen, &counters, true, Walk::Finished);
            let summary = format!(
                "{} Nothing had changed since snapshot {}, so no file was read.",
                describe(&snap, source.as_path(), repo_dir.as_path()),
                short(&previous)
            );
            return finish_with_retention(&repo, &snap, params, summary);
        }
        seen.files.store(0, Ordering::Relaxed);
    }

    let repo = repo
        .to_indexed_ids()
        .map_err(|e| repository::engine_error("Could not read the repository index", &e))?;

    let src = TrackedSource::new(
        walk,
        seen.clone(),
        ctx.cancel_flag(),
        previous_size(&repo, source.as_path()),
    );

    let result = while_reporting(
        || report(ctx, &seen, &counters, false, Walk::Going),
        || {
            repo.archive(
                &BackupOptions::default(),
                &src,
                snapshot,
                &[source.as_path().to_path_buf()],
            )
        },
    );
    report(ctx, &seen, &counters, true, Walk::Going);
    let errors = seen.errors.lock().map(|e| e.clone()).unwrap_or_default();
    for line in &errors {
        ctx.log("file_error", line.clone());
    }

    if ctx.is_cancelled() {
        // The walk stopped early: whatever was saved is not a full backup.
        if let Ok(snap) = &result {
            let _ = repo.delete_snapshots(&[snap.id]);
        }
        return Ok(cancelled());
    }
    let snap = result.map_err(|e| repository::engine_error("The backup failed", &e))?;
    // The byte counter may stop short of the walk's estimate; done is done.
    let total = counters.total.load(Ordering::Relaxed);
    counters.done.store(total, Ordering::Relaxed);
    report(ctx, &seen, &counters, true, Walk::Finished);
    let mut summary = describe(&snap, source.as_path(), repo_dir.as_path());
    if created {
        summary.push_str(&format!(
            " New repository: its password is in {}. Keep a copy somewhere else; without it this backup cannot be restored, by Tend or by restic.",
            repository::password_path(&env.secrets_dir).display()
        ));
    }
    // Only a complete backup may stand for the source next time.
    match seen.fingerprint.finish() {
        Some(fingerprint) if errors.is_empty() => remember(&last, ctx, &snap, fingerprint),
        _ => last.forget(),
    }
    if !errors.is_empty() {
        return Ok(Outcome::PartlyFailed {
            summary: format!("{summary} Old snapshots were left alone."),
            error: format!(
                "{} files could not be read and are missing from snapshot {}; the task log lists each one.",
                errors.len(),
                short(&snap)
            ),
        });
    }
    finish_with_retention(&repo, &snap, params, summary)
}

/// Notes a complete backup for the next one's shortcut; failing that only
/// costs the shortcut, so it is a warning in the task's log.
fn remember(last: &LastBackups, ctx: &TaskContext, snap: &SnapshotFile, fingerprint: String) {
    if let Err(e) = last.remember(snap, fingerprint) {
        ctx.log(
            "warning",
            format!("Could not note this backup for the next one: {e}"),
        );
    }
}

fn cancelled() -> Outcome {
    Outcome::Cancelled {
        summary:
            "Cancelled; no snapshot was kept. Data already uploaded is reused by the next backup."
                .into(),
    }
}

/// Retention, applied after a successful backup, never before.
fn finish_with_retention<S: rustic_core::Open>(
    repo: &rustic_core::Repository<S>,
    snap: &SnapshotFile,
    params: &BackupParams,
    mut summary: String,
) -> Result<Outcome, WorkflowError> {
    if params.retention.is_set() {
        match apply_retention(repo, snap, &params.retention) {
            Ok(0) => summary.push_str(&format!(
                " Retention ({}): nothing to forget.",
                params.retention.describe()
            )),
            Ok(n) => summary.push_str(&format!(
                " Retention ({}): forgot {n} older snapshots and pruned their data.",
                params.retention.describe()
            )),
            Err(e) => {
                return Ok(Outcome::PartlyFailed {
                    summary,
                    error: format!("The backup is saved, but applying retention failed: {e}"),
                })
            }
        }
    }
    Ok(Outcome::Succeeded { summary })
}

/// Bytes in the latest snapshot of this source, if there is one.
fn previous_size<S: rustic_core::Open>(
    repo: &rustic_core::Repository<S>,
    source: &Path,
) -> Option<u64> {
    let wanted = source.to_string_lossy();
    repo.get_all_snapshots()
        .ok()?
        .into_iter()
        .filter(|s| s.paths.iter().any(|p| *p == wanted))
        .max_by(|a, b| a.time.cmp(&b.time))
        .and_then(|s| s.summary.map(|sum| sum.total_bytes_processed))
}

/// Whether the walk has seen every file, which makes its count the total.
#[derive(Clone, Copy, PartialEq)]
enum Walk {
    Going,
    Finished,
}

fn report(ctx: &TaskContext, seen: &Seen, counters: &Counters, force: bool, walk: Walk) {
    let total = counters
        .total
        .load(Ordering::Relaxed)
        .max(seen.total_bytes.load(Ordering::Relaxed));
    let files_done = seen.files.load(Ordering::Relaxed);
    ctx.progress(
        &ProgressView {
            files_done,
            // Unknown until the walk ends; the bytes carry the progress bar.
            files_total: (walk == Walk::Finished).then_some(files_done),
            bytes_done: counters.done.load(Ordering::Relaxed).min(total),
            bytes_total: total,
            current: seen
                .current
                .lock()
                .ok()
                .and_then(|c| c.as_ref().map(|p| p.display().to_string())),
        },
        force,
    );
}

fn short(snap: &SnapshotFile) -> String {
    snap.id.to_string().chars().take(8).collect()
}

fn describe(snap: &SnapshotFile, source: &Path, repo: &Path) -> String {
    let (files, bytes, added) = snap
        .summary
        .as_ref()
        .map(|s| {
            (
                s.total_files_processed,
                s.total_bytes_processed,
                s.data_added,
            )
        })
        .unwrap_or_default();
    format!(
        "Backed up {files} files ({}) from {} to {} as snapshot {} ({} of new data).",
        app::format::bytes(bytes),
        source.display(),
        repo.display(),
        short(snap),
        app::format::bytes(added)
    )
}

/// Forgets this source's snapshots that the policy does not keep, then
/// prunes the data only they used. Returns how many were forgotten.
fn apply_retention<S: rustic_core::Open>(
    repo: &rustic_core::Repository<S>,
    latest: &SnapshotFile,
    retention: &Retention,
) -> Result<usize, String> {
    let same_source: Vec<SnapshotFile> = repo
        .get_all_snapshots()
        .map_err(|e| repository::in_words(&e))?
        .into_iter()
        .filter(|s| s.paths == latest.paths && s.hostname == latest.hostname)
        .collect();
    let decisions = retention
        .options()
        .apply(same_source, &Zoned::now())
        .map_err(|e| repository::in_words(&e))?;
    let forget: Vec<_> = decisions
        .into_iter()
        .filter(|d| !d.keep && d.snapshot.id != latest.id)
        .map(|d| d.snapshot.id)
        .collect();
    if forget.is_empty() {
        return Ok(0);
    }
    repo.delete_snapshots(&forget)
        .map_err(|e| repository::in_words(&e))?;
    let options = PruneOptions::default();
    let plan = repo
        .prune_plan(&options)
        .map_err(|e| repository::in_words(&e))?;
    repo.prune(&options, plan)
        .map_err(|e| repository::in_words(&e))?;
    Ok(forget.len())
}
