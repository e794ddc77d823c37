//! Signing in: with an admin token, nothing but the health check and the
//! sign-in page answers without it; browsers sign in once for a cookie.

mod support;

use reqwest::header::{AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use support::{spawn_app_with, test_config};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Error as WsError;

const TOKEN: &str = "correct-horse-battery-staple";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts the sign-in form with `token`.
async fn post_login(client: &reqwest::Client, url: &str, token: &str) -> reqwest::Response {
    client
        .post(format!("{url}/login"))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_api_answers_only_with_the_token() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    app.write("t/old.tmp", "x", 9);
    let client = no_redirects();
    let api = |path: &str| format!("{}/api{path}", app.url);

    let health = client.get(api("/health")).send().await.unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "health stays open for probes"
    );

    let refused = client.get(api("/tasks")).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(refused.headers()[WWW_AUTHENTICATE], "Bearer");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], "unauthorized", "{body}");
    assert!(body["error"].as_str().unwrap().contains("Bearer"), "{body}");

    let command = json!({ "text": format!("clean up *.tmp in {}", app.root.join("t").display()) });
    let wrong = client
        .post(api("/commands"))
        .header(AUTHORIZATION, "Bearer not-the-token-at-all")
        .json(&command)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);

    let planned = client
        .post(api("/commands"))
        .header(AUTHORIZATION, format!("Bearer {TOKEN}"))
        .json(&command)
        .send()
        .await
        .unwrap();
    assert_eq!(planned.status(), StatusCode::OK);
    let plan: Value = planned.json().await.unwrap();
    assert_eq!(plan["preview"]["file_count"], 1, "{plan}");
}

#[tokio::test]
async fn a_browser_signs_in_once_and_its_cookie_opens_pages_and_the_event_stream() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    let client = no_redirects();

    let page = client.get(&app.url).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    assert_eq!(page.headers()[LOCATION], "/login");
    let form = client
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    let form = form.text().await.unwrap();
    assert!(form.contains(r#"name="name""#) && form.contains(r#"name="password""#));
    assert!(
        form.contains("leave the name empty"),
        "the token's way in is explained"
    );

    let wrong = post_login(&client, &app.url, "a-wrong-guess-of-it").await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    assert!(wrong.headers().get(SET_COOKIE).is_none());
    assert!(wrong.text().await.unwrap().contains("not the admin token"));

    let signed_in = post_login(&client, &app.url, TOKEN).await;
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    assert_eq!(signed_in.headers()[LOCATION], "/");
    let set_cookie = signed_in.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"));
    assert!(!set_cookie.contains(TOKEN), "the cookie is not the token");
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    let send = |request: reqwest::RequestBuilder| request.header(COOKIE, &cookie).send();

    let page = send(client.get(&app.url)).await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let tasks = send(client.get(format!("{}/api/tasks", app.url)))
        .await
        .unwrap();
    assert_eq!(tasks.status(), StatusCode::OK);

    // The websocket: refused without the cookie, live with it.
    let ws_url = app.url.replace("http://", "ws://") + "/api/events";
    match tokio_tungstenite::connect_async(ws_url.as_str()).await {
        Err(WsError::Http(response)) => assert_eq!(response.status(), 401),
        other => panic!("expected a 401 handshake, got {:?}", other.map(|_| ())),
    }
    let mut request = ws_url.as_str().into_client_request().unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let snapshot = support::next_message(&mut socket).await;
    assert!(snapshot.is_object(), "{snapshot}");

    let signed_out = send(client.post(format!("{}/logout", app.url)))
        .await
        .unwrap();
    assert_eq!(signed_out.status(), StatusCode::SEE_OTHER);
    assert!(signed_out.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
}

#[tokio::test]
async fn without_a_token_there_is_no_sign_in_page_and_nothing_is_gated() {
    let app = support::spawn_app().await;
    let client = no_redirects();
    let login = client
        .get(format!("{}/login", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::SEE_OTHER);
    assert_eq!(login.headers()[LOCATION], "/");
    let tasks = client
        .get(format!("{}/api/tasks", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(tasks.status(), StatusCode::OK);
    let session = support::get_json(&client, &format!("{}/api/session", app.url)).await;
    assert_eq!(session["sign_in"], false);
}

#[tokio::test]
async fn an_address_other_machines_reach_is_refused_without_a_token() {
    let home = tempfile::tempdir().unwrap();
    let mut config = test_config(home.path());
    config.bind = "0.0.0.0:0".parse().unwrap();
    let error = match tend::startup::start(config.clone()).await {
        Ok(_) => panic!("a server open to the network without a token started"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("admin_token"), "{error}");
    config.admin_token = Some("short".into());
    let error = match tend::startup::start(config).await {
        Ok(_) => panic!("a short token was accepted"),
        Err(e) => e.to_string(),
    };
    assert!(error.contains("at least 16"), "{error}");
}

#[tokio::test]
async fn the_backup_password_is_shown_on_request_and_only_past_the_gate() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    let client = no_redirects();
    let get = |path: &str, token: Option<&str>| {
        let request = client.get(format!("{}/api{path}", app.url));
        match token {
            Some(t) => request.header(AUTHORIZATION, format!("Bearer {t}")),
            None => request,
        }
    };
    let json = |path: &'static str| async move {
        let answer = get(path, Some(TOKEN)).send().await.unwrap();
        answer.json::<Value>().await.unwrap()
    };
    let refused = get("/backup-password", None).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(json("/session").await["sign_in"], true);

    // Before any backup there is none, and asking does not make one.
    let before = json("/backup-password").await;
    assert_eq!(before["password"], Value::Null, "{before}");
    assert!(before["advice"]
        .as_str()
        .unwrap()
        .contains("No backup repository"));
    let file = app.config.data_dir.join("secrets/restic.password");
    assert!(!file.exists());

    app.write("photos/a.jpg", "pixels", 1);
    let id = app
        .plan_and_confirm(&format!(
            "back up {} to {}",
            app.root.join("photos").display(),
            app.root.join("repo").display()
        ))
        .await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    let shown = get("/backup-password", Some(TOKEN)).send().await.unwrap();
    assert_eq!(shown.headers()["cache-control"], "no-store");
    let shown: Value = shown.json().await.unwrap();
    let on_disk = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        shown["password"].as_str(),
        Some(on_disk.trim_end()),
        "{shown}"
    );
    assert!(shown["advice"].as_str().unwrap().contains("restic"));
    assert_eq!(
        shown["file"].as_str(),
        Some(file.canonicalize().unwrap().to_str().unwrap())
    );
}

#[tokio::test]
async fn an_address_sending_wrong_tokens_is_held_off_for_a_while() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    let client = no_redirects();
    let tasks = format!("{}/api/tasks", app.url);
    let with = |token: &str| {
        client
            .get(&tasks)
            .header(AUTHORIZATION, format!("Bearer {token}"))
            .send()
    };

    // A browser signed in before the guessing starts keeps working.
    let signed_in = post_login(&client, &app.url, TOKEN).await;
    let cookie = signed_in.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();

    for guess in 0..10 {
        let refused = with(&format!("guess-number-{guess}")).await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "guess {guess}");
    }
    // Now even the right token waits: answering it would tell a guesser
    // which guess was right.
    let held = with(TOKEN).await.unwrap();
    assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = held.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = held.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts", "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("try again in"),
        "{body}"
    );

    let form = post_login(&client, &app.url, TOKEN).await;
    assert_eq!(form.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(form.headers().contains_key("retry-after"));
    assert!(form.text().await.unwrap().contains("Too many wrong tokens"));

    let browser = client
        .get(&tasks)
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        browser.status(),
        StatusCode::OK,
        "a session cookie is not a guess"
    );
}
