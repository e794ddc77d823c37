//! Watching the directories a preview compared, so that its run knows what
//! changed since: nothing (the preview's diff still holds and is applied as
//! it is), some directories (only those are compared again), or more than
//! can be told (everything is compared again).
//!
//! One inotify watch per directory, on both ends, added *before* the walk
//! reads that directory: a change made after the reading is therefore
//! always queued. inotify sees what goes through a directory (creations,
//! deletions, renames, writes, `touch`); it misses a write through a hard
//! link that lives in a directory outside the trees, and writes through a
//! shared memory map. The run that misses such a change leaves that file as
//! it was, and the next sync copies it; nothing is ever lost by it.

use std::collections::HashMap;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rustix::fs::inotify::{self, CreateFlags, ReadFlags, WatchFlags};

/// What changed in the watched trees since the watches were added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changed {
    Nothing,
    /// These directories (relative to the ends, on either side) saw a
    /// change among their entries.
    Within(Vec<PathBuf>),
    /// A root went away, the kernel's queue overflowed or a watch could not
    /// be added: nothing can be trusted.
    Everything,
}

pub struct TreeWatch {
    inotify: OwnedFd,
    /// Watch descriptor -> the directory, relative to its end.
    dirs: Mutex<HashMap<i32, PathBuf>>,
    /// A watch that should have been added was not (out of watches, say).
    lost: AtomicBool,
}

/// Everything that changes a directory's entries or a file's size, time or
/// contents; reads and opens are left out.
fn changes_mask() -> WatchFlags {
    WatchFlags::MODIFY
        | WatchFlags::ATTRIB
        | WatchFlags::CLOSE_WRITE
        | WatchFlags::CREATE
        | WatchFlags::DELETE
        | WatchFlags::MOVED_FROM
        | WatchFlags::MOVED_TO
        | WatchFlags::DELETE_SELF
        | WatchFlags::MOVE_SELF
        | WatchFlags::ONLYDIR
        | WatchFlags::DONT_FOLLOW
}

impl TreeWatch {
    pub fn new() -> io::Result<TreeWatch> {
        let inotify = inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK)?;
        Ok(TreeWatch {
            inotify,
            dirs: Mutex::new(HashMap::new()),
            lost: AtomicBool::new(false),
        })
    }

    /// Watches the directory `path` (at `relative` below its end). A path
    /// that is missing or not a directory needs no watch: its parent's
    /// watch sees it appear. Any other failure makes the whole watch
    /// untrustworthy.
    pub fn watch(&self, path: &Path, relative: &Path) {
        match inotify::add_watch(&self.inotify, path, changes_mask()) {
            Ok(wd) => {
                self.dirs
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(wd, relative.to_path_buf());
            }
            Err(rustix::io::Errno::NOENT | rustix::io::Errno::NOTDIR) => {}
            Err(_) => self.lost.store(true, Ordering::Relaxed),
        }
    }

    /// Whether every watch asked for is in place.
    pub fn is_whole(&self) -> bool {
        !self.lost.load(Ordering::Relaxed)
    }

    /// Reads what was queued since the watches were added.
    pub fn changed(&self) -> Changed {
        if !self.is_whole() {
            return Changed::Everything;
        }
        let dirs = self.dirs.lock().unwrap_or_else(|p| p.into_inner());
        let mut within = Vec::new();
        let mut buf = [MaybeUninit::<u8>::uninit(); 8192];
        let mut reader = inotify::Reader::new(&self.inotify, &mut buf);
        loop {
            let event = match reader.next() {
                Ok(event) => event,
                Err(rustix::io::Errno::AGAIN) => break,
                Err(_) => return Changed::Everything,
            };
            if event.events().contains(ReadFlags::QUEUE_OVERFLOW) {
                return Changed::Everything;
            }
            match dirs.get(&event.wd()) {
                // A root moved or deleted, or unmounted: the ends changed.
                Some(relative)
                    if relative.as_os_str().is_empty()
                        && event.events().intersects(
                            ReadFlags::DELETE_SELF | ReadFlags::MOVE_SELF | ReadFlags::UNMOUNT,
                        ) =>
                {
                    return Changed::Everything
                }
                Some(relative) => within.push(relative.clone()),
                None => return Changed::Everything,
            }
        }
        if within.is_empty() {
            Changed::Nothing
        } else {
            within.sort();
            within.dedup();
            Changed::Within(within)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn sees_what_changes_a_watched_directory_and_nothing_else() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/b/file"), "x").unwrap();
        let watch = TreeWatch::new().unwrap();
        watch.watch(root, Path::new(""));
        watch.watch(&root.join("a/b"), Path::new("a/b"));
        watch.watch(&root.join("missing"), Path::new("missing"));
        assert!(watch.is_whole(), "a missing directory needs no watch");

        // Reading is no change.
        let _ = fs::read(root.join("a/b/file")).unwrap();
        let _ = fs::read_dir(root.join("a/b")).unwrap().count();
        assert_eq!(watch.changed(), Changed::Nothing);

        fs::write(root.join("a/b/file"), "changed").unwrap();
        assert_eq!(watch.changed(), Changed::Within(vec![PathBuf::from("a/b")]));
        // The events were read: asked again, nothing new.
        assert_eq!(watch.changed(), Changed::Nothing);

        fs::write(root.join("new"), "n").unwrap();
        assert_eq!(watch.changed(), Changed::Within(vec![PathBuf::from("")]));
    }

    #[test]
    fn a_root_moved_away_changes_everything() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        fs::create_dir(&root).unwrap();
        let watch = TreeWatch::new().unwrap();
        watch.watch(&root, Path::new(""));
        fs::rename(&root, tmp.path().join("elsewhere")).unwrap();
        assert_eq!(watch.changed(), Changed::Everything);
    }
}
