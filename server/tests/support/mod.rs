//! Starts real Tend servers for integration tests: port 0, a temporary data
//! directory, a real SQLite file, real files on disk.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

pub mod databases;
pub mod skip;

use serde_json::{json, Value};
use tend::config::Config;
use tend::startup::{self, Server};

pub struct TestApp {
    pub server: Option<Server>,
    pub url: String,
    pub client: reqwest::Client,
    pub home: tempfile::TempDir,
    /// The allowed root the tests put files in.
    pub root: PathBuf,
    pub config: Config,
}

pub fn test_config(home: &Path) -> Config {
    let root = home.join("files");
    std::fs::create_dir_all(&root).unwrap();
    Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: home.join("data"),
        extra_allowed_roots: vec![root],
        site_dir: Some(home.join("site")),
        ..Config::default()
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn_app_with_runner(adjust, None).await
}

/// A server whose tasks' work is done by `runner` (a blocking read, say)
/// instead of Tend's workflows.
pub async fn spawn_app_with_runner(
    adjust: impl FnOnce(&mut Config),
    runner: Option<std::sync::Arc<dyn tend::queue::TaskRunner>>,
) -> TestApp {
    let home = tempfile::tempdir().unwrap();
    let mut config = test_config(home.path());
    adjust(&mut config);
    let root = home.path().join("files").canonicalize().unwrap();
    let server = startup::start_with_runner(config.clone(), runner)
        .await
        .expect("server starts");
    // With an admin token, the helpers' calls carry it, as a script's would.
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(token) = &config.admin_token {
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
    }
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    TestApp {
        url: server.url(),
        server: Some(server),
        client,
        home,
        root,
        config,
    }
}

impl TestApp {
    /// Stops the server and starts a new one on the same data directory.
    pub async fn restart_with(&mut self, adjust: impl FnOnce(&mut Config)) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
        adjust(&mut self.config);
        let server = startup::start(self.config.clone())
            .await
            .expect("server restarts");
        self.url = server.url();
        self.server = Some(server);
    }

    /// POSTs `body` as JSON; the status and the answer's JSON (null when
    /// it has none).
    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> (u16, serde_json::Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.url))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, path: &str) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap()
    }

    /// GET and parse JSON.
    pub async fn json<T: serde::de::DeserializeOwned>(&self, path: &str) -> T {
        self.get(path).await.json().await.unwrap()
    }

    /// Sends a command that must produce a plan and confirms it.
    pub async fn plan_and_confirm(&self, text: &str) -> i64 {
        let plan = self.plan(text).await;
        self.confirm(plan["plan_id"].as_str().unwrap()).await
    }

    pub async fn command(&self, text: &str) -> reqwest::Response {
        self.client
            .post(format!("{}/api/commands", self.url))
            .json(&json!({ "text": text }))
            .send()
            .await
            .unwrap()
    }

    /// Sends a command as console `session` would; returns the answer JSON.
    pub async fn say(&self, session: &str, text: &str) -> Value {
        self.client
            .post(format!("{}/api/commands", self.url))
            .json(&json!({ "text": text, "session": session }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Sends a command that must produce a plan; returns the plan JSON.
    pub async fn plan(&self, text: &str) -> Value {
        let response = self.command(text).await;
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["kind"], "plan", "{body}");
        body
    }

    pub async fn confirm(&self, plan_id: &str) -> i64 {
        let response = self.post(&format!("/api/plans/{plan_id}/confirm")).await;
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.unwrap();
        body["task_id"].as_i64().unwrap()
    }

    pub async fn task(&self, id: i64) -> Value {
        self.json(&format!("/api/tasks/{id}")).await
    }

    /// Waits (bounded) for a task to reach a terminal state.
    pub async fn wait_until_done(&self, id: i64) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
        loop {
            let task = self.task(id).await;
            if ["succeeded", "failed", "cancelled"].contains(&task["state"].as_str().unwrap_or(""))
            {
                return task;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "task {id} never finished: {task}"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Cancels a task once it has made progress (`progress_field` above
    /// zero) and returns it when it has ended.
    pub async fn cancel_mid_run(&self, id: i64, progress_field: &str) -> Value {
        wait_mid_run(&self.client, &self.url, id, |t| {
            t["progress"][progress_field].as_u64().unwrap_or(0) > 0
        })
        .await;
        let response = self.post(&format!("/api/tasks/{id}/cancel")).await;
        assert_eq!(response.status(), 200);
        self.wait_until_done(id).await
    }

    pub fn write(&self, relative: &str, content: &str, age_days: u64) -> PathBuf {
        write_aged(&self.root.join(relative), content, age_days)
    }

    pub fn quarantine(&self, task_id: i64) -> PathBuf {
        self.config
            .data_dir
            .canonicalize()
            .unwrap()
            .join("quarantine")
            .join(format!("task-{task_id}"))
    }
}

/// The value of the plan card's row `name` (`parameters[].value`).
pub fn param<'a>(plan: &'a Value, name: &str) -> &'a str {
    plan["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {plan}"))["value"]
        .as_str()
        .unwrap()
}

pub fn write_aged(path: &Path, content: &str, age_days: u64) -> PathBuf {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
    let when = SystemTime::now() - Duration::from_secs(age_days * 86_400);
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(when).unwrap();
    path.to_path_buf()
}

/// The manifest of a task's quarantine, one JSON value per line.
pub fn manifest(task_dir: &Path) -> Vec<Value> {
    std::fs::read_to_string(task_dir.join("manifest.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Starts the real `tend` binary (as a service manager would) on port 0;
/// returns the child, to be killed with SIGKILL, and its URL.
pub fn start_binary(
    home: &std::path::Path,
    config: &tend::config::Config,
) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tend"))
        .env("TEND_BIND", "127.0.0.1:0")
        .env("TEND_DATA_DIR", &config.data_dir)
        .env("TEND_ALLOWED_ROOTS", home.join("files"))
        .env("TEND_SITE_DIR", home.join("site"))
        .env("TEND_DATABASE_URL", config.database_url())
        .env("TEND_NODE_NAME", config.node_name())
        .env("TEND_NODE_LEASE_SECS", config.node_lease_secs.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("Tend is running at ")
        .expect("startup line")
        .to_string();
    (child, url)
}

/// GET a URL and parse its JSON (for servers started with [`start_binary`]).
pub async fn get_json(client: &reqwest::Client, url: &str) -> Value {
    client.get(url).send().await.unwrap().json().await.unwrap()
}

/// Sends a command to a server at `url`, confirms its plan, returns the task id.
pub async fn plan_and_confirm_at(client: &reqwest::Client, url: &str, text: &str) -> (Value, i64) {
    let plan: Value = client
        .post(format!("{url}/api/commands"))
        .json(&json!({ "text": text }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(plan["kind"], "plan", "{plan}");
    let confirm: Value = client
        .post(format!(
            "{url}/api/plans/{}/confirm",
            plan["plan_id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = confirm["task_id"].as_i64().unwrap();
    (plan, id)
}

/// Every file and link under `root` (Tend's `.tend-versions` excluded), with
/// its content or link target, sorted: two trees are equal when these are.
pub fn tree(root: &Path) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = walkdir::WalkDir::new(root)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".tend-versions")
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .map(|e| {
            let rel = e.path().strip_prefix(root).unwrap().to_path_buf();
            let what = if e.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(e.path()).unwrap().display())
            } else {
                let bytes = std::fs::read(e.path()).unwrap();
                String::from_utf8(bytes.clone()).unwrap_or_else(|_| {
                    format!("{} bytes, blake3 {}", bytes.len(), blake3::hash(&bytes))
                })
            };
            (rel, what)
        })
        .collect();
    out.sort();
    out
}

/// Polls a task on the server at `url` until it ends (bounded).
pub async fn wait_done_at(client: &reqwest::Client, url: &str, id: i64) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(180);
    loop {
        let task = get_json(client, &format!("{url}/api/tasks/{id}")).await;
        if ["succeeded", "failed", "cancelled"].contains(&task["state"].as_str().unwrap_or("")) {
            return task;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "never finished: {task}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Polls until the task is running and `started(task)` holds (it has done
/// some work), so a kill lands mid-run; fails if the task finished first.
pub async fn wait_mid_run(
    client: &reqwest::Client,
    url: &str,
    id: i64,
    started: impl Fn(&Value) -> bool,
) {
    loop {
        let task = get_json(client, &format!("{url}/api/tasks/{id}")).await;
        assert!(
            !["succeeded", "failed"].contains(&task["state"].as_str().unwrap_or("")),
            "the task finished before it could be interrupted; give it more work: {task}"
        );
        if task["state"] == "running" && started(&task) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// `files` files of `bytes_each` incompressible bytes under `root`, spread
/// over ten directories (so compression and dedup cannot shortcut them).
pub fn random_tree(root: &Path, files: usize, bytes_each: usize) {
    let mut seed = 0x9e37_79b9_7f4a_7c15u64 ^ files as u64;
    for i in 0..files {
        let path = root.join(format!("d{}/f{i}.bin", i % 10));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let data: Vec<u8> = (0..bytes_each)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            })
            .collect();
        std::fs::write(path, data).unwrap();
    }
}

/// The crash drill: starts the real binary, sends `command`, SIGKILLs the
/// server once the task's `progress_field` is above zero, runs `after_kill`
/// on what it left, starts the server again and returns the task once it ended.
pub async fn kill_mid_run_then_finish(
    home: &Path,
    config: &Config,
    command: &str,
    progress_field: &str,
    after_kill: impl FnOnce(),
) -> (Value, Value) {
    let client = reqwest::Client::new();
    let (mut child, url) = start_binary(home, config);
    let (plan, id) = plan_and_confirm_at(&client, &url, command).await;
    wait_mid_run(&client, &url, id, |t| {
        t["progress"][progress_field].as_u64().unwrap_or(0) > 0
    })
    .await;
    child.kill().unwrap();
    child.wait().unwrap();
    after_kill();

    let (mut child, url) = start_binary(home, config);
    let task = wait_done_at(&client, &url, id).await;
    child.kill().unwrap();
    child.wait().unwrap();
    (plan, task)
}

/// A repository opened with rustic_core itself.
pub fn open_repository(
    repo: &Path,
    password_file: &Path,
) -> rustic_core::Repository<rustic_core::OpenStatus> {
    let password = std::fs::read_to_string(password_file).unwrap();
    let backends = rustic_backend::BackendOptions::default()
        .repository(repo.to_string_lossy().to_string())
        .to_backends()
        .unwrap();
    rustic_core::Repository::new(
        &rustic_core::RepositoryOptions::default().no_cache(true),
        &backends,
    )
    .unwrap()
    .open(&rustic_core::Credentials::password(password.trim()))
    .unwrap()
}

/// Snapshots in a repository, read with rustic_core itself, oldest first.
pub fn snapshots(repo: &Path, password_file: &Path) -> Vec<rustic_core::repofile::SnapshotFile> {
    open_repository(repo, password_file)
        .get_all_snapshots()
        .map(|mut s| {
            s.sort_by(|a, b| a.time.cmp(&b.time));
            s
        })
        .unwrap()
}

/// A browser's live event stream on a test server.
pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the event stream of the server at `url`, as the console does.
pub async fn connect_events(url: &str) -> Socket {
    let ws_url = url.replace("http://", "ws://") + "/api/events";
    tokio_tungstenite::connect_async(ws_url)
        .await
        .expect("websocket connects")
        .0
}

/// The next JSON message on the stream (bounded wait).
pub async fn next_message(socket: &mut Socket) -> Value {
    use futures::StreamExt;
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("a message within 30 s")
            .expect("socket open")
            .expect("frame");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
            return serde_json::from_str(&text).unwrap();
        }
    }
}

/// A sparse file of `len` bytes: no disk in the source, but a copy writes
/// every byte, slowly enough to watch and cancel.
pub fn sparse_file(path: &Path, len: u64) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::File::create(path).unwrap().set_len(len).unwrap();
}

/// The names in a directory, but the sync's versions area.
pub fn names_besides_versions(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n != ".tend-versions")
        .collect()
}

/// A tmpfs of a few hundred kilobytes mounted on a directory, to fill up:
/// unmounted when dropped. Mounting needs root (CI runs as root); elsewhere
/// `mount` is `None` and the test is skipped (under CI it fails).
pub struct SmallDisk {
    dir: PathBuf,
}

impl SmallDisk {
    pub fn mount(dir: &Path, size: &str, test: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(dir).unwrap();
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            Some(SmallDisk {
                dir: dir.to_path_buf(),
            })
        } else {
            skip::skip(test, "cannot mount a small tmpfs here (needs root)");
            None
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(&self.dir)
            .status();
    }
}

/// The default intent model, fetched by scripts/test's set-up; `None`
/// (after a skip, or a failure under CI) where it is missing.
pub fn default_model(tests: &str) -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../models/multilingual-e5-small");
    if dir.join("model.safetensors").is_file() {
        Some(dir)
    } else {
        skip::skip(
            tests,
            &format!(
                "the model is not in {} (scripts/test fetches it)",
                dir.display()
            ),
        );
        None
    }
}
