use serde::{Deserialize, Serialize};

/// `POST /api/commands` body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CommandRequest {
    pub text: String,
    /// Identifies one console so follow-up answers can refer to earlier messages.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    /// The reading the person picked when Tend asked which was meant
    /// (`"restore"`): the command is planned as that intent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
}

/// One reading Tend offers when two are close: a button that sends the
/// command again as `intent`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReadingChoice {
    pub intent: String,
    /// What planning it that way would do ("Back up ~/docs to /mnt/nas").
    pub label: String,
}

/// What Tend answers to a command: a plan to confirm, or a plain reply
/// (help, a question back, a status summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
// One per request, moved once: boxing the plan would buy nothing.
#[allow(clippy::large_enum_variant)]
pub enum CommandResponse {
    Plan(PlanView),
    Reply {
        intent: String,
        message: String,
        /// The tasks the answer is about ("what failed last night?"),
        /// shown as compact cards linked to their pages.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tasks: Vec<super::TaskView>,
        /// Two readings of the command to choose between, when the message
        /// asks which was meant.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        choices: Vec<ReadingChoice>,
        /// The command the choices are readings of.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        text: Option<String>,
    },
}

impl CommandResponse {
    /// A plain answer.
    pub fn reply(intent: impl Into<String>, message: impl Into<String>) -> CommandResponse {
        CommandResponse::reply_about(intent, message, Vec::new())
    }

    /// An answer about some tasks, shown as cards under it.
    pub fn reply_about(
        intent: impl Into<String>,
        message: impl Into<String>,
        tasks: Vec<super::TaskView>,
    ) -> CommandResponse {
        CommandResponse::Reply {
            intent: intent.into(),
            message: message.into(),
            tasks,
            choices: Vec::new(),
            text: None,
        }
    }
}

/// One parameter as understood, for the plan card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameter {
    /// Machine name (`directory`, `patterns`, `older_than_days`, ...).
    pub name: String,
    /// Human label ("Directory").
    pub label: String,
    /// Human rendering of the value ("*.tmp, *.temp").
    pub value: String,
}

/// What a plan would touch, computed without changing anything.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewView {
    pub file_count: u64,
    pub total_bytes: u64,
    /// The first few paths, in walk order.
    pub sample_paths: Vec<String>,
    /// Things the preview skipped or could not read, worth knowing before confirming.
    #[serde(default)]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub plan_id: String,
    pub intent: String,
    /// The workflow that will run (`cleanup`, ...).
    pub workflow: String,
    /// One sentence describing what will happen.
    pub summary: String,
    pub parameters: Vec<Parameter>,
    pub preview: PreviewView,
    /// Unix milliseconds after which the plan can no longer be confirmed.
    pub expires_at: i64,
    /// What the user may change before confirming (`POST
    /// /api/plans/{id}/revise`), each with its value as it can be typed.
    #[serde(default)]
    pub editable: Vec<Parameter>,
    /// The command as understood, and its slots: what a revision starts from.
    #[serde(default)]
    pub command: String,
    #[serde(default)]
    pub slots: serde_json::Value,
    /// When the plan repeats (five-field cron): confirming it makes a
    /// schedule instead of queuing one task.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    /// How soon its task should run (each step's, for a plan with steps).
    #[serde(default)]
    pub priority: super::Priority,
    /// A plan with several steps ("back up X, then clean up Y"): each
    /// step's own plan, in order; confirming this one queues them all, each
    /// waiting for the one before. Empty for a plan of one step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<PlanView>,
    /// Who typed the command: a user's name, "admin token" or "local".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked_by: Option<String>,
    /// The person chose the intent (a question answered, or an edit that
    /// changed it): the card offers "Remember this".
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reading_picked: bool,
}

/// `POST /api/plans/{id}/revise` body: new values for editable parameters,
/// by name, written as a person would type them ("30 days", "500 MB").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReviseRequest {
    pub values: std::collections::BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
}

/// `POST /api/plans/{id}/confirm` body (optional).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfirmRequest {
    /// Tasks that must succeed before the plan's (first) task starts.
    #[serde(default)]
    pub after: Vec<i64>,
}

/// `POST /api/plans/{id}/confirm` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfirmResponse {
    /// The task queued, for a plan of one step that runs once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<i64>,
    /// Every task queued, in step order (one for a plan of one step).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub task_ids: Vec<i64>,
    /// The schedule made, for a plan that repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<super::ScheduleView>,
}

/// Body of every error response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// Stable machine-readable code (`path_outside_roots`, `command_too_long`, ...).
    pub code: String,
    /// What happened and what to do, for a person.
    pub error: String,
    /// The task the request is about, where there is one: a plan confirmed
    /// before answers 409 with the task it made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<i64>,
}
