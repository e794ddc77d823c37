//! `tend parse`: one JSON object per input line, in the documented shape.

use std::io::Write;
use std::process::{Command, Stdio};

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
