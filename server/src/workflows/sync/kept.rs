//! What each mirror's trees differ by, kept in memory between comparisons
//! and brought up to date by watching them (`watch.rs`) rather than by
//! walking them again. What the user confirmed is what runs: the run
//! applies the preview's comparison, with only the directories that changed
//! since compared again. After a run, the directories it wrote into are
//! compared again next time; everything else is known to be equal, so a
//! mirror with nothing changed is planned and run without a walk.
//!
//! Kept only where both ends are on a local file system (a network share
//! changed from another machine raises no inotify event), for a few mirrors
//! at a time, in this process: another node, a restarted server or a mirror
//! no longer kept compares the trees afresh, as every sync did before.

use std::collections::{HashMap, HashSet, VecDeque};
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::diff::ChangeKind;
use super::diff::{diff_and_watch, SyncPlan};
use super::listing_cache::{ListingCache, MAX_BYTES, SETTLED};
use super::SyncParams;
use crate::domain::{AllowedPath, PathPolicy};
use crate::workflows::watch::{absorbing, sees_changes_on, Changed, TreeWatch, PARENT};

/// Mirrors kept at once: each holds an inotify instance (the kernel allows
/// 128 per user by default) and one watch per directory on both ends (8,192
/// to a few hundred thousand per user, depending on the kernel).
const MAX_KEPT: usize = 4;
/// Past this, a mirror is compared afresh: a watch is a guard against
/// missed changes, not a replacement for looking now and then.
const MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// A larger diff is not kept: its memory outweighs one walk.
const MAX_CHANGES: usize = 500_000;

struct Kept {
    made_for: SyncParams,
    /// How the trees differed at the last comparison.
    plan: SyncPlan,
    watch: TreeWatch,
    /// Directories the last run wrote into (or tried to): compared again
    /// next time, whatever the watch says, since its own writes raised the
    /// events there.
    touched: Vec<PathBuf>,
    /// Whether the last comparison was a preview's.
    by_preview: bool,
    made_at: Instant,
}

/// How a comparison was made, for the run's log.
#[derive(Debug, PartialEq, Eq)]
pub enum Freshness {
    /// Nothing changed since the last comparison (the preview's, when
    /// `by_preview`): it holds as it is.
    Unchanged { by_preview: bool },
    /// These directories changed and were compared again.
    Recompared(Vec<PathBuf>),
    /// Both trees were walked.
    Walked,
}

impl Freshness {
    pub fn describe(&self) -> String {
        match self {
            Freshness::Unchanged { by_preview: true } => {
                "Nothing changed since the preview: applying its comparison as confirmed.".into()
            }
            Freshness::Unchanged { by_preview: false } => {
                "Nothing changed since the last sync's comparison: applying it.".into()
            }
            Freshness::Recompared(dirs) => format!(
                "{} {} changed since the last comparison and {} compared again ({}); the rest is applied as compared.",
                dirs.len(),
                if dirs.len() == 1 { "directory" } else { "directories" },
                if dirs.len() == 1 { "was" } else { "were" },
                dirs.iter()
                    .take(3)
                    .map(|d| d.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Freshness::Walked => "Compared both trees.".into(),
        }
    }
}

/// A comparison, with the watch that keeps it current (none where the ends
/// cannot be watched).
pub struct Compared {
    pub plan: SyncPlan,
    pub watch: Option<TreeWatch>,
    pub freshness: Freshness,
}

/// Where the listings a comparison keeps are saved, with the policy the
/// ends were checked by.
pub struct Walking<'a> {
    pub policy: &'a PathPolicy,
    pub listings: &'a ListingCache,
    pub saved_in: Option<&'a Path>,
    /// Whether a walk also sets the watches up. A preview does, for its
    /// run; a run that found nothing kept (a scheduled one, say) does not:
    /// the watches cost about a fifth of a walk with nothing changed, and a
    /// nightly run's would expire before the next night.
    pub watch_walks: bool,
    /// A walk without watches stops early when this says so (a run
    /// cancelled while comparing).
    pub cancelled: &'a (dyn Fn() -> bool + Sync),
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

    /// Forgets every kept comparison (the engine bench, to time walks).
    pub fn clear(&self) {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// How `source` and `destination` differ now: the kept comparison
    /// brought up to date where one is kept, else both trees walked (and
    /// watched from then on, where they can be).
    pub fn compare(
        &self,
        params: &SyncParams,
        (source, destination): (&AllowedPath, &AllowedPath),
        walking: &Walking,
    ) -> Compared {
        if let Some(kept) = self.take(params) {
            if let Some(compared) = brought_up_to_date(kept, params, walking.policy) {
                return compared;
            }
        }
        let watch = (walking.watch_walks && watchable(source.as_path(), destination.as_path()))
            .then(|| TreeWatch::skipping(super::names::is_ours).ok())
            .flatten();
        if let Some(watch) = &watch {
            // A destination still to be made is watched for from its
            // parent, before the walk finds it missing.
            if std::fs::symlink_metadata(destination.as_path()).is_err() {
                watch.watch_parent_of_missing(destination.as_path());
            }
        }
        let plan = match &watch {
            Some(watch) => diff_and_watch(
                source,
                destination,
                params.delete_extraneous,
                params.compare(),
                walking.listings,
                walking.saved_in,
                watch,
            ),
            None => super::diff(
                source,
                destination,
                params.delete_extraneous,
                params.compare(),
                walking.listings,
                walking.saved_in,
                walking.cancelled,
            ),
        };
        Compared {
            plan,
            watch,
            freshness: Freshness::Walked,
        }
    }

    /// Keeps a preview's comparison for its run.
    pub fn keep_previewed(&self, params: &SyncParams, compared: Compared) {
        self.keep(params, compared, Vec::new(), true);
    }

    /// Keeps what a run leaves. After a run that applied every change, the
    /// events its own writes raised are told from anyone else's by name
    /// (each change's, created and removed directory's), so only
    /// directories someone else changed meanwhile are compared again next
    /// time. After any other run, every directory it wrote into is.
    pub fn keep_after_run(&self, params: &SyncParams, mut compared: Compared, all_applied: bool) {
        let plan = &mut compared.plan;
        let touched = match (&compared.watch, all_applied) {
            (Some(watch), true) => {
                let written = plan.written();
                match watch.changed_except(&|dir, name| written.raised(dir, name)) {
                    Changed::Nothing => Vec::new(),
                    Changed::Within(dirs) => dirs,
                    Changed::Everything => return,
                }
            }
            _ => plan.touched_directories(),
        };
        if all_applied {
            plan.count_copies_unchanged();
        }
        plan.changes.clear();
        plan.directories.clear();
        plan.extraneous_directories.clear();
        self.keep(params, compared, touched, false);
    }

    fn keep(
        &self,
        params: &SyncParams,
        compared: Compared,
        touched: Vec<PathBuf>,
        by_preview: bool,
    ) {
        let Some(watch) = compared.watch else {
            return;
        };
        // A plan with errors is not kept: they name paths in more than one
        // way, so they could not be brought up to date by directory.
        let plan = compared.plan;
        if !watch.is_whole() || !plan.errors.is_empty() || plan.changes.len() > MAX_CHANGES {
            return;
        }
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|k| k.made_at.elapsed() < MAX_AGE && k.made_for != *params);
        while kept.len() >= MAX_KEPT {
            kept.pop_front();
        }
        kept.push_back(Kept {
            made_for: params.clone(),
            plan,
            watch,
            touched,
            by_preview,
            made_at: Instant::now(),
        });
    }

    fn take(&self, params: &SyncParams) -> Option<Kept> {
        let mut all = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let at = all.iter().position(|k| k.made_for == *params)?;
        let kept = all.remove(at)?;
        (kept.made_at.elapsed() < MAX_AGE).then_some(kept)
    }
}

/// Runs `apply` (the run's writes for `compared`) while the events they
/// raise are read off the watch as they come, its own left out.
pub fn while_applying<T: Send>(compared: &Compared, apply: impl FnOnce() -> T + Send) -> T {
    match &compared.watch {
        Some(watch) => {
            let written = compared.plan.written();
            absorbing(watch, &|dir, name| written.raised(dir, name), apply)
        }
        None => apply(),
    }
}

/// Both ends on local file systems, whose changes inotify sees (a
/// destination still to be made, where its parent is).
fn watchable(source: &Path, destination: &Path) -> bool {
    let existing = destination.ancestors().find(|p| p.exists());
    sees_changes_on(source) && existing.is_some_and(sees_changes_on)
}

/// `kept` with what changed since; `None` when that cannot be told by
/// directory (the caller walks both trees).
fn brought_up_to_date(kept: Kept, params: &SyncParams, policy: &PathPolicy) -> Option<Compared> {
    let changed = match kept.watch.changed() {
        Changed::Nothing => kept.touched,
        Changed::Within(mut dirs) => {
            dirs.extend(kept.touched);
            dirs
        }
        Changed::Everything => return None,
    };
    if changed.is_empty() {
        return Some(Compared {
            plan: kept.plan,
            watch: Some(kept.watch),
            freshness: Freshness::Unchanged {
                by_preview: kept.by_preview,
            },
        });
    }
    let dirs = outermost_in_source(&kept.plan.source, changed)?;
    let plan = recompare(kept.plan, &dirs, params, policy, &kept.watch)?;
    Some(Compared {
        plan,
        watch: Some(kept.watch),
        freshness: Freshness::Recompared(dirs),
    })
}

/// The entries a run writes, by directory and name, and the directories it
/// removes. Looked up for every event a run raises: by borrowed keys, with
/// no allocation.
struct Written {
    names: HashMap<PathBuf, HashSet<OsString>>,
    removed: HashSet<PathBuf>,
}

impl Written {
    /// Whether an event in destination directory `dir` about `name` (or
    /// about `dir` itself) is one the run raised.
    fn raised(&self, dir: &Path, name: Option<&[u8]>) -> bool {
        match name {
            // The destination itself, made by the run.
            Some(_) if dir == Path::new(PARENT) => true,
            Some(name) => self
                .names
                .get(dir)
                .is_some_and(|names| names.contains(OsStr::from_bytes(name))),
            None => self.removed.contains(dir),
        }
    }
}

impl SyncPlan {
    /// Every entry a run of this plan writes, makes or removes.
    fn entries_written(&self) -> impl Iterator<Item = &PathBuf> {
        (self.changes.iter().map(|c| &c.relative))
            .chain(&self.directories)
            .chain(&self.extraneous_directories)
    }

    /// What a run of this plan writes, to tell its own events from others.
    fn written(&self) -> Written {
        let mut names: HashMap<PathBuf, HashSet<OsString>> = HashMap::new();
        for entry in self.entries_written() {
            let dir = entry.parent().unwrap_or(Path::new("")).to_path_buf();
            let name = entry.file_name().unwrap_or_default().to_os_string();
            names.entry(dir).or_default().insert(name);
        }
        Written {
            names,
            removed: self.extraneous_directories.iter().cloned().collect(),
        }
    }

    /// Counts every file the run copied as unchanged, where it now is.
    fn count_copies_unchanged(&mut self) {
        if self.changes.iter().all(|c| c.kind == ChangeKind::Delete) {
            return;
        }
        let mut counts: HashMap<PathBuf, u64> = self.unchanged_in.drain(..).collect();
        for change in self.changes.iter().filter(|c| c.kind != ChangeKind::Delete) {
            let dir = change.relative.parent().unwrap_or(Path::new(""));
            *counts.entry(dir.to_path_buf()).or_default() += 1;
            self.unchanged += 1;
        }
        self.unchanged_in = counts.into_iter().collect();
        self.unchanged_in.sort();
    }

    /// The directories a run of this plan writes into: the parent of
    /// every change, created directory and extraneous directory.
    fn touched_directories(&self) -> Vec<PathBuf> {
        let parent = |p: &PathBuf| p.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut dirs: Vec<PathBuf> = self.entries_written().map(parent).collect();
        dirs.sort();
        dirs.dedup();
        dirs
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
    watch: &TreeWatch,
) -> Option<SyncPlan> {
    for dir in dirs {
        let (source, destination) = sub_ends(&plan, dir, policy)?;
        // Its listings change with it: a cache of its own, not kept.
        let listings = ListingCache::new(SETTLED, MAX_BYTES);
        // Watched again, below `dir`: a directory new there gets its watch.
        let below = watch.below(dir);
        let fresh = diff_and_watch(
            &source,
            &destination,
            params.delete_extraneous,
            params.compare(),
            &listings,
            None,
            &below,
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
    use crate::workflows::sync::{diff, ChangeKind};
    use std::fs;
    use std::time::SystemTime;

    struct Trees {
        _tmp: tempfile::TempDir,
        root: PathBuf,
        policy: PathPolicy,
        listings: ListingCache,
    }

    /// `src` with files in `a/`, `b/` and the root, and `dst` a copy made
    /// by the comparison's own rules (same sizes and times).
    fn trees() -> Trees {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        for side in ["src", "dst"] {
            for file in [
                "top.txt",
                "a/one.txt",
                "a/two.txt",
                "b/three.txt",
                "b/deep/four.txt",
            ] {
                write(&root.join(side).join(file), file);
            }
        }
        let policy = PathPolicy::new([root.clone()], None);
        let listings = ListingCache::new(SETTLED, MAX_BYTES);
        Trees {
            _tmp: tmp,
            root,
            policy,
            listings,
        }
    }

    /// Written an hour ago, as both ends' copies are.
    fn write(path: &Path, content: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
        let when = SystemTime::now() - Duration::from_secs(3600);
        let file = fs::File::options().write(true).open(path).unwrap();
        file.set_modified(when).unwrap();
    }

    impl Trees {
        fn params(&self, delete_extraneous: bool) -> SyncParams {
            SyncParams {
                source: self.root.join("src"),
                destination: self.root.join("dst"),
                delete_extraneous,
                max_delete: 100,
                checksum: false,
            }
        }

        fn compare(&self, kept: &KeptDiffs, params: &SyncParams) -> Compared {
            let src = self.policy.recheck(&params.source).unwrap();
            let dst = self.policy.recheck(&params.destination).unwrap();
            let walking = Walking {
                policy: &self.policy,
                listings: &self.listings,
                saved_in: None,
                watch_walks: true,
                cancelled: &|| false,
            };
            kept.compare(params, (&src, &dst), &walking)
        }

        /// The comparison a walk of both trees makes now.
        fn walked_now(&self, params: &SyncParams) -> SyncPlan {
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
    }

    type Summary = (Vec<(ChangeKind, PathBuf)>, Vec<PathBuf>, Vec<PathBuf>, u64);

    fn summary(plan: &SyncPlan) -> Summary {
        let changes = plan
            .changes
            .iter()
            .map(|c| (c.kind, c.relative.clone()))
            .collect();
        (
            changes,
            plan.directories.clone(),
            plan.extraneous_directories.clone(),
            plan.unchanged,
        )
    }

    #[test]
    fn a_run_with_nothing_changed_applies_the_preview_as_it_is() {
        let trees = trees();
        let kept = KeptDiffs::default();
        write(&trees.root.join("src/a/new.txt"), "new");
        let params = trees.params(false);
        let previewed = trees.compare(&kept, &params);
        assert_eq!(previewed.freshness, Freshness::Walked);
        kept.keep_previewed(&params, previewed);

        let run = trees.compare(&kept, &params);
        assert_eq!(run.freshness, Freshness::Unchanged { by_preview: true });
        assert_eq!(summary(&run.plan), summary(&trees.walked_now(&params)));
        assert_eq!(run.plan.count(ChangeKind::Create), 1);
    }

    #[test]
    fn a_changed_directory_is_compared_again_and_the_rest_kept() {
        let trees = trees();
        let kept = KeptDiffs::default();
        let params = trees.params(true);
        kept.keep_previewed(&params, trees.compare(&kept, &params));

        // After the preview: a file rewritten in place, one added deep
        // down, one removed, and a directory only the destination has.
        fs::write(trees.root.join("src/a/one.txt"), "rewritten, longer").unwrap();
        write(&trees.root.join("src/b/deep/five.txt"), "5");
        fs::remove_file(trees.root.join("src/a/two.txt")).unwrap();
        write(&trees.root.join("dst/b/extra/stray.txt"), "x");

        let run = trees.compare(&kept, &params);
        assert_eq!(
            run.freshness,
            Freshness::Recompared(vec![PathBuf::from("a"), PathBuf::from("b")])
        );
        assert_eq!(summary(&run.plan), summary(&trees.walked_now(&params)));
        assert_eq!(
            run.plan.count(ChangeKind::Delete),
            2,
            "{:?}",
            run.plan.changes
        );

        // A directory new since then is watched too: a file added in it
        // later is seen.
        kept.keep_previewed(&params, run);
        write(&trees.root.join("src/b/deep/newer/six.txt"), "6");
        let again = trees.compare(&kept, &params);
        assert_eq!(
            again.freshness,
            Freshness::Recompared(vec![PathBuf::from("b/deep")])
        );
        assert_eq!(summary(&again.plan), summary(&trees.walked_now(&params)));
        kept.keep_previewed(&params, again);
        write(&trees.root.join("src/b/deep/newer/seven.txt"), "7");
        let later = trees.compare(&kept, &params);
        assert_eq!(
            later.freshness,
            Freshness::Recompared(vec![PathBuf::from("b/deep/newer")])
        );
        assert_eq!(summary(&later.plan), summary(&trees.walked_now(&params)));
    }

    #[test]
    fn after_a_run_its_own_writes_are_known_and_anyone_elses_seen() {
        let trees = trees();
        let kept = KeptDiffs::default();
        let params = trees.params(false);
        write(&trees.root.join("src/b/deep/new.txt"), "new");
        write(&trees.root.join("src/c/d/newdir.txt"), "in a new directory");
        let compared = trees.compare(&kept, &params);
        assert_eq!(compared.plan.count(ChangeKind::Create), 2);
        assert_eq!(
            compared.plan.directories,
            [PathBuf::from("c"), PathBuf::from("c/d")]
        );
        // The run's writes, by hand, with its watches on what it makes.
        let watch = compared.watch.as_ref().unwrap();
        for dir in ["c", "c/d"] {
            fs::create_dir(trees.root.join("dst").join(dir)).unwrap();
            watch.watch(&trees.root.join("dst").join(dir), Path::new(dir));
        }
        write(&trees.root.join("dst/b/deep/new.txt"), "new");
        write(&trees.root.join("dst/c/d/newdir.txt"), "in a new directory");
        // Someone else writes beside it meanwhile.
        write(&trees.root.join("dst/a/theirs.txt"), "not from the source");
        kept.keep_after_run(&params, compared, true);

        let next = trees.compare(&kept, &params);
        assert_eq!(
            next.freshness,
            Freshness::Recompared(vec![PathBuf::from("a")])
        );
        assert_eq!(summary(&next.plan), summary(&trees.walked_now(&params)));
        assert_eq!(next.plan.unchanged, 7);

        // Written later into a directory the run made: seen.
        kept.keep_previewed(&params, next);
        write(&trees.root.join("dst/c/d/later.txt"), "x");
        fs::write(
            trees.root.join("dst/c/d/newdir.txt"),
            "edited in the mirror",
        )
        .unwrap();
        let after = trees.compare(&kept, &params);
        assert_eq!(
            after.freshness,
            Freshness::Recompared(vec![PathBuf::from("c/d")])
        );
        assert_eq!(summary(&after.plan), summary(&trees.walked_now(&params)));
        assert_eq!(after.plan.count(ChangeKind::Update), 1);
    }

    #[test]
    fn after_a_run_that_failed_somewhere_what_it_wrote_is_compared_again() {
        let trees = trees();
        let kept = KeptDiffs::default();
        let params = trees.params(false);
        write(&trees.root.join("src/b/deep/new.txt"), "new");
        let compared = trees.compare(&kept, &params);
        kept.keep_after_run(&params, compared, false);

        let next = trees.compare(&kept, &params);
        assert_eq!(
            next.freshness,
            Freshness::Recompared(vec![PathBuf::from("b/deep")])
        );
        assert_eq!(
            next.plan.count(ChangeKind::Create),
            1,
            "it was never copied"
        );
        assert_eq!(summary(&next.plan), summary(&trees.walked_now(&params)));
    }

    #[test]
    fn a_directory_missing_from_the_mirror_compared_again_leaves_the_root_watched() {
        let trees = trees();
        let kept = KeptDiffs::default();
        let params = trees.params(false);
        fs::remove_dir_all(trees.root.join("dst/a")).unwrap();
        kept.keep_previewed(&params, trees.compare(&kept, &params));
        write(&trees.root.join("src/a/three.txt"), "3");
        let run = trees.compare(&kept, &params);
        assert_eq!(
            run.freshness,
            Freshness::Recompared(vec![PathBuf::from("a")])
        );
        assert_eq!(summary(&run.plan), summary(&trees.walked_now(&params)));

        // The mirror's top is still watched like any directory.
        kept.keep_previewed(&params, run);
        fs::write(trees.root.join("dst/top.txt"), "edited in the mirror").unwrap();
        let next = trees.compare(&kept, &params);
        assert_eq!(next.freshness, Freshness::Walked, "a change at the top");
        assert_eq!(next.plan.count(ChangeKind::Update), 1);
    }

    #[test]
    fn a_change_at_the_root_or_other_parameters_walk_both_trees() {
        let trees = trees();
        let kept = KeptDiffs::default();
        let params = trees.params(false);
        kept.keep_previewed(&params, trees.compare(&kept, &params));
        fs::write(trees.root.join("src/top.txt"), "changed at the root").unwrap();
        let run = trees.compare(&kept, &params);
        assert_eq!(run.freshness, Freshness::Walked);
        assert_eq!(run.plan.count(ChangeKind::Update), 1);

        kept.keep_previewed(&params, run);
        let other = SyncParams {
            delete_extraneous: true,
            ..params
        };
        assert_eq!(trees.compare(&kept, &other).freshness, Freshness::Walked);
    }
}
