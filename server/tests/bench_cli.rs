//! `tend bench glm`'s refusals: a shape it does not know, and GLM-4-9B's
//! full shape without a GPU (these tests build without `cuda`); and
//! `tend bench engines` on a small tree, run twice in one `--dir`.

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
