//! How a stage's thread tells its consumer that it panicked.

use crossbeam_channel::Sender;
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

/// Raises a shared flag if dropped while its thread unwinds from a panic.
/// Declared first in a thread's body, so it drops before the thread's
/// channel ends do: a consumer that sees the channel close then sees the
/// flag too.
pub(crate) struct PanicFlag(pub(crate) Arc<AtomicBool>);

impl PanicFlag {
    pub(crate) fn raised(flag: &AtomicBool) -> bool {
        flag.load(Ordering::SeqCst)
    }
}

impl Drop for PanicFlag {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(true, Ordering::SeqCst);
        }
    }
}

/// Sends `notice` on `to` if dropped while its thread unwinds from a panic,
/// which wakes a consumer blocked on that channel at once.
pub(crate) struct PanicNotice<T, F: Fn() -> T> {
    pub(crate) to: Sender<T>,
    pub(crate) notice: F,
}

impl<T, F: Fn() -> T> Drop for PanicNotice<T, F> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The consumer may be gone already; then nobody waits.
            let _ = self.to.send((self.notice)());
        }
    }
}
