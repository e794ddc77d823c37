//! The two iterator stages rustic_core's backup pipeline is built from:
//! [`IteratorExt::readahead_scoped`] (run an iterator ahead of its consumer)
//! and [`IteratorExt::parallel_map_scoped`] (map on several threads, results
//! in input order). On its way into a pack every blob of a backup passes
//! three readaheads and a parallel map, and every pack three readaheads more.
//!
//! Why Tend carries its own: where a readahead runs. The crate gives each
//! one a thread, and hands items over through a channel with no buffer. Most
//! of these stages only forward blobs, so on a machine with two cores or
//! fewer, where rustic_core already runs more CPU-bound workers than there
//! are cores, such a thread overlaps nothing and costs a sleep and a wake-up
//! on both sides of every blob. There it runs on its consumer's thread
//! instead; src/readahead.rs has the measurements. With more cores each
//! readahead gets its thread, as in the crate.
//!
//! Also changed: the crate's ordered map waits for a result with a 100 µs
//! timeout, to look at a "worker panicked" flag in between. Here a waiting
//! thread blocks until a result or a panic notice comes: a worker that
//! panics sends the notice as it unwinds (src/parallel_map.rs). That alone
//! made no measurable difference to a backup, but a waiting thread no
//! longer wakes up for nothing.
//!
//! Only the items rustic_core uses are provided, with the crate's call
//! signatures and its behaviour: results in input order, at most
//! `2 × threads` items in flight, a worker's or reader's panic re-raised in
//! the consuming thread, and a reader thread that keeps draining its
//! iterator when its consumer has gone (so upstream senders never block
//! forever).

use std::thread::Scope;

mod parallel_map;
mod readahead;

pub use parallel_map::ParallelMap;
pub use readahead::Readahead;

/// Parallel stages for any iterator.
pub trait IteratorExt: Iterator + Sized {
    /// Runs this iterator ahead of its consumer on a thread of `scope`,
    /// handing items over one at a time, or, on a machine with two cores or
    /// fewer, on the consumer's own thread (src/readahead.rs says why).
    /// Either way the items come out in order.
    fn readahead_scoped<'scope, 'env>(self, scope: &'scope Scope<'scope, 'env>) -> Readahead<Self>
    where
        Self: Send + 'scope,
        Self::Item: Send + 'scope,
    {
        Readahead::start(self, scope)
    }

    /// Maps the items with `f` on one thread per available core, pulling
    /// from this iterator on the caller's thread; results come out in the
    /// order of the items.
    fn parallel_map_scoped<'scope, 'env, F, O>(
        self,
        scope: &'scope Scope<'scope, 'env>,
        f: F,
    ) -> ParallelMap<Self, O>
    where
        Self::Item: Send + 'scope,
        O: Send + 'scope,
        F: FnMut(Self::Item) -> O + Clone + Send + 'scope,
    {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        ParallelMap::start(self, scope, threads, f)
    }
}

impl<I: Iterator> IteratorExt for I {}
