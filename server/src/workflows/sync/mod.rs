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
mod listing_cache;
mod listing_file;
mod names;
mod twin;

pub use diff::{diff, Change, ChangeKind, Compare, SyncPlan};
pub use listing_cache::ListingCache;

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
    fn compare(&self) -> Compare {
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

/// What a sync would do, as a preview.
pub fn preview(params: &SyncParams, env: &WorkflowEnv) -> Result<PreviewView, WorkflowError> {
    let (source, destination) = check_ends(&env.policy(), &params.source, &params.destination)?;
    let plan = diff(
        &source,
        &destination,
        params.delete_extraneous,
        params.compare(),
        ListingCache::shared(),
        Some(&listings_dir(env)),
        &|| false,
    );
    Ok(plan.preview(params.max_delete))
}

pub fn run(
    params: &SyncParams,
    env: &WorkflowEnv,
    ctx: &TaskContext,
) -> Result<Outcome, WorkflowError> {
    let policy = env.policy();
    let (source, destination) = check_ends(&policy, &params.source, &params.destination)?;
    let destination = policy.create_target(&destination)?;
    let plan = diff(
        &source,
        &destination,
        params.delete_extraneous,
        params.compare(),
        ListingCache::shared(),
        Some(&listings_dir(env)),
        &|| ctx.is_cancelled(),
    );
    if ctx.is_cancelled() {
        return Ok(Outcome::Cancelled {
            summary: "Cancelled while comparing the trees; nothing was changed.".into(),
        });
    }
    apply::apply(&plan, params, ctx, env.undo_retention)
}
