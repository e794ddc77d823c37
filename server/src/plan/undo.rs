use app::api::{CommandResponse, Parameter, PlanView};

use super::{PlanError, Planner};
use crate::nlu::Understanding;
use crate::queue::{NewPlan, NewTask};
use crate::workflows::undo_cleanup::{self, UndoCleanupParams};
use crate::workflows::WorkflowParams;

/// "restore quarantine of task 12": plan putting a cleanup's files back.
pub async fn plan(
    planner: &Planner,
    understanding: &Understanding,
    session: Option<String>,
) -> Result<CommandResponse, PlanError> {
    let Some(cleanup_id) = understanding.slots.task_id else {
        return Err(PlanError::NotUndoable(
            "Which cleanup should I undo? Say for example: restore quarantine of task 12.".into(),
        ));
    };
    let task = planner.store.get_task(cleanup_id).await?;
    let params = match serde_json::from_value::<WorkflowParams>(task.parameters.clone()) {
        Ok(WorkflowParams::Cleanup(p)) => p,
        _ => {
            return Err(PlanError::NotUndoable(format!(
                "Task #{cleanup_id} is a {} task; only cleanups can be undone.",
                task.workflow
            )))
        }
    };
    if !task.state.is_terminal() {
        return Err(PlanError::NotUndoable(format!(
            "Task #{cleanup_id} is still {}; wait for it to finish or cancel it first.",
            task.state.as_str()
        )));
    }
    let undo = UndoCleanupParams {
        cleanup_task_id: cleanup_id,
        directory: params.directory.clone(),
    };
    let env = planner.env.clone();
    let for_preview = undo.clone();
    let preview = tokio::task::spawn_blocking(move || undo_cleanup::preview(&for_preview, &env))
        .await
        .map_err(|e| PlanError::Preview(e.to_string()))??;
    if preview.file_count == 0 && preview.warnings.is_empty() {
        return Ok(CommandResponse::Reply {
            intent: understanding.intent.as_str().into(),
            message: format!("Nothing of task #{cleanup_id} is left in quarantine to put back."),
        });
    }

    let now = crate::now_ms();
    let summary = format!(
        "Put back the files cleaned up by task #{cleanup_id} in {}",
        params.directory.display()
    );
    let plan_id = uuid::Uuid::new_v4().simple().to_string();
    let view = PlanView {
        plan_id: plan_id.clone(),
        intent: understanding.intent.as_str().into(),
        workflow: "undo_cleanup".into(),
        summary: summary.clone(),
        parameters: vec![
            Parameter {
                name: "task_id".into(),
                label: "Cleanup task".into(),
                value: format!("#{cleanup_id}"),
            },
            Parameter {
                name: "directory".into(),
                label: "Directory".into(),
                value: params.directory.display().to_string(),
            },
            Parameter {
                name: "action".into(),
                label: "Action".into(),
                value: "Move each file back; never overwrite a file that exists there now".into(),
            },
        ],
        preview,
        expires_at: now + planner.plan_ttl_ms,
    };
    let task_params = serde_json::to_value(WorkflowParams::UndoCleanup(undo))
        .map_err(|e| PlanError::Preview(e.to_string()))?;
    planner
        .store
        .insert_plan(NewPlan {
            id: plan_id,
            session,
            view: view.clone(),
            task: NewTask {
                workflow: "undo_cleanup".into(),
                summary,
                params: task_params,
            },
            created_at: now,
        })
        .await?;
    Ok(CommandResponse::Plan(view))
}
