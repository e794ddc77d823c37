use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use tokio::sync::watch;

use super::auth::Access;
use crate::config::Config;
use crate::hub::EventHub;
use crate::plan::Planner;
use crate::queue::Workers;
use crate::rules::RuleService;
use crate::schedule::Scheduler;
use crate::store::Store;

/// Everything a handler may need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    /// Who may pass the sign-in gate (everyone without an admin token).
    pub access: Access,
    pub store: Arc<dyn Store>,
    pub hub: EventHub,
    pub workers: Arc<Workers>,
    /// Fires repeating plans; woken when one is confirmed.
    pub scheduler: Arc<Scheduler>,
    pub planner: Arc<Planner>,
    /// Admins' routing rules; changes apply to the next command.
    pub rules: Arc<RuleService>,
    pub leptos: LeptosOptions,
    /// Raises, shows and sends alerts.
    pub alerts: Arc<crate::alerts::Alerts>,
    /// What `/metrics` reports.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Turns true when the server is stopping; long-lived websockets end then.
    pub shutdown: watch::Receiver<bool>,
}

impl FromRef<AppState> for Access {
    fn from_ref(state: &AppState) -> Self {
        state.access.clone()
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
