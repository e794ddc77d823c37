//! An iterator run ahead of its consumer, on a thread of its own where
//! that can pay off.

use crossbeam_channel::Receiver;
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, OnceLock,
    },
    thread::Scope,
};

/// Where a readahead stage runs its iterator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// On a thread of its own, handing items over one at a time.
    OwnThread,
    /// On the consumer's thread, as a plain iterator.
    Inline,
}

impl Placement {
    /// Inline on a machine with two cores or fewer. There, rustic_core's
    /// pipeline already keeps more CPU-bound workers busy than there are
    /// cores (two file readers, two compress-and-encrypt workers), so a
    /// readahead thread cannot run beside them: it only adds a sleep and a
    /// wake-up on both sides of every item. Measured on a 2-core VM, on a
    /// first backup of 50,000 files: 760,000 context switches became
    /// 390,000, CPU time fell by 1.5 s and the backup took 6 to 12% less
    /// time. With more cores a stage's own thread overlaps real work (the
    /// pack hasher with the pack writer), as in the crate.
    fn for_this_machine() -> Self {
        static PLACEMENT: OnceLock<Placement> = OnceLock::new();
        *PLACEMENT.get_or_init(|| {
            Self::for_cores(std::thread::available_parallelism().map_or(1, |n| n.get()))
        })
    }

    fn for_cores(cores: usize) -> Self {
        if cores <= 2 {
            Self::Inline
        } else {
            Self::OwnThread
        }
    }
}

/// Raises a shared flag if dropped while its thread unwinds from a panic.
/// Declared first in a thread's body, so it drops before the thread's
/// channel ends do: a consumer that sees the channel close then sees the
/// flag too.
struct PanicFlag(Arc<AtomicBool>);

impl PanicFlag {
    fn raised(flag: &AtomicBool) -> bool {
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

/// Items of `I`, in order, read ahead on another thread or pulled inline.
pub struct Readahead<I: Iterator> {
    source: Source<I>,
}

enum Source<I: Iterator> {
    Inline(I),
    Thread {
        items: Receiver<I::Item>,
        reader_panicked: Arc<AtomicBool>,
    },
}

impl<I> Readahead<I>
where
    I: Iterator + Send,
    I::Item: Send,
{
    pub(crate) fn start<'scope>(iter: I, scope: &'scope Scope<'scope, '_>) -> Self
    where
        I: 'scope,
        I::Item: 'scope,
    {
        Self::placed(iter, scope, Placement::for_this_machine())
    }

    pub(crate) fn placed<'scope>(
        iter: I,
        scope: &'scope Scope<'scope, '_>,
        placement: Placement,
    ) -> Self
    where
        I: 'scope,
        I::Item: 'scope,
    {
        if placement == Placement::Inline {
            return Self {
                source: Source::Inline(iter),
            };
        }
        // Zero capacity, as the crate has it: a reader is never more than the
        // item it is handing over ahead, whatever the items weigh (here they
        // can be whole pack files).
        let (tx, items) = crossbeam_channel::bounded(0);
        let reader_panicked = Arc::new(AtomicBool::new(false));
        let flag = PanicFlag(reader_panicked.clone());
        scope.spawn(move || {
            let _flag = flag;
            for item in iter {
                // A consumer that stopped early still lets the iterator run
                // to its end, so whatever feeds it is not left blocked.
                let _ = tx.send(item);
            }
        });
        Self {
            source: Source::Thread {
                items,
                reader_panicked,
            },
        }
    }
}

impl<I: Iterator> Iterator for Readahead<I> {
    type Item = I::Item;

    fn next(&mut self) -> Option<I::Item> {
        match &mut self.source {
            Source::Inline(iter) => iter.next(),
            Source::Thread {
                items,
                reader_panicked,
            } => match items.recv() {
                Ok(item) => Some(item),
                Err(_) if PanicFlag::raised(reader_panicked) => {
                    panic!("readahead worker thread panicked")
                }
                Err(_) => None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Placement, Readahead};

    const BOTH: [Placement; 2] = [Placement::OwnThread, Placement::Inline];

    #[test]
    fn inline_on_two_cores_or_fewer_and_on_a_thread_of_its_own_above() {
        assert_eq!(Placement::for_cores(1), Placement::Inline);
        assert_eq!(Placement::for_cores(2), Placement::Inline);
        assert_eq!(Placement::for_cores(3), Placement::OwnThread);
        assert_eq!(Placement::for_cores(64), Placement::OwnThread);
    }

    #[test]
    fn yields_every_item_in_order_then_ends() {
        for placement in BOTH {
            std::thread::scope(|s| {
                let got: Vec<u32> = Readahead::placed(0..1000, s, placement).collect();
                assert_eq!(got, (0..1000).collect::<Vec<_>>(), "{placement:?}");
            });
        }
    }

    #[test]
    fn its_own_thread_runs_the_iterator_and_inline_the_consumer_does() {
        let consumer = std::thread::current().id();
        for (placement, on_consumer) in [(Placement::OwnThread, false), (Placement::Inline, true)] {
            std::thread::scope(|s| {
                let ran_on = std::iter::once(()).map(|()| std::thread::current().id());
                let ran_on = Readahead::placed(ran_on, s, placement).next().unwrap();
                assert_eq!(ran_on == consumer, on_consumer, "{placement:?}");
            });
        }
    }

    #[test]
    fn a_reader_panic_is_raised_in_the_consumer() {
        for placement in BOTH {
            let outcome = std::panic::catch_unwind(|| {
                std::thread::scope(|s| {
                    let source = (0..10).map(|i| if i == 3 { panic!("reader fails") } else { i });
                    let mut items = Readahead::placed(source, s, placement);
                    let mut seen = Vec::new();
                    let consumer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        for item in items.by_ref() {
                            seen.push(item);
                        }
                    }));
                    let message = consumer.expect_err("the consumer must see the panic");
                    let expected = match placement {
                        Placement::OwnThread => "readahead worker thread panicked",
                        Placement::Inline => "reader fails",
                    };
                    assert_eq!(message.downcast_ref::<&str>(), Some(&expected));
                    assert_eq!(seen, vec![0, 1, 2]);
                });
            });
            // With a thread of its own, the scope also re-raises that
            // thread's panic when it joins it.
            assert_eq!(outcome.is_err(), placement == Placement::OwnThread);
        }
    }

    #[test]
    fn a_reader_thread_whose_consumer_stopped_runs_its_source_to_the_end() {
        let (tx, rx) = crossbeam_channel::bounded::<u32>(0);
        std::thread::scope(|s| {
            let producer = s.spawn(move || {
                for i in 0..100 {
                    tx.send(i).expect("the reader keeps receiving");
                }
            });
            let mut items = Readahead::placed(rx.into_iter(), s, Placement::OwnThread);
            assert_eq!(items.next(), Some(0));
            drop(items);
            producer
                .join()
                .expect("the producer finished all 100 sends");
        });
    }
}
