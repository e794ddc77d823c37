//! A graceful stop, as systemd sends it on every upgrade: the real binary,
//! SIGTERM in the middle of a backup. The server exits within its grace
//! period, and after a restart the backup runs again from the start
//! without spending an attempt, leaving exactly one snapshot (as the
//! standard restic tool counts them).

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{
    plan_and_confirm_at, random_tree, sparse_file, start_binary, test_config, wait_done_at,
    wait_mid_run,
};

/// The default `shutdown_grace_secs`.
const GRACE: Duration = Duration::from_secs(20);

/// Waits (bounded) for the child to exit; how long it took.
fn wait_exit(child: &mut std::process::Child, limit: Duration) -> (Duration, bool) {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return (start.elapsed(), status.success());
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the server did not exit within {limit:?} of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// restic's snapshot count of `repo`, or None (a skip) without restic.
fn restic_snapshots(repo: &std::path::Path, password_file: &std::path::Path) -> Option<usize> {
    let output = Command::new("restic")
        .args(["--no-cache", "--json", "-r"])
        .arg(repo)
        .arg("--password-file")
        .arg(password_file)
        .arg("snapshots")
        .output();
    let Ok(output) = output else {
        support::skip::skip(
            "the snapshot count after a SIGTERM",
            "the restic command is not installed (scripts/test installs it)",
        );
        return None;
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let snapshots: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    Some(snapshots.len())
}

#[tokio::test]
async fn sigterm_mid_backup_releases_it_and_the_restart_makes_exactly_one_snapshot() {
    let home = tempfile::tempdir().unwrap();
    let config = test_config(home.path());
    let root = home.path().join("files");
    let src = root.join("photos");
    random_tree(&src, 200, 64 * 1024);
    // Zeros hash at rustic's full speed but still take seconds to read:
    // long enough for the signal to land mid-run.
    sparse_file(&src.join("disk.img"), 1536 << 20);
    let repo = root.join("repo");
    let client = reqwest::Client::new();

    let (mut child, url) = start_binary(home.path(), &config);
    let command = format!("back up {} to {}", src.display(), repo.display());
    let (_, id) = plan_and_confirm_at(&client, &url, &command).await;
    wait_mid_run(&client, &url, id, |t| {
        t["progress"]["bytes_done"].as_u64().unwrap_or(0) > 0
    })
    .await;
    let pid = i32::try_from(child.id()).unwrap();
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let (took, clean) = wait_exit(&mut child, GRACE + Duration::from_secs(10));
    assert!(clean, "the server exits cleanly on SIGTERM");
    assert!(took < GRACE, "SIGTERM took {took:?}");

    let (mut child, url) = start_binary(home.path(), &config);
    let task = wait_done_at(&client, &url, id).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(task["state"], "succeeded", "{task}");
    assert_eq!(
        task["attempt"], 1,
        "the stopped run spent no attempt: {task}"
    );
    let outcomes: Vec<&str> = task["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap_or("running"))
        .collect();
    assert_eq!(outcomes, ["released", "succeeded"], "{task}");

    let password = config.data_dir.join("secrets/restic.password");
    if let Some(count) = restic_snapshots(&repo, &password) {
        assert_eq!(count, 1, "one backup, one snapshot");
    }
}

/// A rolling upgrade of two nodes on PostgreSQL: the node running a long
/// mirror is stopped gracefully, releases it without spending the attempt,
/// and the other node takes it up at once and finishes it.
#[tokio::test]
async fn a_node_stopped_for_an_upgrade_hands_its_task_to_the_other_node() {
    let Some(db) = support::databases::TestDatabase::postgres("graceful stop: two nodes").await
    else {
        return;
    };
    let url = db.url().to_string();
    let mut a = support::spawn_app_with(|c| {
        c.database_url = Some(url.clone());
        c.node_name = Some("node-a".into());
    })
    .await;
    let shared = a.config.clone();
    let mut b = support::spawn_app_with(|c| {
        *c = shared;
        c.node_name = Some("node-b".into());
        c.workers = 0;
    })
    .await;
    b.root = a.root.clone();
    let src = a.root.join("vm");
    // Big enough to be mid-copy when node a stops, small enough to finish.
    sparse_file(&src.join("disk.img"), 1 << 30);
    let dst = a.root.join("mirror");
    let id = a
        .plan_and_confirm(&format!("mirror {} to {}", src.display(), dst.display()))
        .await;
    loop {
        let task = a.task(id).await;
        if task["state"] == "running" && task["progress"]["bytes_done"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        assert!(
            !["succeeded", "failed", "cancelled"].contains(&task["state"].as_str().unwrap()),
            "the mirror ended before node a stopped; give it more to copy: {task}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // b starts working, as the upgraded node would; a stops.
    b.restart_with(|c| c.workers = 1).await;
    let stopping = Instant::now();
    a.server.take().unwrap().stop().await;
    assert!(stopping.elapsed() < GRACE, "{:?}", stopping.elapsed());

    let done = b.wait_until_done(id).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["attempt"], 1, "the release spent no attempt: {done}");
    let nodes: Vec<(&str, &str)> = done["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["node"].as_str().unwrap(), a["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(nodes, [("node-a", "released"), ("node-b", "succeeded")]);
    assert_eq!(
        std::fs::metadata(dst.join("disk.img")).unwrap().len(),
        1 << 30
    );
}
