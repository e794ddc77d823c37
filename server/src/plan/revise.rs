//! Editing a plan before confirming it. The plan card offers the parameters
//! a person may change, each written as it can be typed back; a revision
//! reads the new values with the same slot readers the console uses, plans
//! again (a fresh preview, the same checks) and retires the old plan.

use std::collections::BTreeMap;

use app::api::{CommandResponse, Parameter, PlanView};

use super::{offer::param, PlanError, Planner};
use crate::nlu::{slots, Intent, Slots, Understanding};

/// Backups, mirrors and cleanups can be made to repeat, or to run once.
const REPEAT: &str = "Repeat (like: every night at 2am; empty: run once)";

pub const PRIORITY_LABEL: &str = "Priority (urgent, normal or low)";

pub const INTENT_LABEL: &str = "Meaning (backup, restore, sync or cleanup)";

/// The intents a plan can be edited into: those that plan a workflow.
const WORKFLOW_INTENTS: [Intent; 4] = [
    Intent::Backup,
    Intent::Restore,
    Intent::Sync,
    Intent::Cleanup,
];

/// The slots a person may edit per intent, with their labels.
fn editable_slots(u: &Understanding) -> &'static [(&'static str, &'static str)] {
    match u.intent {
        Intent::Backup => &[
            ("intent", INTENT_LABEL),
            ("source", "From"),
            ("destination", "Repository"),
            ("keep_last", "Keep the last"),
            ("schedule", REPEAT),
            ("priority", PRIORITY_LABEL),
        ],
        // "restore quarantine of task 12": only how soon.
        Intent::Restore if u.undoes_a_cleanup() => &[("priority", PRIORITY_LABEL)],
        Intent::Restore => &[
            ("intent", INTENT_LABEL),
            ("source", "Repository"),
            ("destination", "Into"),
            ("priority", PRIORITY_LABEL),
        ],
        Intent::Sync => &[
            ("intent", INTENT_LABEL),
            ("source", "From"),
            ("destination", "To"),
            ("delete_extraneous", "Delete what the source lacks (yes/no)"),
            ("schedule", REPEAT),
            ("priority", PRIORITY_LABEL),
        ],
        Intent::Cleanup => &[
            ("intent", INTENT_LABEL),
            ("source", "Directory"),
            ("patterns", "Patterns"),
            ("older_than_days", "Older than"),
            ("min_size_bytes", "At least"),
            ("schedule", REPEAT),
            ("priority", PRIORITY_LABEL),
        ],
        Intent::Status | Intent::Cancel | Intent::Retry | Intent::OutOfScope => &[],
    }
}

/// The editable parameters of `u`, each with its value as it can be typed.
pub fn editable(u: &Understanding) -> Vec<Parameter> {
    let s = &u.slots;
    editable_slots(u)
        .iter()
        .map(|(name, label)| {
            let value = match *name {
                "intent" => u.intent.as_str().to_string(),
                "source" => s.source.clone().unwrap_or_default(),
                "destination" => s.destination.clone().unwrap_or_default(),
                "keep_last" => s.keep_last.map(|n| n.to_string()).unwrap_or_default(),
                "delete_extraneous" => if s.delete_extraneous == Some(true) {
                    "yes"
                } else {
                    "no"
                }
                .into(),
                "patterns" => s
                    .patterns
                    .as_ref()
                    .map(|p| p.join(", "))
                    .unwrap_or_default(),
                "older_than_days" => s.older_than_days.map(app::format::days).unwrap_or_default(),
                "min_size_bytes" => s.min_size_bytes.map(typed_size).unwrap_or_default(),
                "schedule" => s.schedule.clone().unwrap_or_default(),
                "priority" => super::priority_of(u).as_str().to_string(),
                _ => String::new(),
            };
            param(name, label, value)
        })
        .collect()
}

/// A size as a person types it and the size reader reads it back exactly.
fn typed_size(bytes: u64) -> String {
    for (unit, size) in [
        ("GiB", 1u64 << 30),
        ("GB", 1_000_000_000),
        ("MiB", 1 << 20),
        ("MB", 1_000_000),
        ("KiB", 1 << 10),
        ("KB", 1_000),
    ] {
        if bytes >= size && bytes.is_multiple_of(size) {
            return format!("{} {unit}", bytes / size);
        }
    }
    format!("{bytes} bytes")
}

/// Sets one slot from typed text; an empty value clears it.
fn set(
    planner: &Planner,
    slots: &mut Slots,
    name: &str,
    label: &str,
    value: &str,
) -> Result<(), String> {
    let value = value.trim();
    let unreadable = |example: &str| {
        format!("\"{value}\" is not a {label} Tend can read; write it like {example}.")
    };
    match name {
        "source" | "destination" => {
            let path = if value.is_empty() {
                None
            } else {
                Some(
                    planner
                        .nlu
                        .path_named(value)
                        .ok_or_else(|| unreadable("/srv/photos, or a location alias"))?,
                )
            };
            if name == "source" {
                slots.source = path;
            } else {
                slots.destination = path;
            }
        }
        "keep_last" => {
            slots.keep_last = if value.is_empty() {
                None
            } else {
                Some(
                    slots::count_in(value)
                        .and_then(|n| u32::try_from(n).ok())
                        .filter(|n| *n > 0)
                        .ok_or_else(|| unreadable("7"))?,
                )
            };
        }
        "delete_extraneous" => {
            slots.delete_extraneous = match value.to_lowercase().as_str() {
                "yes" | "y" | "true" | "on" => Some(true),
                "no" | "n" | "false" | "off" | "" => None,
                _ => return Err(unreadable("yes or no")),
            };
        }
        "patterns" => {
            let globs = slots::patterns_in(value);
            if !value.is_empty() && globs.is_empty() {
                return Err(unreadable("*.log, *.tmp"));
            }
            slots.patterns = (!globs.is_empty()).then_some(globs);
        }
        "older_than_days" => {
            slots.older_than_days = if value.is_empty() {
                None
            } else {
                Some(slots::age_in(value).ok_or_else(|| unreadable("30 days, or 2 weeks"))?)
            };
        }
        "min_size_bytes" => {
            slots.min_size_bytes = if value.is_empty() {
                None
            } else {
                Some(slots::size_in(value).ok_or_else(|| unreadable("500 MB"))?)
            };
        }
        "schedule" => {
            slots.schedule = if value.is_empty() {
                None
            } else {
                Some(
                    slots::schedule_in(value)
                        .ok_or_else(|| unreadable("every night at 2am, or 0 2 * * *"))?,
                )
            };
        }
        "priority" => {
            slots.priority = if value.is_empty() {
                None
            } else {
                Some(slots::priority_in(value).ok_or_else(|| unreadable("urgent, normal or low"))?)
            };
        }
        _ => return Err(format!("\"{name}\" cannot be edited on this plan.")),
    }
    Ok(())
}

/// Plans `plan_id`'s command again with `values` changed; on success the old
/// plan is cancelled, so only the new one can be confirmed. On a plan with
/// steps, `N.name` changes step N's value and `priority` every step's.
pub async fn revise(
    planner: &Planner,
    plan_id: &str,
    values: &BTreeMap<String, String>,
    session: Option<String>,
) -> Result<CommandResponse, PlanError> {
    let record = planner.store.get_plan(plan_id).await?;
    record.ensure_open(crate::now_ms())?;
    let view = record.view;
    let answer = if view.steps.is_empty() {
        let revised = revised(planner, &view, values)?;
        planner.plan_for(&revised, session).await?
    } else {
        let mut steps = Vec::with_capacity(view.steps.len());
        for (i, step) in view.steps.iter().enumerate() {
            steps.push(revised(planner, step, &step_values(values, i + 1))?);
        }
        if let Some(name) = values.keys().find(|k| !names_a_step(k, view.steps.len())) {
            return Err(PlanError::BadEdit(format!(
                "\"{name}\" cannot be edited on this plan."
            )));
        }
        super::steps::offer(planner, &view.command, steps, session).await?
    };
    if matches!(answer, CommandResponse::Plan(_)) {
        planner.store.cancel_plan(plan_id, crate::now_ms()).await?;
    }
    Ok(answer)
}

/// The understanding behind `view` with `values` set.
fn revised(
    planner: &Planner,
    view: &PlanView,
    values: &BTreeMap<String, String>,
) -> Result<Understanding, PlanError> {
    let planned = Intent::parse(&view.intent).ok_or_else(|| {
        PlanError::BadEdit("This plan cannot be edited; send the command again.".into())
    })?;
    let intent = match values.get("intent") {
        Some(name) => edited_intent(name)?,
        None => planned,
    };
    // A new meaning reads the command's words afresh: what it says
    // for a backup is not what it says for a mirror.
    let mut slots: Slots = if intent == planned {
        serde_json::from_value(view.slots.clone()).unwrap_or_default()
    } else {
        planner.nlu.slots(&view.command)
    };
    let understood = Understanding::new(&view.command, intent, 1.0, slots.clone());
    slots = understood.slots.clone();
    let allowed = editable_slots(&understood);
    for (name, value) in values.iter().filter(|(name, _)| *name != "intent") {
        let Some((_, label)) = allowed.iter().find(|(n, _)| n == name) else {
            return Err(PlanError::BadEdit(format!(
                "\"{name}\" cannot be edited on this plan."
            )));
        };
        set(planner, &mut slots, name, &label.to_lowercase(), value).map_err(PlanError::BadEdit)?;
    }
    let mut edited = Understanding::new(&view.command, intent, 1.0, slots);
    edited.picked = intent != planned || view.reading_picked;
    // The edit's values replace what the words said: the command was
    // planned before (so nothing in it was left unexplained), and a field
    // the user changed ("*.tmp" to "*.log") is not a condition dropped.
    edited.unexplained.clear();
    Ok(edited)
}

/// The intent an edit names, if a plan can be one.
fn edited_intent(name: &str) -> Result<Intent, PlanError> {
    Intent::parse(name.trim())
        .filter(|i| WORKFLOW_INTENTS.contains(i))
        .ok_or_else(|| {
            PlanError::BadEdit(format!(
                "\"{name}\" is not a meaning a plan can have: write backup, restore, sync or cleanup."
            ))
        })
}

/// Step `step`'s share of a plan's edits: its `N.name` values, and the
/// priority, which is every step's.
fn step_values(values: &BTreeMap<String, String>, step: usize) -> BTreeMap<String, String> {
    let prefix = format!("{step}.");
    values
        .iter()
        .filter_map(|(key, value)| {
            let name = match key.strip_prefix(&prefix) {
                Some(name) => name,
                None if key == "priority" => "priority",
                None => return None,
            };
            Some((name.to_string(), value.clone()))
        })
        .collect()
}

fn names_a_step(key: &str, steps: usize) -> bool {
    key == "priority"
        || key
            .split_once('.')
            .and_then(|(n, _)| n.parse::<usize>().ok())
            .is_some_and(|n| (1..=steps).contains(&n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_with_steps_sends_each_step_its_own_edits_and_the_priority_to_all() {
        let values: BTreeMap<String, String> = [
            ("1.source", "/srv/a"),
            ("2.patterns", "*.tmp"),
            ("priority", "urgent"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let first = step_values(&values, 1);
        assert_eq!(first.get("source").map(String::as_str), Some("/srv/a"));
        assert_eq!(first.get("priority").map(String::as_str), Some("urgent"));
        assert!(!first.contains_key("patterns"));
        let second = step_values(&values, 2);
        assert_eq!(second.get("patterns").map(String::as_str), Some("*.tmp"));
        assert!(names_a_step("2.patterns", 2));
        assert!(!names_a_step("3.patterns", 2));
        assert!(!names_a_step("patterns", 2));
    }

    #[test]
    fn sizes_are_offered_in_a_form_that_reads_back_exactly() {
        for bytes in [1, 1000, 1024, 500_000_000, 3 << 30, 1_500_000, 123_457] {
            let typed = typed_size(bytes);
            assert_eq!(slots::size_in(&typed), Some(bytes), "{typed}");
        }
    }
}
