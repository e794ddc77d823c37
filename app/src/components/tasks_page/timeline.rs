//! What the task page lists: the parameters as a person reads them, and
//! the task's life in order.

use crate::api::{TaskEventView, TaskView};
use crate::format;

/// One moment of a task's life.
#[derive(Debug, Clone, PartialEq)]
pub struct Moment {
    pub at: i64,
    /// `queued`, `started`, `ended`, `waiting`: for styling and tests.
    pub kind: &'static str,
    pub text: String,
}

/// Queued, then each attempt's start and end, and the waits the log
/// recorded, oldest first. Waits come from the log lines loaded so far.
pub fn timeline(task: &TaskView, lines: &[TaskEventView]) -> Vec<Moment> {
    let mut moments = vec![Moment {
        at: task.created_at,
        kind: "queued",
        text: format!("Queued ({} priority)", task.priority.as_str()),
    }];
    // The log comes newest first; its own order (by line) settles ties.
    let mut waits: Vec<&TaskEventView> = lines.iter().filter(|line| is_wait(line)).collect();
    waits.sort_by_key(|line| line.id);
    moments.extend(waits.into_iter().map(|line| Moment {
        at: line.at,
        kind: "waiting",
        text: line.message.clone(),
    }));
    for attempt in &task.attempts {
        let running = attempt.finished_at.is_none() && attempt.outcome.is_none();
        moments.push(Moment {
            at: attempt.at,
            kind: "started",
            text: format!(
                "Attempt {} started on {}{}",
                attempt.attempt,
                attempt.node,
                if running { "; still running" } else { "" }
            ),
        });
        if let Some(end) = attempt.finished_at {
            let outcome = attempt.outcome.as_deref().unwrap_or("ended");
            let error = attempt
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            moments.push(Moment {
                at: end,
                kind: "ended",
                text: format!(
                    "Attempt {} {outcome} after {}{error}",
                    attempt.attempt,
                    format::duration(end - attempt.at)
                ),
            });
        }
    }
    // Stable: at the same millisecond, queued comes first, then a wait
    // (ending), then an attempt.
    moments.sort_by_key(|m| m.at);
    moments
}

/// A line about a wait: a state change into or out of `waiting`, or the
/// note saying what the task waits for ("waiting for #1 (/srv/photos)").
fn is_wait(line: &TaskEventView) -> bool {
    let message = line.message.to_lowercase();
    match line.kind.as_str() {
        "state" => message.contains("waiting"),
        "info" => message.starts_with("waiting for"),
        _ => false,
    }
}

/// The workflow's parameters as name → value, by name, the
/// workflow's own name left out (the page shows it already); lists read
/// as "a, b", text without quotes.
pub fn parameter_rows(parameters: &serde_json::Value) -> Vec<(String, String)> {
    let Some(object) = parameters.as_object() else {
        return Vec::new();
    };
    object
        .iter()
        .filter(|(name, _)| name.as_str() != "workflow")
        .map(|(name, value)| (name.clone(), readable(value)))
        .collect()
}

fn readable(value: &serde_json::Value) -> String {
    use serde_json::Value;
    match value {
        Value::Null => "—".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(readable).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{AttemptView, Priority};

    fn line(id: i64, at: i64, kind: &str, message: &str) -> TaskEventView {
        TaskEventView {
            id,
            at,
            kind: kind.into(),
            message: message.into(),
        }
    }

    #[test]
    fn the_timeline_runs_from_queued_through_waits_and_attempts() {
        let task = TaskView {
            id: 7,
            created_at: 1_000,
            priority: Priority::Urgent,
            attempts: vec![
                AttemptView {
                    attempt: 1,
                    at: 5_000,
                    node: "alpha".into(),
                    finished_at: Some(65_000),
                    outcome: Some("retrying".into()),
                    error: Some("the NAS did not answer".into()),
                },
                AttemptView {
                    attempt: 2,
                    at: 90_000,
                    node: "beta".into(),
                    finished_at: None,
                    outcome: None,
                    error: None,
                },
            ],
            ..TaskView::default()
        };
        let lines = [
            line(1, 2_000, "state", "queued → waiting"),
            line(2, 2_000, "info", "waiting for #3 (/srv/photos)"),
            line(3, 2_500, "file_error", "/srv/photos/waiting.txt: denied"),
            line(4, 5_000, "state", "waiting → queued"),
            line(5, 70_000, "state", "retrying"),
        ];
        // As the page holds them: newest first.
        let newest_first: Vec<TaskEventView> = lines.into_iter().rev().collect();
        let moments = timeline(&task, &newest_first);
        let kinds: Vec<&str> = moments.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            vec!["queued", "waiting", "waiting", "waiting", "started", "ended", "started"]
        );
        assert_eq!(moments[0].text, "Queued (urgent priority)");
        assert_eq!(moments[1].text, "queued → waiting");
        assert_eq!(moments[2].text, "waiting for #3 (/srv/photos)");
        // The wait ends in the millisecond the attempt starts: first.
        assert_eq!(moments[3].text, "waiting → queued");
        assert_eq!(
            moments[5].text,
            "Attempt 1 retrying after 1 min 0 s: the NAS did not answer"
        );
        assert_eq!(moments[6].text, "Attempt 2 started on beta; still running");
    }

    #[test]
    fn parameters_read_as_text_without_the_workflow() {
        let parameters = serde_json::json!({
            "workflow": "cleanup",
            "directory": "/srv/scratch",
            "patterns": ["*.tmp", "*.log"],
            "older_than_days": 7,
            "dry_run": false,
            "limit": null,
        });
        let rows = parameter_rows(&parameters);
        let find = |name: &str| {
            rows.iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(find("workflow"), None);
        assert_eq!(find("directory"), Some("/srv/scratch"));
        assert_eq!(find("patterns"), Some("*.tmp, *.log"));
        assert_eq!(find("older_than_days"), Some("7"));
        assert_eq!(find("dry_run"), Some("false"));
        assert_eq!(find("limit"), Some("—"));
        assert!(parameter_rows(&serde_json::json!("not an object")).is_empty());
    }
}
