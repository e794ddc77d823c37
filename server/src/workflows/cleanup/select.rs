use std::path::PathBuf;

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
}

/// What the walk passed over, worth telling the user.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct WalkReport {
    pub symlinks_skipped: u64,
    pub unreadable: Vec<String>,
    pub unreadable_count: u64,
}

impl WalkReport {
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
/// filesystem, calling `visit` for each regular file that matches.
pub fn walk(
    criteria: &Criteria,
    cancelled: &dyn Fn() -> bool,
    mut visit: impl FnMut(Candidate),
) -> WalkReport {
    let mut report = WalkReport::default();
    let root = criteria.root.as_path();
    let walker = WalkDir::new(root)
        .follow_links(false)
        .same_file_system(true)
        .into_iter()
        .filter_entry(|entry| {
            let quarantine = entry.file_type().is_dir() && entry.file_name() == QUARANTINE_DIR_NAME;
            !quarantine && !criteria.protection.covers(entry.path())
        });
    for entry in walker {
        if cancelled() {
            break;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                report.unreadable_count += 1;
                if report.unreadable.len() < UNREADABLE_SHOWN {
                    report.unreadable.push(e.to_string());
                }
                continue;
            }
        };
        let file_type = entry.file_type();
        if file_type.is_symlink() {
            report.symlinks_skipped += 1;
            continue;
        }
        if !file_type.is_file() {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let metadata = match entry.metadata() {
            Ok(m) => m,
            Err(e) => {
                report.unreadable_count += 1;
                if report.unreadable.len() < UNREADABLE_SHOWN {
                    report.unreadable.push(e.to_string());
                }
                continue;
            }
        };
        let modified = metadata.modified().ok();
        if criteria.matches(relative, metadata.len(), modified) {
            visit(Candidate {
                path: entry.path().to_path_buf(),
                relative: relative.to_path_buf(),
                size: metadata.len(),
                modified_ms: modified
                    .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
                    .map(|d| d.as_millis() as i64),
            });
        }
    }
    report
}
