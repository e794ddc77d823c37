//! A directory's entries as the walk uses them: each name with its type,
//! read whole with `getdents64` into one buffer (no allocation per entry).

use std::ffi::CStr;
use std::io;
use std::mem::MaybeUninit;
use std::os::fd::OwnedFd;

use rustix::fs::{statat, AtFlags, FileType, RawDir};

use super::{TEMP_PREFIX, VERSIONS_DIR};

/// Names and types, packed as `type byte, name, NUL` records.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Names(Vec<u8>);

pub(super) fn is_ours(name: &[u8]) -> bool {
    name == VERSIONS_DIR.as_bytes() || name.starts_with(TEMP_PREFIX.as_bytes())
}

fn type_byte(kind: FileType) -> u8 {
    match kind {
        FileType::RegularFile => b'f',
        FileType::Directory => b'd',
        FileType::Symlink => b'l',
        _ => b'o',
    }
}

fn from_type_byte(byte: u8) -> FileType {
    match byte {
        b'f' => FileType::RegularFile,
        b'd' => FileType::Directory,
        b'l' => FileType::Symlink,
        _ => FileType::Unknown,
    }
}

impl Names {
    /// Every entry of the open directory `dir` but `.`, `..` and Tend's
    /// own, with its type: from the listing, or from an `lstat` on file
    /// systems that do not say (`DT_UNKNOWN`). Sockets, devices and the
    /// like are `FileType::Unknown`.
    pub fn read(dir: &OwnedFd) -> io::Result<Names> {
        let mut buf = [MaybeUninit::<u8>::uninit(); 16 * 1024];
        let mut listing = RawDir::new(dir, &mut buf);
        let mut packed = Vec::new();
        while let Some(entry) = listing.next() {
            let entry = entry?;
            let name = entry.file_name();
            let bytes = name.to_bytes();
            if matches!(bytes, b"." | b"..") || is_ours(bytes) {
                continue;
            }
            let kind = match entry.file_type() {
                FileType::Unknown => {
                    let st = statat(dir, name, AtFlags::SYMLINK_NOFOLLOW)?;
                    FileType::from_raw_mode(st.st_mode)
                }
                known => known,
            };
            packed.push(type_byte(kind));
            packed.extend_from_slice(name.to_bytes_with_nul());
        }
        Ok(Names(packed))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&CStr, FileType)> {
        let mut rest = &self.0[..];
        std::iter::from_fn(move || {
            let (&kind, after) = rest.split_first()?;
            let name = CStr::from_bytes_until_nul(after).ok()?;
            rest = &after[name.to_bytes_with_nul().len()..];
            Some((name, from_type_byte(kind)))
        })
    }

    /// Bytes held, for the cache's bound.
    pub fn size(&self) -> usize {
        self.0.len()
    }

    /// The packed records, to be saved.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Records read back; `None` unless each is a known type byte and a
    /// non-empty name ended by a NUL.
    pub fn from_bytes(packed: Vec<u8>) -> Option<Names> {
        let mut rest = &packed[..];
        while let Some((kind, after)) = rest.split_first() {
            let name = CStr::from_bytes_until_nul(after).ok()?;
            if !b"fdlo".contains(kind) || name.is_empty() {
                return None;
            }
            rest = &after[name.to_bytes_with_nul().len()..];
        }
        Some(Names(packed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fs::{openat, Mode, OFlags, CWD};

    #[test]
    fn a_large_directory_is_read_whole_with_types_and_without_tends_own() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        // More than one 16 KiB read's worth of long names.
        let long = "n".repeat(200);
        for i in 0..300 {
            std::fs::write(root.join(format!("{long}{i}")), b"x").unwrap();
        }
        std::fs::create_dir(root.join("sub")).unwrap();
        std::os::unix::fs::symlink("sub", root.join("link")).unwrap();
        std::fs::create_dir(root.join(VERSIONS_DIR)).unwrap();
        std::fs::write(root.join(format!("{TEMP_PREFIX}1")), b"t").unwrap();
        let fifo = root.join("fifo");
        rustix::fs::mknodat(CWD, &fifo, FileType::Fifo, Mode::RUSR | Mode::WUSR, 0).unwrap();

        let dir = openat(CWD, root, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty()).unwrap();
        let names = Names::read(&dir).unwrap();
        let mut seen: Vec<(String, FileType)> = names
            .iter()
            .map(|(n, t)| (n.to_string_lossy().into_owned(), t))
            .collect();
        seen.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(seen.len(), 303);
        assert_eq!(seen[0], ("fifo".to_string(), FileType::Unknown));
        assert_eq!(seen[1], ("link".to_string(), FileType::Symlink));
        assert!(seen[2..302]
            .iter()
            .all(|(n, t)| n.starts_with(&long) && *t == FileType::RegularFile));
        assert_eq!(seen[302], ("sub".to_string(), FileType::Directory));
    }
}
