use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{delete, get, patch, post, put};
use axum::Router;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;

use super::auth;
use super::extract::json_errors;
use super::handlers::{
    admin, alerts, commands, events, health, people, plans, rules, schedules, tasks,
};
use super::host_guard::{self, AllowedHosts};
use super::idempotency;
use super::AppState;
use app::{shell, App};

/// Largest request body accepted anywhere in the API.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The whole HTTP surface in one place.
pub fn router(state: AppState) -> Router {
    let idempotent = middleware::from_fn_with_state(state.clone(), idempotency::idempotent);
    let api = Router::new()
        .route("/health", get(health::health))
        .route("/ready", get(health::ready))
        .route("/login", post(auth::api_login))
        .route("/logout", post(auth::api_logout))
        .route("/session", get(admin::session))
        .route("/backup-password", get(admin::backup_password))
        .route(
            "/commands",
            post(commands::submit).layer(idempotent.clone()),
        )
        .route("/plans/{id}", get(plans::show))
        .route(
            "/plans/{id}/confirm",
            post(plans::confirm).layer(idempotent),
        )
        .route("/plans/{id}/cancel", post(plans::cancel))
        .route("/plans/{id}/revise", post(plans::revise))
        .route("/tasks", get(tasks::list))
        .route("/tasks/cancel", post(tasks::cancel_many))
        .route("/tasks/retry", post(tasks::retry_many))
        .route("/stats", get(tasks::stats))
        .route("/alerts", get(alerts::list))
        .route("/alerts/{id}/dismiss", post(alerts::dismiss))
        .route(
            "/notifications",
            get(alerts::targets).post(alerts::add_target),
        )
        .route("/notifications/{id}", delete(alerts::delete_target))
        .route("/tasks/{id}", get(tasks::show))
        .route("/tasks/{id}/events", get(tasks::events))
        .route("/tasks/{id}/cancel", post(tasks::cancel))
        .route("/tasks/{id}/retry", post(tasks::retry))
        .route("/schedules", get(schedules::list))
        .route(
            "/schedules/{id}",
            get(schedules::show).patch(schedules::reschedule),
        )
        .route("/schedules/{id}/stop", post(schedules::stop))
        .route("/events", get(events::subscribe))
        .route("/rules", get(rules::list))
        .route("/rules/try", post(rules::try_sentence))
        .route("/rules/remember", post(rules::remember))
        .route("/rules/proposals/{id}/accept", post(rules::accept_proposal))
        .route("/rules/phrases", post(rules::add_phrase))
        .route("/rules/examples", post(rules::add_example))
        .route("/rules/locations", put(rules::put_location))
        .route("/rules/patterns", put(rules::put_pattern))
        .route("/rules/{kind}/{id}", delete(rules::delete))
        .route("/users", get(people::list).post(people::add))
        .route("/users/{id}", patch(people::change))
        .route("/audit", get(people::audit))
        .fallback(health::api_not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(json_errors));

    let site_pkg = state.config.site_dir().join("pkg");
    let leptos_options = state.leptos.clone();
    let routes = generate_route_list(App);

    let gate = middleware::from_fn_with_state(state.clone(), auth::require);
    // Outside the gate: another site's request is refused whoever signed in.
    let front_door = middleware::from_fn_with_state(
        AllowedHosts::new(&state.config.public_names),
        host_guard::guard,
    );
    Router::new()
        .route("/login", get(auth::login_page).post(auth::sign_in))
        .route("/logout", post(auth::sign_out))
        .route("/metrics", get(health::metrics))
        .nest("/api", api)
        .nest_service("/pkg", ServeDir::new(site_pkg).precompressed_gzip())
        .leptos_routes(&state, routes, move || shell(leptos_options.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        .layer(gate)
        .layer(front_door)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            health::count_requests,
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
