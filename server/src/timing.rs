//! Where one request's time went, named by step ("nlu", "preview",
//! "store"), for the standard `Server-Timing` response header: a browser's
//! network panel shows it, and `tend bench engines --path user` reads it to
//! split the plan's time.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Steps = Arc<Mutex<Vec<(&'static str, Duration)>>>;

tokio::task_local! {
    static STEPS: Steps;
}

/// Runs `work`, collecting the steps it records.
pub async fn measured<F: Future>(work: F) -> (F::Output, Vec<(&'static str, Duration)>) {
    let steps = Steps::default();
    let output = STEPS.scope(steps.clone(), work).await;
    let steps = steps.lock().unwrap_or_else(|p| p.into_inner()).clone();
    (output, steps)
}

/// Adds `took` to step `name` of the request being measured; nothing
/// outside one.
pub fn record(name: &'static str, took: Duration) {
    let _ = STEPS.try_with(|steps| {
        let mut steps = steps.lock().unwrap_or_else(|p| p.into_inner());
        match steps.iter_mut().find(|(n, _)| *n == name) {
            Some((_, total)) => *total += took,
            None => steps.push((name, took)),
        }
    });
}

/// The header's value: `nlu;dur=12.40, preview;dur=3.10` (milliseconds).
pub fn header_value(steps: &[(&'static str, Duration)]) -> String {
    steps
        .iter()
        .map(|(name, took)| format!("{name};dur={:.2}", took.as_secs_f64() * 1000.0))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A header value read back: each step's milliseconds.
pub fn parse_header(value: &str) -> Vec<(String, f64)> {
    value
        .split(',')
        .filter_map(|part| {
            let (name, rest) = part.trim().split_once(';')?;
            let ms = rest.trim().strip_prefix("dur=")?.parse().ok()?;
            Some((name.to_string(), ms))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn steps_recorded_inside_a_request_come_back_in_the_header() {
        record("outside", Duration::from_millis(5));
        let (answer, steps) = measured(async {
            record("nlu", Duration::from_micros(1500));
            tokio::task::yield_now().await;
            record("preview", Duration::from_millis(3));
            record("preview", Duration::from_millis(1));
            42
        })
        .await;
        assert_eq!(answer, 42);
        let value = header_value(&steps);
        assert_eq!(value, "nlu;dur=1.50, preview;dur=4.00");
        assert_eq!(
            parse_header(&value),
            [("nlu".to_string(), 1.5), ("preview".to_string(), 4.0)]
        );
    }
}
