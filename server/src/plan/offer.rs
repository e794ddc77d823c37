//! The last step of every plan: compute the preview off the async runtime,
//! store the plan with the task it would queue, and show it.

use app::api::{CommandResponse, Parameter, PlanView, PreviewView, Priority};

use super::{PlanError, Planner};
use crate::domain::AllowedPath;
use crate::nlu::Understanding;
use crate::schedule::Cron;
use crate::store::{NewPlan, NewTask};
use crate::workflows::{WorkflowEnv, WorkflowParams};
use chrono::{Local, TimeZone};

/// Runs a blocking preview (it walks trees, opens repositories) on the
/// blocking pool, timed as the request's "preview" step.
pub async fn preview<T, E, F>(planner: &Planner, f: F) -> Result<T, PlanError>
where
    T: Send + 'static,
    PlanError: From<E>,
    E: Send + 'static,
    F: FnOnce(&WorkflowEnv) -> Result<T, E> + Send + 'static,
{
    let env = planner.env.clone();
    let started = std::time::Instant::now();
    let previewed = tokio::task::spawn_blocking(move || f(&env))
        .await
        .map_err(|e| PlanError::Preview(e.to_string()))?;
    crate::timing::record("preview", started.elapsed());
    Ok(previewed?)
}

/// Stores the plan and returns it for the plan card.
pub async fn offer(
    planner: &Planner,
    understanding: &Understanding,
    session: Option<String>,
    summary: String,
    parameters: Vec<Parameter>,
    mut preview: PreviewView,
    params: WorkflowParams,
) -> Result<CommandResponse, PlanError> {
    let now = crate::now_ms();
    let workflow = params.name().to_string();
    let mut parameters = parameters;
    let schedule = match (&understanding.slots.schedule, repeatable(&params)) {
        (Some(cron), true) => {
            let (cron, row) = when(cron, now)?;
            parameters.push(row);
            Some(cron)
        }
        (Some(cron), false) => {
            preview.warnings.push(format!(
                "A {workflow} runs once, when you confirm it; the schedule ({}) was not used.",
                crate::schedule::describe(cron)
            ));
            None
        }
        (None, _) => None,
    };
    let priority = super::priority_of(understanding);
    parameters.push(param("priority", "Priority", priority_words(priority)));
    let timeout_secs = understanding.slots.timeout_secs;
    if let Some(secs) = timeout_secs {
        parameters.push(param(
            "timeout_secs",
            "Give up after",
            crate::queue::retry::in_words(secs.saturating_mul(1000) as i64),
        ));
    }
    let plan_id = uuid::Uuid::new_v4().simple().to_string();
    let view = PlanView {
        plan_id: plan_id.clone(),
        intent: understanding.intent.as_str().into(),
        workflow: workflow.clone(),
        summary: summary.clone(),
        parameters,
        preview,
        expires_at: now + planner.plan_ttl_ms,
        editable: super::revise::editable(understanding),
        command: understanding.text.clone(),
        slots: serde_json::to_value(&understanding.slots).unwrap_or_default(),
        schedule,
        priority,
        steps: Vec::new(),
        asked_by: super::asker::current(),
        reading_picked: understanding.picked,
    };
    let locks = params.path_locks();
    let task_params =
        serde_json::to_value(params).map_err(|e| PlanError::Preview(e.to_string()))?;
    let started = std::time::Instant::now();
    planner
        .store
        .insert_plan(NewPlan {
            id: plan_id,
            session,
            view: view.clone(),
            task: NewTask {
                workflow,
                summary,
                params: task_params,
                timeout_secs: timeout_secs.map(|s| s.min(i64::MAX as u64) as i64),
                priority,
                locks,
                depends_on: Vec::new(),
                schedule_id: None,
            },
            created_at: now,
        })
        .await?;
    crate::timing::record("store", started.elapsed());
    Ok(CommandResponse::Plan(view))
}

/// The plan card's "Priority" row.
pub fn priority_words(priority: Priority) -> String {
    match priority {
        Priority::Urgent => "Urgent: ahead of normal and low tasks",
        Priority::Normal => "Normal",
        Priority::Low => "Low: after urgent and normal tasks (it still runs, however busy)",
    }
    .to_string()
}

/// Backups, mirrors and cleanups can repeat; restoring or undoing is a
/// one-off act.
fn repeatable(params: &WorkflowParams) -> bool {
    matches!(
        params,
        WorkflowParams::Backup(_) | WorkflowParams::Sync(_) | WorkflowParams::Cleanup(_)
    )
}

/// `cron` parsed, with its first run after `now`; refused when it never
/// comes round.
fn checked(cron: &str, now: i64) -> Result<(Cron, i64), PlanError> {
    let parsed = Cron::parse(cron)?;
    let next = crate::schedule::next_run_ms(parsed.as_str(), now)?
        .ok_or_else(|| PlanError::ScheduleNeverRuns(parsed.as_str().to_string()))?;
    Ok((parsed, next))
}

/// A new time for a schedule as a person writes it ("Sundays at 3:30",
/// "every night at 2am") or as a cron line: the cron, and its first run
/// after `now`.
pub fn new_time(text: &str, now: i64) -> Result<(String, i64), PlanError> {
    let text = text.trim();
    let cron = crate::nlu::slots::schedule_in(text).ok_or_else(|| {
        crate::schedule::CronError(
            text.chars().take(80).collect(),
            "say when, like \"every night at 2am\" or \"Sundays at 3:30\", or give a cron line like \"0 2 * * *\"".into(),
        )
    })?;
    let (parsed, next) = checked(&cron, now)?;
    Ok((parsed.as_str().to_string(), next))
}

/// The schedule checked, and its row on the plan card: "every day at 02:00
/// (next run Wed 25 Nov 02:00)".
fn when(cron: &str, now: i64) -> Result<(String, Parameter), PlanError> {
    let (parsed, next) = checked(cron, now)?;
    let next = Local
        .timestamp_millis_opt(next)
        .single()
        .map(|t| t.format("%a %-d %b %H:%M").to_string())
        .unwrap_or_default();
    let row = param(
        "schedule",
        "When",
        format!("{} (next run {next})", parsed.describe()),
    );
    Ok((parsed.as_str().to_string(), row))
}

/// The two directories a command must name, checked: the source must exist,
/// the destination may be created later. When either is missing, `question`
/// is the error (and the console turns it into a question).
pub fn checked_ends(
    planner: &Planner,
    understanding: &Understanding,
    question: &str,
) -> Result<(AllowedPath, AllowedPath), PlanError> {
    let (Some(from), Some(to)) = (
        &understanding.slots.source,
        &understanding.slots.destination,
    ) else {
        return Err(PlanError::MissingPaths(question.to_string()));
    };
    let policy = planner.policy();
    Ok((policy.check_dir(from)?, policy.check_target(to)?))
}

/// A row of the plan card.
pub fn param(name: &str, label: &str, value: impl Into<String>) -> Parameter {
    Parameter {
        name: name.into(),
        label: label.into(),
        value: value.into(),
    }
}
