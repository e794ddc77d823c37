//! The cleanup's work list: the exact files its preview selected, kept with
//! the plan, so that confirming it moves those files and no others. Before
//! moving each, the run checks it again: the same file (device, inode,
//! size, modification time), still matching, still inside the root and not
//! protected. What changed since the preview is skipped, with a log line.
//!
//! One JSON object per line, in `<data_dir>/work-lists/`. A list is written
//! only when every path is valid UTF-8 (JSON holds text); otherwise the
//! plan keeps none and its run selects again, as a scheduled run does.

use std::fs;
use std::io::{self, BufRead, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Candidate, Criteria};

#[derive(Debug, Serialize, Deserialize)]
struct Entry {
    path: String,
    relative: String,
    size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    modified_ms: Option<i64>,
    dev: u64,
    ino: u64,
}

/// A listed file that is not moved, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: &'static str,
}

/// Writes `selected` as a new list in `dir`; its path, or `None` when a
/// path is not valid UTF-8.
pub fn write(dir: &Path, selected: &[Candidate]) -> io::Result<Option<PathBuf>> {
    let mut lines = String::new();
    for c in selected {
        let (Some(path), Some(relative)) = (c.path.to_str(), c.relative.to_str()) else {
            return Ok(None);
        };
        let entry = Entry {
            path: path.to_string(),
            relative: relative.to_string(),
            size: c.size,
            modified_ms: c.modified_ms,
            dev: c.dev,
            ino: c.ino,
        };
        lines.push_str(&serde_json::to_string(&entry).map_err(io::Error::other)?);
        lines.push('\n');
    }
    fs::create_dir_all(dir)?;
    let name = format!("{}.jsonl", uuid::Uuid::new_v4().simple());
    let temp = dir.join(format!(".{name}.tmp"));
    let mut file = fs::File::create(&temp)?;
    file.write_all(lines.as_bytes())?;
    file.sync_all()?;
    let path = dir.join(name);
    fs::rename(&temp, &path)?;
    Ok(Some(path))
}

/// The listed files still as the preview saw them, and those skipped.
pub fn recheck(list: &Path, criteria: &Criteria) -> io::Result<(Vec<Candidate>, Vec<Skipped>)> {
    let file = fs::File::open(list).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!(
                "the preview's list of files ({}) cannot be read: {e}",
                list.display()
            ),
        )
    })?;
    let (mut kept, mut skipped) = (Vec::new(), Vec::new());
    for line in io::BufReader::new(file).lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let entry: Entry = serde_json::from_str(&line).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", list.display()),
            )
        })?;
        match check(entry, criteria) {
            Ok(candidate) => kept.push(candidate),
            Err(s) => skipped.push(s),
        }
    }
    Ok((kept, skipped))
}

fn check(entry: Entry, criteria: &Criteria) -> Result<Candidate, Skipped> {
    let path = PathBuf::from(&entry.path);
    let skip = |why| Skipped {
        path: path.clone(),
        why,
    };
    let root = criteria.root.as_path();
    // The list is Tend's own, but a path is checked as if it were not.
    let relative = PathBuf::from(&entry.relative);
    if root.join(&relative) != path
        || relative
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err(skip("it is not inside the cleaned directory"));
    }
    if criteria.protection.covers(&path) {
        return Err(skip("it is protected"));
    }
    let meta = match fs::symlink_metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(skip("it is gone")),
        Err(_) => return Err(skip("it cannot be read")),
    };
    if !meta.file_type().is_file() {
        return Err(skip("it is no longer a regular file"));
    }
    let modified = meta.modified().ok();
    let modified_ms = modified
        .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64);
    if meta.dev() != entry.dev
        || meta.ino() != entry.ino
        || meta.len() != entry.size
        || modified_ms != entry.modified_ms
    {
        return Err(skip("it changed since the preview"));
    }
    if !criteria.matches(&relative, meta.len(), modified) {
        return Err(skip("it no longer matches"));
    }
    Ok(Candidate {
        path,
        relative,
        size: meta.len(),
        modified_ms,
        dev: meta.dev(),
        ino: meta.ino(),
    })
}
