//! The `tend` command line: `tend [serve]` runs the server, `tend parse`
//! shows how commands are understood, `tend eval` scores that understanding
//! and `tend bench nlu` / `tend bench engines` time understanding and the engines.

mod bench_engines;
mod bench_glm;
mod bench_nlu;
mod bench_parse;
mod bench_queue;
mod bench_user_path;
mod eval;
mod parse;
mod rusage;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;
use crate::nlu::batcher::BatchLimits;
use crate::nlu::Nlu;

const USAGE: &str = "\
Usage: tend [COMMAND] [--config FILE]

Commands:
  serve   run the server (default)
  user add NAME [--role admin|operator|viewer]
          add a user (admin by default) and print their generated password once
  parse   read one command per line on stdin, print one JSON object per line
  eval FILE [--mistakes] [--tune]
          score command understanding on a labeled JSONL file; --tune
          sweeps the intent model's thresholds on it and prints the best
  bench nlu [--lines N] [--python PYTHON]
          latency and batched throughput of command understanding, and N
          commands (1000) through tend parse beside the same encoder in
          Python's sentence-transformers (PYTHON, $TEND_BENCH_PYTHON or
          .venv-bench/bin/python; scripts/setup-bench-python makes it)
  bench glm [--shape glm-4-9b|tiny] [--tokenizer FILE]
          latency of the GLM backend on a model of that shape with random
          weights (default glm-4-9b; build with --features cuda for a GPU);
          the tokenizer defaults to the intent model's
  bench engines [--files N] [--mb M] [--cleanup-files N] [--dir DIR]
                [--only backup,sync,cleanup] [--path engine|user]
          time backup, sync and cleanup against restic, rsync and find
          on a generated tree (default 50000 files, 2048 MB); --path user
          also times mirrors and a cleanup through the real server's API,
          from the command to the task's end
  bench queue [--tasks N] [--workers W] [--postgres URL]
          burn down N no-op tasks (10000) with W workers (128) on SQLite (and PostgreSQL
          at URL, or $TEND_BENCH_POSTGRES_URL), then time enqueue to start
          at a steady 50 tasks/s

Options:
  --keywords   parse/eval/bench nlu with keyword cues instead of the intent model

Configuration: tend.toml (or --config / TEND_CONFIG) and TEND_* variables;
see the README.";

pub fn main() -> ExitCode {
    let all: Vec<String> = std::env::args().skip(1).collect();
    if all.first().map(String::as_str) == Some("user") {
        return user::run(&all[1..]);
    }
    let mut args = all.into_iter();
    let mut command = None;
    let mut operand: Option<String> = None;
    let mut show_mistakes = false;
    let mut tune = false;
    let mut keywords_only = false;
    let mut config_file = None;
    let mut bench = bench_engines::Options::default();
    let mut queue_bench = bench_queue::Options::default();
    let mut parse_bench = bench_parse::Options::default();
    let mut shape = crate::nlu::glm::Shape::Glm4_9b;
    let mut tokenizer: Option<PathBuf> = None;
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
            "--path" => match args.next().as_deref() {
                Some("user") => bench.user_path = true,
                Some("engine") => bench.user_path = false,
                _ => return usage_error("--path needs engine or user"),
            },
            "--files" | "--mb" | "--cleanup-files" | "--dir" | "--only" => {
                let Some(value) = args.next() else {
                    return usage_error(&format!("{arg} needs a value"));
                };
                let number = value.parse::<u64>();
                match (arg.as_str(), number) {
                    ("--dir", _) => bench.dir = Some(PathBuf::from(value)),
                    ("--only", _) => match value.split(',').map(str::parse).collect() {
                        Ok(engines) => bench.only = engines,
                        Err(e) => return usage_error(&e),
                    },
                    ("--files", Ok(n)) if n > 0 => bench.files = n as usize,
                    ("--mb", Ok(n)) if n > 0 => bench.megabytes = n,
                    ("--cleanup-files", Ok(n)) if n > 0 => bench.cleanup_files = n as usize,
                    _ => return usage_error(&format!("{arg} needs a positive number")),
                }
            }
            "--tasks" | "--workers" => match args.next().map(|v| v.parse::<usize>()) {
                Some(Ok(n)) if n > 0 && arg == "--tasks" => queue_bench.tasks = n,
                Some(Ok(n)) if n > 0 => queue_bench.workers = n,
                _ => return usage_error(&format!("{arg} needs a positive number")),
            },
            "--lines" => match args.next().map(|v| v.parse::<usize>()) {
                Some(Ok(n)) if n > 0 => parse_bench.lines = n,
                _ => return usage_error("--lines needs a positive number"),
            },
            "--python" => match args.next() {
                Some(python) => parse_bench.python = Some(PathBuf::from(python)),
                None => return usage_error("--python needs a Python interpreter"),
            },
            "--postgres" => match args.next() {
                Some(url) => queue_bench.postgres = Some(url),
                None => return usage_error("--postgres needs a URL"),
            },
            "--shape" => match args.next().map(|v| v.parse()) {
                Some(Ok(s)) => shape = s,
                Some(Err(e)) => return usage_error(&e),
                None => return usage_error("--shape needs glm-4-9b or tiny"),
            },
            "--tokenizer" => match args.next() {
                Some(file) => tokenizer = Some(PathBuf::from(file)),
                None => return usage_error("--tokenizer needs a tokenizer.json"),
            },
            "--tune" => tune = true,
            "--keywords" => keywords_only = true,
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
        "parse" => with_nlu(config_file.clone(), keywords_only, |nlu| {
            apply_stored_rules(config_file.as_deref(), &nlu);
            parse::run(nlu)
        }),
        "eval" => match operand {
            Some(file) => with_nlu(config_file, keywords_only, |nlu| {
                eval::run(&nlu, &file, show_mistakes, tune)
            }),
            None => usage_error("eval needs a labeled JSONL file"),
        },
        "bench" => match operand.as_deref() {
            Some("nlu") => {
                parse_bench.model_dir = match Config::load(config_file.as_deref()) {
                    Ok(c) => c.model_dir,
                    Err(e) => {
                        eprintln!("tend: {e}");
                        return ExitCode::from(2);
                    }
                };
                parse_bench.config_file = config_file.clone();
                parse_bench.keywords_only = keywords_only;
                with_nlu(config_file, keywords_only, |nlu| {
                    bench_nlu::run(nlu, &parse_bench)
                })
            }
            Some("engines") => bench_engines::run(bench),
            Some("queue") => bench_queue::run(queue_bench),
            Some("glm") => {
                let tokenizer = match tokenizer {
                    Some(file) => file,
                    None => match Config::load(config_file.as_deref()) {
                        Ok(c) => c.model_dir.join("tokenizer.json"),
                        Err(e) => {
                            eprintln!("tend: {e}");
                            return ExitCode::from(2);
                        }
                    },
                };
                bench_glm::run(shape, &tokenizer)
            }
            _ => usage_error("bench needs a target: tend bench nlu, glm, engines or queue"),
        },
        other => usage_error(&format!("unknown command {other:?}")),
    }
}

/// Runs `command` with the intent model from the config, or keyword cues
/// (with a warning) when the model cannot be loaded.
fn with_nlu(
    config_file: Option<PathBuf>,
    keywords_only: bool,
    command: impl FnOnce(Nlu) -> ExitCode,
) -> ExitCode {
    if keywords_only {
        return command(Nlu::keywords());
    }
    let config = match Config::load(config_file.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tend: {e}");
            return ExitCode::from(2);
        }
    };
    let loaded = match &config.glm_dir {
        Some(dir) => Nlu::load_glm(dir),
        None => Nlu::load_cached(
            &config.model_dir,
            BatchLimits::default(),
            Some(config.embedding_cache()),
        )
        .map(|nlu| nlu.with_classifier(config.intent_classifier)),
    };
    let nlu = match loaded {
        Ok(nlu) => nlu,
        Err(e) => {
            eprintln!("tend: warning: {e} Falling back to keyword intent classification.");
            Nlu::keywords()
        }
    };
    command(nlu)
}

/// `tend parse` reads commands as the server would: with the admins'
/// routing rules from the configured database, when one exists (it never
/// creates one). Problems are warnings: parsing works without rules.
fn apply_stored_rules(config_file: Option<&std::path::Path>, nlu: &Nlu) {
    let Ok(config) = Config::load(config_file) else {
        return;
    };
    let url = config.database_url();
    if let Some(file) = url.strip_prefix("sqlite://") {
        if !std::path::Path::new(file).is_file() {
            return;
        }
    }
    let read = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|runtime| {
            runtime.block_on(async {
                let store = crate::store::open_store(&url)
                    .await
                    .map_err(|e| e.to_string())?;
                store.list_rules().await.map_err(|e| e.to_string())
            })
        });
    let applied = read.and_then(|view| {
        nlu.set_rules(crate::nlu::rules::RuleSet::from_view(&view))
            .map_err(|e| e.to_string())
    });
    if let Err(e) = applied {
        eprintln!("tend: warning: the routing rules in {url} are not applied: {e}");
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
    let code = runtime.block_on(async {
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
    });
    // Dropping the runtime would wait for every blocking thread, and a
    // workflow blocked in a system call (a hung network mount) may never
    // return: its task was released already, so leave it behind.
    runtime.shutdown_background();
    code
}
