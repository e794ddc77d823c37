//! Watching the directories a walk read, so that the next one (the run of
//! a preview, the next mirror of the same trees, the run of a backup's
//! preview) knows what changed since: nothing (the comparison still holds as it is), some
//! directories (only those are compared again), or more than can be told
//! (everything is compared again).
//!
//! One inotify watch per directory, on both ends, added *before* the walk
//! reads that directory: a change made after the reading is therefore
//! always queued. inotify sees what goes through a directory (creations,
//! deletions, renames, writes, `touch`); it misses a write through a hard
//! link that lives in a directory outside the trees, and writes through a
//! shared memory map. A sync that misses such a change leaves that file as
//! it was until a comparison walks the trees again (within a day, as kept
//! comparisons expire); nothing is ever lost by it.

use std::collections::HashMap;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

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

/// The watches on both ends of one mirror; [`TreeWatch::below`] gives a
/// view of the same watches for comparing one directory on its own.
pub struct TreeWatch {
    shared: Arc<Watches>,
    /// Where this view's relative paths start.
    prefix: PathBuf,
}

struct Watches {
    inotify: OwnedFd,
    /// Names whose events mean nothing to the comparison (a mirror's own
    /// temporary files and versions area).
    skip: fn(&[u8]) -> bool,
    /// Watch descriptor -> the directory, relative to its end.
    dirs: Mutex<HashMap<i32, PathBuf>>,
    /// A watch that should have been added was not (out of watches, say).
    lost: AtomicBool,
    /// The watch on the parent of a destination that does not exist yet,
    /// and the destination's name there: its appearance changes
    /// everything.
    parent_of_missing: Mutex<Option<(i32, Vec<u8>)>>,
    absorbed: Mutex<Absorbed>,
}

/// Which events a run raised itself: `(directory, name)`, or `(directory,
/// None)` for an event on the directory itself.
pub type Ours<'a> = &'a (dyn Fn(&Path, Option<&[u8]>) -> bool + Sync);

/// The name a destination's parent sees it under, in [`Ours`].
pub const PARENT: &str = "..";

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
    /// A watch that sees every name.
    pub fn new() -> io::Result<TreeWatch> {
        TreeWatch::skipping(|_| false)
    }

    /// A watch that leaves out the events on names `skip` picks.
    pub fn skipping(skip: fn(&[u8]) -> bool) -> io::Result<TreeWatch> {
        let inotify = inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK)?;
        Ok(TreeWatch {
            shared: Arc::new(Watches {
                inotify,
                skip,
                dirs: Mutex::new(HashMap::new()),
                lost: AtomicBool::new(false),
                parent_of_missing: Mutex::new(None),
                absorbed: Mutex::new(Absorbed::default()),
            }),
            prefix: PathBuf::new(),
        })
    }

    /// The same watches, for a walk that starts at `dir` (relative to the
    /// ends): what it watches is named from the ends.
    pub fn below(&self, dir: &Path) -> TreeWatch {
        TreeWatch {
            shared: self.shared.clone(),
            prefix: self.prefix.join(dir),
        }
    }

    /// Watches the directory `path` (at `relative` below its end). A path
    /// that is missing or not a directory needs no watch: its parent's
    /// watch sees it appear. Any other failure makes the whole watch
    /// untrustworthy.
    pub fn watch(&self, path: &Path, relative: &Path) {
        let shared = &self.shared;
        match inotify::add_watch(&shared.inotify, path, changes_mask()) {
            Ok(wd) => {
                // A directory watched again (compared again, or moved)
                // keeps its descriptor under its present name.
                shared
                    .dirs
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(wd, self.prefix.join(relative));
            }
            Err(rustix::io::Errno::NOENT | rustix::io::Errno::NOTDIR) => {}
            Err(_) => shared.lost.store(true, Ordering::Relaxed),
        }
    }

    /// Watches the parent of `root`, a destination that does not exist
    /// yet, for its appearance; a parent that does not exist either leaves
    /// the watch untrustworthy.
    pub fn watch_parent_of_missing(&self, root: &Path) {
        let shared = &self.shared;
        let (Some(parent), Some(name)) = (root.parent(), root.file_name()) else {
            return shared.lost.store(true, Ordering::Relaxed);
        };
        match inotify::add_watch(&shared.inotify, parent, changes_mask()) {
            Ok(wd) => {
                let name = name.as_encoded_bytes().to_vec();
                *shared
                    .parent_of_missing
                    .lock()
                    .unwrap_or_else(|p| p.into_inner()) = Some((wd, name));
            }
            Err(_) => shared.lost.store(true, Ordering::Relaxed),
        }
    }

    /// Whether every watch asked for is in place.
    pub fn is_whole(&self) -> bool {
        !self.shared.lost.load(Ordering::Relaxed)
    }

    /// Reads what was queued since the watches were added.
    pub fn changed(&self) -> Changed {
        self.changed_except(&|_, _| false)
    }

    /// [`TreeWatch::changed`], leaving out the events `ours` claims.
    pub fn changed_except(&self, ours: Ours) -> Changed {
        self.absorb(ours);
        let mut absorbed = self
            .shared
            .absorbed
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        let Absorbed {
            mut within,
            everything,
        } = std::mem::take(&mut *absorbed);
        if everything || !self.is_whole() {
            return Changed::Everything;
        }
        if within.is_empty() {
            Changed::Nothing
        } else {
            within.sort();
            within.dedup();
            Changed::Within(within)
        }
    }

    /// Reads what is queued now into what [`TreeWatch::changed_except`]
    /// answers next, leaving out the events `ours` claims. A run calls it
    /// while it writes ([`absorbing`]): its own writes raise more events
    /// than the kernel queues (16,384 by default) for a large tree.
    pub fn absorb(&self, ours: Ours) {
        let mut absorbed = self
            .shared
            .absorbed
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if absorbed.everything {
            return;
        }
        if let Err(Everything) = self.read_queued(ours, &mut absorbed.within) {
            absorbed.everything = true;
        }
    }

    /// The directories the queued events changed (`ours` left out), into
    /// `within`; `Err` when they change more than can be told.
    fn read_queued(&self, ours: Ours, within: &mut Vec<PathBuf>) -> Result<(), Everything> {
        let dirs = self.shared.dirs.lock().unwrap_or_else(|p| p.into_inner());
        let parent_of_missing = self
            .shared
            .parent_of_missing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut buf = [MaybeUninit::<u8>::uninit(); 8192];
        let mut reader = inotify::Reader::new(&self.shared.inotify, &mut buf);
        loop {
            let event = match reader.next() {
                Ok(event) => event,
                Err(rustix::io::Errno::AGAIN) => return Ok(()),
                Err(_) => return Err(Everything),
            };
            let flags = event.events();
            if flags.contains(ReadFlags::QUEUE_OVERFLOW) {
                return Err(Everything);
            }
            let name = event.file_name().map(|n| n.to_bytes());
            // A watch ending (its directory removed) also shows in its
            // parent's events.
            if name.is_some_and(self.shared.skip) || flags.contains(ReadFlags::IGNORED) {
                continue;
            }
            if let Some((wd, missing)) = &parent_of_missing {
                if event.wd() == *wd {
                    if name == Some(missing.as_slice()) && !ours(Path::new(PARENT), name) {
                        return Err(Everything);
                    }
                    continue;
                }
            }
            let Some(relative) = dirs.get(&event.wd()) else {
                return Err(Everything);
            };
            if ours(relative, name) {
                continue;
            }
            // A root moved or deleted, or unmounted: the ends changed.
            let ends_changed = flags
                .intersects(ReadFlags::DELETE_SELF | ReadFlags::MOVE_SELF | ReadFlags::UNMOUNT);
            if relative.as_os_str().is_empty() && ends_changed {
                return Err(Everything);
            }
            within.push(relative.clone());
        }
    }
}

/// Whether `path` is on a local file system, whose changes inotify sees (on
/// a network share, a change made from another machine raises no event).
pub fn sees_changes_on(path: &Path) -> bool {
    rustix::fs::statfs(path).is_ok_and(|fs| crate::workflows::sync::keeps_change_times(fs.f_type))
}

/// More changed than can be told by directory.
struct Everything;

/// Events read but not yet answered by [`TreeWatch::changed_except`].
#[derive(Default)]
struct Absorbed {
    within: Vec<PathBuf>,
    everything: bool,
}

/// Runs `work` while another thread reads the watch's events every 20 ms,
/// `ours` left out, so that the kernel's queue never overflows with the
/// events `work`'s own writes raise.
pub fn absorbing<T: Send>(watch: &TreeWatch, ours: Ours, work: impl FnOnce() -> T + Send) -> T {
    let done = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            while !done.load(Ordering::Acquire) {
                watch.absorb(ours);
                std::thread::park_timeout(std::time::Duration::from_millis(20));
            }
        });
        let result = work();
        done.store(true, Ordering::Release);
        reader.thread().unpark();
        let _ = reader.join();
        result
    })
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
