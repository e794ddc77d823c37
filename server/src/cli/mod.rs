//! The `tend` command line: `tend [serve]` runs the server, `tend parse`
//! shows how commands are understood.

mod bench_engines;
mod eval;
mod parse;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;

const USAGE: &str = "\
Usage: tend [COMMAND] [--config FILE]

Commands:
  serve   run the server (default)
  parse   read one command per line on stdin, print one JSON object per line
  eval FILE [--mistakes]
          score command understanding on a labeled JSONL file
  bench engines [--files N] [--mb M] [--cleanup-files N] [--dir DIR]
          time backup, sync and cleanup against restic, rsync and find
          on a generated tree (default 50000 files, 2048 MB)

Configuration: tend.toml (or --config / TEND_CONFIG) and TEND_* variables;
see the README.";

pub fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut command = None;
    let mut operand: Option<String> = None;
    let mut show_mistakes = false;
    let mut config_file = None;
    let mut bench = bench_engines::Options::default();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            "-V" | "--version" => {
                println!("tend {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "--config" => match args.next() {
                Some(file) => config_file = Some(PathBuf::from(file)),
                None => return usage_error("--config needs a file"),
            },
            "--mistakes" => show_mistakes = true,
            "--files" | "--mb" | "--cleanup-files" | "--dir" => {
                let Some(value) = args.next() else {
                    return usage_error(&format!("{arg} needs a value"));
                };
                let number = value.parse::<u64>();
                match (arg.as_str(), number) {
                    ("--dir", _) => bench.dir = Some(PathBuf::from(value)),
                    ("--files", Ok(n)) if n > 0 => bench.files = n as usize,
                    ("--mb", Ok(n)) if n > 0 => bench.megabytes = n,
                    ("--cleanup-files", Ok(n)) if n > 0 => bench.cleanup_files = n as usize,
                    _ => return usage_error(&format!("{arg} needs a positive number")),
                }
            }
            other if command.is_none() && !other.starts_with('-') => {
                command = Some(other.to_string())
            }
            other if operand.is_none() && !other.starts_with('-') => {
                operand = Some(other.to_string())
            }
            other => return usage_error(&format!("unexpected argument {other:?}")),
        }
    }
    match command.as_deref().unwrap_or("serve") {
        "serve" => serve(config_file),
        "parse" => parse::run(),
        "bench" => match operand.as_deref() {
            Some("engines") => bench_engines::run(bench),
            _ => usage_error("bench needs what to measure: engines"),
        },
        "eval" => match operand {
            Some(file) => eval::run(&file, show_mistakes),
            None => usage_error("eval needs a labeled JSONL file"),
        },
        other => usage_error(&format!("unknown command {other:?}")),
    }
}

fn usage_error(message: &str) -> ExitCode {
    eprintln!("tend: {message}\n\n{USAGE}");
    ExitCode::from(2)
}

fn serve(config_file: Option<PathBuf>) -> ExitCode {
    // Logs go to stderr; stdout carries only the "running at" line that
    // scripts and service managers read.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "tend=info,tower_http=warn".into()),
        )
        .init();
    let config = match Config::load(config_file.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tend: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("tend: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        match crate::startup::start(config).await {
            Ok(server) => {
                println!("Tend is running at {}", server.url());
                server.run_until_signal().await;
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("tend: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
