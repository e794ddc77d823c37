//! What the browser asks about its session and the admin's secrets.

use serde::{Deserialize, Serialize};

/// `GET /api/session`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionView {
    /// Whether this server asks people to sign in (it has an admin token
    /// or users).
    pub sign_in: bool,
    /// Who is signed in: a user's name, "admin token", or "local" where
    /// nobody signs in.
    #[serde(default)]
    pub user: String,
    /// Their role: "admin", "operator" or "viewer". The app hides what the
    /// role cannot do; the server refuses it anyway.
    #[serde(default)]
    pub role: String,
    /// The directories commands may touch, as they stand now.
    #[serde(default)]
    pub allowed_roots: Vec<AllowedRootView>,
}

/// One allowed root, for the console's welcome.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AllowedRootView {
    pub path: String,
    /// False while it is missing (a disk not mounted): commands on it are
    /// refused until it is there.
    pub present: bool,
}

/// `GET /api/backup-password`: what restores a backup without Tend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BackupPasswordView {
    /// `None` until the first repository is made (the password is
    /// generated then).
    pub password: Option<String>,
    /// The file that holds it on the server.
    pub file: String,
    /// What to do with it, for a person.
    pub advice: String,
}
