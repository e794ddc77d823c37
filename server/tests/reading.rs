//! How commands are read, seen from the API with the real default model
//! (multilingual-e5-small and the trained classifier): a close call between
//! two of Tend's intents is asked about, the reading picked is planned, and
//! "Try it" (`POST /api/rules/try`) shows a reading and why without
//! planning anything. Skipped where scripts/test's set-up has not installed
//! the model (a failure under CI).

mod support;

use std::path::PathBuf;

use serde_json::{json, Value};
use support::{spawn_app_with, TestApp};

fn model_dir() -> Option<PathBuf> {
    support::default_model("the reading tests")
}

/// Admins taught the same made-up words once as a backup and once as a
/// restore (the model reads each path by its last part, so to it the two
/// are one sentence): a command in those words is a true close call.
async fn teach_an_ambiguous_verb(app: &TestApp) {
    for (intent, text) in [
        ("backup", "zorble /srv/one over to /srv/two"),
        ("restore", "zorble /mnt/one over to /mnt/two"),
    ] {
        let (status, body) = app
            .post_json(
                "/api/rules/examples",
                json!({ "intent": intent, "text": text }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_close_call_is_asked_and_the_reading_picked_is_planned() {
    let Some(dir) = model_dir() else { return };
    let app = spawn_app_with(|c| c.model_dir = dir).await;
    teach_an_ambiguous_verb(&app).await;
    let docs = app.root.join("one");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("a.txt"), "a").unwrap();
    let nas = app.root.join("two");
    let text = format!("zorble {} over to {}", docs.display(), nas.display());

    let (status, asked) = app
        .post_json("/api/commands", json!({ "text": text }))
        .await;
    assert_eq!(status, 200, "{asked}");
    let (_, reading) = app
        .post_json("/api/rules/try", json!({ "text": text }))
        .await;
    assert!(
        reading["alternative"].is_string(),
        "not a close call: {reading}"
    );
    assert_eq!(asked["kind"], "reply", "{asked}");
    let choices: Vec<&str> = asked["choices"]
        .as_array()
        .unwrap_or_else(|| panic!("no choices: {asked}"))
        .iter()
        .map(|c| c["intent"].as_str().unwrap())
        .collect();
    let mut sorted = choices.clone();
    sorted.sort();
    assert_eq!(sorted, ["backup", "restore"], "{asked}");
    assert_eq!(asked["text"], text);
    let message = asked["message"].as_str().unwrap();
    assert!(message.starts_with("Which did you mean: "), "{message}");
    // First or second, capitalized or not: "Back up …" / "back up …".
    let backup = format!("ack up {} to {}", docs.display(), nas.display());
    assert!(message.contains(&backup), "{message}");

    // The button sends the command again with the reading picked.
    let (status, plan) = app
        .post_json("/api/commands", json!({ "text": text, "intent": "backup" }))
        .await;
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["kind"], "plan", "{plan}");
    assert_eq!(plan["intent"], "backup", "{plan}");

    // Only the model's readings can be picked.
    for bad in ["retry", "out_of_scope", "format_disk"] {
        let (status, body) = app
            .post_json("/api/commands", json!({ "text": text, "intent": bad }))
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["code"], "unknown_intent", "{body}");
    }

    // A clear command is not asked about.
    let (_, clear) = app
        .post_json(
            "/api/commands",
            json!({ "text": format!("back up {} to {}", docs.display(), nas.display()) }),
        )
        .await;
    assert_eq!(clear["kind"], "plan", "{clear}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn try_it_shows_a_reading_and_why_without_planning() {
    let Some(dir) = model_dir() else { return };
    let app = spawn_app_with(|c| c.model_dir = dir).await;

    let (status, r) = app
        .post_json(
            "/api/rules/try",
            json!({ "text": "back up /srv/photos to /mnt/nas every night at 2am, keep 14" }),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["intent"], "backup", "{r}");
    assert_eq!(r["decided_by"], "model", "{r}");
    assert_eq!(r["slots"]["schedule"], "0 2 * * *", "{r}");
    assert_eq!(r["slots"]["keep_last"], 14, "{r}");
    let scores = r["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 7, "{r}");
    assert_eq!(scores[0]["intent"], "backup", "{r}");
    let ordered = scores
        .windows(2)
        .all(|w| w[0]["score"].as_f64() >= w[1]["score"].as_f64());
    assert!(ordered, "{r}");
    assert_eq!(r["runner_up"]["intent"], scores[1]["intent"], "{r}");
    let nearest = r["nearest"].as_array().unwrap();
    assert_eq!(nearest.len(), 5, "{r}");
    assert!(nearest[0]["similarity"].as_f64().unwrap() > 0.5, "{r}");

    // A phrase rule decides, and says so; the alias shows in the reading.
    for (path, body) in [
        (
            "/api/rules/phrases",
            json!({ "intent": "cleanup", "pattern": "sweep {dir}" }),
        ),
        (
            "/api/rules/locations",
            json!({ "name": "scratch", "path": "/srv/scratch" }),
        ),
    ] {
        let response = app
            .client
            .request(
                if path.ends_with("locations") {
                    reqwest::Method::PUT
                } else {
                    reqwest::Method::POST
                },
                format!("{}{path}", app.url),
            )
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{path}");
    }
    let (_, r) = app
        .post_json("/api/rules/try", json!({ "text": "sweep scratch" }))
        .await;
    assert_eq!(r["intent"], "cleanup", "{r}");
    assert_eq!(r["decided_by"], "phrase rule", "{r}");
    assert_eq!(r["rule"], "sweep {dir}", "{r}");
    assert_eq!(r["slots"]["source"], "/srv/scratch", "{r}");
    assert!(
        r["aliased"].as_str().unwrap().contains("/srv/scratch"),
        "{r}"
    );
    assert!(r.get("scores").is_none(), "{r}");

    // Rules on the sentence's form decide before the model, and say which.
    for (text, why) in [
        (
            "is it safe to delete /var/cache?",
            "rule: a question or a request that is not a command",
        ),
        (
            "stop the docker container",
            "rule: about something Tend does not act on",
        ),
    ] {
        let (_, r) = app
            .post_json("/api/rules/try", json!({ "text": text }))
            .await;
        assert_eq!(r["intent"], "out_of_scope", "{r}");
        assert_eq!(r["decided_by"], why, "{r}");
    }

    // Nothing was planned.
    let tasks: Value = app.json("/api/tasks").await;
    assert_eq!(tasks.as_array().map(Vec::len), Some(0), "{tasks}");

    // An empty or huge sentence is refused clearly.
    let (status, body) = app
        .post_json("/api/rules/try", json!({ "text": "  " }))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("empty_command"))
    );
    let huge = "a".repeat(64 * 1024);
    let (status, _) = app
        .post_json("/api/rules/try", json!({ "text": huge }))
        .await;
    assert_eq!(status, 413);
}
