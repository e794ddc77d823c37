//! Wire types of the JSON API and the websocket, shared by server and browser.

mod admin;
mod alerts;
mod command;
mod events;
mod history;
mod people;
mod rules;
mod schedule;
mod task;

pub use admin::{AllowedRootView, BackupPasswordView, SessionView};
pub use alerts::{AlertView, NewTarget, TargetKind, TargetView};
pub use command::{
    CommandRequest, CommandResponse, ConfirmRequest, ConfirmResponse, ErrorBody, Parameter,
    PlanView, PreviewView, ReadingChoice, ReviseRequest,
};
pub use events::ServerMessage;
pub use history::{
    BulkOutcome, BulkRequest, BulkResponse, DayStats, HourStats, StatsView, TaskEventView,
    TaskEventsPage, TaskQuery,
};
pub use people::{AuditEntryView, AuditQuery, NewUser, UserChange, UserView, ROLE_NAMES};
pub use rules::{
    ExampleView, IntentScore, LocationAliasView, NearExample, NewExample, NewLocationAlias,
    NewPatternAlias, NewPhraseRule, PatternAliasView, PhraseRuleView, ProposalView, ReadingView,
    RememberRequest, RememberResponse, RuleKind, RulesView, TryRequest, INTENT_NAMES,
};
pub use schedule::{RescheduleRequest, ScheduleView};
pub use task::{AttemptView, Priority, ProgressView, TaskState, TaskView, WaitingFor};
