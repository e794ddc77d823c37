//! rustic reports progress through `ProgressBars`; these forward the byte
//! counts of the phase that matters into atomics the task reporter reads.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use rustic_core::{HiddenProgress, Progress, ProgressBars, ProgressType, RusticProgress};

#[derive(Debug, Default)]
pub struct Counters {
    pub done: AtomicU64,
    pub total: AtomicU64,
}

/// Counts the bytes progress bars (backup's "backing up...", restore's
/// "restoring file contents..."); other bars stay hidden.
#[derive(Debug, Clone)]
pub struct ByteCounter(pub Arc<Counters>);

impl ProgressBars for ByteCounter {
    fn progress(&self, kind: ProgressType, _prefix: &str) -> Progress {
        match kind {
            ProgressType::Bytes => Progress::new(Forward(self.0.clone())),
            _ => Progress::new(HiddenProgress),
        }
    }
}

#[derive(Debug)]
struct Forward(Arc<Counters>);

impl RusticProgress for Forward {
    fn is_hidden(&self) -> bool {
        false
    }

    fn set_length(&self, len: u64) {
        self.0.total.store(len, Ordering::Relaxed);
    }

    fn set_title(&self, _title: &str) {}

    fn inc(&self, inc: u64) {
        self.0.done.fetch_add(inc, Ordering::Relaxed);
    }

    fn finish(&self) {}
}
