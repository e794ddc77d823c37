//! Users, their sign-in sessions and the audit log: part of the one
//! [`super::Store`]. Passwords arrive hashed ([`crate::people::password`])
//! and session tokens as hashes of the token the browser holds, so the
//! database never holds a secret that signs anyone in.

use async_trait::async_trait;

use super::StoreError;
use crate::people::Role;

/// A user as stored; the password hash stays out of it so that a user can
/// be logged or sent over the API as it is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    pub id: i64,
    /// As typed when the user was added; unique in any case.
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: i64,
}

/// One thing someone did, to record ([`PeopleStore::append_audit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub at: i64,
    /// Who: a user's name; `None` for a script with the admin token, or a
    /// sign-in that named nobody.
    pub user: Option<String>,
    /// From where: the client's IP address.
    pub address: Option<String>,
    /// One of [`crate::people::audit::action`].
    pub action: &'static str,
    /// What, in words: the command, the task's number, the rule.
    pub detail: String,
}

/// One recorded entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub id: i64,
    pub at: i64,
    pub user: Option<String>,
    pub address: Option<String>,
    pub action: String,
    pub detail: String,
}

/// Which entries [`PeopleStore::list_audit`] returns, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub limit: i64,
    /// Ids below this: the page after one that ended there.
    pub before: Option<i64>,
    /// By this user, any case.
    pub user: Option<String>,
    /// This action exactly, or, ending in '.', every action it begins
    /// ("task." for everything done to tasks).
    pub action: Option<String>,
    /// At or after this (Unix ms).
    pub since: Option<i64>,
    /// Before this (Unix ms).
    pub until: Option<i64>,
}

/// All times are Unix ms. Names are compared in any case; they arrive
/// checked ([`crate::people::check_name`]).
#[async_trait]
pub trait PeopleStore: Send + Sync {
    /// Refuses a name taken in any case ([`StoreError::UserExists`]).
    async fn add_user(
        &self,
        name: &str,
        role: Role,
        password_hash: &str,
        now: i64,
    ) -> Result<User, StoreError>;
    /// Disabled users included: whether anyone was ever added (the first
    /// run's setup).
    async fn count_users(&self) -> Result<i64, StoreError>;
    /// Every user, by name.
    async fn list_users(&self) -> Result<Vec<User>, StoreError>;
    /// The user named `name` in any case, with their password hash, for
    /// signing in.
    async fn user_by_name(&self, name: &str) -> Result<Option<(User, String)>, StoreError>;
    /// [`StoreError::UserNotFound`] when there is none.
    async fn get_user(&self, id: i64) -> Result<User, StoreError>;
    async fn set_role(&self, id: i64, role: Role) -> Result<User, StoreError>;
    /// Changes the password and ends the user's other sessions (a stolen
    /// session dies with the old password), keeping `keep_session`, the
    /// hash of the session that made the change, if any.
    async fn set_password(
        &self,
        id: i64,
        password_hash: &str,
        now: i64,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError>;
    /// Disabling also ends every session of the user; a disabled user can
    /// no longer sign in.
    async fn set_disabled(&self, id: i64, disabled: bool, now: i64) -> Result<User, StoreError>;

    /// A session for `user_id` until `expires_at`, known by the hash of
    /// its token.
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError>;
    /// Who the session with this hash signs in: `None` if there is no such
    /// session, it has expired, or its user is disabled. Marks the session
    /// seen (at most once a minute, to spare the database a write per
    /// request).
    async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<User>, StoreError>;
    /// Signing out; nothing to do for a session already gone.
    async fn end_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Ends every session of the user but `except`; how many ended.
    async fn end_sessions_of(&self, user_id: i64, except: Option<&str>) -> Result<u64, StoreError>;
    /// Forgets sessions expired by `now`; how many.
    async fn prune_sessions(&self, now: i64) -> Result<u64, StoreError>;

    /// Records an entry; its id. Entries never change once written (the
    /// database refuses).
    async fn append_audit(&self, entry: NewAuditEntry) -> Result<i64, StoreError>;
    /// Entries matching `filter`, newest first.
    async fn list_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError>;
    /// Retention: forgets entries made before `older_than`; how many.
    async fn prune_audit(&self, older_than: i64) -> Result<u64, StoreError>;
}
