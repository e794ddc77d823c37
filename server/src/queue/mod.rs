//! The durable task queue's workers: they claim queued tasks from the
//! [`crate::store::Store`], run their workflow, and turn its reports into
//! stored progress and broadcast updates; `retry` holds the policy for
//! attempts, backoff and time limits.

pub mod retry;
mod worker;

pub use retry::RunPolicy;
pub use worker::{
    CancelRegistry, NodeSettings, Phases, TaskObserver, TaskRunner, Workers, WorkflowRunner,
};
