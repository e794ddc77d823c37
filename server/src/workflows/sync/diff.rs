//! Comparing source and destination: what to copy, update and delete.
//!
//! The source is walked in parallel, each entry looked up in its
//! destination twin ([`SourceWalk`]); a mirror copies hidden files and
//! ignores no `.gitignore`. With deletions asked for, the same walk lists
//! each destination directory beside its source twin to find what the
//! source lacks: one pass over both trees.

use std::collections::HashSet;
use std::ffi::{CStr, OsStr};
use std::fs;
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use app::api::PreviewView;
use rustix::fs::{fstat, openat, FileType, Mode, OFlags, CWD};

use super::beneath::Beneath;
use super::listing_cache::{ListingCache, Stamp, WalkListings};
use super::names::Names;
use super::twin::{Twin, TwinDir};
use crate::domain::AllowedPath;
use crate::workflows::watch::TreeWatch;

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
    /// How many of `unchanged` each directory holds (directly), so that a
    /// plan brought up to date by comparing some directories again can
    /// count them right.
    pub unchanged_in: Vec<(PathBuf, u64)>,
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
    /// Puts each list in the order the run applies it.
    pub fn sort(&mut self) {
        self.directories.sort();
        self.changes.sort_by(|a, b| a.relative.cmp(&b.relative));
        self.skipped.sort();
        // Deepest first, so a parent is tried after its children are gone.
        self.extraneous_directories.sort_by(|a, b| {
            b.components()
                .count()
                .cmp(&a.components().count())
                .then(b.cmp(a))
        });
        self.unchanged_in.sort();
    }

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

/// Metadata calls wait on the disk, not the CPU: more threads than cores help.
fn walk_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(4)
        .clamp(2, 16)
}

/// One entry found by the walk.
enum Seen {
    /// A source directory the destination lacks.
    Directory(PathBuf),
    /// A source directory where the destination has a file or link.
    DirectoryReplacingFile(PathBuf),
    /// Something to copy, or (with delete_extraneous) a destination file or
    /// link the source lacks.
    Change(Change),
    /// A source entry neither file, directory nor link.
    Special(PathBuf),
    /// A destination directory the source lacks.
    ExtraDirectory(PathBuf),
    /// How many entries of this directory are unchanged.
    Unchanged(PathBuf, u64),
    Error(String),
}

pub fn diff(
    source: &AllowedPath,
    destination: &AllowedPath,
    delete_extraneous: bool,
    compare: Compare,
    listings: &ListingCache,
    listings_saved_in: Option<&Path>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> SyncPlan {
    let ends = (source.as_path(), destination.as_path());
    let kept = (listings, listings_saved_in);
    compare_trees(ends, delete_extraneous, compare, kept, cancelled, None)
}

/// [`diff`] for a preview whose run may apply it: every directory compared
/// is watched from before it is read ([`TreeWatch`]).
pub fn diff_and_watch(
    source: &AllowedPath,
    destination: &AllowedPath,
    delete_extraneous: bool,
    compare: Compare,
    listings: &ListingCache,
    listings_saved_in: Option<&Path>,
    watch: &TreeWatch,
) -> SyncPlan {
    let ends = (source.as_path(), destination.as_path());
    let kept = (listings, listings_saved_in);
    compare_trees(
        ends,
        delete_extraneous,
        compare,
        kept,
        &|| false,
        Some(watch),
    )
}

fn compare_trees(
    (src_root, dst_root): (&Path, &Path),
    delete_extraneous: bool,
    compare: Compare,
    (listings, listings_saved_in): (&ListingCache, Option<&Path>),
    cancelled: &(dyn Fn() -> bool + Sync),
    watch: Option<&TreeWatch>,
) -> SyncPlan {
    let seen: Mutex<Vec<Seen>> = Mutex::new(Vec::new());
    let walk_listings = listings.begin(src_root, listings_saved_in);
    let walk = SourceWalk {
        src_root,
        dst_root,
        compare,
        list_destination: delete_extraneous,
        cancelled,
        listings: &walk_listings,
        watch,
        unchanged: AtomicU64::new(0),
        keep: &|item| seen.lock().unwrap_or_else(|p| p.into_inner()).push(item),
    };
    walk.run();
    let unchanged = walk.unchanged.into_inner();
    listings.finish(walk_listings, cancelled());

    let mut plan = SyncPlan {
        source: src_root.to_path_buf(),
        destination: dst_root.to_path_buf(),
        unchanged,
        ..SyncPlan::default()
    };
    for item in seen.into_inner().unwrap_or_else(|p| p.into_inner()) {
        match item {
            Seen::Directory(rel) => plan.directories.push(rel),
            Seen::DirectoryReplacingFile(rel) => {
                plan.changes.push(Change {
                    kind: ChangeKind::Delete,
                    relative: rel.clone(),
                    size: 0,
                    is_symlink: false,
                });
                plan.directories.push(rel);
            }
            Seen::Change(change) => plan.changes.push(change),
            Seen::Special(rel) => plan.skipped.push(rel),
            Seen::ExtraDirectory(rel) => plan.extraneous_directories.push(rel),
            Seen::Unchanged(rel, n) => plan.unchanged_in.push((rel, n)),
            Seen::Error(e) => plan.errors.push(e),
        }
    }
    plan.sort();
    plan
}

const LIST_FLAGS: OFlags = OFlags::RDONLY
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

/// `relative/name` as a path.
fn joined(relative: &Path, name: &CStr) -> PathBuf {
    relative.join(OsStr::from_bytes(name.to_bytes()))
}

/// The comparison: a parallel walk that lists each source directory once
/// (or takes its listing from the last sync, [`ListingCache`]) and looks
/// each entry up in its destination twin held open ([`TwinDir`]). Every
/// call is relative to an open directory, or a short path below one
/// ([`Beneath`]): no path is resolved from the root again. A directory
/// costs one `stat`, which says whether its kept listing still holds (its
/// type comes with its parent's listing), and an unchanged file one `stat`
/// on each side. With deletions asked for, each destination directory that
/// has a source twin is listed too, and its names the source lacks are
/// extraneous (with everything under them).
struct SourceWalk<'a> {
    src_root: &'a Path,
    dst_root: &'a Path,
    compare: Compare,
    list_destination: bool,
    cancelled: &'a (dyn Fn() -> bool + Sync),
    listings: &'a WalkListings,
    /// Set when the run may apply this comparison: each directory is
    /// watched before it is read.
    watch: Option<&'a TreeWatch>,
    /// On a re-run almost every entry is unchanged: those are only counted,
    /// so the walk's threads share no lock for them.
    unchanged: AtomicU64,
    keep: &'a (dyn Fn(Seen) + Sync),
}

impl SourceWalk<'_> {
    fn run(&self) {
        // The source root was checked after resolving links: it may be one.
        let flags = LIST_FLAGS.difference(OFlags::NOFOLLOW);
        self.watch_both(Path::new(""));
        let listed = openat(CWD, self.src_root, flags, Mode::empty())
            .map_err(io::Error::from)
            .and_then(|dir| {
                let stamp = Stamp::of(&fstat(&dir)?);
                match self.listings.cached(Path::new(""), || Some(stamp)) {
                    Some(names) => Ok((Beneath::at(dir), names)),
                    None => self.read_listing(Path::new(""), stamp, dir),
                }
            });
        let (source, names) = match listed {
            Ok(listed) => listed,
            Err(e) => return (self.keep)(Seen::failed(self.src_root, e)),
        };
        let twin = match TwinDir::open(self.dst_root) {
            Twin::Directory(dir) => Some(Arc::new(dir)),
            Twin::NotDirectory | Twin::Missing => None,
        };
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(walk_threads())
            .thread_name(|n| format!("tend-sync-walk-{n}"))
            .build();
        let root = PathBuf::new();
        match pool {
            Ok(pool) => pool.scope(|scope| self.directory(scope, root, source, names, twin)),
            // Without threads the walk still runs, on this one.
            Err(_) => rayon::scope(|scope| self.directory(scope, root, source, names, twin)),
        }
    }

    /// Reads the names of the open source directory `dir` (at `relative`,
    /// whose `stamp` was taken first, so a change during the reading shows
    /// next time) and offers them to the cache.
    fn read_listing(
        &self,
        relative: &Path,
        stamp: Stamp,
        dir: OwnedFd,
    ) -> io::Result<(Beneath, Arc<Names>)> {
        let names = Arc::new(Names::read(&dir)?);
        self.listings.keep(relative, stamp, &names, &dir);
        Ok((Beneath::at(dir), names))
    }

    /// Compares the source directory `relative` (reached as `source`, with
    /// these `names`) with its destination twin (`None` when the
    /// destination has no directory there), and walks its subdirectories as
    /// tasks of their own. A task waiting to run holds its parents'
    /// descriptors, not its own, so the open descriptors stay few however
    /// wide the tree.
    fn directory<'s>(
        &'s self,
        scope: &rayon::Scope<'s>,
        relative: PathBuf,
        source: Beneath,
        names: Arc<Names>,
        twin: Option<Arc<TwinDir>>,
    ) {
        if (self.cancelled)() {
            return;
        }
        let source = Arc::new(source);
        let mut unchanged = 0;
        for (name, kind) in names.iter() {
            if kind == FileType::Directory {
                let (parent, twin, name) = (source.clone(), twin.clone(), name.to_owned());
                let child = joined(&relative, &name);
                scope.spawn(move |scope| self.subdirectory(scope, &parent, twin, &name, child));
            } else {
                match self.classify(&source, name, &relative, twin.as_deref()) {
                    Some(seen) => (self.keep)(seen),
                    None => unchanged += 1,
                }
            }
        }
        if unchanged > 0 {
            self.unchanged.fetch_add(unchanged, Ordering::Relaxed);
            (self.keep)(Seen::Unchanged(relative.clone(), unchanged));
        }
        if let (true, Some(twin)) = (self.list_destination, twin) {
            let in_source: HashSet<&CStr> = names.iter().map(|(name, _)| name).collect();
            self.extraneous(scope, &relative, &twin, &in_source);
        }
    }

    /// The source subdirectory `name` of `parent`, against the twin's: from
    /// the listing kept from the last sync if that still holds, else opened
    /// and listed.
    fn subdirectory<'s>(
        &'s self,
        scope: &rayon::Scope<'s>,
        parent: &Beneath,
        twin: Option<Arc<TwinDir>>,
        name: &CStr,
        relative: PathBuf,
    ) {
        self.watch_both(&relative);
        let sub = twin.as_ref().map_or(Twin::Missing, |t| t.child(name));
        let sub = match sub {
            Twin::Directory(dir) => Some(Arc::new(dir)),
            Twin::NotDirectory => {
                (self.keep)(Seen::DirectoryReplacingFile(relative.clone()));
                None
            }
            Twin::Missing => {
                (self.keep)(Seen::Directory(relative.clone()));
                None
            }
        };
        let listed = self
            .kept_listing(parent, name, &relative)
            .map(Ok)
            .unwrap_or_else(|| {
                let dir = parent.open(name, LIST_FLAGS)?;
                let stamp = Stamp::of(&fstat(&dir)?);
                self.read_listing(&relative, stamp, dir)
            });
        match listed {
            Ok((source, names)) => self.directory(scope, relative, source, names, sub),
            // A failed listing is not an empty one: the error also keeps
            // the sync from deleting anything.
            Err(e) => (self.keep)(Seen::failed(relative, e)),
        }
    }

    /// Watches `relative` on both ends (when this comparison is watched).
    fn watch_both(&self, relative: &Path) {
        if let Some(watch) = self.watch {
            watch.watch(&self.src_root.join(relative), relative);
            watch.watch(&self.dst_root.join(relative), relative);
        }
    }

    /// The source subdirectory `name` of `parent` (at `relative`) without
    /// opening it, if the last sync kept its listing and an `lstat` finds
    /// it unchanged.
    fn kept_listing(
        &self,
        parent: &Beneath,
        name: &CStr,
        relative: &Path,
    ) -> Option<(Beneath, Arc<Names>)> {
        let stamp = || parent.lstat(name).ok().map(|st| Stamp::of(&st));
        let names = self.listings.cached(relative, stamp)?;
        // The stamp matched a directory's: it is still that directory.
        Some((parent.descend(name).ok()?, names))
    }

    /// One source entry that is not a directory, against its destination
    /// twin (if any); `None` when it is unchanged, which allocates nothing.
    fn classify(
        &self,
        dir: &Beneath,
        name: &CStr,
        relative: &Path,
        twin: Option<&TwinDir>,
    ) -> Option<Seen> {
        let path = || joined(relative, name);
        let st = match dir.lstat(name) {
            Ok(st) => st,
            Err(e) => return Some(Seen::failed(path(), e)),
        };
        let file_type = FileType::from_raw_mode(st.st_mode);
        let is_symlink = file_type == FileType::Symlink;
        if !(is_symlink || file_type == FileType::RegularFile) {
            return Some(Seen::Special(path()));
        }
        let dst = match twin.map(|t| t.stat(name)).transpose() {
            Ok(found) => found.flatten(),
            Err(e) => return Some(Seen::failed(path(), e)),
        };
        let len = st.st_size as u64;
        let kind = match dst {
            None => Some(ChangeKind::Create),
            Some(d) if d.is_dir => {
                return Some(Seen::Error(format!(
                    "{} is a directory in the destination but a file in the source; move it aside first",
                    self.dst_root.join(path()).display()
                )))
            }
            Some(d) if is_symlink => {
                let same_link = d.is_symlink
                    && fs::read_link(self.dst_root.join(path())).ok()
                        == fs::read_link(self.src_root.join(path())).ok();
                (!same_link).then_some(ChangeKind::Update)
            }
            Some(d) if d.is_symlink => Some(ChangeKind::Update),
            Some(d) if len != d.len => Some(ChangeKind::Update),
            Some(d) => match self.compare {
                Compare::SizeAndTime => (st.st_mtime != d.mtime).then_some(ChangeKind::Update),
                Compare::Content => {
                    let rel = path();
                    match same_contents(&self.src_root.join(&rel), &self.dst_root.join(&rel)) {
                        Ok(true) => None,
                        Ok(false) => Some(ChangeKind::Update),
                        Err(e) => return Some(Seen::failed(rel, e)),
                    }
                }
            },
        };
        kind.map(|kind| {
            Seen::Change(Change {
                kind,
                relative: path(),
                size: if is_symlink { 0 } else { len },
                is_symlink,
            })
        })
    }

    /// The names in the destination directory `relative` that the source
    /// directory lacks: extraneous, with everything under them.
    fn extraneous<'s>(
        &'s self,
        scope: &rayon::Scope<'s>,
        relative: &Path,
        twin: &TwinDir,
        in_source: &HashSet<&CStr>,
    ) {
        match twin.list() {
            Ok(listing) => {
                self.list_extra(scope, relative, listing, &|name| in_source.contains(name))
            }
            Err(e) => (self.keep)(Seen::failed(self.dst_root.join(relative), e)),
        }
    }

    /// Reports the entries of the open destination directory `listing` (at
    /// `relative`) for which `in_source` is false as extraneous, and walks
    /// into those that are directories, where everything is extraneous.
    fn list_extra<'s>(
        &'s self,
        scope: &rayon::Scope<'s>,
        relative: &Path,
        listing: OwnedFd,
        in_source: &dyn Fn(&CStr) -> bool,
    ) {
        if let Some(watch) = self.watch {
            watch.watch(&self.dst_root.join(relative), relative);
        }
        let names = match Names::read(&listing) {
            Ok(names) => names,
            Err(e) => return (self.keep)(Seen::failed(self.dst_root.join(relative), e)),
        };
        let listing = Arc::new(listing);
        for (name, kind) in names.iter().filter(|(name, _)| !in_source(name)) {
            let child = joined(relative, name);
            if kind == FileType::Directory {
                (self.keep)(Seen::ExtraDirectory(child.clone()));
                let (parent, name) = (listing.clone(), name.to_owned());
                scope.spawn(move |scope| {
                    let opened = openat(&*parent, &name, LIST_FLAGS, Mode::empty());
                    drop(parent);
                    match opened {
                        Ok(sub) => self.list_extra(scope, &child, sub, &|_| false),
                        Err(e) => (self.keep)(Seen::failed(self.dst_root.join(&child), e)),
                    }
                });
            } else {
                (self.keep)(Seen::Change(Change {
                    kind: ChangeKind::Delete,
                    relative: child,
                    size: 0,
                    is_symlink: kind == FileType::Symlink,
                }));
            }
        }
    }
}

impl Seen {
    /// `at` could not be read: the error, naming where.
    fn failed(at: impl AsRef<Path>, e: impl std::fmt::Display) -> Seen {
        Seen::Error(format!("{}: {e}", at.as_ref().display()))
    }
}

fn same_contents(a: &Path, b: &Path) -> io::Result<bool> {
    Ok(hash_file(a)? == hash_file(b)?)
}

fn hash_file(path: &Path) -> io::Result<blake3::Hash> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(fs::File::open(path)?)?;
    Ok(hasher.finalize())
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
    use crate::workflows::sync::listing_cache::{MAX_BYTES, SETTLED};
    use std::time::{Duration, SystemTime};

    fn write(path: &Path, content: &str, modified: SystemTime) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        let file = fs::File::options().write(true).open(path).unwrap();
        file.set_modified(modified).unwrap();
    }

    /// A scratch root, and a modification time an hour ago.
    fn scratch() -> (tempfile::TempDir, PathBuf, SystemTime) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        (tmp, root, SystemTime::now() - Duration::from_secs(3600))
    }

    /// The comparison with a cache of its own (none kept yet).
    fn compared(src: &AllowedPath, dst: &AllowedPath, delete: bool, compare: Compare) -> SyncPlan {
        let listings = ListingCache::new(SETTLED, MAX_BYTES);
        diff(src, dst, delete, compare, &listings, None, &|| false)
    }

    /// `root/src` and `root/dst`, checked as a sync's ends are.
    fn ends(root: &Path) -> (AllowedPath, AllowedPath) {
        let policy = PathPolicy::new([root.to_path_buf()], None);
        let src = policy.recheck(&root.join("src")).unwrap();
        (src, policy.recheck(&root.join("dst")).unwrap())
    }

    #[test]
    fn size_and_time_or_contents_decide_what_is_unchanged() {
        let (_tmp, root, when) = scratch();
        // Same size and time on both sides, different bytes.
        write(&root.join("src/d/same.txt"), "aaaa", when);
        write(&root.join("dst/d/same.txt"), "bbbb", when);
        write(&root.join("src/d/twin.txt"), "cccc", when);
        write(&root.join("dst/d/twin.txt"), "cccc", when);
        write(&root.join("src/new.txt"), "new", when);
        let (src, dst) = ends(&root);

        let by_time = compared(&src, &dst, false, Compare::SizeAndTime);
        assert_eq!(by_time.unchanged, 2);
        let created: Vec<_> = by_time
            .changes
            .iter()
            .map(|c| (c.kind, c.relative.clone()))
            .collect();
        assert_eq!(created, [(ChangeKind::Create, PathBuf::from("new.txt"))]);

        // With deletions the destination is listed too; the unchanged are
        // counted the same.
        let deleting = compared(&src, &dst, true, Compare::SizeAndTime);
        assert_eq!(deleting.unchanged, 2);
        assert_eq!(deleting.count(ChangeKind::Delete), 0);

        let by_content = compared(&src, &dst, false, Compare::Content);
        assert_eq!(by_content.unchanged, 1);
        assert_eq!(by_content.count(ChangeKind::Update), 1);
        assert!(by_content
            .changes
            .iter()
            .any(|c| c.kind == ChangeKind::Update && c.relative == Path::new("d/same.txt")));
    }

    #[test]
    fn one_walk_finds_what_the_destination_has_besides_the_source() {
        let (_tmp, root, when) = scratch();
        for side in ["src", "dst"] {
            write(&root.join(side).join("keep/same.txt"), "same", when);
        }
        // Gone from the source: a file beside kept ones, a whole tree, a link.
        write(&root.join("dst/keep/gone.txt"), "x", when);
        write(&root.join("dst/old/deeper/gone-too.txt"), "x", when);
        std::os::unix::fs::symlink("keep", root.join("dst/link-gone")).unwrap();
        // A directory in the source where the destination has a file.
        write(&root.join("src/was-file/inner.txt"), "y", when);
        write(&root.join("dst/was-file"), "a file", when);
        // Tend's own entries are neither compared nor deleted.
        write(&root.join("dst/.tend-versions/task-1/a.txt"), "v", when);
        write(&root.join("dst/keep/.tend-tmp-123"), "t", when);
        let (src, dst) = ends(&root);

        let plan = compared(&src, &dst, true, Compare::SizeAndTime);
        assert!(plan.errors.is_empty(), "{:?}", plan.errors);
        assert_eq!(plan.unchanged, 1);
        let changes: Vec<_> = plan
            .changes
            .iter()
            .map(|c| (c.kind, c.relative.to_str().unwrap(), c.is_symlink))
            .collect();
        assert_eq!(
            changes,
            [
                (ChangeKind::Delete, "keep/gone.txt", false),
                (ChangeKind::Delete, "link-gone", true),
                (ChangeKind::Delete, "old/deeper/gone-too.txt", false),
                (ChangeKind::Delete, "was-file", false),
                (ChangeKind::Create, "was-file/inner.txt", false),
            ]
        );
        assert_eq!(plan.directories, [PathBuf::from("was-file")]);
        assert_eq!(
            plan.extraneous_directories,
            [PathBuf::from("old/deeper"), PathBuf::from("old")]
        );

        // Without deletions the destination is not listed at all.
        let copying = compared(&src, &dst, false, Compare::SizeAndTime);
        assert_eq!(
            copying.count(ChangeKind::Delete),
            1,
            "only the file in the way"
        );
        assert!(copying.extraneous_directories.is_empty());
    }

    #[test]
    fn listings_kept_from_the_last_walk_never_hide_a_change() {
        let (_tmp, root, when) = scratch();
        let deep = "a/b/c/d/e/f/g";
        for side in ["src", "dst"] {
            write(&root.join(side).join("top.txt"), "t", when);
            write(&root.join(side).join(deep).join("x.txt"), "x", when);
            write(&root.join(side).join("other/y.txt"), "y", when);
        }
        let (src, dst) = ends(&root);
        let cache = ListingCache::new(Duration::from_millis(200), MAX_BYTES);
        std::thread::sleep(Duration::from_millis(300));

        let mirror = || {
            diff(
                &src,
                &dst,
                true,
                Compare::SizeAndTime,
                &cache,
                None,
                &|| false,
            )
        };
        let twice = || {
            let plan = mirror();
            assert!(
                plan.changes.is_empty() && plan.errors.is_empty(),
                "{plan:?}"
            );
            assert_eq!(plan.unchanged, 3);
        };
        twice();
        // The root, a to g, other: every directory's listing is kept...
        assert_eq!(cache.kept(src.as_path()), (9, 0));
        // ...and used: the same answer again.
        twice();
        assert_eq!(cache.kept(src.as_path()), (9, 9));

        // Deep down, beside the top and in another directory: a file added,
        // one removed, one replaced by a directory.
        write(&root.join("src").join(deep).join("new.txt"), "n", when);
        fs::remove_file(root.join("src/other/y.txt")).unwrap();
        fs::remove_file(root.join("src/top.txt")).unwrap();
        write(&root.join("src/top.txt/inside.txt"), "i", when);
        let plan = mirror();
        let changes: Vec<_> = plan
            .changes
            .iter()
            .map(|c| (c.kind, c.relative.to_str().unwrap()))
            .collect();
        assert_eq!(
            changes,
            [
                (ChangeKind::Create, "a/b/c/d/e/f/g/new.txt"),
                (ChangeKind::Delete, "other/y.txt"),
                (ChangeKind::Delete, "top.txt"),
                (ChangeKind::Create, "top.txt/inside.txt"),
            ]
        );
        // The directories just changed are listed again next time.
        assert_eq!(cache.kept(src.as_path()), (6, 6));
    }

    #[test]
    fn a_restarted_server_uses_the_listings_its_last_sync_saved() {
        let (tmp, root, when) = scratch();
        for side in ["src", "dst"] {
            write(&root.join(side).join("a/b/x.txt"), "x", when);
        }
        let (src, dst) = ends(&root);
        let saved_in = tmp.path().join("cache/sync-listings");
        let settle = Duration::from_millis(200);
        // A server's comparison, its listings kept in `cache` and saved.
        let after = |cache: &ListingCache| {
            let saved = Some(saved_in.as_path());
            diff(
                &src,
                &dst,
                false,
                Compare::SizeAndTime,
                cache,
                saved,
                &|| false,
            )
        };
        std::thread::sleep(Duration::from_millis(300));
        let before_restart = ListingCache::new(settle, MAX_BYTES);
        let plan = after(&before_restart);
        assert_eq!((plan.unchanged, plan.changes.len()), (1, 0));
        assert_eq!(before_restart.kept(src.as_path()), (3, 0));

        // A new cache, as after a restart: the saved listings are used...
        let after_restart = ListingCache::new(settle, MAX_BYTES);
        let plan = after(&after_restart);
        assert_eq!((plan.unchanged, plan.changes.len()), (1, 0));
        assert_eq!(after_restart.kept(src.as_path()), (3, 3));

        // ...and a change made while the server was down is found.
        write(&root.join("src/a/b/new.txt"), "n", when);
        let restarted_again = ListingCache::new(settle, MAX_BYTES);
        let plan = after(&restarted_again);
        let created: Vec<_> = plan
            .changes
            .iter()
            .map(|c| c.relative.to_str().unwrap())
            .collect();
        assert_eq!(created, ["a/b/new.txt"]);
        assert_eq!(restarted_again.kept(src.as_path()), (2, 2));
    }
}
