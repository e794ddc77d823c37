//! The queue survives restarts and crashes.

mod support;

use support::{kill_mid_run_then_finish, manifest, spawn_app_with, test_config};

#[tokio::test]
async fn a_queued_task_survives_a_restart_and_runs_after_it() {
    let mut app = spawn_app_with(|c| c.workers = 0).await;
    let file = app.write("d/old.tmp", "x", 9);
    let plan = app
        .plan(&format!(
            "clean up *.tmp in {}",
            app.root.join("d").display()
        ))
        .await;
    let task_id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    assert_eq!(app.task(task_id).await["state"], "queued");
    assert!(file.exists());

    app.restart_with(|c| c.workers = 2).await;
    let task = app.wait_until_done(task_id).await;
    assert_eq!(task["state"], "succeeded");
    assert!(!file.exists());
}

/// The real binary, killed with SIGKILL in the middle of a cleanup, then
/// started again: the task is not left "running", it finishes, and the
/// quarantine's manifest matches the files in it.
#[tokio::test]
async fn a_task_killed_mid_run_is_recovered_and_finished() {
    let home = tempfile::tempdir().unwrap();
    let config = test_config(home.path());
    let root = home.path().join("files/bulk");
    // Enough files that the run lasts well past its first progress report
    // (250 ms) even on a fast machine, so the kill lands mid-run.
    const FILES: usize = 60_000;
    for i in 0..FILES {
        let dir = root.join(format!("d{}", i % 300));
        if i < 300 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        std::fs::write(dir.join(format!("f{i}.tmp")), b"payload").unwrap();
    }
    let (plan, task) = kill_mid_run_then_finish(
        home.path(),
        &config,
        &format!("clean up *.tmp in {}", root.display()),
        "files_done",
        || {},
    )
    .await;
    assert_eq!(plan["preview"]["file_count"], FILES);
    let task_id = task["id"].as_i64().unwrap();
    assert_eq!(task["state"], "succeeded", "{task}");
    assert_eq!(task["attempt"], 2);

    // Every file is in quarantine exactly once, and the manifest says so.
    let remaining = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(remaining, 0);
    let qdir = config
        .data_dir
        .canonicalize()
        .unwrap()
        .join(format!("quarantine/task-{task_id}"));
    let stored = walkdir::WalkDir::new(qdir.join("files"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(stored, FILES);
    let entries = manifest(&qdir);
    assert_eq!(entries.len(), FILES);
    let unique: std::collections::HashSet<&str> = entries
        .iter()
        .map(|e| e["stored"].as_str().unwrap())
        .collect();
    assert_eq!(unique.len(), FILES);
    for e in entries.iter().take(200) {
        assert!(qdir.join(e["stored"].as_str().unwrap()).is_file());
    }
}
