//! Quarantine: where cleaned files wait, restorable, instead of being deleted.
//!
//! Layout of one task's quarantine:
//! ```text
//! <base>/task-<id>/meta.json       {"task_id", "root"}: written first, fsynced
//! <base>/task-<id>/files/<rel>     each file at its path relative to the root
//! <base>/task-<id>/manifest.jsonl  one ManifestEntry per moved file
//! ```
//! Files are moved with `rename`, which is atomic and never copies, so the
//! quarantine must sit on the same filesystem as the files: Tend's own
//! `<data_dir>/quarantine` when it does, otherwise a `.tend-quarantine`
//! directory at the top of that filesystem inside the allowed root.
//! A file is renamed first and recorded second; if the process dies between
//! the two, [`Quarantine::open`] finds the unrecorded file on the next
//! attempt and records it, so the manifest always matches the files.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Candidate;
use crate::domain::AllowedPath;

/// Name of the per-filesystem quarantine directory; cleanup never walks into one.
pub const QUARANTINE_DIR_NAME: &str = ".tend-quarantine";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// Where the file was.
    pub original: PathBuf,
    /// Where it is now, relative to the task's quarantine directory.
    pub stored: PathBuf,
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_ms: Option<i64>,
    pub moved_at: i64,
}

/// Directories a cleanup removed, one JSON line each.
pub const DIRS_FILE: &str = "dirs.jsonl";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RemovedDir {
    pub original: PathBuf,
    pub mode: u32,
    pub modified_ms: i64,
}

/// The directories a cleanup removed (a torn last line is ignored).
pub fn removed_dirs(task_dir: &Path) -> io::Result<Vec<RemovedDir>> {
    match fs::read_to_string(task_dir.join(DIRS_FILE)) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Meta {
    task_id: i64,
    root: PathBuf,
}

pub struct Quarantine {
    task_dir: PathBuf,
    files_dir: PathBuf,
    manifest: File,
    made_dirs: HashSet<PathBuf>,
}

/// Writes `path` in full or not at all: through a temporary file, synced,
/// then renamed. A meta.json torn by a full disk would otherwise stay, and
/// a retry (which keeps an existing one) would build on it.
fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temp = path.with_extension("json.tmp");
    let written = File::create(&temp)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| fs::rename(&temp, path));
    if written.is_err() {
        let _ = fs::remove_file(&temp);
    }
    written
}

impl Quarantine {
    /// Opens (creating or resuming) the quarantine of `task_id` for files under `root`.
    pub fn open(
        data_quarantine: &Path,
        task_id: i64,
        root: &AllowedPath,
    ) -> io::Result<Quarantine> {
        let base = choose_base(data_quarantine, root)?;
        super::purge::remember_base(data_quarantine, &base)?;
        let task_dir = base.join(format!("task-{task_id}"));
        let files_dir = task_dir.join("files");
        fs::create_dir_all(&files_dir)?;
        let meta_path = task_dir.join("meta.json");
        if !meta_path.exists() {
            let meta = Meta {
                task_id,
                root: root.as_path().to_path_buf(),
            };
            let bytes = serde_json::to_vec_pretty(&meta).map_err(io::Error::other)?;
            write_whole(&meta_path, &bytes)?;
        }
        let manifest_path = task_dir.join("manifest.jsonl");
        cut_torn_tail(&manifest_path)?;
        let recorded = read_manifest(&manifest_path)?
            .into_iter()
            .map(|e| e.stored)
            .collect::<HashSet<_>>();
        let manifest = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&manifest_path)?;
        let mut quarantine = Quarantine {
            task_dir,
            files_dir,
            manifest,
            made_dirs: HashSet::new(),
        };
        quarantine.record_unrecorded(root.as_path(), &recorded)?;
        Ok(quarantine)
    }

    pub fn task_dir(&self) -> &Path {
        &self.task_dir
    }

    /// Moves one file in (atomic rename), then records it.
    pub fn move_in(&mut self, candidate: &Candidate) -> io::Result<()> {
        let target = self.free_name(&self.files_dir.join(&candidate.relative));
        if let Some(parent) = target.parent() {
            if !self.made_dirs.contains(parent) {
                fs::create_dir_all(parent)?;
                self.made_dirs.insert(parent.to_path_buf());
            }
        }
        fs::rename(&candidate.path, &target)?;
        let stored = target
            .strip_prefix(&self.task_dir)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| target.clone());
        self.record(&ManifestEntry {
            original: candidate.path.clone(),
            stored,
            size: candidate.size,
            modified_ms: candidate.modified_ms,
            moved_at: crate::now_ms(),
        })
    }

    /// Removes a directory if it is empty now, recording it first (in
    /// `dirs.jsonl`) so undo can recreate it. Returns whether it was removed.
    pub fn remove_empty_dir(&mut self, dir: &Path) -> io::Result<bool> {
        let meta = match fs::symlink_metadata(dir) {
            Ok(m) if m.is_dir() => m,
            _ => return Ok(false),
        };
        if fs::read_dir(dir)?.next().is_some() {
            return Ok(false);
        }
        let entry = RemovedDir {
            original: dir.to_path_buf(),
            mode: meta.mode() & 0o7777,
            modified_ms: meta.mtime() * 1000,
        };
        let mut line = serde_json::to_vec(&entry).map_err(io::Error::other)?;
        line.push(b'\n');
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.task_dir.join(DIRS_FILE))?
            .write_all(&line)?;
        match fs::remove_dir(dir) {
            Ok(()) => Ok(true),
            // Not empty any more (something arrived): it stays.
            Err(e) if e.kind() == io::ErrorKind::DirectoryNotEmpty => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Makes the manifest durable.
    pub fn close(&mut self) -> io::Result<()> {
        self.manifest.sync_all()
    }

    /// One `write` per entry: a killed process leaves whole lines (plus at
    /// most one torn tail, which `open` cuts off), never a line split
    /// across buffer flushes.
    fn record(&mut self, entry: &ManifestEntry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.manifest.write_all(&line)
    }

    /// Never overwrite something already in quarantine (a re-created file
    /// cleaned again in the same task): pick `name.1`, `name.2`, ...
    fn free_name(&self, wanted: &Path) -> PathBuf {
        if fs::symlink_metadata(wanted).is_err() {
            return wanted.to_path_buf();
        }
        let mut n = 1u32;
        loop {
            let mut name = wanted.as_os_str().to_os_string();
            name.push(format!(".{n}"));
            let candidate = PathBuf::from(name);
            if fs::symlink_metadata(&candidate).is_err() {
                return candidate;
            }
            n += 1;
        }
    }

    /// Records files that were moved by an earlier, interrupted attempt
    /// but never made it into the manifest.
    fn record_unrecorded(&mut self, root: &Path, recorded: &HashSet<PathBuf>) -> io::Result<()> {
        let mut missing = Vec::new();
        for entry in walkdir::WalkDir::new(&self.files_dir).follow_links(false) {
            let entry = entry.map_err(io::Error::other)?;
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(stored) = entry.path().strip_prefix(&self.task_dir) else {
                continue;
            };
            if recorded.contains(stored) {
                continue;
            }
            let Ok(relative) = entry.path().strip_prefix(&self.files_dir) else {
                continue;
            };
            let metadata = entry.metadata().map_err(io::Error::other)?;
            missing.push(ManifestEntry {
                original: root.join(relative),
                stored: stored.to_path_buf(),
                size: metadata.len(),
                modified_ms: Some(metadata.mtime() * 1000),
                moved_at: crate::now_ms(),
            });
        }
        for entry in &missing {
            self.record(entry)?;
        }
        if !missing.is_empty() {
            self.close()?;
        }
        Ok(())
    }
}

/// Where the quarantine of `task_id` (a cleanup of `root`) lives.
pub fn locate(data_quarantine: &Path, task_id: i64, root: &AllowedPath) -> io::Result<PathBuf> {
    Ok(choose_base(data_quarantine, root)?.join(format!("task-{task_id}")))
}

/// One file put back by an undo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RestoredEntry {
    pub stored: PathBuf,
    pub original: PathBuf,
    pub restored_at: i64,
}

const RESTORED_LOG: &str = "restored.jsonl";

/// Entries still in quarantine: the manifest minus what undo put back.
pub fn pending_entries(task_dir: &Path) -> io::Result<Vec<ManifestEntry>> {
    let restored: HashSet<PathBuf> = read_lines::<RestoredEntry>(&task_dir.join(RESTORED_LOG))?
        .into_iter()
        .map(|r| r.stored)
        .collect();
    Ok(read_manifest(&task_dir.join("manifest.jsonl"))?
        .into_iter()
        .filter(|e| !restored.contains(&e.stored))
        .collect())
}

/// Appends to the log of put-back files (one write per entry, like the manifest).
pub struct RestoredLog {
    file: File,
}

impl RestoredLog {
    pub fn open(task_dir: &Path) -> io::Result<RestoredLog> {
        let path = task_dir.join(RESTORED_LOG);
        cut_torn_tail(&path)?;
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(RestoredLog { file })
    }

    pub fn record(&mut self, entry: &RestoredEntry) -> io::Result<()> {
        let mut line = serde_json::to_vec(entry).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)
    }

    pub fn close(&mut self) -> io::Result<()> {
        self.file.sync_all()
    }
}

/// A crash can leave a half-written last line: cut it off, so the next
/// entry starts on a fresh line. (The file it described is still in
/// quarantine and gets recorded again by `record_unrecorded`.)
fn cut_torn_tail(path: &Path) -> io::Result<()> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if bytes.last().is_some_and(|b| *b != b'\n') {
        let keep = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        OpenOptions::new()
            .write(true)
            .open(path)?
            .set_len(keep as u64)?;
    }
    Ok(())
}

/// Reads a manifest; a torn last line (crash mid-write) is ignored.
pub fn read_manifest(path: &Path) -> io::Result<Vec<ManifestEntry>> {
    read_lines(path)
}

fn read_lines<T: serde::de::DeserializeOwned>(path: &Path) -> io::Result<Vec<T>> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut entries = Vec::new();
    for line in io::BufReader::new(file).lines() {
        let line = line?;
        if let Ok(entry) = serde_json::from_str::<T>(&line) {
            entries.push(entry);
        }
    }
    Ok(entries)
}

/// Tend's quarantine when it shares the root's filesystem, else the highest
/// directory of the root's filesystem that is still inside the allowed root.
fn choose_base(data_quarantine: &Path, root: &AllowedPath) -> io::Result<PathBuf> {
    fs::create_dir_all(data_quarantine)?;
    let device = fs::metadata(root.as_path())?.dev();
    if fs::metadata(data_quarantine)?.dev() == device {
        return Ok(data_quarantine.to_path_buf());
    }
    let mut top = root.as_path();
    while let Some(parent) = top.parent() {
        let same_device = fs::metadata(parent)
            .map(|m| m.dev() == device)
            .unwrap_or(false);
        if parent.starts_with(root.root()) && same_device {
            top = parent;
        } else {
            break;
        }
    }
    Ok(top.join(QUARANTINE_DIR_NAME))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PathPolicy;

    #[test]
    fn moves_records_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let root_dir = dir.path().join("root");
        fs::create_dir_all(root_dir.join("sub")).unwrap();
        let policy = PathPolicy::new([root_dir.clone()], None);
        let root = policy.check_dir(&root_dir.display().to_string()).unwrap();
        let qdir = dir.path().join("quarantine");
        let mut q = Quarantine::open(&qdir, 7, &root).unwrap();
        for content in ["one", "two"] {
            let path = root.as_path().join("sub/a.tmp");
            fs::write(&path, content).unwrap();
            q.move_in(&Candidate {
                path,
                relative: "sub/a.tmp".into(),
                size: 3,
                modified_ms: None,
                dev: 0,
                ino: 0,
            })
            .unwrap();
        }
        q.close().unwrap();
        let task_dir = qdir.join("task-7");
        assert_eq!(
            fs::read_to_string(task_dir.join("files/sub/a.tmp")).unwrap(),
            "one"
        );
        assert_eq!(
            fs::read_to_string(task_dir.join("files/sub/a.tmp.1")).unwrap(),
            "two"
        );
        let manifest = read_manifest(&task_dir.join("manifest.jsonl")).unwrap();
        assert_eq!(manifest.len(), 2);
        assert_eq!(manifest[1].original, root.as_path().join("sub/a.tmp"));
        assert_eq!(manifest[1].stored, PathBuf::from("files/sub/a.tmp.1"));
    }

    #[test]
    fn resuming_records_files_an_interrupted_attempt_moved() {
        let dir = tempfile::tempdir().unwrap();
        let root_dir = dir.path().join("root");
        fs::create_dir_all(&root_dir).unwrap();
        let root = PathPolicy::new([root_dir.clone()], None)
            .check_dir(&root_dir.display().to_string())
            .unwrap();
        let qdir = dir.path().join("q");
        drop(Quarantine::open(&qdir, 1, &root).unwrap());
        // Simulate a crash between rename and record.
        fs::create_dir_all(qdir.join("task-1/files/x")).unwrap();
        fs::write(qdir.join("task-1/files/x/lost.log"), "data").unwrap();
        let mut manifest_file = OpenOptions::new()
            .append(true)
            .open(qdir.join("task-1/manifest.jsonl"))
            .unwrap();
        manifest_file.write_all(b"{\"original\": \"/torn").unwrap();
        drop(Quarantine::open(&qdir, 1, &root).unwrap());
        let text = fs::read_to_string(qdir.join("task-1/manifest.jsonl")).unwrap();
        assert!(!text.contains("torn"), "{text}");
        let manifest = read_manifest(&qdir.join("task-1/manifest.jsonl")).unwrap();
        assert_eq!(manifest.len(), 1);
        assert_eq!(manifest[0].original, root.as_path().join("x/lost.log"));
        assert_eq!(manifest[0].size, 4);
    }
}
