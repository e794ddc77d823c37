//! The comparisons previews made, kept in memory for their runs: what the
//! user confirmed is what runs, and a run whose trees did not change since
//! applies the preview's diff without walking them again.
//!
//! A kept diff lives in this process only. A run on another node, after a
//! restart, or of a plan this process no longer keeps compares the trees
//! afresh, as every sync did before; so does a scheduled run, which had no
//! preview.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::diff::{diff, SyncPlan};
use super::listing_cache::{ListingCache, MAX_BYTES, SETTLED};
use super::watch::{Changed, TreeWatch};
use super::SyncParams;
use crate::domain::{AllowedPath, PathPolicy};

/// Previews kept at once: each holds an inotify instance (the kernel allows
/// 128 per user by default) and its plan in memory.
const MAX_KEPT: usize = 8;
/// A plan not confirmed by then has expired long before.
const MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// A larger diff is not kept: its memory outweighs one walk.
const MAX_CHANGES: usize = 500_000;

struct Kept {
    token: String,
    /// The parameters the diff was made for; a run with others ignores it.
    made_for: SyncParams,
    plan: SyncPlan,
    watch: TreeWatch,
    made_at: Instant,
}

/// How a run got its diff, for its log.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Nothing changed since the preview.
    AsPreviewed,
    /// These directories changed and were compared again.
    Recompared(Vec<PathBuf>),
}

impl Freshness {
    pub fn describe(&self) -> String {
        match self {
            Freshness::AsPreviewed => {
                "Nothing changed since the preview: applying its comparison as confirmed.".into()
            }
            Freshness::Recompared(dirs) => format!(
                "{} {} changed since the preview and {} compared again ({}); the rest is applied as previewed.",
                dirs.len(),
                if dirs.len() == 1 { "directory" } else { "directories" },
                if dirs.len() == 1 { "was" } else { "were" },
                dirs.iter()
                    .take(3)
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

#[derive(Default)]
pub struct KeptDiffs {
    kept: Mutex<VecDeque<Kept>>,
}

impl KeptDiffs {
    pub fn shared() -> &'static KeptDiffs {
        static SHARED: OnceLock<KeptDiffs> = OnceLock::new();
        SHARED.get_or_init(KeptDiffs::default)
    }

    /// Keeps `plan` (made for `params` while `watch` watched) and returns
    /// the token its run presents; `None` when it is not worth keeping.
    pub fn keep(&self, params: &SyncParams, plan: SyncPlan, watch: TreeWatch) -> Option<String> {
        // A plan with errors is not kept: they name paths in more than one
        // way, so they could not be brought up to date by directory.
        if !watch.is_whole() || !plan.errors.is_empty() || plan.changes.len() > MAX_CHANGES {
            return None;
        }
        let token = uuid::Uuid::new_v4().simple().to_string();
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|k| k.made_at.elapsed() < MAX_AGE);
        while kept.len() >= MAX_KEPT {
            kept.pop_front();
        }
        kept.push_back(Kept {
            token: token.clone(),
            made_for: without_token(params),
            plan,
            watch,
            made_at: Instant::now(),
        });
        Some(token)
    }

    /// The diff kept for `params`, brought up to date, and how; `None`
    /// when none is kept (the run then compares the trees itself). A token
    /// is used once.
    pub fn take(&self, params: &SyncParams, policy: &PathPolicy) -> Option<(SyncPlan, Freshness)> {
        let token = params.kept_diff.as_deref()?;
        let kept = {
            let mut all = self.kept.lock().unwrap_or_else(|p| p.into_inner());
            let at = all.iter().position(|k| k.token == token)?;
            all.remove(at)?
        };
        if kept.made_for != without_token(params) {
            return None;
        }
        match kept.watch.changed() {
            Changed::Nothing => Some((kept.plan, Freshness::AsPreviewed)),
            Changed::Within(dirs) => {
                let dirs = outermost_in_source(&kept.plan.source, dirs)?;
                let plan = recompare(kept.plan, &dirs, params, policy)?;
                Some((plan, Freshness::Recompared(dirs)))
            }
            Changed::Everything => None,
        }
    }
}

fn without_token(params: &SyncParams) -> SyncParams {
    SyncParams {
        kept_diff: None,
        ..params.clone()
    }
}

/// The changed directories to compare again: each one that is still a
/// directory in the source (a directory only the destination has, or one
/// gone from the source, is compared from its nearest source ancestor),
/// without those inside another. `None` when that is the root: then
/// everything is compared again anyway.
fn outermost_in_source(source: &Path, dirs: Vec<PathBuf>) -> Option<Vec<PathBuf>> {
    let mut chosen: Vec<PathBuf> = Vec::new();
    for mut dir in dirs {
        while !is_real_dir(&source.join(&dir)) {
            dir = dir.parent()?.to_path_buf();
        }
        if dir.as_os_str().is_empty() {
            return None;
        }
        chosen.push(dir);
    }
    chosen.sort();
    chosen.dedup();
    let outer: Vec<PathBuf> = chosen
        .iter()
        .filter(|d| !chosen.iter().any(|o| o != *d && d.starts_with(o)))
        .cloned()
        .collect();
    Some(outer)
}

fn is_real_dir(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir())
}

/// `plan` with everything below `dirs` replaced by a fresh comparison of
/// those directories. `None` when one cannot be compared on its own (it
/// turned into a link, say): the caller compares everything.
fn recompare(
    mut plan: SyncPlan,
    dirs: &[PathBuf],
    params: &SyncParams,
    policy: &PathPolicy,
) -> Option<SyncPlan> {
    for dir in dirs {
        let (source, destination) = sub_ends(&plan, dir, policy)?;
        // Its listings change with it: a cache of its own, not kept.
        let listings = ListingCache::new(SETTLED, MAX_BYTES);
        let compare = params.compare();
        let fresh = diff(
            &source,
            &destination,
            params.delete_extraneous,
            compare,
            &listings,
            None,
            &|| false,
        );
        replace_below(&mut plan, dir, fresh);
    }
    plan.sort();
    Some(plan)
}

/// Both ends of `dir`, checked like a sync's own: still inside the source
/// and the destination once links are resolved.
fn sub_ends(
    plan: &SyncPlan,
    dir: &Path,
    policy: &PathPolicy,
) -> Option<(AllowedPath, AllowedPath)> {
    let (src, dst) = (plan.source.join(dir), plan.destination.join(dir));
    let source = policy.recheck(&src).ok()?;
    let destination = policy.check_target(&dst.to_string_lossy()).ok()?;
    (source.as_path() == src && destination.as_path() == dst).then_some((source, destination))
}

/// Drops what `plan` says below `dir` (not `dir` itself, which its parent's
/// comparison decided) and puts `fresh`, the comparison of `dir`, there.
fn replace_below(plan: &mut SyncPlan, dir: &Path, fresh: SyncPlan) {
    let below = |p: &Path| p != dir && p.starts_with(dir);
    let gone: u64 = plan
        .unchanged_in
        .iter()
        .filter(|(d, _)| d.starts_with(dir))
        .map(|(_, n)| n)
        .sum();
    plan.unchanged = plan.unchanged.saturating_sub(gone) + fresh.unchanged;
    plan.unchanged_in.retain(|(d, _)| !d.starts_with(dir));
    plan.directories.retain(|d| !below(d));
    plan.changes.retain(|c| !below(&c.relative));
    plan.skipped.retain(|p| !below(p));
    plan.extraneous_directories.retain(|d| !below(d));

    let at = |p: PathBuf| dir.join(p);
    plan.unchanged_in
        .extend(fresh.unchanged_in.into_iter().map(|(d, n)| (at(d), n)));
    plan.directories
        .extend(fresh.directories.into_iter().map(at));
    plan.changes.extend(fresh.changes.into_iter().map(|mut c| {
        c.relative = at(c.relative);
        c
    }));
    plan.skipped.extend(fresh.skipped.into_iter().map(at));
    plan.extraneous_directories
        .extend(fresh.extraneous_directories.into_iter().map(at));
    // A fresh error names its path below `dir`, or the whole path.
    plan.errors.extend(fresh.errors.into_iter().map(|e| {
        if e.starts_with('/') {
            e
        } else {
            format!("{}/{e}", dir.display())
        }
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflows::sync::diff_and_watch;
    use std::fs;
    use std::time::SystemTime;

    struct Trees {
        _tmp: tempfile::TempDir,
        root: PathBuf,
        policy: PathPolicy,
    }

    /// `src` with files in `a/`, `b/` and the root, and `dst` a copy made
    /// by the comparison's own rules (same sizes and times).
    fn trees() -> Trees {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let when = SystemTime::now() - Duration::from_secs(3600);
        for side in ["src", "dst"] {
            for file in [
                "top.txt",
                "a/one.txt",
                "a/two.txt",
                "b/three.txt",
                "b/deep/four.txt",
            ] {
                let path = root.join(side).join(file);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(&path, file).unwrap();
                fs::File::options()
                    .write(true)
                    .open(&path)
                    .unwrap()
                    .set_modified(when)
                    .unwrap();
            }
        }
        let policy = PathPolicy::new([root.clone()], None);
        Trees {
            _tmp: tmp,
            root,
            policy,
        }
    }

    impl Trees {
        fn params(&self, delete_extraneous: bool) -> SyncParams {
            SyncParams {
                source: self.root.join("src"),
                destination: self.root.join("dst"),
                delete_extraneous,
                max_delete: 100,
                checksum: false,
                kept_diff: None,
            }
        }

        /// The comparison a run would make from scratch.
        fn compared_now(&self, params: &SyncParams) -> SyncPlan {
            let src = self.policy.recheck(&params.source).unwrap();
            let dst = self.policy.recheck(&params.destination).unwrap();
            let listings = ListingCache::new(SETTLED, MAX_BYTES);
            diff(
                &src,
                &dst,
                params.delete_extraneous,
                params.compare(),
                &listings,
                None,
                &|| false,
            )
        }

        /// Previews `params` into `kept`; the params the run receives.
        fn preview(&self, kept: &KeptDiffs, params: &SyncParams) -> SyncParams {
            let src = self.policy.recheck(&params.source).unwrap();
            let dst = self.policy.recheck(&params.destination).unwrap();
            let listings = ListingCache::new(SETTLED, MAX_BYTES);
            let watch = TreeWatch::new().unwrap();
            let plan = diff_and_watch(
                &src,
                &dst,
                params.delete_extraneous,
                params.compare(),
                &listings,
                None,
                &watch,
            );
            SyncParams {
                kept_diff: kept.keep(params, plan, watch),
                ..params.clone()
            }
        }
    }

    fn summary(plan: &SyncPlan) -> (Vec<(ChangeKind, PathBuf)>, Vec<PathBuf>, u64) {
        let changes = plan
            .changes
            .iter()
            .map(|c| (c.kind, c.relative.clone()))
            .collect();
        (changes, plan.directories.clone(), plan.unchanged)
    }

    use crate::workflows::sync::ChangeKind;

    #[test]
    fn a_run_with_nothing_changed_applies_the_preview_once() {
        let trees = trees();
        let kept = KeptDiffs::default();
        fs::write(trees.root.join("src/a/new.txt"), "new").unwrap();
        let params = trees.preview(&kept, &trees.params(false));
        assert!(params.kept_diff.is_some());

        let (plan, freshness) = kept.take(&params, &trees.policy).unwrap();
        assert_eq!(freshness, Freshness::AsPreviewed);
        assert_eq!(summary(&plan), summary(&trees.compared_now(&params)));
        assert!(
            kept.take(&params, &trees.policy).is_none(),
            "a token is used once"
        );
    }

    #[test]
    fn a_changed_directory_is_compared_again_and_the_rest_kept() {
        let trees = trees();
        let kept = KeptDiffs::default();
        let params = trees.preview(&kept, &trees.params(true));

        // After the preview: a file rewritten in place, one added deep
        // down, one removed, and one only the destination has.
        fs::write(trees.root.join("src/a/one.txt"), "rewritten, longer").unwrap();
        fs::write(trees.root.join("src/b/deep/five.txt"), "5").unwrap();
        fs::remove_file(trees.root.join("src/a/two.txt")).unwrap();
        fs::create_dir(trees.root.join("dst/b/extra")).unwrap();
        fs::write(trees.root.join("dst/b/extra/stray.txt"), "x").unwrap();

        let (plan, freshness) = kept.take(&params, &trees.policy).unwrap();
        assert_eq!(
            freshness,
            Freshness::Recompared(vec![PathBuf::from("a"), PathBuf::from("b")])
        );
        let fresh = trees.compared_now(&params);
        assert_eq!(summary(&plan), summary(&fresh));
        assert_eq!(plan.extraneous_directories, fresh.extraneous_directories);
        assert_eq!(plan.count(ChangeKind::Delete), 2, "{:?}", plan.changes);
    }

    #[test]
    fn a_change_at_the_root_or_other_parameters_mean_no_kept_diff() {
        let trees = trees();
        let kept = KeptDiffs::default();
        let params = trees.preview(&kept, &trees.params(false));
        fs::write(trees.root.join("src/top.txt"), "changed at the root").unwrap();
        assert!(kept.take(&params, &trees.policy).is_none());

        let params = trees.preview(&kept, &trees.params(false));
        let other = SyncParams {
            delete_extraneous: true,
            ..params
        };
        assert!(kept.take(&other, &trees.policy).is_none());
    }
}
