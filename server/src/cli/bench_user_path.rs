//! `tend bench engines --path user`: what a user waits for, through the
//! real server's JSON API: the command (understanding and the preview's
//! walk), the confirm, the time in the queue, the run, until the task has
//! ended, side by side with the standard tool on the same tree. The
//! engine-only rows run too, so the two paths read beside each other.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::bench_engines::{fresh, make_cleanup_tree, median_of, run_tool, time_tool};
use crate::config::Config;

/// Where one command's time went, as the client and the task's own
/// timestamps see it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Breakdown {
    /// `POST /api/commands` until the plan is back: understanding, the
    /// preview's walk, storing the plan.
    pub plan: Duration,
    /// Of the plan, as the server's `Server-Timing` says: understanding
    /// the command, the preview, storing the plan.
    pub nlu: Duration,
    pub preview: Duration,
    pub store: Duration,
    /// `POST /api/plans/{id}/confirm` until it answers.
    pub confirm: Duration,
    /// From the task's creation to its start (claim and hand-off).
    pub queued: Duration,
    /// From its start to its end, as stored.
    pub run: Duration,
    /// Of the run, as the server's `tend_task_phase_seconds` says: the
    /// hand-off to a thread, the workflow, its last reports, storing the end.
    pub phases: [Duration; 4],
    /// From the command sent to the end seen by the client.
    pub total: Duration,
}

/// One row of the user-path table.
pub struct UserRow {
    pub what: &'static str,
    pub runs: usize,
    pub tend: Breakdown,
    pub other: Option<Duration>,
    pub other_name: &'static str,
    pub target: &'static str,
}

/// A server of its own on `base`, for the run.
struct Bench {
    runtime: tokio::runtime::Runtime,
    server: Option<crate::startup::Server>,
    client: reqwest::Client,
    url: String,
}

impl Bench {
    fn start(base: &Path) -> Result<Bench, String> {
        let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
        let config = Config {
            bind: "127.0.0.1:0".parse().map_err(|e| format!("{e}"))?,
            data_dir: base.join("user-path-data"),
            extra_allowed_roots: vec![base.to_path_buf()],
            site_dir: Some(base.join("no-site")),
            ..Config::default()
        };
        let server = runtime
            .block_on(crate::startup::start(config))
            .map_err(|e| format!("the server did not start: {e}"))?;
        let url = server.url();
        Ok(Bench {
            runtime,
            server: Some(server),
            client: reqwest::Client::new(),
            url,
        })
    }

    /// Sends `text`, confirms the plan, waits for the task's end.
    fn through_api(&self, text: &str) -> Result<Breakdown, String> {
        super::bench_engines::settle();
        self.runtime.block_on(async {
            let phases_before = self.phase_sums().await?;
            let started = Instant::now();
            let (plan, steps) = self.command(text).await?;
            let plan_id = plan["plan_id"]
                .as_str()
                .ok_or_else(|| format!("\"{text}\" was not planned: {plan}"))?;
            let planned = started.elapsed();
            let confirmed = self
                .post(&format!("/api/plans/{plan_id}/confirm"), json!({}))
                .await?;
            let task_id = confirmed["task_id"]
                .as_i64()
                .ok_or_else(|| format!("the confirm made no task: {confirmed}"))?;
            let confirm = started.elapsed() - planned;
            let task = self.until_ended(task_id).await?;
            let total = started.elapsed();
            let phases_after = self.phase_sums().await?;
            if task["state"] != "succeeded" {
                return Err(format!("task {task_id} did not succeed: {task}"));
            }
            let at = |field: &str| task[field].as_i64().unwrap_or_default();
            let ms = |v: i64| Duration::from_millis(v.max(0) as u64);
            let step = |name: &str| {
                let ms = steps.iter().find(|(n, _)| n == name).map_or(0.0, |s| s.1);
                Duration::from_secs_f64(ms / 1000.0)
            };
            Ok(Breakdown {
                plan: planned,
                nlu: step("nlu"),
                preview: step("preview"),
                store: step("store"),
                confirm,
                queued: ms(at("started_at") - at("created_at")),
                run: ms(at("finished_at") - at("started_at")),
                phases: std::array::from_fn(|i| {
                    Duration::from_secs_f64((phases_after[i] - phases_before[i]).max(0.0))
                }),
                total,
            })
        })
    }

    /// The seconds this server's attempts spent in each phase so far
    /// (start, workflow, reports, finish), from `/metrics`.
    async fn phase_sums(&self) -> Result<[f64; 4], String> {
        let text = self
            .client
            .get(format!("{}/metrics", self.url))
            .send()
            .await
            .map_err(|e| e.to_string())?
            .text()
            .await
            .map_err(|e| e.to_string())?;
        let sum = |phase: &str| {
            let name = format!("tend_task_phase_seconds_sum{{phase=\"{phase}\"}} ");
            text.lines()
                .find_map(|l| l.strip_prefix(&name))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0.0)
        };
        Ok(["start", "workflow", "reports", "finish"].map(sum))
    }

    /// `POST /api/commands`: the answer, and the steps its `Server-Timing`
    /// names.
    async fn command(&self, text: &str) -> Result<(Value, Vec<(String, f64)>), String> {
        let response = self
            .client
            .post(format!("{}/api/commands", self.url))
            .json(&json!({ "text": text }))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let steps = response
            .headers()
            .get("server-timing")
            .and_then(|v| v.to_str().ok())
            .map(crate::timing::parse_header)
            .unwrap_or_default();
        Ok((response.json().await.map_err(|e| e.to_string())?, steps))
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value, String> {
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .map_err(|e| e.to_string())?;
        response.json().await.map_err(|e| e.to_string())
    }

    /// Polls the task every millisecond until it has ended.
    async fn until_ended(&self, id: i64) -> Result<Value, String> {
        let deadline = Instant::now() + Duration::from_secs(3600);
        loop {
            let task: Value = self
                .client
                .get(format!("{}/api/tasks/{id}", self.url))
                .send()
                .await
                .map_err(|e| e.to_string())?
                .json()
                .await
                .map_err(|e| e.to_string())?;
            if matches!(
                task["state"].as_str(),
                Some("succeeded" | "failed" | "cancelled")
            ) {
                return Ok(task);
            }
            if Instant::now() > deadline {
                return Err(format!("task {id} did not end within an hour"));
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.stop());
        }
    }
}

fn median_breakdown(
    runs: usize,
    mut time: impl FnMut() -> Result<Breakdown, String>,
) -> Result<Breakdown, String> {
    let mut all = (0..runs.max(1))
        .map(|_| time())
        .collect::<Result<Vec<_>, _>>()?;
    all.sort_by_key(|b| b.total);
    Ok(all[all.len() / 2])
}

/// The mirror and cleanup rows through the API, and the backup rows when
/// `with_backup`.
pub fn rows(
    base: &Path,
    src: &Path,
    cleanup_files: usize,
    with_backup: bool,
) -> Result<Vec<UserRow>, String> {
    let bench = Bench::start(base)?;
    let mut rows = Vec::new();
    if with_backup {
        rows.extend(backup_rows(&bench, base, src)?);
    }
    let have_rsync = Command::new("rsync").arg("--version").output().is_ok();
    let (mirror, rsync_mirror) = (base.join("user-mirror"), base.join("user-rsync-mirror"));
    let rsync = || {
        let mut c = Command::new("rsync");
        c.arg("-a")
            .arg(format!("{}/", src.display()))
            .arg(format!("{}/", rsync_mirror.display()));
        c
    };
    let text = format!("mirror {} to {}", src.display(), mirror.display());
    fresh(base, &[&mirror, &rsync_mirror])?;
    rows.push(UserRow {
        what: "sync, empty destination",
        runs: 1,
        tend: bench.through_api(&text)?,
        other: have_rsync.then(|| time_tool(rsync())).transpose()?,
        other_name: "rsync -a",
        target: "<= 1.0x",
    });
    // The first re-run walks both trees (and sets the watches up); the
    // ones after it find the comparison kept.
    rows.push(UserRow {
        what: "sync, first re-run",
        runs: 1,
        tend: bench.through_api(&text)?,
        other: have_rsync.then(|| time_tool(rsync())).transpose()?,
        other_name: "rsync -a",
        target: "<= 0.3x",
    });
    rows.push(UserRow {
        what: "sync, nothing changed",
        runs: 5,
        tend: median_breakdown(5, || bench.through_api(&text))?,
        other: have_rsync
            .then(|| median_of(5, || time_tool(rsync())))
            .transpose()?,
        other_name: "rsync -a",
        target: "<= 0.3x",
    });
    let (clean, find_clean) = (base.join("user-clean"), base.join("user-find-clean"));
    for tree in [&clean, &find_clean] {
        make_cleanup_tree(tree, cleanup_files).map_err(|e| e.to_string())?;
    }
    let mut find = Command::new("find");
    find.arg(&find_clean)
        .args(["-name", "*.tmp", "-type", "f", "-delete"]);
    rows.push(UserRow {
        what: "cleanup",
        runs: 1,
        tend: bench.through_api(&format!("clean up *.tmp in {}", clean.display()))?,
        other: Some(time_tool(find)?),
        other_name: "find -delete",
        target: "<= 1.5x",
    });
    Ok(rows)
}

/// A first backup and one with nothing changed, beside `restic backup`
/// into a repository of its own.
fn backup_rows(bench: &Bench, base: &Path, src: &Path) -> Result<Vec<UserRow>, String> {
    let (tend_repo, restic_repo) = (base.join("user-tend-repo"), base.join("user-restic-repo"));
    fresh(base, &[&tend_repo, &restic_repo])?;
    let restic = |args: &[&str]| {
        let mut c = Command::new("restic");
        c.arg("-r")
            .arg(&restic_repo)
            .arg("--quiet")
            .args(args)
            .env("RESTIC_PASSWORD", "tend-bench");
        c
    };
    let have_restic = restic(&["version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if have_restic {
        run_tool(&mut restic(&["init"]))?;
    }
    let source = src.to_string_lossy().to_string();
    let restic_backup = || restic(&["backup", &source]);
    let text = format!("back up {} to {}", src.display(), tend_repo.display());
    Ok(vec![
        UserRow {
            what: "backup, first run",
            runs: 1,
            tend: bench.through_api(&text)?,
            other: have_restic
                .then(|| time_tool(restic_backup()))
                .transpose()?,
            other_name: "restic backup",
            target: "(none)",
        },
        UserRow {
            what: "backup, nothing changed",
            runs: 3,
            tend: median_breakdown(3, || bench.through_api(&text))?,
            other: have_restic
                .then(|| median_of(3, || time_tool(restic_backup())))
                .transpose()?,
            other_name: "restic backup",
            target: "(none)",
        },
    ])
}

/// The table: each row's breakdown, its total beside the tool's.
pub fn print(rows: &[UserRow]) {
    println!(
        "\nthe user's path, through the JSON API (command -> plan -> confirm -> task ended)\n"
    );
    println!(
        "{:<24} {:>4} {:>8} {:>20} {:>8} {:>8} {:>8} {:>26} {:>9} {:>14} {:>9} {:>7}  target",
        "run",
        "runs",
        "plan",
        "(nlu/preview/store)",
        "confirm",
        "queued",
        "run",
        "(start/work/reports/end)",
        "total",
        "other",
        "other s",
        "ratio"
    );
    for r in rows {
        let secs = |d: Duration| format!("{:.3}", d.as_secs_f64());
        let ms = |d: Duration| format!("{:.1}", d.as_secs_f64() * 1000.0);
        let (other, ratio) = match r.other {
            Some(o) => (
                format!("{:.2}", o.as_secs_f64()),
                format!(
                    "{:.2}x",
                    r.tend.total.as_secs_f64() / o.as_secs_f64().max(1e-9)
                ),
            ),
            None => ("n/a".into(), "n/a".into()),
        };
        let split = format!(
            "{}/{}/{} ms",
            ms(r.tend.nlu),
            ms(r.tend.preview),
            ms(r.tend.store)
        );
        let [start, work, reports, end] = r.tend.phases.map(ms);
        let run_split = format!("{start}/{work}/{reports}/{end} ms");
        println!(
            "{:<24} {:>4} {:>8} {:>20} {:>8} {:>8} {:>8} {:>26} {:>8}s {:>14} {:>8}s {:>7}  {}",
            r.what,
            r.runs,
            secs(r.tend.plan),
            split,
            secs(r.tend.confirm),
            secs(r.tend.queued),
            secs(r.tend.run),
            run_split,
            format!("{:.3}", r.tend.total.as_secs_f64()),
            r.other_name,
            other,
            ratio,
            r.target
        );
    }
}
