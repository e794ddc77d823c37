//! The destination side of the comparison: a destination directory held
//! open (`O_PATH`; opened again for reading only when deletions need its
//! listing), so each entry is looked up by name relative to it. A re-run with nothing to copy is nothing but these lookups, and a
//! full path would make the kernel walk every component again per file.

use std::ffi::CStr;
use std::io;
use std::os::fd::OwnedFd;
use std::path::Path;

use rustix::fs::{openat, statat, AtFlags, FileType, Mode, OFlags, CWD};
use rustix::io::Errno;

/// An open destination directory.
pub struct TwinDir(OwnedFd);

/// What the destination has under one name.
pub enum Twin {
    Directory(TwinDir),
    /// Something that is not a directory (a file or a link).
    NotDirectory,
    Missing,
}

/// A destination entry's type, size and modification time (`lstat`).
#[derive(Debug, Clone, Copy)]
pub struct TwinStat {
    pub is_dir: bool,
    pub is_symlink: bool,
    pub len: u64,
    pub mtime: i64,
}

const DIR_FLAGS: OFlags = OFlags::PATH
    .union(OFlags::DIRECTORY)
    .union(OFlags::NOFOLLOW)
    .union(OFlags::CLOEXEC);

fn twin_from(opened: rustix::io::Result<OwnedFd>) -> Twin {
    match opened {
        Ok(fd) => Twin::Directory(TwinDir(fd)),
        // A link opened with O_NOFOLLOW | O_DIRECTORY fails with ENOTDIR
        // (or ELOOP on some kernels): a link is never followed.
        Err(Errno::NOTDIR) | Err(Errno::LOOP) => Twin::NotDirectory,
        Err(_) => Twin::Missing,
    }
}

impl TwinDir {
    /// The destination root. It was checked against the policy after
    /// resolving links, so a link there is followed (below it, never).
    pub fn open(path: &Path) -> Twin {
        twin_from(openat(
            CWD,
            path,
            DIR_FLAGS.difference(OFlags::NOFOLLOW),
            Mode::empty(),
        ))
    }

    /// The subdirectory `name` of this directory.
    pub fn child(&self, name: &CStr) -> Twin {
        twin_from(openat(&self.0, name, DIR_FLAGS, Mode::empty()))
    }

    /// `lstat` of `name` in this directory; `None` when it is missing.
    pub fn stat(&self, name: &CStr) -> io::Result<Option<TwinStat>> {
        let st = match statat(&self.0, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => st,
            Err(Errno::NOENT) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let kind = FileType::from_raw_mode(st.st_mode);
        Ok(Some(TwinStat {
            is_dir: kind == FileType::Directory,
            is_symlink: kind == FileType::Symlink,
            len: st.st_size as u64,
            mtime: st.st_mtime as i64,
        }))
    }

    /// This directory opened for reading its listing (the `O_PATH`
    /// descriptor cannot be read, so it is opened again, relative to itself).
    pub fn list(&self) -> io::Result<OwnedFd> {
        Ok(openat(
            &self.0,
            c".",
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn directories_files_and_links_are_told_apart_without_following_links() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir(root.join("sub")).unwrap();
        std::fs::write(root.join("file"), b"twelve bytes").unwrap();
        std::os::unix::fs::symlink(root.join("sub"), root.join("link")).unwrap();

        let Twin::Directory(dir) = TwinDir::open(root) else {
            panic!("the root is a directory");
        };
        assert!(matches!(dir.child(c"sub"), Twin::Directory(_)));
        // A link to a directory is not walked into.
        assert!(matches!(dir.child(c"link"), Twin::NotDirectory));
        assert!(matches!(dir.child(c"file"), Twin::NotDirectory));
        assert!(matches!(dir.child(c"gone"), Twin::Missing));
        assert!(matches!(
            TwinDir::open(&root.join("file")),
            Twin::NotDirectory
        ));
        assert!(matches!(TwinDir::open(&root.join("gone")), Twin::Missing));
        // The root itself may be reached through a link (it was checked).
        assert!(matches!(
            TwinDir::open(&root.join("link")),
            Twin::Directory(_)
        ));

        let file = dir.stat(c"file").unwrap().unwrap();
        let meta = std::fs::metadata(root.join("file")).unwrap();
        assert_eq!((file.len, file.mtime), (12, meta.mtime()));
        assert!(!file.is_dir && !file.is_symlink);
        let link = dir.stat(c"link").unwrap().unwrap();
        assert!(link.is_symlink && !link.is_dir);
        assert!(dir.stat(c"sub").unwrap().unwrap().is_dir);
        assert!(dir.stat(c"gone").unwrap().is_none());
    }
}
