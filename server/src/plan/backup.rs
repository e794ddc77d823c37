use std::sync::LazyLock;

use app::api::CommandResponse;
use regex::Regex;

use super::offer::{checked_ends, offer, param, preview};
use super::{PlanError, Planner};
use crate::nlu::Understanding;
use crate::workflows::backup::{self, restore, BackupParams, Retention};
use crate::workflows::WorkflowParams;

/// "keep 7 daily, 4 weekly and 6 monthly".
static KEEP_PER_PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d{1,4})\s+(daily|dailies|days?|weekly|weeks?|monthly|months?)\b")
        .expect("retention pattern compiles")
});

/// Words that make the patterns of a backup command things to leave out.
static EXCLUDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(exclud\w*|except|skip\w*|without|ignor\w*|leave out|but not|not the)\b")
        .expect("exclusion pattern compiles")
});

static SNAPSHOT_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bsnapshot\s+([0-9a-f]{6,64})\b").expect("snapshot pattern compiles")
});

fn retention(understanding: &Understanding) -> Retention {
    let mut r = Retention {
        keep_last: understanding.slots.keep_last,
        ..Retention::default()
    };
    if !understanding.text.to_lowercase().contains("keep") {
        return r;
    }
    for c in KEEP_PER_PERIOD.captures_iter(&understanding.text) {
        let n = c[1].parse().ok();
        match c[2].to_lowercase().chars().next() {
            Some('d') => r.keep_daily = n,
            Some('w') => r.keep_weekly = n,
            Some('m') => r.keep_monthly = n,
            _ => {}
        }
    }
    // The slot extractor reads "keep 7 daily" as "keep the last 7" too.
    let periods = [r.keep_daily, r.keep_weekly, r.keep_monthly];
    if r.keep_last.is_some() && periods.contains(&r.keep_last) {
        r.keep_last = None;
    }
    r
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
    let excluding = EXCLUDING.is_match(&understanding.text);
    let params = BackupParams {
        source: source.as_path().to_path_buf(),
        repository: repository.as_path().to_path_buf(),
        excludes: if excluding {
            patterns.clone()
        } else {
            Vec::new()
        },
        ignore_files: true,
        retention: retention(understanding),
        schedule_id: None,
    };
    let for_preview = params.clone();
    let mut preview = preview(planner, move |env| backup::preview(&for_preview, env)).await?;
    if !patterns.is_empty() && !excluding {
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
    let lower = understanding.text.to_lowercase();
    let params = restore::RestoreParams {
        repository: repository.as_path().to_path_buf(),
        snapshot: SNAPSHOT_ID
            .captures(&understanding.text)
            .map(|c| c[1].to_lowercase())
            .unwrap_or_else(|| "latest".into()),
        path: String::new(),
        target: target.as_path().to_path_buf(),
        overwrite: lower.contains("overwrite") || lower.contains("replace"),
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
