//! Runs that survive, on the real server over SQLite and PostgreSQL: a
//! transient failure is retried with a backoff and succeeds once its cause
//! has passed, a permanent one fails at once, a failed task runs again on
//! request, a time limit or a stall frees the worker even from a blocked
//! system call, a repeated request with an Idempotency-Key gets the first
//! answer, and a full queue refuses more work.

mod support;

use std::os::unix::fs::FileTypeExt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use support::databases::TestDatabase;
use support::{spawn_app_with, spawn_app_with_runner, TestApp};
use tend::config::Config;
use tend::queue::TaskRunner;
use tend::store::{NewTask, Task};
use tend::workflows::{Outcome, TaskContext, WorkflowError};

/// Retries come after a fraction of a second, not half a minute.
fn quick_retries(c: &mut Config, db: &TestDatabase) {
    c.database_url = Some(db.url().to_string());
    c.retry_base_secs = 0.2;
    c.retry_max_secs = 1;
}

/// Polls task `id` (bounded) until `done` holds; returns it.
async fn wait_for(app: &TestApp, id: i64, what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let task = app.task(id).await;
        if done(&task) {
            return task;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "task {id} never {what}: {task}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn a_mirror_whose_source_vanished_is_retried_and_succeeds_once_it_is_back() {
    for db in TestDatabase::every("retries: transient").await {
        let app = spawn_app_with(|c| quick_retries(c, &db)).await;
        let (src, dst) = (app.root.join("photos"), app.root.join("mirror"));
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.jpg"), "a").unwrap();
        let plan = app
            .plan(&format!("mirror {} to {}", src.display(), dst.display()))
            .await;
        // Unmounted between the preview and the run.
        let away = app.root.join("away");
        std::fs::rename(&src, &away).unwrap();
        let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;

        let retrying = wait_for(&app, id, "retried", |t| t["state"] == "retrying").await;
        assert_eq!(retrying["attempt"], 1, "{}: {retrying}", db.label());
        assert!(retrying["run_at"].as_i64().is_some(), "{retrying}");
        assert!(
            retrying["error"]
                .as_str()
                .is_some_and(|e| e.contains("does not exist") && e.contains("attempt 1 of 5")),
            "{retrying}"
        );
        std::fs::rename(&away, &src).unwrap();

        let done = app.wait_until_done(id).await;
        assert_eq!(done["state"], "succeeded", "{}: {done}", db.label());
        assert_eq!(std::fs::read_to_string(dst.join("a.jpg")).unwrap(), "a");
        let attempts = done["attempts"].as_array().unwrap();
        assert!(attempts.len() >= 2, "{done}");
        assert_eq!(attempts[0]["outcome"], "retrying");
        assert!(attempts[0]["error"]
            .as_str()
            .unwrap()
            .contains("does not exist"));
        let last = attempts.last().unwrap();
        assert_eq!(last["outcome"], "succeeded");
        assert_eq!(last["attempt"], done["attempt"]);
        assert_eq!(last["node"], done["node"]);
        for field in ["started_at", "finished_at", "node"] {
            assert!(!done[field].is_null(), "{field} missing: {done}");
        }
    }
}

#[tokio::test]
async fn a_permanent_failure_fails_at_once_and_runs_again_only_when_asked() {
    for db in TestDatabase::every("retries: permanent").await {
        let app = spawn_app_with(|c| quick_retries(c, &db)).await;
        let (src, dst) = (app.root.join("docs"), app.root.join("copy"));
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.txt"), "a").unwrap();
        let plan = app
            .plan(&format!("mirror {} to {}", src.display(), dst.display()))
            .await;
        // A file where the directory was: no later attempt can fix that.
        std::fs::remove_dir_all(&src).unwrap();
        std::fs::write(&src, "not a directory").unwrap();
        let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
        let failed = app.wait_until_done(id).await;
        assert_eq!(failed["state"], "failed", "{}: {failed}", db.label());
        assert_eq!(failed["attempt"], 1, "{failed}");
        assert_eq!(failed["attempts"].as_array().unwrap().len(), 1);

        // Fixed by hand, then run again: a new task, the old one as it ended.
        std::fs::remove_file(&src).unwrap();
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("a.txt"), "a").unwrap();
        let answer: Value = app
            .post(&format!("/api/tasks/{id}/retry"))
            .await
            .json()
            .await
            .unwrap();
        let new_id = answer["task"]["id"].as_i64().expect("a new task");
        assert_ne!(new_id, id);
        assert_eq!(answer["task"]["retry_of"], id);
        let done = app.wait_until_done(new_id).await;
        assert_eq!(done["state"], "succeeded", "{done}");
        assert_eq!(std::fs::read_to_string(dst.join("a.txt")).unwrap(), "a");
        assert_eq!(app.task(id).await["state"], "failed");

        // Only a failed or cancelled task runs again.
        let refused = app.post(&format!("/api/tasks/{new_id}/retry")).await;
        assert_eq!(refused.status(), 409);
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["code"], "not_retryable", "{body}");
    }
}

#[tokio::test]
async fn a_task_out_of_attempts_fails_with_every_attempts_error_kept() {
    for db in TestDatabase::every("retries: out of attempts").await {
        let app = spawn_app_with(|c| {
            quick_retries(c, &db);
            c.max_attempts = 2;
        })
        .await;
        let (src, dst) = (app.root.join("gone"), app.root.join("to"));
        std::fs::create_dir_all(&src).unwrap();
        let plan = app
            .plan(&format!("mirror {} to {}", src.display(), dst.display()))
            .await;
        std::fs::remove_dir(&src).unwrap();
        let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
        let failed = app.wait_until_done(id).await;
        assert_eq!(failed["state"], "failed", "{}: {failed}", db.label());
        assert_eq!(failed["attempt"], 2);
        assert!(
            failed["error"]
                .as_str()
                .unwrap()
                .contains("no attempts left"),
            "{failed}"
        );
        let outcomes: Vec<&str> = failed["attempts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["outcome"].as_str().unwrap())
            .collect();
        assert_eq!(outcomes, ["retrying", "failed"]);
    }
}

/// Work that blocks in `open` of a FIFO nobody writes to: a system call no
/// cancel flag can interrupt, like a read from a hung NFS server.
struct BlockedRead {
    fifo: std::path::PathBuf,
}

impl TaskRunner for BlockedRead {
    fn run(&self, task: &Task, _ctx: &TaskContext) -> Result<Outcome, WorkflowError> {
        if task.workflow == "quick" {
            return Ok(Outcome::Succeeded {
                summary: "done".into(),
            });
        }
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::fs::File::open(&self.fifo).unwrap(), &mut text)
            .unwrap();
        Ok(Outcome::Succeeded { summary: text })
    }
}

fn fifo(path: &std::path::Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    assert!(std::fs::metadata(path).unwrap().file_type().is_fifo());
}

fn task(workflow: &str, timeout_secs: Option<i64>) -> NewTask {
    NewTask {
        workflow: workflow.into(),
        summary: format!("a {workflow} task"),
        params: json!({}),
        timeout_secs,
        ..Default::default()
    }
}

/// A server whose "hangs" tasks block opening a FIFO, and the FIFO.
struct HungServer {
    app: TestApp,
    fifo: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl HungServer {
    async fn start(db: &TestDatabase, adjust: impl FnOnce(&mut Config)) -> HungServer {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hung");
        fifo(&path);
        let runner = Arc::new(BlockedRead { fifo: path.clone() });
        let url = db.url().to_string();
        let app = spawn_app_with_runner(
            |c| {
                c.database_url = Some(url);
                adjust(c);
            },
            Some(runner),
        )
        .await;
        HungServer {
            app,
            fifo: path,
            _dir: dir,
        }
    }

    async fn enqueue(&self, workflow: &str, timeout_secs: Option<i64>) -> Task {
        let store = &self.app.server.as_ref().unwrap().store;
        store
            .enqueue(task(workflow, timeout_secs), tend::now_ms())
            .await
            .unwrap()
    }
}

impl Drop for HungServer {
    /// Lets the blocked thread go, so the test process ends cleanly: a
    /// writer that opens the FIFO pairs with the reader blocked in `open`.
    /// Opened here, before the temporary directory (and the FIFO in it) is
    /// removed, and without waiting: with no reader left the open fails
    /// at once (ENXIO) rather than blocking the test.
    fn drop(&mut self) {
        use std::os::unix::fs::OpenOptionsExt;
        let _ = std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(&self.fifo);
    }
}

#[tokio::test]
async fn a_time_limit_frees_the_worker_from_a_blocked_system_call() {
    for db in TestDatabase::every("retries: time limit").await {
        let server = HungServer::start(&db, |c| {
            c.workers = 1;
            c.max_attempts = 1;
        })
        .await;
        let app = &server.app;
        let hung = server.enqueue("hangs", Some(1)).await;
        let after = server.enqueue("quick", None).await;

        let failed = app.wait_until_done(hung.id).await;
        assert_eq!(failed["state"], "failed", "{}: {failed}", db.label());
        assert!(
            failed["error"]
                .as_str()
                .unwrap()
                .contains("ran longer than its time limit of 1 s"),
            "{failed}"
        );
        // The one worker was freed: the next task ran.
        let done = app.wait_until_done(after.id).await;
        assert_eq!(done["state"], "succeeded", "{done}");
    }
}

#[tokio::test]
async fn a_task_without_progress_is_stopped_as_stalled_and_retried() {
    for db in TestDatabase::every("retries: stall").await {
        let server = HungServer::start(&db, |c| {
            c.stall_timeout_secs = 1;
            c.retry_base_secs = 60.0;
        })
        .await;
        let app = &server.app;
        let hung = server.enqueue("hangs", None).await;
        let retrying = wait_for(app, hung.id, "stalled", |t| t["state"] == "retrying").await;
        assert!(
            retrying["error"]
                .as_str()
                .unwrap()
                .contains("no progress for 1 s"),
            "{}: {retrying}",
            db.label()
        );
        // A minute's backoff, with jitter.
        let wait = retrying["run_at"].as_i64().unwrap() - tend::now_ms();
        assert!((40_000..=75_000).contains(&wait), "{wait} ms");
    }
}

#[tokio::test]
async fn a_repeated_request_with_an_idempotency_key_gets_the_first_answer() {
    for db in TestDatabase::every("retries: idempotency").await {
        let app = spawn_app_with(|c| {
            c.database_url = Some(db.url().to_string());
            c.workers = 0;
        })
        .await;
        std::fs::create_dir_all(app.root.join("logs")).unwrap();
        let command =
            json!({"text": format!("clean up *.log in {}", app.root.join("logs").display())});
        let send = |key: &'static str| {
            app.client
                .post(format!("{}/api/commands", app.url))
                .header("Idempotency-Key", key)
                .json(&command)
                .send()
        };
        let first: Value = send("cmd-1").await.unwrap().json().await.unwrap();
        let again = send("cmd-1").await.unwrap();
        assert_eq!(again.headers()["idempotent-replayed"], "true");
        let again: Value = again.json().await.unwrap();
        assert_eq!(first["plan_id"], again["plan_id"], "{}", db.label());
        let other: Value = send("cmd-2").await.unwrap().json().await.unwrap();
        assert_ne!(first["plan_id"], other["plan_id"]);

        let confirm = |plan: &Value, key: Option<&'static str>| {
            let mut request = app.client.post(format!(
                "{}/api/plans/{}/confirm",
                app.url,
                plan["plan_id"].as_str().unwrap()
            ));
            if let Some(key) = key {
                request = request.header("Idempotency-Key", key);
            }
            request.send()
        };
        let once = confirm(&first, Some("confirm-1")).await.unwrap();
        assert_eq!(once.status(), 200);
        let once: Value = once.json().await.unwrap();
        let twice = confirm(&first, Some("confirm-1")).await.unwrap();
        assert_eq!(twice.status(), 200, "a retried confirm gets its task");
        let twice: Value = twice.json().await.unwrap();
        assert_eq!(once["task_id"], twice["task_id"]);
        let tasks: Vec<Value> = app.json("/api/tasks").await;
        assert_eq!(tasks.len(), 1, "one task, however often it was confirmed");

        // Without a key a second confirm is refused, naming the task.
        let bare = confirm(&first, None).await.unwrap();
        assert_eq!(bare.status(), 409);
        let bare: Value = bare.json().await.unwrap();
        assert_eq!(bare["code"], "plan_already_confirmed");
        assert_eq!(bare["task_id"], once["task_id"]);

        let bad = app
            .client
            .post(format!("{}/api/commands", app.url))
            .header("Idempotency-Key", "")
            .json(&command)
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 400);
    }
}

#[tokio::test]
async fn an_idempotency_key_holds_across_two_nodes() {
    let Some(db) = TestDatabase::postgres("retries: idempotency on two nodes").await else {
        return;
    };
    let url = db.url().to_string();
    let a = spawn_app_with(|c| {
        c.database_url = Some(url.clone());
        c.node_name = Some("node-a".into());
        c.workers = 0;
    })
    .await;
    let b = spawn_app_with(|c| {
        c.database_url = Some(url);
        c.node_name = Some("node-b".into());
        c.workers = 0;
    })
    .await;
    let dir = a.root.join("logs");
    std::fs::create_dir_all(&dir).unwrap();
    let plan = a
        .plan(&format!("clean up *.log in {}", dir.display()))
        .await;
    let path = format!("/api/plans/{}/confirm", plan["plan_id"].as_str().unwrap());
    let on = |app: &TestApp| {
        app.client
            .post(format!("{}{path}", app.url))
            .header("Idempotency-Key", "nightly-confirm")
            .send()
    };
    let (x, y) = tokio::join!(on(&a), on(&b));
    let (x, y) = (x.unwrap(), y.unwrap());
    assert_eq!((x.status().as_u16(), y.status().as_u16()), (200, 200));
    let (x, y): (Value, Value) = (x.json().await.unwrap(), y.json().await.unwrap());
    assert_eq!(x["task_id"], y["task_id"]);
    let tasks: Vec<Value> = b.json("/api/tasks").await;
    assert_eq!(tasks.len(), 1);
}

#[tokio::test]
async fn a_full_queue_refuses_new_tasks_with_503_and_retry_after() {
    for db in TestDatabase::every("retries: backpressure").await {
        let app = spawn_app_with(|c| {
            c.database_url = Some(db.url().to_string());
            c.workers = 0;
            c.max_queued = 2;
        })
        .await;
        let dir = app.root.join("logs");
        std::fs::create_dir_all(&dir).unwrap();
        let command = format!("clean up *.log in {}", dir.display());
        for _ in 0..2 {
            app.plan_and_confirm(&command).await;
        }
        let plan = app.plan(&command).await;
        let refused = app
            .post(&format!(
                "/api/plans/{}/confirm",
                plan["plan_id"].as_str().unwrap()
            ))
            .await;
        assert_eq!(refused.status(), 503, "{}", db.label());
        assert_eq!(refused.headers()["retry-after"], "30");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["code"], "queue_full", "{body}");
        assert!(body["error"].as_str().unwrap().contains("max_queued = 2"));
        // The plan is still open: confirmed once there is room.
        let tasks: Vec<Value> = app.json("/api/tasks").await;
        app.post(&format!("/api/tasks/{}/cancel", tasks[0]["id"]))
            .await;
        app.confirm(plan["plan_id"].as_str().unwrap()).await;
    }
}
