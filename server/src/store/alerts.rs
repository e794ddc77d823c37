//! Where alerts and their targets are kept: part of the one
//! [`super::Store`].

use async_trait::async_trait;

use app::api::{AlertView, NewTarget, TargetView};

use super::StoreError;

/// An alert to raise.
#[derive(Debug, Clone)]
pub struct NewAlert {
    /// What makes two raisings the same alert ("task_failed:12",
    /// "schedule_missed:3:<last success>"): the second is a no-op, on
    /// whichever node it happens.
    pub key: String,
    pub event: &'static str,
    pub task_id: Option<i64>,
    pub schedule_id: Option<i64>,
    pub message: String,
}

/// A target as stored, token included, for sending.
#[derive(Debug, Clone)]
pub struct StoredTarget {
    pub view: TargetView,
    pub token: Option<String>,
}

#[async_trait]
pub trait AlertStore: Send + Sync {
    /// Records the alert unless one with its key exists; the new alert, or
    /// `None` when it had been raised already.
    async fn raise_alert(&self, alert: NewAlert, now: i64)
        -> Result<Option<AlertView>, StoreError>;
    /// Newest first; dismissed ones too when `dismissed` is set.
    async fn list_alerts(&self, dismissed: bool, limit: i64) -> Result<Vec<AlertView>, StoreError>;
    async fn dismiss_alert(&self, id: i64, now: i64) -> Result<AlertView, StoreError>;
    async fn get_alert(&self, id: i64) -> Result<AlertView, StoreError>;
    async fn list_targets(&self) -> Result<Vec<StoredTarget>, StoreError>;
    async fn add_target(&self, target: &NewTarget, now: i64) -> Result<TargetView, StoreError>;
    async fn delete_target(&self, id: i64) -> Result<(), StoreError>;
}
