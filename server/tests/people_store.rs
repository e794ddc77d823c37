//! Users, their sessions and the audit log, on every backend the store runs
//! on: a SQLite file, and a real PostgreSQL database when
//! `TEND_TEST_POSTGRES_URL` is set.

mod support;

use support::databases::TestDatabase;
use tend::people::audit::action;
use tend::people::{password, Role};
use tend::store::{AuditEntry, AuditFilter, NewAuditEntry, PeopleStore, SqlStore, StoreError};

const DAY: i64 = 86_400_000;

/// The database under the store, reached directly as anyone with its file
/// or its credentials could.
async fn behind_tends_back(db: &TestDatabase) -> sqlx::AnyPool {
    sqlx::any::install_default_drivers();
    sqlx::AnyPool::connect(db.url()).await.unwrap()
}

#[tokio::test]
async fn users_are_unique_in_any_case_and_keep_their_password_hash() {
    for db in TestDatabase::every("people store: users").await {
        let s = SqlStore::open(db.url()).await.unwrap();
        let label = db.label();
        assert_eq!(s.count_users().await.unwrap(), 0, "{label}");

        let phc = password::hash("correct horse battery").unwrap();
        let alice = s.add_user("Alice", Role::Admin, &phc, 10).await.unwrap();
        assert_eq!(
            (
                alice.name.as_str(),
                alice.role,
                alice.disabled,
                alice.created_at
            ),
            ("Alice", Role::Admin, false, 10),
            "{label}"
        );
        let bob = s
            .add_user("bob", Role::Viewer, "bob-hash", 11)
            .await
            .unwrap();

        let taken = s
            .add_user("ALICE", Role::Viewer, "x", 12)
            .await
            .unwrap_err();
        assert!(
            matches!(&taken, StoreError::UserExists(name) if name == "ALICE"),
            "{label}: {taken:?}"
        );
        assert_eq!(taken.to_string(), "There is already a user named ALICE.");

        assert_eq!(s.count_users().await.unwrap(), 2, "{label}");
        let names: Vec<String> = s
            .list_users()
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.name)
            .collect();
        assert_eq!(names, ["Alice", "bob"], "{label}");

        // Signing in as "aLiCe" finds Alice, and her password checks out.
        let (found, stored) = s.user_by_name("aLiCe").await.unwrap().unwrap();
        assert_eq!(found, alice, "{label}");
        assert!(
            password::verify("correct horse battery", &stored),
            "{label}"
        );
        assert!(!password::verify("wrong horse battery", &stored), "{label}");
        assert!(s.user_by_name("carol").await.unwrap().is_none(), "{label}");

        assert_eq!(s.get_user(bob.id).await.unwrap(), bob, "{label}");
        let bob = s.set_role(bob.id, Role::Operator).await.unwrap();
        assert_eq!(bob.role, Role::Operator, "{label}");
        assert_eq!(s.get_user(bob.id).await.unwrap().role, Role::Operator);

        let missing = bob.id + alice.id + 100;
        for e in [
            s.get_user(missing).await.unwrap_err(),
            s.set_role(missing, Role::Admin).await.unwrap_err(),
            s.set_disabled(missing, true, 20).await.unwrap_err(),
            s.set_password(missing, "h", 20, None).await.unwrap_err(),
            s.create_session("t", missing, 20, 30).await.unwrap_err(),
        ] {
            assert!(
                matches!(e, StoreError::UserNotFound(id) if id == missing),
                "{label}: {e:?}"
            );
        }
    }
}

#[tokio::test]
async fn a_session_signs_in_until_it_expires_ends_or_its_user_is_disabled() {
    for db in TestDatabase::every("people store: sessions").await {
        let s = SqlStore::open(db.url()).await.unwrap();
        let label = db.label();
        let alice = s.add_user("alice", Role::Admin, "h1", 0).await.unwrap();
        let bob = s.add_user("bob", Role::Operator, "h", 0).await.unwrap();

        s.create_session("a1", alice.id, 100, 100 + DAY)
            .await
            .unwrap();
        assert_eq!(
            s.session_user("a1", 200).await.unwrap(),
            Some(alice.clone()),
            "{label}"
        );
        assert_eq!(s.session_user("a1", 100 + DAY).await.unwrap(), None);
        assert_eq!(s.session_user("unknown", 200).await.unwrap(), None);

        // A disabled user's sessions end, and stay ended once enabled again.
        s.create_session("b1", bob.id, 100, 100 + DAY)
            .await
            .unwrap();
        s.create_session("b2", bob.id, 100, 100 + DAY)
            .await
            .unwrap();
        let disabled = s.set_disabled(bob.id, true, 300).await.unwrap();
        assert!(disabled.disabled, "{label}");
        assert!(s.user_by_name("bob").await.unwrap().unwrap().0.disabled);
        assert_eq!(s.session_user("b1", 400).await.unwrap(), None, "{label}");
        assert!(!s.set_disabled(bob.id, false, 500).await.unwrap().disabled);
        assert_eq!(s.session_user("b1", 600).await.unwrap(), None, "{label}");
        assert_eq!(s.session_user("b2", 600).await.unwrap(), None, "{label}");

        // A new password ends every other session of its user.
        s.create_session("a2", alice.id, 100, 100 + DAY)
            .await
            .unwrap();
        s.create_session("a3", alice.id, 100, 100 + DAY)
            .await
            .unwrap();
        s.create_session("b3", bob.id, 700, 700 + DAY)
            .await
            .unwrap();
        s.set_password(alice.id, "h2", 800, Some("a1"))
            .await
            .unwrap();
        assert_eq!(s.user_by_name("alice").await.unwrap().unwrap().1, "h2");
        assert!(
            s.session_user("a1", 900).await.unwrap().is_some(),
            "{label}"
        );
        assert_eq!(s.session_user("a2", 900).await.unwrap(), None, "{label}");
        assert_eq!(s.session_user("a3", 900).await.unwrap(), None, "{label}");
        assert!(
            s.session_user("b3", 900).await.unwrap().is_some(),
            "{label}"
        );
        s.set_password(bob.id, "h3", 900, None).await.unwrap();
        assert_eq!(s.session_user("b3", 950).await.unwrap(), None, "{label}");

        // Signing out, twice.
        s.end_session("a1").await.unwrap();
        s.end_session("a1").await.unwrap();
        assert_eq!(s.session_user("a1", 1000).await.unwrap(), None, "{label}");

        s.create_session("a4", alice.id, 1000, 1000 + DAY)
            .await
            .unwrap();
        s.create_session("a5", alice.id, 1000, 1000 + DAY)
            .await
            .unwrap();
        assert_eq!(
            s.end_sessions_of(alice.id, Some("a5")).await.unwrap(),
            1,
            "{label}"
        );
        assert!(s.session_user("a5", 1100).await.unwrap().is_some());
        assert_eq!(s.end_sessions_of(alice.id, None).await.unwrap(), 1);
        assert_eq!(s.session_user("a5", 1100).await.unwrap(), None, "{label}");

        s.create_session("old", alice.id, 0, 2000).await.unwrap();
        s.create_session("new", alice.id, 0, 5000).await.unwrap();
        assert_eq!(s.prune_sessions(3000).await.unwrap(), 1, "{label}");
        assert!(s.session_user("new", 3000).await.unwrap().is_some());
    }
}

#[tokio::test]
async fn a_session_is_marked_seen_at_most_once_a_minute() {
    for db in TestDatabase::every("people store: last seen").await {
        let s = SqlStore::open(db.url()).await.unwrap();
        let raw = behind_tends_back(&db).await;
        let alice = s.add_user("alice", Role::Viewer, "h", 0).await.unwrap();
        s.create_session("t", alice.id, 1_000, DAY).await.unwrap();
        let last_seen = || async {
            sqlx::query_scalar::<_, i64>("SELECT last_seen_at FROM sessions WHERE token_hash = 't'")
                .fetch_one(&raw)
                .await
                .unwrap()
        };
        s.session_user("t", 30_000).await.unwrap().unwrap();
        assert_eq!(last_seen().await, 1_000, "{}", db.label());
        s.session_user("t", 61_000).await.unwrap().unwrap();
        assert_eq!(last_seen().await, 61_000, "{}", db.label());
    }
}

fn entry(at: i64, user: Option<&str>, action: &'static str, detail: &str) -> NewAuditEntry {
    NewAuditEntry {
        at,
        user: user.map(str::to_string),
        address: Some("192.0.2.7".into()),
        action,
        detail: detail.into(),
    }
}

fn details(entries: &[AuditEntry]) -> Vec<&str> {
    entries.iter().map(|e| e.detail.as_str()).collect()
}

#[tokio::test]
async fn the_audit_log_lists_newest_first_pages_filters_and_prunes() {
    for db in TestDatabase::every("people store: audit log").await {
        let s = SqlStore::open(db.url()).await.unwrap();
        let label = db.label();
        for e in [
            entry(1_000, Some("Alice"), action::SIGN_IN, "a signs in"),
            entry(2_000, Some("alice"), action::COMMAND, "clean up /srv/tmp"),
            entry(3_000, Some("alice"), action::PLAN_CONFIRMED, "plan p1"),
            entry(4_000, Some("bob"), action::TASK_CANCELLED, "task #1"),
            entry(5_000, None, action::SIGN_IN_FAILED, "carol: wrong password"),
            entry(6_000, Some("bob"), action::TASK_RETRIED, "task #1 as #2"),
            // An action a "_" in a LIKE pattern would take for "sign_in.".
            entry(7_000, Some("bob"), "signxin.odd", "not a sign-in"),
        ] {
            s.append_audit(e).await.unwrap();
        }
        let all = |filter: AuditFilter| {
            let s = &s;
            async move {
                s.list_audit(&AuditFilter {
                    limit: 100,
                    ..filter
                })
                .await
                .unwrap()
            }
        };

        let everything = all(AuditFilter::default()).await;
        assert_eq!(everything.len(), 7, "{label}");
        assert!(everything.windows(2).all(|w| w[0].id > w[1].id), "{label}");
        let failed = &everything[2];
        assert_eq!(
            (
                failed.at,
                failed.user.as_deref(),
                failed.address.as_deref(),
                failed.action.as_str(),
                failed.detail.as_str()
            ),
            (
                5_000,
                None,
                Some("192.0.2.7"),
                "sign_in.failed",
                "carol: wrong password"
            ),
            "{label}"
        );

        // Pages of three, each after the last id of the one before.
        let first = s
            .list_audit(&AuditFilter {
                limit: 3,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        let second = s
            .list_audit(&AuditFilter {
                limit: 3,
                before: Some(first[2].id),
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(
            [details(&first), details(&second)].concat(),
            details(&everything[..6]),
            "{label}"
        );

        let by_alice = all(AuditFilter {
            user: Some("ALICE".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(
            details(&by_alice),
            ["plan p1", "clean up /srv/tmp", "a signs in"],
            "{label}"
        );
        let to_tasks = all(AuditFilter {
            action: Some("task.".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(details(&to_tasks), ["task #1 as #2", "task #1"], "{label}");
        let sign_ins = all(AuditFilter {
            action: Some(action::SIGN_IN.into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(details(&sign_ins), ["a signs in"], "{label}");
        let about_sign_ins = all(AuditFilter {
            action: Some("sign_in.".into()),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(
            details(&about_sign_ins),
            ["carol: wrong password"],
            "{label}"
        );
        let bob_between = all(AuditFilter {
            user: Some("bob".into()),
            since: Some(4_000),
            until: Some(7_000),
            ..AuditFilter::default()
        })
        .await;
        assert_eq!(
            details(&bob_between),
            ["task #1 as #2", "task #1"],
            "{label}"
        );

        assert_eq!(s.prune_audit(3_000).await.unwrap(), 2, "{label}");
        assert_eq!(
            details(&all(AuditFilter::default()).await),
            details(&everything[..5]),
            "{label}"
        );
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_an_audit_entry() {
    for db in TestDatabase::every("people store: append-only audit log").await {
        let s = SqlStore::open(db.url()).await.unwrap();
        let label = db.label();
        let id = s
            .append_audit(entry(
                1_000,
                Some("mallory"),
                action::TASK_UNDONE,
                "task #9",
            ))
            .await
            .unwrap();
        let raw = behind_tends_back(&db).await;
        let refused = sqlx::query("UPDATE audit_log SET user_name = 'alice' WHERE id = $1")
            .bind(id)
            .execute(&raw)
            .await
            .unwrap_err();
        assert!(
            refused.to_string().contains("append-only"),
            "{label}: {refused}"
        );
        let kept = s
            .list_audit(&AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(kept.len(), 1, "{label}");
        assert_eq!(kept[0].user.as_deref(), Some("mallory"), "{label}");
    }
}
