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

pub use paths::{Role, SpottedPath};

use super::Slots;

pub fn extract(text: &str) -> Slots {
    let spotted = paths::spot(text);
    let masked = paths::mask(text, &spotted);
    let lower = masked.to_lowercase();
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
    }
}
