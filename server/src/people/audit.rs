//! What the audit log records: who did what, when, from where. Every
//! action is named here once, so the log's filter and the code that writes
//! entries agree on the names.

/// The actions an audit entry can record. A dotted name's first part is
/// its subject, so a filter on `"task."` finds everything done to tasks.
pub mod action {
    /// A command typed into the console.
    pub const COMMAND: &str = "command";
    pub const PLAN_CONFIRMED: &str = "plan.confirmed";
    pub const PLAN_CANCELLED: &str = "plan.cancelled";
    pub const TASK_CANCELLED: &str = "task.cancelled";
    pub const TASK_RETRIED: &str = "task.retried";
    pub const TASK_UNDONE: &str = "task.undone";
    pub const RULE_ADDED: &str = "rule.added";
    pub const RULE_DELETED: &str = "rule.deleted";
    /// An operator's "Remember this", waiting for an admin.
    pub const RULE_PROPOSED: &str = "rule.proposed";
    pub const SCHEDULE_CHANGED: &str = "schedule.changed";
    pub const SCHEDULE_STOPPED: &str = "schedule.stopped";
    pub const USER_ADDED: &str = "user.added";
    /// A user's role, password or being disabled changed.
    pub const USER_CHANGED: &str = "user.changed";
    pub const TARGET_ADDED: &str = "notification.added";
    pub const TARGET_DELETED: &str = "notification.deleted";
    /// Someone was shown a backup repository's password.
    pub const PASSWORD_REVEALED: &str = "backup_password.revealed";
    pub const SIGN_IN: &str = "sign_in";
    pub const SIGN_OUT: &str = "sign_out";
    pub const SIGN_IN_FAILED: &str = "sign_in.failed";

    /// Every action above.
    pub const ALL: &[&str] = &[
        COMMAND,
        PLAN_CONFIRMED,
        PLAN_CANCELLED,
        TASK_CANCELLED,
        TASK_RETRIED,
        TASK_UNDONE,
        RULE_ADDED,
        RULE_DELETED,
        RULE_PROPOSED,
        SCHEDULE_CHANGED,
        SCHEDULE_STOPPED,
        USER_ADDED,
        USER_CHANGED,
        TARGET_ADDED,
        TARGET_DELETED,
        PASSWORD_REVEALED,
        SIGN_IN,
        SIGN_OUT,
        SIGN_IN_FAILED,
    ];
}

#[cfg(test)]
mod tests {
    use super::action;

    #[test]
    fn every_action_is_listed_once_and_is_a_valid_filter() {
        let mut names = action::ALL.to_vec();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), action::ALL.len(), "an action is listed twice");
        for name in action::ALL {
            assert!(!name.is_empty() && !name.ends_with('.'), "{name}");
            assert!(
                name.chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
                "{name}"
            );
        }
    }
}
