//! The whole path over HTTP: command → plan → confirm → task → files moved.

mod support;

use serde_json::Value;
use support::{manifest, spawn_app, spawn_app_with};

#[tokio::test]
async fn cleanup_moves_exactly_the_matching_files_into_quarantine() {
    let app = spawn_app().await;
    let old_a = app.write("scratch/a.tmp", "aaaa", 10);
    let old_b = app.write("scratch/deep/b.tmp", "bb", 8);
    let fresh = app.write("scratch/c.tmp", "new", 2);
    let other = app.write("scratch/notes.txt", "keep", 30);
    let dir = app.root.join("scratch");

    let plan = app
        .plan(&format!(
            "clean up *.tmp files older than 7 days in {}",
            dir.display()
        ))
        .await;
    assert_eq!(plan["workflow"], "cleanup");
    assert_eq!(plan["preview"]["file_count"], 2);
    assert_eq!(plan["preview"]["total_bytes"], 6);
    let params: Vec<(String, String)> = plan["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().into(),
                p["value"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(params.contains(&("directory".into(), dir.display().to_string())));
    assert!(params.contains(&("patterns".into(), "*.tmp".into())));
    assert!(params.contains(&("older_than_days".into(), "7 days".into())));
    // A plan changes nothing.
    assert!(old_a.exists() && old_b.exists());

    let task_id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(task_id).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    assert_eq!(task["progress"]["files_done"], 2);
    assert_eq!(task["progress"]["bytes_done"], 6);
    assert_eq!(task["parameters"]["workflow"], "cleanup");

    assert!(!old_a.exists() && !old_b.exists());
    assert_eq!(std::fs::read_to_string(&fresh).unwrap(), "new");
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "keep");
    let qdir = app.quarantine(task_id);
    assert_eq!(
        std::fs::read_to_string(qdir.join("files/a.tmp")).unwrap(),
        "aaaa"
    );
    assert_eq!(
        std::fs::read_to_string(qdir.join("files/deep/b.tmp")).unwrap(),
        "bb"
    );
    let mut originals: Vec<String> = manifest(&qdir)
        .iter()
        .map(|e| e["original"].as_str().unwrap().to_string())
        .collect();
    originals.sort();
    assert_eq!(
        originals,
        vec![old_a.display().to_string(), old_b.display().to_string()]
    );

    // The log records the transitions in order.
    let events: Value = app.json(&format!("/api/tasks/{task_id}/events")).await;
    let states: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "state")
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(
        states,
        [
            "created → queued",
            "queued → running",
            "running → succeeded"
        ]
    );
}

#[tokio::test]
async fn a_plan_is_confirmed_once_and_a_cancelled_plan_never_runs() {
    let app = spawn_app().await;
    let file = app.write("x/old.log", "x", 40);
    let plan = app
        .plan(&format!("delete *.log in {}", app.root.join("x").display()))
        .await;
    let id = plan["plan_id"].as_str().unwrap();
    let task_id = app.confirm(id).await;
    let again = app.post(&format!("/api/plans/{id}/confirm")).await;
    assert_eq!(again.status(), 409);
    let body: Value = again.json().await.unwrap();
    assert!(body["error"]
        .as_str()
        .unwrap()
        .contains(&format!("task #{task_id}")));
    app.wait_until_done(task_id).await;
    assert!(!file.exists());

    let keep = app.write("y/old.log", "y", 40);
    let plan = app
        .plan(&format!("delete *.log in {}", app.root.join("y").display()))
        .await;
    let id = plan["plan_id"].as_str().unwrap();
    let cancel = app.post(&format!("/api/plans/{id}/cancel")).await;
    assert_eq!(cancel.status(), 200);
    let confirm = app.post(&format!("/api/plans/{id}/confirm")).await;
    assert_eq!(confirm.status(), 409);
    assert!(keep.exists());
    let tasks: Vec<Value> = app.json("/api/tasks").await;
    assert_eq!(tasks.len(), 1);
}

#[tokio::test]
async fn an_expired_plan_cannot_be_confirmed() {
    let app = spawn_app_with(|c| c.plan_ttl_secs = 0).await;
    app.write("e/old.tmp", "x", 9);
    let plan = app
        .plan(&format!(
            "clean up *.tmp in {}",
            app.root.join("e").display()
        ))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let response = app
        .client
        .post(format!(
            "{}/api/plans/{}/confirm",
            app.url,
            plan["plan_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 410);
    assert!(app.root.join("e/old.tmp").exists());
}

#[tokio::test]
async fn a_queued_task_can_be_cancelled_and_never_runs() {
    // No workers: the task stays queued.
    let app = spawn_app_with(|c| c.workers = 0).await;
    let file = app.write("q/old.tmp", "x", 9);
    let plan = app
        .plan(&format!(
            "clean up *.tmp in {}",
            app.root.join("q").display()
        ))
        .await;
    let task_id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    assert_eq!(app.task(task_id).await["state"], "queued");
    let response = app.post(&format!("/api/tasks/{task_id}/cancel")).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["outcome"], "cancelled");
    assert_eq!(app.task(task_id).await["state"], "cancelled");
    // Cancelling again conflicts: it is finished.
    let again = app.post(&format!("/api/tasks/{task_id}/cancel")).await;
    assert_eq!(again.status(), 409);
    assert!(file.exists());
}

#[tokio::test]
async fn unknown_tasks_plans_and_endpoints_are_404_with_json() {
    let app = spawn_app().await;
    for path in ["/api/tasks/999", "/api/plans/nope", "/api/nothing-here"] {
        let response = app
            .client
            .get(format!("{}{path}", app.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().len() > 10, "{path}: {body}");
    }
}

#[tokio::test]
async fn status_and_cancel_work_from_the_console() {
    let app = spawn_app_with(|c| c.workers = 0).await;
    app.write("s/old.tmp", "x", 9);
    let plan = app
        .plan(&format!(
            "clean up *.tmp in {}",
            app.root.join("s").display()
        ))
        .await;
    let task_id = app.confirm(plan["plan_id"].as_str().unwrap()).await;

    let status: Value = app
        .command(&format!("status of task {task_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["kind"], "reply");
    assert!(
        status["message"].as_str().unwrap().contains("is queued"),
        "{status}"
    );

    let cancel: Value = app
        .command(&format!("cancel task {task_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        cancel["message"].as_str().unwrap().contains("cancelled"),
        "{cancel}"
    );
    assert_eq!(app.task(task_id).await["state"], "cancelled");
}

#[tokio::test]
async fn whats_running_lists_one_task_per_line() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for dir in ["a", "b"] {
        app.write(&format!("{dir}/old.tmp"), "x", 9);
        app.write(&format!("{dir}/older.tmp"), "x", 9);
        let id = app
            .plan_and_confirm(&format!(
                "clean up *.tmp in {}",
                app.root.join(dir).display()
            ))
            .await;
        assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
        ids.push(id);
    }

    let answer = app.say("s1", "What's running?").await;
    assert_eq!(answer["intent"], "status", "{answer}");
    let message = answer["message"].as_str().unwrap();
    let lines: Vec<&str> = message.lines().collect();
    assert_eq!(lines.len(), 4, "{message}");
    assert_eq!(lines[0], "No running tasks right now.", "{message}");
    assert_eq!(lines[1], "Latest tasks:", "{message}");
    // Newest first, each a sentence of its own.
    for (line, id) in lines[2..].iter().zip(ids.iter().rev()) {
        assert!(line.starts_with(&format!("Task #{id} (")), "{message}");
        assert!(line.ends_with(") succeeded: 2 of 2 files."), "{message}");
    }
}

#[tokio::test]
async fn a_cleanup_moves_exactly_the_files_its_preview_listed() {
    let app = spawn_app().await;
    let a = app.write("scratch/a.tmp", "a", 10);
    let b = app.write("scratch/b.tmp", "b", 10);
    let c = app.write("scratch/c.tmp", "c", 10);
    let plan = app
        .plan(&format!(
            "clean up *.tmp older than 7 days in {}",
            app.root.join("scratch").display()
        ))
        .await;
    assert_eq!(plan["preview"]["file_count"], 3, "{plan}");
    assert!(plan.to_string().contains("Exactly the 3 files"), "{plan}");

    // Between the preview and the confirm: a file that matches but was
    // never shown, and a listed file that changed.
    let late = app.write("scratch/late.tmp", "late", 10);
    std::fs::write(&b, "changed").unwrap();
    support::write_aged(&b, "changed", 10);

    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let done = app.wait_until_done(id).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert!(!a.exists() && !c.exists(), "the listed files are moved");
    assert!(late.exists(), "a file the preview never showed stays");
    assert!(b.exists(), "a file that changed since the preview stays");
    let result = done["result"].as_str().unwrap();
    assert!(result.starts_with("Moved 2 of 2 files"), "{result}");
    assert!(
        result.contains("Skipped 1 of the files the preview listed"),
        "{result}"
    );
    let log: serde_json::Value = app.json(&format!("/api/tasks/{id}/events")).await;
    assert!(
        log.to_string()
            .contains("b.tmp was not moved: it changed since the preview"),
        "{log}"
    );
}
