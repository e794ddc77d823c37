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
    /// A backup's retention per period ("keep 7 daily, 4 weekly and 6
    /// monthly"), beside or instead of `keep_last`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_daily: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_weekly: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_monthly: Option<u32>,
    /// The patterns a backup leaves out ("excluding *.tmp").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub excludes: Option<Vec<String>>,
    /// The snapshot a restore takes ("snapshot 1a2b3c4d"); the latest
    /// when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// A restore writes over the files in its way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overwrite: Option<bool>,
    /// A mirror compares files by content rather than size and time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<bool>,
    /// A cleanup removes empty directories too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub empty_dirs: Option<bool>,
    /// The schedule a request to stop or move one names by number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_id: Option<i64>,
    /// A moved schedule's new time, in the words said ("Sundays at 3:30").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reschedule_to: Option<String>,
}

/// What a command asks of a schedule rather than of a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleRequest {
    /// A new time ("move schedule 3 to Sundays at 3:30"): said by the
    /// sentence's form, whatever the intent, which is no model's to pick.
    Move,
    /// No more runs ("stop schedule 3", "cancel the scheduled backup"): a
    /// cancel that names a schedule.
    Stop,
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
            || self.keep_daily.is_some()
            || self.keep_weekly.is_some()
            || self.keep_monthly.is_some()
    }

    /// The slots the plan of `intent` (or of a schedule `request`) uses;
    /// the others are dropped, so that the understanding states only what
    /// is acted on. Out of scope carries none: Tend acts on nothing in
    /// such a request. A priority orders the queue, and a question or a
    /// cancel queues nothing: "right now" there says when to answer, and
    /// "was it only a preview?" asks of a run, not for one.
    fn used_by(mut self, intent: Intent, request: Option<ScheduleRequest>) -> Slots {
        if request == Some(ScheduleRequest::Move) {
            return Slots {
                schedule_id: self.schedule_id,
                reschedule_to: self.reschedule_to,
                ..Slots::default()
            };
        }
        if intent == Intent::OutOfScope {
            return Slots::default();
        }
        if matches!(intent, Intent::Status | Intent::Cancel) {
            self.priority = None;
            self.dry_run = None;
        }
        if intent == Intent::Status {
            // "what ran over the weekend" asks about a time, sets none.
            self.schedule = None;
        }
        if intent != Intent::Cleanup {
            // Only a cleanup selects files by age or size; elsewhere "23h"
            // or "a minute ago" is a time of day or of the asking.
            (self.older_than_days, self.min_size_bytes) = (None, None);
        }
        if intent != Intent::Backup {
            (self.keep_daily, self.keep_weekly, self.keep_monthly) = (None, None, None);
            self.excludes = None;
        }
        if intent != Intent::Restore {
            (self.snapshot, self.overwrite) = (None, None);
        }
        if intent != Intent::Sync {
            self.checksum = None;
        }
        if intent != Intent::Cleanup {
            self.empty_dirs = None;
        }
        if request != Some(ScheduleRequest::Stop) {
            self.schedule_id = None;
        }
        self.reschedule_to = None;
        self
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
    /// Another of Tend's intents the model found nearly as likely: Tend
    /// asks which one was meant rather than guess.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alternative: Option<Intent>,
    /// A request about a schedule rather than a task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_request: Option<ScheduleRequest>,
    /// The intent is the one a person chose (answering a close call, or
    /// editing the plan), not the model's.
    #[serde(skip)]
    pub picked: bool,
}

impl Understanding {
    /// An understanding of `text`, with the slots its plan uses
    /// ([`Slots::used_by`]). Undoing a cleanup ("put the logs task 40
    /// cleaned back") puts back everything that task moved, so file kinds
    /// named there are no filter. A schedule moved is no task: no condition
    /// of one is left unexplained.
    pub fn new(text: &str, intent: Intent, confidence: f32, slots: Slots) -> Understanding {
        let schedule_request = super::slots::schedule_request(text, intent, &slots);
        let mut slots = slots.used_by(intent, schedule_request);
        if intent == Intent::Restore {
            // A restore repeats only when asked in so many words ("every
            // night": the plan then says it runs once); "as it was on
            // Friday" says which snapshot, a condition checked below.
            if !super::slots::snapshot::recurs(&text.to_lowercase()) {
                slots.schedule = None;
            }
        }
        let unexplained = if schedule_request == Some(ScheduleRequest::Move) {
            Vec::new()
        } else {
            let masked = super::slots::without_task_qualifiers(text);
            super::unexplained::find(&masked, intent, &slots)
        };
        let mut u = Understanding {
            text: text.to_string(),
            intent,
            confidence,
            slots,
            question: None,
            unexplained,
            alternative: None,
            schedule_request,
            picked: false,
        };
        if u.undoes_a_cleanup() {
            u.slots.patterns = None;
            (u.slots.snapshot, u.slots.overwrite) = (None, None);
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
