//! Browser-side access to the server: the JSON API and the live event stream.
//! Only the hydrated (wasm) build talks to the network; the server-side render
//! never calls these, so the SSR build gets inert versions with the same API.

mod http;
mod live;

pub use http::{
    add_example, add_phrase_rule, backup_password, cancel_plan, cancel_task, confirm_plan,
    delete_rule, put_location_alias, put_pattern_alias, reschedule, retry_task, revise_plan, rules,
    send_command, session, stop_schedule, ClientError,
};
pub use live::{run_event_stream, Connection};
