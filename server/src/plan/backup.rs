use app::api::CommandResponse;

use super::offer::{checked_ends, offer, param, preview};
use super::{PlanError, Planner};
use crate::nlu::{Slots, Understanding};
use crate::workflows::backup::{self, restore, BackupParams, Retention};
use crate::workflows::WorkflowParams;

fn retention(slots: &Slots) -> Retention {
    Retention {
        keep_last: slots.keep_last,
        keep_daily: slots.keep_daily,
        keep_weekly: slots.keep_weekly,
        keep_monthly: slots.keep_monthly,
    }
}

/// "back up /srv/photos to /mnt/nas every night at 2am, keep 14".
pub async fn plan_backup(
    planner: &Planner,
    understanding: &Understanding,
    session: Option<String>,
) -> Result<CommandResponse, PlanError> {
    let slots = &understanding.slots;
    let (source, repository) = checked_ends(
        planner,
        understanding,
        "What should I back up, and into which repository directory? Say it like: back up /srv/photos to /mnt/nas/photos-backup",
    )?;
    let patterns = slots.patterns.clone().unwrap_or_default();
    let params = BackupParams {
        source: source.as_path().to_path_buf(),
        repository: repository.as_path().to_path_buf(),
        excludes: slots.excludes.clone().unwrap_or_default(),
        ignore_files: true,
        retention: retention(slots),
        schedule_id: None,
    };
    let for_preview = params.clone();
    let mut preview = preview(planner, move |env| backup::preview(&for_preview, env)).await?;
    if !patterns.is_empty() && slots.excludes.is_none() {
        preview.warnings.push(format!(
            "Backups take whole directories; {} was not used. To leave files out, say \"excluding {}\".",
            patterns.join(", "),
            patterns.join(", ")
        ));
    }
    let summary = format!(
        "Back up {} to the repository {}",
        params.source.display(),
        params.repository.display()
    );
    let parameters = vec![
        param("source", "From", params.source.display().to_string()),
        param(
            "destination",
            "Repository",
            params.repository.display().to_string(),
        ),
        param(
            "excludes",
            "Leave out",
            if params.excludes.is_empty() {
                format!(
                    "nothing (besides .gitignore and {} rules)",
                    backup::IGNORE_FILE
                )
            } else {
                params.excludes.join(", ")
            },
        ),
        param("keep_last", "Retention", params.retention.describe()),
    ];
    offer(
        planner,
        understanding,
        session,
        summary,
        parameters,
        preview,
        WorkflowParams::Backup(params),
    )
    .await
}

/// "restore the latest backup in /mnt/nas/photos into /tmp/photo-check".
pub async fn plan_restore(
    planner: &Planner,
    understanding: &Understanding,
    session: Option<String>,
) -> Result<CommandResponse, PlanError> {
    let (repository, target) = checked_ends(
        planner,
        understanding,
        "From which repository, and into which directory? Say it like: restore /srv/photos from /mnt/nas/photos-backup",
    )?;
    let slots = &understanding.slots;
    let params = restore::RestoreParams {
        repository: repository.as_path().to_path_buf(),
        snapshot: slots.snapshot.clone().unwrap_or_else(|| "latest".into()),
        path: String::new(),
        target: target.as_path().to_path_buf(),
        overwrite: slots.overwrite.unwrap_or(false),
    };
    let for_preview = params.clone();
    let preview = preview(planner, move |env| restore::preview(&for_preview, env)).await?;
    let summary = format!(
        "Restore snapshot {} of {} into {}",
        params.snapshot,
        params.repository.display(),
        params.target.display()
    );
    let parameters = vec![
        param(
            "source",
            "Repository",
            params.repository.display().to_string(),
        ),
        param("snapshot", "Snapshot", params.snapshot.clone()),
        param("destination", "Into", params.target.display().to_string()),
        param(
            "overwrite",
            "Existing files",
            if params.overwrite {
                "replaced"
            } else {
                "never overwritten (the restore refuses)"
            },
        ),
    ];
    offer(
        planner,
        understanding,
        session,
        summary,
        parameters,
        preview,
        WorkflowParams::Restore(params),
    )
    .await
}
