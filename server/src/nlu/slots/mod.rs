//! Slot extraction. Paths are found first (quoted or not) and masked out of
//! the text, so that the other extractors never read a path's pieces
//! ("/var/log/2am") as a time, a size or a pattern.

mod duration;
mod flags;
mod numbers;
mod paths;
mod patterns;
mod schedule;
mod size;
mod time_limit;

pub use paths::{looks_like_path, Role, SpottedPath};

use super::Slots;

pub fn extract(text: &str) -> Slots {
    let spotted = paths::spot(text);
    let masked = paths::mask(text, &spotted);
    let mut lower = masked.to_lowercase();
    let time_limit = time_limit::time_limit(&lower);
    if let Some((_, (start, end))) = time_limit {
        lower.replace_range(start..end, &" ".repeat(end - start));
    }
    let (source, destination) = paths::assign_roles(&spotted);
    let mut patterns = patterns::extract(&masked);
    for glob in spotted.iter().filter_map(|p| p.glob.clone()) {
        if !patterns.contains(&glob) {
            patterns.push(glob);
        }
    }
    Slots {
        source,
        destination,
        older_than_days: duration::older_than_days(&lower),
        patterns: (!patterns.is_empty()).then_some(patterns),
        min_size_bytes: size::min_size_bytes(&lower),
        schedule: schedule::extract(&lower),
        delete_extraneous: flags::delete_extraneous(&lower),
        dry_run: flags::dry_run(&lower),
        task_id: flags::task_id(&lower),
        keep_last: flags::keep_last(&lower),
        timeout_secs: time_limit.map(|(secs, _)| secs),
    }
}

/// Byte spans of the paths in `text`, for rewriting that must leave them alone.
pub fn path_spans(text: &str) -> Vec<(usize, usize)> {
    paths::spot(text).iter().map(|p| (p.start, p.end)).collect()
}

// Readers of one phrase-rule placeholder's text ("night at 2am", "30",
// "500MB"): the same extractors, given the words a full sentence would
// have put in front.

pub fn schedule_in(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    schedule::extract(&lower).or_else(|| schedule::extract(&format!("every {lower}")))
}

pub fn age_in(text: &str) -> Option<f64> {
    let lower = text.to_lowercase();
    duration::older_than_days(&lower)
        .or_else(|| duration::older_than_days(&format!("older than {lower}")))
        .or_else(|| duration::older_than_days(&format!("older than {lower} days")))
}

pub fn size_in(text: &str) -> Option<u64> {
    size::min_size_bytes(&format!("larger than {}", text.to_lowercase()))
}

pub fn patterns_in(text: &str) -> Vec<String> {
    let mut found = patterns::extract(text);
    if found.is_empty() {
        found = patterns::extract(&format!("{text} files"));
    }
    found
}

/// A whole number in digits or words ("12", "#12", "seven").
pub fn count_in(text: &str) -> Option<u64> {
    let word = text.trim().trim_start_matches('#').to_lowercase();
    let v = numbers::value(&word)?;
    (v >= 0.0 && v.fract() == 0.0 && v < u64::MAX as f64).then_some(v as u64)
}
