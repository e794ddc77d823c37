//! The live event stream: a snapshot on connect, then every change pushed.

mod support;

use serde_json::Value;
use support::{connect_events as connect, next_message, spawn_app};

#[tokio::test]
async fn every_client_gets_a_snapshot_then_each_state_change() {
    let app = spawn_app().await;
    for i in 0..50 {
        app.write(&format!("w/f{i}.tmp"), "data", 9);
    }
    let mut first = connect(&app.url).await;
    let mut second = connect(&app.url).await;
    for socket in [&mut first, &mut second] {
        let snapshot = next_message(socket).await;
        assert_eq!(snapshot["type"], "snapshot");
        assert_eq!(snapshot["tasks"], Value::Array(vec![]));
    }

    let plan = app
        .plan(&format!(
            "clean up *.tmp in {}",
            app.root.join("w").display()
        ))
        .await;
    let task_id = app.confirm(plan["plan_id"].as_str().unwrap()).await;

    for socket in [&mut first, &mut second] {
        let mut states = Vec::new();
        let mut last_revision = -1;
        loop {
            let message = next_message(socket).await;
            assert_eq!(message["type"], "task");
            let task = &message["task"];
            assert_eq!(task["id"], task_id);
            let revision = task["revision"].as_i64().unwrap();
            assert!(revision > last_revision, "revisions only grow");
            last_revision = revision;
            let state = task["state"].as_str().unwrap().to_string();
            if states.last() != Some(&state) {
                states.push(state.clone());
            }
            if state == "succeeded" {
                assert_eq!(task["progress"]["files_done"], 50);
                assert_eq!(task["progress"]["files_total"], 50);
                break;
            }
        }
        assert_eq!(states, ["queued", "running", "succeeded"]);
    }

    // A client connecting later gets the finished task in its snapshot.
    let mut late = connect(&app.url).await;
    let snapshot = next_message(&mut late).await;
    assert_eq!(snapshot["tasks"][0]["id"], task_id);
    assert_eq!(snapshot["tasks"][0]["state"], "succeeded");
}
