//! Users and the audit log on the wire: `/api/users`, `/api/audit`.

use serde::{Deserialize, Serialize};

/// The roles, lowest first, as the API spells them.
pub const ROLE_NAMES: [&str; 3] = ["viewer", "operator", "admin"];

/// A user as the admin page shows it (never a password hash).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    /// "admin", "operator" or "viewer".
    pub role: String,
    pub disabled: bool,
    pub created_at: i64,
    /// A password Tend made up (a new user without one, or a reset): shown
    /// this once, never stored in the clear.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `POST /api/users`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewUser {
    pub name: String,
    pub role: String,
    /// Chosen by the admin (12+ characters); without it one is made up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `PATCH /api/users/{id}`: what to change; what is left out stays.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UserChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Make up a new password and show it once.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reset_password: bool,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntryView {
    pub id: i64,
    /// Unix ms.
    pub at: i64,
    /// A user's name, "admin token", "local" or "command line".
    pub user: Option<String>,
    /// The client's IP address.
    pub address: Option<String>,
    /// "command", "plan.confirmed", "sign_in.failed", ...
    pub action: String,
    pub detail: String,
}

/// `GET /api/audit`'s filters; `before` is the last id of the page before.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// An action, or its first part ending in '.' ("task.").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}
