//! One task on a page of its own: what it was asked to do, what happened
//! when, its whole log, and what can still be done with it.

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use super::timeline::{parameter_rows, timeline};
use crate::api::{CommandResponse, PlanView, TaskEventView, TaskState, TaskView};
use crate::client;
use crate::components::clock::now_ms;
use crate::components::console::session_id;
use crate::components::task_panel::{bar, progress_line};
use crate::components::{Clock, ConnectionBadge, LiveTasks, PlanCard};
use crate::format;

/// Log lines per page.
const LOG_PAGE: i64 = 100;

/// How often, at most, a running task's newest log lines are asked for as
/// its progress comes in.
const LOG_REFRESH_MS: i64 = 3_000;

/// The task's log as loaded so far, newest first.
#[derive(Clone, Copy)]
struct EventLog {
    lines: RwSignal<Vec<TaskEventView>>,
    /// Where the next older page starts; none once the oldest line is in.
    next_before: RwSignal<Option<i64>>,
    loading: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    /// When the newest lines were last asked for (browser ms).
    refreshed_at: StoredValue<i64>,
    /// The task whose lines these are: an answer for another is dropped.
    task_id: StoredValue<i64>,
}

impl EventLog {
    fn new() -> EventLog {
        EventLog {
            lines: RwSignal::new(Vec::new()),
            next_before: RwSignal::new(None),
            loading: RwSignal::new(false),
            error: RwSignal::new(None),
            refreshed_at: StoredValue::new(0),
            task_id: StoredValue::new(0),
        }
    }

    /// Starts over, for `task_id`.
    fn clear(self, task_id: i64) {
        self.task_id.set_value(task_id);
        self.lines.set(Vec::new());
        self.next_before.set(None);
        self.error.set(None);
        self.loading.set(false);
    }

    /// Adds the lines newer than those shown.
    fn load_newest(self, task_id: i64) {
        self.refreshed_at.set_value(now_ms());
        leptos::task::spawn_local(async move {
            let answer = client::task_events(task_id, None, LOG_PAGE).await;
            if self.task_id.get_value() != task_id {
                return;
            }
            match answer {
                Ok(page) => {
                    let full = (page.events.len() as i64) >= LOG_PAGE;
                    let replaced = self
                        .lines
                        .try_update(|lines| take_newest(lines, page.events, full))
                        .unwrap_or(false);
                    if replaced {
                        self.next_before.set(page.next_before);
                    }
                    self.error.set(None);
                }
                Err(e) => self.error.set(Some(e.0)),
            }
        });
    }

    fn load_older(self, task_id: i64) {
        let Some(before) = self.next_before.get_untracked() else {
            return;
        };
        self.loading.set(true);
        leptos::task::spawn_local(async move {
            let answer = client::task_events(task_id, Some(before), LOG_PAGE).await;
            if self.task_id.get_value() != task_id {
                return;
            }
            match answer {
                Ok(page) => {
                    self.lines.update(|lines| {
                        let oldest = lines.last().map(|l| l.id).unwrap_or(i64::MAX);
                        lines.extend(page.events.into_iter().filter(|l| l.id < oldest));
                    });
                    self.next_before.set(page.next_before);
                }
                Err(e) => self.error.set(Some(e.0)),
            }
            self.loading.set(false);
        });
    }
}

/// Puts the newest `page` of the log (newest first) above the `lines`
/// shown. When all of a `full` page is newer, lines may be missing between
/// it and those shown: the page then replaces them (and paging on starts
/// from it), as it does when nothing is shown yet. Answers whether it
/// replaced them.
fn take_newest(lines: &mut Vec<TaskEventView>, page: Vec<TaskEventView>, full: bool) -> bool {
    let Some(newest_shown) = lines.first().map(|line| line.id) else {
        *lines = page;
        return true;
    };
    let overlaps = page.iter().any(|line| line.id <= newest_shown);
    if full && !overlaps {
        *lines = page;
        return true;
    }
    let mut merged: Vec<TaskEventView> = page
        .into_iter()
        .filter(|line| line.id > newest_shown)
        .collect();
    merged.append(lines);
    *lines = merged;
    false
}

/// The task named in the address (`/tasks/{id}`), live while it runs.
#[component]
pub fn TaskDetail() -> impl IntoView {
    let params = use_params_map();
    let task_id = Memo::new(move |_| {
        params.with(|p| {
            p.get("id")
                .and_then(|id| id.trim_start_matches('#').parse::<i64>().ok())
        })
    });
    let live = LiveTasks::expect();
    Clock::provide();
    let task = RwSignal::new(None::<TaskView>);
    let load_error = RwSignal::new(None::<String>);
    let log = EventLog::new();

    // The task as stored, with its attempts; then the live stream's newer
    // revisions, if any.
    let fetch_task = move |id: i64| {
        leptos::task::spawn_local(async move {
            let answer = client::task(id).await;
            if task_id.get_untracked() != Some(id) {
                return;
            }
            match answer {
                Ok(fetched) => {
                    let newer = live.tasks.with_untracked(|tasks| {
                        tasks
                            .iter()
                            .find(|t| t.id == id && t.revision > fetched.revision)
                            .cloned()
                    });
                    let shown = task.get_untracked().filter(|t| t.id == id);
                    let best = match (newer, shown) {
                        (Some(live), _) => live,
                        (None, Some(shown)) if shown.revision > fetched.revision => shown,
                        _ => fetched.clone(),
                    };
                    task.set(Some(TaskView {
                        attempts: fetched.attempts,
                        ..best
                    }));
                    load_error.set(None);
                }
                // A refresh that fails leaves the page as it was.
                Err(e) if task.with_untracked(Option::is_none) => load_error.set(Some(e.0)),
                Err(_) => {}
            }
        });
    };

    Effect::new(move |_| {
        let Some(id) = task_id.get() else {
            return;
        };
        task.set(None);
        load_error.set(None);
        log.clear(id);
        fetch_task(id);
        log.load_newest(id);
    });

    // Live: a new state or attempt brings the attempts and the log up to
    // date at once; plain progress asks for new log lines now and then.
    Effect::new(move |_| {
        let Some(id) = task_id.get() else {
            return;
        };
        let Some(fresh) = live
            .tasks
            .with(|tasks| tasks.iter().find(|t| t.id == id).cloned())
        else {
            return;
        };
        let Some(shown) = task.get_untracked().filter(|t| t.id == id) else {
            return;
        };
        if fresh.revision <= shown.revision {
            return;
        }
        let milestone = fresh.state != shown.state || fresh.attempt != shown.attempt;
        task.set(Some(TaskView {
            attempts: shown.attempts,
            ..fresh
        }));
        if milestone {
            fetch_task(id);
            log.load_newest(id);
        } else if now_ms() - log.refreshed_at.get_value() > LOG_REFRESH_MS {
            log.load_newest(id);
        }
    });

    // What the page shows changes with the task loaded, not with each of
    // its revisions: those update the body in place.
    let loaded = Memo::new(move |_| {
        (
            task_id.get(),
            task.with(|t| t.as_ref().map(|t| t.id)),
            load_error.get(),
        )
    });

    view! {
        <section class="task-detail" aria-label="Task">
            {move || match loaded.get() {
                (None, _, _) => {
                    view! {
                        <p class="notice refused" role="alert">
                            "This address names no task: it should end in a task's number, as in /tasks/12."
                        </p>
                    }
                        .into_any()
                }
                (Some(_), _, Some(e)) => {
                    view! { <p class="notice refused" role="alert">{e}</p> }.into_any()
                }
                (Some(id), None, None) => {
                    view! { <p class="empty">{format!("Loading task #{id}…")}</p> }.into_any()
                }
                (Some(_), Some(_), None) => view! { <TaskBody task log /> }.into_any(),
            }}
        </section>
    }
}

/// Everything about a loaded task; `task` is kept current by the page.
#[component]
fn TaskBody(task: RwSignal<Option<TaskView>>, log: EventLog) -> impl IntoView {
    let clock = Clock::expect();
    let current = move || task.get().unwrap_or_default();
    let id = task.with_untracked(|t| t.as_ref().map(|t| t.id).unwrap_or_default());

    let progress = move || {
        let task = current();
        let (max, value) = bar(&task);
        let rate = match (task.state, task.started_at) {
            (TaskState::Running, Some(started)) => {
                format::rate_line(&task.progress, started, clock.now())
            }
            _ => None,
        };
        let running_file = task
            .progress
            .current
            .clone()
            .filter(|_| task.state == TaskState::Running);
        view! {
            <progress
                max=max.to_string()
                value=value.map(|v| v.to_string())
                aria-label=format!("Progress of task {id}")
            ></progress>
            <p class="task-progress">{progress_line(&task)}</p>
            {rate.map(|r| view! { <p class="task-rate">{r}</p> })}
            {running_file.map(|c| view! { <p class="task-current"><code>{c}</code></p> })}
        }
    };

    view! {
        <header class="detail-head">
            <h2>{format!("Task #{id}")}</h2>
            <span class="task-workflow">{move || current().workflow}</span>
            <span class="task-state" data-state=move || current().state.as_str()>
                {move || current().state.as_str()}
            </span>
            <ConnectionBadge />
        </header>
        <p class="detail-summary">{move || current().summary}</p>
        <p class="asked-by">
            {move || {
                current()
                    .asked_by
                    .map(|who| format!("Asked by {who}"))
                    .unwrap_or_else(|| "Asked by a schedule or before sign-in existed".into())
            }}
        </p>
        <div class="detail-progress">{progress}</div>
        <TaskOutcome task />
        <TaskActions task />
        <div class="detail-columns">
            <section class="detail-parameters" aria-label="Parameters">
                <h3>"Parameters"</h3>
                {move || parameters(&current())}
            </section>
            <section class="detail-timeline" aria-label="Timeline">
                <h3>"Timeline"</h3>
                <ol class="timeline">
                    {move || {
                        log.lines
                            .with(|lines| timeline(&current(), lines))
                            .into_iter()
                            .map(|moment| {
                                view! {
                                    <li class="moment" data-kind=moment.kind>
                                        <time>{format::time_to_the_second(moment.at)}</time>
                                        <span class="moment-text">{moment.text}</span>
                                    </li>
                                }
                            })
                            .collect_view()
                    }}
                </ol>
            </section>
        </div>
        <EventLogView task_id=id log />
    }
}

/// The parameters as a definition list, then how the task is ordered
/// among others.
fn parameters(task: &TaskView) -> impl IntoView {
    let link = |id: i64| view! { <a href=format!("/tasks/{id}")>{format!("#{id}")}</a> };
    let depends_on = (!task.depends_on.is_empty()).then(|| {
        let links = task
            .depends_on
            .iter()
            .enumerate()
            .map(|(i, id)| view! { {(i > 0).then_some(", ")} {link(*id)} })
            .collect_view();
        view! {
            <div class="parameter" data-name="depends_on">
                <dt>"Runs after"</dt>
                <dd>{links}</dd>
            </div>
        }
    });
    let waiting_for = task
        .waiting_for
        .as_ref()
        .filter(|_| task.state == TaskState::Waiting)
        .map(|w| {
            view! {
                <div class="parameter" data-name="waiting_for">
                    <dt>"Waiting"</dt>
                    <dd>{w.describe()}</dd>
                </div>
            }
        });
    let retry_of = task.retry_of.map(|old| {
        view! {
            <div class="parameter" data-name="retry_of">
                <dt>"Runs again"</dt>
                <dd>{link(old)}</dd>
            </div>
        }
    });
    let timeout = task.timeout_secs.map(|secs| {
        view! {
            <div class="parameter" data-name="timeout">
                <dt>"Gives up after"</dt>
                <dd>{format::duration(secs * 1000)}</dd>
            </div>
        }
    });
    view! {
        <dl class="parameters">
            {parameter_rows(&task.parameters)
                .into_iter()
                .map(|(name, value)| {
                    let data_name = name.clone();
                    view! {
                        <div class="parameter" data-name=data_name>
                            <dt>{name}</dt>
                            <dd>{value}</dd>
                        </div>
                    }
                })
                .collect_view()}
            <div class="parameter" data-name="priority">
                <dt>"Priority"</dt>
                <dd>{task.priority.as_str()}</dd>
            </div>
            {depends_on}
            {waiting_for}
            {retry_of}
            {timeout}
        </dl>
    }
}

/// The result and the error, once there are any.
#[component]
fn TaskOutcome(task: RwSignal<Option<TaskView>>) -> impl IntoView {
    let result = move || task.with(|t| t.as_ref().and_then(|t| t.result.clone()));
    let error = move || task.with(|t| t.as_ref().and_then(|t| t.error.clone()));
    view! {
        {move || result().map(|r| view! { <p class="task-result">{r}</p> })}
        {move || error().map(|e| view! { <p class="task-error" role="alert">{e}</p> })}
    }
}

/// Cancel, Retry and Undo, as the task's state allows; an undo's plan is
/// shown here to be confirmed.
#[component]
fn TaskActions(task: RwSignal<Option<TaskView>>) -> impl IntoView {
    let state = move || task.with(|t| t.as_ref().map(|t| t.state).unwrap_or_default());
    let id = move || task.with_untracked(|t| t.as_ref().map(|t| t.id).unwrap_or_default());
    let cancellable = move || {
        task.with(|t| {
            t.as_ref()
                .is_some_and(|t| !t.state.is_terminal() && !t.cancel_requested)
        })
    };
    let retryable = move || matches!(state(), TaskState::Failed | TaskState::Cancelled);
    let undoable = move || {
        task.with(|t| {
            t.as_ref().is_some_and(|t| {
                t.state == TaskState::Succeeded && matches!(t.workflow.as_str(), "cleanup" | "sync")
            })
        })
    };
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let note = RwSignal::new(None::<String>);
    let undo_plans = RwSignal::new(Vec::<PlanView>::new());
    let navigate = use_navigate();

    let cancel = move |_| {
        let id = id();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            if let Err(e) = client::cancel_task(id).await {
                error.set(Some(e.0));
            }
            busy.set(false);
        });
    };
    let retry = move |_| {
        let id = id();
        let navigate = navigate.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match client::run_again(id).await {
                Ok(again) => navigate(&format!("/tasks/{}", again.id), NavigateOptions::default()),
                Err(e) => error.set(Some(e.0)),
            }
            busy.set(false);
        });
    };
    let undo = move |_| {
        let id = id();
        busy.set(true);
        error.set(None);
        note.set(None);
        leptos::task::spawn_local(async move {
            match client::send_command(&format!("undo task {id}"), &session_id()).await {
                Ok(CommandResponse::Plan(plan)) => undo_plans.set(vec![plan]),
                Ok(CommandResponse::Reply { message, .. }) => note.set(Some(message)),
                Err(e) => error.set(Some(e.0)),
            }
            busy.set(false);
        });
    };
    // An edited undo plan comes back as a new card below the first.
    let on_revised = Callback::new(move |answer: CommandResponse| match answer {
        CommandResponse::Plan(plan) => undo_plans.update(|plans| plans.push(plan)),
        CommandResponse::Reply { message, .. } => note.set(Some(message)),
    });

    view! {
        <div class="detail-actions">
            <Show when=cancellable>
                <button class="task-cancel acts" disabled=move || busy.get() on:click=cancel>
                    "Cancel task"
                </button>
            </Show>
            <Show when=retryable>
                <button class="task-retry acts" disabled=move || busy.get() on:click=retry.clone()>
                    "Retry"
                </button>
            </Show>
            <Show when=undoable>
                <button class="task-undo acts" disabled=move || busy.get() on:click=undo>
                    "Undo"
                </button>
            </Show>
        </div>
        {move || error.get().map(|e| view! { <p class="notice refused" role="alert">{e}</p> })}
        {move || note.get().map(|n| view! { <p class="notice">{n}</p> })}
        <div class="undo-plans">
            <For
                each=move || undo_plans.get()
                key=|plan| plan.plan_id.clone()
                children=move |plan| view! { <PlanCard plan on_revised /> }
            />
        </div>
    }
}

/// The log, newest first, a page at a time.
#[component]
fn EventLogView(task_id: i64, log: EventLog) -> impl IntoView {
    view! {
        <section class="detail-log" aria-label="Log">
            <h3>"Log"</h3>
            {move || log.error.get().map(|e| view! { <p class="notice refused" role="alert">{e}</p> })}
            <ol class="event-log">
                <For
                    each=move || log.lines.get()
                    key=|line| line.id
                    children=|line| {
                        view! {
                            <li class="event" data-kind=line.kind.clone() data-event-id=line.id.to_string()>
                                <time>{format::time_to_the_second(line.at)}</time>
                                <span class="event-kind">{line.kind.clone()}</span>
                                <span class="event-message">{line.message.clone()}</span>
                            </li>
                        }
                    }
                />
            </ol>
            <Show when=move || log.next_before.get().is_some()>
                <button
                    class="older-lines"
                    disabled=move || log.loading.get()
                    on:click=move |_| log.load_older(task_id)
                >
                    "Older lines"
                </button>
            </Show>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(ids: &[i64]) -> Vec<TaskEventView> {
        ids.iter()
            .map(|&id| TaskEventView {
                id,
                at: id,
                kind: "info".into(),
                message: format!("line {id}"),
            })
            .collect()
    }

    fn ids(lines: &[TaskEventView]) -> Vec<i64> {
        lines.iter().map(|line| line.id).collect()
    }

    #[test]
    fn new_log_lines_go_on_top_of_those_shown() {
        let mut shown = lines(&[5, 4, 3]);
        assert!(!take_newest(&mut shown, lines(&[7, 6, 5, 4]), true));
        assert_eq!(ids(&shown), vec![7, 6, 5, 4, 3]);
        // A short page is the whole log: nothing can be missing.
        assert!(!take_newest(&mut shown, lines(&[9, 8]), false));
        assert_eq!(ids(&shown), vec![9, 8, 7, 6, 5, 4, 3]);
    }

    #[test]
    fn a_full_page_all_newer_replaces_what_is_shown() {
        let mut shown = lines(&[3, 2]);
        assert!(take_newest(&mut shown, lines(&[9, 8]), true));
        assert_eq!(ids(&shown), vec![9, 8]);
        let mut empty = Vec::new();
        assert!(take_newest(&mut empty, lines(&[2, 1]), false));
        assert_eq!(ids(&empty), vec![2, 1]);
    }
}
