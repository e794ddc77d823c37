//! UI components. Each file holds one piece of the page.

mod admin;
mod alerts;
mod clock;
mod console;
mod live_tasks;
mod people;
mod plan_card;
mod rules;
mod schedules;
mod session;
mod task_panel;
mod tasks_page;

pub use admin::BackupPassword;
pub use alerts::{AlertBanner, NotificationTargets};
pub use clock::Clock;
pub use console::Console;
pub use live_tasks::{ConnectionBadge, LiveTasks};
pub use people::{AuditLog, UsersAdmin};
pub use plan_card::PlanCard;
pub use rules::RulesEditor;
pub use schedules::Schedules;
pub use session::{CurrentSession, SignOut};
pub use task_panel::TaskPanel;
pub use tasks_page::{TaskCharts, TaskDetail, TaskHistory};
