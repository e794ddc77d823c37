//! The durable task queue's workers: they claim queued tasks from the
//! [`crate::store::Store`], run their workflow, and turn its reports into
//! stored progress and broadcast updates.

mod worker;

pub use worker::{CancelRegistry, NodeSettings, Workers};
