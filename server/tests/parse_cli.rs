//! `tend parse`: one JSON object per input line, in the documented shape.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::Value;

/// Runs `tend parse` on raw input bytes; returns its output objects.
fn parse_bytes(input: &[u8]) -> Vec<Value> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tend"))
        .arg("parse")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn parse(lines: &str) -> Vec<Value> {
    parse_bytes(lines.as_bytes())
}

#[test]
fn one_object_per_line_with_intent_confidence_and_slots() {
    let out = parse(
        "clean up *.log older than 30 days in /var/log/app, show me first\n\ntell me a joke\n",
    );
    assert_eq!(out.len(), 3);
    let first = &out[0];
    assert_eq!(
        first["text"],
        "clean up *.log older than 30 days in /var/log/app, show me first"
    );
    assert_eq!(first["intent"], "cleanup");
    assert!(first["confidence"].as_f64().unwrap() > 0.5);
    assert_eq!(first["slots"]["source"], "/var/log/app");
    assert_eq!(first["slots"]["patterns"], serde_json::json!(["*.log"]));
    assert_eq!(first["slots"]["older_than_days"], 30.0);
    assert_eq!(out[1]["intent"], "out_of_scope");
    assert_eq!(out[1]["slots"], serde_json::json!({}));
    assert_eq!(out[2]["intent"], "out_of_scope");
    // Unstated slots are omitted, not null.
    assert!(first["slots"].get("destination").is_none());
}

#[test]
fn invalid_utf8_and_crlf_do_not_stop_the_stream() {
    let lines = parse_bytes(b"clean \xff\xfe up\r\nstatus\r\n");
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["intent"], "cleanup");
    assert_eq!(lines[1]["text"], "status");
    assert_eq!(lines[1]["intent"], "status");
}

#[tokio::test]
async fn parse_applies_the_routing_rules_stored_by_the_server() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let config = tend::config::Config {
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: data.clone(),
        site_dir: Some(home.path().join("site")),
        ..tend::config::Config::default()
    };
    let server = tend::startup::start(config).await.unwrap();
    let client = reqwest::Client::new();
    let put = client
        .put(format!("{}/api/rules/locations", server.url()))
        .json(&serde_json::json!({"name": "the nas", "path": "/mnt/nas"}))
        .send()
        .await
        .unwrap();
    assert!(put.status().is_success());
    server.stop().await;

    let mut child = Command::new(env!("CARGO_BIN_EXE_tend"))
        .args(["parse", "--keywords"])
        .env("TEND_DATA_DIR", &data)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"back up /srv/photos to the NAS\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let parsed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(parsed["slots"]["destination"], "/mnt/nas", "{parsed}");
}

/// `tend parse` with the real default model, its embeddings cached in
/// `data`; `None` (skipped) where the model is not installed.
fn parse_with_model(data: &std::path::Path) -> Option<Child> {
    let model = support::default_model("parse_cli")?;
    Some(
        Command::new(env!("CARGO_BIN_EXE_tend"))
            .arg("parse")
            .env("TEND_MODEL_DIR", model)
            .env("TEND_DATA_DIR", data)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// A file piped in is read ahead and understood in batches; every line
/// still gets its own answer, in the order given.
#[test]
fn a_file_of_commands_is_answered_line_for_line_in_order() {
    let data = tempfile::tempdir().unwrap();
    let Some(mut child) = parse_with_model(data.path()) else {
        return;
    };
    let lines: Vec<String> = (0..300)
        .map(|i| match i % 3 {
            0 => format!("cancel task {i}"),
            1 => format!("back up /srv/photos{i} to /mnt/nas/photos{i}"),
            _ => format!("clean up *.tmp older than {i} days in /srv/scratch"),
        })
        .collect();
    let mut input = lines.join("\n");
    input.push('\n');
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());
    let out: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.len(), lines.len());
    for (i, (answer, line)) in out.iter().zip(&lines).enumerate() {
        assert_eq!(answer["text"], line.as_str(), "line {i}");
        match i % 3 {
            0 => assert_eq!(answer["slots"]["task_id"], i as u64, "{answer}"),
            1 => {
                assert_eq!(answer["intent"], "backup", "{answer}");
                assert_eq!(answer["slots"]["source"], format!("/srv/photos{i}"));
            }
            _ => {
                assert_eq!(answer["intent"], "cleanup", "{answer}");
                assert_eq!(answer["slots"]["older_than_days"], i as f64);
            }
        }
    }
}

/// Someone typing line by line gets each answer before typing the next:
/// reading ahead never waits for a batch to fill.
#[test]
fn each_typed_line_is_answered_before_the_next_is_typed() {
    let data = tempfile::tempdir().unwrap();
    let Some(mut child) = parse_with_model(data.path()) else {
        return;
    };
    let mut stdin = child.stdin.take().unwrap();
    let (answers, answered) = mpsc::channel();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || loop {
        let mut line = String::new();
        if stdout.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if answers.send(line).is_err() {
            return;
        }
    });
    for (typed, intent) in [("status", "status"), ("back up /srv/a to /mnt/b", "backup")] {
        stdin.write_all(format!("{typed}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
        // Loading the model takes seconds in a debug build; a batch that
        // waited for more lines would wait here forever.
        let line = answered
            .recv_timeout(Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("no answer to {typed:?} while stdin stays open"));
        let answer: Value = serde_json::from_str(&line).unwrap();
        assert_eq!(answer["text"], typed);
        assert_eq!(answer["intent"], intent, "{answer}");
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
}
