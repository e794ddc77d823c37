//! Recording what people do in the audit log. A failed write is logged
//! and does not undo the action: the action already happened, and saying
//! it failed would be untrue.

use std::net::IpAddr;

use super::auth::Caller;
use super::AppState;
use crate::store::NewAuditEntry;

/// Records that `caller` did `action` (one of
/// [`crate::people::audit::action`]).
pub async fn record(state: &AppState, caller: &Caller, action: &'static str, detail: String) {
    // "admin token" and "local" cannot be user names (no spaces, see
    // `people::check_name`), so the label is never mistaken for a user.
    record_as(state, Some(caller.label()), caller.address, action, detail).await;
}

/// Records `action` by `user` (as named, even when no such user exists: a
/// failed sign-in) from `address`.
pub async fn record_as(
    state: &AppState,
    user: Option<String>,
    address: IpAddr,
    action: &'static str,
    detail: String,
) {
    let entry = NewAuditEntry {
        at: crate::now_ms(),
        user,
        address: Some(address.to_string()),
        action,
        detail,
    };
    if let Err(e) = state.store.append_audit(entry.clone()).await {
        tracing::error!(error = %e, action = entry.action, detail = %entry.detail, "could not write the audit log");
    }
}
