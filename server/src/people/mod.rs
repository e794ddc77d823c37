//! The people who use Tend: their roles, how their passwords and names are
//! checked, and the actions the audit log records. Pure rules only; users,
//! sessions and the log itself are kept through
//! [`crate::store::PeopleStore`].

pub mod audit;
mod name;
pub mod password;
mod role;

pub use name::{check_name, NameError, NAME_MAX_CHARS};
pub use password::PasswordError;
pub use role::Role;
