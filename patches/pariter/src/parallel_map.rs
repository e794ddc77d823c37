//! A map run on several threads whose results come out in input order.

use crossbeam_channel::{Receiver, Sender};
use std::{collections::BTreeMap, thread::Scope};

/// What a worker sends back.
enum Outcome<O> {
    /// The result for the item with this sequence number.
    Done(usize, O),
    /// The worker panicked; its item will never come back.
    Panicked,
}

/// A worker's line back to the consumer. Dropped while its thread unwinds
/// from a panic, it sends `Panicked`, which wakes a consumer blocked on the
/// channel at once.
struct BackToConsumer<O>(Sender<Outcome<O>>);

impl<O> Drop for BackToConsumer<O> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // The consumer may be gone already; then nobody waits.
            let _ = self.0.send(Outcome::Panicked);
        }
    }
}

/// The results of a parallel map, in the order of the items.
pub struct ParallelMap<I: Iterator, O> {
    /// The source, until it is exhausted; pulled on the consumer's thread.
    source: Option<I>,
    /// Items handed to the workers; dropped with the source so they stop.
    work: Option<Sender<(usize, I::Item)>>,
    outcomes: Receiver<Outcome<O>>,
    /// At most this many items are between the source and the consumer.
    in_flight: usize,
    /// Sequence number of the next item pulled from the source.
    next_in: usize,
    /// Sequence number of the next result the consumer gets.
    next_out: usize,
    /// Results that finished before an earlier item's.
    early: BTreeMap<usize, O>,
}

impl<I, O> ParallelMap<I, O>
where
    I: Iterator,
    I::Item: Send,
    O: Send,
{
    pub(crate) fn start<'scope, F>(
        source: I,
        scope: &'scope Scope<'scope, '_>,
        threads: usize,
        f: F,
    ) -> Self
    where
        I::Item: 'scope,
        O: 'scope,
        F: FnMut(I::Item) -> O + Clone + Send + 'scope,
    {
        let threads = threads.max(1);
        let in_flight = threads * 2;
        // Neither channel ever holds more than `in_flight` messages (plus one
        // panic notice per worker), so neither send blocks.
        let (work, work_rx) = crossbeam_channel::bounded::<(usize, I::Item)>(in_flight);
        let (outcomes_tx, outcomes) = crossbeam_channel::unbounded();
        for _ in 0..threads {
            let work_rx = work_rx.clone();
            let back = BackToConsumer(outcomes_tx.clone());
            let mut f = f.clone();
            scope.spawn(move || {
                for (seq, item) in work_rx {
                    let result = f(item);
                    // Without a consumer the result is simply not wanted.
                    let _ = back.0.send(Outcome::Done(seq, result));
                }
            });
        }
        Self {
            source: Some(source),
            work: Some(work),
            outcomes,
            in_flight,
            next_in: 0,
            next_out: 0,
            early: BTreeMap::new(),
        }
    }

    /// Hands items to the workers until `in_flight` are out or the source
    /// ends.
    fn fill(&mut self) {
        while self.next_in < self.next_out + self.in_flight {
            let Some(source) = self.source.as_mut() else {
                return;
            };
            match source.next() {
                Some(item) => {
                    let work = self.work.as_ref().expect("work channel open");
                    work.send((self.next_in, item))
                        .expect("parallel_map workers are alive while items are out");
                    self.next_in += 1;
                }
                None => {
                    self.source = None;
                    self.work = None;
                }
            }
        }
    }

    fn take(&mut self, result: O) -> Option<O> {
        self.next_out += 1;
        self.fill();
        Some(result)
    }
}

impl<I, O> Iterator for ParallelMap<I, O>
where
    I: Iterator,
    I::Item: Send,
    O: Send,
{
    type Item = O;

    fn next(&mut self) -> Option<O> {
        self.fill();
        loop {
            if let Some(result) = self.early.remove(&self.next_out) {
                return self.take(result);
            }
            if self.next_out == self.next_in && self.source.is_none() {
                return None;
            }
            // Blocks until a worker is done: no timeout, no polling. A
            // panicking worker sends `Panicked` as it unwinds.
            match self.outcomes.recv() {
                Ok(Outcome::Done(seq, result)) if seq == self.next_out => return self.take(result),
                Ok(Outcome::Done(seq, result)) => {
                    self.early.insert(seq, result);
                }
                Ok(Outcome::Panicked) | Err(_) => {
                    panic!("parallel_map worker thread panicked")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ParallelMap;
    use crate::IteratorExt;
    use std::time::Duration;

    #[test]
    fn results_come_in_input_order_whatever_order_workers_finish_in() {
        std::thread::scope(|s| {
            let got: Vec<u64> = (0..200u64)
                .parallel_map_scoped(s, |i| {
                    // Later items finish first now and then.
                    std::thread::sleep(Duration::from_micros((200 - i) % 7 * 300));
                    i * i
                })
                .collect();
            assert_eq!(got, (0..200u64).map(|i| i * i).collect::<Vec<_>>());
        });
    }

    #[test]
    fn an_empty_source_gives_no_results() {
        std::thread::scope(|s| {
            assert_eq!(
                std::iter::empty::<u8>()
                    .parallel_map_scoped(s, |x| x)
                    .count(),
                0
            );
        });
    }

    #[test]
    fn no_more_than_twice_the_threads_are_in_flight() {
        std::thread::scope(|s| {
            let mut map = ParallelMap::start(0..100, s, 3, |i: i32| {
                std::thread::sleep(Duration::from_micros(200));
                i
            });
            let mut most = 0;
            let mut count = 0;
            while map.next().is_some() {
                count += 1;
                most = most.max(map.next_in - map.next_out);
            }
            assert_eq!(count, 100);
            // Full, but never fuller: six items out for three workers.
            assert_eq!(most, 6);
        });
    }

    #[test]
    fn a_worker_panic_is_raised_in_the_consumer_at_once() {
        let outcome = std::panic::catch_unwind(|| {
            std::thread::scope(|s| {
                let mut results = (0..50).parallel_map_scoped(s, |i| {
                    if i == 5 {
                        panic!("worker fails");
                    }
                    // Slow enough that the other workers are still busy when
                    // the panic happens: a consumer that only noticed a
                    // closed channel would wait for them.
                    std::thread::sleep(Duration::from_millis(1));
                    i
                });
                let consumer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    results.by_ref().for_each(drop)
                }));
                let message = consumer.expect_err("the consumer must see the panic");
                assert_eq!(
                    message.downcast_ref::<&str>(),
                    Some(&"parallel_map worker thread panicked")
                );
                drop(results);
            });
        });
        assert!(outcome.is_err(), "the scope re-raises the worker's panic");
    }

    #[test]
    fn a_consumer_that_stops_early_does_not_hang_the_scope() {
        std::thread::scope(|s| {
            let mut results = (0..1_000_000).parallel_map_scoped(s, |i| i + 1);
            assert_eq!(results.next(), Some(1));
            assert_eq!(results.next(), Some(2));
        });
    }
}
