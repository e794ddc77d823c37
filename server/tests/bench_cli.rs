//! `tend bench glm`'s refusals: a shape it does not know, and GLM-4-9B's
//! full shape without a GPU (these tests build without `cuda`).

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
