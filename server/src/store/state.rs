//! Task states and the only transitions between them.
//!
//! ```text
//!            claim                 succeed
//!  queued ─────────► running ─────────────► succeeded
//!    │  ▲               │   fail
//!    │  │ requeue       ├─────────────────► failed
//!    │  └───────────────┤   cancel (observed by the worker)
//!    │   (crash found   └─────────────────► cancelled
//!    │    at startup)
//!    └──────────────────────────────────► cancelled   (cancel before it ran)
//! ```
//!
//! * `claim`: a worker takes the oldest queued task; its attempt count grows.
//! * `requeue`: at startup, a task still `running` was interrupted by a crash;
//!   it goes back to `queued` while attempts remain (workflows are written to
//!   be re-run safely), otherwise it `fail`s, and if a cancel had been
//!   requested it is `cancel`led instead.
//! * Terminal states (`succeeded`, `failed`, `cancelled`) never change again.
//!
//! Every store implementation asks [`apply`] for the next state, so an
//! illegal transition is rejected in this one function.

pub use app::api::TaskState;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transition {
    Claim,
    Succeed,
    Fail,
    Cancel,
    Requeue,
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
        (Queued, Claim) => Running,
        (Running, Succeed) => Succeeded,
        (Running, Fail) => Failed,
        (Running, Cancel) | (Queued, Cancel) => Cancelled,
        (Running, Requeue) => Queued,
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

#[cfg(test)]
mod tests {
    use super::*;
    use TaskState::*;

    #[test]
    fn the_documented_transitions_and_no_others() {
        let legal = [
            (Queued, Transition::Claim, Running),
            (Running, Transition::Succeed, Succeeded),
            (Running, Transition::Fail, Failed),
            (Running, Transition::Cancel, Cancelled),
            (Queued, Transition::Cancel, Cancelled),
            (Running, Transition::Requeue, Queued),
        ];
        let all = [
            Transition::Claim,
            Transition::Succeed,
            Transition::Fail,
            Transition::Cancel,
            Transition::Requeue,
        ];
        for from in TaskState::ALL {
            for t in all {
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
            for t in [Transition::Claim, Transition::Cancel, Transition::Requeue] {
                assert!(apply(from, t).is_err());
            }
        }
        assert_eq!(sources(Transition::Cancel), vec![Queued, Running]);
    }
}
