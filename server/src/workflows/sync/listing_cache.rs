//! Source directory listings kept from one sync to the next.
//!
//! A re-run with nothing to copy spends a third of its time listing source
//! directories (on ext4 each listing builds a hash tree, and each open
//! directory is one more open and close). A directory's entries cannot
//! change without the kernel setting its change time (`ctime`) to the time
//! of the change, so a directory whose device, inode and change and
//! modification times are what they were when it was listed still holds
//! the names it held then (git's untracked cache rests on the same rule).
//!
//! Two guards keep that rule true:
//! - a listing is kept only if its directory last changed at least
//!   [`SETTLED`] before the walk began: a change in the same clock tick as
//!   the listing could otherwise leave the change time as it was;
//! - only on local file systems known to keep change times
//!   ([`keeps_change_times`]); elsewhere every directory is listed.
//!
//! The directory's `lstat` is taken before its listing is read, so a change
//! between the two makes the next walk list it again.
//!
//! The server's syncs also save their listings in
//! `<data_dir>/cache/sync-listings` ([`super::listing_file`]) after a walk
//! that changed them, so a restarted server has them; the same stamps
//! decide whether a saved listing still holds.

use std::collections::HashMap;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rustix::fs::{fstatfs, Stat};

use super::listing_file;
use super::names::Names;

/// How long before a walk a directory must have last changed for its
/// listing to be kept.
pub const SETTLED: Duration = Duration::from_secs(2);

/// The most bytes of names the server keeps for all sources together;
/// past it, the other sources' listings go.
pub const MAX_BYTES: usize = 256 << 20;

/// What identifies a directory's state: device, inode, change and
/// modification times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    dev: u64,
    ino: u64,
    ctime: (i64, u64),
    mtime: (i64, u64),
}

impl Stamp {
    pub fn of(st: &Stat) -> Stamp {
        Stamp {
            dev: st.st_dev,
            ino: st.st_ino,
            ctime: (st.st_ctime, st.st_ctime_nsec),
            mtime: (st.st_mtime, st.st_mtime_nsec),
        }
    }

    /// The stamp as six words, to be saved.
    pub fn words(&self) -> [u64; 6] {
        [
            self.dev,
            self.ino,
            self.ctime.0 as u64,
            self.ctime.1,
            self.mtime.0 as u64,
            self.mtime.1,
        ]
    }

    pub fn from_words(w: [u64; 6]) -> Stamp {
        Stamp {
            dev: w[0],
            ino: w[1],
            ctime: (w[2] as i64, w[3]),
            mtime: (w[4] as i64, w[5]),
        }
    }

    fn changed(&self) -> SystemTime {
        let (secs, nanos) = self.ctime;
        match u64::try_from(secs) {
            Ok(secs) => UNIX_EPOCH + Duration::new(secs, nanos.min(999_999_999) as u32),
            Err(_) => UNIX_EPOCH,
        }
    }
}

pub struct Listed {
    pub stamp: Stamp,
    pub names: Arc<Names>,
    /// The last walk that found it still good (0: none yet).
    walk: AtomicU64,
}

impl Listed {
    pub fn new(stamp: Stamp, names: Arc<Names>) -> Listed {
        Listed {
            stamp,
            names,
            walk: AtomicU64::new(0),
        }
    }

    /// Bytes held, with a rough share for the map's own bookkeeping.
    fn size(&self, key: &[u8]) -> usize {
        self.names.size() + key.len() + 64
    }
}

/// By relative path (its bytes: compared and hashed as they are).
pub type Listings = HashMap<Box<[u8]>, Listed>;

/// Listings of the directories of each source root.
pub struct ListingCache {
    settled: Duration,
    max_bytes: usize,
    roots: Mutex<HashMap<PathBuf, Kept>>,
}

/// A source root's listings, with their bytes and how many of them its
/// last walk used.
#[derive(Default)]
struct Kept {
    listings: Listings,
    bytes: usize,
    reused: usize,
}

impl ListingCache {
    pub fn new(settled: Duration, max_bytes: usize) -> ListingCache {
        ListingCache {
            settled,
            max_bytes,
            roots: Mutex::new(HashMap::new()),
        }
    }

    /// The one the server's syncs share.
    pub fn shared() -> &'static ListingCache {
        static SHARED: OnceLock<ListingCache> = OnceLock::new();
        SHARED.get_or_init(|| ListingCache::new(SETTLED, MAX_BYTES))
    }

    /// How many directories' listings are kept for `root`, and how many of
    /// them its last walk used instead of listing the directory.
    pub fn kept(&self, root: &Path) -> (usize, usize) {
        let roots = self.roots.lock().unwrap_or_else(|p| p.into_inner());
        roots
            .get(root)
            .map_or((0, 0), |kept| (kept.listings.len(), kept.reused))
    }

    /// Forgets every listing held in memory (a restarted server has only
    /// the saved ones).
    pub fn clear(&self) {
        self.roots.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Starts a walk of `root`, which has what was kept for `root` to
    /// itself until it is [`ListingCache::finish`]ed. With `saved_in` (a
    /// directory), listings are also saved there, and read from there when
    /// none are in memory (a restarted server).
    pub fn begin(&self, root: &Path, saved_in: Option<&Path>) -> WalkListings {
        static WALKS: AtomicU64 = AtomicU64::new(1);
        let in_memory = self
            .roots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(root);
        let saved = saved_in.map(|dir| listing_file::path_for(dir, root));
        let old = match (in_memory, &saved) {
            (Some(kept), _) => kept.listings,
            (None, Some(file)) => {
                listing_file::load(file, root, self.max_bytes).unwrap_or_default()
            }
            (None, None) => Listings::new(),
        };
        WalkListings {
            root: root.to_path_buf(),
            saved,
            walk: WALKS.fetch_add(1, Ordering::Relaxed),
            before: SystemTime::now().checked_sub(self.settled),
            max_bytes: self.max_bytes,
            old,
            fresh: Mutex::new(Fresh::default()),
            file_systems: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps the listings a walk found good or read anew; those of
    /// directories it did not meet (gone from the source) are forgotten. A
    /// cancelled walk met too little to go by, and keeps nothing new. The
    /// saved file is written only when something changed.
    pub fn finish(&self, walk: WalkListings, cancelled: bool) {
        if cancelled {
            return;
        }
        let mut listings = walk.old;
        let before = listings.len();
        listings.retain(|_, listed| *listed.walk.get_mut() == walk.walk);
        let reused = listings.len();
        let fresh = walk.fresh.into_inner().unwrap_or_else(|p| p.into_inner());
        let changed = reused != before || !fresh.listings.is_empty() || fresh.overflowed;
        listings.extend(fresh.listings);
        let bytes: usize = listings.iter().map(|(key, l)| l.size(key)).sum();
        let fits = !fresh.overflowed && bytes <= self.max_bytes;
        if let (Some(file), true) = (&walk.saved, changed) {
            // A cache: when it cannot be written, the next walk lists more.
            let _ = if fits {
                listing_file::save(file, &walk.root, &listings)
            } else {
                std::fs::remove_file(file)
            };
        }
        if !fits {
            return;
        }
        let mut roots = self.roots.lock().unwrap_or_else(|p| p.into_inner());
        let held: usize = roots.values().map(|kept| kept.bytes).sum();
        if held + bytes > self.max_bytes {
            roots.clear();
        }
        let kept = Kept {
            listings,
            bytes,
            reused,
        };
        roots.insert(walk.root, kept);
    }
}

/// One walk's view of the cache: what earlier walks kept, and what this
/// one read anew.
pub struct WalkListings {
    root: PathBuf,
    /// The file the listings are saved in, if any.
    saved: Option<PathBuf>,
    walk: u64,
    /// Directories changed after this are listed every time.
    before: Option<SystemTime>,
    max_bytes: usize,
    old: Listings,
    fresh: Mutex<Fresh>,
    /// Whether each device met keeps change times.
    file_systems: Mutex<HashMap<u64, bool>>,
}

/// The listings a walk read anew and may keep, up to the cache's bound: a
/// source with more names than that is listed every time, and its walk
/// holds no more of them than it would without the cache.
#[derive(Default)]
struct Fresh {
    listings: Vec<(Box<[u8]>, Listed)>,
    bytes: usize,
    overflowed: bool,
}

impl WalkListings {
    /// The names of the directory at `relative`, if a listing of it was
    /// kept and `stamp` (asked for only then: it costs an `lstat`) is the
    /// one it was kept with.
    pub fn cached(
        &self,
        relative: &Path,
        stamp: impl FnOnce() -> Option<Stamp>,
    ) -> Option<Arc<Names>> {
        let listed = self.old.get(relative.as_os_str().as_bytes())?;
        if stamp()? != listed.stamp {
            return None;
        }
        listed.walk.store(self.walk, Ordering::Relaxed);
        Some(listed.names.clone())
    }

    /// Keeps the names just read from `dir` (at `relative`, stamped
    /// before reading) if the rule above allows.
    pub fn keep(&self, relative: &Path, stamp: Stamp, names: &Arc<Names>, dir: &OwnedFd) {
        let settled = self.before.is_some_and(|before| stamp.changed() <= before);
        if settled && self.keeps_change_times(stamp.dev, dir) {
            let listed = Listed::new(stamp, names.clone());
            let key: Box<[u8]> = relative.as_os_str().as_bytes().into();
            let mut fresh = self.fresh.lock().unwrap_or_else(|p| p.into_inner());
            fresh.bytes += listed.size(&key);
            if fresh.overflowed || fresh.bytes > self.max_bytes {
                *fresh = Fresh {
                    overflowed: true,
                    ..Fresh::default()
                };
            } else {
                fresh.listings.push((key, listed));
            }
        }
    }

    fn keeps_change_times(&self, dev: u64, dir: &OwnedFd) -> bool {
        let mut known = self.file_systems.lock().unwrap_or_else(|p| p.into_inner());
        *known
            .entry(dev)
            .or_insert_with(|| fstatfs(dir).is_ok_and(|fs| keeps_change_times(fs.f_type)))
    }
}

/// Local file systems that set a directory's change time on every change
/// of its entries: ext2/3/4, XFS, Btrfs, tmpfs, F2FS, ZFS. Network and
/// FUSE file systems are left out: their times may come late or not at all.
pub fn keeps_change_times(f_type: i64) -> bool {
    const KNOWN: [i64; 6] = [
        0xEF53,      // ext2, ext3, ext4
        0x5846_5342, // XFS
        0x9123_683E, // Btrfs
        0x0102_1994, // tmpfs
        0xF2F5_2010, // F2FS
        0x2FC1_2FC1, // ZFS
    ];
    KNOWN.contains(&f_type)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fs::{fstat, openat, statat, AtFlags, Mode, OFlags, CWD};

    fn open_dir(path: &Path) -> OwnedFd {
        openat(CWD, path, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty()).unwrap()
    }

    /// `path`'s stamp and listing, as the walk takes them.
    fn listed(path: &Path) -> (OwnedFd, Stamp, Arc<Names>) {
        let dir = open_dir(path);
        let stamp = Stamp::of(&fstat(&dir).unwrap());
        let names = Arc::new(Names::read(&dir).unwrap());
        (dir, stamp, names)
    }

    #[test]
    fn a_listing_is_used_while_its_directory_is_unchanged_and_only_once_settled() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a"), b"a").unwrap();
        let cache = ListingCache::new(Duration::from_millis(200), MAX_BYTES);
        let sub = Path::new("sub");

        // Changed just now: not kept.
        let walk = cache.begin(&root, None);
        let (dir, stamp, names) = listed(&root.join("sub"));
        walk.keep(sub, stamp, &names, &dir);
        cache.finish(walk, false);
        assert_eq!(cache.kept(&root), (0, 0));

        std::thread::sleep(Duration::from_millis(300));
        let walk = cache.begin(&root, None);
        assert!(walk.cached(sub, || Some(stamp)).is_none());
        walk.keep(sub, stamp, &names, &dir);
        cache.finish(walk, false);
        assert_eq!(cache.kept(&root), (1, 0));

        // Unchanged: the same names, and still kept after the walk.
        let walk = cache.begin(&root, None);
        let again = Stamp::of(&statat(CWD, root.join("sub"), AtFlags::SYMLINK_NOFOLLOW).unwrap());
        assert_eq!(walk.cached(sub, || Some(again)), Some(names.clone()));
        cache.finish(walk, false);
        assert_eq!(cache.kept(&root), (1, 1));

        // A new entry changes the stamp: the listing is not used.
        std::fs::write(root.join("sub/b"), b"b").unwrap();
        let changed = Stamp::of(&statat(CWD, root.join("sub"), AtFlags::SYMLINK_NOFOLLOW).unwrap());
        assert_ne!(changed, stamp);
        let walk = cache.begin(&root, None);
        assert!(walk.cached(sub, || Some(changed)).is_none());
        // A walk that did not meet the directory forgets it.
        cache.finish(walk, false);
        assert_eq!(cache.kept(&root), (0, 0));
    }

    #[test]
    fn a_cancelled_walk_or_one_past_the_bound_keeps_nothing_and_unknown_file_systems_are_not_trusted(
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let cache = ListingCache::new(Duration::ZERO, MAX_BYTES);
        let walk = cache.begin(&root, None);
        let (dir, stamp, names) = listed(&root);
        walk.keep(Path::new(""), stamp, &names, &dir);
        cache.finish(walk, true);
        assert_eq!(cache.kept(&root), (0, 0));
        let walk = cache.begin(&root, None);
        walk.keep(Path::new(""), stamp, &names, &dir);
        cache.finish(walk, false);
        assert_eq!(cache.kept(&root), (1, 0));

        // More names than the bound: listed every time, none held.
        let small = ListingCache::new(Duration::ZERO, 100);
        for i in 0..3 {
            std::fs::create_dir(root.join(format!("sub{i}"))).unwrap();
        }
        let walk = small.begin(&root, None);
        for i in 0..3 {
            let relative = format!("sub{i}");
            let (dir, stamp, names) = listed(&root.join(&relative));
            walk.keep(Path::new(&relative), stamp, &names, &dir);
        }
        assert!(walk.fresh.lock().unwrap().listings.is_empty());
        small.finish(walk, false);
        assert_eq!(small.kept(&root), (0, 0));

        assert!(keeps_change_times(0xEF53));
        // NFS, FUSE, SMB: listed every time.
        for other in [0x6969, 0x6573_5546, 0xFE53_4D42] {
            assert!(!keeps_change_times(other));
        }
    }
}
