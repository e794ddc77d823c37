//! The fingerprint a backup's preview took of its source on its walk, kept
//! for the run: when nothing in the source changed since (its directories
//! are watched, each from before it was read), the run's check for "nothing
//! changed since the last backup" (`unchanged.rs`) uses it instead of
//! walking the source again.
//!
//! Kept in this process, for a few sources at a time and a day at most, and
//! only on local file systems; a run that finds none walks, as before.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::BackupParams;
use crate::workflows::watch::{sees_changes_on, Changed, TreeWatch};

const MAX_KEPT: usize = 4;
const MAX_AGE: Duration = Duration::from_secs(24 * 3600);

struct Kept {
    made_for: BackupParams,
    fingerprint: String,
    watch: TreeWatch,
    made_at: Instant,
}

#[derive(Default)]
pub struct KeptWalks {
    kept: Mutex<VecDeque<Kept>>,
}

impl KeptWalks {
    pub fn shared() -> &'static KeptWalks {
        static SHARED: OnceLock<KeptWalks> = OnceLock::new();
        SHARED.get_or_init(KeptWalks::default)
    }

    /// A watch for a walk of `source`, where its changes can be seen.
    pub fn watch_for(source: &Path) -> Option<TreeWatch> {
        let watch = sees_changes_on(source)
            .then(|| TreeWatch::new().ok())
            .flatten()?;
        watch.watch(source, Path::new(""));
        Some(watch)
    }

    /// Keeps the fingerprint of a walk for `params` made while `watch`
    /// watched.
    pub fn keep(&self, params: &BackupParams, fingerprint: String, watch: TreeWatch) {
        if !watch.is_whole() {
            return;
        }
        let made_for = for_any_run(params);
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|k| k.made_at.elapsed() < MAX_AGE && k.made_for != made_for);
        while kept.len() >= MAX_KEPT {
            kept.pop_front();
        }
        kept.push_back(Kept {
            made_for,
            fingerprint,
            watch,
            made_at: Instant::now(),
        });
    }

    /// The fingerprint kept for `params`, if nothing in the source changed
    /// since it was taken. Used once.
    pub fn take(&self, params: &BackupParams) -> Option<String> {
        let made_for = for_any_run(params);
        let kept = {
            let mut all = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            let at = all.iter().position(|k| k.made_for == made_for)?;
            all.remove(at)?
        };
        let fresh = kept.made_at.elapsed() < MAX_AGE;
        (fresh && kept.watch.changed() == Changed::Nothing).then_some(kept.fingerprint)
    }
}

/// What decides the walk: the source and what is left out of it, not the
/// schedule that queued the run.
fn for_any_run(params: &BackupParams) -> BackupParams {
    BackupParams {
        schedule_id: None,
        ..params.clone()
    }
}
