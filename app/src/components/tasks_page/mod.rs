//! The Tasks page (`/tasks`): the whole history, filtered and paged, with
//! charts; and a task's own page (`/tasks/{id}`).

mod charts;
mod detail;
mod filters;
mod history;
mod timeline;

pub use charts::TaskCharts;
pub use detail::TaskDetail;
pub use history::TaskHistory;
