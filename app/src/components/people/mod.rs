//! The people who use Tend: the admins' list of users (`/users`) and the
//! audit log of who did what (`/audit`).

mod audit;
mod users;

pub use audit::AuditLog;
pub use users::UsersAdmin;
