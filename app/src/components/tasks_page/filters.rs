//! Which tasks the Tasks page shows, as held in its URL, and how the live
//! stream's changes enter the rows it has loaded.

use crate::api::{TaskQuery, TaskState, TaskView};
use crate::format;

/// The workflows a person can filter by.
pub const WORKFLOWS: [&str; 5] = ["backup", "restore", "sync", "cleanup", "undo_cleanup"];

/// Rows per page asked of the server.
pub const PAGE_SIZE: i64 = 50;

/// The Tasks page's filters: `/tasks?state=failed&workflow=sync&q=photos`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filters {
    pub state: Option<TaskState>,
    pub workflow: Option<String>,
    /// Text the summary or parameters contain, any case.
    pub text: String,
}

impl Filters {
    /// Reads the URL's query; a value that names no state or workflow is
    /// taken as no filter, as a hand-edited URL may hold anything.
    pub fn from_query(get: impl Fn(&str) -> Option<String>) -> Filters {
        Filters {
            state: get("state").and_then(|s| TaskState::parse(s.trim())),
            workflow: get("workflow")
                .map(|w| w.trim().to_string())
                .filter(|w| WORKFLOWS.contains(&w.as_str())),
            text: get("q").map(|q| q.trim().to_string()).unwrap_or_default(),
        }
    }

    /// The page's address with these filters, to navigate to and share.
    pub fn url(&self) -> String {
        let query = format::query_string(&[
            (
                "state",
                self.state
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            ),
            ("workflow", self.workflow.clone().unwrap_or_default()),
            ("q", self.text.clone()),
        ]);
        format!("/tasks{query}")
    }

    /// The server's query for the page after the row `before` (the first
    /// page without it).
    pub fn api_query(&self, before: Option<i64>) -> TaskQuery {
        TaskQuery {
            state: self.state.map(|s| s.as_str().to_string()),
            workflow: self.workflow.clone(),
            q: Some(self.text.clone()).filter(|q| !q.is_empty()),
            before,
            since: None,
            limit: Some(PAGE_SIZE),
        }
    }

    /// Whether the server would list `task` under these filters: the text
    /// anywhere in its summary or parameters, any case.
    pub fn matches(&self, task: &TaskView) -> bool {
        let text = self.text.to_lowercase();
        self.state.is_none_or(|s| task.state == s)
            && self.workflow.as_ref().is_none_or(|w| &task.workflow == w)
            && (text.is_empty()
                || task.summary.to_lowercase().contains(&text)
                || task.parameters.to_string().to_lowercase().contains(&text))
    }
}

/// Brings the live stream's `live` tasks into the loaded `rows` (newest
/// first): a row shown is replaced by a newer revision of itself; a task not
/// shown that matches the filters joins, in id order, when it falls in the
/// id range the rows cover (above the oldest row, or anywhere once the last
/// page is in). A row that stops matching stays, with its new state, so
/// nothing vanishes under the reader's eyes. Answers whether anything
/// changed.
pub fn merge_live(
    rows: &mut Vec<TaskView>,
    live: &[TaskView],
    filters: &Filters,
    last_page_in: bool,
) -> bool {
    let oldest_shown = rows.last().map(|row| row.id);
    let mut changed = false;
    for task in live {
        match rows.iter_mut().find(|row| row.id == task.id) {
            Some(row) if row.revision < task.revision => {
                *row = task.clone();
                changed = true;
            }
            Some(_) => {}
            None => {
                let in_range = last_page_in || oldest_shown.is_some_and(|oldest| task.id > oldest);
                if in_range && filters.matches(task) {
                    rows.push(task.clone());
                    changed = true;
                }
            }
        }
    }
    if changed {
        rows.sort_by_key(|row| std::cmp::Reverse(row.id));
    }
    changed
}

/// Adds an older page below the rows, skipping any row already there (one
/// the live stream brought in meanwhile).
pub fn append_page(rows: &mut Vec<TaskView>, page: Vec<TaskView>) {
    for task in page {
        if !rows.iter().any(|row| row.id == task.id) {
            rows.push(task);
        }
    }
    rows.sort_by_key(|row| std::cmp::Reverse(row.id));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(id: i64, state: TaskState, workflow: &str, revision: i64) -> TaskView {
        TaskView {
            id,
            workflow: workflow.into(),
            summary: format!("Task {id} over /srv/Photos"),
            state,
            parameters: serde_json::json!({"directory": "/srv/Photos/2024"}),
            revision,
            ..TaskView::default()
        }
    }

    fn query(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn filters_round_trip_through_the_url() {
        let filters = Filters::from_query(query(&[
            ("state", "failed"),
            ("workflow", "sync"),
            ("q", " my photos "),
        ]));
        assert_eq!(filters.state, Some(TaskState::Failed));
        assert_eq!(filters.workflow.as_deref(), Some("sync"));
        assert_eq!(filters.text, "my photos");
        assert_eq!(
            filters.url(),
            "/tasks?state=failed&workflow=sync&q=my%20photos"
        );
        assert_eq!(Filters::default().url(), "/tasks");
    }

    #[test]
    fn unknown_filter_values_filter_nothing() {
        let filters = Filters::from_query(query(&[("state", "exploded"), ("workflow", "rm -rf")]));
        assert_eq!(filters, Filters::default());
    }

    #[test]
    fn the_server_query_carries_the_filters_and_the_page() {
        let filters = Filters {
            state: Some(TaskState::Running),
            workflow: None,
            text: String::new(),
        };
        let q = filters.api_query(Some(40));
        assert_eq!(q.state.as_deref(), Some("running"));
        assert_eq!(q.q, None);
        assert_eq!(q.before, Some(40));
        assert_eq!(q.limit, Some(PAGE_SIZE));
    }

    #[test]
    fn matching_follows_state_workflow_and_text_in_any_case() {
        let failed_sync = task(1, TaskState::Failed, "sync", 1);
        let mut filters = Filters {
            state: Some(TaskState::Failed),
            workflow: Some("sync".into()),
            text: "photos/2024".into(),
        };
        assert!(filters.matches(&failed_sync));
        filters.text = "PHOTOS".into();
        assert!(filters.matches(&failed_sync));
        filters.text = "music".into();
        assert!(!filters.matches(&failed_sync));
        filters.text.clear();
        filters.workflow = Some("backup".into());
        assert!(!filters.matches(&failed_sync));
        assert!(!Filters {
            state: Some(TaskState::Running),
            ..Filters::default()
        }
        .matches(&failed_sync));
    }

    #[test]
    fn live_changes_update_shown_rows_and_add_new_matching_tasks() {
        let filters = Filters {
            state: Some(TaskState::Failed),
            ..Filters::default()
        };
        let mut rows = vec![
            task(10, TaskState::Failed, "sync", 3),
            task(8, TaskState::Failed, "sync", 2),
        ];
        let live = vec![
            task(12, TaskState::Failed, "cleanup", 1),
            // Matches no more: still shown, as it is now.
            task(10, TaskState::Cancelled, "sync", 4),
            // Older than what is shown: ignored.
            task(8, TaskState::Running, "sync", 1),
            task(11, TaskState::Running, "sync", 1),
            // Below the oldest row: belongs to a page not loaded yet.
            task(5, TaskState::Failed, "sync", 1),
        ];
        assert!(merge_live(&mut rows, &live, &filters, false));
        let shown: Vec<(i64, TaskState)> = rows.iter().map(|r| (r.id, r.state)).collect();
        assert_eq!(
            shown,
            vec![
                (12, TaskState::Failed),
                (10, TaskState::Cancelled),
                (8, TaskState::Failed)
            ]
        );
        assert!(!merge_live(&mut rows, &live, &filters, false));
        // Once the last page is in, any matching task belongs.
        assert!(merge_live(&mut rows, &live, &filters, true));
        assert_eq!(rows.last().map(|r| r.id), Some(5));
    }

    #[test]
    fn nothing_joins_rows_still_loading() {
        let mut rows = Vec::new();
        let live = vec![task(3, TaskState::Queued, "backup", 1)];
        assert!(!merge_live(&mut rows, &live, &Filters::default(), false));
        assert!(merge_live(&mut rows, &live, &Filters::default(), true));
    }

    #[test]
    fn an_older_page_skips_rows_already_there() {
        let mut rows = vec![
            task(9, TaskState::Failed, "sync", 1),
            task(7, TaskState::Failed, "sync", 1),
        ];
        append_page(
            &mut rows,
            vec![
                task(7, TaskState::Failed, "sync", 1),
                task(6, TaskState::Failed, "sync", 1),
            ],
        );
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![9, 7, 6]);
    }
}
