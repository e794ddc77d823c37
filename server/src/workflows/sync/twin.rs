//! The destination side of the comparison: a destination directory held
//! open (`O_PATH`, no listing), so each entry is looked up by name relative
//! to it. A re-run with nothing to copy is nothing but these lookups, and a
//! full path would make the kernel walk every component again per file.

use std::ffi::{CString, OsStr};
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

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

/// A name or path as the C calls take it.
fn c_name(name: &OsStr) -> io::Result<CString> {
    CString::new(name.as_bytes()).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))
}

const DIR_FLAGS: libc::c_int =
    libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;

fn twin_from(fd: libc::c_int) -> Twin {
    if fd >= 0 {
        // SAFETY: `fd` was just opened and is owned by nothing else.
        return Twin::Directory(TwinDir(unsafe { OwnedFd::from_raw_fd(fd) }));
    }
    match io::Error::last_os_error().raw_os_error() {
        // A link opened with O_NOFOLLOW | O_DIRECTORY fails with ENOTDIR
        // (or ELOOP on some kernels): a link is never followed.
        Some(libc::ENOTDIR) | Some(libc::ELOOP) => Twin::NotDirectory,
        _ => Twin::Missing,
    }
}

impl TwinDir {
    /// The destination root. It was checked against the policy after
    /// resolving links, so a link there is followed (below it, never).
    pub fn open(path: &Path) -> Twin {
        let Ok(path) = c_name(path.as_os_str()) else {
            return Twin::Missing;
        };
        // SAFETY: a valid NUL-terminated path; the result is checked.
        twin_from(unsafe { libc::open(path.as_ptr(), DIR_FLAGS & !libc::O_NOFOLLOW) })
    }

    /// The subdirectory `name` of this directory.
    pub fn child(&self, name: &OsStr) -> Twin {
        let Ok(name) = c_name(name) else {
            return Twin::Missing;
        };
        // SAFETY: `self.0` is an open descriptor, `name` NUL-terminated.
        twin_from(unsafe { libc::openat(self.0.as_raw_fd(), name.as_ptr(), DIR_FLAGS) })
    }

    /// `lstat` of `name` in this directory; `None` when it is missing.
    pub fn stat(&self, name: &OsStr) -> io::Result<Option<TwinStat>> {
        let name = c_name(name)?;
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: valid descriptor and name; `st` is written on success.
        let rc = unsafe {
            libc::fstatat(
                self.0.as_raw_fd(),
                name.as_ptr(),
                st.as_mut_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc != 0 {
            let e = io::Error::last_os_error();
            return match e.raw_os_error() {
                Some(libc::ENOENT) => Ok(None),
                _ => Err(e),
            };
        }
        // SAFETY: fstatat succeeded, so `st` is initialized.
        let st = unsafe { st.assume_init() };
        let kind = st.st_mode & libc::S_IFMT;
        Ok(Some(TwinStat {
            is_dir: kind == libc::S_IFDIR,
            is_symlink: kind == libc::S_IFLNK,
            len: st.st_size as u64,
            mtime: st.st_mtime,
        }))
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
        assert!(matches!(dir.child(OsStr::new("sub")), Twin::Directory(_)));
        // A link to a directory is not walked into.
        assert!(matches!(dir.child(OsStr::new("link")), Twin::NotDirectory));
        assert!(matches!(dir.child(OsStr::new("file")), Twin::NotDirectory));
        assert!(matches!(dir.child(OsStr::new("gone")), Twin::Missing));
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

        let file = dir.stat(OsStr::new("file")).unwrap().unwrap();
        let meta = std::fs::metadata(root.join("file")).unwrap();
        assert_eq!((file.len, file.mtime), (12, meta.mtime()));
        assert!(!file.is_dir && !file.is_symlink);
        let link = dir.stat(OsStr::new("link")).unwrap().unwrap();
        assert!(link.is_symlink && !link.is_dir);
        assert!(dir.stat(OsStr::new("sub")).unwrap().unwrap().is_dir);
        assert!(dir.stat(OsStr::new("gone")).unwrap().is_none());
    }
}
