//! Alerts (a task failed for good, a schedule missed, the disk filling up)
//! and where they are sent.

use serde::{Deserialize, Serialize};

/// One alert, as shown in the browser's banner and sent to every target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertView {
    pub id: i64,
    /// `task_failed`, `schedule_missed`, `disk_low`.
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<i64>,
    pub message: String,
    /// When it was raised (Unix ms).
    pub at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismissed_at: Option<i64>,
}

/// The kinds of place an alert can go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetKind {
    /// A POST of `{"event", "task_id" | "schedule_id", "message", "at"}`.
    Webhook,
    /// An ntfy topic URL (`https://ntfy.sh/my-topic`).
    Ntfy,
    /// A Gotify server (`https://gotify.example/`) with an app token.
    Gotify,
    /// A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat).
    Slack,
}

impl TargetKind {
    pub const ALL: [TargetKind; 4] = [
        TargetKind::Webhook,
        TargetKind::Ntfy,
        TargetKind::Gotify,
        TargetKind::Slack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Webhook => "webhook",
            TargetKind::Ntfy => "ntfy",
            TargetKind::Gotify => "gotify",
            TargetKind::Slack => "slack",
        }
    }

    pub fn parse(s: &str) -> Option<TargetKind> {
        TargetKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// `POST /api/notifications` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewTarget {
    pub kind: TargetKind,
    pub url: String,
    /// Gotify's application token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

/// A place alerts go. The token is never sent back, only whether one is set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetView {
    /// None for the one set in the configuration (`notify_webhook`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    pub kind: TargetKind,
    pub url: String,
    pub has_token: bool,
    /// From the configuration file or environment: change it there.
    pub from_config: bool,
}
