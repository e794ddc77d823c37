//! Planning: turns an understood command into a plan to confirm (with a
//! dry-run preview) or a reply, without changing anything on disk.

pub mod asker;
mod backup;
mod choices;
mod cleanup;
mod conversation;
mod offer;
mod questions;
mod replies;
mod revise;
mod schedules;
mod steps;
mod sync;
mod undo;
mod unexplained;

use offer::new_time;

use std::sync::Arc;

use app::api::{CommandResponse, Priority};
use conversation::{Conversations, Missing, Turn};

use crate::domain::{PathPolicy, PolicyError};
use crate::hub::EventHub;
use crate::nlu::{Intent, Nlu, ScheduleRequest, Understanding};
use crate::queue::Workers;
use crate::store::{Store, StoreError};
use crate::workflows::cleanup::CriteriaError;
use crate::workflows::WorkflowEnv;

#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("Type what you want Tend to do, for example: clean up *.tmp files older than 7 days in /srv/scratch")]
    EmptyCommand,
    #[error("That command is {len} bytes long; Tend accepts at most {max}. Please shorten it.")]
    TooLong { len: usize, max: usize },
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error(
        "Which directory should I clean up? Say it like: clean up *.tmp files in /srv/scratch"
    )]
    MissingDirectory,
    #[error(transparent)]
    Criteria(#[from] CriteriaError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("The preview could not run: {0}")]
    Preview(String),
    #[error("{0}")]
    NotUndoable(String),
    #[error("{0}")]
    MissingPaths(String),
    #[error(transparent)]
    Workflow(#[from] crate::workflows::WorkflowError),
    #[error("{0}")]
    BadEdit(String),
    #[error(transparent)]
    Schedule(#[from] crate::schedule::CronError),
    #[error("The schedule {0} never comes round (no such date). Say when it should run, like: every night at 2am")]
    ScheduleNeverRuns(String),
    #[error("Step {step} (\"{text}\"): {message}")]
    Step {
        step: usize,
        text: String,
        message: String,
    },
    #[error("That is {count} steps; Tend plans at most {max} in one command. Send the rest as another command (confirm it with \"after\" to run it later).")]
    TooManySteps { count: usize, max: usize },
    #[error("A plan with several steps runs once. To repeat them, make each its own schedule.")]
    StepsCannotRepeat,
    /// The command states a condition the plan would have lost.
    #[error("{0}")]
    Unexplained(String),
}

pub struct Planner {
    /// Understands commands; loaded once at startup.
    pub nlu: Arc<Nlu>,
    /// Times each command's understanding.
    pub metrics: Arc<crate::metrics::Metrics>,
    pub store: Arc<dyn Store>,
    pub workers: Arc<Workers>,
    /// Tells browsers about changes made by replies (a schedule stopped).
    pub hub: EventHub,
    /// Woken when a schedule's time changes.
    pub scheduler: Arc<crate::schedule::Scheduler>,
    pub env: Arc<WorkflowEnv>,
    pub plan_ttl_ms: i64,
    pub max_command_bytes: usize,
    /// Cap on deletions written into each sync plan.
    pub sync_max_delete: u64,
    /// Open clarifying questions, per console session.
    pub conversations: Conversations,
}

impl Planner {
    /// Answers one command typed at the console or sent to the API.
    /// `chosen` is the reading the person picked when asked which was
    /// meant: the command is planned as that intent, without asking again.
    pub async fn respond(
        &self,
        text: &str,
        session: Option<String>,
        chosen: Option<Intent>,
    ) -> Result<CommandResponse, PlanError> {
        if text.len() > self.max_command_bytes {
            return Err(PlanError::TooLong {
                len: text.len(),
                max: self.max_command_bytes,
            });
        }
        if text.trim().is_empty() {
            return Err(PlanError::EmptyCommand);
        }
        // "A, then B": each step planned on its own, offered as one plan.
        let steps = crate::nlu::steps::split(text);
        if steps.len() > 1 {
            return steps::plan(self, text, &steps, session).await;
        }
        let started = std::time::Instant::now();
        let message = match chosen {
            Some(intent) => self.nlu.understand_as(text, intent),
            None => self.nlu.understand(text).await,
        };
        self.metrics.observe_nlu(started.elapsed().as_secs_f64());
        crate::timing::record("nlu", started.elapsed());
        // Moving a schedule is no task, whatever intent the model read.
        if message.schedule_request == Some(ScheduleRequest::Move) {
            return schedules::move_in_words(self, &message).await;
        }
        let raw = || self.nlu.slots(text);
        let understanding = match self
            .conversations
            .take_turn(session.as_deref(), message, raw)
        {
            // Two close readings: ask which, rather than guess.
            Turn::Fresh(u) => match choices::question(&u) {
                Some(question) => return Ok(question),
                None => u,
            },
            Turn::Answered(u) => u,
            Turn::Dropped => {
                return Ok(CommandResponse::reply(
                    Intent::Cancel.as_str(),
                    "OK, I dropped that request; nothing was done.",
                ))
            }
        };
        let planned = self.plan_for(&understanding, session.clone()).await;
        match (planned, session, Missing::of(&understanding)) {
            // A path is missing: ask for it, and take the next message as the answer.
            (
                Err(e @ (PlanError::MissingPaths(_) | PlanError::MissingDirectory)),
                Some(session),
                Some(missing),
            ) => {
                let question = format!("{e} (Or say \"never mind\".)");
                self.conversations
                    .ask(&session, understanding.clone(), missing);
                Ok(CommandResponse::reply(
                    understanding.intent.as_str(),
                    question,
                ))
            }
            (planned, _, _) => planned,
        }
    }

    /// Plans `plan_id`'s command again with some parameters changed.
    pub async fn revise(
        &self,
        plan_id: &str,
        request: &app::api::ReviseRequest,
    ) -> Result<CommandResponse, PlanError> {
        revise::revise(self, plan_id, &request.values, request.session.clone()).await
    }

    async fn plan_for(
        &self,
        understanding: &Understanding,
        session: Option<String>,
    ) -> Result<CommandResponse, PlanError> {
        // A missing path is asked for first ("clean up photos": which
        // directory?); the conditions are checked once it is there.
        if Missing::of(understanding).is_none() {
            if let Some(refusal) = unexplained::refusal(understanding) {
                return Err(PlanError::Unexplained(refusal));
            }
        }
        match understanding.intent {
            Intent::Cleanup => cleanup::plan(self, understanding, session).await,
            Intent::Status => replies::status(self, understanding).await,
            Intent::Cancel => replies::cancel(self, understanding).await,
            Intent::Retry => replies::retry(self, understanding).await,
            Intent::Restore if understanding.undoes_a_cleanup() => {
                undo::plan(self, understanding, session).await
            }
            Intent::Sync => sync::plan(self, understanding, session).await,
            Intent::Backup => backup::plan_backup(self, understanding, session).await,
            Intent::Restore => backup::plan_restore(self, understanding, session).await,
            Intent::OutOfScope => Ok(replies::help(understanding)),
        }
    }

    fn policy(&self) -> PathPolicy {
        self.env.policy()
    }
}

/// How soon the task of `u` runs: as its words say, else urgent for a
/// restore or an undo (someone is missing files now), normal otherwise.
pub fn priority_of(u: &Understanding) -> Priority {
    u.slots.priority.unwrap_or(match u.intent {
        Intent::Restore => Priority::Urgent,
        _ => Priority::Normal,
    })
}
