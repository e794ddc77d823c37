//! Task states and the only transitions between them.
//!
//! ```text
//!       created with unfinished dependencies
//!   ─────────────────────────────────────────► waiting ──► cancelled
//!                  unblock                    ▲  │        (a dependency failed,
//!   queued ◄──────────────────────────────────┼──┘         or asked by a user)
//!    │  │  block (a running task holds its path)
//!    │  └─────────────────────────────────────┘
//!    │  ▲            claim                 succeed
//!    │  │  ────────────────────► running ─────────────► succeeded
//!    │  │ requeue, release       │  │  ▲   fail
//!    │  └────────────────────────┘  │  │ ──────────────► failed
//!    │                        retry │  │   cancel (observed by the worker)
//!    │                              ▼  │ ──────────────► cancelled
//!    │                           retrying ─────────────► cancelled
//!    │                              │ block
//!    │                              └──────────────────► waiting
//!    └─────────────────────────────────────────────────► cancelled  (before it ran)
//! ```
//!
//! * `claim`: a worker takes a queued task, or a retrying one whose
//!   `run_at` has come, by priority with aging ([`super::order`]); its
//!   attempt count grows and the attempt is recorded (node, start).
//! * `block`: at its claim, a running task holds a path this one would
//!   write, or writes a path this one touches ([`super::locks`]): it
//!   waits for that task, naming it and the path.
//! * `unblock`: what it waited for ended: the task holding its path (any
//!   end), or the last of its dependencies (succeeded). It keeps its
//!   place in the queue.
//! * A task made "after" others (`A, then B`, or `after: [12]` on
//!   confirm) starts `waiting` while any of them has not succeeded. When
//!   one fails or is cancelled, it is cancelled ("not run: task #12
//!   failed"), and so are the tasks waiting on it in turn.
//! * `retry`: the attempt failed with a transient error (a network mount
//!   timing out, a destination that vanished, a repository lock held by
//!   someone else) and attempts remain: the next runs at `run_at`, after an
//!   exponential backoff with jitter.
//! * `fail`: a permanent error (invalid parameters, permission denied, a
//!   damaged repository), or the last attempt failed. Final.
//! * `requeue`: the task's node died (found by its silence, or at its own
//!   restart): back to the queue while attempts remain, the attempt spent.
//! * `release`: its node is stopping (SIGTERM) and stopped it at a safe
//!   point: back to the queue at once, the attempt not spent.
//! * `cancel`: asked by a user; a running task stops at its next check.
//! * Terminal states (`succeeded`, `failed`, `cancelled`) never change
//!   again. "Retry task 12" makes a new task with the same parameters.
//!
//! Every store implementation asks [`apply`] for the next state, so an
//! illegal transition is rejected in this one function.

pub use app::api::TaskState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Claim,
    Succeed,
    Fail,
    Retry,
    Cancel,
    Requeue,
    Release,
    Block,
    Unblock,
}

impl Transition {
    pub const ALL: [Transition; 9] = [
        Transition::Claim,
        Transition::Succeed,
        Transition::Fail,
        Transition::Retry,
        Transition::Cancel,
        Transition::Requeue,
        Transition::Release,
        Transition::Block,
        Transition::Unblock,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {from} task cannot {transition:?}")]
pub struct IllegalTransition {
    pub from: &'static str,
    pub transition: Transition,
}

/// The state a task enters when `transition` happens in state `from`.
pub fn apply(from: TaskState, transition: Transition) -> Result<TaskState, IllegalTransition> {
    use TaskState::*;
    use Transition::*;
    let to = match (from, transition) {
        (Queued | Retrying, Claim) => Running,
        (Running, Succeed) => Succeeded,
        (Running, Fail) => Failed,
        (Running, Retry) => Retrying,
        (Queued | Waiting | Running | Retrying, Cancel) => Cancelled,
        (Running, Requeue | Release) => Queued,
        (Queued | Retrying, Block) => Waiting,
        (Waiting, Unblock) => Queued,
        _ => {
            return Err(IllegalTransition {
                from: from.as_str(),
                transition,
            })
        }
    };
    Ok(to)
}

/// The states from which `transition` is legal (used to guard SQL updates).
pub fn sources(transition: Transition) -> Vec<TaskState> {
    TaskState::ALL
        .into_iter()
        .filter(|from| apply(*from, transition).is_ok())
        .collect()
}

/// The states of a task that has not started yet: what counts against the
/// queue's limit, and what a cancel ends at once.
pub fn not_started() -> Vec<TaskState> {
    let mut states = sources(Transition::Claim);
    states.push(TaskState::Waiting);
    states
}

#[cfg(test)]
mod tests {
    use super::*;
    use TaskState::*;

    #[test]
    fn the_documented_transitions_and_no_others() {
        let legal = [
            (Queued, Transition::Claim, Running),
            (Retrying, Transition::Claim, Running),
            (Running, Transition::Succeed, Succeeded),
            (Running, Transition::Fail, Failed),
            (Running, Transition::Retry, Retrying),
            (Running, Transition::Cancel, Cancelled),
            (Queued, Transition::Cancel, Cancelled),
            (Retrying, Transition::Cancel, Cancelled),
            (Running, Transition::Requeue, Queued),
            (Running, Transition::Release, Queued),
            (Queued, Transition::Block, Waiting),
            (Retrying, Transition::Block, Waiting),
            (Waiting, Transition::Unblock, Queued),
            (Waiting, Transition::Cancel, Cancelled),
        ];
        for from in TaskState::ALL {
            for t in Transition::ALL {
                let expected = legal
                    .iter()
                    .find(|(f, tt, _)| *f == from && *tt == t)
                    .map(|(_, _, to)| *to);
                assert_eq!(apply(from, t).ok(), expected, "{from:?} {t:?}");
            }
        }
    }

    #[test]
    fn terminal_states_are_final() {
        for from in [Succeeded, Failed, Cancelled] {
            assert!(from.is_terminal());
            for t in Transition::ALL {
                assert!(apply(from, t).is_err(), "{from:?} {t:?}");
            }
        }
        assert_eq!(
            sources(Transition::Cancel),
            vec![Queued, Waiting, Running, Retrying]
        );
        assert_eq!(sources(Transition::Claim), vec![Queued, Retrying]);
    }
}
