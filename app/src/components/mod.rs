//! UI components. Each file holds one piece of the page.

mod admin;
mod console;
mod live_tasks;
mod plan_card;
mod rules;
mod schedules;
mod task_panel;

pub use admin::{BackupPassword, SignOut};
pub use console::Console;
pub use live_tasks::LiveTasks;
pub use plan_card::PlanCard;
pub use rules::RulesEditor;
pub use schedules::Schedules;
pub use task_panel::TaskPanel;
