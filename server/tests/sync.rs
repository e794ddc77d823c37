//! Sync (one-way mirror) through the real server: copies, updates, deletions
//! kept as versions, the max-delete guard, symlinks, and a SIGKILL mid-run.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};

use serde_json::Value;
use support::{
    kill_mid_run_then_finish, names_besides_versions, random_tree, sparse_file, spawn_app,
    spawn_app_with, test_config, tree, write_aged, SmallDisk,
};

#[tokio::test]
async fn a_mirror_copies_new_and_changed_files_and_keeps_the_old_versions() {
    let app = spawn_app().await;
    let src = app.root.join("docs");
    let dst = app.root.join("usb/docs");
    app.write("docs/a.txt", "alpha", 3);
    app.write("docs/sub/deeper/b.txt", "beta", 5);
    app.write("docs/changed.txt", "new content", 1);
    app.write("docs/.hidden", "hidden too", 1);
    let script = app.write("docs/run.sh", "#!/bin/sh\n", 2);
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o751)).unwrap();
    std::os::unix::fs::symlink("a.txt", src.join("link-to-a")).unwrap();
    app.write("usb/docs/changed.txt", "old content", 10);
    app.write("usb/docs/extra.txt", "only here", 10);

    let plan = app
        .plan(&format!("sync {} to {}", src.display(), dst.display()))
        .await;
    assert_eq!(plan["workflow"], "sync", "{plan}");
    assert_eq!(plan["preview"]["file_count"], 6, "{plan}");
    assert!(
        plan["preview"]["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("5 new, 1 updated, 0 deleted"),
        "{plan}"
    );
    // Nothing is written before the user confirms.
    assert!(!dst.join("a.txt").exists());

    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");

    let mut expected = tree(&src);
    expected.push(("extra.txt".into(), "only here".into()));
    expected.sort();
    assert_eq!(
        tree(&dst),
        expected,
        "a mirror without deletion keeps extras"
    );
    // Metadata travels with the content.
    for rel in ["a.txt", "sub/deeper/b.txt", "run.sh"] {
        let (s, d) = (
            std::fs::metadata(src.join(rel)).unwrap(),
            std::fs::metadata(dst.join(rel)).unwrap(),
        );
        assert_eq!(s.mtime(), d.mtime(), "{rel}");
        assert_eq!(s.mode(), d.mode(), "{rel}");
    }
    assert!(std::fs::symlink_metadata(dst.join("link-to-a"))
        .unwrap()
        .file_type()
        .is_symlink());
    // The overwritten file is kept, so the sync can be undone.
    let kept = dst.join(format!(".tend-versions/task-{id}/changed.txt"));
    assert_eq!(std::fs::read_to_string(kept).unwrap(), "old content");

    // A second run finds nothing to do.
    let again = app
        .plan(&format!("mirror {} to {}", src.display(), dst.display()))
        .await;
    assert_eq!(again["preview"]["file_count"], 0, "{again}");
}

#[tokio::test]
async fn removing_what_was_deleted_moves_it_to_the_versions_area() {
    let app = spawn_app().await;
    let src = app.root.join("src");
    let dst = app.root.join("dst");
    app.write("src/keep.txt", "keep", 1);
    app.write("dst/keep.txt", "keep", 1);
    app.write("dst/gone.txt", "deleted at the source", 1);
    app.write("dst/old/dir/gone-too.txt", "also deleted", 1);
    std::fs::create_dir_all(src.join("empty")).unwrap();

    let plan = app
        .plan(&format!(
            "mirror {} to {} and remove what I deleted",
            src.display(),
            dst.display()
        ))
        .await;
    assert!(
        plan["preview"]["sample_paths"]
            .as_array()
            .unwrap()
            .contains(&Value::from("- gone.txt")),
        "{plan}"
    );
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");

    assert_eq!(tree(&dst), tree(&src));
    assert!(
        dst.join("empty").is_dir(),
        "empty source directories are mirrored"
    );
    assert!(
        !dst.join("old").exists(),
        "directories gone from the source go too"
    );
    let versions = dst.join(format!(".tend-versions/task-{id}"));
    assert_eq!(
        std::fs::read_to_string(versions.join("gone.txt")).unwrap(),
        "deleted at the source"
    );
    assert_eq!(
        std::fs::read_to_string(versions.join("old/dir/gone-too.txt")).unwrap(),
        "also deleted"
    );
}

#[tokio::test]
async fn the_max_delete_guard_copies_but_deletes_nothing() {
    let app = spawn_app_with(|c| c.sync_max_delete = 2).await;
    let src = app.root.join("s");
    let dst = app.root.join("d");
    app.write("s/new.txt", "new", 1);
    for i in 0..3 {
        app.write(&format!("d/extra{i}.txt"), "extra", 1);
    }
    let plan = app
        .plan(&format!(
            "sync {} to {} and delete extraneous files",
            src.display(),
            dst.display()
        ))
        .await;
    let warnings = plan["preview"]["warnings"].to_string();
    assert!(warnings.contains("exceed the limit of 2"), "{plan}");
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(id).await;
    assert_eq!(
        task["state"], "failed",
        "a refused deletion is not a success: {task}"
    );
    assert!(
        task["error"].as_str().unwrap().contains("none was deleted"),
        "{task}"
    );
    assert_eq!(std::fs::read_to_string(dst.join("new.txt")).unwrap(), "new");
    for i in 0..3 {
        assert!(dst.join(format!("extra{i}.txt")).exists());
    }
}

#[tokio::test]
async fn a_missing_destination_is_created_and_links_are_never_followed() {
    let app = spawn_app().await;
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "not yours").unwrap();
    let src = app.root.join("proj");
    app.write("proj/readme.md", "hello", 1);
    std::os::unix::fs::symlink(outside.path(), src.join("escape")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.txt"), src.join("secret-link")).unwrap();
    let dst = app.root.join("backup/new/proj");

    let id = app
        .plan_and_confirm(&format!("sync {} to {}", src.display(), dst.display()))
        .await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    assert_eq!(
        std::fs::read_to_string(dst.join("readme.md")).unwrap(),
        "hello"
    );
    for link in ["escape", "secret-link"] {
        let meta = std::fs::symlink_metadata(dst.join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} is copied as a link");
    }
    // Nothing was written through the links.
    let outside_names: Vec<_> = std::fs::read_dir(outside.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside_names, vec![std::ffi::OsString::from("secret.txt")]);
    assert_eq!(tree(&dst), tree(&src));
}

#[tokio::test]
async fn a_destination_linked_outside_or_inside_the_source_is_refused() {
    let app = spawn_app().await;
    let outside = tempfile::tempdir().unwrap();
    app.write("here/a.txt", "a", 1);
    std::os::unix::fs::symlink(outside.path(), app.root.join("out")).unwrap();
    let src = app.root.join("here");

    let response = app
        .command(&format!(
            "sync {} to {}/copy",
            src.display(),
            app.root.join("out").display()
        ))
        .await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "path_outside_roots", "{body}");

    let response = app
        .command(&format!(
            "sync {} to {}/inner",
            src.display(),
            src.display()
        ))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "invalid_parameters", "{body}");
    assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
    assert!(!src.join("inner").exists());

    let response = app.command("sync to somewhere please").await;
    let body: Value = response.json().await.unwrap();
    assert!(body.to_string().contains("Which directory"), "{body}");
}

/// SIGKILL in the middle of a sync: afterwards every destination file is
/// either absent or a complete copy, never a torn one; after the restart
/// the task finishes and the trees match with no temporary files left.
#[tokio::test]
async fn a_sync_killed_mid_run_never_leaves_a_torn_file() {
    let home = tempfile::tempdir().unwrap();
    let config = test_config(home.path());
    let src = home.path().join("files/big");
    let dst = home.path().join("files/mirror");
    // Many files: per-file work is what makes a sync take long enough to kill.
    const FILES: usize = 20_000;
    let payload = |i: usize| vec![(i % 251) as u8; 1024 + i % 1000];
    for i in 0..FILES {
        let path = src.join(format!("d{}/f{i}.bin", i % 30));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, payload(i)).unwrap();
    }
    // Files that exist in the old version must end as old or new, never torn.
    for i in (0..FILES).step_by(10) {
        let path = dst.join(format!("d{}/f{i}.bin", i % 30));
        write_aged(&path, "old version", 30);
    }

    let check_no_torn = |allow_missing: bool| {
        for i in 0..FILES {
            let path = dst.join(format!("d{}/f{i}.bin", i % 30));
            match std::fs::read(&path) {
                Ok(bytes) => assert!(
                    bytes == payload(i) || bytes == b"old version",
                    "{} is torn ({} bytes)",
                    path.display(),
                    bytes.len()
                ),
                Err(_) => assert!(allow_missing, "{} is missing", path.display()),
            }
        }
    };
    let (_, task) = kill_mid_run_then_finish(
        home.path(),
        &config,
        &format!("sync {} to {}", src.display(), dst.display()),
        "files_done",
        || check_no_torn(true),
    )
    .await;
    assert_eq!(task["state"], "succeeded", "{task}");
    check_no_torn(false);
    for i in 0..FILES {
        let path = dst.join(format!("d{}/f{i}.bin", i % 30));
        assert_eq!(std::fs::read(&path).unwrap(), payload(i));
    }
    let temps = walkdir::WalkDir::new(&dst)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".tend-tmp-"))
        .count();
    assert_eq!(temps, 0, "temporary files of the killed run are cleaned up");
}

#[tokio::test]
async fn a_cancelled_sync_stops_with_whole_files_and_deletes_nothing() {
    let app = spawn_app().await;
    let src = app.root.join("many");
    random_tree(&src, 20_000, 1024);
    let dst = app.root.join("copy");
    app.write("copy/extra.txt", "not in the source", 1);
    let id = app
        .plan_and_confirm(&format!(
            "mirror {} to {} and remove what I deleted",
            src.display(),
            dst.display()
        ))
        .await;
    let task = app.cancel_mid_run(id, "files_done").await;
    assert_eq!(task["state"], "cancelled", "{task}");
    assert!(
        dst.join("extra.txt").exists(),
        "a cancelled sync deletes nothing"
    );
    let copied: Vec<_> = walkdir::WalkDir::new(&dst)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.file_name() != "extra.txt")
        .collect();
    assert!(copied.len() < 20_000, "cancelled before the end");
    for entry in copied {
        let name = entry.file_name().to_string_lossy().to_string();
        assert!(
            !name.starts_with(".tend-tmp-"),
            "temporary file left: {name}"
        );
        let rel = entry.path().strip_prefix(&dst).unwrap();
        assert_eq!(
            std::fs::read(entry.path()).unwrap(),
            std::fs::read(src.join(rel)).unwrap()
        );
    }
}

#[tokio::test]
async fn cancelling_in_the_middle_of_a_huge_file_stops_that_file() {
    let app = spawn_app().await;
    let src = app.root.join("huge");
    sparse_file(&src.join("disk.img"), 8 << 30);
    let dst = app.root.join("huge-copy");
    let id = app
        .plan_and_confirm(&format!("mirror {} to {}", src.display(), dst.display()))
        .await;
    // Some bytes of the one file are done: the copy is mid-file.
    let task = app.cancel_mid_run(id, "bytes_done").await;
    assert_eq!(task["state"], "cancelled", "{task}");
    assert!(
        task["progress"]["bytes_done"].as_u64().unwrap() < 8 << 30,
        "stopped before the end of the file: {task}"
    );
    let left = names_besides_versions(&dst);
    assert!(left.is_empty(), "no partial or temporary file: {left:?}");
}

#[tokio::test]
async fn versions_older_than_the_retention_are_purged_by_the_next_sync() {
    let app = spawn_app().await;
    let (src, dst) = (app.root.join("v-src"), app.root.join("v-dst"));
    app.write("v-src/a.txt", "new", 1);
    app.write("v-dst/a.txt", "old", 5);
    let first = app
        .plan_and_confirm(&format!("sync {} to {}", src.display(), dst.display()))
        .await;
    assert_eq!(app.wait_until_done(first).await["state"], "succeeded");
    let kept = dst.join(format!(".tend-versions/task-{first}"));
    assert_eq!(std::fs::read_to_string(kept.join("a.txt")).unwrap(), "old");

    // Forty days later (the default retention is 30), the next sync purges it.
    let forty_days = std::time::Duration::from_secs(40 * 86_400);
    std::fs::File::open(&kept)
        .unwrap()
        .set_modified(std::time::SystemTime::now() - forty_days)
        .unwrap();
    app.write("v-src/b.txt", "b", 1);
    let second = app
        .plan_and_confirm(&format!("sync {} to {}", src.display(), dst.display()))
        .await;
    assert_eq!(app.wait_until_done(second).await["state"], "succeeded");
    assert!(!kept.exists(), "old versions are purged");
    assert_eq!(std::fs::read_to_string(dst.join("b.txt")).unwrap(), "b");
}

#[tokio::test]
async fn a_full_disk_is_reported_per_file_and_deletes_nothing() {
    let app = spawn_app().await;
    let dst = app.root.join("small");
    let Some(_disk) = SmallDisk::mount(&dst, "1m", "sync onto a full disk") else {
        return;
    };
    app.write("small/extra.txt", "only here", 1);
    // Six files of 300 KB; the 1 MB disk holds three at most.
    let src = app.root.join("big");
    std::fs::create_dir_all(&src).unwrap();
    let content = |i: usize| vec![i as u8 + 1; 300_000];
    for i in 0..6 {
        std::fs::write(src.join(format!("f{i}.bin")), content(i)).unwrap();
    }
    let id = app
        .plan_and_confirm(&format!(
            "mirror {} to {} and remove what I deleted",
            src.display(),
            dst.display()
        ))
        .await;
    let task = app.wait_until_done(id).await;
    assert_eq!(
        task["state"], "failed",
        "a partial failure is no success: {task}"
    );
    let error = task["error"].as_str().unwrap();
    assert!(
        error.contains("could not be read or copied, so no file was deleted"),
        "{error}"
    );
    // Each file that did not fit is named in the log, with the reason.
    let events: Value = app.json(&format!("/api/tasks/{id}/events")).await;
    let failures: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "file_error")
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(!failures.is_empty(), "{events}");
    for line in &failures {
        assert!(
            line.starts_with('f') && line.contains("No space left on device"),
            "{line}"
        );
    }
    // What is there is whole; what failed left no partial or temporary file.
    let mut whole = 0;
    for i in 0..6 {
        if let Ok(bytes) = std::fs::read(dst.join(format!("f{i}.bin"))) {
            assert_eq!(bytes, content(i), "f{i}.bin is torn");
            whole += 1;
        }
    }
    assert_eq!(whole + failures.len(), 6, "{failures:?}");
    let summary = task["result"].as_str().unwrap_or_default();
    assert!(
        summary.contains(&format!("Copied {whole} of 6 files")),
        "{task}"
    );
    let mut left = names_besides_versions(&dst);
    left.retain(|n| !n.starts_with("f") || !n.ends_with(".bin"));
    assert_eq!(
        left,
        vec!["extra.txt".to_string()],
        "nothing deleted, no temp file"
    );
}

#[tokio::test]
async fn a_mirror_sets_a_versions_area_up_only_when_it_keeps_a_version() {
    let app = spawn_app().await;
    let src = app.root.join("photos");
    let dst = app.root.join("usb/photos");
    app.write("photos/a.jpg", "a", 3);
    app.write("photos/b.jpg", "b", 3);
    std::fs::create_dir_all(&dst).unwrap();
    let mirror = format!(
        "mirror {} to {} and remove what I deleted",
        src.display(),
        dst.display()
    );
    let run = async || {
        let id = app.plan_and_confirm(&mirror).await;
        let task = app.wait_until_done(id).await;
        assert_eq!(task["state"], "succeeded", "{task}");
        id
    };

    // Into an empty destination, and again with nothing to do: nothing was
    // replaced or deleted, so there is nothing to keep.
    run().await;
    assert_eq!(tree(&dst), tree(&src));
    assert_eq!(names_besides_versions(&dst).len(), 2);
    assert!(
        !dst.join(".tend-versions").exists(),
        "nothing was set aside"
    );
    run().await;
    assert!(
        !dst.join(".tend-versions").exists(),
        "nothing was set aside"
    );

    // A file replaced and one deleted are kept, as before.
    app.write("photos/a.jpg", "a, edited", 1);
    std::fs::remove_file(src.join("b.jpg")).unwrap();
    let id = run().await;
    assert_eq!(tree(&dst), tree(&src));
    let versions = dst.join(format!(".tend-versions/task-{id}"));
    assert_eq!(
        std::fs::read_to_string(versions.join("a.jpg")).unwrap(),
        "a"
    );
    assert_eq!(
        std::fs::read_to_string(versions.join("b.jpg")).unwrap(),
        "b"
    );
}

#[tokio::test]
async fn a_confirmed_mirror_applies_its_preview_or_what_changed_since() {
    let app = spawn_app().await;
    let src = app.root.join("pics");
    let dst = app.root.join("nas/pics");
    for rel in ["a/1.jpg", "a/2.jpg", "b/3.jpg", "b/deep/4.jpg", "top.jpg"] {
        let original = app.write(&format!("pics/{rel}"), rel, 4);
        let copy = app.write(&format!("nas/pics/{rel}"), rel, 4);
        // The same time to the nanosecond: two writes a moment apart can
        // straddle a second, and the copy would then count as changed.
        let when = std::fs::metadata(&original).unwrap().modified().unwrap();
        let copy = std::fs::File::options().write(true).open(copy).unwrap();
        copy.set_modified(when).unwrap();
    }
    let command = format!(
        "mirror {} to {} and remove what I deleted",
        src.display(),
        dst.display()
    );
    let events = |id: i64| format!("/api/tasks/{id}/events");

    // Nothing changed between the preview and the run: the run applies
    // the preview's comparison without walking again.
    let plan = app.plan(&command).await;
    assert_eq!(plan["preview"]["file_count"], 0, "{plan}");
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    let log: Value = app.json(&events(id)).await;
    assert!(
        log.to_string()
            .contains("Nothing changed since the preview"),
        "{log}"
    );

    // The source changes after the preview, in place, by addition and by
    // removal; the mirror still ends equal to the source.
    let plan = app.plan(&command).await;
    assert_eq!(plan["preview"]["file_count"], 0, "{plan}");
    std::fs::write(src.join("a/1.jpg"), "edited after the preview").unwrap();
    app.write("pics/b/deep/5.jpg", "added after the preview", 0);
    std::fs::remove_file(src.join("a/2.jpg")).unwrap();
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let done = app.wait_until_done(id).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(tree(&dst), tree(&src));
    let log: Value = app.json(&events(id)).await;
    assert!(
        log.to_string().contains(
            "2 directories changed since the last comparison and were compared again (a, b/deep)"
        ),
        "{log}"
    );

    // A change at the top compares everything again; still equal.
    let plan = app.plan(&command).await;
    std::fs::write(src.join("top.jpg"), "edited at the top").unwrap();
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    assert_eq!(tree(&dst), tree(&src));
}

#[tokio::test]
async fn a_mirror_edited_after_its_sync_is_put_right_by_the_next_one() {
    let app = spawn_app().await;
    let src = app.root.join("music");
    let dst = app.root.join("usb/music");
    for rel in ["a/1.flac", "a/2.flac", "b/c/3.flac"] {
        app.write(&format!("music/{rel}"), rel, 2);
    }
    let command = format!("mirror {} to {}", src.display(), dst.display());
    // Into a destination that does not exist yet.
    let id = app.plan_and_confirm(&command).await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    assert_eq!(tree(&dst), tree(&src));

    // Someone edits the mirror, and adds to it, after the sync.
    std::fs::write(dst.join("b/c/3.flac"), "edited in the mirror").unwrap();
    std::fs::write(dst.join("a/stray.flac"), "only in the mirror").unwrap();
    let plan = app.plan(&command).await;
    assert_eq!(plan["preview"]["file_count"], 1, "{plan}");
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    let mut expected = tree(&src);
    expected.push(("a/stray.flac".into(), "only in the mirror".into()));
    expected.sort();
    assert_eq!(tree(&dst), expected);

    // And with nothing changed since, nothing to do.
    let plan = app.plan(&command).await;
    assert_eq!(plan["preview"]["file_count"], 0, "{plan}");
}
