use app::api::CommandResponse;

use super::offer::{checked_ends, offer, param, preview};
use super::{PlanError, Planner};
use crate::nlu::Understanding;
use crate::workflows::sync::{self, SyncParams};
use crate::workflows::WorkflowParams;

/// "mirror ~/docs to /media/usb and remove what I deleted".
pub async fn plan(
    planner: &Planner,
    understanding: &Understanding,
    session: Option<String>,
) -> Result<CommandResponse, PlanError> {
    let slots = &understanding.slots;
    let (source, destination) = checked_ends(
        planner,
        understanding,
        "Which directory should I mirror, and where to? Say it like: sync /srv/docs to /mnt/usb/docs",
    )?;
    let params = SyncParams {
        source: source.as_path().to_path_buf(),
        destination: destination.as_path().to_path_buf(),
        delete_extraneous: slots.delete_extraneous.unwrap_or(false),
        max_delete: planner.sync_max_delete,
        checksum: slots.checksum.unwrap_or(false),
    };
    let for_preview = params.clone();
    let preview = preview(planner, move |env| sync::preview(&for_preview, env)).await?;

    let summary = format!(
        "Mirror {} to {}{}",
        params.source.display(),
        params.destination.display(),
        if params.delete_extraneous {
            ", removing what is gone from the source"
        } else {
            ""
        }
    );
    let parameters = vec![
        param("source", "From", params.source.display().to_string()),
        param(
            "destination",
            "To",
            params.destination.display().to_string(),
        ),
        param(
            "delete_extraneous",
            "Delete extra files",
            if params.delete_extraneous {
                format!(
                    "yes, at most {} (kept in .tend-versions)",
                    params.max_delete
                )
            } else {
                "no".into()
            },
        ),
        param(
            "compare",
            "Compare by",
            if params.checksum {
                "content (BLAKE3)"
            } else {
                "size and modification time"
            },
        ),
        param(
            "action",
            "Action",
            "Copy new and changed files; replaced files are kept in .tend-versions",
        ),
    ];
    offer(
        planner,
        understanding,
        session,
        summary,
        parameters,
        preview,
        WorkflowParams::Sync(params),
    )
    .await
}
