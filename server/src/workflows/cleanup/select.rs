use std::cell::RefCell;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use super::quarantine::QUARANTINE_DIR_NAME;
use super::Criteria;

/// A file selected for cleanup.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub path: PathBuf,
    /// Relative to the cleanup root.
    pub relative: PathBuf,
    pub size: u64,
    pub modified_ms: Option<i64>,
    /// Which file it is: a work list checks it is still the same one.
    pub dev: u64,
    pub ino: u64,
}

/// What the walk passed over, worth telling the user.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct WalkReport {
    /// With `empty_dirs`: directories that hold nothing once the selected
    /// files are gone, children before their parents. Never the root.
    pub empty_dirs: Vec<PathBuf>,
    pub symlinks_skipped: u64,
    pub unreadable: Vec<String>,
    pub unreadable_count: u64,
}

impl WalkReport {
    /// Counts an entry that could not be read, keeping the first few messages.
    fn note_unreadable(&mut self, e: impl std::fmt::Display) {
        self.unreadable_count += 1;
        if self.unreadable.len() < UNREADABLE_SHOWN {
            self.unreadable.push(e.to_string());
        }
    }

    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.symlinks_skipped > 0 {
            out.push(format!(
                "{} symbolic links were left alone (Tend never follows or removes links).",
                self.symlinks_skipped
            ));
        }
        if self.unreadable_count > 0 {
            out.push(format!(
                "{} entries could not be read and were skipped: {}{}",
                self.unreadable_count,
                self.unreadable.join("; "),
                if self.unreadable_count as usize > self.unreadable.len() {
                    "; …"
                } else {
                    ""
                }
            ));
        }
        out
    }
}

const UNREADABLE_SHOWN: usize = 5;

/// Walks the root without following symlinks or crossing into another
/// filesystem, calling `visit` for each regular file that matches, and
/// (with `criteria.empty_dirs`) listing the directories left empty.
///
/// The walk visits a directory before its contents, so that a quarantine
/// or protected directory is never entered: walked contents-first, its
/// files would be seen before the directory could be skipped (and
/// skipping it then skips the rest of its parent instead).
pub fn walk(
    criteria: &Criteria,
    cancelled: &dyn Fn() -> bool,
    mut visit: impl FnMut(Candidate),
) -> WalkReport {
    let mut report = WalkReport::default();
    let root = criteria.root.as_path();
    // Directories that keep something (a file not selected, a link, a
    // protected or unreadable entry): they and their parents stay.
    let keeps: RefCell<HashSet<PathBuf>> = RefCell::new(HashSet::new());
    let keep_ancestors_of = |path: &Path| {
        let mut keeps = keeps.borrow_mut();
        for dir in path.ancestors().skip(1) {
            // Marked before: so are its parents.
            if !keeps.insert(dir.to_path_buf()) || dir == root {
                break;
            }
        }
    };
    let walker = WalkDir::new(root)
        .follow_links(false)
        .same_file_system(true)
        .into_iter()
        .filter_entry(|entry| {
            let quarantine = entry.file_type().is_dir() && entry.file_name() == QUARANTINE_DIR_NAME;
            let skip = quarantine || criteria.protection.covers(entry.path());
            if skip {
                keep_ancestors_of(entry.path());
            }
            !skip
        });
    let mut directories = Vec::new();
    let mut complete = true;
    for entry in walker {
        if cancelled() {
            complete = false;
            break;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                complete = false;
                report.note_unreadable(e);
                continue;
            }
        };
        let file_type = entry.file_type();
        if file_type.is_dir() {
            if entry.path() != root {
                directories.push((entry.depth(), entry.into_path()));
            }
            continue;
        }
        if file_type.is_symlink() {
            report.symlinks_skipped += 1;
            keep_ancestors_of(entry.path());
            continue;
        }
        let selected =
            file_type.is_file() && select(criteria, &entry, root, &mut report, &mut visit);
        if !selected {
            keep_ancestors_of(entry.path());
        }
    }
    // A walk that stopped early or could not list something knows of no
    // directory that is empty.
    if criteria.empty_dirs && complete {
        let keeps = keeps.into_inner();
        directories.retain(|(_, dir)| !keeps.contains(dir));
        // Children before their parents: the deepest first.
        directories.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
        report.empty_dirs = directories.into_iter().map(|(_, dir)| dir).collect();
    }
    report
}

/// Visits a regular file if the criteria select it; returns whether they did.
fn select(
    criteria: &Criteria,
    entry: &walkdir::DirEntry,
    root: &Path,
    report: &mut WalkReport,
    visit: &mut impl FnMut(Candidate),
) -> bool {
    let Ok(relative) = entry.path().strip_prefix(root) else {
        return false;
    };
    let metadata = match entry.metadata() {
        Ok(m) => m,
        Err(e) => {
            report.note_unreadable(e);
            return false;
        }
    };
    let modified = metadata.modified().ok();
    if !criteria.selects_files() || !criteria.matches(relative, metadata.len(), modified) {
        return false;
    }
    visit(Candidate {
        path: entry.path().to_path_buf(),
        relative: relative.to_path_buf(),
        size: metadata.len(),
        modified_ms: modified
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| d.as_millis() as i64),
        dev: std::os::unix::fs::MetadataExt::dev(&metadata),
        ino: std::os::unix::fs::MetadataExt::ino(&metadata),
    });
    true
}
