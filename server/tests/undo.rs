//! Undo of a cleanup, and the paths no cleanup may touch.

mod support;

use serde_json::Value;
use support::{spawn_app, spawn_app_with, SmallDisk};

#[tokio::test]
async fn a_cleanup_can_be_undone_file_for_file() {
    let app = spawn_app().await;
    let a = app.write("u/a.tmp", "alpha", 9);
    let b = app.write("u/deep/er/b.tmp", "beta", 9);
    let dir = app.root.join("u");
    let cleanup = app
        .plan_and_confirm(&format!("clean up *.tmp in {}", dir.display()))
        .await;
    assert_eq!(app.wait_until_done(cleanup).await["state"], "succeeded");
    assert!(!a.exists() && !b.exists());
    // Even the emptied directory may go; undo recreates it.
    std::fs::remove_dir_all(app.root.join("u/deep")).unwrap();

    let plan = app
        .plan(&format!("restore quarantine of task {cleanup}"))
        .await;
    assert_eq!(plan["workflow"], "undo_cleanup");
    assert_eq!(plan["preview"]["file_count"], 2);
    assert_eq!(plan["preview"]["total_bytes"], 9);
    let undo = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(undo).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "alpha");
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "beta");
    let left = walkdir::WalkDir::new(app.quarantine(cleanup).join("files"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .count();
    assert_eq!(left, 0);

    // Nothing is left to undo now.
    let again: Value = app
        .command(&format!("undo task {cleanup}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["kind"], "reply");
    assert!(
        again["message"].as_str().unwrap().contains("Nothing"),
        "{again}"
    );
}

#[tokio::test]
async fn undo_never_overwrites_a_file_that_appeared_since() {
    let app = spawn_app().await;
    let a = app.write("c/a.log", "old a", 40);
    let b = app.write("c/b.log", "old b", 40);
    let cleanup = app
        .plan_and_confirm(&format!("delete *.log in {}", app.root.join("c").display()))
        .await;
    app.wait_until_done(cleanup).await;
    std::fs::write(&a, "new a").unwrap();

    let plan = app
        .plan(&format!("put back the files of task {cleanup}"))
        .await;
    assert_eq!(plan["preview"]["file_count"], 1);
    assert!(plan["preview"]["warnings"][0]
        .as_str()
        .unwrap()
        .contains("stay in quarantine"));
    let undo = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(undo).await;
    assert_eq!(
        task["state"], "failed",
        "a refusal is not a silent success: {task}"
    );
    assert!(task["error"]
        .as_str()
        .unwrap()
        .contains("stayed in quarantine"));
    assert_eq!(std::fs::read_to_string(&a).unwrap(), "new a");
    assert_eq!(std::fs::read_to_string(&b).unwrap(), "old b");
    assert_eq!(
        std::fs::read_to_string(app.quarantine(cleanup).join("files/a.log")).unwrap(),
        "old a"
    );
}

#[tokio::test]
async fn only_finished_cleanups_can_be_undone() {
    let app = spawn_app_with(|c| c.workers = 0).await;
    app.write("n/a.tmp", "x", 9);
    let queued = app
        .plan_and_confirm(&format!(
            "clean up *.tmp in {}",
            app.root.join("n").display()
        ))
        .await;
    let response = app.command(&format!("undo task {queued}")).await;
    assert_eq!(response.status(), 409);
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].as_str().unwrap().contains("still queued"),
        "{body}"
    );

    let response = app.command("restore quarantine of task 4242").await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn protected_paths_and_tends_own_data_are_never_touched() {
    let app = spawn_app_with(|c| {
        // Allow the whole test home, which holds Tend's data directory too.
        let home = c.data_dir.parent().unwrap().to_path_buf();
        c.extra_allowed_roots.push(home.clone());
        c.protected_paths.push(home.join("files/keep"));
    })
    .await;
    let home = app.root.parent().unwrap().to_path_buf();
    let kept = app.write("keep/precious.tmp", "x", 9);
    let loose = app.write("loose.tmp", "y", 9);
    std::fs::write(home.join("data/stray.tmp"), "tend's own").unwrap();

    let plan = app
        .plan(&format!("clean up *.tmp in {}", home.display()))
        .await;
    let paths: Vec<&str> = plan["preview"]["sample_paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(plan["preview"]["file_count"], 1, "{paths:?}");
    assert_eq!(paths, [loose.display().to_string()]);

    let response = app
        .command(&format!(
            "clean up *.tmp in {}",
            kept.parent().unwrap().display()
        ))
        .await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "path_protected");

    let response = app
        .command(&format!("clean up *.db in {}/data", home.display()))
        .await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["code"], "path_protected", "{body}");
}

#[tokio::test]
async fn empty_directories_are_removed_with_the_files_and_come_back_on_undo() {
    let app = spawn_app().await;
    let base = app.root.join("e");
    app.write("e/a/x.tmp", "x", 1);
    app.write("e/a/b/y.tmp", "y", 1);
    app.write("e/keep/k.txt", "kept", 1);
    app.write("e/keep/z.tmp", "z", 1);
    std::fs::create_dir_all(base.join("hollow/e1/e2")).unwrap();

    let plan = app
        .plan(&format!(
            "clean up *.tmp files and empty directories in {}",
            base.display()
        ))
        .await;
    assert_eq!(plan["preview"]["file_count"], 3, "{plan}");
    assert!(
        plan["preview"]["warnings"][0]
            .as_str()
            .unwrap()
            .starts_with("5 empty directories"),
        "a, a/b, hollow, hollow/e1, hollow/e1/e2: {plan}"
    );
    let id = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    assert!(!base.join("a").exists() && !base.join("hollow").exists());
    assert_eq!(
        std::fs::read_to_string(base.join("keep/k.txt")).unwrap(),
        "kept"
    );
    assert!(base.is_dir(), "the cleaned directory itself stays");

    // Only empty directories: nothing else is touched.
    std::fs::create_dir_all(base.join("later/empty")).unwrap();
    let only_dirs = app
        .plan(&format!("remove empty directories in {}", base.display()))
        .await;
    assert_eq!(only_dirs["preview"]["file_count"], 0, "{only_dirs}");
    std::fs::remove_dir_all(base.join("later")).unwrap();

    let undo = app.plan_and_confirm(&format!("undo task {id}")).await;
    let task = app.wait_until_done(undo).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    assert_eq!(
        std::fs::read_to_string(base.join("a/b/y.tmp")).unwrap(),
        "y"
    );
    assert!(
        base.join("hollow/e1/e2").is_dir(),
        "empty directories come back"
    );
}

#[tokio::test]
async fn a_cleanup_on_a_full_disk_loses_nothing_and_works_once_there_is_room() {
    let app = spawn_app().await;
    let dir = app.root.join("full");
    let Some(_disk) = SmallDisk::mount(&dir, "256k", "cleanup on a full disk") else {
        return;
    };
    // Something else on the disk, then files to clean up to the last byte.
    let filler = dir.join("filler.bin");
    std::fs::write(&filler, vec![0u8; 32 * 1024]).unwrap();
    let mut written = Vec::new();
    for i in 0.. {
        let path = dir.join(format!("f{i}.tmp"));
        match std::fs::write(&path, vec![b'x'; 16 * 1024]) {
            Ok(()) => written.push(path),
            Err(_) => {
                let _ = std::fs::remove_file(&path);
                break;
            }
        }
    }
    assert!(written.len() > 4, "the disk took {} files", written.len());
    let clean = format!("clean up *.tmp in {}", dir.display());
    let id = app.plan_and_confirm(&clean).await;
    let task = app.wait_until_done(id).await;
    assert_eq!(task["state"], "failed", "{task}");
    let error = task["error"].as_str().unwrap();
    assert!(
        error.contains("The disk is full: free some space there, then try again."),
        "{error}"
    );
    let all_whole = || {
        for path in &written {
            assert_eq!(
                std::fs::read(path).unwrap().len(),
                16 * 1024,
                "{}",
                path.display()
            );
        }
    };
    // Every file is where it was, whole, and the quarantine holds nothing.
    all_whole();
    let in_quarantine = |dir: &std::path::Path| {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| {
                e.path()
                    .components()
                    .any(|c| c.as_os_str() == ".tend-quarantine")
            })
            .count()
    };
    assert_eq!(in_quarantine(&dir), 0);

    // With room again, the same request cleans up, and undoing it puts
    // every file back.
    std::fs::remove_file(&filler).unwrap();
    let id = app.plan_and_confirm(&clean).await;
    assert_eq!(app.wait_until_done(id).await["state"], "succeeded");
    assert!(written.iter().all(|p| !p.exists()));
    let undo = app
        .plan_and_confirm(&format!("restore quarantine of task {id}"))
        .await;
    let task = app.wait_until_done(undo).await;
    assert_eq!(task["state"], "succeeded", "{task}");
    all_whole();
}

#[tokio::test]
async fn a_second_cleanup_on_another_disk_leaves_the_first_ones_quarantine_alone() {
    let app = spawn_app().await;
    // Another filesystem than Tend's data: the quarantine sits at its top.
    let dir = app.root.join("disk");
    let Some(_disk) = SmallDisk::mount(&dir, "1m", "cleanups on another disk") else {
        return;
    };
    let old = app.write("disk/a/old.tmp", "first", 1);
    let clean = format!("clean up *.tmp in {}", dir.display());
    let first = app.plan_and_confirm(&clean).await;
    assert_eq!(app.wait_until_done(first).await["state"], "succeeded");
    assert!(!old.exists());
    assert!(dir.join(".tend-quarantine").is_dir());

    // New files around the quarantine, before and after it in the listing.
    let new = [
        app.write("disk/-first.tmp", "new", 1),
        app.write("disk/z/last.tmp", "new", 1),
    ];
    let plan = app.plan(&clean).await;
    assert_eq!(plan["preview"]["file_count"], 2, "{plan}");
    let second = app.confirm(plan["plan_id"].as_str().unwrap()).await;
    assert_eq!(app.wait_until_done(second).await["state"], "succeeded");
    assert!(new.iter().all(|p| !p.exists()));

    // The first cleanup's file is still in its quarantine, and comes back.
    let undo = app
        .plan_and_confirm(&format!("restore quarantine of task {first}"))
        .await;
    assert_eq!(app.wait_until_done(undo).await["state"], "succeeded");
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "first");
}
