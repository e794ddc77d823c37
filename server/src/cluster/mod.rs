//! Several Tend servers ("nodes") sharing one PostgreSQL database act as one:
//! any node's workers run any queued task (the store hands each to one,
//! [`crate::store::Store::claim_next`]), a node that stops has its tasks
//! requeued by the others ([`crate::queue::Workers`]' lease), and every
//! change is passed on here so that each node's browsers see progress of
//! tasks running elsewhere, and a routing-rule change made on one node is
//! in force on all of them for the next command.
//!
//! Changes travel as PostgreSQL notifications naming what changed (a task,
//! a schedule, the rules); the receiving node reads the thing itself from
//! the database, so a notification is small and can never be stale.

mod relay;

pub use relay::{start, Peers};
