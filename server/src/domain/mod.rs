//! Validated domain types: values that can only exist once checked.

mod allowed_path;
pub mod cron;
pub mod disk;

pub use allowed_path::{AllowedPath, PathPolicy, PolicyError, Protection, RootNow};
