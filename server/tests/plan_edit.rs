//! Editing a plan before confirming: the plan lists what can be changed, a
//! revision plans again with a fresh preview, and the old plan is retired.

mod support;

use serde_json::{json, Value};
use support::{spawn_app, TestApp};

async fn revise(app: &TestApp, plan_id: &str, values: Value) -> (u16, Value) {
    let response = app
        .client
        .post(format!("{}/api/plans/{plan_id}/revise", app.url))
        .json(&json!({ "values": values }))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn an_edited_cleanup_plans_again_and_replaces_the_old_plan() {
    let app = spawn_app().await;
    let tmp = app.write("scratch/a.tmp", "t", 40);
    let old_log = app.write("scratch/old.log", "old", 40);
    let new_log = app.write("scratch/new.log", "new", 2);
    let scratch = app.root.join("scratch").display().to_string();

    let plan = app.plan(&format!("clean up *.tmp in {scratch}")).await;
    let editable: Vec<(&str, &str)> = plan["editable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["value"].as_str().unwrap()))
        .collect();
    assert!(editable.contains(&("source", scratch.as_str())), "{plan}");
    assert!(editable.contains(&("patterns", "*.tmp")), "{plan}");
    assert!(editable.contains(&("older_than_days", "")), "{plan}");
    assert_eq!(plan["preview"]["file_count"], 1);
    let old_id = plan["plan_id"].as_str().unwrap().to_string();

    // Values Tend cannot read are refused, and the plan stays as it was.
    for (values, message) in [
        (json!({"older_than_days": "soon"}), "30 days"),
        (json!({"colour": "blue"}), "cannot be edited"),
        (json!({"source": "my stuff"}), "location alias"),
    ] {
        let (status, body) = revise(&app, &old_id, values).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["code"], "invalid_edit");
        assert!(body["error"].as_str().unwrap().contains(message), "{body}");
    }
    let (status, body) = revise(&app, &old_id, json!({"source": "/etc"})).await;
    assert_eq!(status, 403, "{body}");

    let (status, revised) = revise(
        &app,
        &old_id,
        json!({"patterns": "*.log", "older_than_days": "two weeks"}),
    )
    .await;
    assert_eq!(status, 200, "{revised}");
    assert_eq!(revised["kind"], "plan");
    assert_eq!(revised["preview"]["file_count"], 1, "{revised}");
    assert!(revised["preview"]["sample_paths"][0]
        .as_str()
        .unwrap()
        .ends_with("old.log"));
    let new_id = revised["plan_id"].as_str().unwrap().to_string();
    assert_ne!(new_id, old_id);

    // Only the new plan can run.
    let stale = app.post(&format!("/api/plans/{old_id}/confirm")).await;
    assert_eq!(stale.status(), 409);
    let task = app.confirm(&new_id).await;
    let done = app.wait_until_done(task).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert!(!old_log.exists());
    assert!(tmp.exists() && new_log.exists());

    // A confirmed plan is no longer editable.
    let (status, body) = revise(&app, &new_id, json!({"patterns": "*.tmp"})).await;
    assert_eq!(status, 409, "{body}");
}

#[tokio::test]
async fn a_sync_destination_can_be_changed_before_confirming() {
    let app = spawn_app().await;
    app.write("docs/a.md", "a", 1);
    let docs = app.root.join("docs").display().to_string();
    let usb = app.root.join("usb").display().to_string();
    let other = app.root.join("other");
    let plan = app.plan(&format!("mirror {docs} to {usb}")).await;
    let (status, revised) = revise(
        &app,
        plan["plan_id"].as_str().unwrap(),
        json!({"destination": other.display().to_string(), "delete_extraneous": "yes"}),
    )
    .await;
    assert_eq!(status, 200, "{revised}");
    let summary = revised["summary"].as_str().unwrap();
    assert!(summary.contains(&other.display().to_string()), "{revised}");
    let task = app.confirm(revised["plan_id"].as_str().unwrap()).await;
    assert_eq!(app.wait_until_done(task).await["state"], "succeeded");
    assert_eq!(std::fs::read_to_string(other.join("a.md")).unwrap(), "a");
    assert!(!app.root.join("usb").exists());
}

#[tokio::test]
async fn an_edit_can_change_what_the_command_means_and_the_card_offers_to_remember_it() {
    let app = spawn_app().await;
    app.write("docs/a.md", "a", 1);
    let docs = app.root.join("docs").display().to_string();
    let usb = app.root.join("usb").display().to_string();
    let plan = app.plan(&format!("back up {docs} to {usb}")).await;
    assert_eq!(plan["intent"], "backup");
    assert!(plan.get("reading_picked").is_none(), "{plan}");
    let meaning = plan["editable"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "intent")
        .unwrap_or_else(|| panic!("no meaning to edit: {plan}"));
    assert_eq!(meaning["value"], "backup");

    let (status, body) = revise(
        &app,
        plan["plan_id"].as_str().unwrap(),
        json!({"intent": "retry"}),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("invalid_edit")),
        "{body}"
    );

    let (status, revised) = revise(
        &app,
        plan["plan_id"].as_str().unwrap(),
        json!({"intent": "sync"}),
    )
    .await;
    assert_eq!(status, 200, "{revised}");
    assert_eq!(revised["intent"], "sync", "{revised}");
    assert_eq!(revised["workflow"], "sync", "{revised}");
    assert_eq!(revised["reading_picked"], true, "{revised}");
    let task = app.confirm(revised["plan_id"].as_str().unwrap()).await;
    assert_eq!(app.wait_until_done(task).await["state"], "succeeded");
    assert_eq!(
        std::fs::read_to_string(app.root.join("usb/a.md")).unwrap(),
        "a"
    );
}
