//! Tend's browser application: the UI components and the wire types that the
//! browser and the server share. Server-only code (databases, engines, models)
//! never lives here: this crate compiles to wasm.

#![recursion_limit = "256"]

pub mod api;
pub mod client;
pub mod components;
pub mod format;
mod root;

pub use root::{shell, App};
