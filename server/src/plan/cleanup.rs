use app::api::{CommandResponse, Parameter, PlanView};

use super::{PlanError, Planner};
use crate::nlu::Understanding;
use crate::queue::{NewPlan, NewTask};
use crate::workflows::cleanup::{self, CleanupParams, Criteria};
use crate::workflows::WorkflowParams;

const DAY_MS: f64 = 86_400_000.0;

/// Builds a cleanup plan: checks the directory against the policy, fixes
/// the criteria, and previews what they select.
pub async fn plan(
    planner: &Planner,
    understanding: &Understanding,
    session: Option<String>,
) -> Result<CommandResponse, PlanError> {
    let slots = &understanding.slots;
    let raw_dir = slots.source.as_deref().ok_or(PlanError::MissingDirectory)?;
    let policy = planner.policy();
    let directory = policy.check_dir(raw_dir)?;
    let now = crate::now_ms();
    let params = CleanupParams {
        directory: directory.as_path().to_path_buf(),
        patterns: slots.patterns.clone().unwrap_or_default(),
        older_than_days: slots.older_than_days,
        modified_before_ms: slots
            .older_than_days
            .map(|days| now - (days.max(0.0) * DAY_MS) as i64),
        min_size_bytes: slots.min_size_bytes,
    };
    let criteria = Criteria::new(&params, directory.clone(), policy.protection().clone())?;
    // The walk is blocking file I/O: keep it off the async threads.
    let preview = tokio::task::spawn_blocking(move || cleanup::preview(&criteria))
        .await
        .map_err(|e| PlanError::Preview(e.to_string()))?;

    let summary = summary(&params);
    let mut parameters = vec![Parameter {
        name: "directory".into(),
        label: "Directory".into(),
        value: params.directory.display().to_string(),
    }];
    if !params.patterns.is_empty() {
        parameters.push(Parameter {
            name: "patterns".into(),
            label: "Patterns".into(),
            value: params.patterns.join(", "),
        });
    }
    if let Some(days) = params.older_than_days {
        parameters.push(Parameter {
            name: "older_than_days".into(),
            label: "Older than".into(),
            value: app::format::days(days),
        });
    }
    if let Some(min) = params.min_size_bytes {
        parameters.push(Parameter {
            name: "min_size_bytes".into(),
            label: "At least".into(),
            value: app::format::bytes(min),
        });
    }
    parameters.push(Parameter {
        name: "action".into(),
        label: "Action".into(),
        value: "Move into quarantine, recorded in a manifest (nothing is deleted)".into(),
    });

    let plan_id = uuid::Uuid::new_v4().simple().to_string();
    let view = PlanView {
        plan_id: plan_id.clone(),
        intent: understanding.intent.as_str().into(),
        workflow: "cleanup".into(),
        summary: summary.clone(),
        parameters,
        preview,
        expires_at: now + planner.plan_ttl_ms,
    };
    let params = serde_json::to_value(WorkflowParams::Cleanup(params))
        .map_err(|e| PlanError::Preview(e.to_string()))?;
    planner
        .store
        .insert_plan(NewPlan {
            id: plan_id,
            session,
            view: view.clone(),
            task: NewTask {
                workflow: "cleanup".into(),
                summary,
                params,
            },
            created_at: now,
        })
        .await?;
    Ok(CommandResponse::Plan(view))
}

fn summary(p: &CleanupParams) -> String {
    let mut what = if p.patterns.is_empty() {
        "files".to_string()
    } else {
        p.patterns.join(", ")
    };
    if let Some(days) = p.older_than_days {
        what.push_str(&format!(" older than {}", app::format::days(days)));
    }
    if let Some(min) = p.min_size_bytes {
        what.push_str(&format!(" of at least {}", app::format::bytes(min)));
    }
    format!("Clean up {what} in {}", p.directory.display())
}
