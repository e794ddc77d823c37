//! The `tend` command line: `tend [serve]` runs the server, `tend parse`
//! shows how commands are understood.

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

Configuration: tend.toml (or --config / TEND_CONFIG) and TEND_* variables;
see the README.";

pub fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut command = None;
    let mut operand: Option<String> = None;
    let mut show_mistakes = false;
    let mut config_file = None;
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
