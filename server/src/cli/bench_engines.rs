//! `tend bench engines`: Tend's engines side by side with the tools people
//! would use instead, on one generated tree, in one run:
//! backup vs `restic backup`, sync vs `rsync -a`, cleanup vs `find -delete`.
//! Each figure is wall-clock time of one run on a warm page cache.

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use super::rusage::{Usage, Who};
use crate::domain::PathPolicy;
use crate::workflows::{
    self,
    backup::BackupParams,
    cleanup::CleanupParams,
    sync::{self, ListingCache, SyncParams},
    Outcome, TaskContext, WorkflowEnv, WorkflowParams,
};

pub struct Options {
    pub files: usize,
    pub megabytes: u64,
    pub cleanup_files: usize,
    pub dir: Option<PathBuf>,
    /// The engines to time (`--only backup,sync`); all of them when empty.
    pub only: Vec<Engine>,
    /// `--path user`: also time the user's whole path through the real
    /// server's API (`super::bench_user_path`).
    pub user_path: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Backup,
    Sync,
    Cleanup,
}

impl std::str::FromStr for Engine {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "backup" => Ok(Engine::Backup),
            "sync" => Ok(Engine::Sync),
            "cleanup" => Ok(Engine::Cleanup),
            other => Err(format!(
                "unknown engine {other:?} (backup, sync or cleanup)"
            )),
        }
    }
}

impl Options {
    fn runs(&self, engine: Engine) -> bool {
        self.only.is_empty() || self.only.contains(&engine)
    }
}

impl Default for Options {
    fn default() -> Self {
        Options {
            files: 50_000,
            megabytes: 2048,
            cleanup_files: 20_000,
            dir: None,
            only: Vec::new(),
            user_path: false,
        }
    }
}

pub fn run(options: Options) -> ExitCode {
    let holder;
    let base = match &options.dir {
        Some(d) => d.clone(),
        None => {
            holder = match tempfile::Builder::new().prefix("tend-bench-").tempdir() {
                Ok(t) => t,
                Err(e) => return fail(&format!("cannot create a work directory: {e}")),
            };
            holder.path().to_path_buf()
        }
    };
    match bench(&base, &options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("tend bench engines: {message}");
    ExitCode::FAILURE
}

struct Row {
    what: &'static str,
    /// Runs behind each figure (the median is shown).
    runs: usize,
    tend: Duration,
    other: Option<Duration>,
    other_name: &'static str,
    target: &'static str,
}

fn bench(base: &Path, options: &Options) -> Result<(), String> {
    let data = base.join("data");
    std::fs::create_dir_all(data.join("quarantine")).map_err(|e| e.to_string())?;
    let src = base.join("source");
    eprintln!(
        "generating {} files, {} MB in {} ...",
        options.files,
        options.megabytes,
        src.display()
    );
    generate(&src, options.files, options.megabytes * 1024 * 1024).map_err(|e| e.to_string())?;
    let env = environment(base, &data)?;
    let mut rows = Vec::new();
    if options.runs(Engine::Backup) {
        rows.extend(backup_rows(base, &src, &env)?);
    }
    if options.runs(Engine::Sync) {
        rows.extend(sync_rows(base, &src, &env)?);
    }
    if options.runs(Engine::Cleanup) {
        rows.extend(cleanup_rows(base, &env, options)?);
    }
    let user_rows = if options.user_path {
        super::bench_user_path::rows(
            base,
            &src,
            options.cleanup_files,
            options.runs(Engine::Backup),
        )?
    } else {
        Vec::new()
    };
    remove_set_aside(base);

    println!(
        "\n{} files, {} MB ({} cores)\n",
        options.files,
        options.megabytes,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:<32} {:>4} {:>10} {:>18} {:>10} {:>8}  target",
        "run", "runs", "tend", "other", "other s", "ratio"
    );
    for r in rows {
        let (other, ratio) = match r.other {
            Some(o) => (
                format!("{:.2}", o.as_secs_f64()),
                format!("{:.2}x", r.tend.as_secs_f64() / o.as_secs_f64().max(1e-9)),
            ),
            None => ("n/a".into(), "n/a".into()),
        };
        println!(
            "{:<32} {:>4} {:>9.2}s {:>18} {:>9}s {:>8}  {}",
            r.what,
            r.runs,
            r.tend.as_secs_f64(),
            r.other_name,
            other,
            ratio,
            r.target
        );
    }
    if !user_rows.is_empty() {
        super::bench_user_path::print(&user_rows);
    }
    Ok(())
}

/// Backup: first run, again with nothing changed, then with one file changed.
fn backup_rows(base: &Path, src: &Path, env: &WorkflowEnv) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    fresh(
        base,
        &[
            &base.join("tend-repo"),
            &base.join("restic-repo"),
            &base.join("tend-repo-unverified"),
            &base.join("restic-repo-2"),
            &workflows::backup::fingerprints_dir(env),
        ],
    )?;
    let password =
        workflows::backup::repository::password(&env.secrets_dir).map_err(|e| e.to_string())?;
    let backup = |repo: &str| {
        WorkflowParams::Backup(BackupParams {
            source: src.to_path_buf(),
            repository: base.join(repo),
            excludes: Vec::new(),
            ignore_files: false,
            retention: Default::default(),
            schedule_id: None,
        })
    };
    let restic_in = |repo: &str, args: &[&str]| {
        let mut c = Command::new("restic");
        c.arg("-r")
            .arg(base.join(repo))
            .args(["--quiet"])
            .args(args)
            .env("RESTIC_PASSWORD", &password);
        c
    };
    let have_restic = restic_in("restic-repo", &["version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if have_restic {
        for repo in ["restic-repo", "restic-repo-2"] {
            run_tool(&mut restic_in(repo, &["init"]))?;
        }
    }
    // Tend into `tend_repo`, then restic into `restic_repo`, on the source
    // as it is now.
    let row_in = |what, env: &WorkflowEnv, tend_repo, restic_repo, runs, target| {
        Ok::<_, String>(Row {
            what,
            runs,
            tend: median_of(runs, || time_workflow(env, &backup(tend_repo)))?,
            other: have_restic
                .then(|| {
                    median_of(runs, || {
                        time_tool(restic_in(restic_repo, &["backup", &src.to_string_lossy()]))
                    })
                })
                .transpose()?,
            other_name: "restic backup",
            target,
        })
    };
    let backup_row =
        |what, runs, target| row_in(what, env, "tend-repo", "restic-repo", runs, target);
    rows.push(backup_row("backup, first run", 1, "<= 1.0x")?);
    // The same work as Debian's restic 0.14, which predates restic's own
    // extra verification (0.16.4): Tend without it, against restic into a
    // fresh repository of its own, timed at the same moment.
    let unverified = WorkflowEnv {
        backup_extra_verify: false,
        ..env.clone()
    };
    rows.push(row_in(
        "backup, first run, no extra verify",
        &unverified,
        "tend-repo-unverified",
        "restic-repo-2",
        1,
        "(none)",
    )?);
    // A quick run is noisy on a shared VM: the median of three.
    rows.push(backup_row("backup, nothing changed", 3, "<= 0.5x")?);
    // One file changed: Tend's shortcut walks, finds the change, and the
    // full backup runs after it.
    let changed = std::fs::read_dir(src.join("d000/e00"))
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.is_file())
        .ok_or("the generated tree has no file in d000/e00")?;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&changed)
        .map_err(|e| e.to_string())?;
    std::io::Write::write_all(&mut file, b"one more line\n").map_err(|e| e.to_string())?;
    drop(file);
    rows.push(backup_row("backup, one file changed", 1, "(none)")?);
    Ok(rows)
}

/// Sync: into an empty destination, then again with nothing changed.
fn sync_rows(base: &Path, src: &Path, env: &WorkflowEnv) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    let sync = |delete_extraneous| {
        WorkflowParams::Sync(SyncParams {
            source: src.to_path_buf(),
            destination: base.join("tend-mirror"),
            delete_extraneous,
            max_delete: 0,
            checksum: false,
        })
    };
    let rsync = |delete: bool| {
        let mut c = Command::new("rsync");
        c.arg("-a");
        if delete {
            c.arg("--delete");
        }
        c.arg(format!("{}/", src.display()))
            .arg(format!("{}/", base.join("rsync-mirror").display()));
        c
    };
    let have_rsync = Command::new("rsync").arg("--version").output().is_ok();
    let mut row = |what, runs, delete, listings: Listings, target| -> Result<(), String> {
        let tend = median_of(runs, || {
            listings.set_up(env);
            if let (Listings::Watched, WorkflowParams::Sync(params)) = (listings, sync(delete)) {
                // The preview sets the watches up; the run is timed.
                sync::preview(&params, env).map_err(|e| e.to_string())?;
            }
            time_workflow(env, &sync(delete))
        })?;
        rows.push(Row {
            what,
            runs,
            tend,
            other: have_rsync
                .then(|| median_of(runs, || time_tool(rsync(delete))))
                .transpose()?,
            other_name: if delete {
                "rsync -a --delete"
            } else {
                "rsync -a"
            },
            target,
        });
        Ok(())
    };
    fresh(
        base,
        &[&base.join("tend-mirror"), &base.join("rsync-mirror")],
    )?;
    row(
        "sync, empty destination",
        1,
        false,
        Listings::Kept,
        "<= 1.0x",
    )?;
    // Runs of a fraction of a second: the median of five.
    let nothing = "sync, nothing changed";
    row(nothing, 5, false, Listings::Kept, "<= 0.3x")?;
    let watched = "sync, nothing changed, watched";
    row(watched, 5, false, Listings::Watched, "(none)")?;
    let restarted = "sync, nothing changed, restarted";
    row(restarted, 5, false, Listings::Saved, "(none)")?;
    let none_kept = "sync, nothing changed, none kept";
    row(none_kept, 5, false, Listings::None, "(none)")?;
    // A mirror that removes what the source lost also lists the destination.
    let deleting = "sync --delete, nothing changed";
    row(deleting, 5, true, Listings::Kept, "(none)")?;
    Ok(rows)
}

/// The source listings a sync finds kept from the last one. Every row but
/// `Watched` forgets the kept comparisons first, so that it times a walk.
#[derive(Clone, Copy)]
enum Listings {
    /// A previewed mirror's run: the preview's comparison, kept current by
    /// watching the trees (`sync::KeptDiffs`), no walk when nothing changed.
    Watched,
    /// In memory: a server that has run the sync before.
    Kept,
    /// Only in the saved file: a server restarted since.
    Saved,
    /// None at all: a source this server never synced (its mirror made by
    /// another tool), or a server whose cache directory was emptied.
    None,
}

impl Listings {
    fn set_up(self, env: &WorkflowEnv) {
        if !matches!(self, Listings::Watched) {
            sync::KeptDiffs::shared().clear();
        }
        if matches!(self, Listings::Saved | Listings::None) {
            ListingCache::shared().clear();
        }
        if matches!(self, Listings::None) {
            let _ = std::fs::remove_dir_all(sync::listings_dir(env));
        }
    }
}

/// Cleanup of the same matching files in two trees; Tend quarantines them.
fn cleanup_rows(base: &Path, env: &WorkflowEnv, options: &Options) -> Result<Vec<Row>, String> {
    for tree in ["tend-clean", "find-clean"] {
        make_cleanup_tree(&base.join(tree), options.cleanup_files).map_err(|e| e.to_string())?;
    }
    let cleanup = WorkflowParams::Cleanup(CleanupParams {
        directory: base.join("tend-clean"),
        patterns: vec!["*.tmp".into()],
        older_than_days: None,
        modified_before_ms: None,
        min_size_bytes: None,
        empty_dirs: false,
        work_list: None,
    });
    let tend = time_workflow(env, &cleanup)?;
    let mut find = Command::new("find");
    find.arg(base.join("find-clean"))
        .args(["-name", "*.tmp", "-type", "f", "-delete"]);
    Ok(vec![Row {
        what: "cleanup, matching files",
        runs: 1,
        tend,
        other: Some(time_tool(find)?),
        other_name: "find -delete",
        target: "<= 1.5x",
    }])
}

fn environment(base: &Path, data: &Path) -> Result<WorkflowEnv, String> {
    let canonical = base.canonicalize().map_err(|e| e.to_string())?;
    Ok(WorkflowEnv {
        policy: Arc::new(RwLock::new(PathPolicy::new([canonical], None))),
        quarantine_dir: data
            .join("quarantine")
            .canonicalize()
            .map_err(|e| e.to_string())?,
        secrets_dir: data.join("secrets"),
        cache_dir: data.join("cache"),
        undo_retention: None,
        backup_extra_verify: true,
    })
}

/// Writes back every dirty page first, so one measurement never pays for
/// the writeback of the one before it.
pub(super) fn settle() {
    // SAFETY: sync(2) takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

fn time_workflow(env: &WorkflowEnv, params: &WorkflowParams) -> Result<Duration, String> {
    settle();
    let (reports, mut drain) = tokio::sync::mpsc::unbounded_channel();
    let ctx = TaskContext::new(1, Arc::new(AtomicBool::new(false)), reports);
    let usage = Usage::now(Who::ThisProcess);
    let started = Instant::now();
    let outcome = workflows::run(params, env, &ctx).map_err(|e| e.to_string())?;
    let elapsed = started.elapsed();
    let usage = Usage::now(Who::ThisProcess).since(usage);
    while drain.try_recv().is_ok() {}
    match outcome {
        Outcome::Succeeded { summary } => {
            eprintln!("  {:.2}s  {summary}", elapsed.as_secs_f64());
            eprintln!("         tend: {}", usage.describe(elapsed));
            Ok(elapsed)
        }
        other => Err(format!("{} did not succeed: {other:?}", params.name())),
    }
}

/// The median of `runs` timings (one run: that run).
pub(super) fn median_of(
    runs: usize,
    mut time: impl FnMut() -> Result<Duration, String>,
) -> Result<Duration, String> {
    let mut times = (0..runs.max(1))
        .map(|_| time())
        .collect::<Result<Vec<_>, _>>()?;
    times.sort();
    Ok(times[times.len() / 2])
}

pub(super) fn time_tool(mut command: Command) -> Result<Duration, String> {
    settle();
    let usage = Usage::now(Who::Children);
    let started = Instant::now();
    run_tool(&mut command)?;
    let elapsed = started.elapsed();
    let usage = Usage::now(Who::Children).since(usage);
    eprintln!(
        "  {:.2}s  {}\n         {}",
        elapsed.as_secs_f64(),
        command.get_program().to_string_lossy(),
        usage.describe(elapsed)
    );
    Ok(elapsed)
}

pub(super) fn run_tool(command: &mut Command) -> Result<(), String> {
    let out = command.output().map_err(|e| format!("{command:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

/// Mixed sizes: most files small, a few large, filling `total` bytes.
/// Contents are pseudo-random so compression cannot flatter anyone.
fn generate(root: &Path, files: usize, total: u64) -> std::io::Result<()> {
    if root.exists() {
        return Ok(());
    }
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    // 1 in 100 files is large and carries half the bytes.
    let large = (files / 100).max(1);
    let large_size = total / 2 / large as u64;
    let small_budget = total / 2 / (files - large).max(1) as u64;
    for i in 0..files {
        let dir = root.join(format!("d{:03}/e{:02}", i % 500, i % 37));
        if i < 500 * 37 {
            std::fs::create_dir_all(&dir)?;
        }
        let size = if i % 100 == 0 {
            large_size
        } else {
            // 0.2x to 1.8x the average small size.
            small_budget / 5 + next() % (small_budget * 8 / 5).max(1)
        };
        let mut data = Vec::with_capacity(size as usize + 8);
        while (data.len() as u64) < size {
            data.extend_from_slice(&next().to_le_bytes());
        }
        data.truncate(size as usize);
        std::fs::write(dir.join(format!("f{i}.dat")), data)?;
    }
    Ok(())
}

/// Sets aside what an earlier run left in a reused `--dir`, so a "first run"
/// is one. Renamed, not deleted: for about a minute after many files are
/// deleted, ext4 creates files several times slower (its inode allocator
/// looks at each recently freed inode and skips it), and whichever tool ran
/// first after the deletion would pay for it (`rsync -a` of 50,000 small
/// files here: 1.1 s, and 5.0 s right after deleting 100,000). What is set
/// aside is deleted when the run is over ([`remove_set_aside`]).
pub(super) fn fresh(base: &Path, paths: &[&Path]) -> Result<(), String> {
    let aside = base.join(SET_ASIDE);
    std::fs::create_dir_all(&aside).map_err(|e| e.to_string())?;
    for path in paths {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let target = (0..)
            .map(|n| aside.join(format!("{name}.{n}")))
            .find(|t| !t.exists())
            .expect("an unused name");
        match std::fs::rename(path, &target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot clear {}: {e}", path.display())),
        }
    }
    Ok(())
}

/// Where [`fresh`] puts an earlier run's trees, inside the bench directory.
const SET_ASIDE: &str = "set-aside";

/// Deletes what [`fresh`] set aside, after the last measurement.
fn remove_set_aside(base: &Path) {
    match std::fs::remove_dir_all(base.join(SET_ASIDE)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => eprintln!("could not delete {}: {e}", base.join(SET_ASIDE).display()),
    }
}

pub(super) fn make_cleanup_tree(root: &Path, files: usize) -> std::io::Result<()> {
    for i in 0..files {
        let dir = root.join(format!("d{}", i % 200));
        if i < 200 {
            std::fs::create_dir_all(&dir)?;
        }
        std::fs::write(dir.join(format!("f{i}.tmp")), b"scratch")?;
        if i % 4 == 0 {
            std::fs::write(dir.join(format!("keep{i}.log")), b"keep")?;
        }
    }
    Ok(())
}
