//! Every API error, bad input that never reaches a handler included, answers
//! with the same JSON shape (`code` and a human `error`), never axum's plain
//! text.

mod support;

use serde_json::Value;
use support::spawn_app;

/// Sends a request and returns its status and JSON error body, failing if
/// the body is not the JSON error shape.
async fn error_of(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let text = response.text().await.unwrap();
    assert!(
        content_type.starts_with("application/json"),
        "{status} {content_type}: {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap();
    assert!(body["code"].is_string(), "{body}");
    assert!(
        body["error"].as_str().is_some_and(|e| e.len() > 10),
        "{body}"
    );
    (status, body)
}

#[tokio::test]
async fn a_task_number_that_is_not_a_number_gets_a_json_error() {
    let app = spawn_app().await;
    for id in ["99999999999999999999", "abc", "-"] {
        let url = format!("{}/api/tasks/{id}", app.url);
        let (status, body) = error_of(app.client.get(&url)).await;
        assert_eq!(status, 400, "{id}: {body}");
        assert_eq!(body["code"], "invalid_path", "{id}: {body}");
        let message = body["error"].as_str().unwrap();
        assert!(message.contains(&format!("\"{id}\"")), "{message}");
        assert!(message.contains("whole number"), "{message}");
    }
    // Every route with a number in its path, not only the one above.
    for (method, path) in [
        (reqwest::Method::POST, "/api/tasks/x/cancel"),
        (reqwest::Method::GET, "/api/tasks/x/events"),
        (reqwest::Method::GET, "/api/schedules/x"),
        (reqwest::Method::POST, "/api/schedules/x/stop"),
        (reqwest::Method::DELETE, "/api/rules/phrases/x"),
    ] {
        let request = app.client.request(method, format!("{}{path}", app.url));
        let (status, body) = error_of(request).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["code"], "invalid_path", "{path}: {body}");
    }
}

#[tokio::test]
async fn a_bad_query_gets_a_json_error() {
    let app = spawn_app().await;
    let url = format!("{}/api/tasks?limit=many", app.url);
    let (status, body) = error_of(app.client.get(&url)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "invalid_query", "{body}");
    assert!(body["error"].as_str().unwrap().contains("limit"), "{body}");
}

#[tokio::test]
async fn a_malformed_or_mistyped_command_body_gets_a_json_error() {
    let app = spawn_app().await;
    let url = format!("{}/api/commands", app.url);
    for body in ["{\"text\": ", "{\"text\": 5}", "[]"] {
        let request = app
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body);
        let (status, answer) = error_of(request).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["code"], "invalid_json", "{body}: {answer}");
    }
    let request = app.client.post(&url).body("{\"text\": \"status\"}");
    let (status, answer) = error_of(request).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], "content_type", "{answer}");
}

#[tokio::test]
async fn a_method_a_route_does_not_take_gets_a_json_error() {
    let app = spawn_app().await;
    let url = format!("{}/api/commands", app.url);
    let (status, body) = error_of(app.client.get(&url)).await;
    assert_eq!(status, 405, "{body}");
    assert_eq!(body["code"], "method_not_allowed", "{body}");
    // The websocket endpoint asked without an upgrade.
    let url = format!("{}/api/events", app.url);
    let (status, body) = error_of(app.client.get(&url)).await;
    assert!((400..500).contains(&status), "{status}: {body}");
}
