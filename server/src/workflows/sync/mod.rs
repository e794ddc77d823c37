//! Sync: a one-way mirror of a source tree into a destination.
//!
//! Every file is written under a temporary name in its final directory and
//! renamed into place, so a destination file is always either the old or the
//! new version, never a torn one. A file about to be overwritten or deleted is
//! first kept in the destination's versions area
//! (`.tend-versions/task-<id>/<relative path>`), so a sync can be undone by
//! hand. Deletions (only when asked) happen after every copy succeeded, and
//! never more than the max-delete guard allows. Symlinks are copied as
//! links, never followed.

mod apply;
mod beneath;
mod diff;
mod kept;
mod listing_cache;
mod listing_file;
mod names;
mod twin;

pub use diff::{diff, diff_and_watch, Change, ChangeKind, Compare, SyncPlan};
pub use kept::{Compared, Freshness, KeptDiffs, Walking};
pub use listing_cache::{keeps_change_times, ListingCache};

use std::path::{Path, PathBuf};

use app::api::PreviewView;
use serde::{Deserialize, Serialize};

use super::{Outcome, TaskContext, WorkflowEnv, WorkflowError};
use crate::domain::{AllowedPath, PathPolicy};

/// Directory in the destination that keeps replaced and deleted files.
pub const VERSIONS_DIR: &str = ".tend-versions";
/// Prefix of in-flight temporary files.
pub const TEMP_PREFIX: &str = ".tend-tmp-";
/// Default cap on deletions in one run.
pub const DEFAULT_MAX_DELETE: u64 = 1000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyncParams {
    pub source: PathBuf,
    pub destination: PathBuf,
    #[serde(default)]
    pub delete_extraneous: bool,
    #[serde(default = "default_max_delete")]
    pub max_delete: u64,
    /// Compare contents (BLAKE3) instead of size + modification time.
    #[serde(default)]
    pub checksum: bool,
}

impl SyncParams {
    pub(crate) fn compare(&self) -> Compare {
        if self.checksum {
            Compare::Content
        } else {
            Compare::SizeAndTime
        }
    }
}

fn default_max_delete() -> u64 {
    DEFAULT_MAX_DELETE
}

/// Checks both ends against the policy and against each other. The
/// destination may be missing (it is created when the sync runs).
pub fn check_ends(
    policy: &PathPolicy,
    source: &Path,
    destination: &Path,
) -> Result<(AllowedPath, AllowedPath), WorkflowError> {
    let source = policy.recheck(source)?;
    let destination = policy.check_target(&destination.to_string_lossy())?;
    if destination.as_path().starts_with(source.as_path())
        || source.as_path().starts_with(destination.as_path())
    {
        return Err(WorkflowError::InvalidParams(format!(
            "{source} and {destination} contain one another; a mirror would copy into itself."
        )));
    }
    Ok((source, destination))
}

/// Where the source listings a sync keeps are saved for a restarted server.
pub fn listings_dir(env: &WorkflowEnv) -> PathBuf {
    env.cache_dir.join("sync-listings")
}

/// What a sync would do, as a preview. Its comparison is kept for the run
/// ([`KeptDiffs`]), which applies it with only what changed since compared
/// again.
pub fn preview(params: &SyncParams, env: &WorkflowEnv) -> Result<PreviewView, WorkflowError> {
    let policy = env.policy();
    let (source, destination) = check_ends(&policy, &params.source, &params.destination)?;
    let ends = (&source, &destination);
    let compared = compared_now(params, env, &policy, ends, true, &|| false);
    let preview = compared.plan.preview(params.max_delete);
    KeptDiffs::shared().keep_previewed(params, compared);
    Ok(preview)
}

/// How the trees of `params` differ now ([`KeptDiffs::compare`]), with the
/// source listings kept in the data directory's cache; a walk sets watches
/// up when `watch_walks`, and stops early when `cancelled` says so.
fn compared_now(
    params: &SyncParams,
    env: &WorkflowEnv,
    policy: &PathPolicy,
    ends: (&AllowedPath, &AllowedPath),
    watch_walks: bool,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Compared {
    let saved_in = listings_dir(env);
    let walking = Walking {
        policy,
        listings: ListingCache::shared(),
        saved_in: Some(&saved_in),
        watch_walks,
        cancelled,
    };
    KeptDiffs::shared().compare(params, ends, &walking)
}

pub fn run(
    params: &SyncParams,
    env: &WorkflowEnv,
    ctx: &TaskContext,
) -> Result<Outcome, WorkflowError> {
    let policy = env.policy();
    let (source, destination) = check_ends(&policy, &params.source, &params.destination)?;
    // Compared before the destination is made, so that its making is the
    // run's own event, not a change since the preview. A run that finds
    // nothing kept walks without watches (see `Walking::watch_walks`).
    let ends = (&source, &destination);
    let compared = compared_now(params, env, &policy, ends, false, &|| ctx.is_cancelled());
    let destination = policy.create_target(&destination)?;
    ctx.log("info", compared.freshness.describe());
    if ctx.is_cancelled() {
        return Ok(Outcome::Cancelled {
            summary: "Cancelled while comparing the trees; nothing was changed.".into(),
        });
    }
    if let Some(watch) = &compared.watch {
        watch.watch(destination.as_path(), Path::new(""));
    }
    let outcome = kept::while_applying(&compared, || {
        apply::apply(
            &compared.plan,
            params,
            ctx,
            env.undo_retention,
            compared.watch.as_ref(),
        )
    });
    if let Ok(done) = &outcome {
        let all_applied = matches!(done, Outcome::Succeeded { .. });
        KeptDiffs::shared().keep_after_run(params, compared, all_applied);
    }
    outcome
}
