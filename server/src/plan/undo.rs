use app::api::CommandResponse;

use super::offer::{offer, param, preview};
use super::{PlanError, Planner};
use crate::nlu::Understanding;
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
    let for_preview = undo.clone();
    let preview = preview(planner, move |env| undo_cleanup::preview(&for_preview, env)).await?;
    if preview.file_count == 0 && preview.warnings.is_empty() {
        return Ok(CommandResponse::reply(
            understanding.intent.as_str(),
            format!("Nothing of task #{cleanup_id} is left in quarantine to put back."),
        ));
    }

    let summary = format!(
        "Put back the files cleaned up by task #{cleanup_id} in {}",
        params.directory.display()
    );
    let parameters = vec![
        param("task_id", "Cleanup task", format!("#{cleanup_id}")),
        param(
            "directory",
            "Directory",
            params.directory.display().to_string(),
        ),
        param(
            "action",
            "Action",
            "Move each file back; never overwrite a file that exists there now",
        ),
    ];
    offer(
        planner,
        understanding,
        session,
        summary,
        parameters,
        preview,
        WorkflowParams::UndoCleanup(undo),
    )
    .await
}
