//! Example embeddings kept on disk between runs, so a start (or one `tend
//! parse`) embeds only the example phrases it has not seen before instead
//! of all of them. A cache belongs to one model: its file records a BLAKE3
//! fingerprint of the model's files, the device and the pooling, and a
//! cache made by anything else is ignored and rewritten.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use super::DIM;

const MAGIC: &[u8; 8] = b"TENDEMB1";

/// Changes whenever the embedding computation does (pooling, truncation).
const RECIPE: &str = "mean-pool,l2,max64";

pub struct EmbeddingCache {
    file: PathBuf,
    fingerprint: String,
    /// What the file held when opened; looked up for the whole run, since
    /// example sets arrive in steps (shipped ones, then admins').
    stored: HashMap<String, Vec<f32>>,
    /// What this process used: the next file's contents, so phrases no
    /// longer used (a deleted admin example) drop out.
    used: HashMap<String, Vec<f32>>,
    /// Entries in the file now.
    written: usize,
    changed: bool,
}

impl EmbeddingCache {
    /// Opens the cache at `file` for the model made of `model_files` on
    /// `device`; an absent, foreign or damaged file gives an empty cache.
    pub fn open(file: PathBuf, model_files: &[&Path], device: &str) -> std::io::Result<Self> {
        let mut hasher = blake3::Hasher::new();
        for path in model_files {
            hasher.update_reader(std::fs::File::open(path)?)?;
        }
        hasher.update(device.as_bytes());
        hasher.update(RECIPE.as_bytes());
        let fingerprint = hasher.finalize().to_hex().to_string();
        let stored = match read(&file, &fingerprint) {
            Ok(entries) => entries,
            Err(e) => {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::info!(file = %file.display(), "embedding cache not used ({e}); it will be rewritten");
                }
                HashMap::new()
            }
        };
        Ok(EmbeddingCache {
            file,
            fingerprint,
            written: stored.len(),
            stored,
            used: HashMap::new(),
            changed: false,
        })
    }

    pub fn get(&mut self, text: &str) -> Option<Vec<f32>> {
        let vector = self
            .used
            .get(text)
            .or_else(|| self.stored.get(text))?
            .clone();
        self.used.insert(text.to_string(), vector.clone());
        Some(vector)
    }

    pub fn put(&mut self, text: &str, vector: &[f32]) {
        self.used.insert(text.to_string(), vector.to_vec());
        self.changed = true;
    }

    /// Writes the phrases used so far, when they differ from the file's.
    /// Atomic (temporary file, then rename): a crash leaves the old cache.
    pub fn save(&mut self) -> std::io::Result<()> {
        if !self.changed && self.used.len() == self.written {
            return Ok(());
        }
        let dir = self.file.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut out = tempfile::NamedTempFile::new_in(dir)?;
        {
            let mut w = std::io::BufWriter::new(out.as_file_mut());
            w.write_all(MAGIC)?;
            write_bytes(&mut w, self.fingerprint.as_bytes())?;
            w.write_all(&(self.used.len() as u32).to_le_bytes())?;
            for (text, vector) in &self.used {
                write_bytes(&mut w, text.as_bytes())?;
                for x in vector {
                    w.write_all(&x.to_le_bytes())?;
                }
            }
            w.flush()?;
        }
        out.persist(&self.file).map_err(|e| e.error)?;
        self.changed = false;
        self.written = self.used.len();
        Ok(())
    }
}

fn write_bytes(w: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    w.write_all(&(bytes.len() as u32).to_le_bytes())?;
    w.write_all(bytes)
}

fn invalid(why: &str) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, why.to_string())
}

fn read(file: &Path, fingerprint: &str) -> std::io::Result<HashMap<String, Vec<f32>>> {
    let mut data = Vec::new();
    std::fs::File::open(file)?.read_to_end(&mut data)?;
    let mut r = Reader { data: &data, at: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(invalid("not an embedding cache"));
    }
    if r.bytes()? != fingerprint.as_bytes() {
        return Err(invalid("made for another model or device"));
    }
    let count = r.u32()? as usize;
    let mut entries = HashMap::with_capacity(count.min(1 << 16));
    for _ in 0..count {
        let text = String::from_utf8(r.bytes()?.to_vec()).map_err(|_| invalid("bad text"))?;
        let vector = r
            .take(DIM * 4)?
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        entries.insert(text, vector);
    }
    if r.at != data.len() {
        return Err(invalid("trailing bytes"));
    }
    Ok(entries)
}

struct Reader<'a> {
    data: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> std::io::Result<&'a [u8]> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.data.len())
            .ok_or_else(|| invalid("truncated"))?;
        let slice = &self.data[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u32(&mut self) -> std::io::Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn bytes(&mut self) -> std::io::Result<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(dir: &Path, content: &str) -> PathBuf {
        let path = dir.join("model.safetensors");
        std::fs::write(&path, content).unwrap();
        path
    }

    #[test]
    fn round_trips_and_belongs_to_one_model() {
        let dir = tempfile::tempdir().unwrap();
        let weights = model(dir.path(), "weights v1");
        let file = dir.path().join("cache/embeddings.bin");
        let v: Vec<f32> = (0..DIM).map(|i| i as f32 / 7.0).collect();

        let mut cache = EmbeddingCache::open(file.clone(), &[&weights], "cpu").unwrap();
        assert!(cache.get("back up /srv").is_none());
        cache.put("back up /srv", &v);
        cache.put("把 /srv 备份", &v);
        cache.save().unwrap();

        let mut again = EmbeddingCache::open(file.clone(), &[&weights], "cpu").unwrap();
        assert_eq!(again.get("back up /srv"), Some(v.clone()));
        // Only what this run used is written back, but what the file held
        // is still found for the rest of this run.
        again.save().unwrap();
        assert_eq!(again.get("把 /srv 备份"), Some(v.clone()));
        again.save().unwrap();
        let mut kept = EmbeddingCache::open(file.clone(), &[&weights], "cpu").unwrap();
        assert_eq!(kept.get("把 /srv 备份"), Some(v.clone()));
        let mut again = EmbeddingCache::open(file.clone(), &[&weights], "cpu").unwrap();
        again.get("back up /srv");
        again.save().unwrap();
        let mut third = EmbeddingCache::open(file.clone(), &[&weights], "cpu").unwrap();
        assert_eq!(third.get("back up /srv"), Some(v.clone()));
        assert!(third.get("把 /srv 备份").is_none());

        // Another device, or other weights: nothing is reused.
        let mut gpu = EmbeddingCache::open(file.clone(), &[&weights], "cuda").unwrap();
        assert!(gpu.get("back up /srv").is_none());
        model(dir.path(), "weights v2");
        let mut other = EmbeddingCache::open(file.clone(), &[&weights], "cpu").unwrap();
        assert!(other.get("back up /srv").is_none());
    }

    #[test]
    fn a_damaged_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let weights = model(dir.path(), "w");
        let file = dir.path().join("embeddings.bin");
        let mut cache = EmbeddingCache::open(file.clone(), &[&weights], "cpu").unwrap();
        cache.put("a", &[0.5; DIM]);
        cache.save().unwrap();
        let len = std::fs::metadata(&file).unwrap().len();
        // Cut off in the middle of the vector.
        let data = std::fs::read(&file).unwrap();
        std::fs::write(&file, &data[..len as usize - 10]).unwrap();
        let mut cut = EmbeddingCache::open(file.clone(), &[&weights], "cpu").unwrap();
        assert!(cut.get("a").is_none());
        std::fs::write(&file, b"garbage").unwrap();
        let mut garbage = EmbeddingCache::open(file, &[&weights], "cpu").unwrap();
        assert!(garbage.get("a").is_none());
    }
}
