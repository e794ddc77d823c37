//! Two real servers sharing one PostgreSQL database act as one Tend: a rule
//! added on one is in force on the other, a browser on one sees live
//! progress of a task the other runs, and a cancel sent to one stops the
//! task where it runs. Needs `TEND_TEST_POSTGRES_URL`; skipped (with a
//! message) without it.

mod support;

use std::time::Duration;

use serde_json::{json, Value};
use support::databases::TestDatabase;
use support::{
    connect_events, names_besides_versions, next_message, sparse_file, spawn_app_with, TestApp,
};

async fn two_nodes(db: &TestDatabase) -> (TestApp, TestApp) {
    let url = db.url().to_string();
    let a = spawn_app_with(|c| {
        c.database_url = Some(url);
        c.node_name = Some("node-a".into());
    })
    .await;
    // Node b shares a's data directory and allowed root, as nodes on one
    // shared filesystem do, but runs no tasks itself: everything it shows
    // of a task comes from node a through the database.
    let shared = a.config.clone();
    let mut b = spawn_app_with(|c| {
        *c = shared;
        c.node_name = Some("node-b".into());
        c.workers = 0;
    })
    .await;
    b.root = a.root.clone();
    (a, b)
}

#[tokio::test]
async fn a_rule_added_on_one_node_is_in_force_on_the_other() {
    let Some(db) = TestDatabase::postgres("nodes: rules").await else {
        return;
    };
    let (a, b) = two_nodes(&db).await;
    let photos = a.root.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let before = ask(&b, "clean up *.tmp in the vault").await;
    assert_eq!(before["code"], "directory_missing", "{before}");

    let response = a
        .client
        .put(format!("{}/api/rules/locations", a.url))
        .json(&json!({"name": "the vault", "path": photos}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // Node b hears of it within moments, without a restart.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let plan = ask(&b, "clean up *.tmp in the vault").await;
        if plan["kind"] == "plan" {
            assert!(
                plan.to_string().contains(photos.to_str().unwrap()),
                "{plan}"
            );
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "node b never applied the alias: {plan}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A command's answer, whatever it is.
async fn ask(node: &TestApp, text: &str) -> Value {
    node.command(text).await.json().await.unwrap()
}

#[tokio::test]
async fn a_browser_on_one_node_follows_and_cancels_a_task_the_other_node_runs() {
    let Some(db) = TestDatabase::postgres("nodes: live progress and cancel").await else {
        return;
    };
    let (a, b) = two_nodes(&db).await;
    let src = a.root.join("huge");
    sparse_file(&src.join("disk.img"), 8 << 30);
    let dst = a.root.join("huge-copy");

    let mut socket = connect_events(&b.url).await;
    assert_eq!(next_message(&mut socket).await["type"], "snapshot");

    // Planned and confirmed through node b; only node a has workers.
    let id = b
        .plan_and_confirm(&format!("mirror {} to {}", src.display(), dst.display()))
        .await;
    let mut seen_running_with_progress = false;
    while !seen_running_with_progress {
        let message = next_message(&mut socket).await;
        if message["type"] == "task" && message["task"]["id"] == id {
            let task = &message["task"];
            assert_ne!(task["state"], "failed", "{task}");
            seen_running_with_progress = task["state"] == "running"
                && task["progress"]["bytes_done"].as_u64().unwrap_or(0) > 0;
        }
    }

    // Cancelled through node b, whose own workers run nothing: node a must
    // stop it (left alone, the copy would end "succeeded"), and b's
    // browser sees the end.
    let response = b.post(&format!("/api/tasks/{id}/cancel")).await;
    assert_eq!(response.status(), 200);
    loop {
        let message = next_message(&mut socket).await;
        if message["type"] == "task" && message["task"]["id"] == id {
            let state = message["task"]["state"].as_str().unwrap().to_string();
            if state == "cancelled" {
                break;
            }
            assert_eq!(state, "running", "{message}");
        }
    }
    let task = b.task(id).await;
    assert_eq!(task["state"], "cancelled", "{task}");
    let log: Value = b.json(&format!("/api/tasks/{id}/events")).await;
    assert!(log.to_string().contains("queued → running"), "{log}");
    let leftovers = if dst.exists() {
        names_besides_versions(&dst)
    } else {
        Vec::new()
    };
    assert!(leftovers.is_empty(), "no partial file: {leftovers:?}");
}

#[tokio::test]
async fn when_a_node_dies_mid_task_another_node_runs_it_again_to_the_end() {
    let Some(db) = TestDatabase::postgres("nodes: a node dies").await else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let mut config = support::test_config(home.path());
    config.database_url = Some(db.url().to_string());
    config.node_name = Some("node-a".into());
    config.node_lease_secs = 2;
    let root = home.path().join("files").canonicalize().unwrap();
    let src = root.join("big");
    sparse_file(&src.join("disk.img"), 2 << 30);
    let dst = root.join("big-copy");

    // Node a is a real process, killed with SIGKILL while it copies.
    let (mut node_a, url_a) = support::start_binary(home.path(), &config);
    let client = reqwest::Client::new();
    let (_, id) = support::plan_and_confirm_at(
        &client,
        &url_a,
        &format!("mirror {} to {}", src.display(), dst.display()),
    )
    .await;
    support::wait_mid_run(&client, &url_a, id, |t| {
        t["progress"]["bytes_done"].as_u64().unwrap_or(0) > 0
    })
    .await;
    node_a.kill().unwrap();
    node_a.wait().unwrap();

    // Node b comes up on the same database and files: a's task is not its
    // own, but once a has been silent for the lease it is requeued and run.
    let shared = config.clone();
    let b = spawn_app_with(|c| {
        *c = shared;
        c.node_name = Some("node-b".into());
    })
    .await;
    let task = b.wait_until_done(id).await;
    let log: Value = b.json(&format!("/api/tasks/{id}/events")).await;
    assert_eq!(task["state"], "succeeded", "{task}\n{log}");
    assert_eq!(task["attempt"], 2, "{task}\n{log}");
    assert!(log.to_string().contains("interrupted"), "{log}");
    let copied = std::fs::metadata(dst.join("disk.img")).unwrap();
    assert_eq!(copied.len(), 2 << 30);
    assert_eq!(
        names_besides_versions(&dst),
        ["disk.img"],
        "no temporary file left"
    );
}

#[tokio::test]
async fn an_alert_raised_on_one_node_reaches_browsers_on_the_other() {
    let Some(db) = TestDatabase::postgres("nodes: alerts").await else {
        return;
    };
    let (a, b) = two_nodes(&db).await;
    let mut socket = connect_events(&b.url).await;
    assert_eq!(next_message(&mut socket).await["type"], "snapshot");

    // A mirror that fails for good, run by node a.
    let source = a.root.join("gone");
    std::fs::create_dir_all(&source).unwrap();
    std::fs::write(source.join("a.txt"), "a").unwrap();
    let plan = b
        .plan(&format!(
            "mirror {} to {}",
            source.display(),
            a.root.join("gone-copy").display()
        ))
        .await;
    std::fs::remove_dir_all(&source).unwrap();
    std::fs::write(&source, "a file now").unwrap();
    let id = b.confirm(plan["plan_id"].as_str().unwrap()).await;
    let alert = loop {
        let message = next_message(&mut socket).await;
        if message["type"] == "alert" {
            break message["alert"].clone();
        }
    };
    assert_eq!(alert["task_id"], id, "{alert}");
    assert_eq!(alert["event"], "task_failed");

    // Dismissed on node a: node b's browser hears of it.
    let response = a
        .post(&format!("/api/alerts/{}/dismiss", alert["id"]))
        .await;
    assert_eq!(response.status(), 200);
    let dismissed = loop {
        let message = next_message(&mut socket).await;
        if message["type"] == "alert" {
            break message["alert"].clone();
        }
    };
    assert!(dismissed["dismissed_at"].as_i64().is_some(), "{dismissed}");
}
