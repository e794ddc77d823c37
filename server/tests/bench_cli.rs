//! `tend bench glm`'s refusals: a shape it does not know, and GLM-4-9B's
//! full shape without a GPU (these tests build without `cuda`); and
//! `tend bench engines` on a small tree, run twice in one `--dir`; and
//! `tend bench queue` on a small load.

use std::process::Command;

fn bench_glm(args: &[&str]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_tend"))
        .args(["bench", "glm"])
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn the_full_shape_needs_a_gpu() {
    let (code, stderr) = bench_glm(&[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("needs a GPU"), "{stderr}");
    assert!(stderr.contains("--shape tiny"), "{stderr}");
}

#[test]
fn an_unknown_shape_is_a_usage_error() {
    let (code, stderr) = bench_glm(&["--shape", "glm-5"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("unknown model shape \"glm-5\""), "{stderr}");
}

fn bench_engines(dir: &std::path::Path) -> (Option<i32>, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_tend"))
        .args(["bench", "engines", "--files", "300", "--mb", "2"])
        .args(["--cleanup-files", "200", "--dir"])
        .arg(dir)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn engines_bench_in_a_reused_dir_starts_each_first_run_from_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = bench_engines(dir.path());
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    for row in [
        "backup, first run",
        "sync, empty destination",
        "cleanup, matching files",
    ] {
        assert!(stdout.contains(row), "no {row:?} row in:\n{stdout}");
    }
    // Each timed run says how it used the machine.
    assert!(stderr.contains("tend: cpu "), "{stderr}");
    assert!(stderr.contains("context switches"), "{stderr}");

    // Something the second run's "first sync" must not find: an earlier
    // run's mirror is set aside, not synced into.
    let leftover = dir.path().join("tend-mirror/left-by-an-earlier-run");
    std::fs::write(&leftover, "x").unwrap();
    let (code, stdout, stderr) = bench_engines(dir.path());
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(!leftover.exists(), "the earlier mirror was reused");
    assert!(dir.path().join("tend-mirror/d000/e00/f0.dat").is_file());
    // What was set aside is deleted once the measurements are over.
    assert!(!dir.path().join("set-aside").exists());
}

#[test]
fn the_user_path_bench_times_commands_through_the_real_server() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tend"))
        .args(["bench", "engines", "--files", "200", "--mb", "1"])
        .args([
            "--cleanup-files",
            "100",
            "--only",
            "sync,cleanup",
            "--path",
            "user",
        ])
        .arg("--dir")
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stdout}\n{stderr}");
    let table = stdout
        .split("the user's path")
        .nth(1)
        .unwrap_or_else(|| panic!("no user-path table in:\n{stdout}"));
    for row in [
        "sync, empty destination",
        "sync, first re-run",
        "sync, nothing changed",
        "cleanup",
    ] {
        let line = table
            .lines()
            .find(|l| l.split("  ").next() == Some(row))
            .unwrap_or_else(|| panic!("no {row:?} row in:\n{table}"));
        let columns: Vec<&str> = line[row.len()..].split_whitespace().collect();
        // runs, plan, confirm, queued, run and total are figures...
        let figures: Vec<f64> = columns
            .iter()
            .take(10)
            .filter_map(|f| f.trim_end_matches('s').parse().ok())
            .collect();
        assert_eq!(figures.len(), 6, "{line}");
        assert!(figures[5] >= figures[4], "the total holds the run: {line}");
        // ...the plan is split as the server's Server-Timing says, and the
        // run as its tend_task_phase_seconds do.
        let split = |column: &str| -> Vec<f64> {
            column.split('/').map(|ms| ms.parse().unwrap()).collect()
        };
        let plan = split(columns[2]);
        assert_eq!(plan.len(), 3, "nlu/preview/store in {line}");
        assert!(
            plan.iter().sum::<f64>() <= figures[1] * 1000.0 + 1.0,
            "the plan holds its steps: {line}"
        );
        let run = split(columns[7]);
        assert_eq!(run.len(), 4, "start/work/reports/end in {line}");
        assert!(
            run.iter().sum::<f64>() <= figures[5] * 1000.0 + 1.0,
            "the run's phases lie within the total: {line}"
        );
    }
    // The engine-only rows are there too, beside.
    assert!(stdout.contains("cleanup, matching files"), "{stdout}");
    // The cleanup through the API moved every *.tmp file.
    let left = std::fs::read_dir(dir.path().join("user-clean/d0"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(left, 0);
}

/// `tend bench queue` on a small load: it burns the tasks down on SQLite
/// (and PostgreSQL when the tests have one), and its last line carries the
/// four figures in the documented form.
#[test]
fn the_queue_bench_ends_with_its_figures() {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tend"));
    command.args(["bench", "queue", "--tasks", "200", "--workers", "2"]);
    if let Ok(url) = std::env::var("TEND_TEST_POSTGRES_URL") {
        command.args(["--postgres", &url]);
    }
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let last = stdout.lines().last().unwrap_or_default();
    let figures: Vec<(&str, &str)> = last
        .strip_prefix("queue: ")
        .unwrap_or_else(|| panic!("{last}"))
        .split(' ')
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let names: Vec<&str> = figures.iter().map(|(name, _)| *name).collect();
    assert_eq!(
        names,
        [
            "sqlite_tasks_per_s",
            "sqlite_ordered_tasks_per_s",
            "postgres_tasks_per_s",
            "postgres_ordered_tasks_per_s",
            "start_p50_ms",
            "start_p99_ms"
        ]
    );
    let number = |name: &str| -> f64 {
        let (_, value) = figures.iter().find(|(n, _)| *n == name).unwrap();
        value.parse().unwrap_or_else(|_| panic!("{name}={value}"))
    };
    assert!(number("sqlite_tasks_per_s") > 0.0);
    assert!(number("start_p50_ms") <= number("start_p99_ms"));
    if std::env::var("TEND_TEST_POSTGRES_URL").is_ok() {
        assert!(number("postgres_tasks_per_s") > 0.0);
    }
}
