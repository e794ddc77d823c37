//! The durable task queue: task states, the `Store` that persists tasks,
//! plans and events, the hub that fans changes out to websockets, and the
//! workers that run tasks.

mod hub;
pub(crate) mod sql;
pub mod state;
mod store;
mod worker;

pub use hub::{Change, EventHub};
pub use sql::{Backend, SqlStore};
pub use state::{IllegalTransition, Transition};
pub use store::{
    open_store, CancelOutcome, Confirmed, Finish, NewPlan, NewTask, PlanRecord, PlanState, Store,
    StoreError, Sweeper, Task, TaskEvent,
};
pub use worker::{CancelRegistry, NodeSettings, Workers};
