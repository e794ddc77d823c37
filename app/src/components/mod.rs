//! UI components. Each file holds one piece of the page.

mod console;
mod live_tasks;
mod plan_card;
mod task_panel;

pub use console::Console;
pub use live_tasks::LiveTasks;
pub use plan_card::PlanCard;
pub use task_panel::TaskPanel;
