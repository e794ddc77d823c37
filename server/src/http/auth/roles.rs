//! Which role each route needs: the one table every request is checked
//! against. An API route missing from it cannot be reached by anyone,
//! admins included (its path is a 404 and its method a 405 to the gate),
//! so a new route is not open before someone decides who may use it; the
//! role test in `tests/roles.rs` then fails too.

use axum::http::Method;

use crate::people::Role;

/// What a request needs to pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// Open to anyone who reaches the server: the health checks, the
    /// sign-in page and call, the site's static files.
    Nobody,
    /// Signed in with at least this role.
    Role(Role),
    /// A method this route does not take (or has no rule for).
    NoSuchMethod,
    /// No API route has this path (or none has a rule for it): a 404 to
    /// anyone who may read the API.
    NotARoute,
}

use Needed::Role as R;
use Role::{Admin, Operator, Viewer};

/// Every API route (as the router spells it) with the role each method
/// needs.
pub const API_ROUTES: &[(&str, &[(Method, Needed)])] = &[
    ("/api/health", &[(Method::GET, Needed::Nobody)]),
    ("/api/ready", &[(Method::GET, Needed::Nobody)]),
    ("/api/login", &[(Method::POST, Needed::Nobody)]),
    ("/api/logout", &[(Method::POST, Needed::Nobody)]),
    ("/api/session", &[(Method::GET, R(Viewer))]),
    ("/api/backup-password", &[(Method::GET, R(Admin))]),
    ("/api/commands", &[(Method::POST, R(Operator))]),
    ("/api/plans/{id}", &[(Method::GET, R(Viewer))]),
    ("/api/plans/{id}/confirm", &[(Method::POST, R(Operator))]),
    ("/api/plans/{id}/cancel", &[(Method::POST, R(Operator))]),
    ("/api/plans/{id}/revise", &[(Method::POST, R(Operator))]),
    ("/api/tasks", &[(Method::GET, R(Viewer))]),
    ("/api/tasks/cancel", &[(Method::POST, R(Operator))]),
    ("/api/tasks/retry", &[(Method::POST, R(Operator))]),
    ("/api/stats", &[(Method::GET, R(Viewer))]),
    ("/api/alerts", &[(Method::GET, R(Viewer))]),
    ("/api/alerts/{id}/dismiss", &[(Method::POST, R(Operator))]),
    (
        "/api/notifications",
        &[(Method::GET, R(Admin)), (Method::POST, R(Admin))],
    ),
    ("/api/notifications/{id}", &[(Method::DELETE, R(Admin))]),
    ("/api/tasks/{id}", &[(Method::GET, R(Viewer))]),
    ("/api/tasks/{id}/events", &[(Method::GET, R(Viewer))]),
    ("/api/tasks/{id}/cancel", &[(Method::POST, R(Operator))]),
    ("/api/tasks/{id}/retry", &[(Method::POST, R(Operator))]),
    ("/api/schedules", &[(Method::GET, R(Viewer))]),
    (
        "/api/schedules/{id}",
        &[(Method::GET, R(Viewer)), (Method::PATCH, R(Operator))],
    ),
    ("/api/schedules/{id}/stop", &[(Method::POST, R(Operator))]),
    // The websocket: a viewer receives updates; it carries no actions.
    ("/api/events", &[(Method::GET, R(Viewer))]),
    ("/api/rules", &[(Method::GET, R(Admin))]),
    ("/api/rules/try", &[(Method::POST, R(Admin))]),
    ("/api/rules/remember", &[(Method::POST, R(Operator))]),
    (
        "/api/rules/proposals/{id}/accept",
        &[(Method::POST, R(Admin))],
    ),
    ("/api/rules/phrases", &[(Method::POST, R(Admin))]),
    ("/api/rules/examples", &[(Method::POST, R(Admin))]),
    ("/api/rules/locations", &[(Method::PUT, R(Admin))]),
    ("/api/rules/patterns", &[(Method::PUT, R(Admin))]),
    ("/api/rules/{kind}/{id}", &[(Method::DELETE, R(Admin))]),
    (
        "/api/users",
        &[(Method::GET, R(Admin)), (Method::POST, R(Admin))],
    ),
    ("/api/users/{id}", &[(Method::PATCH, R(Admin))]),
    ("/api/audit", &[(Method::GET, R(Admin))]),
];

/// Pages only admins open; every other page is for any signed-in role.
const ADMIN_PAGES: &[&str] = &["/rules", "/users", "/audit"];

/// The route in [`API_ROUTES`] that `path` is, as the router would match
/// it: a literal segment wins over a `{parameter}` (`/api/tasks/cancel` is
/// not task "cancel").
pub fn api_route(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    API_ROUTES
        .iter()
        .map(|(route, _)| *route)
        .filter(|route| {
            let pattern: Vec<&str> = route.split('/').collect();
            pattern.len() == segments.len()
                && pattern
                    .iter()
                    .zip(&segments)
                    .all(|(p, s)| p == s || (p.starts_with('{') && !s.is_empty()))
        })
        .max_by_key(|route| route.split('/').filter(|p| !p.starts_with('{')).count())
}

/// What a request for `path` with `method` needs. HEAD is a GET without
/// its body (axum answers it wherever GET is served): a health check's
/// HEAD /api/health is as open as its GET.
pub fn needed(method: &Method, path: &str) -> Needed {
    let method = if method == Method::HEAD {
        &Method::GET
    } else {
        method
    };
    if path.starts_with("/api/") {
        let Some(route) = api_route(path) else {
            return Needed::NotARoute;
        };
        return API_ROUTES
            .iter()
            .find(|(r, _)| *r == route)
            .and_then(|(_, methods)| methods.iter().find(|(m, _)| m == method))
            .map_or(Needed::NoSuchMethod, |(_, needed)| *needed);
    }
    if path == "/login" || path == "/logout" || path.starts_with("/pkg/") {
        return Needed::Nobody;
    }
    if ADMIN_PAGES
        .iter()
        .any(|page| path == *page || path.starts_with(&format!("{page}/")))
    {
        return R(Admin);
    }
    R(Viewer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_routes_follow_the_table() {
        let get = Method::GET;
        let post = Method::POST;
        assert_eq!(needed(&post, "/api/commands"), R(Operator));
        assert_eq!(needed(&get, "/api/commands"), Needed::NoSuchMethod);
        assert_eq!(needed(&get, "/api/nothing-here"), Needed::NotARoute);
        assert_eq!(needed(&get, "/api/health"), Needed::Nobody);
        assert_eq!(needed(&Method::HEAD, "/api/health"), Needed::Nobody);
        assert_eq!(needed(&Method::HEAD, "/api/tasks"), R(Viewer));
        assert_eq!(needed(&Method::HEAD, "/api/commands"), Needed::NoSuchMethod);
        assert_eq!(needed(&get, "/api/tasks/12"), R(Viewer));
        assert_eq!(needed(&post, "/api/tasks/cancel"), R(Operator));
        assert_eq!(needed(&post, "/api/tasks/12/retry"), R(Operator));
        assert_eq!(needed(&Method::DELETE, "/api/rules/phrases/3"), R(Admin));
        assert_eq!(api_route("/api/tasks/cancel"), Some("/api/tasks/cancel"));
        assert_eq!(api_route("/api/tasks/7"), Some("/api/tasks/{id}"));
        assert_eq!(api_route("/api/tasks//cancel"), None);
    }

    #[test]
    fn admin_pages_need_an_admin_and_the_rest_any_role() {
        let get = Method::GET;
        assert_eq!(needed(&get, "/rules"), R(Admin));
        assert_eq!(needed(&get, "/users"), R(Admin));
        assert_eq!(needed(&get, "/audit"), R(Admin));
        assert_eq!(needed(&get, "/rulesx"), R(Viewer));
        assert_eq!(needed(&get, "/"), R(Viewer));
        assert_eq!(needed(&get, "/tasks/3"), R(Viewer));
        assert_eq!(needed(&get, "/login"), Needed::Nobody);
        assert_eq!(needed(&get, "/pkg/tend.js"), Needed::Nobody);
    }

    #[test]
    fn every_route_is_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for (route, methods) in API_ROUTES {
            assert!(seen.insert(route), "{route} is listed twice");
            assert!(!methods.is_empty(), "{route} has no methods");
        }
    }
}
