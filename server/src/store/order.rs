//! The order tasks are claimed in: by priority, with aging.
//!
//! Each task gets a claim key when it becomes ready to run: the moment it
//! became ready plus one aging step per rank behind urgent (urgent +0,
//! normal +1 step, low +2 steps). Free workers take the smallest key
//! first. So a normal task that has waited one step counts as an urgent
//! one made now, and a low one after two steps: the longer a task waits,
//! the higher it effectively stands.
//!
//! The bound this gives: a task is claimed before every task that became
//! ready more than `rank × step` after it, whatever that task's priority.
//! A stream of urgent tasks can therefore hold a low task back by at most
//! two aging steps' worth of arrivals, never for ever.
//!
//! A task keeps its key when it goes back to the queue (released by a
//! stopping node, requeued after its node died, retried after a transient
//! error, woken after a path lock), so it does not lose its place. A
//! running task is never stopped for a more urgent one.

use app::api::Priority;

/// The default aging step: 15 minutes.
pub const DEFAULT_AGING_MS: i64 = 15 * 60 * 1000;

/// The claim key of a task of `priority` that became ready at `ready_at`.
pub fn claim_key(priority: Priority, ready_at: i64, aging_ms: i64) -> i64 {
    ready_at.saturating_add(priority.rank().saturating_mul(aging_ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STEP: i64 = 1_000;

    #[test]
    fn priority_leads_among_tasks_of_one_age() {
        let urgent = claim_key(Priority::Urgent, 5_000, STEP);
        let normal = claim_key(Priority::Normal, 5_000, STEP);
        let low = claim_key(Priority::Low, 5_000, STEP);
        assert!(urgent < normal && normal < low);
    }

    #[test]
    fn a_low_task_goes_before_urgent_ones_made_two_steps_after_it() {
        let low = claim_key(Priority::Low, 0, STEP);
        assert!(claim_key(Priority::Urgent, 2 * STEP - 1, STEP) < low);
        assert!(claim_key(Priority::Urgent, 2 * STEP + 1, STEP) > low);
        let normal = claim_key(Priority::Normal, 0, STEP);
        assert!(claim_key(Priority::Urgent, STEP + 1, STEP) > normal);
    }
}
