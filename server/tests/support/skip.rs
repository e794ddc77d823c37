//! What a test does when this machine lacks something it needs (PostgreSQL,
//! restic, the model, root): under `CI=true` it fails and names what was
//! missing, since CI must provide everything; elsewhere it is skipped, and
//! the skip is written to `$TEND_SKIP_LOG`, which scripts/test lists at the
//! end (libtest hides the output of passing tests, so a line on stderr alone
//! would never be seen).

use std::io::Write;

/// Skips `test` because of `missing` (what is missing and how to get it),
/// or panics under CI. Callers return right after.
pub fn skip(test: &str, missing: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test} cannot run: {missing}. CI must provide it.");
    }
    eprintln!("SKIPPED {test}: {missing}");
    let Ok(log) = std::env::var("TEND_SKIP_LOG") else {
        return;
    };
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .and_then(|mut f| writeln!(f, "{test}: {missing}"));
    if let Err(e) = appended {
        eprintln!("could not write the skip to {log}: {e}");
    }
}
