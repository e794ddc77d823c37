//! A backup of a source that has not changed since Tend last backed it up.
//!
//! rustic finds "nothing changed" the long way: it walks the source, loads
//! every tree of the parent snapshot and hands each of the source's entries
//! to its worker threads and back (for 50,000 files, seconds spent mostly in
//! thread hand-offs). Tend remembers, per repository and source, a
//! fingerprint of exactly what the last complete backup archived: every
//! entry's path and the metadata rustic recorded for it (type, size, mode,
//! owner, inode, mtime and ctime, xattrs). A write, chmod, chown, rename or
//! xattr change moves a file's ctime, so an equal fingerprint means rustic
//! would store the very same tree again. Then the new snapshot simply points
//! at that tree, after one walk of the source and no reading of file data.
//!
//! Anything unusual (no record, a different fingerprint, an unreadable
//! entry, the recorded snapshot forgotten) falls back to the full backup.

use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rustic_core::jiff;
use rustic_core::repofile::{Node, SnapshotFile, SnapshotSummary};
use rustic_core::{LocalSource, Open, ReadSource, Repository};
use serde::{Deserialize, Serialize};

use super::repository::engine_error;
use crate::workflows::WorkflowError;

/// Changes when what the fingerprint covers, or what rustic stores for an
/// entry, may have changed: old records then never match.
const FORMAT: &str = "tend-unchanged-1 rustic_core-0.13";

/// The fingerprint of a walk, fed one entry at a time in walk order.
#[derive(Debug)]
pub struct Fingerprint {
    hasher: Mutex<Option<blake3::Hasher>>,
}

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint {
            hasher: Mutex::new(Some(blake3::Hasher::new())),
        }
    }
}

impl Fingerprint {
    pub fn add(&self, path: &Path, node: &Node) {
        let mut guard = self.hasher.lock().unwrap_or_else(|p| p.into_inner());
        let Some(hasher) = guard.as_mut() else {
            return;
        };
        match serde_json::to_vec(node) {
            Ok(metadata) => {
                framed(hasher, path.as_os_str().as_bytes());
                framed(hasher, &metadata);
            }
            Err(_) => *guard = None,
        }
    }

    /// An entry could not be read: this walk has no fingerprint.
    pub fn spoil(&self) {
        *self.hasher.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    pub fn finish(&self) -> Option<String> {
        let guard = self.hasher.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().map(|h| h.finalize().to_hex().to_string())
    }
}

/// Hashes `bytes` with its length first, so that no two sequences of
/// parts hash alike.
fn framed(hasher: &mut blake3::Hasher, bytes: &[u8]) {
    hasher.update(&(bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

/// What the last complete backup of a source into a repository archived.
#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Record {
    snapshot: String,
    tree: String,
    fingerprint: String,
}

/// Where the records live: `<data_dir>/cache/backups`, one small file per
/// repository, source and set of excludes. Safe to delete.
pub struct LastBackups {
    dir: PathBuf,
    key: String,
}

impl LastBackups {
    pub fn new(dir: PathBuf, repository_id: &str, source: &Path, options: &str) -> LastBackups {
        let mut hasher = blake3::Hasher::new();
        for part in [
            FORMAT.as_bytes(),
            repository_id.as_bytes(),
            source.as_os_str().as_bytes(),
            options.as_bytes(),
        ] {
            framed(&mut hasher, part);
        }
        LastBackups {
            dir,
            key: hasher.finalize().to_hex()[..32].to_string(),
        }
    }

    fn file(&self) -> PathBuf {
        self.dir.join(format!("{}.json", self.key))
    }

    fn load(&self) -> Option<Record> {
        serde_json::from_slice(&std::fs::read(self.file()).ok()?).ok()
    }

    /// Remembers a complete backup (atomically: a crash leaves the old record).
    pub fn remember(&self, snapshot: &SnapshotFile, fingerprint: String) -> std::io::Result<()> {
        let record = Record {
            snapshot: snapshot.id.to_string(),
            tree: snapshot.tree.to_string(),
            fingerprint,
        };
        std::fs::create_dir_all(&self.dir)?;
        let mut temp = tempfile::NamedTempFile::new_in(&self.dir)?;
        temp.write_all(&serde_json::to_vec(&record).map_err(std::io::Error::other)?)?;
        temp.persist(self.file()).map_err(|e| e.error)?;
        Ok(())
    }

    /// Forgets the record, when a backup did not complete.
    pub fn forget(&self) {
        let _ = std::fs::remove_file(self.file());
    }

    /// The snapshot the last complete backup made (and the fingerprint), if
    /// the source still looks exactly as it did then and the repository
    /// still has that snapshot. The source's fingerprint is `previewed`
    /// (the preview's walk, nothing changed since) or taken by walking it;
    /// `walked` is called per entry of that walk, for progress.
    pub fn unchanged_since<S: Open>(
        &self,
        repo: &Repository<S>,
        source: &LocalSource,
        previewed: Option<String>,
        cancel: &AtomicBool,
        walked: impl Fn(&Path, &Node),
    ) -> Option<(SnapshotFile, String)> {
        let record = self.load()?;
        let fingerprint = match previewed {
            Some(fingerprint) => fingerprint,
            None => walk_fingerprint(source, cancel, walked)?,
        };
        if fingerprint != record.fingerprint {
            return None;
        }
        let snapshot =
            repo.get_all_snapshots().ok()?.into_iter().find(|s| {
                s.id.to_string() == record.snapshot && s.tree.to_string() == record.tree
            })?;
        Some((snapshot, fingerprint))
    }
}

/// The fingerprint of a walk of `source`; `None` when an entry cannot be
/// read or the walk is cancelled.
fn walk_fingerprint(
    source: &LocalSource,
    cancel: &AtomicBool,
    walked: impl Fn(&Path, &Node),
) -> Option<String> {
    let fingerprint = Fingerprint::default();
    for entry in source.entries() {
        if cancel.load(Ordering::Relaxed) {
            return None;
        }
        let entry = entry.ok()?;
        walked(&entry.path, &entry.node);
        fingerprint.add(&entry.path, &entry.node);
    }
    fingerprint.finish()
}

/// A new snapshot of the same tree as `previous`, made now, with `fresh`'s
/// host, time and tags; saved, and returned with its id.
pub fn save_again<S: Open>(
    repo: &Repository<S>,
    previous: &SnapshotFile,
    mut fresh: SnapshotFile,
    started: jiff::Zoned,
) -> Result<SnapshotFile, WorkflowError> {
    fresh.paths = previous.paths.clone();
    fresh.tree = previous.tree;
    fresh.parent = Some(previous.id);
    fresh.parents = vec![previous.id];
    // The same totals, all unmodified; every "new" and "added" count zero.
    let before = previous.summary.clone().unwrap_or_default();
    let mut summary = SnapshotSummary::default();
    summary.total_files_processed = before.total_files_processed;
    summary.total_bytes_processed = before.total_bytes_processed;
    summary.total_dirs_processed = before.total_dirs_processed;
    summary.total_dirsize_processed = before.total_dirsize_processed;
    summary.files_unmodified = before.total_files_processed;
    summary.dirs_unmodified = before.total_dirs_processed;
    summary.command = before.command;
    let ended = jiff::Zoned::now();
    summary.backup_duration = (ended.timestamp() - started.timestamp())
        .total(jiff::Unit::Second)
        .unwrap_or(0.0);
    summary.total_duration = summary.backup_duration;
    summary.backup_start = started;
    summary.backup_end = ended;
    fresh.summary = Some(summary);
    let time = fresh.time.clone();
    let tree = fresh.tree;
    let failed = |e: Box<rustic_core::RusticError>| engine_error("The backup failed", &e);
    repo.save_snapshots(vec![fresh]).map_err(failed)?;
    // rustic names a snapshot by the hash of its file; find it back.
    repo.get_all_snapshots()
        .map_err(failed)?
        .into_iter()
        .find(|s| s.time == time && s.tree == tree && s.parent == Some(previous.id))
        .ok_or_else(|| {
            WorkflowError::Engine(
                "The backup failed: the new snapshot is not in the repository".into(),
            )
        })
}
