//! Other sites stay out, with or without an admin token: a request naming a
//! host Tend does not answer to (DNS rebinding) is refused, and so is a
//! change or a websocket handshake sent by another site's page. Each test
//! runs against a server without a token and one with a token, whose
//! requests carry it as a script's would.

mod support;

use reqwest::header::{AUTHORIZATION, HOST, ORIGIN};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::{spawn_app_with, TestApp};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Error as WsError;

const TOKEN: &str = "correct-horse-battery-staple";
const PUBLIC_NAME: &str = "tend.example.org";

/// A server without and one with an admin token, both also answering to
/// [`PUBLIC_NAME`].
async fn servers() -> [TestApp; 2] {
    let start = |token: Option<&str>| {
        let token = token.map(String::from);
        spawn_app_with(move |c| {
            c.admin_token = token;
            c.public_names = vec![PUBLIC_NAME.into()];
        })
    };
    [start(None).await, start(Some(TOKEN)).await]
}

/// `127.0.0.1:<port>`: the `Host` a browser on the console sends.
fn own_host(app: &TestApp) -> String {
    app.url.trim_start_matches("http://").to_string()
}

/// A request to `path` that says it is for `host`, from `origin` if any;
/// `app.client` adds the token when the server has one.
fn request(
    app: &TestApp,
    method: Method,
    path: &str,
    host: &str,
    origin: Option<&str>,
) -> reqwest::RequestBuilder {
    let request = app
        .client
        .request(method, format!("{}{path}", app.url))
        .header(HOST, host);
    match origin {
        Some(origin) => request.header(ORIGIN, origin),
        None => request,
    }
}

/// A command that plans a cleanup of one old file.
fn command(app: &TestApp) -> Value {
    app.write("t/old.tmp", "x", 9);
    json!({ "text": format!("clean up *.tmp in {}", app.root.join("t").display()) })
}

/// The status and JSON body of a response.
async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// How many commands the server has tried to understand (from `/metrics`).
async fn commands_understood(app: &TestApp) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix("tend_nlu_seconds_count "))
        .and_then(|count| count.parse().ok())
        .unwrap_or_else(|| panic!("no tend_nlu_seconds_count in\n{text}"))
}

fn assert_refused(status: StatusCode, body: &Value, code: &str) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], code, "{body}");
}

#[tokio::test]
async fn a_foreign_host_is_refused_before_anything_is_planned() {
    for app in servers().await {
        let evil = format!("evil.example:{}", app.url.rsplit(':').next().unwrap());
        let before = commands_understood(&app).await;

        // The rebinding attack as curl would replay it.
        let attack = request(&app, Method::POST, "/api/commands", &evil, None)
            .header(ORIGIN, format!("http://{evil}"))
            .json(&command(&app));
        let (status, body) = answer(attack).await;
        assert_refused(status, &body, "forbidden_host");
        let message = body["error"].as_str().unwrap();
        assert!(
            message.contains("localhost") && message.contains(PUBLIC_NAME),
            "the refusal says which names are answered: {message}"
        );
        assert!(message.contains("public_names"), "{message}");
        assert_eq!(commands_understood(&app).await, before, "nothing planned");

        for path in ["/", "/api/tasks", "/api/health", "/metrics"] {
            let (status, body) = answer(request(&app, Method::GET, path, &evil, None)).await;
            assert_refused(status, &body, "forbidden_host");
        }
    }
}

#[tokio::test]
async fn loopback_names_and_public_names_are_answered() {
    for app in servers().await {
        let port = app.url.rsplit(':').next().unwrap().to_string();
        let hosts = [
            own_host(&app),
            format!("localhost:{port}"),
            "localhost".to_string(),
            format!("[::1]:{port}"),
            PUBLIC_NAME.to_string(),
            format!("TEND.example.org:{port}"),
        ];
        for host in &hosts {
            let (status, body) = answer(request(&app, Method::GET, "/", host, None)).await;
            assert_eq!(status, StatusCode::OK, "{host}: {body}");
            let post =
                request(&app, Method::POST, "/api/commands", host, None).json(&command(&app));
            let (status, body) = answer(post).await;
            assert_eq!(status, StatusCode::OK, "{host}: {body}");
            assert_eq!(body["kind"], "plan", "{host}: {body}");
        }
    }
}

#[tokio::test]
async fn changes_from_another_sites_page_are_refused_and_from_ours_pass() {
    for app in servers().await {
        let host = own_host(&app);
        let post = |origin: Option<&str>| {
            request(&app, Method::POST, "/api/commands", &host, origin).json(&command(&app))
        };
        let evil = host.replace("127.0.0.1", "evil.example");
        for foreign in [
            format!("http://{evil}"),
            "null".to_string(),
            // Our name on another port is another site.
            "http://127.0.0.1:1".to_string(),
        ] {
            let (status, body) = answer(post(Some(&foreign))).await;
            assert_refused(status, &body, "forbidden_origin");
            assert!(body["error"].as_str().unwrap().contains("Origin"), "{body}");
        }
        for allowed in [Some(format!("http://{host}")), None] {
            let (status, body) = answer(post(allowed.as_deref())).await;
            assert_eq!(status, StatusCode::OK, "{allowed:?}: {body}");
            assert_eq!(body["kind"], "plan", "{body}");
        }

        // Behind a TLS proxy the page is https and the Host its public name.
        let proxied = request(
            &app,
            Method::POST,
            "/api/commands",
            PUBLIC_NAME,
            Some(&format!("https://{PUBLIC_NAME}")),
        )
        .json(&command(&app));
        let (status, body) = answer(proxied).await;
        assert_eq!(status, StatusCode::OK, "{body}");

        // Reading is not a change: what another page may read is the
        // browser's call (CORS), and Tend sends no CORS headers.
        let read = request(
            &app,
            Method::GET,
            "/api/tasks",
            &host,
            Some(&format!("http://{evil}")),
        );
        assert_eq!(answer(read).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_signed_in_browser_cannot_be_signed_in_or_out_by_another_site() {
    let [_, app] = servers().await;
    let host = own_host(&app);
    let evil = format!("http://{}", host.replace("127.0.0.1", "evil.example"));
    for path in ["/login", "/logout"] {
        let form = request(&app, Method::POST, path, &host, Some(&evil)).form(&[("token", TOKEN)]);
        let (status, body) = answer(form).await;
        assert_refused(status, &body, "forbidden_origin");
    }
}

/// The websocket handshake for the event stream, from `origin`, with the
/// token when the server has one; the handshake's status.
async fn open_events(app: &TestApp, origin: &str) -> u16 {
    let ws_url = app.url.replace("http://", "ws://") + "/api/events";
    let mut handshake = ws_url.into_client_request().unwrap();
    let headers = handshake.headers_mut();
    headers.insert(ORIGIN, origin.parse().unwrap());
    if app.config.admin_token.is_some() {
        headers.insert(AUTHORIZATION, format!("Bearer {TOKEN}").parse().unwrap());
    }
    match tokio_tungstenite::connect_async(handshake).await {
        Ok((mut socket, response)) => {
            let snapshot = support::next_message(&mut socket).await;
            assert_eq!(snapshot["type"], "snapshot", "{snapshot}");
            response.status().as_u16()
        }
        Err(WsError::Http(response)) => {
            let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
            assert_eq!(body["code"], "forbidden_origin", "{body}");
            response.status().as_u16()
        }
        Err(other) => panic!("the handshake failed: {other}"),
    }
}

#[tokio::test]
async fn the_event_stream_opens_only_for_our_own_pages() {
    for app in servers().await {
        let own = format!("http://{}", own_host(&app));
        let evil = own.replace("127.0.0.1", "evil.example");
        assert_eq!(open_events(&app, &evil).await, 403);
        assert_eq!(open_events(&app, &own).await, 101);
    }
}
