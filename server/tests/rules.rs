//! Admins' routing rules through the API: aliases and phrase rules apply to
//! the next command without a restart, survive one, and bad rules are
//! refused with a message that says what to change.

mod support;

use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{spawn_app, TestApp};

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = app
        .client
        .request(method, format!("{}{path}", app.url))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn put(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    send(app, reqwest::Method::PUT, path, body).await
}

async fn post(app: &TestApp, path: &str, body: Value) -> (StatusCode, Value) {
    send(app, reqwest::Method::POST, path, body).await
}

async fn delete(app: &TestApp, path: &str) -> (StatusCode, Value) {
    send(app, reqwest::Method::DELETE, path, json!({})).await
}

fn values(plan: &Value) -> Vec<String> {
    plan["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_str().unwrap().to_string())
        .collect()
}

/// The commands the aliases and the phrase rule of the first test steer.
async fn rules_apply(app: &TestApp, photos: &str, nas: &str) {
    let plan = app.plan("back up my photos to the NAS").await;
    assert_eq!(plan["workflow"], "backup", "{plan}");
    let v = values(&plan);
    assert!(
        v.iter().any(|p| p == photos) && v.iter().any(|p| p == nas),
        "{plan}"
    );

    let plan = app.plan("Sweep photos of junk").await;
    assert_eq!(plan["workflow"], "cleanup", "{plan}");
    assert_eq!(plan["preview"]["file_count"], 2, "{plan}");
    assert!(values(&plan).iter().any(|p| p == photos), "{plan}");
}

#[tokio::test]
async fn aliases_and_phrase_rules_apply_at_once_and_survive_a_restart() {
    let mut app = spawn_app().await;
    app.write("photos/a.jpg", "jpeg", 1);
    app.write("photos/b.tmp", "tmp", 40);
    app.write("photos/c.bak", "bak", 40);
    let photos = app.root.join("photos").display().to_string();
    let nas = app.root.join("nas").display().to_string();

    // Before any alias, "my photos" is no path: Tend asks for one.
    let response = app.command("back up my photos to the NAS").await;
    assert_eq!(response.status(), 422);

    let (status, body) = put(
        &app,
        "/api/rules/locations",
        json!({"name": "Photos", "path": photos}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "photos");
    let (status, _) = put(
        &app,
        "/api/rules/locations",
        json!({"name": "the NAS", "path": "/elsewhere"}),
    )
    .await;
    assert_eq!(status, 200);
    // Putting a name again repoints it.
    let (status, _) = put(
        &app,
        "/api/rules/locations",
        json!({"name": "the nas", "path": nas}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = put(
        &app,
        "/api/rules/patterns",
        json!({"name": "junk", "globs": ["*.tmp", "*.bak"]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(
        &app,
        "/api/rules/phrases",
        json!({"intent": "cleanup", "pattern": "sweep {dir} of {files}"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    rules_apply(&app, &photos, &nas).await;

    let rules: Value = app.json("/api/rules").await;
    assert_eq!(rules["locations"].as_array().unwrap().len(), 2, "{rules}");
    assert_eq!(rules["locations"][1]["path"], nas.as_str());
    assert_eq!(rules["patterns"][0]["globs"], json!(["*.tmp", "*.bak"]));
    assert_eq!(rules["phrases"][0]["pattern"], "sweep {dir} of {files}");

    app.restart_with(|_| {}).await;
    rules_apply(&app, &photos, &nas).await;

    // Deleting an alias takes it out of the next command at once.
    let id = rules["locations"][0]["id"].as_i64().unwrap();
    let (status, body) = delete(&app, &format!("/api/rules/locations/{id}")).await;
    assert_eq!(status, 200, "{body}");
    let response = app.command("back up my photos to the NAS").await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "paths_missing", "{body}");
}

#[tokio::test]
async fn a_phrase_rule_wins_over_the_usual_reading() {
    let app = spawn_app().await;
    app.write("scratch/x.log", "x", 40);
    let scratch = app.root.join("scratch").display().to_string();
    // "check disk usage" reads as out of scope; an admin makes it a status request.
    let reply: Value = app.command("check disk usage").await.json().await.unwrap();
    assert_eq!(reply["intent"], "out_of_scope", "{reply}");
    let (status, _) = post(
        &app,
        "/api/rules/phrases",
        json!({"intent": "status", "pattern": "check disk usage"}),
    )
    .await;
    assert_eq!(status, 201);
    let reply: Value = app.command("Check disk usage!").await.json().await.unwrap();
    assert_eq!(reply["intent"], "status", "{reply}");

    // A placeholder fills its parameter even where the sentence alone would not.
    let (status, _) = post(
        &app,
        "/api/rules/phrases",
        json!({"intent": "cleanup", "pattern": "bin {files} in {dir} after {age}"}),
    )
    .await;
    assert_eq!(status, 201);
    let plan = app
        .plan(&format!("bin log files in {scratch} after two weeks"))
        .await;
    assert_eq!(plan["workflow"], "cleanup");
    let v = values(&plan);
    assert!(v.iter().any(|v| v.contains("*.log")), "{plan}");
    assert!(v.iter().any(|v| v.contains("14")), "{plan}");
    assert_eq!(plan["preview"]["file_count"], 1, "{plan}");
}

#[tokio::test]
async fn bad_rules_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let refusals = [
        (
            "/api/rules/phrases",
            json!({"intent": "defrag", "pattern": "defrag {dir}"}),
            "is not an intent",
        ),
        (
            "/api/rules/phrases",
            json!({"intent": "cleanup", "pattern": "clean {where}"}),
            "{dir}",
        ),
        (
            "/api/rules/phrases",
            json!({"intent": "cleanup", "pattern": "{dir}"}),
            "at least one word",
        ),
        (
            "/api/rules/phrases",
            json!({"intent": "sync", "pattern": "copy {src} {dest}"}),
            "words between",
        ),
        (
            "/api/rules/examples",
            json!({"intent": "status", "text": "   "}),
            "empty",
        ),
        (
            "/api/rules/examples",
            json!({"intent": "status", "text": "x".repeat(500)}),
            "at most",
        ),
    ];
    for (path, body, message) in refusals {
        let (status, answer) = post(&app, path, body.clone()).await;
        assert_eq!(status, 422, "{body} → {answer}");
        assert_eq!(answer["code"], "rule_invalid");
        assert!(
            answer["error"].as_str().unwrap().contains(message),
            "{answer}"
        );
    }
    let puts = [
        (
            "/api/rules/locations",
            json!({"name": "nas", "path": "relative/dir"}),
            "absolute",
        ),
        (
            "/api/rules/locations",
            json!({"name": "/mnt/x", "path": "/mnt/x"}),
            "looks like a path",
        ),
        (
            "/api/rules/patterns",
            json!({"name": "junk", "globs": []}),
            "at least one pattern",
        ),
        (
            "/api/rules/patterns",
            json!({"name": "junk", "globs": ["[oops"]}),
            "not a valid pattern",
        ),
    ];
    for (path, body, message) in puts {
        let (status, answer) = put(&app, path, body.clone()).await;
        assert_eq!(status, 422, "{body} → {answer}");
        assert!(
            answer["error"].as_str().unwrap().contains(message),
            "{answer}"
        );
    }

    // The same name cannot mean a place and a pattern.
    let (status, _) = put(
        &app,
        "/api/rules/locations",
        json!({"name": "stuff", "path": "/srv/stuff"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, answer) = put(
        &app,
        "/api/rules/patterns",
        json!({"name": "Stuff", "globs": ["*.x"]}),
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert!(
        answer["error"].as_str().unwrap().contains("already names"),
        "{answer}"
    );

    // Twice the same phrase rule: a conflict, not a second copy.
    let rule = json!({"intent": "status", "pattern": "how are the chores"});
    assert_eq!(post(&app, "/api/rules/phrases", rule.clone()).await.0, 201);
    let (status, answer) = post(&app, "/api/rules/phrases", rule).await;
    assert_eq!(status, 409, "{answer}");
    assert_eq!(answer["code"], "rule_exists");

    let (status, answer) = delete(&app, "/api/rules/phrases/999").await;
    assert_eq!(status, 404);
    assert_eq!(answer["code"], "rule_not_found");
    let (status, _) = delete(&app, "/api/rules/widgets/1").await;
    assert_eq!(status, 404);
    let response = app
        .client
        .post(format!("{}/api/rules/phrases", app.url))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let rules: Value = app.json("/api/rules").await;
    assert_eq!(rules["phrases"].as_array().unwrap().len(), 1, "{rules}");
    assert_eq!(rules["examples"].as_array().unwrap().len(), 0, "{rules}");
    assert_eq!(rules["locations"].as_array().unwrap().len(), 1, "{rules}");
    assert_eq!(rules["patterns"].as_array().unwrap().len(), 0, "{rules}");
}

#[tokio::test]
async fn a_question_can_be_answered_with_an_alias() {
    let app = spawn_app().await;
    app.write("photos/a.jpg", "jpeg", 1);
    let photos = app.root.join("photos").display().to_string();
    let nas = app.root.join("nas").display().to_string();
    let (status, _) = put(
        &app,
        "/api/rules/locations",
        json!({"name": "the nas", "path": nas}),
    )
    .await;
    assert_eq!(status, 200);
    let question = app.say("console-7", &format!("back up {photos}")).await;
    assert_eq!(question["kind"], "reply", "{question}");
    let plan = app.say("console-7", "to the NAS").await;
    assert_eq!(plan["workflow"], "backup", "{plan}");
    assert!(values(&plan).contains(&nas), "{plan}");
}
