//! Cleanup: select files in one directory tree by glob, age and size, and
//! move them into a quarantine (a rename on the same filesystem, never a
//! copy-then-delete) with a manifest that says where each came from.

mod criteria;
pub mod purge;
mod quarantine;
mod select;
pub mod work_list;

use std::path::PathBuf;

use app::api::{PreviewView, ProgressView};
use serde::{Deserialize, Serialize};

pub use criteria::{Criteria, CriteriaError};
pub use quarantine::{
    locate, pending_entries, removed_dirs, ManifestEntry, Quarantine, RemovedDir, RestoredEntry,
    RestoredLog, QUARANTINE_DIR_NAME,
};
pub use select::{walk, Candidate, WalkReport};

use super::{Outcome, TaskContext, WorkflowEnv, WorkflowError};
use crate::domain::AllowedPath;

/// How many paths a preview lists.
pub const PREVIEW_SAMPLE: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CleanupParams {
    /// The tree to clean, canonical as checked when the plan was made.
    pub directory: PathBuf,
    /// Globs; a file matches if any matches (name, or relative path if the glob has a `/`).
    #[serde(default)]
    pub patterns: Vec<String>,
    /// As the user said it, for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older_than_days: Option<f64>,
    /// The age cutoff fixed when the plan was made, so the task touches what
    /// the preview showed rather than whatever aged since.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_before_ms: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_size_bytes: Option<u64>,
    /// Also remove the directories that are (or are left) empty.
    #[serde(default)]
    pub empty_dirs: bool,
    /// The exact files the preview selected ([`work_list`]): the run moves
    /// those (each checked again) instead of selecting anew. None for a
    /// scheduled run, which has no preview, and for a cleanup of empty
    /// directories, which needs the walk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_list: Option<PathBuf>,
}

/// The modification-time cutoff for "older than `days`" seen from `now_ms`.
pub fn cutoff_ms(days: f64, now_ms: i64) -> i64 {
    now_ms - (days.max(0.0) * 86_400_000.0) as i64
}

/// What would be moved, without moving anything.
pub fn preview(criteria: &Criteria) -> PreviewView {
    let (mut preview, _, report) = walk_preview(criteria);
    if criteria.empty_dirs {
        preview.warnings.insert(
            0,
            format!(
                "{} empty directories will be removed (recorded, so undo recreates them).",
                report.empty_dirs.len()
            ),
        );
        for dir in report
            .empty_dirs
            .iter()
            .take(PREVIEW_SAMPLE.saturating_sub(preview.sample_paths.len()))
        {
            preview.sample_paths.push(format!("{}/", dir.display()));
        }
    }
    preview
}

/// The files a run moves: the plan's work list, each checked again, or a
/// fresh selection when there is none. Also the walk's report (empty
/// directories, warnings) and how many listed files were skipped.
fn select_for_run(
    params: &CleanupParams,
    criteria: &Criteria,
    ctx: &TaskContext,
) -> Result<(Vec<Candidate>, WalkReport, usize), WorkflowError> {
    if let Some(list) = &params.work_list {
        let (kept, skipped) =
            work_list::recheck(list, criteria).map_err(|source| WorkflowError::Io {
                context: "Could not read the files the preview selected".into(),
                source,
            })?;
        for s in &skipped {
            ctx.log(
                "info",
                format!("{} was not moved: {}", s.path.display(), s.why),
            );
        }
        return Ok((kept, WalkReport::default(), skipped.len()));
    }
    // Select first so progress has a total; the list is small next to the files.
    let mut selected = Vec::new();
    let report = walk(criteria, &|| ctx.is_cancelled(), |c| selected.push(c));
    for warning in report.warnings() {
        ctx.log("info", warning);
    }
    Ok((selected, report, 0))
}

/// What a preview shows, and the files it selected (for the work list).
pub fn preview_with_list(criteria: &Criteria) -> (PreviewView, Vec<Candidate>) {
    let (preview, selected, _) = walk_preview(criteria);
    (preview, selected)
}

/// One walk: the preview's figures and sample, the files, and the report.
fn walk_preview(criteria: &Criteria) -> (PreviewView, Vec<Candidate>, WalkReport) {
    let mut selected = Vec::new();
    let mut preview = PreviewView {
        file_count: 0,
        total_bytes: 0,
        sample_paths: Vec::new(),
        warnings: Vec::new(),
    };
    let report = walk(criteria, &|| false, |candidate| {
        preview.file_count += 1;
        preview.total_bytes += candidate.size;
        if preview.sample_paths.len() < PREVIEW_SAMPLE {
            preview
                .sample_paths
                .push(candidate.path.display().to_string());
        }
        selected.push(candidate);
    });
    preview.warnings = report.warnings();
    (preview, selected, report)
}

/// Runs a cleanup task (blocking).
pub fn run(
    params: &CleanupParams,
    env: &WorkflowEnv,
    ctx: &TaskContext,
) -> Result<Outcome, WorkflowError> {
    let policy = env.policy();
    let root: AllowedPath = policy.recheck(&params.directory)?;
    let criteria = Criteria::new(params, root.clone(), policy.protection().clone())
        .map_err(|e| WorkflowError::InvalidParams(e.to_string()))?;

    let (selected, report, skipped) = select_for_run(params, &criteria, ctx)?;
    let mut progress = ProgressView {
        files_total: Some(selected.len() as u64),
        bytes_total: selected.iter().map(|c| c.size).sum(),
        ..ProgressView::default()
    };
    ctx.progress(&progress, true);
    if ctx.is_cancelled() {
        return Ok(Outcome::Cancelled {
            summary: "Cancelled before any file was moved.".into(),
        });
    }

    let mut quarantine =
        Quarantine::open(&env.quarantine_dir, ctx.task_id(), &root).map_err(|source| {
            WorkflowError::Io {
                context: "Could not prepare the quarantine".into(),
                source,
            }
        })?;
    let mut failures = 0u64;
    for candidate in &selected {
        if ctx.is_cancelled() {
            break;
        }
        progress.current = Some(candidate.path.display().to_string());
        match quarantine.move_in(candidate) {
            Ok(()) => {
                progress.files_done += 1;
                progress.bytes_done += candidate.size;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // Vanished since selection: nothing to clean, not a failure.
                ctx.log(
                    "info",
                    format!(
                        "{} disappeared before it was moved",
                        candidate.path.display()
                    ),
                );
            }
            Err(e) => {
                failures += 1;
                ctx.log("file_error", format!("{}: {e}", candidate.path.display()));
            }
        }
        ctx.progress(&progress, false);
    }
    let mut dirs_removed = 0u64;
    if !ctx.is_cancelled() {
        for dir in &report.empty_dirs {
            // remove_dir only removes a directory that is empty right now:
            // anything that appeared since the walk keeps it.
            match quarantine.remove_empty_dir(dir) {
                Ok(true) => dirs_removed += 1,
                Ok(false) => {}
                Err(e) => {
                    failures += 1;
                    ctx.log("file_error", format!("{}: {e}", dir.display()));
                }
            }
        }
    }
    quarantine.close().map_err(|source| WorkflowError::Io {
        context: "Could not write the quarantine manifest".into(),
        source,
    })?;
    progress.current = None;
    ctx.progress(&progress, true);

    let mut moved = format!(
        "Moved {} of {} {} ({}) into quarantine at {}.",
        progress.files_done,
        selected.len(),
        if selected.len() == 1 { "file" } else { "files" },
        app::format::bytes(progress.bytes_done),
        quarantine.task_dir().display(),
    );
    if skipped > 0 {
        moved.push_str(&format!(
            " Skipped {skipped} of the files the preview listed: they changed or went since (the task log says which and why)."
        ));
    }
    if dirs_removed > 0 {
        moved.push_str(&format!(" Removed {dirs_removed} empty directories."));
    }
    if ctx.is_cancelled() {
        Ok(Outcome::Cancelled {
            summary: format!("Cancelled. {moved}"),
        })
    } else if failures > 0 {
        Ok(Outcome::PartlyFailed {
            summary: moved,
            error: format!("{failures} files could not be moved; the task log lists each one."),
        })
    } else {
        Ok(Outcome::Succeeded { summary: moved })
    }
}
