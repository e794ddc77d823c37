use app::api::Priority;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Backup,
    Restore,
    Sync,
    Cleanup,
    Status,
    Cancel,
    OutOfScope,
    /// "retry task 12": run a failed or cancelled task again. Decided by
    /// its rule ([`super::intent::asks_to_run_again`]) before the model,
    /// which never picks it, so it is not in [`Intent::ALL`].
    Retry,
}

impl Intent {
    pub const ALL: [Intent; 7] = [
        Intent::Backup,
        Intent::Restore,
        Intent::Sync,
        Intent::Cleanup,
        Intent::Status,
        Intent::Cancel,
        Intent::OutOfScope,
    ];

    /// Every intent, the model's and those decided by rule alone.
    pub const EVERY: [Intent; 8] = [
        Intent::Backup,
        Intent::Restore,
        Intent::Sync,
        Intent::Cleanup,
        Intent::Status,
        Intent::Cancel,
        Intent::OutOfScope,
        Intent::Retry,
    ];

    /// The intent an API name ("backup", "out_of_scope") stands for.
    pub fn parse(name: &str) -> Option<Intent> {
        Intent::EVERY.into_iter().find(|i| i.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Backup => "backup",
            Intent::Restore => "restore",
            Intent::Sync => "sync",
            Intent::Cleanup => "cleanup",
            Intent::Status => "status",
            Intent::Cancel => "cancel",
            Intent::OutOfScope => "out_of_scope",
            Intent::Retry => "retry",
        }
    }
}

/// The parameters a command states. A slot the text does not state is `None`
/// and left out of the JSON.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Slots {
    /// Paths as the user wrote them (`~` kept).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub older_than_days: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patterns: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_size_bytes: Option<u64>,
    /// `hourly|daily|weekly|monthly` or a 5-field cron string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delete_extraneous: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dry_run: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_last: Option<u32>,
    /// The task's own time limit in seconds ("give up after 2 hours").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_secs: Option<u64>,
    /// How soon the task should run ("asap", "when nothing else is running").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
}

impl Slots {
    /// Whether the command names something Tend acts on: a path, a task,
    /// files by pattern, age or size, a schedule or a retention. The flags
    /// ("show me first") name nothing.
    pub fn name_a_target(&self) -> bool {
        self.source.is_some()
            || self.destination.is_some()
            || self.older_than_days.is_some()
            || self.patterns.is_some()
            || self.min_size_bytes.is_some()
            || self.schedule.is_some()
            || self.task_id.is_some()
            || self.keep_last.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Understanding {
    pub text: String,
    pub intent: Intent,
    pub confidence: f32,
    pub slots: Slots,
    /// A status request that asks about tasks ("what failed last night?").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<super::question::TaskQuestion>,
    /// Conditions the text states that the slots left out; a plan made
    /// without them would not be what was asked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unexplained: Vec<super::unexplained::Unexplained>,
}

impl Understanding {
    /// An understanding of `text`. Out of scope carries no slots: Tend acts
    /// on nothing in such a request, so it reports no parameters for it.
    /// Undoing a cleanup ("put the logs task 40 cleaned back") puts back
    /// everything that task moved, so file kinds named there are no filter.
    /// A priority orders the queue, and a question or a cancel queues
    /// nothing: "right now" there says when to answer.
    pub fn new(text: &str, intent: Intent, confidence: f32, mut slots: Slots) -> Understanding {
        if intent == Intent::OutOfScope {
            slots = Slots::default();
        }
        if matches!(intent, Intent::Status | Intent::Cancel) {
            slots.priority = None;
        }
        let masked = super::slots::without_task_qualifiers(text);
        let unexplained = super::unexplained::find(&masked, intent, &slots);
        let mut u = Understanding {
            text: text.to_string(),
            intent,
            confidence,
            slots,
            question: None,
            unexplained,
        };
        if u.undoes_a_cleanup() {
            u.slots.patterns = None;
        }
        u
    }

    /// "restore quarantine of task 12": a restore naming a task and no
    /// repository undoes that task's cleanup.
    pub fn undoes_a_cleanup(&self) -> bool {
        self.intent == Intent::Restore
            && self.slots.task_id.is_some()
            && self.slots.source.is_none()
    }
}
