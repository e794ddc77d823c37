//! The server-rendered page carries the console, the task panel and the
//! hydration scripts; the site files are served beside it.

mod support;

use serde_json::{json, Value};
use support::spawn_app_with;

#[tokio::test]
async fn the_page_renders_the_console_and_loads_the_bundle() {
    let app = spawn_app_with(|c| {
        let site = c.data_dir.parent().unwrap().join("site/pkg");
        std::fs::create_dir_all(&site).unwrap();
        std::fs::write(site.join("tend.css"), "body{}").unwrap();
    })
    .await;
    let html = app
        .client
        .get(&app.url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"aria-label="Command""#), "{html}");
    assert!(html.contains(r#"aria-label="Tasks""#));
    assert!(html.contains("/pkg/tend.js"));
    assert!(html.contains("tend_bg"));
    let css = app
        .client
        .get(format!("{}/pkg/tend.css", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), 200);
    assert_eq!(css.text().await.unwrap(), "body{}");
}

#[tokio::test]
async fn the_welcome_says_which_roots_are_allowed_and_how_to_allow_another() {
    let nas_parent = tempfile::tempdir().unwrap();
    let nas = nas_parent.path().join("nas");
    let app = spawn_app_with(|c| c.extra_allowed_roots.push(nas.clone())).await;
    let html = app.get("/").await.text().await.unwrap();
    for part in [
        "allowed roots",
        "allowed_roots",
        "tend.toml",
        "TEND_ALLOWED_ROOTS",
    ] {
        assert!(html.contains(part), "{part}: {html}");
    }

    // The browser asks which roots they are, and which are there now.
    let session: Value = app.json("/api/session").await;
    let root = |path: &std::path::Path, present: bool| json!({"path": path.display().to_string(), "present": present});
    assert_eq!(
        session["allowed_roots"],
        json!([
            root(&app.config.data_dir.join("files"), true),
            root(&app.root, true),
            root(&nas, false),
        ]),
        "{session}"
    );
}
