//! Backup and restore through the real server, checked with the standard
//! `restic` tool where it is installed (scripts/test installs Debian's).

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{
    kill_mid_run_then_finish, open_repository, param, random_tree, snapshots, spawn_app,
    spawn_app_with, test_config, tree, SmallDisk, TestApp,
};

fn password_file(app: &TestApp) -> PathBuf {
    app.config.data_dir.join("secrets/restic.password")
}

fn snapshot_count(repo: &Path, password_file: &Path) -> usize {
    snapshots(repo, password_file).len()
}

/// Runs the standard restic tool on a repository and returns whether it
/// succeeded (with its stderr); None when restic is not installed, which
/// the test says visibly.
fn restic(repo: &Path, password_file: &Path, args: &[&str]) -> Option<(bool, String)> {
    let output = Command::new("restic")
        .args(["--no-cache", "-r"])
        .arg(repo)
        .arg("--password-file")
        .arg(password_file)
        .args(args)
        .output();
    match output {
        Ok(o) => Some((
            o.status.success(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )),
        Err(_) => {
            support::skip::skip(
                "the restic checks of a backup test",
                "the restic command is not installed (scripts/test installs it)",
            );
            None
        }
    }
}

fn assert_restic_ok(result: Option<(bool, String)>, what: &str) {
    if let Some((ok, stderr)) = result {
        assert!(ok, "restic {what} failed: {stderr}");
    }
}

fn write_source(root: &Path) {
    let files: [(&str, Vec<u8>); 5] = [
        ("a.txt", b"alpha".to_vec()),
        ("sub/b.txt", b"beta beta".to_vec()),
        ("sub/deeper/empty", Vec::new()),
        (
            "bin/blob.bin",
            (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect(),
        ),
        ("name with spaces.md", b"spaces".to_vec()),
    ];
    for (rel, content) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    std::os::unix::fs::symlink("a.txt", root.join("link")).unwrap();
}

#[tokio::test]
async fn a_backup_restores_byte_for_byte_with_tend_and_with_restic() {
    let app = spawn_app().await;
    let src = app.root.join("photos");
    write_source(&src);
    let repo = app.root.join("nas/photos-backup");

    let plan = app
        .plan(&format!("back up {} to {}", src.display(), repo.display()))
        .await;
    assert_eq!(plan["workflow"], "backup", "{plan}");
    assert_eq!(plan["preview"]["file_count"], 6, "{plan}");
    assert!(!repo.exists(), "nothing is written before confirming");
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    assert!(
        task["result"].as_str().unwrap().contains("snapshot"),
        "{task}"
    );
    // The first backup says where its password is, so it can be kept safe.
    assert!(
        task["result"].as_str().unwrap().contains("restic.password"),
        "{task}"
    );

    // The password Tend generated is private and lets restic in.
    let pw = password_file(&app);
    let mode = std::fs::metadata(&pw).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert_eq!(snapshot_count(&repo, &pw), 1);

    // Restore with Tend into a new directory.
    let target = app.root.join("restored");
    let plan = app
        .plan(&format!(
            "restore {} from {}",
            target.display(),
            repo.display()
        ))
        .await;
    assert_eq!(plan["workflow"], "restore", "{plan}");
    assert_eq!(plan["preview"]["file_count"], 6, "{plan}");
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    assert_eq!(tree(&target), tree(&src));

    // And with the standard tool, without Tend.
    assert_restic_ok(restic(&repo, &pw, &["check"]), "check");
    let out = tempfile::tempdir().unwrap();
    let target_arg = out.path().to_string_lossy().to_string();
    let restored = restic(&repo, &pw, &["restore", "latest", "--target", &target_arg]);
    if restored.is_some() {
        assert_restic_ok(restored, "restore");
        // restic restores the absolute path under the target.
        let inner = out.path().join(src.strip_prefix("/").unwrap());
        assert_eq!(tree(&inner), tree(&src));
    }
}

#[tokio::test]
async fn retention_keeps_the_last_n_and_a_second_backup_stores_only_changes() {
    let app = spawn_app().await;
    let src = app.root.join("docs");
    write_source(&src);
    let repo = app.root.join("repo");
    let mut added = Vec::new();
    for round in 0..3 {
        std::fs::write(
            src.join(format!("round-{round}.txt")),
            format!("round {round}"),
        )
        .unwrap();
        added.push(back_up(&app, &src, &repo, ", keep the last 2").await);
    }
    let kept = snapshots(&repo, &password_file(&app));
    assert_eq!(kept.len(), 2);
    assert!(added[2].contains("forgot 1"), "{}", added[2]);
    // The 300 kB blob is stored once: a later round adds only what changed.
    let later = kept[1].summary.as_ref().unwrap();
    assert!(
        later.data_added < 50_000,
        "round 3 added {} bytes",
        later.data_added
    );
    assert_eq!(later.files_new, 1);
    assert_restic_ok(restic(&repo, &password_file(&app), &["check"]), "check");
}

#[tokio::test]
async fn the_plan_keeps_snapshots_per_period_and_leaves_out_what_it_is_told() {
    let app = spawn_app().await;
    let src = app.root.join("docs");
    write_source(&src);
    let repo = app.root.join("repo");
    let plan = app
        .plan(&format!(
            "back up {} to {}, keep 7 daily, 4 weekly and 6 monthly",
            src.display(),
            repo.display()
        ))
        .await;
    assert_eq!(
        param(&plan, "keep_last"),
        "keep 7 daily, 4 weekly, 6 monthly"
    );
    // "7 daily" says how many to keep, not how often to run.
    assert_eq!(plan["schedule"], Value::Null, "{plan}");

    let plan = app
        .plan(&format!(
            "back up {} to {} excluding *.tmp",
            src.display(),
            repo.display()
        ))
        .await;
    assert_eq!(param(&plan, "excludes"), "*.tmp");
    let plan = app
        .plan(&format!(
            "back up the *.tmp files of {} to {}",
            src.display(),
            repo.display()
        ))
        .await;
    assert!(param(&plan, "excludes").starts_with("nothing"), "{plan}");
    let warnings = plan["preview"]["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("excluding *.tmp")),
        "{plan}"
    );
}

#[tokio::test]
async fn refusals_foreign_directory_and_existing_files() {
    let app = spawn_app().await;
    let src = app.root.join("s");
    write_source(&src);
    // A non-empty directory that is not a repository is never written into.
    app.write("not-a-repo/notes.txt", "mine", 1);
    let response = app
        .command(&format!(
            "back up {} to {}",
            src.display(),
            app.root.join("not-a-repo").display()
        ))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("not a backup repository"),
        "{body}"
    );
    assert_eq!(
        std::fs::read_dir(app.root.join("not-a-repo"))
            .unwrap()
            .count(),
        1
    );

    // A restore over existing files refuses and changes nothing.
    let repo = app.root.join("r");
    let id = app
        .plan_and_confirm(&format!("back up {} to {}", src.display(), repo.display()))
        .await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    std::fs::write(src.join("a.txt"), "edited since").unwrap();
    let plan = app
        .plan(&format!(
            "restore {} from {}",
            src.display(),
            repo.display()
        ))
        .await;
    assert!(
        plan["preview"]["warnings"]
            .to_string()
            .contains("refuse to overwrite"),
        "{plan}"
    );
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "failed", "{task}");
    assert!(
        task["error"].as_str().unwrap().contains("already exist"),
        "{task}"
    );
    assert_eq!(
        std::fs::read_to_string(src.join("a.txt")).unwrap(),
        "edited since"
    );

    // Asked to overwrite, it puts the backed-up version back.
    let id = app
        .plan_and_confirm(&format!(
            "restore {} from {} and overwrite existing files",
            src.display(),
            repo.display()
        ))
        .await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    assert_eq!(std::fs::read_to_string(src.join("a.txt")).unwrap(), "alpha");

    // The repository inside the source is refused.
    let response = app
        .command(&format!(
            "back up {} to {}/backups",
            src.display(),
            src.display()
        ))
        .await;
    assert_eq!(response.status(), 422);
}

/// SIGKILL in the middle of a backup: after a restart the task runs again
/// and finishes, and the repository passes `restic check`.
#[tokio::test]
async fn a_backup_killed_mid_run_leaves_a_repository_that_passes_check() {
    let home = tempfile::tempdir().unwrap();
    let config = test_config(home.path());
    let src = home.path().join("files/big");
    // Incompressible data, so the backup takes long enough to be killed.
    random_tree(&src, 400, 256 * 1024);
    let repo = home.path().join("files/repo");
    let (_, task) = kill_mid_run_then_finish(
        home.path(),
        &config,
        &format!("back up {} to {}", src.display(), repo.display()),
        "bytes_done",
        || {},
    )
    .await;
    assert_eq!(task["state"], "succeeded", "{task}");
    let pw = config.data_dir.join("secrets/restic.password");
    assert_eq!(snapshot_count(&repo, &pw), 1);
    assert_restic_ok(
        restic(&repo, &pw, &["check", "--read-data"]),
        "check --read-data",
    );
}

/// Starts a backup of 75 MB of incompressible files: long enough to be
/// looked at, or cancelled, while it runs. Returns its task and repository.
async fn start_long_backup(app: &TestApp) -> (i64, PathBuf) {
    let src = app.root.join("big");
    random_tree(&src, 300, 256 * 1024);
    let repo = app.root.join("repo");
    let id = app
        .plan_and_confirm(&format!("back up {} to {}", src.display(), repo.display()))
        .await;
    (id, repo)
}

#[tokio::test]
async fn a_cancelled_backup_keeps_no_snapshot_and_a_sound_repository() {
    let app = spawn_app().await;
    let (id, repo) = start_long_backup(&app).await;
    let task = app.cancel_mid_run(id, "bytes_done").await;
    assert_eq!(task["state"], "cancelled", "{task}");
    let pw = password_file(&app);
    assert_eq!(
        snapshot_count(&repo, &pw),
        0,
        "a cancelled backup is not a snapshot"
    );
    assert_restic_ok(restic(&repo, &pw, &["check"]), "check");
}

#[tokio::test]
async fn a_cancelled_restore_stops_between_files_and_leaves_only_whole_ones() {
    let app = spawn_app().await;
    let src = app.root.join("big");
    // ~300 MB: several restore steps of at most 64 MiB each.
    random_tree(&src, 1200, 256 * 1024);
    let repo = app.root.join("repo");
    back_up(&app, &src, &repo, "").await;

    let target = app.root.join("restored");
    let id = confirm_restore(&app, &target, &repo, "").await;
    let task = app.cancel_mid_run(id, "bytes_done").await;
    assert_eq!(task["state"], "cancelled", "{task}");
    let summary = task["result"].as_str().unwrap();
    assert!(summary.contains("whole"), "{task}");

    // Fewer than all files, and each one there is the source's, byte for byte.
    let source = tree(&src);
    let restored = tree(&target);
    assert!(restored.len() < source.len(), "stopped before the end");
    for entry in &restored {
        assert!(source.contains(entry), "{:?} is not whole", entry.0);
    }
    let done = task["progress"]["files_done"].as_u64().unwrap();
    assert_eq!(done as usize, restored.len(), "{task}");

    // Asked again with overwrite, the restore finishes the job.
    let id = confirm_restore(&app, &target, &repo, " and overwrite").await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    assert_eq!(tree(&target), source);
}

/// Backs `src` up into `repo` and returns the task's summary.
async fn back_up(app: &TestApp, src: &Path, repo: &Path, extra: &str) -> String {
    let id = app
        .plan_and_confirm(&format!(
            "back up {} to {}{extra}",
            src.display(),
            repo.display()
        ))
        .await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    task["result"].as_str().unwrap().to_string()
}

/// Waits for task `id` to fail and returns its error, which starts with `lead`.
async fn failure(app: &TestApp, id: i64, lead: &str) -> String {
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "failed", "{task}");
    let error = task["error"].as_str().unwrap().to_string();
    assert!(error.starts_with(lead), "{error}");
    error
}

/// Plans and confirms restoring `repo`'s latest snapshot into `target`.
async fn confirm_restore(app: &TestApp, target: &Path, repo: &Path, extra: &str) -> i64 {
    app.plan_and_confirm(&format!(
        "restore {} from {}{extra}",
        target.display(),
        repo.display()
    ))
    .await
}

#[tokio::test]
async fn an_unchanged_source_is_snapshotted_again_without_reading_and_any_change_is_seen() {
    let app = spawn_app().await;
    let src = app.root.join("docs");
    write_source(&src);
    let repo = app.root.join("repo");
    let pw = password_file(&app);
    let first = back_up(&app, &src, &repo, "").await;
    assert!(!first.contains("Nothing had changed"), "{first}");

    // Nothing changed: a new snapshot of the same tree, no file read.
    let second = back_up(&app, &src, &repo, "").await;
    assert!(second.contains("Nothing had changed"), "{second}");
    let snaps = snapshots(&repo, &pw);
    assert_eq!(snaps.len(), 2);
    assert_eq!(snaps[1].tree, snaps[0].tree);
    assert_eq!(snaps[1].parent, Some(snaps[0].id));
    assert_eq!(snaps[1].paths, snaps[0].paths);
    assert!(
        snaps[1].tags.to_string().contains("task-"),
        "{:?}",
        snaps[1].tags
    );
    let summary = snaps[1].summary.as_ref().unwrap();
    assert_eq!(summary.data_added, 0);
    assert_eq!(summary.files_unmodified, summary.total_files_processed);
    assert_restic_ok(restic(&repo, &pw, &["check"]), "check");

    // Same size, and the old mtime put back after the write: only the
    // ctime tells, and that is enough.
    let path = src.join("a.txt");
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&path, "ALPHA").unwrap();
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let third = back_up(&app, &src, &repo, "").await;
    assert!(!third.contains("Nothing had changed"), "{third}");
    // A mode change alone is a change too.
    std::fs::set_permissions(
        src.join("sub/b.txt"),
        std::fs::Permissions::from_mode(0o600),
    )
    .unwrap();
    let fourth = back_up(&app, &src, &repo, ", keep the last 3").await;
    assert!(!fourth.contains("Nothing had changed"), "{fourth}");
    assert!(fourth.contains("forgot 1"), "{fourth}");

    // The last snapshot restores to the source as it is now, with Tend and
    // with restic.
    let fifth = back_up(&app, &src, &repo, "").await;
    assert!(fifth.contains("Nothing had changed"), "{fifth}");
    let target = app.root.join("restored");
    let id = confirm_restore(&app, &target, &repo, "").await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    assert_eq!(tree(&target), tree(&src));
    assert_eq!(
        std::fs::read_to_string(target.join("a.txt")).unwrap(),
        "ALPHA"
    );
    assert_restic_ok(restic(&repo, &pw, &["check"]), "check");
}

/// Confirms `plan` and waits for its success: the result and the log.
async fn confirm_and_read(app: &TestApp, plan: Value) -> (String, String) {
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    let log: Value = app.json(&format!("/api/tasks/{id}/events")).await;
    (
        task["result"].as_str().unwrap().to_string(),
        log.to_string(),
    )
}

/// The run of a previewed backup uses the preview's walk when nothing in
/// the source changed since, and walks again when something did.
#[tokio::test]
async fn a_backup_run_uses_its_previews_walk_only_while_the_source_is_unchanged() {
    let app = spawn_app().await;
    let src = app.root.join("docs");
    write_source(&src);
    let repo = app.root.join("repo");
    back_up(&app, &src, &repo, "").await;
    let command = format!("back up {} to {}", src.display(), repo.display());

    let (result, log) = confirm_and_read(&app, app.plan(&command).await).await;
    assert!(result.contains("Nothing had changed"), "{result}");
    assert!(log.contains("its walk is used, not repeated"), "{log}");

    // Changed after the preview, deep down: seen, and backed up.
    let plan = app.plan(&command).await;
    std::fs::write(src.join("sub/b.txt"), "changed after the preview").unwrap();
    let (result, log) = confirm_and_read(&app, plan).await;
    assert!(!result.contains("Nothing had changed"), "{result}");
    assert!(!log.contains("its walk is used"), "{log}");
    let target = app.root.join("restored");
    let id = confirm_restore(&app, &target, &repo, "").await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    assert_eq!(tree(&target), tree(&src));
}

#[tokio::test]
async fn tend_cuts_files_where_restic_does_so_their_chunks_deduplicate() {
    let app = spawn_app().await;
    let src = app.root.join("disk");
    // 24 MiB of noise: about two dozen content-defined chunks, each
    // boundary placed by the Rabin fingerprint (patches/rustic_cdc).
    let size = 24 << 20;
    random_tree(&src, 1, size);
    let repo = app.root.join("repo");
    back_up(&app, &src, &repo, "").await;

    // restic reads the file again (--force: no parent shortcut) and chunks
    // it itself: every data chunk must already be there.
    let output = Command::new("restic")
        .args(["--no-cache", "--json", "-r"])
        .arg(&repo)
        .arg("--password-file")
        .arg(password_file(&app))
        .args(["backup", "--force"])
        .arg(&src)
        .output();
    let Ok(output) = output else {
        support::skip::skip(
            "a backup made by restic",
            "the restic command is not installed (scripts/test installs it)",
        );
        return;
    };
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["message_type"] == "summary")
        .expect("restic prints a summary");
    assert_eq!(summary["total_bytes_processed"], size, "{summary}");
    assert_eq!(
        summary["data_blobs"], 0,
        "restic found new chunks: {summary}"
    );
}

#[tokio::test]
async fn extra_verification_is_on_unless_turned_off_and_either_way_restic_reads_the_result() {
    for verify in [true, false] {
        let app = spawn_app_with(|c| c.backup_extra_verify = verify).await;
        let src = app.root.join("src");
        write_source(&src);
        let repo = app.root.join("repo");
        back_up(&app, &src, &repo, "").await;
        let config = open_repository(&repo, &password_file(&app))
            .config()
            .clone();
        assert_eq!(config.extra_verify(), verify);
        assert_restic_ok(
            restic(&repo, &password_file(&app), &["check", "--read-data"]),
            "check",
        );
    }
    assert!(
        tend::config::Config::default().backup_extra_verify,
        "on by default"
    );
}

#[tokio::test]
async fn a_full_disk_fails_the_backup_clearly_and_keeps_no_snapshot() {
    let app = spawn_app().await;
    let repo = app.root.join("small/repo");
    let Some(_disk) = SmallDisk::mount(&app.root.join("small"), "1m", "backup onto a full disk")
    else {
        return;
    };
    // 4 MB that does not compress, for a repository on a 1 MB disk.
    let src = app.root.join("big");
    random_tree(&src, 16, 256 * 1024);
    let id = app
        .plan_and_confirm(&format!("back up {} to {}", src.display(), repo.display()))
        .await;
    let error = failure(
        &app,
        id,
        "The backup failed: the disk is full; free some space",
    )
    .await;
    assert!(error.contains("No space left on device"), "{error}");
    // One line of words, not rustic's terminal report.
    assert!(
        !error.contains('\n') && !error.contains("Backtrace"),
        "{error}"
    );
    let pw = password_file(&app);
    assert_eq!(
        snapshot_count(&repo, &pw),
        0,
        "a failed backup is not a snapshot"
    );
}

#[tokio::test]
async fn a_restore_onto_a_full_disk_stops_clearly_and_leaves_only_whole_files() {
    let app = spawn_app().await;
    let src = app.root.join("big");
    random_tree(&src, 16, 256 * 1024);
    let repo = app.root.join("repo");
    back_up(&app, &src, &repo, "").await;
    let target = app.root.join("small/restored");
    let Some(_disk) = SmallDisk::mount(&app.root.join("small"), "1m", "restore onto a full disk")
    else {
        return;
    };
    // The plan says beforehand that 4 MB will not fit.
    let plan = app
        .plan(&format!(
            "restore {} from {}",
            target.display(),
            repo.display()
        ))
        .await;
    let warnings = plan["preview"]["warnings"].to_string();
    assert!(
        warnings.contains("it would stop when the disk is full"),
        "{plan}"
    );

    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let error = failure(
        &app,
        id,
        "The restore failed: the disk is full; free some space",
    )
    .await;
    assert!(error.contains("each of them whole"), "{error}");
    assert!(!error.contains("panicked"), "{error}");
    // Whatever is in the target is a whole file of the snapshot.
    let source = tree(&src);
    for entry in tree(&target) {
        assert!(source.contains(&entry), "{:?} is torn", entry.0);
    }
}

#[tokio::test]
async fn a_running_backup_shows_no_file_total_until_it_knows_it() {
    let app = spawn_app().await;
    let (id, _) = start_long_backup(&app).await;
    // Mid-walk the total is unknown, never a zero below the files done.
    support::wait_mid_run(&app.client, &app.url, id, |task| {
        let walking = task["progress"]["files_done"].as_u64().unwrap_or(0) > 0;
        if walking {
            assert!(task["progress"]["files_total"].is_null(), "{task}");
        }
        walking
    })
    .await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    assert_eq!(task["progress"]["files_done"], 300, "{task}");
    assert_eq!(task["progress"]["files_total"], 300, "{task}");
}
