//! The `waiting` state on SQL: tasks held back by a path lock at their
//! claim, and what wakes or cancels them when the task they wait for ends
//! (see `store/state.rs`, `store/locks.rs`).

use sqlx::Row;

use super::tasks::{in_list, Bind};
use super::SqlStore;
use crate::store::locks::{self, first_conflict, PathLock};
use crate::store::order::claim_key;
use crate::store::state::{TaskState, Transition};
use crate::store::{Priority, StoreError};
use app::api::WaitingFor;

/// A task ready to be claimed, as the claim sees it.
pub(super) struct Candidate {
    pub id: i64,
    pub state: TaskState,
    pub locks: Vec<PathLock>,
}

/// What the claim decided for one candidate.
pub(super) enum Verdict {
    Take,
    /// Waits for task `holder`, which holds `path`.
    Wait {
        holder: i64,
        path: String,
    },
}

/// The locks of every running task, by task: what a claim must not
/// collide with.
pub(super) async fn held_locks(
    tx: &mut sqlx::AnyConnection,
) -> Result<Vec<(i64, Vec<PathLock>)>, StoreError> {
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, locks FROM tasks WHERE state = 'running' AND locks <> '[]'")
            .fetch_all(&mut *tx)
            .await?;
    Ok(rows
        .into_iter()
        .map(|(id, text)| (id, locks::parse(&text)))
        .collect())
}

/// Goes through `candidates` in claim order: each is taken unless a
/// running task, or one taken before it here, holds a path it collides
/// with; at most `limit` are taken. The verdicts, in order; candidates
/// after the last taken one are left as they are.
pub(super) fn decide(
    candidates: Vec<Candidate>,
    mut held: Vec<(i64, Vec<PathLock>)>,
    limit: usize,
) -> Vec<(Candidate, Verdict)> {
    let mut verdicts = Vec::new();
    let mut taken = 0;
    for candidate in candidates {
        if taken == limit {
            break;
        }
        let conflict = held.iter().find_map(|(holder, locks)| {
            first_conflict(&candidate.locks, locks).map(|lock| (*holder, lock.path.clone()))
        });
        let verdict = match conflict {
            Some((holder, path)) => Verdict::Wait { holder, path },
            None => {
                taken += 1;
                held.push((candidate.id, candidate.locks.clone()));
                Verdict::Take
            }
        };
        verdicts.push((candidate, verdict));
    }
    verdicts
}

impl SqlStore {
    /// Queued (or retrying) → waiting for `holder`, which holds `path`.
    pub(super) async fn block(
        tx: &mut sqlx::AnyConnection,
        id: i64,
        holder: i64,
        path: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        Self::transition(
            tx,
            id,
            Transition::Block,
            now,
            ", waiting_on = $3, waiting_path = $4",
            vec![Bind::Int(holder), Bind::Text(Some(path.to_string()))],
        )
        .await?;
        let why = WaitingFor {
            task_id: holder,
            path: Some(path.to_string()),
        }
        .describe();
        super::insert_event(&mut *tx, id, "info", &why, now).await
    }

    /// What follows when the tasks in `ended` left `running` (any way) or
    /// reached a final state: tasks waiting on their paths go back to the
    /// queue in their old place; tasks depending on one that succeeded
    /// move on to their next unfinished dependency or to the queue; tasks
    /// depending on one that failed or was cancelled are cancelled, and so
    /// on down the graph. Returns the ids of every task it changed.
    pub(super) async fn settle(
        &self,
        tx: &mut sqlx::AnyConnection,
        ended: Vec<(i64, TaskState)>,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let succeeded: Vec<i64> = ended
            .iter()
            .filter(|(_, state)| *state == TaskState::Succeeded)
            .map(|(id, _)| *id)
            .collect();
        Self::note_schedule_successes(tx, &succeeded, now).await?;
        // The common case, nothing waiting, costs one look for the batch.
        let waiting: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tasks WHERE state = 'waiting'")
            .fetch_one(&mut *tx)
            .await?;
        if waiting == 0 {
            return Ok(Vec::new());
        }
        let mut changed = Vec::new();
        let mut worklist = ended;
        while let Some((id, state)) = worklist.pop() {
            changed.extend(Self::wake_lock_waiters(tx, id, now).await?);
            match state {
                TaskState::Succeeded => {
                    changed.extend(self.advance_dependents(tx, id, now).await?);
                }
                TaskState::Failed | TaskState::Cancelled => {
                    for dependent in Self::cancel_dependents(tx, id, state, now).await? {
                        changed.push(dependent);
                        worklist.push((dependent, TaskState::Cancelled));
                    }
                }
                _ => {}
            }
        }
        changed.sort_unstable();
        changed.dedup();
        Ok(changed)
    }

    /// Waits that nothing will end any more: a path held by a task that is
    /// no longer running, a dependency that already ended. A node that
    /// ended the task without settling (an older version, during a rolling
    /// upgrade) leaves these; the periodic sweep settles them as that end
    /// would have.
    pub(super) async fn settle_stale_waits(
        &self,
        tx: &mut sqlx::AnyConnection,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let terminal = in_list(&[
            TaskState::Succeeded,
            TaskState::Failed,
            TaskState::Cancelled,
        ]);
        let stale: Vec<(i64, String)> = sqlx::query_as(&format!(
            "SELECT DISTINCT h.id, h.state FROM tasks w JOIN tasks h ON h.id = w.waiting_on \
             WHERE w.state = 'waiting' AND ((w.waiting_path IS NOT NULL AND h.state <> 'running') \
             OR (w.waiting_path IS NULL AND h.state IN ({terminal})))"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let ended = stale
            .into_iter()
            .filter_map(|(id, state)| Some((id, TaskState::parse(&state)?)))
            .collect();
        self.settle(tx, ended, now).await
    }

    /// Runs of schedules succeeded: each schedule says when (its
    /// missed-run alert and its metric read this). One statement for all.
    async fn note_schedule_successes(
        tx: &mut sqlx::AnyConnection,
        tasks: &[i64],
        now: i64,
    ) -> Result<(), StoreError> {
        if tasks.is_empty() {
            return Ok(());
        }
        let ids: Vec<String> = (0..tasks.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "UPDATE schedules SET last_success_at = $1 WHERE id IN \
             (SELECT schedule_id FROM tasks WHERE id IN ({}) AND schedule_id IS NOT NULL)",
            ids.join(", ")
        );
        let mut query = sqlx::query(&sql).bind(now);
        for id in tasks {
            query = query.bind(*id);
        }
        query.execute(&mut *tx).await?;
        Ok(())
    }

    /// Tasks waiting for `holder`'s paths: back to the queue.
    async fn wake_lock_waiters(
        tx: &mut sqlx::AnyConnection,
        holder: i64,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let waiters: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM tasks WHERE state = 'waiting' AND waiting_on = $1 \
             AND waiting_path IS NOT NULL ORDER BY id",
        )
        .bind(holder)
        .fetch_all(&mut *tx)
        .await?;
        for &id in &waiters {
            Self::transition(
                tx,
                id,
                Transition::Unblock,
                now,
                ", waiting_on = NULL, waiting_path = NULL",
                vec![],
            )
            .await?;
        }
        Ok(waiters)
    }

    /// The tasks waiting for `prerequisite`, which just succeeded: each
    /// waits for its next unfinished dependency, or is queued, ready from
    /// now.
    async fn advance_dependents(
        &self,
        tx: &mut sqlx::AnyConnection,
        prerequisite: i64,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let dependents = sqlx::query(
            "SELECT id, priority FROM tasks WHERE state = 'waiting' AND waiting_on = $1 \
             AND waiting_path IS NULL ORDER BY id",
        )
        .bind(prerequisite)
        .fetch_all(&mut *tx)
        .await?;
        let mut changed = Vec::new();
        for row in dependents {
            let id: i64 = row.try_get("id")?;
            let priority =
                Priority::parse(&row.try_get::<String, _>("priority")?).unwrap_or_default();
            let next: Option<i64> = sqlx::query_scalar(
                "SELECT d.depends_on FROM task_dependencies d JOIN tasks t ON t.id = d.depends_on \
                 WHERE d.task_id = $1 AND t.state <> 'succeeded' ORDER BY d.depends_on LIMIT 1",
            )
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
            match next {
                Some(other) => {
                    sqlx::query(
                        "UPDATE tasks SET waiting_on = $1, updated_at = $2, revision = revision + 1 \
                         WHERE id = $3",
                    )
                    .bind(other)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
                None => {
                    Self::transition(
                        tx,
                        id,
                        Transition::Unblock,
                        now,
                        ", waiting_on = NULL, claim_key = $3",
                        vec![Bind::Int(claim_key(priority, now, self.queue.aging_ms))],
                    )
                    .await?;
                }
            }
            changed.push(id);
        }
        Ok(changed)
    }

    /// Cancels every waiting task that depends on `prerequisite`, which
    /// ended as `how` (failed or cancelled): it can never run.
    async fn cancel_dependents(
        tx: &mut sqlx::AnyConnection,
        prerequisite: i64,
        how: TaskState,
        now: i64,
    ) -> Result<Vec<i64>, StoreError> {
        let waiting = in_list(&[TaskState::Waiting]);
        let dependents: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT t.id FROM task_dependencies d JOIN tasks t ON t.id = d.task_id \
             WHERE d.depends_on = $1 AND t.state IN ({waiting}) ORDER BY t.id"
        ))
        .bind(prerequisite)
        .fetch_all(&mut *tx)
        .await?;
        let ended = if how == TaskState::Failed {
            "failed"
        } else {
            "was cancelled"
        };
        let result = format!("Not run: task #{prerequisite} {ended}.");
        for &id in &dependents {
            Self::transition(
                tx,
                id,
                Transition::Cancel,
                now,
                ", result = $3, finished_at = $4, waiting_on = NULL, waiting_path = NULL",
                vec![Bind::Text(Some(result.clone())), Bind::Int(now)],
            )
            .await?;
        }
        Ok(dependents)
    }

    /// Fetches `ids` after their change was committed and tells
    /// [`crate::store::Store::follow_ups`] subscribers.
    pub(super) async fn announce_ids(&self, ids: &[i64]) {
        let mut tasks = Vec::with_capacity(ids.len());
        for &id in ids {
            if let Ok(task) = Self::task_in(self.pool(), id).await {
                tasks.push(task);
            }
        }
        self.announce(tasks);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(id: i64, locks: Vec<PathLock>) -> Candidate {
        Candidate {
            id,
            state: TaskState::Queued,
            locks,
        }
    }

    #[test]
    fn the_later_of_two_colliding_candidates_waits_for_the_earlier() {
        let verdicts = decide(
            vec![
                candidate(1, vec![PathLock::write("/mnt/nas/photos")]),
                candidate(2, vec![PathLock::write("/mnt/nas/photos")]),
                candidate(3, vec![PathLock::write("/mnt/nas/music")]),
            ],
            vec![],
            10,
        );
        let summary: Vec<(i64, Option<i64>)> = verdicts
            .iter()
            .map(|(c, v)| match v {
                Verdict::Take => (c.id, None),
                Verdict::Wait { holder, .. } => (c.id, Some(*holder)),
            })
            .collect();
        assert_eq!(summary, vec![(1, None), (2, Some(1)), (3, None)]);
    }

    #[test]
    fn a_running_holder_blocks_and_the_limit_counts_only_taken_tasks() {
        let verdicts = decide(
            vec![
                candidate(5, vec![PathLock::write("/srv/photos")]),
                candidate(6, vec![]),
                candidate(7, vec![]),
            ],
            vec![(4, vec![PathLock::read("/srv/photos")])],
            1,
        );
        assert_eq!(verdicts.len(), 2);
        assert!(matches!(
            &verdicts[0].1,
            Verdict::Wait { holder: 4, path } if path == "/srv/photos"
        ));
        assert!(matches!(verdicts[1].1, Verdict::Take));
    }
}
