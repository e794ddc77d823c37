use leptos::prelude::*;

use crate::api::{AlertView, ScheduleView, ServerMessage, TaskView};
use crate::client::{self, Connection};

/// The tasks and active schedules as the server last reported them, kept
/// current by the websocket.
#[derive(Clone, Copy)]
pub struct LiveTasks {
    pub tasks: RwSignal<Vec<TaskView>>,
    pub schedules: RwSignal<Vec<ScheduleView>>,
    /// Alerts nobody has dismissed, newest first.
    pub alerts: RwSignal<Vec<AlertView>>,
    pub connection: RwSignal<Connection>,
}

impl LiveTasks {
    /// Creates the shared task list and makes it available to child components.
    pub fn provide() -> Self {
        let live = LiveTasks {
            tasks: RwSignal::new(Vec::new()),
            schedules: RwSignal::new(Vec::new()),
            alerts: RwSignal::new(Vec::new()),
            connection: RwSignal::new(Connection::Connecting),
        };
        provide_context(live);
        live
    }

    pub fn expect() -> Self {
        use_context::<LiveTasks>().unwrap_or_else(|| LiveTasks {
            tasks: RwSignal::new(Vec::new()),
            schedules: RwSignal::new(Vec::new()),
            alerts: RwSignal::new(Vec::new()),
            connection: RwSignal::new(Connection::Connecting),
        })
    }

    /// Opens the event stream; call once, in the browser.
    pub fn start(self) {
        leptos::task::spawn_local(async move {
            client::run_event_stream(
                move |message| self.apply(message),
                move |state| self.connection.set(state),
            )
            .await;
        });
    }

    fn apply(self, message: ServerMessage) {
        match message {
            ServerMessage::Snapshot {
                mut tasks,
                schedules,
                alerts,
            } => {
                self.alerts.set(alerts);
                tasks.sort_by_key(|t| std::cmp::Reverse(t.id));
                self.tasks.set(tasks);
                self.schedules
                    .set(schedules.into_iter().filter(|s| s.active).collect());
            }
            ServerMessage::Task { task } => self.tasks.update(|tasks| upsert(tasks, *task)),
            ServerMessage::Schedule { schedule } => self
                .schedules
                .update(|list| upsert_schedule(list, schedule)),
            ServerMessage::Alert { alert } => self.alerts.update(|list| {
                list.retain(|a| a.id != alert.id);
                if alert.dismissed_at.is_none() {
                    list.insert(0, alert);
                }
            }),
        }
    }
}

/// Inserts or replaces a task, ignoring updates older than what is shown.
fn upsert(tasks: &mut Vec<TaskView>, task: TaskView) {
    match tasks.iter_mut().find(|t| t.id == task.id) {
        Some(existing) if existing.revision <= task.revision => *existing = task,
        Some(_) => {}
        None => {
            tasks.push(task);
            tasks.sort_by_key(|t| std::cmp::Reverse(t.id));
        }
    }
}

/// Shows a new or changed schedule; a stopped one leaves the list. Newest first.
fn upsert_schedule(list: &mut Vec<ScheduleView>, schedule: ScheduleView) {
    list.retain(|s| s.id != schedule.id);
    if schedule.active {
        list.push(schedule);
        list.sort_by_key(|s| std::cmp::Reverse(s.id));
    }
}

/// Whether the live stream is up: "Live", "Connecting…", "Reconnecting…".
#[component]
pub fn ConnectionBadge() -> impl IntoView {
    let connection = LiveTasks::expect().connection;
    view! {
        <span class="connection" data-state=move || connection.get().as_str()>
            {move || match connection.get().as_str() {
                "live" => "Live",
                "reconnecting" => "Reconnecting…",
                _ => "Connecting…",
            }}
        </span>
    }
}
