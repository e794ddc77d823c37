//! Plans with several steps: "back up /srv/photos to the NAS, then clean
//! up *.tmp older than 7 days in /srv/photos". Each step is planned as a
//! command of its own (its preview, its checks); the card shows them all,
//! and one Confirm queues a task per step, each waiting for the one before
//! (`store/state.rs`).

use app::api::{CommandResponse, Parameter, PlanView, PreviewView};

use super::{PlanError, Planner};
use crate::nlu::{Intent, Understanding};
use crate::store::NewPlanGroup;

/// More steps than this in one command is refused: say them separately.
pub const MAX_STEPS: usize = 5;

/// Plans each of `steps` (the pieces `nlu::steps::split` cut `text` into)
/// and offers them as one plan.
pub async fn plan(
    planner: &Planner,
    text: &str,
    steps: &[String],
    session: Option<String>,
) -> Result<CommandResponse, PlanError> {
    if steps.len() > MAX_STEPS {
        return Err(PlanError::TooManySteps {
            count: steps.len(),
            max: MAX_STEPS,
        });
    }
    let mut understandings = Vec::with_capacity(steps.len());
    for step in steps {
        understandings.push(planner.nlu.understand(step).await);
    }
    // One request, one urgency: a priority said in any step is the
    // whole plan's.
    if let Some(said) = understandings.iter().find_map(|u| u.slots.priority) {
        for u in &mut understandings {
            u.slots.priority = Some(said);
        }
    }
    offer(planner, text, understandings, session).await
}

/// Plans every step and stores the plan that holds them. Any step that
/// cannot be planned fails the whole: nothing is offered half.
pub async fn offer(
    planner: &Planner,
    text: &str,
    steps: Vec<Understanding>,
    session: Option<String>,
) -> Result<CommandResponse, PlanError> {
    let mut views = Vec::with_capacity(steps.len());
    for (i, understanding) in steps.iter().enumerate() {
        let step = i + 1;
        let failed = |message: String| PlanError::Step {
            step,
            text: understanding.text.clone(),
            message,
        };
        if !makes_a_task(understanding.intent) {
            return Err(failed(
                "that is not something Tend can run as a step (a backup, restore, mirror or cleanup)"
                    .into(),
            ));
        }
        if understanding.slots.schedule.is_some() {
            return Err(PlanError::StepsCannotRepeat);
        }
        match planner.plan_for(understanding, None).await {
            Ok(CommandResponse::Plan(view)) => views.push(view),
            Ok(CommandResponse::Reply { message, .. }) => return Err(failed(message)),
            Err(e) => return Err(failed(e.to_string())),
        }
    }
    let view = group_view(text, views);
    planner
        .store
        .insert_plan_group(NewPlanGroup {
            id: view.plan_id.clone(),
            session,
            steps: view.steps.iter().map(|s| s.plan_id.clone()).collect(),
            view: view.clone(),
            created_at: crate::now_ms(),
        })
        .await?;
    Ok(CommandResponse::Plan(view))
}

fn makes_a_task(intent: Intent) -> bool {
    matches!(
        intent,
        Intent::Backup | Intent::Restore | Intent::Sync | Intent::Cleanup
    )
}

/// The card of a plan with steps: their summaries joined, their previews
/// added up, and every step's editable values, named `N.name`.
fn group_view(text: &str, steps: Vec<PlanView>) -> PlanView {
    let summary = steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if i == 0 {
                s.summary.clone()
            } else {
                lower_first(&s.summary)
            }
        })
        .collect::<Vec<_>>()
        .join(", then ");
    let mut preview = PreviewView {
        file_count: 0,
        total_bytes: 0,
        sample_paths: Vec::new(),
        warnings: Vec::new(),
    };
    for (i, step) in steps.iter().enumerate() {
        preview.file_count += step.preview.file_count;
        preview.total_bytes += step.preview.total_bytes;
        preview.warnings.extend(
            step.preview
                .warnings
                .iter()
                .map(|w| format!("Step {}: {w}", i + 1)),
        );
    }
    let priority = steps.first().map(|s| s.priority).unwrap_or_default();
    let mut editable = vec![Parameter {
        name: "priority".into(),
        label: super::revise::PRIORITY_LABEL.into(),
        value: priority.as_str().into(),
    }];
    for (i, step) in steps.iter().enumerate() {
        editable.extend(
            step.editable
                .iter()
                .filter(|p| p.name != "priority")
                .map(|p| Parameter {
                    name: format!("{}.{}", i + 1, p.name),
                    label: format!("Step {} · {}", i + 1, p.label),
                    value: p.value.clone(),
                }),
        );
    }
    PlanView {
        plan_id: uuid::Uuid::new_v4().simple().to_string(),
        intent: "steps".into(),
        workflow: "steps".into(),
        summary,
        parameters: Vec::new(),
        preview,
        expires_at: steps.iter().map(|s| s.expires_at).min().unwrap_or_default(),
        editable,
        command: text.to_string(),
        slots: serde_json::Value::Null,
        schedule: None,
        priority,
        steps,
        asked_by: super::asker::current(),
        reading_picked: false,
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_read_as_one_sentence() {
        assert_eq!(
            lower_first("Clean up *.tmp in /srv/photos"),
            "clean up *.tmp in /srv/photos"
        );
        assert_eq!(lower_first(""), "");
    }
}
