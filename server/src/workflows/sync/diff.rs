//! Comparing source and destination: what to copy, update and delete.
//!
//! The source is walked in parallel, each entry looked up in its
//! destination twin ([`SourceWalk`]); a mirror copies hidden files and
//! ignores no `.gitignore`. With deletions asked for, the destination is
//! walked too (the `ignore` crate, all filters off) to find what the source
//! lacks.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::fs::{self, Metadata};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use app::api::PreviewView;
use ignore::{WalkBuilder, WalkState};

use super::twin::{Twin, TwinDir, TwinStat};
use super::{TEMP_PREFIX, VERSIONS_DIR};
use crate::domain::AllowedPath;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    /// Not in the destination yet.
    Create,
    /// Differs in size or modification time (or content, when hashing).
    Update,
    /// In the destination only (with delete_extraneous).
    Delete,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub kind: ChangeKind,
    pub relative: PathBuf,
    /// Bytes to copy (0 for deletions and links).
    pub size: u64,
    pub is_symlink: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SyncPlan {
    pub source: PathBuf,
    pub destination: PathBuf,
    /// Directories to create in the destination, parents first.
    pub directories: Vec<PathBuf>,
    pub changes: Vec<Change>,
    pub unchanged: u64,
    /// Entries neither file, directory nor link (sockets, devices): skipped.
    pub skipped: Vec<PathBuf>,
    /// Destination directories the source lacks, deepest first: removed
    /// after the deletions when they are empty by then.
    pub extraneous_directories: Vec<PathBuf>,
    /// Entries that could not be read. Any of these disables deletions: a
    /// source directory we could not list must not look like one that is gone.
    pub errors: Vec<String>,
}

/// How to decide that a destination file is already up to date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    /// Size and modification time (to the second), like rsync's default.
    SizeAndTime,
    /// Size, then a BLAKE3 hash of both files' contents.
    Content,
}

impl SyncPlan {
    pub fn count(&self, kind: ChangeKind) -> u64 {
        self.changes.iter().filter(|c| c.kind == kind).count() as u64
    }

    pub fn bytes_to_copy(&self) -> u64 {
        self.changes
            .iter()
            .filter(|c| c.kind != ChangeKind::Delete)
            .map(|c| c.size)
            .sum()
    }

    pub fn preview(&self, max_delete: u64) -> PreviewView {
        let sample = self
            .changes
            .iter()
            .take(crate::workflows::cleanup::PREVIEW_SAMPLE)
            .map(|c| {
                let mark = match c.kind {
                    ChangeKind::Create => "+",
                    ChangeKind::Update => "~",
                    ChangeKind::Delete => "-",
                };
                format!("{mark} {}", c.relative.display())
            })
            .collect();
        let mut warnings = vec![format!(
            "{} new, {} updated, {} deleted, {} unchanged.",
            self.count(ChangeKind::Create),
            self.count(ChangeKind::Update),
            self.count(ChangeKind::Delete),
            self.unchanged
        )];
        if self.count(ChangeKind::Delete) > max_delete {
            warnings.push(format!(
                "{} deletions exceed the limit of {max_delete}: the sync will copy but refuse to delete.",
                self.count(ChangeKind::Delete)
            ));
        }
        if !self.skipped.is_empty() {
            warnings.push(format!(
                "{} special files (sockets, devices) are skipped.",
                self.skipped.len()
            ));
        }
        if !self.errors.is_empty() {
            warnings.push(format!(
                "{} entries cannot be read (first: {}); nothing will be deleted.",
                self.errors.len(),
                self.errors[0]
            ));
        }
        PreviewView {
            file_count: self.changes.len() as u64,
            total_bytes: self.bytes_to_copy(),
            sample_paths: sample,
            warnings,
        }
    }
}

fn is_ours(name: &OsStr) -> bool {
    name == VERSIONS_DIR || name.to_str().is_some_and(|n| n.starts_with(TEMP_PREFIX))
}

fn walker(root: &Path) -> ignore::WalkParallel {
    WalkBuilder::new(root)
        .standard_filters(false)
        .follow_links(false)
        .same_file_system(false)
        .threads(walk_threads())
        .filter_entry(|e| !is_ours(e.file_name()))
        .build_parallel()
}

/// Metadata calls wait on the disk, not the CPU: more threads than cores help.
fn walk_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(4)
        .clamp(2, 16)
}

/// One source entry, classified against its destination twin.
enum Seen {
    /// A directory the destination lacks.
    Directory(PathBuf),
    /// A directory both sides have: no change, but part of the source.
    ExistingDirectory(PathBuf),
    /// A directory in the source where the destination has a file or link.
    DirectoryReplacingFile(PathBuf),
    Change(Change),
    Unchanged(PathBuf),
    Special(PathBuf),
    Error(String),
}

pub fn diff(
    source: &AllowedPath,
    destination: &AllowedPath,
    delete_extraneous: bool,
    compare: Compare,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> SyncPlan {
    let (src_root, dst_root) = (source.as_path(), destination.as_path());
    let seen: Mutex<Vec<Seen>> = Mutex::new(Vec::new());
    // On a re-run almost every entry is unchanged. Their names matter only
    // to tell extraneous destination entries apart; without deletions they
    // are merely counted, so the walk's threads share no lock for them.
    let unchanged = AtomicU64::new(0);
    let walk = SourceWalk {
        src_root,
        dst_root,
        compare,
        cancelled,
        keep: &|item| match item {
            Seen::Unchanged(_) if !delete_extraneous => {
                unchanged.fetch_add(1, Ordering::Relaxed);
            }
            Seen::ExistingDirectory(_) if !delete_extraneous => {}
            item => push(&seen, item),
        },
    };
    walk.run();

    let mut plan = SyncPlan {
        source: src_root.to_path_buf(),
        destination: dst_root.to_path_buf(),
        unchanged: unchanged.into_inner(),
        ..SyncPlan::default()
    };
    let mut in_source: HashSet<PathBuf> = HashSet::new();
    for item in seen.into_inner().unwrap_or_else(|p| p.into_inner()) {
        match item {
            Seen::Directory(rel) => {
                in_source.insert(rel.clone());
                plan.directories.push(rel);
            }
            Seen::ExistingDirectory(rel) => {
                in_source.insert(rel);
            }
            Seen::DirectoryReplacingFile(rel) => {
                in_source.insert(rel.clone());
                plan.changes.push(Change {
                    kind: ChangeKind::Delete,
                    relative: rel.clone(),
                    size: 0,
                    is_symlink: false,
                });
                plan.directories.push(rel);
            }
            Seen::Change(change) => {
                in_source.insert(change.relative.clone());
                plan.changes.push(change);
            }
            Seen::Unchanged(rel) => {
                in_source.insert(rel);
                plan.unchanged += 1;
            }
            Seen::Special(rel) => {
                in_source.insert(rel.clone());
                plan.skipped.push(rel);
            }
            Seen::Error(e) => plan.errors.push(e),
        }
    }
    if delete_extraneous && dst_root.is_dir() && !cancelled() {
        for (relative, kind) in extraneous(dst_root, &in_source, &mut plan.errors) {
            match kind {
                Extra::Directory => plan.extraneous_directories.push(relative),
                Extra::File { is_symlink } => plan.changes.push(Change {
                    kind: ChangeKind::Delete,
                    relative,
                    size: 0,
                    is_symlink,
                }),
            }
        }
    }
    plan.directories.sort();
    plan.changes.sort_by(|a, b| a.relative.cmp(&b.relative));
    plan.skipped.sort();
    // Deepest first, so a parent is tried after its children are gone.
    plan.extraneous_directories.sort_by(|a, b| {
        b.components()
            .count()
            .cmp(&a.components().count())
            .then(b.cmp(a))
    });
    plan
}

fn push<T>(list: &Mutex<Vec<T>>, item: T) {
    list.lock().unwrap_or_else(|p| p.into_inner()).push(item);
}

/// The source side of the comparison: a parallel walk that reads each
/// source directory once and looks each entry up in the destination twin
/// held open ([`TwinDir`]). Every `stat` is relative to an open directory
/// (`DirEntry::metadata` is `statx(dirfd, name)`), and directories need
/// none (their type comes with the listing): an unchanged re-run is two
/// `stat`s per file and a listing per directory.
struct SourceWalk<'a> {
    src_root: &'a Path,
    dst_root: &'a Path,
    compare: Compare,
    cancelled: &'a (dyn Fn() -> bool + Sync),
    keep: &'a (dyn Fn(Seen) + Sync),
}

impl SourceWalk<'_> {
    fn run(&self) {
        let root = match TwinDir::open(self.dst_root) {
            Twin::Directory(dir) => Some(dir),
            Twin::NotDirectory | Twin::Missing => None,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(walk_threads())
            .thread_name(|n| format!("tend-sync-walk-{n}"))
            .build();
        match pool {
            Ok(pool) => pool.scope(|scope| self.directory(scope, PathBuf::new(), root)),
            // Without threads the walk still runs, on this one.
            Err(_) => rayon::scope(|scope| self.directory(scope, PathBuf::new(), root)),
        }
    }

    /// Compares the source directory `relative` with its destination twin
    /// (`None` when the destination has no directory there), and walks its
    /// subdirectories as tasks of their own.
    fn directory<'s>(&'s self, scope: &rayon::Scope<'s>, relative: PathBuf, twin: Option<TwinDir>) {
        if (self.cancelled)() {
            return;
        }
        let entries = match fs::read_dir(self.src_root.join(&relative)) {
            Ok(entries) => entries,
            Err(e) => return (self.keep)(Seen::Error(format!("{}: {e}", shown(&relative)))),
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    (self.keep)(Seen::Error(format!("{}: {e}", shown(&relative))));
                    continue;
                }
            };
            let name = entry.file_name();
            if is_ours(&name) {
                continue;
            }
            let child = relative.join(&name);
            match entry.file_type() {
                Ok(t) if t.is_dir() => {
                    let sub = twin.as_ref().map_or(Twin::Missing, |t| t.child(&name));
                    let (item, sub) = match sub {
                        Twin::Directory(dir) => (Seen::ExistingDirectory(child.clone()), Some(dir)),
                        Twin::NotDirectory => (Seen::DirectoryReplacingFile(child.clone()), None),
                        Twin::Missing => (Seen::Directory(child.clone()), None),
                    };
                    (self.keep)(item);
                    scope.spawn(move |scope| self.directory(scope, child, sub));
                }
                Ok(_) => (self.keep)(self.classify(&entry, &name, child, twin.as_ref())),
                Err(e) => (self.keep)(Seen::Error(format!("{}: {e}", child.display()))),
            }
        }
    }

    /// One source entry that is not a directory, against its destination
    /// twin (if any).
    fn classify(
        &self,
        entry: &fs::DirEntry,
        name: &OsStr,
        relative: PathBuf,
        twin: Option<&TwinDir>,
    ) -> Seen {
        let src_meta = match entry.metadata() {
            Ok(m) => m,
            Err(e) => return Seen::Error(format!("{}: {e}", relative.display())),
        };
        let file_type = src_meta.file_type();
        if !(file_type.is_file() || file_type.is_symlink()) {
            return Seen::Special(relative);
        }
        let dst = match twin.map(|t| t.stat(name)).transpose() {
            Ok(found) => found.flatten(),
            Err(e) => return Seen::Error(format!("{}: {e}", relative.display())),
        };
        let dst_path = || self.dst_root.join(&relative);
        let is_symlink = file_type.is_symlink();
        let kind = match dst {
            None => Some(ChangeKind::Create),
            Some(d) if d.is_dir => {
                return Seen::Error(format!(
                    "{} is a directory in the destination but a file in the source; move it aside first",
                    dst_path().display()
                ))
            }
            Some(d) if is_symlink => {
                let same_link =
                    d.is_symlink && fs::read_link(dst_path()).ok() == fs::read_link(entry.path()).ok();
                (!same_link).then_some(ChangeKind::Update)
            }
            Some(d) if d.is_symlink => Some(ChangeKind::Update),
            Some(d) => match up_to_date(entry, &src_meta, dst_path, &d, self.compare) {
                Ok(true) => None,
                Ok(false) => Some(ChangeKind::Update),
                Err(e) => return Seen::Error(format!("{}: {e}", relative.display())),
            },
        };
        match kind {
            Some(kind) => Seen::Change(Change {
                kind,
                relative,
                size: if is_symlink { 0 } else { src_meta.len() },
                is_symlink,
            }),
            None => Seen::Unchanged(relative),
        }
    }
}

/// A relative directory for messages ("." for the root).
fn shown(relative: &Path) -> String {
    if relative.as_os_str().is_empty() {
        ".".into()
    } else {
        relative.display().to_string()
    }
}

/// Whether the destination twin already holds the source file. The paths
/// are built only to hash: a size-and-time comparison, the common one,
/// allocates nothing per file.
fn up_to_date(
    src: &fs::DirEntry,
    src_meta: &Metadata,
    dst: impl FnOnce() -> PathBuf,
    dst_meta: &TwinStat,
    compare: Compare,
) -> io::Result<bool> {
    if src_meta.len() != dst_meta.len {
        return Ok(false);
    }
    match compare {
        Compare::SizeAndTime => Ok(src_meta.mtime() == dst_meta.mtime),
        Compare::Content => Ok(hash_file(&src.path())? == hash_file(&dst())?),
    }
}

fn hash_file(path: &Path) -> io::Result<blake3::Hash> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(fs::File::open(path)?)?;
    Ok(hasher.finalize())
}

enum Extra {
    Directory,
    File { is_symlink: bool },
}

/// Destination entries that the source does not have.
fn extraneous(
    dst_root: &Path,
    in_source: &HashSet<PathBuf>,
    errors: &mut Vec<String>,
) -> Vec<(PathBuf, Extra)> {
    let found: Mutex<Vec<Result<(PathBuf, Extra), String>>> = Mutex::new(Vec::new());
    walker(dst_root).run(|| {
        let found = &found;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) if e.depth() == 0 => return WalkState::Continue,
                Ok(e) => e,
                Err(e) => {
                    push(found, Err(e.to_string()));
                    return WalkState::Continue;
                }
            };
            let Ok(relative) = entry.path().strip_prefix(dst_root) else {
                return WalkState::Continue;
            };
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if !in_source.contains(relative) {
                // A directory gone from the source: its files are listed one
                // by one as the walk goes on; the directory goes once empty.
                let kind = if is_dir {
                    Extra::Directory
                } else {
                    Extra::File {
                        is_symlink: entry.path_is_symlink(),
                    }
                };
                push(found, Ok((relative.to_path_buf(), kind)));
            }
            WalkState::Continue
        })
    });
    let mut out = Vec::new();
    for item in found.into_inner().unwrap_or_else(|p| p.into_inner()) {
        match item {
            Ok(x) => out.push(x),
            Err(e) => errors.push(e),
        }
    }
    out
}

/// Whether `path` is inside `root` after resolving its parent (guards
/// against a destination directory swapped for a link mid-run).
pub fn parent_inside(path: &Path, root: &Path) -> bool {
    path.parent()
        .and_then(|p| p.canonicalize().ok())
        .is_some_and(|p| p.starts_with(root))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PathPolicy;
    use std::time::{Duration, SystemTime};

    fn write(path: &Path, content: &str, modified: SystemTime) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        let file = fs::File::options().write(true).open(path).unwrap();
        file.set_modified(modified).unwrap();
    }

    #[test]
    fn size_and_time_or_contents_decide_what_is_unchanged() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let when = SystemTime::now() - Duration::from_secs(3600);
        // Same size and time on both sides, different bytes.
        write(&root.join("src/d/same.txt"), "aaaa", when);
        write(&root.join("dst/d/same.txt"), "bbbb", when);
        write(&root.join("src/d/twin.txt"), "cccc", when);
        write(&root.join("dst/d/twin.txt"), "cccc", when);
        write(&root.join("src/new.txt"), "new", when);
        let policy = PathPolicy::new([root.clone()], None);
        let src = policy.recheck(&root.join("src")).unwrap();
        let dst = policy.recheck(&root.join("dst")).unwrap();

        let by_time = diff(&src, &dst, false, Compare::SizeAndTime, &|| false);
        assert_eq!(by_time.unchanged, 2);
        let created: Vec<_> = by_time
            .changes
            .iter()
            .map(|c| (c.kind, c.relative.clone()))
            .collect();
        assert_eq!(created, [(ChangeKind::Create, PathBuf::from("new.txt"))]);

        // With deletions the unchanged are kept by name, and counted the same.
        let deleting = diff(&src, &dst, true, Compare::SizeAndTime, &|| false);
        assert_eq!(deleting.unchanged, 2);
        assert_eq!(deleting.count(ChangeKind::Delete), 0);

        let by_content = diff(&src, &dst, false, Compare::Content, &|| false);
        assert_eq!(by_content.unchanged, 1);
        assert_eq!(by_content.count(ChangeKind::Update), 1);
        assert!(by_content
            .changes
            .iter()
            .any(|c| c.kind == ChangeKind::Update && c.relative == Path::new("d/same.txt")));
    }
}
