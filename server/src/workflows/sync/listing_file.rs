//! Kept listings saved in the data directory's cache, so a restarted server
//! has them too: one file per source root, written whole under a temporary
//! name and renamed, and read back only if its checksum and root match
//! (anything else is as if there were no file: every directory is listed).

use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::listing_cache::{Listed, Listings, Stamp};
use super::names::Names;

const MAGIC: &[u8; 8] = b"TENDLST1";

/// The file for `root`'s listings in `dir`.
pub fn path_for(dir: &Path, root: &Path) -> PathBuf {
    let id = blake3::hash(root.as_os_str().as_bytes()).to_hex();
    dir.join(format!("{}.bin", &id[..32]))
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

pub fn save(file: &Path, root: &Path, listings: &Listings) -> io::Result<()> {
    let mut out = Vec::with_capacity(64 + listings.len() * 128);
    out.extend_from_slice(MAGIC);
    put_bytes(&mut out, root.as_os_str().as_bytes());
    out.extend_from_slice(&(listings.len() as u64).to_le_bytes());
    for (key, listed) in listings {
        put_bytes(&mut out, key);
        for word in listed.stamp.words() {
            out.extend_from_slice(&word.to_le_bytes());
        }
        put_bytes(&mut out, listed.names.bytes());
    }
    out.extend_from_slice(blake3::hash(&out).as_bytes());
    if let Some(parent) = file.parent() {
        fs::create_dir_all(parent)?;
    }
    let temp = file.with_extension("tmp");
    fs::write(&temp, &out)?;
    fs::rename(&temp, file)
}

/// Reads what was saved for `root`; `None` if there is nothing usable (or
/// more than `max_bytes`).
pub fn load(file: &Path, root: &Path, max_bytes: usize) -> Option<Listings> {
    if fs::metadata(file).ok()?.len() > max_bytes as u64 {
        return None;
    }
    let data = fs::read(file).ok()?;
    let (body, sum) = data.split_at_checked(data.len().checked_sub(32)?)?;
    if blake3::hash(body).as_bytes() != sum {
        return None;
    }
    let mut reader = Reader(body.strip_prefix(MAGIC)?);
    if reader.bytes()? != root.as_os_str().as_bytes() {
        return None;
    }
    let count = reader.word()?;
    let mut listings = Listings::with_capacity(count.min(1 << 20) as usize);
    for _ in 0..count {
        let key: Box<[u8]> = reader.bytes()?.into();
        let mut words = [0u64; 6];
        for word in &mut words {
            *word = reader.word()?;
        }
        let names = Names::from_bytes(reader.bytes()?.to_vec())?;
        listings.insert(key, Listed::new(Stamp::from_words(words), Arc::new(names)));
    }
    reader.0.is_empty().then_some(listings)
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn word(&mut self) -> Option<u64> {
        let (word, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        Some(u64::from_le_bytes(*word))
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.word()?).ok()?;
        let (bytes, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        Some(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fs::{fstat, openat, Mode, OFlags, CWD};

    /// Listings of `root` and its subdirectory `sub`, as a walk keeps them.
    fn some_listings(root: &Path) -> Listings {
        let mut listings = Listings::new();
        for relative in ["", "sub"] {
            let dir = openat(
                CWD,
                root.join(relative),
                OFlags::RDONLY | OFlags::DIRECTORY,
                Mode::empty(),
            )
            .unwrap();
            let stamp = Stamp::of(&fstat(&dir).unwrap());
            let names = Names::read(&dir).unwrap();
            listings.insert(
                relative.as_bytes().into(),
                Listed::new(stamp, Arc::new(names)),
            );
        }
        listings
    }

    #[test]
    fn saved_listings_read_back_the_same_and_a_damaged_or_foreign_file_is_not_used() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("source");
        fs::create_dir_all(root.join("sub")).unwrap();
        fs::write(root.join("a.txt"), b"a").unwrap();
        fs::write(root.join("sub/b.txt"), b"b").unwrap();
        let listings = some_listings(&root);
        let file = path_for(&tmp.path().join("saved"), &root);
        save(&file, &root, &listings).unwrap();

        let back = load(&file, &root, usize::MAX).expect("read back");
        assert_eq!(back.len(), 2);
        for (key, listed) in &listings {
            let again = &back[key];
            assert_eq!(again.stamp, listed.stamp);
            assert_eq!(again.names, listed.names);
        }
        let names: Vec<_> = back[&b"sub"[..]]
            .names
            .iter()
            .map(|(n, _)| n.to_owned())
            .collect();
        assert_eq!(names, [c"b.txt".to_owned()]);

        // Another root's file, a file past the bound, a flipped byte, a
        // cut-off file: none is used.
        assert!(load(&file, &tmp.path().join("other"), usize::MAX).is_none());
        assert!(load(&file, &root, 10).is_none());
        let mut data = fs::read(&file).unwrap();
        data[40] ^= 1;
        fs::write(&file, &data).unwrap();
        assert!(load(&file, &root, usize::MAX).is_none());
        save(&file, &root, &listings).unwrap();
        let data = fs::read(&file).unwrap();
        fs::write(&file, &data[..data.len() - 1]).unwrap();
        assert!(load(&file, &root, usize::MAX).is_none());
    }

    #[test]
    fn malformed_names_are_refused() {
        assert!(Names::from_bytes(b"fa.txt\0dsub\0".to_vec()).is_some());
        assert!(Names::from_bytes(b"fa.txt".to_vec()).is_none());
        assert!(Names::from_bytes(b"xa.txt\0".to_vec()).is_none());
        assert!(Names::from_bytes(b"f\0".to_vec()).is_none());
    }
}
