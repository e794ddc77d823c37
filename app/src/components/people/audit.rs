//! The audit log: who did what, when and from where, newest first, a page
//! at a time. Read-only: nothing here changes or deletes an entry.

use leptos::prelude::*;

use crate::api::{AuditEntryView, AuditQuery};
use crate::client;
use crate::format;

/// Entries asked for at once.
const PAGE_SIZE: i64 = 100;

/// The action filter's choices: what the API takes (an action, or its
/// first part ending in '.' for all of a subject's actions), and its label.
const ACTIONS: [(&str, &str); 12] = [
    ("", "All actions"),
    ("command", "Commands"),
    ("plan.", "Plans"),
    ("task.", "Tasks"),
    ("rule.", "Rules"),
    ("schedule.", "Schedules"),
    ("user.", "Users"),
    ("notification.", "Notifications"),
    ("backup_password.revealed", "Backup password shown"),
    ("sign_in", "Sign-ins"),
    ("sign_in.failed", "Failed sign-ins"),
    ("sign_out", "Sign-outs"),
];

/// The entries loaded so far and how far the loading got.
#[derive(Clone, Copy)]
struct Entries {
    rows: RwSignal<Vec<AuditEntryView>>,
    /// The first page is on its way.
    loading: RwSignal<bool>,
    loading_more: RwSignal<bool>,
    /// The server answered a short page: there is nothing older.
    last_page_in: RwSignal<bool>,
    error: RwSignal<Option<String>>,
    /// The filters the rows were loaded with, for the next page.
    shown: StoredValue<AuditQuery>,
    /// Bumped by every new filter, so an answer for an older one is dropped.
    generation: StoredValue<u64>,
}

impl Entries {
    fn new() -> Entries {
        Entries {
            rows: RwSignal::new(Vec::new()),
            loading: RwSignal::new(true),
            loading_more: RwSignal::new(false),
            last_page_in: RwSignal::new(false),
            error: RwSignal::new(None),
            shown: StoredValue::new(AuditQuery::default()),
            generation: StoredValue::new(0),
        }
    }

    /// Starts over from the newest entry under `filters`.
    fn load_first(self, filters: AuditQuery) {
        self.generation.update_value(|g| *g += 1);
        self.shown.set_value(filters.clone());
        self.rows.set(Vec::new());
        self.error.set(None);
        self.loading_more.set(false);
        let rows = self.rows;
        self.fetch(filters, self.loading, move |page| rows.set(page));
    }

    /// Loads the page below the oldest entry shown.
    fn load_more(self) {
        let query = AuditQuery {
            before: self.rows.with_untracked(|rows| rows.last().map(|e| e.id)),
            ..self.shown.get_value()
        };
        let rows = self.rows;
        self.fetch(query, self.loading_more, move |page| {
            rows.update(|rows| rows.extend(page))
        });
    }

    /// Asks for one page, `busy` meanwhile, and hands it to `use_page`
    /// unless the filters changed before it came.
    fn fetch(
        self,
        query: AuditQuery,
        busy: RwSignal<bool>,
        use_page: impl FnOnce(Vec<AuditEntryView>) + 'static,
    ) {
        let generation = self.generation.get_value();
        let query = AuditQuery {
            limit: Some(PAGE_SIZE),
            ..query
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            let answer = client::audit(&query).await;
            if self.generation.get_value() != generation {
                return;
            }
            match answer {
                Ok(page) => {
                    self.last_page_in.set((page.len() as i64) < PAGE_SIZE);
                    use_page(page);
                }
                Err(e) => self.error.set(Some(e.0)),
            }
            busy.set(false);
        });
    }

    /// Whether the rows were loaded under a filter.
    fn filtered(self) -> bool {
        self.shown
            .with_value(|q| q.user.is_some() || q.action.is_some())
    }
}

/// The Audit page's table with its filters.
#[component]
pub fn AuditLog() -> impl IntoView {
    let entries = Entries::new();
    let user = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let apply = move || {
        entries.load_first(AuditQuery {
            user: Some(user.get_untracked().trim().to_string()).filter(|u| !u.is_empty()),
            action: Some(action.get_untracked()).filter(|a| !a.is_empty()),
            ..AuditQuery::default()
        })
    };
    // Runs in the browser only: the log is read from the API there.
    Effect::new(move |_| apply());
    let on_filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        apply();
    };
    let on_action = move |ev: leptos::ev::Event| {
        action.set(event_target_value(&ev));
        apply();
    };
    let nothing_shown = move || {
        !entries.loading.get()
            && entries.error.with(Option::is_none)
            && entries.rows.with(Vec::is_empty)
    };
    // A failed first page leaves nothing to load more below.
    let more_to_load = move || {
        !entries.loading.get() && !entries.last_page_in.get() && !entries.rows.with(Vec::is_empty)
    };

    view! {
        <section class="audit-log" aria-label="Audit log">
            <h2>"Audit log"</h2>
            <form class="history-filters audit-filters" role="search" on:submit=on_filter>
                <input
                    type="search"
                    name="user"
                    aria-label="User"
                    placeholder="a user's name"
                    autocomplete="off"
                    prop:value=move || user.get()
                    on:input=move |ev| user.set(event_target_value(&ev))
                />
                <select name="action" aria-label="Action" on:change=on_action>
                    {ACTIONS
                        .into_iter()
                        .map(|(value, label)| {
                            view! {
                                <option value=value prop:selected=move || action.get() == value>
                                    {label}
                                </option>
                            }
                        })
                        .collect_view()}
                </select>
                <button type="submit">"Filter"</button>
            </form>
            {move || entries.error.get().map(|e| view! { <p class="notice refused" role="alert">{e}</p> })}
            <table class="task-table audit-table">
                <thead>
                    <tr>
                        <th>"When"</th>
                        <th>"Who"</th>
                        <th>"From"</th>
                        <th>"Action"</th>
                        <th>"Detail"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || entries.rows.get()
                        key=|entry| entry.id
                        children=|entry| view! { <AuditRow entry /> }
                    />
                </tbody>
            </table>
            <Show when=nothing_shown>
                <p class="empty">
                    {move || {
                        if entries.filtered() { "Nothing matches." } else { "Nothing recorded yet." }
                    }}
                </p>
            </Show>
            <Show when=move || entries.loading.get()>
                <p class="empty">"Loading the audit log…"</p>
            </Show>
            <Show when=more_to_load>
                <button
                    type="button"
                    class="load-more"
                    disabled=move || entries.loading_more.get()
                    on:click=move |_| entries.load_more()
                >
                    "Load more"
                </button>
            </Show>
        </section>
    }
}

/// One entry of the log.
#[component]
fn AuditRow(entry: AuditEntryView) -> impl IntoView {
    let or_dash = |text: Option<String>| text.unwrap_or_else(|| "—".into());
    view! {
        <tr class="audit-row" data-action=entry.action.clone() data-entry-id=entry.id.to_string()>
            <td class="col-when">{format::time_to_the_second(entry.at)}</td>
            <td class="col-who">{or_dash(entry.user)}</td>
            <td class="col-from">{or_dash(entry.address)}</td>
            <td class="col-action">
                <code>{entry.action.clone()}</code>
            </td>
            <td class="col-detail">{entry.detail}</td>
        </tr>
    }
}
