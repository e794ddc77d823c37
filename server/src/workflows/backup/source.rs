//! The backup source: rustic's local walker, wrapped so Tend sees each entry
//! (current file, per-file errors) and can stop the walk when cancelled.

use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rustic_core::repofile::Node;
use rustic_core::{LocalSource, ReadSource, ReadSourceEntry, ReadSourceOpen, RusticResult};

use super::unchanged::Fingerprint;

/// What the walk has seen so far, shared with the progress reporter.
#[derive(Debug, Default)]
pub struct Seen {
    pub files: AtomicU64,
    pub total_bytes: AtomicU64,
    pub current: Mutex<Option<PathBuf>>,
    /// Entries that could not be read, one line each.
    pub errors: Mutex<Vec<String>>,
    /// Of every entry the walk handed to rustic, for the next backup's
    /// shortcut ([`super::unchanged`]).
    pub fingerprint: Fingerprint,
}

impl Seen {
    /// One more entry walked: counted if it is not a directory, and shown
    /// as the current one.
    pub fn walked(&self, path: &Path, node: &Node) {
        if !node.is_dir() {
            self.files.fetch_add(1, Ordering::Relaxed);
        }
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(path.to_path_buf());
    }

    pub fn error(&self, line: String) {
        self.fingerprint.spoil();
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(line);
    }
}

pub struct TrackedSource {
    inner: LocalSource,
    seen: Arc<Seen>,
    cancel: Arc<AtomicBool>,
    /// The previous snapshot's size: a good estimate for progress that
    /// spares a second walk of the tree next to the backup's own.
    estimate: Option<u64>,
}

impl TrackedSource {
    pub fn new(
        inner: LocalSource,
        seen: Arc<Seen>,
        cancel: Arc<AtomicBool>,
        estimate: Option<u64>,
    ) -> Self {
        TrackedSource {
            inner,
            seen,
            cancel,
            estimate,
        }
    }
}

impl ReadSource for TrackedSource {
    type Open = TrackedOpen;
    type Iter = TrackedIter;

    fn size(&self) -> RusticResult<Option<u64>> {
        let size = match self.estimate {
            Some(known) => Some(known),
            None => self.inner.size()?,
        };
        if let Some(s) = size {
            self.seen.total_bytes.store(s, Ordering::Relaxed);
        }
        Ok(size)
    }

    fn entries(&self) -> Self::Iter {
        TrackedIter {
            inner: self.inner.entries(),
            seen: self.seen.clone(),
            cancel: self.cancel.clone(),
        }
    }
}

pub struct TrackedIter {
    inner: <LocalSource as ReadSource>::Iter,
    seen: Arc<Seen>,
    cancel: Arc<AtomicBool>,
}

impl Iterator for TrackedIter {
    type Item = RusticResult<ReadSourceEntry<TrackedOpen>>;

    fn next(&mut self) -> Option<Self::Item> {
        // Ending the walk early is how a cancelled backup stops quickly; the
        // snapshot it leaves is deleted by the caller.
        if self.cancel.load(Ordering::Relaxed) {
            return None;
        }
        let item = self.inner.next()?;
        Some(match item {
            Ok(entry) => {
                self.seen.walked(&entry.path, &entry.node);
                self.seen.fingerprint.add(&entry.path, &entry.node);
                Ok(ReadSourceEntry {
                    path: entry.path.clone(),
                    node: entry.node,
                    open: entry.open.map(|open| TrackedOpen {
                        inner: open,
                        path: entry.path,
                        seen: self.seen.clone(),
                        cancel: self.cancel.clone(),
                    }),
                })
            }
            Err(e) => {
                self.seen.error(e.to_string());
                Err(e)
            }
        })
    }
}

pub struct TrackedOpen {
    inner: <LocalSource as ReadSource>::Open,
    path: PathBuf,
    seen: Arc<Seen>,
    cancel: Arc<AtomicBool>,
}

impl ReadSourceOpen for TrackedOpen {
    type Reader = CancellableReader<<<LocalSource as ReadSource>::Open as ReadSourceOpen>::Reader>;

    fn open(self) -> RusticResult<Self::Reader> {
        match self.inner.open() {
            Ok(reader) => Ok(CancellableReader {
                inner: reader,
                cancel: self.cancel,
                path: self.path,
                seen: self.seen,
            }),
            Err(e) => {
                self.seen.error(format!("{}: {}", self.path.display(), e));
                Err(e)
            }
        }
    }
}

/// Stops reading a large file as soon as the task is cancelled, and notes a
/// file that fails part-way: rustic leaves such a file out of the snapshot
/// with only a log line of its own, and the task must say so.
pub struct CancellableReader<R> {
    inner: R,
    cancel: Arc<AtomicBool>,
    path: PathBuf,
    seen: Arc<Seen>,
}

impl<R: Read> Read for CancellableReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.load(Ordering::Relaxed) {
            return // Not `Interrupted`: readers retry on that.
            Err(io::Error::other("the task was cancelled"));
        }
        self.inner.read(buf).inspect_err(|e| {
            if e.kind() != io::ErrorKind::Interrupted {
                self.seen.error(format!("{}: {e}", self.path.display()));
            }
        })
    }
}
