//! Browser-side access to the server: the JSON API and the live event stream.
//! Only the hydrated (wasm) build talks to the network; the server-side render
//! never calls these, so the SSR build gets inert versions with the same API.

mod http;
mod live;

pub use http::{
    accept_proposal, add_example, add_phrase_rule, backup_password, cancel_plan, cancel_task,
    cancel_tasks, confirm_plan, delete_rule, list_tasks, put_location_alias, put_pattern_alias,
    remember, reschedule, retry_task, retry_tasks, revise_plan, rules, run_again, send_command,
    send_command_as, session, stats, stop_schedule, task, task_events, try_sentence, ClientError,
};
pub use http::{
    add_notification_target, delete_notification_target, dismiss_alert, notification_targets,
};
pub use http::{add_user, audit, change_user, users};
pub use live::{run_event_stream, Connection};
