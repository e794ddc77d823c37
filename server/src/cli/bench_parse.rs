//! The part of `tend bench nlu` that a person waiting on `tend parse`
//! feels: a file of commands piped through `tend parse` (load included),
//! and the same encoder run by Python's sentence-transformers on the same
//! texts, side by side in one run.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::nlu::Nlu;

/// Texts people wrote for the dev set, cycled to the number of lines
/// asked for: lengths and kinds as typed, not one sentence repeated.
const DEV_SET: &str = include_str!("../../eval/intents-dev.jsonl");

/// The Python side, written to a temporary file and run with the Python
/// given (`--python`, `TEND_BENCH_PYTHON`, or `.venv-bench/bin/python`).
const PYTHON_SIDE: &str = include_str!("bench_nlu.py");

/// sentence-transformers' own default, which Tend's batches match.
const PYTHON_BATCH: usize = 32;

/// Embeddings compared between the two runtimes.
const COMPARED: usize = 16;

pub struct Options {
    pub lines: usize,
    pub python: Option<PathBuf>,
    pub config_file: Option<PathBuf>,
    pub model_dir: PathBuf,
    /// `tend parse` is run with `--keywords` too.
    pub keywords_only: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lines: 1000,
            python: None,
            config_file: None,
            model_dir: PathBuf::new(),
            keywords_only: false,
        }
    }
}

/// What Python reported.
#[derive(serde::Deserialize)]
struct PythonRun {
    torch: String,
    sentence_transformers: String,
    threads: usize,
    load_s: f64,
    encode_s: f64,
    first: Vec<Vec<f32>>,
}

/// One side's figures: the whole run as a person waits for it (start,
/// load, every command) and the commands alone once loaded.
struct Timing {
    whole: Duration,
    steady: Duration,
}

pub fn run(nlu: &Nlu, options: &Options) -> Result<(), String> {
    let texts = commands(options.lines);
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let dir = tempfile::tempdir().map_err(|e| format!("cannot make a work directory: {e}"))?;
    let commands_file = dir.path().join("commands.txt");
    write_lines(&commands_file, &texts)?;

    let tend = Timing {
        whole: tend_parse(&commands_file, options)?,
        steady: timed(|| {
            for chunk in refs.chunks(64) {
                std::hint::black_box(nlu.understand_many_blocking(chunk));
            }
        }),
    };
    println!(
        "tend parse, {} commands (the dev set's texts, cycled):",
        texts.len()
    );
    print_timing("  Tend", &tend, texts.len());

    let Some(Ok((inputs, vectors))) = nlu.model_inputs(&refs) else {
        println!("  Python: skipped, there is no encoder to compare (keyword cues or GLM)");
        return Ok(());
    };
    let inputs_file = dir.path().join("model-inputs.txt");
    write_lines(&inputs_file, &inputs)?;
    let python = python(options);
    match run_python(
        &python,
        &dir.path().join("bench_nlu.py"),
        &inputs_file,
        options,
    ) {
        Ok((python_run, whole)) => {
            let python_timing = Timing {
                whole,
                steady: Duration::from_secs_f64(python_run.encode_s),
            };
            println!(
                "  (Python {}: torch {}, sentence-transformers {}, {} threads, \
                 encoding only, the same {} texts as the model reads them)",
                python.display(),
                python_run.torch,
                python_run.sentence_transformers,
                python_run.threads,
                inputs.len(),
            );
            print_timing("  Python", &python_timing, inputs.len());
            println!(
                "  Tend / Python: whole run {:.2}×, per command once loaded {:.2}× (goal ≤ 0.5×)",
                tend.whole.as_secs_f64() / python_timing.whole.as_secs_f64(),
                tend.steady.as_secs_f64() / python_timing.steady.as_secs_f64(),
            );
            println!(
                "  same model: lowest cosine between the two runtimes' embeddings of the first {} texts: {:.5} (load {:.1} s in Python)",
                python_run.first.len(),
                lowest_cosine(&vectors, &python_run.first),
                python_run.load_s,
            );
        }
        Err(e) => println!("  Python: skipped, {e}"),
    }
    Ok(())
}

fn commands(lines: usize) -> Vec<String> {
    let texts: Vec<String> = DEV_SET
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|item| item["text"].as_str().map(str::to_string))
        .collect();
    texts.iter().cycle().take(lines).cloned().collect()
}

fn write_lines(file: &Path, lines: &[String]) -> Result<(), String> {
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(file, text).map_err(|e| format!("cannot write {}: {e}", file.display()))
}

fn timed(work: impl FnOnce()) -> Duration {
    let start = Instant::now();
    work();
    start.elapsed()
}

/// This very binary's `tend parse`, fed the file on stdin, as a person
/// would run it: its whole wall time, start and model load included.
fn tend_parse(commands_file: &Path, options: &Options) -> Result<Duration, String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find tend itself: {e}"))?;
    let input = std::fs::File::open(commands_file).map_err(|e| e.to_string())?;
    let mut command = Command::new(exe);
    command.arg("parse").stdin(input).stdout(Stdio::piped());
    if let Some(file) = &options.config_file {
        command.arg("--config").arg(file);
    }
    if options.keywords_only {
        command.arg("--keywords");
    }
    let start = Instant::now();
    let output = command
        .output()
        .map_err(|e| format!("cannot run tend parse: {e}"))?;
    let whole = start.elapsed();
    let answered = output.stdout.iter().filter(|&&b| b == b'\n').count();
    if !output.status.success() || answered != options.lines {
        return Err(format!(
            "tend parse answered {answered} of {} lines ({})",
            options.lines, output.status
        ));
    }
    Ok(whole)
}

fn print_timing(who: &str, timing: &Timing, count: usize) {
    let per = |d: Duration| d.as_secs_f64() * 1000.0 / count as f64;
    println!(
        "{who}: whole run {:.2} s ({:.2} ms a command), once loaded {:.2} s ({:.2} ms a command)",
        timing.whole.as_secs_f64(),
        per(timing.whole),
        timing.steady.as_secs_f64(),
        per(timing.steady),
    );
}

fn python(options: &Options) -> PathBuf {
    options
        .python
        .clone()
        .or_else(|| std::env::var_os("TEND_BENCH_PYTHON").map(PathBuf::from))
        .unwrap_or_else(|| {
            let venv = PathBuf::from(".venv-bench/bin/python");
            if venv.is_file() {
                venv
            } else {
                PathBuf::from("python3")
            }
        })
}

/// Runs the Python side; its report and its whole wall time.
fn run_python(
    python: &Path,
    script: &Path,
    inputs_file: &Path,
    options: &Options,
) -> Result<(PythonRun, Duration), String> {
    std::fs::File::create(script)
        .and_then(|mut f| f.write_all(PYTHON_SIDE.as_bytes()))
        .map_err(|e| format!("cannot write {}: {e}", script.display()))?;
    let start = Instant::now();
    let output = Command::new(python)
        .arg(script)
        .arg(&options.model_dir)
        .arg(inputs_file)
        .arg(PYTHON_BATCH.to_string())
        .arg(COMPARED.to_string())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| {
            format!(
                "cannot run {}: {e} (scripts/setup-bench-python installs sentence-transformers in .venv-bench)",
                python.display()
            )
        })?;
    let whole = start.elapsed();
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().last().unwrap_or("").to_string();
        return Err(format!(
            "{} failed ({}): {last} (scripts/setup-bench-python installs sentence-transformers in .venv-bench)",
            python.display(),
            output.status
        ));
    }
    let report = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("the Python side printed no report: {e}"))?;
    Ok((report, whole))
}

/// The lowest cosine between pairs of unit vectors, pair by pair.
fn lowest_cosine(ours: &[Vec<f32>], theirs: &[Vec<f32>]) -> f32 {
    ours.iter()
        .zip(theirs)
        .map(|(a, b)| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>())
        .fold(f32::INFINITY, f32::min)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commands_are_the_dev_sets_texts_cycled() {
        let texts = commands(1000);
        assert_eq!(texts.len(), 1000);
        let distinct: std::collections::HashSet<&String> = texts.iter().collect();
        assert!(distinct.len() > 500, "{} distinct", distinct.len());
        assert_eq!(texts[0], texts[DEV_SET.lines().count()]);
    }

    #[test]
    fn the_lowest_cosine_is_the_worst_pair() {
        let ours = vec![vec![1.0, 0.0], vec![0.0, 1.0]];
        let theirs = vec![vec![1.0, 0.0], vec![0.6, 0.8]];
        assert!((lowest_cosine(&ours, &theirs) - 0.8).abs() < 1e-6);
    }
}
