//! The server-rendered page carries the console, the task panel and the
//! hydration scripts; the site files are served beside it.

mod support;

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
