//! `tend bench nlu`: latency of one command through the same path as
//! `tend parse` (slots, embedding, classification), then a file of commands
//! through `tend parse` beside Python's sentence-transformers
//! ([`bench_parse`]), then throughput with many concurrent submitters
//! sharing the batcher, as the server does.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::bench_parse;
use crate::nlu::Nlu;

/// Commands of the lengths people type, from terse to long.
const COMMANDS: [&str; 8] = [
    "back up /srv/photos to /mnt/nas every night at 2am, keep 14",
    "clean up *.log older than 30 days in /var/log/app",
    "status",
    "cancel task 12",
    "mirror ~/docs to /media/usb and remove what I deleted",
    "restore quarantine of task 7",
    "could you please get rid of the temporary files in /home/ana/.cache that are more than two weeks old? show me first",
    "mount the usb drive",
];

const SEQUENTIAL: usize = 300;
const SUBMITTERS: usize = 64;
const PER_SUBMITTER: usize = 16;
const ROUNDS: usize = 5;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Prints p50, p99 and the slowest of `count` commands understood one at
/// a time, after a warm-up pass over each kind of command.
pub fn latency(nlu: &Nlu, count: usize) {
    println!("backend: {}", nlu.backend_name());
    for text in COMMANDS {
        // Warm-up: first passes allocate and fault in the weights.
        nlu.understand_blocking(text);
    }
    let mut latencies = Vec::with_capacity(count);
    for i in 0..count {
        let start = Instant::now();
        std::hint::black_box(nlu.understand_blocking(COMMANDS[i % COMMANDS.len()]));
        latencies.push(start.elapsed());
    }
    latencies.sort();
    println!(
        "one command at a time ({count}): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms(percentile(&latencies, 0.5)),
        ms(percentile(&latencies, 0.99)),
        ms(percentile(&latencies, 1.0)),
    );
}

pub fn run(nlu: Nlu, parse: &bench_parse::Options) -> ExitCode {
    latency(&nlu, SEQUENTIAL);
    if let Err(e) = bench_parse::run(&nlu, parse) {
        eprintln!("tend bench: {e}");
        return ExitCode::FAILURE;
    }

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tend bench: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let nlu = Arc::new(nlu);
    // This VM's throughput varies by a tenth from run to run, so the figure
    // is the median of several rounds, with the range beside it.
    let mut rounds: Vec<(f64, Duration, Duration)> = (0..ROUNDS)
        .map(|_| {
            let (elapsed, mut waits) = runtime.block_on(round(&nlu));
            waits.sort();
            (
                (SUBMITTERS * PER_SUBMITTER) as f64 / elapsed.as_secs_f64(),
                percentile(&waits, 0.5),
                percentile(&waits, 0.99),
            )
        })
        .collect();
    rounds.sort_by(|a, b| a.0.total_cmp(&b.0));
    let (rate, p50, p99) = rounds[rounds.len() / 2];
    println!(
        "{SUBMITTERS} concurrent submitters ({} commands a round, median of {ROUNDS} rounds): \
         {rate:.0} commands/s (rounds {:.0} to {:.0}), latency p50 {:.1} ms, p99 {:.1} ms",
        SUBMITTERS * PER_SUBMITTER,
        rounds[0].0,
        rounds[rounds.len() - 1].0,
        ms(p50),
        ms(p99),
    );
    ExitCode::SUCCESS
}

/// One round of throughput: every submitter sends its commands one after
/// another, all submitters at once. Returns the round's wall time and each
/// command's wait.
async fn round(nlu: &Arc<Nlu>) -> (Duration, Vec<Duration>) {
    let start = Instant::now();
    let submitters: Vec<_> = (0..SUBMITTERS)
        .map(|s| {
            let nlu = nlu.clone();
            tokio::spawn(async move {
                let mut waits = Vec::with_capacity(PER_SUBMITTER);
                for i in 0..PER_SUBMITTER {
                    let text = COMMANDS[(s + i) % COMMANDS.len()];
                    let sent = Instant::now();
                    std::hint::black_box(nlu.understand(text).await);
                    waits.push(sent.elapsed());
                }
                waits
            })
        })
        .collect();
    let mut waits = Vec::new();
    for submitter in submitters {
        waits.extend(submitter.await.unwrap_or_default());
    }
    (start.elapsed(), waits)
}
