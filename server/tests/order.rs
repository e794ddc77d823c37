//! Order and dependencies, on every backend: priorities with aging (a
//! stream of urgent tasks cannot starve a low one), "A, then B" (B waits
//! for A, and is cancelled when A fails), `after` on confirm, plans with
//! steps, and per-path locks, including between two nodes sharing one
//! PostgreSQL database.

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::databases::TestDatabase;
use support::{spawn_app_with, spawn_app_with_runner};
use tend::queue::TaskRunner;
use tend::store::{
    Confirmed, Finish, Lease, NewPlan, NewPlanGroup, NewTask, PathLock, Priority, SqlStore, Store,
    StoreError, Task, TaskState,
};
use tend::workflows::{Outcome, TaskContext, WorkflowError};

/// One aging step in these tests.
const STEP: i64 = 1_000;

fn task(priority: Priority) -> NewTask {
    NewTask {
        workflow: "noop".into(),
        summary: format!("a {} task", priority.as_str()),
        params: json!({}),
        priority,
        ..Default::default()
    }
}

fn writing(path: &str) -> NewTask {
    NewTask {
        locks: vec![PathLock::read("/srv/source"), PathLock::write(path)],
        ..task(Priority::Normal)
    }
}

fn after(prerequisites: &[i64]) -> NewTask {
    NewTask {
        depends_on: prerequisites.to_vec(),
        ..task(Priority::Normal)
    }
}

async fn store(db: &TestDatabase) -> SqlStore {
    SqlStore::open(db.url()).await.unwrap().with_aging_ms(STEP)
}

async fn succeed(s: &SqlStore, t: &Task, now: i64) -> Task {
    end(
        s,
        t,
        Finish::Succeeded {
            result: "ok".into(),
        },
        now,
    )
    .await
}

async fn end(s: &SqlStore, t: &Task, finish: Finish, now: i64) -> Task {
    s.finish(
        t.id,
        Lease {
            owner: "n1",
            attempt: t.attempt,
        },
        finish,
        now,
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn urgent_tasks_go_first_but_a_stream_of_them_cannot_starve_a_low_one() {
    for db in TestDatabase::every("order: aging").await {
        let s = store(&db).await;
        let low = s.enqueue(task(Priority::Low), 0).await.unwrap();
        let normal = s.enqueue(task(Priority::Normal), 0).await.unwrap();
        // One worker; an urgent task arrives every 100 ms and each takes
        // 100 ms to run, so the queue never empties of urgent work.
        let mut claimed = Vec::new();
        let mut made_at = std::collections::HashMap::new();
        for tick in 1..=60 {
            let now = tick * 100;
            let urgent = s.enqueue(task(Priority::Urgent), now).await.unwrap();
            made_at.insert(urgent.id, now);
            let next = s.claim_next("n1", now).await.unwrap().unwrap();
            claimed.push(next.id);
            succeed(&s, &next, now + 50).await;
        }
        let position = |id: i64| claimed.iter().position(|c| *c == id);
        let (Some(low_at), Some(normal_at)) = (position(low.id), position(normal.id)) else {
            panic!("{}: starved: {claimed:?}", db.label());
        };
        assert!(normal_at < low_at, "{}", db.label());
        // The documented bound: every task made more than two steps after
        // the low one (one step after the normal one) went after it.
        for (i, id) in claimed.iter().enumerate() {
            if let Some(at) = made_at.get(id) {
                if *at > 2 * STEP {
                    assert!(
                        i > low_at,
                        "{}: urgent #{id} made at {at} ms went first",
                        db.label()
                    );
                }
                if *at > STEP {
                    assert!(
                        i > normal_at,
                        "{}: urgent #{id} went before normal",
                        db.label()
                    );
                }
            }
        }
        // And before that, urgent work went first.
        assert!(
            low_at >= 10,
            "{}: the low task went too soon ({low_at})",
            db.label()
        );
        let shown = s.get_task(low.id).await.unwrap();
        assert_eq!(shown.priority, Priority::Low);
    }
}

#[tokio::test]
async fn b_waits_for_a_runs_once_a_succeeded_and_is_cancelled_when_a_fails() {
    for db in TestDatabase::every("order: dependencies").await {
        let s = store(&db).await;
        let mut follow_ups = s.follow_ups();
        let a = s.enqueue(task(Priority::Normal), 1).await.unwrap();
        let b = s.enqueue(after(&[a.id]), 2).await.unwrap();
        assert_eq!(b.state, TaskState::Waiting, "{}", db.label());
        assert_eq!(b.depends_on, vec![a.id]);
        let waiting = b.waiting_for.clone().unwrap();
        assert_eq!((waiting.task_id, waiting.path), (a.id, None));
        assert_eq!(
            waiting_line(&b),
            format!("waiting for #{} to succeed", a.id)
        );

        let running = s.claim_next("n1", 3).await.unwrap().unwrap();
        assert_eq!(running.id, a.id);
        assert!(
            s.claim_next("n1", 4).await.unwrap().is_none(),
            "B ran before A ended"
        );
        succeed(&s, &running, 5).await;
        let b_now = s.get_task(b.id).await.unwrap();
        assert_eq!(b_now.state, TaskState::Queued, "{}", db.label());
        assert_eq!(b_now.waiting_for, None);
        let told = follow_ups.recv().await.unwrap();
        assert_eq!((told.id, told.state), (b.id, TaskState::Queued));
        assert_eq!(s.claim_next("n1", 6).await.unwrap().unwrap().id, b.id);

        // C after D after E: E fails, and both are cancelled, saying why.
        let e = s.enqueue(task(Priority::Normal), 10).await.unwrap();
        let d = s.enqueue(after(&[e.id]), 11).await.unwrap();
        let c = s.enqueue(after(&[d.id]), 12).await.unwrap();
        let running = s.claim_next("n1", 13).await.unwrap().unwrap();
        assert_eq!(running.id, e.id);
        end(
            &s,
            &running,
            Finish::Failed {
                error: "disk full".into(),
                result: None,
            },
            14,
        )
        .await;
        let d_now = s.get_task(d.id).await.unwrap();
        let c_now = s.get_task(c.id).await.unwrap();
        assert_eq!(d_now.state, TaskState::Cancelled, "{}", db.label());
        assert_eq!(
            d_now.result.as_deref(),
            Some(format!("Not run: task #{} failed.", e.id).as_str())
        );
        assert_eq!(c_now.state, TaskState::Cancelled);
        assert_eq!(
            c_now.result.as_deref(),
            Some(format!("Not run: task #{} was cancelled.", d.id).as_str())
        );
        assert!(s.claim_next("n1", 15).await.unwrap().is_none());

        // Cancelling a waiting task cancels what waits on it.
        let f = s.enqueue(task(Priority::Normal), 20).await.unwrap();
        let g = s.enqueue(after(&[f.id]), 21).await.unwrap();
        let h = s.enqueue(after(&[g.id]), 22).await.unwrap();
        s.request_cancel(g.id, 23).await.unwrap();
        assert_eq!(s.get_task(h.id).await.unwrap().state, TaskState::Cancelled);
        assert_eq!(s.get_task(f.id).await.unwrap().state, TaskState::Queued);

        // Waiting for a task that already failed is refused.
        assert!(matches!(
            s.enqueue(after(&[e.id]), 30).await,
            Err(StoreError::DependencyEnded { id, .. }) if id == e.id
        ));
    }
}

fn waiting_line(t: &Task) -> String {
    t.waiting_for
        .as_ref()
        .map(|w| w.describe())
        .unwrap_or_default()
}

fn plan(id: &str, priority: Priority, expires_at: i64) -> NewPlan {
    let view: app::api::PlanView = serde_json::from_value(json!({
        "plan_id": id, "intent": "cleanup", "workflow": "noop", "summary": format!("step {id}"),
        "parameters": [], "expires_at": expires_at, "priority": priority,
        "preview": {"file_count": 0, "total_bytes": 0, "sample_paths": []}
    }))
    .unwrap();
    NewPlan {
        id: id.into(),
        session: None,
        view: view.clone(),
        task: NewTask {
            summary: format!("step {id}"),
            ..task(priority)
        },
        created_at: 1,
    }
}

#[tokio::test]
async fn plans_confirm_after_a_task_and_a_plan_with_steps_queues_a_chain() {
    for db in TestDatabase::every("order: after and steps").await {
        let s = store(&db).await;
        let earlier = s.enqueue(task(Priority::Normal), 1).await.unwrap();
        s.insert_plan(plan("single", Priority::Urgent, 1_000))
            .await
            .unwrap();
        let Confirmed::Task(single) = s
            .confirm_plan("single", &[earlier.id], None, 2)
            .await
            .unwrap()
        else {
            panic!("a task");
        };
        assert_eq!(single.state, TaskState::Waiting, "{}", db.label());
        assert_eq!(single.depends_on, vec![earlier.id]);
        assert_eq!(single.priority, Priority::Urgent);
        assert!(matches!(
            s.confirm_plan("single", &[], None, 3).await,
            Err(StoreError::PlanAlreadyConfirmed(_))
        ));

        s.insert_plan(plan("one", Priority::Normal, 1_000))
            .await
            .unwrap();
        s.insert_plan(plan("two", Priority::Normal, 1_000))
            .await
            .unwrap();
        let group_view: app::api::PlanView = serde_json::from_value(json!({
            "plan_id": "both", "intent": "steps", "workflow": "steps", "summary": "one, then two",
            "parameters": [], "expires_at": 1_000,
            "preview": {"file_count": 0, "total_bytes": 0, "sample_paths": []}
        }))
        .unwrap();
        s.insert_plan_group(NewPlanGroup {
            id: "both".into(),
            session: None,
            view: group_view,
            steps: vec!["one".into(), "two".into()],
            created_at: 1,
        })
        .await
        .unwrap();
        assert!(matches!(
            s.confirm_plan("two", &[], None, 4).await,
            Err(StoreError::PlanIsAStep { step: 2, .. })
        ));
        let Confirmed::Tasks(tasks) = s.confirm_plan("both", &[], None, 5).await.unwrap() else {
            panic!("tasks");
        };
        assert_eq!(tasks.len(), 2, "{}", db.label());
        assert_eq!(tasks[0].summary, "step one");
        assert_eq!(tasks[0].state, TaskState::Queued);
        assert_eq!(tasks[1].state, TaskState::Waiting);
        assert_eq!(tasks[1].depends_on, vec![tasks[0].id]);
        assert!(matches!(
            s.confirm_plan("both", &[], None, 6).await,
            Err(StoreError::PlanAlreadyConfirmed(_))
        ));
    }
}

#[tokio::test]
async fn a_task_whose_path_a_running_task_writes_waits_for_it_then_runs() {
    for db in TestDatabase::every("order: path locks").await {
        let s = store(&db).await;
        let first = s.enqueue(writing("/mnt/nas/photos"), 1).await.unwrap();
        let second = s.enqueue(writing("/mnt/nas/photos/2024"), 2).await.unwrap();
        let elsewhere = s.enqueue(writing("/mnt/nas/music"), 3).await.unwrap();
        let cleanup = s
            .enqueue(
                NewTask {
                    locks: vec![PathLock::write("/srv/source")],
                    ..task(Priority::Low)
                },
                4,
            )
            .await
            .unwrap();
        // Four free workers: only the two that collide with nothing run.
        let claimed = s.claim_batch("n1", 4, 5).await.unwrap();
        let ids: Vec<i64> = claimed.iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![first.id, elsewhere.id], "{}", db.label());
        let waiting = s.get_task(second.id).await.unwrap();
        assert_eq!(waiting.state, TaskState::Waiting);
        assert_eq!(
            waiting_line(&waiting),
            format!("waiting for #{} (/mnt/nas/photos)", first.id)
        );
        // Both mirrors read /srv/source: the cleanup of it waits too.
        let cleanup_now = s.get_task(cleanup.id).await.unwrap();
        assert_eq!(cleanup_now.state, TaskState::Waiting, "{}", db.label());

        succeed(&s, &claimed[0], 6).await;
        assert_eq!(
            s.get_task(second.id).await.unwrap().state,
            TaskState::Queued
        );
        // The cleanup still waits for the other mirror; the second mirror
        // goes now.
        let next = s.claim_batch("n1", 4, 7).await.unwrap();
        let ids: Vec<i64> = next.iter().map(|t| t.id).collect();
        assert_eq!(ids, vec![second.id], "{}", db.label());
        succeed(&s, &claimed[1], 8).await;
        succeed(&s, &next[0], 9).await;
        let last = s.claim_batch("n1", 4, 10).await.unwrap();
        assert_eq!(
            last.iter().map(|t| t.id).collect::<Vec<_>>(),
            vec![cleanup.id]
        );
    }
}

/// Notes when each task ran, and takes a while doing it.
struct Timed {
    ran: Mutex<Vec<(i64, Instant, Instant)>>,
}

impl TaskRunner for Timed {
    fn run(&self, task: &Task, _ctx: &TaskContext) -> Result<Outcome, WorkflowError> {
        let start = Instant::now();
        std::thread::sleep(Duration::from_millis(150));
        self.ran
            .lock()
            .unwrap()
            .push((task.id, start, Instant::now()));
        Ok(Outcome::Succeeded {
            summary: "done".into(),
        })
    }
}

#[tokio::test]
async fn two_nodes_never_run_two_mirrors_into_one_destination_at_once() {
    let Some(db) = TestDatabase::postgres("order: a path lock across two nodes").await else {
        return;
    };
    let runner = Arc::new(Timed {
        ran: Mutex::new(Vec::new()),
    });
    let url = db.url().to_string();
    let a = spawn_app_with_runner(
        |c| {
            c.database_url = Some(url.clone());
            c.node_name = Some("node-a".into());
        },
        Some(runner.clone()),
    )
    .await;
    let shared = a.config.clone();
    let b = spawn_app_with_runner(
        |c| {
            *c = shared;
            c.node_name = Some("node-b".into());
        },
        Some(runner.clone()),
    )
    .await;
    let sources: Vec<_> = (0..6)
        .map(|i| {
            let dir = a.root.join(format!("source-{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("f.txt"), "x").unwrap();
            dir
        })
        .collect();
    let destination = a.root.join("nas");
    // Submitted alternately on each node, as fast as they come.
    let mut ids = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let node = if i % 2 == 0 { &a } else { &b };
        let text = format!("mirror {} to {}", source.display(), destination.display());
        ids.push(node.plan_and_confirm(&text).await);
    }
    let mut held_back = 0;
    for id in &ids {
        let done = a.wait_until_done(*id).await;
        assert_eq!(done["state"], "succeeded", "{done}");
        let log: Value = a.json(&format!("/api/tasks/{id}/events")).await;
        held_back += log["events"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                e["message"]
                    .as_str()
                    .unwrap_or("")
                    .starts_with("waiting for #")
            })
            .count();
    }
    let mut ran = runner.ran.lock().unwrap().clone();
    assert_eq!(ran.len(), ids.len());
    ran.sort_by_key(|(_, start, _)| *start);
    for pair in ran.windows(2) {
        assert!(
            pair[1].1 >= pair[0].2,
            "#{} started before #{} ended: two mirrors into one destination overlapped",
            pair[1].0,
            pair[0].0
        );
    }
    assert!(held_back > 0, "no mirror ever waited for another");
}

#[tokio::test]
async fn two_nodes_claiming_together_never_hold_one_path_twice() {
    let Some(db) = TestDatabase::postgres("order: path locks, two claiming nodes").await else {
        return;
    };
    let a = Arc::new(store(&db).await);
    let b = Arc::new(store(&db).await);
    for i in 0..24 {
        a.enqueue(writing("/mnt/nas/photos"), i).await.unwrap();
    }
    let ran = Arc::new(Mutex::new(Vec::new()));
    let mut claimers = Vec::new();
    for (node, s) in [("a", a.clone()), ("b", b.clone())] {
        for _ in 0..3 {
            let (s, ran) = (s.clone(), ran.clone());
            claimers.push(tokio::spawn(async move {
                let deadline = Instant::now() + Duration::from_secs(60);
                while Instant::now() < deadline {
                    let Some(t) = s.claim_next(node, tend::now_ms()).await.unwrap() else {
                        let left = s
                            .list_tasks(100)
                            .await
                            .unwrap()
                            .iter()
                            .any(|t| !t.state.is_terminal());
                        if !left {
                            return;
                        }
                        tokio::time::sleep(Duration::from_millis(2)).await;
                        continue;
                    };
                    let start = Instant::now();
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    ran.lock()
                        .unwrap()
                        .push((t.id, node, start, Instant::now()));
                    s.finish(
                        t.id,
                        Lease {
                            owner: node,
                            attempt: t.attempt,
                        },
                        Finish::Succeeded {
                            result: "ok".into(),
                        },
                        tend::now_ms(),
                    )
                    .await
                    .unwrap();
                }
            }));
        }
    }
    for c in claimers {
        c.await.unwrap();
    }
    let mut ran = ran.lock().unwrap().clone();
    assert_eq!(ran.len(), 24);
    ran.sort_by_key(|r| r.2);
    for pair in ran.windows(2) {
        assert!(
            pair[1].2 >= pair[0].3,
            "#{} overlapped #{}",
            pair[1].0,
            pair[0].0
        );
    }
    let nodes: std::collections::BTreeSet<&str> = ran.iter().map(|r| r.1).collect();
    assert_eq!(nodes.len(), 2, "only {nodes:?} claimed");
}

#[tokio::test]
async fn a_backup_then_a_cleanup_in_one_command_runs_in_order_through_the_api() {
    for db in TestDatabase::every("order: A, then B through the API").await {
        let url = db.url().to_string();
        let app = spawn_app_with(|c| c.database_url = Some(url)).await;
        let photos = app.root.join("photos");
        let old_tmp = app.write("photos/scan.tmp", "scratch", 10);
        let fresh_tmp = app.write("photos/new.tmp", "scratch", 0);
        let kept = app.write("photos/cat.jpg", "meow", 10);
        let repo = app.root.join("nas").join("photos");
        let text = format!(
            "back up {} to {}, then clean up *.tmp older than 7 days in {}",
            photos.display(),
            repo.display(),
            photos.display()
        );
        let plan = app.plan(&text).await;
        let steps = plan["steps"].as_array().expect("a plan with steps");
        assert_eq!(steps.len(), 2, "{plan}");
        assert_eq!(steps[0]["workflow"], "backup", "{plan}");
        assert_eq!(steps[1]["workflow"], "cleanup", "{plan}");
        assert_eq!(steps[1]["preview"]["file_count"], 1, "{plan}");

        let (status, confirmed) = app
            .post_json(
                &format!("/api/plans/{}/confirm", plan["plan_id"].as_str().unwrap()),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{confirmed}");
        let ids: Vec<i64> = confirmed["task_ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap())
            .collect();
        assert_eq!(ids.len(), 2, "{confirmed}");
        assert!(confirmed.get("task_id").is_none(), "{confirmed}");
        let cleanup = app.task(ids[1]).await;
        assert_eq!(cleanup["depends_on"], json!([ids[0]]), "{cleanup}");

        let backup = app.wait_until_done(ids[0]).await;
        let cleanup = app.wait_until_done(ids[1]).await;
        assert_eq!(backup["state"], "succeeded", "{}: {backup}", db.label());
        assert_eq!(cleanup["state"], "succeeded", "{cleanup}");
        assert!(cleanup["started_at"].as_i64() >= backup["finished_at"].as_i64());
        assert!(!old_tmp.exists() && fresh_tmp.exists() && kept.exists());
        assert!(
            repo.join("config").exists(),
            "no repository at {}",
            repo.display()
        );

        // `after` on confirm: this mirror waits for a task that is done.
        let mirror = app
            .plan(&format!(
                "mirror {} to {}",
                photos.display(),
                app.root.join("usb").display()
            ))
            .await;
        let (status, answer) = app
            .post_json(
                &format!("/api/plans/{}/confirm", mirror["plan_id"].as_str().unwrap()),
                json!({"after": [ids[1]]}),
            )
            .await;
        assert_eq!(status, 200, "{answer}");
        let mirrored = app
            .wait_until_done(answer["task_id"].as_i64().unwrap())
            .await;
        assert_eq!(mirrored["state"], "succeeded", "{mirrored}");
        assert_eq!(mirrored["depends_on"], json!([ids[1]]));
    }
}

#[tokio::test]
async fn waiting_for_a_cancelled_task_is_refused_and_priority_words_reach_the_plan() {
    // No workers: nothing runs, so what each task does next is certain.
    let app = spawn_app_with(|c| c.workers = 0).await;
    let photos = app.root.join("photos");
    app.write("photos/a.jpg", "a", 0);
    let plan = app
        .plan(&format!(
            "back up {} to {} when nothing else is running",
            photos.display(),
            app.root.join("repo").display()
        ))
        .await;
    assert_eq!(plan["priority"], "low", "{plan}");
    let row = plan["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "priority")
        .cloned();
    assert!(
        row.is_some_and(|r| r["value"].as_str().unwrap_or("").starts_with("Low")),
        "{plan}"
    );

    let dir = app.root.join("scratch");
    std::fs::create_dir_all(&dir).unwrap();
    let plan = app
        .plan(&format!("clean up *.tmp in {}", dir.display()))
        .await;
    let (status, unknown) = app
        .post_json(
            &format!("/api/plans/{}/confirm", plan["plan_id"].as_str().unwrap()),
            json!({"after": [999_999]}),
        )
        .await;
    assert_eq!(
        (status, unknown["code"].as_str()),
        (404, Some("task_not_found")),
        "{unknown}"
    );
    let first = app
        .plan_and_confirm(&format!("clean up *.tmp in {}", dir.display()))
        .await;
    let response = app.post(&format!("/api/tasks/{first}/cancel")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(app.task(first).await["state"], "cancelled");
    let doomed_dir = dir;
    let plan = app
        .plan(&format!("clean up *.log in {}", doomed_dir.display()))
        .await;
    let (status, refused) = app
        .post_json(
            &format!("/api/plans/{}/confirm", plan["plan_id"].as_str().unwrap()),
            json!({"after": [first]}),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    assert_eq!(refused["code"], "dependency_ended", "{refused}");
    assert!(refused["error"]
        .as_str()
        .unwrap()
        .contains(&format!("#{first}")));
}

#[tokio::test]
async fn the_sweep_settles_waits_that_an_older_node_left_behind() {
    for db in TestDatabase::every("order: stale waits").await {
        let s = store(&db).await;
        let a = s.enqueue(task(Priority::Normal), 1).await.unwrap();
        let b = s.enqueue(after(&[a.id]), 2).await.unwrap();
        let holder = s.enqueue(writing("/mnt/x"), 3).await.unwrap();
        let blocked = s.enqueue(writing("/mnt/x"), 4).await.unwrap();
        let claimed = s.claim_batch("n1", 10, 5).await.unwrap();
        assert_eq!(claimed.len(), 2, "{}", db.label());
        assert_eq!(
            s.get_task(blocked.id).await.unwrap().state,
            TaskState::Waiting
        );
        // A node of an earlier version ends both without settling anything.
        let mut raw = <sqlx::AnyConnection as sqlx::Connection>::connect(db.url())
            .await
            .unwrap();
        for id in [a.id, holder.id] {
            sqlx::query("UPDATE tasks SET state = 'succeeded' WHERE id = $1")
                .bind(id)
                .execute(&mut raw)
                .await
                .unwrap();
        }
        s.recover_interrupted(
            5,
            tend::store::Sweeper::Running {
                node: "n1",
                tasks: &[],
            },
            0,
            6,
        )
        .await
        .unwrap();
        assert_eq!(
            s.get_task(b.id).await.unwrap().state,
            TaskState::Queued,
            "{}",
            db.label()
        );
        assert_eq!(
            s.get_task(blocked.id).await.unwrap().state,
            TaskState::Queued
        );
    }
}
