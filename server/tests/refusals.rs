//! Bad input gets a clear error, changes nothing, and leaves the server healthy.

mod support;

use serde_json::Value;
use support::{spawn_app, TestApp};

async fn refused(app: &TestApp, text: &str, status: u16, code: &str, message_part: &str) {
    let response = app.command(text).await;
    assert_eq!(response.status().as_u16(), status, "{text}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{text}: {body}");
    let message = body["error"].as_str().unwrap();
    assert!(message.contains(message_part), "{text}: {message}");
}

fn outside_dir(app: &TestApp) -> std::path::PathBuf {
    let outside = app.home.path().join("outside");
    support::write_aged(&outside.join("precious.tmp"), "keep me", 30);
    outside
}

#[tokio::test]
async fn a_path_outside_the_roots_is_refused() {
    let app = spawn_app().await;
    let outside = outside_dir(&app);
    refused(
        &app,
        &format!("clean up *.tmp in {}", outside.display()),
        403,
        "path_outside_roots",
        "outside the allowed roots",
    )
    .await;
    assert!(outside.join("precious.tmp").exists());
}

#[tokio::test]
async fn a_dotdot_escape_is_refused() {
    let app = spawn_app().await;
    let outside = outside_dir(&app);
    let sneaky = format!("{}/../outside", app.root.display());
    refused(
        &app,
        &format!("clean up *.tmp in {sneaky}"),
        403,
        "path_outside_roots",
        "outside the allowed roots",
    )
    .await;
    assert!(outside.join("precious.tmp").exists());
}

#[tokio::test]
async fn a_symlink_escape_is_refused() {
    let app = spawn_app().await;
    let outside = outside_dir(&app);
    std::os::unix::fs::symlink(&outside, app.root.join("link")).unwrap();
    refused(
        &app,
        &format!("clean up *.tmp in {}/link", app.root.display()),
        403,
        "path_outside_roots",
        "which resolves to",
    )
    .await;
    assert!(outside.join("precious.tmp").exists());
}

#[tokio::test]
async fn symlinks_inside_the_tree_are_never_followed() {
    let app = spawn_app().await;
    let outside = outside_dir(&app);
    app.write("tree/mine.tmp", "x", 30);
    std::os::unix::fs::symlink(&outside, app.root.join("tree/out")).unwrap();
    let plan = app
        .plan(&format!(
            "clean up *.tmp in {}",
            app.root.join("tree").display()
        ))
        .await;
    assert_eq!(plan["preview"]["file_count"], 1, "{plan}");
    let task_id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    assert_eq!(app.wait_until_done(task_id).await["state"], "succeeded");
    assert!(outside.join("precious.tmp").exists());
    assert!(!app.root.join("tree/mine.tmp").exists());
}

#[tokio::test]
async fn a_nonexistent_directory_is_refused() {
    let app = spawn_app().await;
    refused(
        &app,
        &format!("clean up *.tmp in {}/nope", app.root.display()),
        422,
        "path_not_found",
        "does not exist",
    )
    .await;
}

#[tokio::test]
async fn a_file_relative_path_or_missing_criteria_is_refused() {
    let app = spawn_app().await;
    let file = app.write("f.tmp", "x", 9);
    refused(
        &app,
        &format!("clean up *.tmp in {}", file.display()),
        422,
        "path_not_directory",
        "not a directory",
    )
    .await;
    refused(
        &app,
        &format!("clean up {}", app.root.display()),
        422,
        "criteria_invalid",
        "Cleaning a whole directory is refused",
    )
    .await;
    refused(
        &app,
        "clean up *.tmp",
        422,
        "directory_missing",
        "Which directory",
    )
    .await;
    assert!(file.exists());
}

#[tokio::test]
async fn an_empty_command_is_refused() {
    let app = spawn_app().await;
    refused(&app, "", 422, "empty_command", "Type what you want").await;
    refused(&app, "   \n\t ", 422, "empty_command", "Type what you want").await;
}

#[tokio::test]
async fn a_one_megabyte_command_is_refused_and_the_server_carries_on() {
    let app = spawn_app().await;
    let huge = format!(
        "clean up *.tmp in {} {}",
        app.root.display(),
        "x".repeat(1024 * 1024)
    );
    refused(&app, &huge, 413, "request_too_large", "larger than").await;
    // Just over the command limit but within the body limit: its own message.
    let long = "clean ".repeat(1000);
    refused(&app, &long, 413, "command_too_long", "at most 4096").await;
    let health = app.get("/api/health").await;
    assert_eq!(health.status(), 200);
    app.write("ok/a.tmp", "x", 9);
    app.plan(&format!(
        "clean up *.tmp in {}",
        app.root.join("ok").display()
    ))
    .await;
}

#[tokio::test]
async fn malformed_json_gets_a_json_error() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(format!("{}/api/commands", app.url))
        .header("content-type", "application/json")
        .body("{\"text\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_json");
}

#[tokio::test]
async fn odd_text_never_breaks_the_server() {
    let app = spawn_app().await;
    for text in [
        "清理 /tmp 下超过7天的文件",
        "\u{0}\u{1}\u{7f}",
        "🧹🧹🧹 *.tmp",
        "clean up * in /",
        "rm -rf / --no-preserve-root",
        "'; DROP TABLE tasks; --",
    ] {
        let response = app.command(text).await;
        let status = response.status().as_u16();
        assert!(
            status == 200 || (400..500).contains(&status),
            "{text}: {status}"
        );
        let body: Value = response.json().await.unwrap();
        assert!(
            body.get("kind").is_some() || body.get("error").is_some(),
            "{text}: {body}"
        );
    }
    let tasks: Vec<Value> = app.json("/api/tasks").await;
    assert!(tasks.is_empty());
}

#[tokio::test]
async fn a_question_about_deleting_deletes_nothing_and_says_why() {
    let app = spawn_app().await;
    app.write("cache/old.deb", "package", 40);
    let cache = app.root.join("cache");
    let text = format!("is it safe to delete everything in {}?", cache.display());
    let response = app.command(&text).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["intent"], "out_of_scope", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("reads as a question"), "{message}");
    assert!(cache.join("old.deb").exists());
    // Anything else Tend does not do gets the plain answer.
    let body: Value = app
        .command("mount the usb drive")
        .await
        .json()
        .await
        .unwrap();
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with("Sorry, that is not"), "{message}");
}

#[tokio::test]
async fn an_allowed_root_missing_at_start_is_used_once_it_appears() {
    let nas_parent = tempfile::tempdir().unwrap();
    let nas = nas_parent.path().join("nas");
    let app = support::spawn_app_with(|config| config.extra_allowed_roots.push(nas.clone())).await;
    let command = format!("clean up *.tmp in {}", nas.display());
    refused(
        &app,
        &command,
        422,
        "root_absent",
        &format!(
            "{} is an allowed root but is not there now (not mounted?)",
            nas.display()
        ),
    )
    .await;

    // Mounted later: the same command is accepted, without a restart.
    support::write_aged(&nas.join("old.tmp"), "x", 9);
    let plan = app.plan(&command).await;
    assert_eq!(plan["preview"]["file_count"], 1, "{plan}");
}

#[tokio::test]
async fn a_condition_the_plan_would_lose_is_named_back_and_nothing_is_planned() {
    let app = spawn_app().await;
    let scratch = app.root.join("scratch");
    let video = support::write_aged(&scratch.join("clip.mp4"), "video", 30);
    let notes = support::write_aged(&scratch.join("notes.txt"), "notes", 30);
    let dir = scratch.display();
    for (text, words) in [
        (
            format!("clean up {dir}, only the videos"),
            "only the videos",
        ),
        (format!("clean up {dir} except the newest"), "except"),
        (
            format!("remove files in {dir} smaller than 5 MB"),
            "smaller than",
        ),
        (format!("clean up {dir} every fortnight"), "every fortnight"),
    ] {
        refused(&app, &text, 422, "condition_not_understood", words).await;
    }
    // A step of a longer command is refused the same way.
    refused(
        &app,
        &format!("clean up *.tmp in {dir}, then clean up {dir} except the newest"),
        422,
        "step_not_planned",
        "except",
    )
    .await;
    // Said so that Tend can use it, the same request is planned.
    let plan = app.plan(&format!("clean up *.mp4 in {dir}")).await;
    assert_eq!(plan["preview"]["file_count"], 1, "{plan}");
    assert!(video.exists() && notes.exists(), "nothing was touched");
    let tasks: Vec<Value> = app.json("/api/tasks").await;
    assert!(tasks.is_empty(), "{tasks:?}");
}
