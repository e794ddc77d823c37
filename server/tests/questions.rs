//! Clarifying questions: a command missing a path gets one question, and the
//! next message of the same console session answers it.

mod support;

use support::spawn_app;

#[tokio::test]
async fn a_missing_destination_is_asked_for_and_the_answer_completes_the_plan() {
    let app = spawn_app().await;
    app.write("photos/a.jpg", "jpeg", 1);
    let photos = app.root.join("photos");
    let repo = app.root.join("nas/photos-backup");

    let question = app
        .say("console-1", &format!("back up {}", photos.display()))
        .await;
    assert_eq!(question["kind"], "reply", "{question}");
    assert!(
        question["message"]
            .as_str()
            .unwrap()
            .contains("which repository"),
        "{question}"
    );

    // Another console's message is not the answer.
    let other = app.say("console-2", &repo.display().to_string()).await;
    assert_ne!(other["kind"], "plan", "{other}");

    let plan = app
        .say("console-1", &format!("to {}", repo.display()))
        .await;
    assert_eq!(plan["kind"], "plan", "{plan}");
    assert_eq!(plan["workflow"], "backup");
    let values: Vec<&str> = plan["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_str().unwrap())
        .collect();
    assert!(values.contains(&photos.to_str().unwrap()), "{plan}");
    assert!(values.contains(&repo.to_str().unwrap()), "{plan}");
    assert!(!repo.exists(), "a plan writes nothing");
}

#[tokio::test]
async fn never_mind_drops_the_question() {
    let app = spawn_app().await;
    app.write("docs/a.txt", "a", 1);
    let docs = app.root.join("docs");
    let question = app.say("s", &format!("mirror {}", docs.display())).await;
    assert_eq!(question["kind"], "reply", "{question}");
    let dropped = app.say("s", "never mind").await;
    assert!(
        dropped["message"].as_str().unwrap().contains("dropped"),
        "{dropped}"
    );
    // The path that follows is not taken as an answer any more.
    let after = app
        .say("s", &app.root.join("usb").display().to_string())
        .await;
    assert_ne!(after["kind"], "plan", "{after}");
    assert!(!app.root.join("usb").exists());
}
