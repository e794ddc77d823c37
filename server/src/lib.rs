//! Tend's server: understands commands, plans them, queues them as durable
//! tasks and runs them, streaming progress to every browser.
//!
//! Data flows one way through the modules:
//! `http` → `nlu` → `plan` → `queue` → `workflows`, with progress flowing back
//! from `workflows` through `hub::EventHub` to the websocket in `http`.
//! Everything kept goes through `store`, which depends on none of them.

// leptos's view types nest deeply.
#![recursion_limit = "256"]

pub mod alerts;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod domain;
pub mod history;
pub mod http;
pub mod hub;
pub mod metrics;
pub mod nlu;
pub mod people;
pub mod plan;
pub mod queue;
pub mod rules;
pub mod schedule;
pub mod startup;
pub mod store;
pub mod timing;
pub mod workflows;

/// Current time as Unix milliseconds: the one clock every stored timestamp uses.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
