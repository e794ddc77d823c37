//! People and trust through the real server: users with roles sign in
//! with passwords, every route checks the role, sessions end on sign-out,
//! disable and password change (on every node), wrong passwords are held
//! off, and an append-only audit log records who did what.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::databases::TestDatabase;
use support::{spawn_app_with, TestApp};
use tend::http::auth::roles::{Needed, API_ROUTES};
use tend::people::Role;

const TOKEN: &str = "correct-horse-battery-staple";
const PASSWORD: &str = "a long enough password";

/// A client that carries nothing by itself: each call says who it is.
fn bare() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Adds a user through the API with the admin token (the app's client).
async fn add_user(app: &TestApp, name: &str, role: &str) -> Value {
    let response = app
        .client
        .post(format!("{}/api/users", app.url))
        .json(&json!({"name": name, "role": role, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

/// Signs in at `url` through `POST /api/login`; the session cookie.
async fn sign_in(url: &str, name: &str, password: &str) -> Result<String, (StatusCode, Value)> {
    let response = bare()
        .post(format!("{url}/api/login"))
        .json(&json!({"name": name, "password": password}))
        .send()
        .await
        .unwrap();
    if response.status() != StatusCode::OK {
        let status = response.status();
        return Err((status, response.json().await.unwrap_or(Value::Null)));
    }
    let cookie = response.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let body: Value = response.json().await.unwrap();
    assert!(
        body["name"].as_str().unwrap().eq_ignore_ascii_case(name),
        "{body}"
    );
    Ok(cookie.split(';').next().unwrap().to_string())
}

async fn call(url: &str, method: Method, path: &str, cookie: Option<&str>) -> reqwest::Response {
    let mut request = bare().request(method.clone(), format!("{url}{path}"));
    if let Some(cookie) = cookie {
        request = request.header(COOKIE, cookie);
    }
    if method != Method::GET {
        request = request.json(&json!({}));
    }
    request.send().await.unwrap()
}

/// A path of `route` with its parameters filled in.
fn concrete(route: &str) -> String {
    route.replace("{kind}", "phrases").replace("{id}", "987654")
}

#[tokio::test]
async fn each_role_reaches_exactly_the_routes_its_role_allows() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    let mut cookies = BTreeMap::new();
    for role in Role::ALL {
        let name = format!("{}-user", role.as_str());
        add_user(&app, &name, role.as_str()).await;
        cookies.insert(role, sign_in(&app.url, &name, PASSWORD).await.unwrap());
    }
    let mut checked = 0;
    for (route, methods) in API_ROUTES {
        // Signing out would end the session the other calls use.
        if *route == "/api/logout" {
            continue;
        }
        let path = concrete(route);
        for (method, needed) in methods.iter() {
            let anonymous = call(&app.url, method.clone(), &path, None).await;
            match needed {
                Needed::Nobody => {
                    assert_ne!(
                        anonymous.status(),
                        StatusCode::UNAUTHORIZED,
                        "{method} {path}"
                    );
                    continue;
                }
                Needed::Role(_) => assert_eq!(
                    anonymous.status(),
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} without signing in"
                ),
                other => panic!("{route} lists {other:?}"),
            }
            let Needed::Role(needed) = needed else {
                unreachable!()
            };
            for (role, cookie) in &cookies {
                let response = call(&app.url, method.clone(), &path, Some(cookie)).await;
                let status = response.status();
                if role.allows(*needed) {
                    assert!(
                        status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                        "{method} {path} as {role:?}: {status}"
                    );
                } else {
                    assert_eq!(status, StatusCode::FORBIDDEN, "{method} {path} as {role:?}");
                    let body: Value = response.json().await.unwrap();
                    assert_eq!(body["code"], "forbidden");
                    let message = body["error"].as_str().unwrap();
                    assert!(message.contains(needed.as_str()), "{message}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "only {checked} calls checked");

    // Pages: the admin's are refused to the others, with the role named.
    for (role, cookie) in &cookies {
        for (page, admin_only) in [
            ("/rules", true),
            ("/audit", true),
            ("/users", true),
            ("/tasks", false),
        ] {
            let response = call(&app.url, Method::GET, page, Some(cookie)).await;
            let refused = admin_only && *role != Role::Admin;
            assert_eq!(
                response.status() == StatusCode::FORBIDDEN,
                refused,
                "{page} as {role:?}: {}",
                response.status()
            );
        }
    }
}

#[test]
fn every_route_the_router_serves_has_a_rule_for_each_of_its_methods() {
    let source = include_str!("../src/http/router.rs");
    let api = source
        .split("let api = Router::new()")
        .nth(1)
        .and_then(|rest| rest.split(".fallback(").next())
        .expect("the API's routes in router.rs");
    let mut served = BTreeSet::new();
    for route in api.split(".route(").skip(1) {
        let path = route.split('"').nth(1).unwrap();
        for method in ["get", "post", "put", "patch", "delete"] {
            let call = format!("{method}(");
            let called = route
                .match_indices(&call)
                .any(|(at, _)| !route[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_'));
            if called {
                served.insert((format!("/api{path}"), method.to_uppercase()));
            }
        }
    }
    let ruled: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .flat_map(|(route, methods)| {
            methods
                .iter()
                .map(move |(method, _)| (route.to_string(), method.as_str().to_string()))
        })
        .collect();
    assert!(served.len() > 30, "{served:?}");
    assert_eq!(
        served.difference(&ruled).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes without a role rule"
    );
    assert_eq!(
        ruled.difference(&served).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "rules for routes that are not served"
    );
}

#[tokio::test]
async fn sessions_end_on_sign_out_on_disable_and_on_a_new_password() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    let alice = add_user(&app, "alice", "operator").await;
    let session = |cookie: String| {
        let url = app.url.clone();
        async move { call(&url, Method::GET, "/api/session", Some(&cookie)).await }
    };

    // Signed in: the session says who and as what.
    let first = sign_in(&app.url, "Alice", PASSWORD).await.unwrap();
    let me: Value = session(first.clone()).await.json().await.unwrap();
    assert_eq!(
        (me["user"].as_str(), me["role"].as_str()),
        (Some("alice"), Some("operator"))
    );
    // A JSON POST with the cookie is taken from Tend's own page, not another site's.
    let from = |origin: &str| {
        bare()
            .post(format!("{}/api/commands", app.url))
            .header(COOKIE, &first)
            .header("origin", origin)
            .json(&json!({"text": "what is running?"}))
            .send()
    };
    assert_eq!(from(&app.url).await.unwrap().status(), StatusCode::OK);
    let foreign = from("http://evil.example:3000").await.unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let wrong = sign_in(&app.url, "alice", "not the password at all")
        .await
        .unwrap_err();
    assert_eq!(wrong.0, StatusCode::UNAUTHORIZED);
    assert!(
        wrong.1["error"].as_str().unwrap().contains("do not match"),
        "{}",
        wrong.1
    );

    // Signing out ends that session, not the other.
    let second = sign_in(&app.url, "alice", PASSWORD).await.unwrap();
    let out = call(&app.url, Method::POST, "/api/logout", Some(&first)).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        session(first.clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(session(second.clone()).await.status(), StatusCode::OK);

    // A new password ends every other session; the old password no longer works.
    let id = alice["id"].as_i64().unwrap();
    let change = |body: Value| {
        app.client
            .patch(format!("{}/api/users/{id}", app.url))
            .json(&body)
            .send()
    };
    let changed = change(json!({"reset_password": true})).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    let changed: Value = changed.json().await.unwrap();
    let new_password = changed["password"].as_str().unwrap().to_string();
    assert_eq!(
        session(second.clone()).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(sign_in(&app.url, "alice", PASSWORD).await.is_err());
    let third = sign_in(&app.url, "alice", &new_password).await.unwrap();

    // Disabling ends the session and refuses the password.
    let disabled = change(json!({"disabled": true})).await.unwrap();
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_eq!(session(third).await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        sign_in(&app.url, "alice", &new_password)
            .await
            .unwrap_err()
            .0,
        StatusCode::UNAUTHORIZED
    );
    change(json!({"disabled": false})).await.unwrap();
    assert!(sign_in(&app.url, "alice", &new_password).await.is_ok());

    // A name is taken in any case; a short password is refused.
    let taken = app
        .client
        .post(format!("{}/api/users", app.url))
        .json(&json!({"name": "ALICE", "role": "viewer"}))
        .send()
        .await
        .unwrap();
    assert_eq!(taken.status(), StatusCode::CONFLICT);
    let short = app
        .client
        .post(format!("{}/api/users", app.url))
        .json(&json!({"name": "bob", "role": "viewer", "password": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_admin_cannot_lock_themselves_out() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    let root = add_user(&app, "root", "admin").await;
    let cookie = sign_in(&app.url, "root", PASSWORD).await.unwrap();
    let id = root["id"].as_i64().unwrap();
    for body in [json!({"disabled": true}), json!({"role": "viewer"})] {
        let response = bare()
            .patch(format!("{}/api/users/{id}", app.url))
            .header(COOKIE, &cookie)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CONFLICT, "{body}");
    }
    // Their own new password keeps the session that set it.
    let response = bare()
        .patch(format!("{}/api/users/{id}", app.url))
        .header(COOKIE, &cookie)
        .json(&json!({"password": "another long password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        call(&app.url, Method::GET, "/api/session", Some(&cookie))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn wrong_passwords_hold_off_the_address_and_the_name() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    add_user(&app, "carol", "viewer").await;
    for _ in 0..10 {
        let (status, _) = sign_in(&app.url, "carol", "guessing wrongly")
            .await
            .unwrap_err();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    // Now even the right password waits: answering it would tell a guesser
    // when it hit.
    let (status, body) = sign_in(&app.url, "carol", PASSWORD).await.unwrap_err();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], "too_many_attempts");
    // The admin token's form is held off from this address too.
    let form = bare()
        .post(format!("{}/login", app.url))
        .form(&[("password", TOKEN)])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn the_audit_log_records_who_did_what_and_no_call_can_change_it() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    add_user(&app, "olga", "operator").await;
    let _ = sign_in(&app.url, "olga", "wrong wrong wrong").await;
    let olga = sign_in(&app.url, "olga", PASSWORD).await.unwrap();
    app.write("scratch/old.tmp", "x", 10);
    let scratch = app.root.join("scratch");

    // Olga types a command and confirms it; cancels a second plan.
    let as_olga = |method: Method, path: String, body: Value| {
        bare()
            .request(method, format!("{}{path}", app.url))
            .header(COOKIE, &olga)
            .json(&body)
            .send()
    };
    let olga_json = |path: String, body: Value| {
        let sent = as_olga(Method::POST, path, body);
        async move { sent.await.unwrap().json::<Value>().await.unwrap() }
    };
    let text = format!("clean up *.tmp in {}", scratch.display());
    let plan = olga_json("/api/commands".into(), json!({"text": text})).await;
    let plan_id = plan["plan_id"].as_str().unwrap().to_string();
    let confirmed = olga_json(format!("/api/plans/{plan_id}/confirm"), json!({})).await;
    let task = confirmed["task_id"].as_i64().unwrap();
    // The plan and its task say who asked.
    assert_eq!(plan["asked_by"], "olga", "{plan}");
    let stored: Value = app.json(&format!("/api/plans/{plan_id}")).await;
    assert_eq!(stored["plan"]["asked_by"], "olga", "{stored}");
    assert_eq!(app.wait_until_done(task).await["asked_by"], "olga");
    let other = olga_json("/api/commands".into(), json!({"text": text})).await;
    let other_id = other["plan_id"].as_str().unwrap().to_string();
    olga_json(format!("/api/plans/{other_id}/cancel"), json!({})).await;
    // A mirror whose source is gone by the time it runs waits to try again;
    // Olga cancels it, then runs it again.
    let gone = app.root.join("gone");
    std::fs::create_dir_all(&gone).unwrap();
    let mirror = format!(
        "mirror {} to {}",
        gone.display(),
        app.root.join("usb").display()
    );
    let mirror = olga_json("/api/commands".into(), json!({"text": mirror})).await;
    std::fs::remove_dir(&gone).unwrap();
    let mirror_id = mirror["plan_id"].as_str().unwrap().to_string();
    let failed = olga_json(format!("/api/plans/{mirror_id}/confirm"), json!({})).await;
    let failed = failed["task_id"].as_i64().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.task(failed).await["state"] != "retrying" {
        assert!(
            std::time::Instant::now() < deadline,
            "the mirror never failed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let cancelled = as_olga(
        Method::POST,
        format!("/api/tasks/{failed}/cancel"),
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(cancelled.status(), StatusCode::OK);
    let retried = as_olga(
        Method::POST,
        format!("/api/tasks/{failed}/retry"),
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(retried.status(), StatusCode::OK);
    let retried: Value = retried.json().await.unwrap();
    assert_eq!(
        retried["task"]["asked_by"], "olga",
        "a retry is the same request"
    );

    // The admin (token) adds a rule, reveals the backup password, adds a user.
    app.client
        .post(format!("{}/api/rules/phrases", app.url))
        .json(&json!({"pattern": "tidy up", "intent": "cleanup"}))
        .send()
        .await
        .unwrap();
    let secrets = app.config.data_dir.join("secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    std::fs::write(secrets.join("restic.password"), "the repository password\n").unwrap();
    assert_eq!(
        app.get("/api/backup-password").await.status(),
        StatusCode::OK
    );
    add_user(&app, "vera", "viewer").await;
    let out = call(&app.url, Method::POST, "/api/logout", Some(&olga)).await;
    assert_eq!(out.status(), StatusCode::NO_CONTENT);

    let entries: Vec<Value> = app.json("/api/audit?limit=100").await;
    let seen: Vec<(String, String, String)> = entries
        .iter()
        .map(|e| {
            (
                e["user"].as_str().unwrap_or("").to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let has = |user: &str, action: &str, detail: &str| {
        assert!(
            seen.iter()
                .any(|(u, a, d)| u == user && a == action && d.contains(detail)),
            "no {action} by {user} with {detail:?} in {seen:#?}"
        );
    };
    has("olga", "sign_in.failed", "wrong password");
    has("olga", "sign_in", "operator");
    has("olga", "command", &text);
    has("olga", "command", "understood as plan");
    has("olga", "plan.confirmed", &format!("task #{task}"));
    has("olga", "plan.cancelled", &other_id);
    has("olga", "task.cancelled", &format!("task #{failed}"));
    has("olga", "task.retried", &format!("task #{failed} as task #"));
    has("admin token", "rule.added", "tidy up");
    has("admin token", "backup_password.revealed", "restic.password");
    has("admin token", "user.added", "vera as viewer");
    has("olga", "sign_out", "");
    assert_recorded(&entries, AUDITED_FIRST);
    // Newest first, each with when and from where.
    assert_eq!(entries[0]["action"], "sign_out");
    for entry in &entries {
        assert!(entry["at"].as_i64().unwrap() > 0);
        assert_eq!(entry["address"], "127.0.0.1");
    }
    let ids: Vec<i64> = entries.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "{ids:?}");

    // Filters and paging.
    let olgas: Vec<Value> = app.json("/api/audit?user=OLGA&action=plan.").await;
    assert_eq!(olgas.len(), 3, "{olgas:#?}");
    let page: Vec<Value> = app
        .json(&format!("/api/audit?limit=2&before={}", ids[1]))
        .await;
    assert_eq!(
        page.iter()
            .map(|e| e["id"].as_i64().unwrap())
            .collect::<Vec<_>>(),
        ids[2..4].to_vec()
    );

    // No call changes it: no route takes anything but GET.
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        for path in ["/api/audit", &format!("/api/audit/{}", ids[0])] {
            let response = app
                .client
                .request(method.clone(), format!("{}{path}", app.url))
                .json(&json!({"detail": "nothing happened"}))
                .send()
                .await
                .unwrap();
            assert!(
                matches!(response.status().as_u16(), 404 | 405),
                "{method} {path}: {}",
                response.status()
            );
        }
    }
    let again: Vec<Value> = app.json("/api/audit?limit=100").await;
    assert_eq!(&again[again.len() - entries.len()..], &entries[..]);
    // Nor can a non-admin read it.
    let vera = sign_in(&app.url, "vera", PASSWORD).await.unwrap();
    let refused = call(&app.url, Method::GET, "/api/audit", Some(&vera)).await;
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn without_a_token_sign_in_begins_with_the_first_user() {
    let open = spawn_app_with(|_| {}).await;
    // Open: whoever reaches this loopback server is the admin.
    let session: Value = open.json("/api/session").await;
    assert_eq!(
        (session["sign_in"].as_bool(), session["role"].as_str()),
        (Some(false), Some("admin"))
    );

    // The first user, added by the command line (before the server starts
    // on that data directory), with a generated password.
    let data = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_tend"))
        .args(["user", "add", "root", "--role", "admin"])
        .env("TEND_DATA_DIR", data.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let data_dir = data.path().to_path_buf();
    let mut app = spawn_app_with(|c| c.data_dir = data_dir).await;
    let printed = String::from_utf8(output.stdout).unwrap();
    let password = printed
        .lines()
        .map(str::trim)
        .find(|l| l.len() >= 16 && !l.contains(' '))
        .expect("the password, on a line of its own");

    // Now the API asks for sign-in, and the password opens it.
    assert_eq!(
        app.get("/api/tasks").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let cookie = sign_in(&app.url, "root", password).await.unwrap();
    let me: Value = call(&app.url, Method::GET, "/api/session", Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (me["sign_in"].as_bool(), me["user"].as_str()),
        (Some(true), Some("root"))
    );
    let audit: Vec<Value> = call(&app.url, Method::GET, "/api/audit", Some(&cookie))
        .await
        .json()
        .await
        .unwrap();
    assert!(audit
        .iter()
        .any(|e| e["user"] == "command line" && e["action"] == "user.added"));

    // With a user, an address other machines reach is allowed without a
    // token: everyone must sign in there.
    app.restart_with(|c| c.bind = "0.0.0.0:0".parse().unwrap())
        .await;
    assert_eq!(
        app.get("/api/tasks").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert!(sign_in(&app.url, "root", password).await.is_ok());
}

#[tokio::test]
async fn sessions_end_on_every_node() {
    let Some(db) = TestDatabase::postgres("people: sessions on two nodes").await else {
        return;
    };
    let url = db.url().to_string();
    let a = spawn_app_with(|c| {
        c.database_url = Some(url.clone());
        c.node_name = Some("node-a".into());
        c.admin_token = Some(TOKEN.into());
    })
    .await;
    let b = spawn_app_with(|c| {
        c.database_url = Some(url);
        c.node_name = Some("node-b".into());
        c.admin_token = Some(TOKEN.into());
        c.workers = 0;
    })
    .await;
    let dana = add_user(&a, "dana", "viewer").await;
    let on = |app: &TestApp, cookie: &str| {
        let (url, cookie) = (app.url.clone(), cookie.to_string());
        async move {
            call(&url, Method::GET, "/api/tasks", Some(&cookie))
                .await
                .status()
        }
    };

    // Signed in on a, known on b; signed out on b, gone on a.
    let first = sign_in(&a.url, "dana", PASSWORD).await.unwrap();
    assert_eq!(on(&b, &first).await, StatusCode::OK);
    call(&b.url, Method::POST, "/api/logout", Some(&first)).await;
    assert_eq!(on(&a, &first).await, StatusCode::UNAUTHORIZED);

    // Disabled on b: the session made on a ends there too.
    let second = sign_in(&a.url, "dana", PASSWORD).await.unwrap();
    assert_eq!(on(&a, &second).await, StatusCode::OK);
    let id = dana["id"].as_i64().unwrap();
    let disabled = b
        .client
        .patch(format!("{}/api/users/{id}", b.url))
        .json(&json!({"disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), StatusCode::OK);
    assert_eq!(on(&a, &second).await, StatusCode::UNAUTHORIZED);
    assert_eq!(on(&b, &second).await, StatusCode::UNAUTHORIZED);
    drop((a, b));
    db.drop_now().await;
}

#[tokio::test]
async fn a_viewers_websocket_gets_task_updates_and_what_it_sends_does_nothing() {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    use tokio_tungstenite::tungstenite::Message;

    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    add_user(&app, "vic", "viewer").await;
    let cookie = sign_in(&app.url, "vic", PASSWORD).await.unwrap();
    let mut request = (app.url.replace("http://", "ws://") + "/api/events")
        .into_client_request()
        .unwrap();
    request
        .headers_mut()
        .insert("cookie", cookie.parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let snapshot = support::next_message(&mut socket).await;
    assert_eq!(snapshot["type"], "snapshot");

    // What a viewer sends is not an action: a command sent down the socket
    // plans and runs nothing.
    socket
        .send(Message::Text(
            json!({"text": "clean up *.tmp in /tmp"}).to_string().into(),
        ))
        .await
        .unwrap();
    // An operator's task reaches the viewer.
    app.write("scratch/old.tmp", "x", 10);
    let task = app
        .plan_and_confirm(&format!(
            "clean up *.tmp in {}",
            app.root.join("scratch").display()
        ))
        .await;
    let update = loop {
        let message = support::next_message(&mut socket).await;
        if message["type"] == "task" && message["task"]["id"] == task {
            break message;
        }
    };
    assert_eq!(update["task"]["asked_by"], "admin token");
    let tasks: Vec<Value> = app.json("/api/tasks").await;
    assert_eq!(tasks.len(), 1, "only the operator's task: {tasks:#?}");
}

#[tokio::test]
async fn undos_schedules_rule_deletions_user_changes_and_notification_targets_are_audited() {
    let app = spawn_app_with(|c| c.admin_token = Some(TOKEN.into())).await;
    let post = |path: &str, body: Value| {
        app.client
            .post(format!("{}{path}", app.url))
            .json(&body)
            .send()
    };
    let scratch = app.root.join("scratch");
    app.write("scratch/old.tmp", "x", 10);

    // A cleanup, undone.
    let cleanup = app
        .plan_and_confirm(&format!("clean up *.tmp in {}", scratch.display()))
        .await;
    app.wait_until_done(cleanup).await;
    let undo = app.plan_and_confirm(&format!("undo task {cleanup}")).await;
    app.wait_until_done(undo).await;

    // A schedule, moved and stopped.
    let repeating = app
        .plan(&format!(
            "clean up *.tmp in {} every day at 3am",
            scratch.display()
        ))
        .await;
    let confirmed: Value = post(
        &format!(
            "/api/plans/{}/confirm",
            repeating["plan_id"].as_str().unwrap()
        ),
        json!({}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let schedule = confirmed["schedule"]["id"].as_i64().unwrap();
    let moved = app
        .client
        .patch(format!("{}/api/schedules/{schedule}", app.url))
        .json(&json!({"when": "Sundays at 3:30"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);
    post(&format!("/api/schedules/{schedule}/stop"), json!({}))
        .await
        .unwrap();

    // A rule added and deleted; a notification target added and removed.
    let rule: Value = post(
        "/api/rules/phrases",
        json!({"pattern": "tidy up", "intent": "cleanup"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let rule_id = rule["id"].as_i64().unwrap();
    let deleted = app
        .client
        .delete(format!("{}/api/rules/phrases/{rule_id}", app.url))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::OK);
    let target: Value = post(
        "/api/notifications",
        json!({"kind": "ntfy", "url": "https://ntfy.sh/tend-audit-test"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let target_id = target["id"].as_i64().unwrap();
    app.client
        .delete(format!("{}/api/notifications/{target_id}", app.url))
        .send()
        .await
        .unwrap();

    // An operator's "Remember this": a proposal an admin accepts, credited
    // to both; an admin's is an example at once.
    add_user(&app, "carol", "operator").await;
    let carol = sign_in(&app.url, "carol", PASSWORD).await.unwrap();
    let proposed = bare()
        .post(format!("{}/api/rules/remember", app.url))
        .header(COOKIE, &carol)
        .json(&json!({"intent": "backup", "text": "squirrel away /srv/docs"}))
        .send()
        .await
        .unwrap();
    assert_eq!(proposed.status(), StatusCode::CREATED);
    let proposed: Value = proposed.json().await.unwrap();
    assert_eq!(proposed["remembered"], "proposal", "{proposed}");
    let rules: Value = app.json("/api/rules").await;
    assert_eq!(rules["examples"], json!([]), "a proposal is not in force");
    let proposal = &rules["proposals"][0];
    assert_eq!(proposal["proposed_by"], "carol", "{rules}");
    // Accepting is an admin's: carol cannot accept her own.
    let own = bare()
        .post(format!(
            "{}/api/rules/proposals/{}/accept",
            app.url, proposal["id"]
        ))
        .header(COOKIE, &carol)
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    let accepted: Value = post(
        &format!("/api/rules/proposals/{}/accept", proposal["id"]),
        json!({}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(accepted["text"], "squirrel away /srv/docs", "{accepted}");
    assert_eq!(accepted["added_by"], "carol, accepted by admin token");
    let remembered: Value = post(
        "/api/rules/remember",
        json!({"intent": "sync", "text": "make /srv/a look like /srv/b"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(remembered["remembered"], "example", "{remembered}");
    let rules: Value = app.json("/api/rules").await;
    assert_eq!(rules["proposals"], json!([]));
    let by: Vec<(&str, &str)> = rules["examples"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["text"].as_str().unwrap(), e["added_by"].as_str().unwrap()))
        .collect();
    assert_eq!(
        by,
        [
            ("squirrel away /srv/docs", "carol, accepted by admin token"),
            ("make /srv/a look like /srv/b", "admin token")
        ]
    );

    // A user's role changed.
    let bob = add_user(&app, "bob", "viewer").await;
    app.client
        .patch(format!("{}/api/users/{}", app.url, bob["id"]))
        .json(&json!({"role": "operator"}))
        .send()
        .await
        .unwrap();

    let entries: Vec<Value> = app.json("/api/audit?limit=200").await;
    let has = |action: &str, detail: &str| {
        assert!(
            entries.iter().any(|e| e["action"] == action
                && e["user"] == "admin token"
                && e["detail"].as_str().unwrap().contains(detail)),
            "no {action} with {detail:?} in {entries:#?}"
        );
    };
    has("task.undone", &format!("task #{undo}"));
    has(
        "schedule.changed",
        &format!("schedule #{schedule} now runs \"Sundays at 3:30\""),
    );
    has("schedule.stopped", &format!("schedule #{schedule}"));
    has("rule.added", "tidy up");
    has("rule.deleted", &format!("phrases rule {rule_id}"));
    assert!(
        entries.iter().any(|e| e["action"] == "rule.proposed"
            && e["user"] == "carol"
            && e["detail"].as_str().unwrap().contains("squirrel away")),
        "no proposal by carol in {entries:#?}"
    );
    has("notification.added", "ntfy https://ntfy.sh/tend-audit-test");
    has("notification.deleted", &format!("target #{target_id}"));
    has("user.changed", "bob: role operator");
    assert_recorded(&entries, AUDITED_HERE);
}

/// The actions each audit test makes and checks; together, every action.
const AUDITED_FIRST: &[&str] = &[
    "sign_in.failed",
    "sign_in",
    "command",
    "plan.confirmed",
    "plan.cancelled",
    "task.cancelled",
    "task.retried",
    "rule.added",
    "backup_password.revealed",
    "user.added",
    "sign_out",
];
const AUDITED_HERE: &[&str] = &[
    "rule.proposed",
    "task.undone",
    "schedule.changed",
    "schedule.stopped",
    "rule.deleted",
    "notification.added",
    "notification.deleted",
    "user.changed",
];

fn assert_recorded(entries: &[Value], actions: &[&str]) {
    for action in actions {
        assert!(
            entries.iter().any(|e| e["action"] == *action),
            "no {action} recorded"
        );
    }
}

#[test]
fn every_action_the_audit_log_knows_is_checked_by_a_test() {
    let checked: BTreeSet<&str> = AUDITED_FIRST.iter().chain(AUDITED_HERE).copied().collect();
    let known: BTreeSet<&str> = tend::people::audit::action::ALL.iter().copied().collect();
    assert_eq!(checked, known);
}
