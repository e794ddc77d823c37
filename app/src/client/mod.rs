//! Browser-side access to the server: the JSON API and the live event stream.
//! Only the hydrated (wasm) build talks to the network; the server-side render
//! never calls these, so the SSR build gets inert versions with the same API.

mod http;
mod live;

pub use http::{cancel_plan, cancel_task, confirm_plan, send_command, ClientError};
pub use live::{run_event_stream, Connection};
