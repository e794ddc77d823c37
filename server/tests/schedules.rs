//! Repeating plans: "back up X to Y every night at 2am" becomes a schedule
//! when confirmed; each time it comes due a run is queued and runs for real.
//! Time is moved on by asking the server's own scheduler to fire what is due
//! at a later moment, rather than by waiting for 2am.

mod support;

use std::sync::Arc;

use serde_json::Value;
use support::databases::TestDatabase;
use support::{param, snapshots, spawn_app, TestApp};
use tend::schedule::{run_params, Fired, ScheduleStore};
use tend::store::{NewPlan, NewTask, SqlStore, Store};

async fn confirm_json(app: &TestApp, plan_id: &str) -> Value {
    let response = app.post(&format!("/api/plans/{plan_id}/confirm")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Confirms "mirror docs to usb/docs `when`"; the schedule's id.
async fn mirror_schedule(app: &TestApp, when: &str) -> i64 {
    app.write("docs/a.md", "a", 1);
    let plan = app
        .plan(&format!(
            "mirror {} to {} {when}",
            app.root.join("docs").display(),
            app.root.join("usb/docs").display()
        ))
        .await;
    let confirmed = confirm_json(app, plan["plan_id"].as_str().unwrap()).await;
    confirmed["schedule"]["id"].as_i64().unwrap()
}

async fn tasks(app: &TestApp) -> Vec<Value> {
    app.json("/api/tasks").await
}

#[tokio::test]
async fn a_nightly_backup_is_a_schedule_whose_runs_are_real_tagged_backups() {
    let mut app = spawn_app().await;
    app.write("photos/a.jpg", "first photo", 1);
    let source = app.root.join("photos");
    let repo = app.root.join("nas/photos-backup");

    let plan = app
        .plan(&format!(
            "back up {} to {} every night at 2am, keep 3",
            source.display(),
            repo.display()
        ))
        .await;
    assert_eq!(plan["schedule"], "0 2 * * *", "{plan}");
    let when = param(&plan, "schedule");
    assert!(when.starts_with("every day at 02:00 (next run "), "{when}");
    assert!(
        plan["preview"]["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|w| !w.as_str().unwrap().contains("chedule")),
        "{plan}"
    );

    let before = tend::now_ms();
    let confirmed = confirm_json(&app, plan["plan_id"].as_str().unwrap()).await;
    assert!(confirmed.get("task_id").is_none(), "{confirmed}");
    let schedule = &confirmed["schedule"];
    let id = schedule["id"].as_i64().unwrap();
    assert_eq!(schedule["cron"], "0 2 * * *");
    assert_eq!(schedule["description"], "every day at 02:00");
    assert_eq!(schedule["active"], true);
    let first = schedule["next_run_at"].as_i64().unwrap();
    assert!(first > before && first <= before + 24 * 3600 * 1000 + 60_000);
    // Nothing runs at confirmation, and nothing is in the repository yet.
    assert!(tasks(&app).await.is_empty());
    assert!(!repo.join("config").exists());

    // Confirming or cancelling it again is refused, naming the schedule.
    for action in ["confirm", "cancel"] {
        let plan_id = plan["plan_id"].as_str().unwrap();
        let again = app.post(&format!("/api/plans/{plan_id}/{action}")).await;
        assert_eq!(again.status(), 409, "{action}");
        let body: Value = again.json().await.unwrap();
        let error = body["error"].as_str().unwrap();
        assert!(
            error.contains(&format!("schedule #{id}")),
            "{action}: {body}"
        );
    }

    // A restart keeps it, with the same next run.
    app.restart_with(|_| {}).await;
    let listed: Vec<Value> = app.json("/api/schedules").await;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["next_run_at"], first);

    // Not due yet: nothing fires.
    let scheduler = app.server.as_ref().unwrap().scheduler.clone();
    assert!(scheduler.tick(first - 1).await.unwrap().is_empty());

    // 2am comes: one run is queued and runs.
    let fired = scheduler.tick(first).await.unwrap();
    let [Fired::Queued { task, schedule }] = fired.as_slice() else {
        panic!("one run queued, got {fired:?}");
    };
    assert_eq!(schedule.runs, 1);
    assert_eq!(schedule.last_task_id, Some(task.id));
    let second = schedule.next_run_at.unwrap();
    assert_eq!(second - first, 24 * 3600 * 1000, "the next night");
    assert!(task.summary.ends_with(&format!("(schedule #{id})")));
    let done = app.wait_until_done(task.id).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["parameters"]["schedule_id"], id);

    // Firing the same time again (a second server sharing the database, or
    // a retry) does nothing.
    let repeat = scheduler.tick(first).await.unwrap();
    assert!(
        repeat.iter().all(|f| matches!(f, Fired::NotDue)),
        "{repeat:?}"
    );
    assert_eq!(tasks(&app).await.len(), 1);

    // The next night, with a new photo: a second snapshot.
    app.write("photos/b.jpg", "second photo", 0);
    let fired = scheduler.tick(second).await.unwrap();
    let [Fired::Queued { task, .. }] = fired.as_slice() else {
        panic!("one run queued, got {fired:?}");
    };
    let done = app.wait_until_done(task.id).await;
    assert_eq!(done["state"], "succeeded", "{done}");

    let taken = snapshots(&repo, &app.config.data_dir.join("secrets/restic.password"));
    assert_eq!(taken.len(), 2);
    for snapshot in &taken {
        let tags: Vec<String> = snapshot.tags.iter().map(|t| t.to_string()).collect();
        assert!(tags.contains(&format!("schedule-{id}")), "{tags:?}");
    }

    // An active schedule is never purged, however old.
    let store = &app.server.as_ref().unwrap().store;
    assert_eq!(store.purge_stopped_schedules(i64::MAX).await.unwrap(), 0);

    // Stopped: it no longer fires, and says so.
    let stopped: Value = app
        .post(&format!("/api/schedules/{id}/stop"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stopped["active"], false);
    assert!(stopped.get("next_run_at").is_none());
    let later = scheduler.tick(second + 7 * 24 * 3600 * 1000).await.unwrap();
    assert!(later.is_empty(), "{later:?}");
    assert_eq!(tasks(&app).await.len(), 2);

    // Purged once it has been stopped longer than the retention: gone from
    // the list, its runs' tasks kept.
    let stopped_at = stopped["updated_at"].as_i64().unwrap();
    assert_eq!(store.purge_stopped_schedules(stopped_at).await.unwrap(), 0);
    assert_eq!(
        store.purge_stopped_schedules(stopped_at + 1).await.unwrap(),
        1
    );
    let gone = app.get(&format!("/api/schedules/{id}")).await;
    assert_eq!(gone.status(), 404);
    assert_eq!(tasks(&app).await.len(), 2);
}

#[tokio::test]
async fn schedules_that_cannot_be_or_need_not_be_are_refused_or_explained() {
    let app = spawn_app().await;
    app.write("src/a.txt", "a", 1);
    let source = app.root.join("src");

    // Typed as cron, but the 30th of February never comes.
    let response = app
        .command(&format!(
            "back up {} to {} at 0 0 30 2 *",
            source.display(),
            app.root.join("repo").display()
        ))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "schedule_invalid", "{body}");
    assert!(body["error"].as_str().unwrap().contains("never"), "{body}");

    // A cleanup repeats too; "every 6 hours" is understood as such.
    let plan = app
        .plan(&format!(
            "clean up *.tmp older than 7 days in {} every 6 hours",
            source.display()
        ))
        .await;
    assert_eq!(plan["schedule"], "0 */6 * * *");
    assert!(param(&plan, "schedule").starts_with("every 6 hours"));
    // "every minute" is a schedule too, never dropped for a one-off run.
    let minutely = app
        .plan(&format!(
            "mirror {} to {} every minute",
            source.display(),
            source.with_file_name("minutely-mirror").display()
        ))
        .await;
    assert_eq!(minutely["schedule"], "* * * * *", "{minutely}");

    // Edited on the plan card: to another time, to once, to nonsense.
    let revise = |plan: Value, value: &'static str| {
        let app = &app;
        async move {
            app.client
                .post(format!(
                    "{}/api/plans/{}/revise",
                    app.url,
                    plan["plan_id"].as_str().unwrap()
                ))
                .json(&serde_json::json!({"values": {"schedule": value}}))
                .send()
                .await
                .unwrap()
        }
    };
    let weekly: Value = revise(plan.clone(), "every monday at 9:00")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(weekly["schedule"], "0 9 * * 1", "{weekly}");
    assert!(param(&weekly, "schedule").starts_with("every Monday at 09:00"));
    let once: Value = revise(weekly.clone(), "").await.json().await.unwrap();
    assert!(once.get("schedule").is_none(), "{once}");
    assert!(once["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["name"] != "schedule"));
    let bad = revise(once, "whenever you like").await;
    assert_eq!(bad.status(), 422);

    // A restore is a one-off: the schedule is set aside, with a warning.
    let backup = app
        .plan_and_confirm(&format!(
            "back up {} to {}",
            source.display(),
            app.root.join("repo").display()
        ))
        .await;
    assert_eq!(app.wait_until_done(backup).await["state"], "succeeded");
    let restore = app
        .plan(&format!(
            "restore {} from {} every night",
            app.root.join("restored").display(),
            app.root.join("repo").display()
        ))
        .await;
    assert!(restore.get("schedule").is_none(), "{restore}");
    assert!(restore["preview"]["warnings"]
        .to_string()
        .contains("runs once"));

    // Unknown schedules are a clear 404.
    let missing = app.post("/api/schedules/999/stop").await;
    assert_eq!(missing.status(), 404);
    let body: Value = missing.json().await.unwrap();
    assert_eq!(body["code"], "schedule_not_found");
}

/// Two stores on one database stand for two servers sharing it.
async fn two_nodes(db: &TestDatabase) -> (Arc<SqlStore>, Arc<SqlStore>) {
    let a = Arc::new(SqlStore::open(db.url()).await.unwrap());
    let b = Arc::new(SqlStore::open(db.url()).await.unwrap());
    (a, b)
}

async fn scheduled_plan(store: &SqlStore, now: i64) -> app::api::ScheduleView {
    let view: app::api::PlanView = serde_json::from_value(serde_json::json!({
        "plan_id": "p1", "intent": "cleanup", "workflow": "cleanup", "summary": "Clean",
        "parameters": [], "expires_at": now + 60_000, "schedule": "*/5 * * * *",
        "preview": {"file_count": 0, "total_bytes": 0, "sample_paths": []}
    }))
    .unwrap();
    store
        .insert_plan(NewPlan {
            id: "p1".into(),
            session: None,
            view,
            task: NewTask {
                workflow: "cleanup".into(),
                summary: "Clean".into(),
                params: serde_json::json!({"workflow": "cleanup", "directory": "/nowhere"}),
                timeout_secs: None,
                ..Default::default()
            },
            created_at: now,
        })
        .await
        .unwrap();
    match store.confirm_plan("p1", &[], None, now).await.unwrap() {
        tend::store::Confirmed::Schedule(s) => s,
        other => panic!("a scheduled plan makes a schedule, got {other:?}"),
    }
}

#[tokio::test]
async fn two_servers_firing_at_once_queue_one_run_and_an_unfinished_run_is_not_doubled() {
    for db in TestDatabase::every("schedules: two servers firing").await {
        let (a, b) = two_nodes(&db).await;
        let now = tend::now_ms();
        let schedule = scheduled_plan(&a, now).await;
        let due = schedule.next_run_at.unwrap();
        let following = due + 5 * 60_000;

        let params = run_params(schedule.id, due);
        for _ in 0..5 {
            let (x, y) = tokio::join!(
                a.fire_schedule(schedule.id, due, Some(following), due, &params),
                b.fire_schedule(schedule.id, due, Some(following), due, &params),
            );
            let outcomes = [x.unwrap(), y.unwrap()];
            let queued = outcomes
                .iter()
                .filter(|f| matches!(f, Fired::Queued { .. }))
                .count();
            // The first round queues one; every other attempt finds the time
            // already moved on (not merely "the last run is unfinished").
            assert!(queued <= 1);
            assert!(
                outcomes
                    .iter()
                    .all(|f| matches!(f, Fired::Queued { .. } | Fired::NotDue)),
                "{outcomes:?}"
            );
        }
        let listed = b.list_tasks(10).await.unwrap();
        assert_eq!(listed.len(), 1, "exactly one run for one time");
        let run = &listed[0];
        assert_eq!(run.parameters["schedule_id"], schedule.id);
        assert_eq!(
            b.get_schedule(schedule.id).await.unwrap().next_run_at,
            Some(following)
        );

        // Five minutes on, the first run has not even started: this time is
        // skipped and the skip is written in that run's log.
        let after = following + 5 * 60_000;
        let skipped = b
            .fire_schedule(
                schedule.id,
                following,
                Some(after),
                following,
                &run_params(schedule.id, following),
            )
            .await
            .unwrap();
        assert!(
            matches!(skipped, Fired::Skipped { running_task, .. } if running_task == run.id),
            "{skipped:?}"
        );
        assert_eq!(b.list_tasks(10).await.unwrap().len(), 1);
        let log = b.task_events(run.id).await.unwrap();
        assert!(
            log.iter()
                .any(|e| e.kind == "warning" && e.message.contains("skipped")),
            "{log:?}"
        );

        // A schedule that never comes round again stops itself.
        let last = a
            .fire_schedule(
                schedule.id,
                after,
                None,
                after,
                &run_params(schedule.id, after),
            )
            .await
            .unwrap();
        assert!(matches!(last, Fired::Skipped { .. }));
        let ended = a.get_schedule(schedule.id).await.unwrap();
        assert!(!ended.active && ended.next_run_at.is_none());
        assert!(a.due_schedules(i64::MAX).await.unwrap().is_empty());
    }
}

#[tokio::test]
async fn schedules_are_listed_by_status_and_stopped_in_words() {
    let app = spawn_app().await;
    let id = mirror_schedule(&app, "every Sunday at 3:30").await;

    let status = app.say("s1", "status").await;
    let message = status["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("\nSchedules:\n#{id} "))
            && message.contains("every Sunday at 03:30"),
        "{status}"
    );

    // Without a number, Tend asks which, naming them.
    for text in [
        "stop the schedule",
        "stop the weekly mirror",
        "cancel the scheduled mirror",
    ] {
        let which = app.say("s1", text).await;
        assert_eq!(which["intent"], "cancel", "{text}: {which}");
        assert!(
            which["message"]
                .as_str()
                .unwrap()
                .contains(&format!("stop schedule {id}")),
            "{text}: {which}"
        );
    }
    assert!(app.json::<Value>(&format!("/api/schedules/{id}")).await["active"] == true);

    // A task named beside the word "schedule" is the task, not schedule #id.
    let task = app
        .say("s1", &format!("cancel task {id} that the schedule started"))
        .await;
    // (There is no such task here: the answer says so, about the task.)
    assert_eq!(task["code"], "task_not_found", "{task}");
    assert_eq!(
        app.json::<Value>(&format!("/api/schedules/{id}")).await["active"],
        true
    );

    // "定时任务 N" is schedule N (the 任务 in it is no task), and so is
    // "schedules #N"; an unknown one is said to be unknown.
    for text in [
        format!("停止定时任务 {}", id + 100),
        format!("stop schedules #{}", id + 100),
    ] {
        let missing = app.say("s1", &text).await;
        assert_eq!(missing["code"], "schedule_not_found", "{text}: {missing}");
    }

    let stopped = app.say("s1", &format!("stop schedule {id}")).await;
    assert!(
        stopped["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Schedule #{id} is stopped")),
        "{stopped}"
    );
    assert_eq!(
        app.json::<Value>(&format!("/api/schedules/{id}")).await["active"],
        false
    );
    let status = app.say("s1", "status").await;
    assert!(
        !status["message"].as_str().unwrap().contains("Schedules:"),
        "{status}"
    );
}

#[tokio::test]
async fn a_scheduled_cleanup_counts_the_age_from_each_run_not_from_the_plan() {
    let app = spawn_app().await;
    let old = app.write("logs/old.log", "old", 40);
    let younger = app.write("logs/younger.log", "younger", 20);
    let plan = app
        .plan(&format!(
            "clean up *.log older than 30 days in {} every night at 3am",
            app.root.join("logs").display()
        ))
        .await;
    assert_eq!(plan["preview"]["file_count"], 1, "{plan}");
    let confirmed = confirm_json(&app, plan["plan_id"].as_str().unwrap()).await;
    assert_eq!(confirmed["schedule"]["active"], true, "{confirmed}");

    // A run fifteen days on: the younger log is 35 days old by then.
    let later = tend::now_ms() + 15 * 24 * 3600 * 1000;
    let scheduler = app.server.as_ref().unwrap().scheduler.clone();
    let fired = scheduler.tick(later).await.unwrap();
    let [Fired::Queued { task, .. }] = fired.as_slice() else {
        panic!("one run queued, got {fired:?}");
    };
    let done = app.wait_until_done(task.id).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["progress"]["files_done"], 2, "{done}");
    assert!(!old.exists() && !younger.exists());
}

/// PATCHes a schedule's time.
async fn reschedule(app: &TestApp, id: i64, when: &str) -> reqwest::Response {
    app.client
        .patch(format!("{}/api/schedules/{id}", app.url))
        .json(&serde_json::json!({ "when": when }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_schedule_gets_a_new_time_in_words_or_cron_and_a_stopped_one_stays_stopped() {
    let app = spawn_app().await;
    let id = mirror_schedule(&app, "every night at 2am").await;
    let before: Value = app.json(&format!("/api/schedules/{id}")).await;

    let moved = reschedule(&app, id, "Sundays at 3:30").await;
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["cron"], "30 3 * * 0", "{moved}");
    assert_eq!(moved["description"], "every Sunday at 03:30");
    let next = moved["next_run_at"].as_i64().unwrap();
    let expected = tend::schedule::next_run_ms("30 3 * * 0", tend::now_ms())
        .unwrap()
        .unwrap();
    assert!((next - expected).abs() < 60_000, "{next} vs {expected}");
    assert_ne!(moved["next_run_at"], before["next_run_at"]);
    // What each run does is unchanged; so is the count of runs.
    assert_eq!(moved["summary"], before["summary"]);
    assert_eq!(moved["runs"], 0);
    let stored: Value = app.json(&format!("/api/schedules/{id}")).await;
    assert_eq!(stored["cron"], "30 3 * * 0");

    let cron = reschedule(&app, id, "15 4 * * 1-5").await;
    assert_eq!(cron.status(), 200);
    let cron: Value = cron.json().await.unwrap();
    assert_eq!(cron["cron"], "15 4 * * 1-5", "{cron}");

    for (when, status, code) in [
        ("whenever you feel like it", 422, "schedule_invalid"),
        ("", 422, "schedule_invalid"),
        ("0 0 31 2 *", 422, "schedule_invalid"),
    ] {
        let refused = reschedule(&app, id, when).await;
        assert_eq!(refused.status(), status, "{when:?}");
        let body: Value = refused.json().await.unwrap();
        assert_eq!(body["code"], code, "{when:?}: {body}");
        assert!(!body["error"].as_str().unwrap().is_empty());
    }
    let unchanged: Value = app.json(&format!("/api/schedules/{id}")).await;
    assert_eq!(
        unchanged["cron"], "15 4 * * 1-5",
        "a refused time changes nothing"
    );

    let missing = reschedule(&app, id + 100, "daily").await;
    assert_eq!(missing.status(), 404);

    assert_eq!(
        app.post(&format!("/api/schedules/{id}/stop"))
            .await
            .status(),
        200
    );
    let stopped = reschedule(&app, id, "daily").await;
    assert_eq!(stopped.status(), 409);
    let body: Value = stopped.json().await.unwrap();
    assert_eq!(body["code"], "schedule_stopped", "{body}");
    let still: Value = app.json(&format!("/api/schedules/{id}")).await;
    assert_eq!(still["active"], false);
    assert_eq!(still["cron"], "15 4 * * 1-5");
}

#[tokio::test]
async fn a_schedule_is_moved_in_words_at_the_console() {
    let app = spawn_app().await;
    let id = mirror_schedule(&app, "every Sunday at 3:30").await;

    let moved = app
        .say("s1", &format!("move schedule {id} to every night at 2am"))
        .await;
    assert_eq!(moved["intent"], "schedule", "{moved}");
    let message = moved["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("Schedule #{id} "))
            && message.contains("now runs every day at 02:00")
            && message.contains("it ran every Sunday at 03:30"),
        "{moved}"
    );
    let stored: Value = app.json(&format!("/api/schedules/{id}")).await;
    assert_eq!(stored["cron"], "0 2 * * *", "{stored}");

    let cron = app
        .say(
            "s1",
            &format!("please change schedule #{id} to 15 4 * * 1-5"),
        )
        .await;
    assert!(
        cron["message"].as_str().unwrap().contains("now runs"),
        "{cron}"
    );
    let stored: Value = app.json(&format!("/api/schedules/{id}")).await;
    assert_eq!(stored["cron"], "15 4 * * 1-5", "{stored}");

    // In Chinese too: the number, then a verb of change, then the time.
    let chinese = app.say("s1", &format!("把计划 {id} 改到每周日 3:30")).await;
    assert!(
        chinese["message"].as_str().unwrap().contains("now runs"),
        "{chinese}"
    );
    let stored: Value = app.json(&format!("/api/schedules/{id}")).await;
    assert_eq!(stored["cron"], "30 3 * * 0", "{stored}");
    app.say(
        "s1",
        &format!("please change schedule #{id} to 15 4 * * 1-5"),
    )
    .await;

    // Without a number Tend asks which, without a time it asks when; neither
    // changes anything.
    let which = app.say("s1", "reschedule the weekly mirror to 4am").await;
    assert!(
        which["message"]
            .as_str()
            .unwrap()
            .contains(&format!("#{id} ")),
        "{which}"
    );
    let when = app.say("s1", &format!("move schedule {id}")).await;
    assert!(
        when["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("When should schedule #{id} run?")),
        "{when}"
    );
    let refused = app
        .say("s1", &format!("move schedule {id} to whenever you like"))
        .await;
    assert_eq!(refused["code"], "schedule_invalid", "{refused}");
    let stored: Value = app.json(&format!("/api/schedules/{id}")).await;
    assert_eq!(stored["cron"], "15 4 * * 1-5", "{stored}");

    let missing = app
        .say("s1", &format!("move schedule {} to 3am", id + 100))
        .await;
    assert_eq!(missing["code"], "schedule_not_found", "{missing}");
    app.say("s1", &format!("stop schedule {id}")).await;
    let stopped = app.say("s1", &format!("move schedule {id} to 3am")).await;
    assert_eq!(stopped["code"], "schedule_stopped", "{stopped}");
}

#[tokio::test]
async fn a_run_due_at_the_old_time_is_not_queued_once_the_time_has_moved() {
    for db in TestDatabase::every("schedules: reschedule").await {
        let (a, b) = two_nodes(&db).await;
        let now = tend::now_ms();
        let schedule = scheduled_plan(&a, now).await;
        let due = schedule.next_run_at.unwrap();

        // Node b moves the time while node a is about to fire the old one.
        let later = due + 3_600_000;
        let moved = b
            .reschedule(schedule.id, "0 * * * *", later, now + 1)
            .await
            .unwrap();
        assert_eq!(moved.cron, "0 * * * *");
        assert_eq!(moved.next_run_at, Some(later), "{}", db.label());
        let fired = a
            .fire_schedule(
                schedule.id,
                due,
                Some(due + 300_000),
                due,
                &run_params(schedule.id, due),
            )
            .await
            .unwrap();
        assert!(matches!(fired, Fired::NotDue), "{}: {fired:?}", db.label());
        assert!(a.list_tasks(10).await.unwrap().is_empty(), "{}", db.label());
        assert_eq!(a.due_schedules(later - 1).await.unwrap().len(), 0);
        assert_eq!(a.due_schedules(later).await.unwrap().len(), 1);

        a.stop_schedule(schedule.id, now + 2).await.unwrap();
        assert!(matches!(
            b.reschedule(schedule.id, "0 * * * *", later, now + 3).await,
            Err(tend::store::StoreError::ScheduleStopped(id)) if id == schedule.id
        ));
    }
}

/// Backpressure reaches schedules: a run that comes due while the queue
/// is full is skipped (and the time moves on), not queued beyond the cap.
#[tokio::test]
async fn a_run_due_while_the_queue_is_full_is_skipped() {
    for db in TestDatabase::every("schedules: queue full").await {
        let store = SqlStore::open(db.url()).await.unwrap().with_max_queued(1);
        let now = tend::now_ms();
        let schedule = scheduled_plan(&store, now).await;
        store
            .enqueue(
                NewTask {
                    workflow: "cleanup".into(),
                    summary: "fills the queue".into(),
                    params: serde_json::json!({"workflow": "cleanup", "directory": "/nowhere"}),
                    timeout_secs: None,
                    ..Default::default()
                },
                now,
            )
            .await
            .unwrap();
        let due = schedule.next_run_at.unwrap();
        let following = due + 300_000;
        let fired = store
            .fire_schedule(
                schedule.id,
                due,
                Some(following),
                due,
                &run_params(schedule.id, due),
            )
            .await
            .unwrap();
        let Fired::QueueFull { schedule, why } = fired else {
            panic!("{}: {fired:?}", db.label());
        };
        assert!(why.contains("queue is full"), "{why}");
        assert_eq!(schedule.next_run_at, Some(following));
        assert_eq!(schedule.runs, 0);
        assert_eq!(store.list_tasks(10).await.unwrap().len(), 1);
    }
}
