use app::api::CommandResponse;

use super::offer::{offer, param, preview};
use super::{PlanError, Planner};
use crate::nlu::Understanding;
use crate::workflows::cleanup::{self, CleanupParams, Criteria};
use crate::workflows::WorkflowParams;

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
    let mut params = CleanupParams {
        directory: directory.as_path().to_path_buf(),
        patterns: slots.patterns.clone().unwrap_or_default(),
        older_than_days: slots.older_than_days,
        modified_before_ms: slots
            .older_than_days
            .map(|days| cleanup::cutoff_ms(days, now)),
        min_size_bytes: slots.min_size_bytes,
        empty_dirs: slots.empty_dirs.unwrap_or(false),
        work_list: None,
    };
    let criteria = Criteria::new(&params, directory.clone(), policy.protection().clone())?;
    let (preview, work_list) = preview_and_keep(planner, criteria, params.empty_dirs).await?;
    params.work_list = work_list;

    let mut parameters = vec![param(
        "directory",
        "Directory",
        params.directory.display().to_string(),
    )];
    if !params.patterns.is_empty() {
        parameters.push(param("patterns", "Patterns", params.patterns.join(", ")));
    }
    if let Some(days) = params.older_than_days {
        parameters.push(param(
            "older_than_days",
            "Older than",
            app::format::days(days),
        ));
    }
    if let Some(min) = params.min_size_bytes {
        parameters.push(param("min_size_bytes", "At least", app::format::bytes(min)));
    }
    if params.empty_dirs {
        parameters.push(param("empty_dirs", "Empty directories", "removed"));
    }
    if params.work_list.is_some() {
        parameters.push(param(
            "selection",
            "Selection",
            format!(
                "Exactly the {} {} listed here; one that changes before the task runs is skipped",
                preview.file_count,
                if preview.file_count == 1 {
                    "file"
                } else {
                    "files"
                }
            ),
        ));
    }
    parameters.push(param(
        "action",
        "Action",
        "Move into quarantine, recorded in a manifest (nothing is deleted)",
    ));
    offer(
        planner,
        understanding,
        session,
        summary(&params),
        parameters,
        preview,
        WorkflowParams::Cleanup(params),
    )
    .await
}

/// The preview, and the list of the files it selected kept for the run
/// (none when empty directories are removed too: that needs the walk).
/// Walking and writing are blocking file I/O: off the async threads.
async fn preview_and_keep(
    planner: &Planner,
    criteria: Criteria,
    empty_dirs: bool,
) -> Result<(app::api::PreviewView, Option<std::path::PathBuf>), PlanError> {
    if empty_dirs {
        return Ok((
            preview(planner, move |_| {
                Ok::<_, PlanError>(cleanup::preview(&criteria))
            })
            .await?,
            None,
        ));
    }
    preview(planner, move |env: &crate::workflows::WorkflowEnv| {
        let (preview, selected) = cleanup::preview_with_list(&criteria);
        let list = cleanup::work_list::write(&env.work_lists_dir(), &selected).map_err(|e| {
            PlanError::Preview(format!(
                "the list of files to clean up could not be kept: {e}"
            ))
        })?;
        Ok::<_, PlanError>((preview, list))
    })
    .await
}

fn summary(p: &CleanupParams) -> String {
    let selects_files =
        !p.patterns.is_empty() || p.older_than_days.is_some() || p.min_size_bytes.is_some();
    if p.empty_dirs && !selects_files {
        return format!("Remove empty directories in {}", p.directory.display());
    }
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
    if p.empty_dirs {
        what.push_str(", and empty directories,");
    }
    format!("Clean up {what} in {}", p.directory.display())
}
