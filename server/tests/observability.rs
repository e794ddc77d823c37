//! Seeing what ran: the Prometheus metrics after a few tasks, readiness
//! that fails when the database is gone, a failed task's alert reaching a
//! local webhook receiver, a missed schedule raising an alert, and the
//! history API (filters, paging, the log page by page, bulk actions,
//! stats).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::routing::post;
use serde_json::{json, Value};
use support::databases::TestDatabase;
use support::{spawn_app_with, TestApp};
use tend::store::{NewPlan, NewTask};

/// A mirror that fails for good: its source became a file after the
/// preview. Returns the task's id, finished.
async fn failed_mirror(app: &TestApp, name: &str) -> i64 {
    let source = app.root.join(name);
    std::fs::create_dir_all(&source).unwrap();
    std::fs::write(source.join("a.txt"), "a").unwrap();
    let plan = app
        .plan(&format!(
            "mirror {} to {}",
            source.display(),
            app.root.join(format!("{name}-copy")).display()
        ))
        .await;
    std::fs::remove_dir_all(&source).unwrap();
    std::fs::write(&source, "now a file").unwrap();
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let done = app.wait_until_done(id).await;
    assert_eq!(done["state"], "failed", "{done}");
    id
}

async fn cleanup(app: &TestApp, dir: &str) -> i64 {
    let path = app.root.join(dir);
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("x.tmp"), "123456").unwrap();
    let id = app
        .plan_and_confirm(&format!("clean up *.tmp in {}", path.display()))
        .await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    id
}

/// The value of the sample `name{labels}` in Prometheus text.
fn sample(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(name_and_labels) && l[name_and_labels.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_the_tasks_this_node_ran_and_read_the_queue_from_the_database() {
    let app = spawn_app_with(|_| {}).await;
    cleanup(&app, "a").await;
    cleanup(&app, "b").await;
    failed_mirror(&app, "docs").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let value = |s: &str| sample(&text, s).unwrap_or_else(|| panic!("no {s} in\n{text}"));
    assert_eq!(
        value(r#"tend_tasks_total{workflow="cleanup",outcome="succeeded"}"#),
        2.0
    );
    assert_eq!(
        value(r#"tend_tasks_total{workflow="sync",outcome="failed"}"#),
        1.0
    );
    assert_eq!(
        value(r#"tend_task_duration_seconds_count{workflow="cleanup"}"#),
        2.0
    );
    assert_eq!(value("tend_queue_wait_seconds_count"), 3.0);
    assert_eq!(value(r#"tend_queue_tasks{state="succeeded"}"#), 2.0);
    assert_eq!(value(r#"tend_queue_tasks{state="failed"}"#), 1.0);
    assert_eq!(value(r#"tend_queue_tasks{state="queued"}"#), 0.0);
    assert_eq!(value("tend_queue_oldest_queued_age_seconds"), 0.0);
    assert_eq!(
        value(r#"tend_workflow_bytes_total{workflow="cleanup"}"#),
        12.0
    );
    assert!(value("tend_nlu_seconds_count") >= 3.0);
    assert!(value(r#"tend_http_requests_total{route="/api/commands",status="200"}"#) >= 3.0);
    assert!(value(r#"tend_http_requests_total{route="/api/tasks/{id}",status="200"}"#) >= 1.0);
    assert!(value("process_resident_memory_bytes") > 1e6);
    assert!(value("process_start_time_seconds") > 1.6e9);
    assert!(text.ends_with("# EOF\n"), "{text}");
}

#[tokio::test]
async fn readiness_names_the_database_when_it_is_gone() {
    let Some(db) = TestDatabase::postgres("observability: readiness").await else {
        return;
    };
    let url = db.url().to_string();
    let app = spawn_app_with(|c| c.database_url = Some(url)).await;
    let health = app.get("/api/health").await;
    assert_eq!(health.status(), 200);
    let ready: Value = app.json("/api/ready").await;
    let check = |r: &Value, name: &str| {
        r["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no {name} check: {r}"))
    };
    assert_eq!(check(&ready, "database")["ok"], true, "{ready}");
    assert_eq!(check(&ready, "workers")["ok"], true, "{ready}");
    assert_eq!(check(&ready, "data_dir")["ok"], true, "{ready}");

    db.drop_now().await;
    let response = app.get("/api/ready").await;
    assert_eq!(response.status(), 503);
    let ready: Value = response.json().await.unwrap();
    assert_eq!(ready["status"], "not_ready");
    assert!(
        ready["failing"]
            .as_array()
            .unwrap()
            .contains(&json!("database")),
        "{ready}"
    );
    assert!(check(&ready, "database")["detail"]
        .as_str()
        .unwrap()
        .contains("does not answer"));
    // Liveness does not depend on the database.
    assert_eq!(app.get("/api/health").await.status(), 200);
}

#[tokio::test]
async fn readiness_fails_when_free_space_is_below_the_threshold() {
    let app = spawn_app_with(|c| c.min_free_mb = u64::MAX / (1 << 21)).await;
    let response = app.get("/api/ready").await;
    assert_eq!(response.status(), 503);
    let ready: Value = response.json().await.unwrap();
    assert!(
        ready["failing"]
            .as_array()
            .unwrap()
            .contains(&json!("data_dir")),
        "{ready}"
    );
}

/// A local webhook receiver: every body POSTed to it.
async fn receiver() -> (String, Arc<Mutex<Vec<Value>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let sink = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        post(move |axum::Json(body): axum::Json<Value>| {
            let sink = sink.clone();
            async move {
                sink.lock().unwrap().push(body);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, got)
}

async fn wait_for_body(got: &Mutex<Vec<Value>>, what: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(found) = got.lock().unwrap().iter().find(|b| what(b)).cloned() {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the webhook never got it: {:?}",
            got.lock().unwrap()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_task_that_fails_for_good_reaches_the_webhook_and_the_banner_list() {
    let (hook, got) = receiver().await;
    let app = spawn_app_with(|c| c.notify_webhook = Some(hook.clone())).await;
    let failed = failed_mirror(&app, "photos").await;
    let body = wait_for_body(&got, |b| b["event"] == "task_failed").await;
    assert_eq!(body["task_id"], failed, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("is not a directory"),
        "{body}"
    );
    assert!(body["at"].as_i64().unwrap() > 0);

    let alerts: Vec<Value> = app.json("/api/alerts").await;
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    let id = alerts[0]["id"].as_i64().unwrap();
    let response = app.post(&format!("/api/alerts/{id}/dismiss")).await;
    assert_eq!(response.status(), 200);
    assert!(app.json::<Vec<Value>>("/api/alerts").await.is_empty());
    assert_eq!(
        app.json::<Vec<Value>>("/api/alerts?all=true").await.len(),
        1
    );
    // Listed among the targets, from the configuration.
    let targets: Vec<Value> = app.json("/api/notifications").await;
    assert_eq!(targets[0]["url"], hook.as_str());
    assert_eq!(targets[0]["from_config"], true);
}

#[tokio::test]
async fn a_schedule_with_no_success_for_its_period_and_grace_raises_an_alert() {
    let (hook, got) = receiver().await;
    let app = spawn_app_with(|c| {
        c.schedule_grace_secs = 60;
        c.alert_check_secs = 1;
    })
    .await;
    // Targets added through the API get alerts too.
    let response = app
        .client
        .post(format!("{}/api/notifications", app.url))
        .json(&json!({"kind": "webhook", "url": hook}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let refused = app
        .client
        .post(format!("{}/api/notifications", app.url))
        .json(&json!({"kind": "gotify", "url": "ftp://x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);

    // An hourly schedule made three hours ago that never succeeded.
    let store = &app.server.as_ref().unwrap().store;
    let made = tend::now_ms() - 3 * 3_600_000;
    let view: app::api::PlanView = serde_json::from_value(json!({
        "plan_id": "old", "intent": "cleanup", "workflow": "cleanup", "summary": "Clean the scratch",
        "parameters": [], "expires_at": made + 60_000, "schedule": "0 * * * *",
        "preview": {"file_count": 0, "total_bytes": 0, "sample_paths": []}
    }))
    .unwrap();
    store
        .insert_plan(NewPlan {
            id: "old".into(),
            session: None,
            view,
            task: NewTask {
                workflow: "cleanup".into(),
                summary: "Clean the scratch".into(),
                params: json!({"workflow": "cleanup", "directory": "/nowhere", "patterns": ["*.tmp"]}),
                ..Default::default()
            },
            created_at: made,
        })
        .await
        .unwrap();
    let tend::store::Confirmed::Schedule(schedule) =
        store.confirm_plan("old", &[], None, made).await.unwrap()
    else {
        panic!("a schedule");
    };
    let body = wait_for_body(&got, |b| b["event"] == "schedule_missed").await;
    assert_eq!(body["schedule_id"], schedule.id, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("no run has succeeded"),
        "{body}"
    );
    // Raised once, however many looks.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let missed = got
        .lock()
        .unwrap()
        .iter()
        .filter(|b| b["event"] == "schedule_missed")
        .count();
    assert_eq!(missed, 1);
}

#[tokio::test]
async fn the_history_filters_pages_and_acts_on_many_tasks() {
    let app = spawn_app_with(|_| {}).await;
    let first = cleanup(&app, "one").await;
    let second = cleanup(&app, "two").await;
    let failed = failed_mirror(&app, "pics").await;

    let only_failed: Vec<Value> = app.json("/api/tasks?state=failed").await;
    assert_eq!(only_failed.len(), 1);
    assert_eq!(only_failed[0]["id"], failed);
    let cleanups: Vec<Value> = app.json("/api/tasks?workflow=cleanup&limit=1").await;
    assert_eq!(cleanups.len(), 1);
    assert_eq!(cleanups[0]["id"], second, "newest first");
    let older: Vec<Value> = app
        .json(&format!("/api/tasks?workflow=cleanup&before={second}"))
        .await;
    assert_eq!(older.len(), 1);
    assert_eq!(older[0]["id"], first);
    let by_text: Vec<Value> = app.json("/api/tasks?q=PICS").await;
    assert_eq!(by_text.len(), 1, "any case: {by_text:?}");
    let wildcard: Vec<Value> = app.json("/api/tasks?q=%25").await;
    assert!(wildcard.is_empty(), "a % is a character, not a wildcard");
    let bad = app.get("/api/tasks?state=broken").await;
    assert_eq!(bad.status(), 400);

    let page: Value = app
        .json(&format!("/api/tasks/{failed}/events?limit=2"))
        .await;
    let events = page["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert!(
        events[0]["id"].as_i64() > events[1]["id"].as_i64(),
        "newest first"
    );
    let before = page["next_before"].as_i64().unwrap();
    let rest: Value = app
        .json(&format!(
            "/api/tasks/{failed}/events?limit=100&before={before}"
        ))
        .await;
    assert!(rest["next_before"].is_null());
    assert_eq!(
        rest["events"].as_array().unwrap().last().unwrap()["message"],
        "created → queued"
    );

    let response = app
        .client
        .post(format!("{}/api/tasks/retry", app.url))
        .json(&json!({"ids": [failed, first]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let results: Value = response.json().await.unwrap();
    assert_eq!(results["results"][0]["ok"], true, "{results}");
    assert_eq!(results["results"][0]["task"]["retry_of"], failed);
    assert_eq!(results["results"][1]["ok"], false);
    assert!(results["results"][1]["error"]
        .as_str()
        .unwrap()
        .contains("has succeeded"));

    let stats: Value = app.json("/api/stats?days=7").await;
    assert_eq!(stats["days"].as_array().unwrap().len(), 7);
    let ended: u64 = stats["hours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["succeeded"].as_u64().unwrap() + h["failed"].as_u64().unwrap())
        .sum();
    assert!(ended >= 3, "{stats}");
}

#[tokio::test]
async fn the_console_answers_what_failed_today_the_log_of_a_task_and_how_long_it_took() {
    let app = spawn_app_with(|_| {}).await;
    let fine = cleanup(&app, "fine").await;
    let failed = failed_mirror(&app, "music").await;

    let answer: Value = app
        .command("what failed today?")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["kind"], "reply", "{answer}");
    assert_eq!(answer["intent"], "status", "{answer}");
    let ids: Vec<i64> = answer["tasks"]
        .as_array()
        .unwrap_or_else(|| panic!("{answer}"))
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![failed], "{answer}");
    let message = answer["message"].as_str().unwrap();
    assert!(message.starts_with("1 failed tasks today"), "{message}");
    assert!(message.contains("is not a directory"), "{message}");

    let answer: Value = app
        .command(&format!("show me the log of task {fine}"))
        .await
        .json()
        .await
        .unwrap();
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains("queued → running"), "{answer}");
    assert!(message.contains(&format!("/tasks/{fine}")), "{answer}");
    assert_eq!(answer["tasks"][0]["id"], fine);

    let answer: Value = app
        .command(&format!("how long did task {fine} take?"))
        .await
        .json()
        .await
        .unwrap();
    let message = answer["message"].as_str().unwrap();
    assert!(message.contains(" took "), "{answer}");
    assert!(message.contains("files/s"), "{answer}");

    let answer: Value = app
        .command("how long did the fine cleanup take?")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["tasks"][0]["id"], fine, "{answer}");
}
