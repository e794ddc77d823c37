use serde::{Deserialize, Serialize};
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Intent {
    Backup,
    Restore,
    Sync,
    Cleanup,
    Status,
    Cancel,
    OutOfScope,
}
impl Intent {
    pub fn as_str(self) -> &'static str {
        match self {
            Intent::Backup => "backup",
            Intent::Restore => "restore",
            Intent::Sync => "sync",
            Intent::Cleanup => "cleanup",
            Intent::Status => "status",
            Intent::Cancel => "cancel",
            Intent::OutOfScope => "out_of_scope",
        }
    }
}
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Slots {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub destination: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub older_than_days: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub patterns: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub min_size_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub delete_extraneous: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dry_run: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub task_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub keep_last: Option<u32>,
}
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Understanding {
    pub text: String,
    pub intent: Intent,
    pub confidence: f32,
    pub slots: Slots,
}
