//! The durable store, on every backend it runs on: a SQLite file, and a
//! real PostgreSQL database when `TEND_TEST_POSTGRES_URL` is set. Two
//! stores opened on one database stand for two nodes sharing it.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use app::api::{NewExample, NewLocationAlias, RuleKind};
use serde_json::json;
use support::databases::TestDatabase;
use tend::rules::RuleStore;
use tend::store::{
    CancelOutcome, Confirmed, Ending, Finish, Lease, NewPlan, NewTask, SqlStore, Store, StoreError,
    Sweeper,
};

async fn two_nodes(db: &TestDatabase) -> (Arc<SqlStore>, Arc<SqlStore>) {
    let a = Arc::new(SqlStore::open(db.url()).await.unwrap());
    let b = Arc::new(SqlStore::open(db.url()).await.unwrap());
    (a, b)
}

/// A node's sweep while it runs nothing itself.
fn idle(node: &str) -> Sweeper<'_> {
    Sweeper::Running { node, tasks: &[] }
}

fn new_task() -> NewTask {
    NewTask {
        workflow: "cleanup".into(),
        summary: "test".into(),
        params: json!({"directory": "/x"}),
        timeout_secs: None,
        ..Default::default()
    }
}

fn lease(owner: &str, attempt: i64) -> Lease<'_> {
    Lease { owner, attempt }
}

fn plan(id: &str, expires_at: i64) -> NewPlan {
    let view: app::api::PlanView = serde_json::from_value(json!({
        "plan_id": id, "intent": "cleanup", "workflow": "cleanup", "summary": "s",
        "parameters": [], "expires_at": expires_at,
        "preview": {"file_count": 0, "total_bytes": 0, "sample_paths": []}
    }))
    .unwrap();
    NewPlan {
        id: id.into(),
        session: None,
        view,
        task: new_task(),
        created_at: 1,
    }
}

#[tokio::test]
async fn tasks_are_claimed_oldest_first_once_and_a_finished_task_never_changes() {
    for db in TestDatabase::every("store: claim and finish").await {
        let s = SqlStore::open(db.url()).await.unwrap();
        let a = s.enqueue(new_task(), 1).await.unwrap();
        let b = s.enqueue(new_task(), 2).await.unwrap();
        let first = s.claim_next("n1", 3).await.unwrap().unwrap();
        assert_eq!((first.id, first.attempt), (a.id, 1), "{}", db.label());
        assert_eq!(first.state, tend::store::TaskState::Running);
        assert_eq!(s.claim_next("n1", 4).await.unwrap().unwrap().id, b.id);
        assert!(s.claim_next("n1", 5).await.unwrap().is_none());

        let done = s
            .finish(
                a.id,
                lease("n1", 1),
                Finish::Succeeded {
                    result: "ok".into(),
                },
                6,
            )
            .await
            .unwrap();
        assert_eq!(done.result.as_deref(), Some("ok"));
        let again = s
            .finish(
                a.id,
                lease("n1", 1),
                Finish::Failed {
                    error: "x".into(),
                    result: None,
                },
                7,
            )
            .await;
        assert!(matches!(again, Err(StoreError::IllegalTransition { .. })));
        assert!(s.request_cancel(a.id, 8).await.is_err());
        let states: Vec<String> = s
            .task_events(a.id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "state")
            .map(|e| e.message)
            .collect();
        assert_eq!(
            states,
            [
                "created → queued",
                "queued → running",
                "running → succeeded"
            ],
            "{}",
            db.label()
        );
        assert_eq!(s.list_tasks(10).await.unwrap()[0].id, b.id, "newest first");
        assert!(matches!(
            s.get_task(9999).await,
            Err(StoreError::TaskNotFound(9999))
        ));
    }
}

#[tokio::test]
async fn two_nodes_claiming_together_run_every_task_exactly_once() {
    for db in TestDatabase::every("store: concurrent claims").await {
        let (a, b) = two_nodes(&db).await;
        let mut queued = BTreeSet::new();
        for i in 0..40 {
            queued.insert(a.enqueue(new_task(), i).await.unwrap().id);
        }
        // Three claimers per node, all at once, until the queue is empty.
        let mut claimers = Vec::new();
        for (node, store) in [("a", &a), ("b", &b)] {
            for _ in 0..3 {
                let store = store.clone();
                claimers.push(tokio::spawn(async move {
                    let mut mine = Vec::new();
                    while let Some(task) = store.claim_next(node, 100).await.unwrap() {
                        mine.push(task.id);
                    }
                    mine
                }));
            }
        }
        let mut claimed = Vec::new();
        for c in claimers {
            claimed.extend(c.await.unwrap());
        }
        let unique: BTreeSet<i64> = claimed.iter().copied().collect();
        assert_eq!(
            claimed.len(),
            unique.len(),
            "{}: a task claimed twice",
            db.label()
        );
        assert_eq!(unique, queued, "{}", db.label());
    }
}

#[tokio::test]
async fn a_plan_confirms_once_even_when_two_nodes_confirm_it_together() {
    for db in TestDatabase::every("store: confirming plans").await {
        let (a, b) = two_nodes(&db).await;
        a.insert_plan(plan("p1", 100)).await.unwrap();
        assert!(matches!(
            b.confirm_plan("p1", &[], None, 101).await,
            Err(StoreError::PlanExpired)
        ));
        let (x, y) = tokio::join!(
            a.confirm_plan("p1", &[], None, 50),
            b.confirm_plan("p1", &[], None, 50)
        );
        let (won, lost) = match (x, y) {
            (Ok(won), Err(lost)) | (Err(lost), Ok(won)) => (won, lost),
            other => panic!("{}: exactly one confirm wins, got {other:?}", db.label()),
        };
        let Confirmed::Task(task) = won else {
            panic!("a plan without a schedule queues a task");
        };
        assert!(
            matches!(lost, StoreError::PlanAlreadyConfirmed(id) if id == task.id),
            "{}",
            db.label()
        );
        assert_eq!(a.list_tasks(10).await.unwrap().len(), 1);
        assert_eq!(b.get_plan("p1").await.unwrap().task_id, Some(task.id));
        assert!(matches!(
            a.confirm_plan("nope", &[], None, 51).await,
            Err(StoreError::PlanNotFound(_))
        ));

        a.insert_plan(plan("p2", 100)).await.unwrap();
        b.cancel_plan("p2", 2).await.unwrap();
        assert!(matches!(
            a.confirm_plan("p2", &[], None, 3).await,
            Err(StoreError::PlanCancelled)
        ));
    }
}

#[tokio::test]
async fn a_cancel_asked_anywhere_reaches_the_node_running_the_task() {
    for db in TestDatabase::every("store: cancelling").await {
        let (a, b) = two_nodes(&db).await;
        let waiting = a.enqueue(new_task(), 1).await.unwrap();
        let running = a.enqueue(new_task(), 1).await.unwrap();
        // Queued: cancelled on the spot, from either node.
        let (t, outcome) = b.request_cancel(running.id, 2).await.unwrap();
        assert_eq!(outcome, CancelOutcome::Cancelled, "{}", db.label());
        assert!(t.result.unwrap().contains("nothing was changed"));

        let claimed = a.claim_next("node-a", 3).await.unwrap().unwrap();
        assert_eq!(claimed.id, waiting.id);
        assert!(a
            .heartbeat("node-a", &[waiting.id], 4)
            .await
            .unwrap()
            .is_empty());
        // Running on node a, cancelled through node b: a hears of it at its
        // next heartbeat, b's own heartbeat does not.
        let (t, outcome) = b.request_cancel(waiting.id, 5).await.unwrap();
        assert_eq!(outcome, CancelOutcome::Requested);
        assert!(t.cancel_requested);
        assert!(b.heartbeat("node-b", &[], 6).await.unwrap().is_empty());
        assert_eq!(
            a.heartbeat("node-a", &[waiting.id], 6).await.unwrap(),
            [waiting.id],
            "{}",
            db.label()
        );
    }
}

#[tokio::test]
async fn only_a_stopped_nodes_tasks_are_requeued_and_retries_run_out() {
    for db in TestDatabase::every("store: recovery").await {
        let (a, b) = two_nodes(&db).await;
        let on_a = a.enqueue(new_task(), 1).await.unwrap();
        let on_b = a.enqueue(new_task(), 1).await.unwrap();
        assert_eq!(
            a.claim_next("node-a", 10).await.unwrap().unwrap().id,
            on_a.id
        );
        assert_eq!(
            b.claim_next("node-b", 10).await.unwrap().unwrap().id,
            on_b.id
        );

        // Node a restarts at t=20: its own task was interrupted; b's, whose
        // heartbeat (t=10) is newer than the lease cutoff (t=5), was not.
        let recovered = a
            .recover_interrupted(2, Sweeper::Restarted("node-a"), 5, 20)
            .await
            .unwrap();
        let ids: Vec<i64> = recovered.iter().map(|t| t.id).collect();
        assert_eq!(ids, [on_a.id], "{}", db.label());
        assert_eq!(recovered[0].state, tend::store::TaskState::Queued);
        let log = a.task_events(on_a.id).await.unwrap();
        assert!(log.iter().any(|e| e.message.contains("interrupted")));

        // b keeps beating; a sweep with a cutoff before its beat leaves it.
        b.heartbeat("node-b", &[on_b.id], 40).await.unwrap();
        assert!(a
            .recover_interrupted(2, idle("node-a"), 35, 45)
            .await
            .unwrap()
            .is_empty());
        // b falls silent: once its last beat is older than the cutoff, any
        // node requeues its task.
        let recovered = a
            .recover_interrupted(2, idle("node-a"), 41, 80)
            .await
            .unwrap();
        assert_eq!(
            recovered.iter().map(|t| t.id).collect::<Vec<_>>(),
            [on_b.id],
            "{}",
            db.label()
        );

        // The second interruption of a task allowed two attempts fails it.
        assert_eq!(
            a.claim_next("node-a", 90).await.unwrap().unwrap().id,
            on_a.id
        );
        let recovered = a
            .recover_interrupted(2, Sweeper::Restarted("node-a"), 0, 95)
            .await
            .unwrap();
        assert_eq!(recovered[0].state, tend::store::TaskState::Failed);
        assert!(recovered[0]
            .error
            .as_deref()
            .unwrap()
            .contains("2 attempts"));
    }
}

#[tokio::test]
async fn a_nodes_own_sweep_never_requeues_a_task_it_is_still_running() {
    for db in TestDatabase::every("store: own running tasks").await {
        let (a, b) = two_nodes(&db).await;
        let task = a.enqueue(new_task(), 1).await.unwrap();
        assert_eq!(
            a.claim_next("node-a", 10).await.unwrap().unwrap().id,
            task.id
        );
        // a's heartbeat is held up past the lease (a database stalled behind
        // a disk flush): its own sweep knows the run is alive and leaves it,
        // where requeueing it would start a second run of the same task.
        let running = [task.id];
        let sweeper = Sweeper::Running {
            node: "node-a",
            tasks: &running,
        };
        assert!(a
            .recover_interrupted(3, sweeper, 50, 60)
            .await
            .unwrap()
            .is_empty());
        assert_eq!(
            a.get_task(task.id).await.unwrap().state,
            tend::store::TaskState::Running,
            "{}",
            db.label()
        );
        // Another node cannot know that, and takes it over; a's list of
        // running ids does not protect a task it no longer owns either.
        let recovered = b
            .recover_interrupted(3, idle("node-b"), 50, 61)
            .await
            .unwrap();
        assert_eq!(
            recovered.iter().map(|t| t.id).collect::<Vec<_>>(),
            [task.id],
            "{}",
            db.label()
        );
    }
}

#[tokio::test]
async fn rules_are_shared_by_the_nodes_unique_by_name_and_aliases_update_in_place() {
    for db in TestDatabase::every("store: rules").await {
        let (a, b) = two_nodes(&db).await;
        let nas = NewLocationAlias {
            name: "the nas".into(),
            path: "/mnt/nas".into(),
        };
        let first = a.put_location_alias(&nas, "ada", 1).await.unwrap();
        let moved = NewLocationAlias {
            path: "/mnt/nas2".into(),
            ..nas
        };
        let second = b.put_location_alias(&moved, "bo", 2).await.unwrap();
        assert_eq!(first.id, second.id, "{}: same name, same alias", db.label());
        let example = NewExample {
            intent: "backup".into(),
            text: "stash my photos on the nas".into(),
        };
        b.add_example(&example, "bo", 3).await.unwrap();
        assert!(matches!(
            a.add_example(&example, "ada", 4).await,
            Err(StoreError::RuleExists(_))
        ));
        let rules = a.list_rules().await.unwrap();
        assert_eq!(rules.locations.len(), 1);
        assert_eq!(rules.locations[0].path, "/mnt/nas2", "{}", db.label());
        // Repointed by bo: the alias is now bo's.
        assert_eq!(rules.locations[0].added_by.as_deref(), Some("bo"));
        assert_eq!(rules.examples.len(), 1);
        assert_eq!(rules.examples[0].added_by.as_deref(), Some("bo"));

        // A proposal waits apart from the rules, and is taken once.
        let proposal = a
            .add_proposal(
                &NewExample {
                    intent: "sync".into(),
                    text: "make /a look like /b".into(),
                },
                "olga",
                5,
            )
            .await
            .unwrap();
        assert!(matches!(
            b.add_proposal(
                &NewExample {
                    intent: "backup".into(),
                    text: "make /a look like /b".into(),
                },
                "otto",
                6
            )
            .await,
            Err(StoreError::RuleExists(_))
        ));
        let rules = b.list_rules().await.unwrap();
        assert_eq!(rules.proposals.len(), 1, "{}", db.label());
        assert_eq!(rules.proposals[0].proposed_by, "olga");
        assert_eq!(rules.examples.len(), 1);
        assert_eq!(
            b.take_proposal(proposal.id).await.unwrap().text,
            "make /a look like /b"
        );
        assert!(matches!(
            a.take_proposal(proposal.id).await,
            Err(StoreError::RuleNotFound { .. })
        ));

        b.delete_rule(RuleKind::Locations, first.id).await.unwrap();
        assert!(matches!(
            a.delete_rule(RuleKind::Locations, first.id).await,
            Err(StoreError::RuleNotFound { .. })
        ));
        assert!(a.list_rules().await.unwrap().locations.is_empty());
    }
}

#[tokio::test]
async fn a_database_url_tend_cannot_use_is_refused_clearly() {
    let err = SqlStore::open("mysql://localhost/tend")
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("postgres://"), "{err}");
}

#[tokio::test]
async fn a_node_cut_off_past_its_lease_cannot_overwrite_the_run_that_replaced_its_own() {
    for db in TestDatabase::every("store: fencing").await {
        let (a, b) = two_nodes(&db).await;
        let task = a.enqueue(new_task(), 1).await.unwrap();
        assert_eq!(
            a.claim_next("node-a", 2).await.unwrap().unwrap().id,
            task.id
        );
        // Node a loses the database for longer than the lease: b requeues
        // the task and runs it.
        b.recover_interrupted(3, idle("node-b"), 50, 60)
            .await
            .unwrap();
        assert_eq!(
            b.claim_next("node-b", 61).await.unwrap().unwrap().id,
            task.id
        );

        // Back, a is told to stop its run, and nothing it reports sticks.
        assert_eq!(
            a.heartbeat("node-a", &[task.id], 70).await.unwrap(),
            [task.id],
            "{}",
            db.label()
        );
        let progress = app::api::ProgressView {
            files_done: 9,
            files_total: Some(9),
            bytes_done: 9,
            bytes_total: 9,
            current: None,
        };
        assert!(matches!(
            a.update_progress(task.id, lease("node-a", 1), &progress, 71)
                .await,
            Err(StoreError::NotOwner { .. })
        ));
        let stale = a
            .finish(
                task.id,
                lease("node-a", 1),
                Finish::Succeeded { result: "a".into() },
                72,
            )
            .await;
        assert!(
            matches!(stale, Err(StoreError::NotOwner { .. })),
            "{stale:?}"
        );
        let current = b.get_task(task.id).await.unwrap();
        assert_eq!(current.progress.files_done, 0, "{}", db.label());

        let done = b
            .finish(
                task.id,
                lease("node-b", 2),
                Finish::Succeeded { result: "b".into() },
                80,
            )
            .await
            .unwrap();
        assert_eq!(done.result.as_deref(), Some("b"));
        assert_eq!(done.attempt, 2);
    }
}

/// Ends stored together each get their own answer: a late attempt is
/// refused while the others in the same batch are written, a released
/// task goes back to the queue with its attempt not spent, and a batch
/// claim takes the oldest tasks once each.
#[tokio::test]
async fn ends_stored_together_are_each_checked_on_their_own() {
    for db in TestDatabase::every("store: batches").await {
        let s = SqlStore::open(db.url()).await.unwrap();
        for at in 1..=4 {
            s.enqueue(new_task(), at).await.unwrap();
        }
        let claimed = s.claim_batch("n1", 3, 10).await.unwrap();
        let ids: Vec<i64> = claimed.iter().map(|t| t.id).collect();
        assert_eq!(ids.len(), 3, "{}", db.label());
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");
        assert!(claimed.iter().all(|t| t.attempt == 1));
        let ending = |id: i64, attempt: i64, finish: Finish| Ending {
            id,
            owner: "n1".into(),
            attempt,
            finish,
        };
        let answers = s
            .finish_batch(
                vec![
                    ending(
                        ids[0],
                        1,
                        Finish::Succeeded {
                            result: "ok".into(),
                        },
                    ),
                    ending(
                        ids[1],
                        7,
                        Finish::Succeeded {
                            result: "late".into(),
                        },
                    ),
                    ending(
                        ids[2],
                        1,
                        Finish::Released {
                            note: "server stopping".into(),
                        },
                    ),
                ],
                20,
            )
            .await
            .unwrap();
        assert_eq!(answers[0].as_ref().unwrap().result.as_deref(), Some("ok"));
        assert!(matches!(answers[1], Err(StoreError::NotOwner { .. })));
        let released = answers[2].as_ref().unwrap();
        assert_eq!(
            (released.state, released.attempt),
            (tend::store::TaskState::Queued, 0)
        );
        assert_eq!(
            s.get_task(ids[1]).await.unwrap().state,
            tend::store::TaskState::Running
        );
        let outcomes: Vec<Option<String>> = s
            .get_task(ids[2])
            .await
            .unwrap()
            .attempts
            .iter()
            .map(|a| a.outcome.clone())
            .collect();
        assert_eq!(outcomes, [Some("released".to_string())]);
        // The released task is the oldest claimable again.
        let next = s.claim_batch("n2", 5, 30).await.unwrap();
        let next_ids: Vec<i64> = next.iter().map(|t| t.id).collect();
        assert_eq!(next_ids[0], ids[2]);
        assert_eq!(next[0].attempt, 1);
    }
}
