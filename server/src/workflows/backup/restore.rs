//! Restore: a snapshot (latest, or by id), whole or a sub-path, into a
//! target directory. Existing files are never overwritten unless asked.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
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
}

fn engine<E: std::fmt::Display>(context: &str) -> impl Fn(E) -> WorkflowError + '_ {
    move |e| WorkflowError::Engine(format!("{context}: {e}"))
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
    let repo = repository::open(repo_dir.as_path(), &password, false, ByteCounter(counters))?
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
    let listing = repo
        .ls(&node, &LsOptions::default())
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
    for entry in listing {
        let (relative, n) = entry.map_err(engine("Could not list the snapshot"))?;
        if matches!(n.node_type, NodeType::Dir) {
            continue;
        }
        let dest = target.as_path().join(&relative);
        items.push(Item {
            exists: dest.symlink_metadata().is_ok(),
            relative,
            size: n.meta.size,
        });
    }
    Ok((
        Resolved {
            repo,
            snapshot,
            node,
            items,
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
    } = resolved;
    let total_files = items.len() as u64;
    let total_bytes: u64 = items.iter().map(|i| i.size).sum();
    // A single file is restored under its own name inside the target.
    let dest_path = if node.is_dir() {
        target.clone()
    } else {
        target.join(node.name())
    };
    std::fs::create_dir_all(&target).map_err(|source| WorkflowError::Io {
        context: format!("Could not create {}", target.display()),
        source,
    })?;
    let dest = LocalDestination::new(&dest_path.to_string_lossy(), true, !node.is_dir())
        .map_err(engine("Could not prepare the target"))?;
    let listing = repo
        .ls(&node, &LsOptions::default())
        .map_err(engine("Could not list the snapshot"))?;
    let options = RestoreOptions::default();
    let plan = repo
        .prepare_restore(&options, listing.clone(), &dest, false)
        .map_err(engine("Could not plan the restore"))?;

    let progress = |files_done| ProgressView {
        files_done,
        files_total: total_files,
        bytes_done: counters.done.load(Ordering::Relaxed).min(total_bytes),
        bytes_total: total_bytes,
        current: None,
    };
    let result = while_reporting(
        || ctx.progress(&progress(0), false),
        || repo.restore(plan, &options, listing, &dest),
    );
    ctx.progress(
        &progress(if result.is_ok() { total_files } else { 0 }),
        true,
    );
    result.map_err(engine("The restore failed"))?;
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
