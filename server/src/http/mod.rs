//! The HTTP surface: the JSON API, the websocket, the site files and the
//! server-rendered leptos app.

mod audit;
pub mod auth;
mod error;
mod extract;
pub mod handlers;
mod host_guard;
pub mod idempotency;
mod router;
mod state;

pub use error::ApiError;
pub use router::router;
pub use state::AppState;
