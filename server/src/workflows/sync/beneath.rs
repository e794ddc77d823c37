//! A source directory as the walk reaches it: a short relative path below a
//! directory held open.
//!
//! A directory whose listing is known ([`super::listing_cache`]) need not be
//! opened: its entries are looked up by `name`'s path below the nearest
//! ancestor held open, which the kernel resolves from its cache. Another
//! ancestor is held open every [`MAX_BELOW`] levels, so no lookup walks a
//! long path.
//!
//! Links: every name on such a path was seen to be a directory, not a
//! link, when the walk reached it. One swapped for a link afterwards could
//! make an `lstat` read a file elsewhere (its type, size and time, nothing
//! more). Whatever is opened below a base, a listing or a new base, refuses
//! links anywhere on its path (`RESOLVE_NO_SYMLINKS`).

use std::ffi::CStr;
use std::os::fd::OwnedFd;
use std::sync::Arc;

use rustix::fs::{openat, openat2, statat, AtFlags, Mode, OFlags, ResolveFlags, Stat};
use rustix::io::{Errno, Result};

/// Levels reached through one open directory before another is opened.
const MAX_BELOW: usize = 4;

/// The directory `below` (names joined by `/`, empty for `base` itself)
/// under the open directory `base`.
#[derive(Clone)]
pub struct Beneath {
    base: Arc<OwnedFd>,
    below: Vec<u8>,
    depth: usize,
}

impl Beneath {
    /// The open directory `fd` itself.
    pub fn at(fd: OwnedFd) -> Beneath {
        Beneath {
            base: Arc::new(fd),
            below: Vec::new(),
            depth: 0,
        }
    }

    /// Calls `f` with the path of `name` relative to the base (built on the
    /// stack unless it is long).
    fn with_path<R>(&self, name: &CStr, f: impl FnOnce(&CStr) -> R) -> R {
        if self.below.is_empty() {
            return f(name);
        }
        let name = name.to_bytes_with_nul();
        let len = self.below.len() + 1 + name.len();
        let mut stack = [0u8; 512];
        let mut heap = Vec::new();
        let buf = if len <= stack.len() {
            &mut stack[..len]
        } else {
            heap.resize(len, 0);
            &mut heap[..]
        };
        buf[..self.below.len()].copy_from_slice(&self.below);
        buf[self.below.len()] = b'/';
        buf[self.below.len() + 1..].copy_from_slice(name);
        match CStr::from_bytes_with_nul(buf) {
            Ok(path) => f(path),
            // Names come from listings, which hold no NUL inside a name.
            Err(_) => f(c""),
        }
    }

    /// `lstat` of `name` in this directory.
    pub fn lstat(&self, name: &CStr) -> Result<Stat> {
        self.with_path(name, |path| {
            statat(&*self.base, path, AtFlags::SYMLINK_NOFOLLOW)
        })
    }

    /// Opens `name` in this directory with `flags` (which hold `O_NOFOLLOW`
    /// for its last name); no link between the base and it is followed
    /// either. Where `openat2` is missing (kernels before 5.6) or refused
    /// (container seccomp profiles from before it), only the last name is
    /// checked.
    pub fn open(&self, name: &CStr, flags: OFlags) -> Result<OwnedFd> {
        if self.below.is_empty() {
            return openat(&*self.base, name, flags, Mode::empty());
        }
        self.with_path(name, |path| {
            match openat2(
                &*self.base,
                path,
                flags,
                Mode::empty(),
                ResolveFlags::NO_SYMLINKS,
            ) {
                Err(Errno::NOSYS | Errno::PERM) => openat(&*self.base, path, flags, Mode::empty()),
                other => other,
            }
        })
    }

    /// The subdirectory `name`, already seen to be a directory: reached
    /// through this one's base, or held open itself every few levels.
    pub fn descend(&self, name: &CStr) -> Result<Beneath> {
        if self.depth + 1 >= MAX_BELOW {
            let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
            return self.open(name, flags).map(Beneath::at);
        }
        let mut below = Vec::with_capacity(self.below.len() + 1 + name.to_bytes().len());
        if !self.below.is_empty() {
            below.extend_from_slice(&self.below);
            below.push(b'/');
        }
        below.extend_from_slice(name.to_bytes());
        Ok(Beneath {
            base: self.base.clone(),
            below,
            depth: self.depth + 1,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fs::{FileType, CWD};

    fn open_dir(path: &std::path::Path) -> OwnedFd {
        openat(
            CWD,
            path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .unwrap()
    }

    #[test]
    fn deep_directories_are_reached_and_no_link_on_the_way_is_opened() {
        let tmp = tempfile::tempdir().unwrap();
        let deep = tmp.path().join("a/b/c/d/e/f");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("file"), b"seven b").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("a/b"), tmp.path().join("a/link")).unwrap();

        let mut at = Beneath::at(open_dir(tmp.path()));
        for name in [c"a", c"b", c"c", c"d", c"e", c"f"] {
            at = at.descend(name).unwrap();
        }
        // Six levels: a base was opened on the way, so the path stays short.
        assert!(at.depth < MAX_BELOW);
        let st = at.lstat(c"file").unwrap();
        assert_eq!(st.st_size, 7);
        assert_eq!(FileType::from_raw_mode(st.st_mode), FileType::RegularFile);
        assert_eq!(at.lstat(c"gone").unwrap_err(), Errno::NOENT);

        // A link on the path below a base is refused when opening, though
        // an lstat of the link itself sees a link.
        let a = Beneath::at(open_dir(tmp.path())).descend(c"a").unwrap();
        let link = a.lstat(c"link").unwrap();
        assert_eq!(FileType::from_raw_mode(link.st_mode), FileType::Symlink);
        let through_link = a.descend(c"link").unwrap();
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        assert!(through_link.open(c"c", flags).is_err());
        assert!(a.descend(c"b").unwrap().open(c"c", flags).is_ok());
    }
}
