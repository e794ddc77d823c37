//! The whole task history as a table: filtered through the URL, paged by
//! the server, kept current by the live stream, with actions on several
//! tasks at once.

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use super::filters::{append_page, merge_live, Filters, PAGE_SIZE, WORKFLOWS};
use crate::api::{BulkOutcome, TaskQuery, TaskState, TaskView};
use crate::client;
use crate::components::{Clock, ConnectionBadge, LiveTasks};
use crate::format;

/// An action on the selected tasks.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Bulk {
    Cancel,
    Retry,
}

/// The rows loaded so far, newest first, and how far the loading got.
#[derive(Clone, Copy)]
struct Rows {
    rows: RwSignal<Vec<TaskView>>,
    /// The first page is on its way (a new filter, or the page just opened).
    loading: RwSignal<bool>,
    loading_more: RwSignal<bool>,
    /// The server answered a short page: there is nothing older.
    last_page_in: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    /// Bumped by every new filter, so an answer for an older one is dropped.
    generation: StoredValue<u64>,
}

impl Rows {
    fn new() -> Rows {
        Rows {
            rows: RwSignal::new(Vec::new()),
            loading: RwSignal::new(true),
            loading_more: RwSignal::new(false),
            last_page_in: RwSignal::new(false),
            error: RwSignal::new(None),
            generation: StoredValue::new(0),
        }
    }

    /// Loads the first page under `filters`, then brings in what the live
    /// stream already knows newer.
    fn load_first(self, filters: Filters, live: LiveTasks) {
        self.generation.update_value(|g| *g += 1);
        self.rows.set(Vec::new());
        self.error.set(None);
        // A page still coming for the filter before is dropped.
        self.loading_more.set(false);
        let rows = self.rows;
        let query = filters.api_query(None);
        self.fetch(query, self.loading, move |mut page, last_page_in| {
            live.tasks
                .with_untracked(|known| merge_live(&mut page, known, &filters, last_page_in));
            rows.set(page);
        });
    }

    /// Loads the page below the oldest row.
    fn load_more(self, filters: &Filters) {
        let before = self
            .rows
            .with_untracked(|rows| rows.last().map(|row| row.id));
        let rows = self.rows;
        self.fetch(
            filters.api_query(before),
            self.loading_more,
            move |page, _| rows.update(|rows| append_page(rows, page)),
        );
    }

    /// Asks for one page, `busy` meanwhile; `use_page` takes it and whether
    /// it is the last, unless the filters changed before it came.
    fn fetch(
        self,
        query: TaskQuery,
        busy: RwSignal<bool>,
        use_page: impl FnOnce(Vec<TaskView>, bool) + 'static,
    ) {
        let generation = self.generation.get_value();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = client::list_tasks(&query).await;
            if self.generation.get_value() != generation {
                return;
            }
            match answer {
                Ok(page) => {
                    let last_page_in = (page.len() as i64) < PAGE_SIZE;
                    self.last_page_in.set(last_page_in);
                    use_page(page, last_page_in);
                }
                Err(e) => self.error.set(Some(e.0)),
            }
            busy.set(false);
        });
    }

    /// Brings `tasks` (live changes, or the tasks a bulk action answered)
    /// into the rows.
    fn merge(self, tasks: &[TaskView], filters: &Filters) {
        if self.loading.get_untracked() {
            return;
        }
        let last_page_in = self.last_page_in.get_untracked();
        self.rows
            .maybe_update(|rows| merge_live(rows, tasks, filters, last_page_in));
    }
}

/// The Tasks page's table with its filters and actions.
#[component]
pub fn TaskHistory() -> impl IntoView {
    let live = LiveTasks::expect();
    Clock::provide();
    let query = use_query_map();
    let filters = Memo::new(move |_| query.with(|q| Filters::from_query(|key| q.get(key))));
    let rows = Rows::new();
    let selected = RwSignal::new(BTreeSet::<i64>::new());
    let outcomes = RwSignal::new(None::<(Bulk, Vec<BulkOutcome>)>);
    let bulk_error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let search = RwSignal::new(String::new());

    // A new filter (or the page opening) starts over from the newest task.
    Effect::new(move |_| {
        let filters = filters.get();
        search.set(filters.text.clone());
        selected.set(BTreeSet::new());
        outcomes.set(None);
        rows.load_first(filters, live);
    });
    Effect::new(move |_| {
        live.tasks
            .with(|tasks| rows.merge(tasks, &filters.get_untracked()))
    });

    let navigate = use_navigate();
    let go = move |change: &dyn Fn(&mut Filters)| {
        let mut next = filters.get_untracked();
        change(&mut next);
        navigate(&next.url(), NavigateOptions::default());
    };
    let go_state = go.clone();
    let on_state = move |value: String| {
        go_state(&|f: &mut Filters| f.state = TaskState::parse(&value));
    };
    let go_workflow = go.clone();
    let on_workflow = move |value: String| {
        go_workflow(&|f: &mut Filters| f.workflow = Some(value.clone()).filter(|w| !w.is_empty()));
    };
    let state_shown = Signal::derive(move || filters.with(|f| f.state.map(TaskState::as_str)));
    let workflow_shown = Signal::derive(move || {
        filters.with(|f| {
            WORKFLOWS
                .into_iter()
                .find(|w| f.workflow.as_deref() == Some(*w))
        })
    });
    let states: Vec<&'static str> = TaskState::ALL.into_iter().map(TaskState::as_str).collect();
    let on_search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = search.get_untracked().trim().to_string();
        go(&|f: &mut Filters| f.text = text.clone());
    };

    let run_bulk = move |action: Bulk| {
        let ids: Vec<i64> = selected.get_untracked().into_iter().collect();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        bulk_error.set(None);
        leptos::task::spawn_local(async move {
            let answer = match action {
                Bulk::Cancel => client::cancel_tasks(&ids).await,
                Bulk::Retry => client::retry_tasks(&ids).await,
            };
            match answer {
                Ok(answer) => {
                    let tasks: Vec<TaskView> = answer
                        .results
                        .iter()
                        .filter_map(|outcome| outcome.task.clone())
                        .collect();
                    rows.merge(&tasks, &filters.get_untracked());
                    selected.set(BTreeSet::new());
                    outcomes.set(Some((action, answer.results)));
                }
                Err(e) => bulk_error.set(Some(e.0)),
            }
            busy.set(false);
        });
    };

    let all_selected = move || {
        rows.rows.with(|rows| {
            !rows.is_empty() && selected.with(|s| rows.iter().all(|row| s.contains(&row.id)))
        })
    };
    let select_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let ids = rows
            .rows
            .with_untracked(|rows| rows.iter().map(|row| row.id).collect());
        selected.set(if on { ids } else { BTreeSet::new() });
    };
    let nothing_selected = move || selected.with(BTreeSet::is_empty) || busy.get();

    view! {
        <section class="task-history" aria-label="Task history">
            <header class="history-head">
                <h2>"All tasks"</h2>
                <ConnectionBadge />
            </header>
            <div class="history-filters">
                {filter_choice("State", states, state_shown, on_state)}
                {filter_choice("Workflow", WORKFLOWS.to_vec(), workflow_shown, on_workflow)}
                <form class="history-search" role="search" on:submit=on_search>
                    <input
                        type="search"
                        name="q"
                        aria-label="Search"
                        placeholder="a path, a name…"
                        autocomplete="off"
                        prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev))
                    />
                    <button type="submit">"Search"</button>
                </form>
                <a class="clear-filters" href="/tasks">"Clear filters"</a>
            </div>
            <div class="history-actions acts">
                <button
                    class="bulk-cancel"
                    disabled=nothing_selected
                    on:click=move |_| run_bulk(Bulk::Cancel)
                >
                    "Cancel selected"
                </button>
                <button
                    class="bulk-retry"
                    disabled=nothing_selected
                    on:click=move |_| run_bulk(Bulk::Retry)
                >
                    "Retry selected"
                </button>
                <span class="selected-count">
                    {move || match selected.with(BTreeSet::len) {
                        0 => String::new(),
                        1 => "1 task selected".to_string(),
                        n => format!("{n} tasks selected"),
                    }}
                </span>
            </div>
            {move || bulk_error.get().map(|e| view! { <p class="notice refused" role="alert">{e}</p> })}
            {move || outcomes.get().map(|(action, results)| bulk_outcomes(action, results))}
            {move || rows.error.get().map(|e| view! { <p class="notice refused" role="alert">{e}</p> })}
            <table class="task-table">
                <thead>
                    <tr>
                        <th>
                            <input
                                type="checkbox"
                                aria-label="Select all shown"
                                prop:checked=all_selected
                                on:change=select_all
                            />
                        </th>
                        <th>"Id"</th>
                        <th>"Workflow"</th>
                        <th>"Summary"</th>
                        <th>"State"</th>
                        <th>"Priority"</th>
                        <th>"Node"</th>
                        <th>"Attempt"</th>
                        <th>"Queued"</th>
                        <th>"Started"</th>
                        <th>"Duration"</th>
                        <th>"Files"</th>
                        <th>"Bytes"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.rows.get()
                        key=|task| (task.id, task.revision)
                        children=move |task| view! { <HistoryRow task selected /> }
                    />
                </tbody>
            </table>
            <Show when=move || !rows.loading.get() && rows.rows.with(Vec::is_empty)>
                <p class="empty">"No tasks match these filters."</p>
            </Show>
            <Show when=move || rows.loading.get()>
                <p class="empty">"Loading tasks…"</p>
            </Show>
            <Show when=move || !rows.loading.get() && !rows.last_page_in.get()>
                <button
                    class="load-more"
                    disabled=move || rows.loading_more.get()
                    on:click=move |_| rows.load_more(&filters.get_untracked())
                >
                    "Load more"
                </button>
            </Show>
        </section>
    }
}

/// A filter to choose: "all", then each of `values`, `shown` selected (the
/// one the address holds); `on_change` gets the value chosen, "" for all.
fn filter_choice(
    label: &'static str,
    values: Vec<&'static str>,
    shown: Signal<Option<&'static str>>,
    on_change: impl Fn(String) + 'static,
) -> impl IntoView {
    view! {
        <label>
            <span>{label}</span>
            <select
                name=label.to_lowercase()
                aria-label=label
                on:change=move |ev| on_change(event_target_value(&ev))
            >
                <option value="" prop:selected=move || shown.get().is_none()>
                    "all"
                </option>
                {values
                    .into_iter()
                    .map(|value| {
                        view! {
                            <option value=value prop:selected=move || shown.get() == Some(value)>
                                {value}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

/// One task in the table.
#[component]
fn HistoryRow(task: TaskView, selected: RwSignal<BTreeSet<i64>>) -> impl IntoView {
    let clock = Clock::expect();
    let id = task.id;
    let (started_at, finished_at) = (task.started_at, task.finished_at);
    let running = task.state == TaskState::Running;
    let duration = move || match (started_at, finished_at) {
        (Some(start), Some(end)) => format::duration(end - start),
        (Some(start), None) if running => match clock.now() {
            0 => String::new(),
            now => format::duration(now - start),
        },
        _ => "—".to_string(),
    };
    let p = &task.progress;
    let bytes = if p.bytes_total > 0 {
        format!(
            "{} / {}",
            format::bytes(p.bytes_done),
            format::bytes(p.bytes_total)
        )
    } else {
        format::bytes(p.bytes_done)
    };

    view! {
        <tr class="history-row" data-task-id=id.to_string() data-state=task.state.as_str()>
            <td>
                <input
                    type="checkbox"
                    aria-label=format!("Select task {id}")
                    prop:checked=move || selected.with(|s| s.contains(&id))
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        selected
                            .update(|s| {
                                if on {
                                    s.insert(id);
                                } else {
                                    s.remove(&id);
                                }
                            })
                    }
                />
            </td>
            <td class="col-id">
                <a href=format!("/tasks/{id}")>{format!("#{id}")}</a>
            </td>
            <td class="col-workflow">{task.workflow.clone()}</td>
            <td class="col-summary">
                {task.summary.clone()}
                {task.asked_by.clone().map(|who| view! { <span class="asked-by">" · "{who}</span> })}
            </td>
            <td class="col-state">
                <span class="task-state" data-state=task.state.as_str()>
                    {task.state.as_str()}
                </span>
            </td>
            <td class="col-priority">
                <span class="task-priority" data-priority=task.priority.as_str()>
                    {task.priority.as_str()}
                </span>
            </td>
            <td class="col-node">{task.node.clone().unwrap_or_else(|| "—".into())}</td>
            <td class="col-attempt">{task.attempt}</td>
            <td class="col-queued">{format::time(task.created_at)}</td>
            <td class="col-started">{started_at.map(format::time).unwrap_or_else(|| "—".into())}</td>
            <td class="col-duration">{duration}</td>
            <td class="col-files">{format::files_short(p.files_done, p.files_total)}</td>
            <td class="col-bytes">{bytes}</td>
        </tr>
    }
}

/// What each task of a bulk action came to: done, or why it was refused.
fn bulk_outcomes(action: Bulk, results: Vec<BulkOutcome>) -> impl IntoView {
    let heading = match action {
        Bulk::Cancel => "Cancel selected",
        Bulk::Retry => "Retry selected",
    };
    view! {
        <div class="bulk-outcomes" role="status">
            <h3>{heading}</h3>
            <ul>
                {results
                    .into_iter()
                    .map(|outcome| {
                        let id = outcome.id;
                        view! {
                            <li
                                class=if outcome.ok { "outcome ok" } else { "outcome refused" }
                                data-task-id=id.to_string()
                            >
                                <a href=format!("/tasks/{id}")>{format!("#{id}")}</a>
                                ": "
                                {outcome_line(action, &outcome)}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
}

/// "cancelled", "runs again as #57", or the refusal.
fn outcome_line(action: Bulk, outcome: &BulkOutcome) -> String {
    if !outcome.ok {
        return outcome
            .error
            .clone()
            .unwrap_or_else(|| "refused, without a reason given".into());
    }
    match (action, &outcome.task) {
        (Bulk::Retry, Some(task)) => format!("runs again as #{}", task.id),
        (Bulk::Retry, None) => "runs again".into(),
        (Bulk::Cancel, Some(task)) if !task.state.is_terminal() => {
            "asked to stop; it stops at its next checkpoint".into()
        }
        (Bulk::Cancel, _) => "cancelled".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_outcome_says_what_became_of_its_task() {
        let refused = BulkOutcome {
            id: 3,
            ok: false,
            error: Some("Task #3 has succeeded: there is nothing to cancel.".into()),
            task: None,
        };
        assert_eq!(
            outcome_line(Bulk::Cancel, &refused),
            "Task #3 has succeeded: there is nothing to cancel."
        );
        let retried = BulkOutcome {
            id: 4,
            ok: true,
            error: None,
            task: Some(TaskView {
                id: 9,
                ..TaskView::default()
            }),
        };
        assert_eq!(outcome_line(Bulk::Retry, &retried), "runs again as #9");
        let stopping = BulkOutcome {
            task: Some(TaskView {
                id: 4,
                state: TaskState::Running,
                ..TaskView::default()
            }),
            ..retried
        };
        assert_eq!(
            outcome_line(Bulk::Cancel, &stopping),
            "asked to stop; it stops at its next checkpoint"
        );
    }
}
