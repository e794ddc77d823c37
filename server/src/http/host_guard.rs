//! The front door against other sites. A web page elsewhere can make the
//! browser of someone running Tend send it requests, two ways:
//!
//! - DNS rebinding: the page's own name is made to resolve to 127.0.0.1, so
//!   the browser takes Tend for the page's own site and lets the page read
//!   the answers. The request's `Host` then carries the page's name, so only
//!   names Tend answers to are let in.
//! - Cross-site requests: a form post or a websocket opened by the page. The
//!   browser says where they come from (`Origin`), so a request that changes
//!   something, or opens the event stream, must come from Tend's own pages.
//!
//! Syncthing and Jupyter close both the same way. This runs before the
//! sign-in gate, with or without an admin token: a session cookie is sent
//! with a rebound page's requests too, since to the browser they are
//! same-site.

use std::net::IpAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{HOST, ORIGIN, UPGRADE};
use axum::http::uri::Authority;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::ApiError;

/// The names Tend answers to, besides loopback names and IP addresses.
#[derive(Clone)]
pub struct AllowedHosts {
    /// `public_names`, lower case without a trailing dot (see `Config`).
    public_names: Arc<[String]>,
}

impl AllowedHosts {
    pub fn new(public_names: &[String]) -> AllowedHosts {
        AllowedHosts {
            public_names: public_names.into(),
        }
    }

    /// Whether `host` (as [`host_name`] gives it) names this server.
    ///
    /// Any literal IP address is admitted, not only loopback or the bind
    /// address: rebinding needs a *name* the attacker controls, and a page
    /// whose origin is one of our addresses was served by us. A server bound
    /// to 0.0.0.0 or :: cannot list its addresses reliably (interfaces come
    /// and go), and Syncthing makes the same choice.
    fn admits(&self, host: &str) -> bool {
        host == "localhost"
            || host.ends_with(".localhost")
            || host.parse::<IpAddr>().is_ok()
            || self.public_names.iter().any(|name| name == host)
    }

    fn refuse_host(&self, host: &str) -> ApiError {
        let mut names = "localhost, 127.0.0.1 and other IP addresses".to_string();
        for name in self.public_names.iter() {
            names.push_str(", ");
            names.push_str(name);
        }
        ApiError::Forbidden {
            code: "forbidden_host",
            message: format!(
                "Tend does not answer to the name {host:?}: a page on another site may be trying to reach it through your browser. It answers to {names}; an admin can add the names it is reached by to public_names (TEND_PUBLIC_NAMES)."
            ),
        }
    }
}

/// The middleware: refuses a request for a name Tend does not answer to,
/// and a state-changing request or websocket handshake from another site.
pub async fn guard(State(allowed): State<AllowedHosts>, request: Request, next: Next) -> Response {
    match vet(&allowed, &request) {
        Ok(()) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

fn vet(allowed: &AllowedHosts, request: &Request) -> Result<(), ApiError> {
    let authority = asked_authority(request);
    // An HTTP/1.0 request may name no host; no browser sends one like it.
    if let Some(authority) = authority {
        match host_name(authority) {
            Some(host) if allowed.admits(&host) => {}
            _ => return Err(allowed.refuse_host(authority)),
        }
    }
    if needs_own_origin(request) {
        vet_origin(request.headers(), authority)?;
    }
    Ok(())
}

/// The `host[:port]` the client asked for: the `Host` header, or in HTTP/2
/// the request target's authority.
fn asked_authority(request: &Request) -> Option<&str> {
    match request.headers().get(HOST) {
        // Bytes that are not text name no host; "" is refused.
        Some(value) => Some(value.to_str().unwrap_or_default()),
        None => request.uri().authority().map(Authority::as_str),
    }
}

/// The host in a `host[:port]`, in the form `public_names` are kept in:
/// lower case, an IPv6 address without its brackets, a fully qualified
/// name without its final dot. `None` for anything that is not one.
fn host_name(authority: &str) -> Option<String> {
    if authority.contains('@') {
        return None;
    }
    let parsed: Authority = authority.parse().ok()?;
    let host = parsed.host();
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    Some(host.trim_end_matches('.').to_ascii_lowercase()).filter(|h| !h.is_empty())
}

/// Requests a page on another site must not make: any that can change
/// something, and websocket handshakes, which browsers let any page open
/// (no CORS) and which would hand it the event stream.
fn needs_own_origin(request: &Request) -> bool {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    !safe || is_websocket_handshake(request.headers())
}

fn is_websocket_handshake(headers: &HeaderMap) -> bool {
    headers
        .get(UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|protocol| protocol.trim().eq_ignore_ascii_case("websocket"))
        })
}

/// Lets through a request without `Origin` (scripts, curl: the sign-in gate
/// still applies) or from Tend's own pages: an origin whose `host:port` is
/// the one asked for. `Origin: null` (sandboxed frames, some redirects) is
/// never our own page.
fn vet_origin(headers: &HeaderMap, authority: Option<&str>) -> Result<(), ApiError> {
    let Some(origin) = headers.get(ORIGIN) else {
        return Ok(());
    };
    let origin = origin.to_str().unwrap_or("null");
    let own = origin_authority(origin)
        .zip(authority)
        .is_some_and(|(from, asked)| from.eq_ignore_ascii_case(asked));
    if own {
        return Ok(());
    }
    Err(ApiError::Forbidden {
        code: "forbidden_origin",
        message: format!(
            "This request came from a page at {origin:?}, and only Tend's own pages may change things or open its event stream. Scripts can leave out the Origin header."
        ),
    })
}

/// `host[:port]` of an `http` or `https` origin; `None` for `null` and
/// anything else.
fn origin_authority(origin: &str) -> Option<&str> {
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .filter(|rest| !rest.is_empty() && !rest.contains('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admitted(allowed: &AllowedHosts, authority: &str) -> bool {
        host_name(authority).is_some_and(|host| allowed.admits(&host))
    }

    #[test]
    fn loopback_names_and_ip_addresses_are_admitted_other_names_are_not() {
        let allowed = AllowedHosts::new(&[]);
        for ok in [
            "localhost",
            "localhost:3000",
            "LocalHost.:3000",
            "app.localhost:3000",
            "127.0.0.1:3000",
            "127.8.9.10",
            "[::1]:3000",
            "[::1]",
            // A server bound to a LAN address (or 0.0.0.0) reached by it.
            "192.168.1.5:3000",
            "[fe80::1]:3000",
        ] {
            assert!(admitted(&allowed, ok), "{ok}");
        }
        for refused in [
            "evil.example:3000",
            "localhost.evil.example",
            "127.0.0.1.evil.example:3000",
            "evil.example@127.0.0.1:3000",
            "",
            "[::1",
        ] {
            assert!(!admitted(&allowed, refused), "{refused}");
        }
    }

    #[test]
    fn public_names_are_admitted_in_any_case_and_with_any_port() {
        let allowed = AllowedHosts::new(&["tend.example.org".to_string()]);
        assert!(admitted(&allowed, "tend.example.org"));
        assert!(admitted(&allowed, "Tend.Example.Org.:8443"));
        assert!(!admitted(&allowed, "other.example.org"));
        assert!(!admitted(&allowed, "tend.example.org.evil.example"));
    }

    #[test]
    fn the_refusal_names_what_is_admitted() {
        let allowed = AllowedHosts::new(&["tend.example.org".to_string()]);
        let message = allowed.refuse_host("evil.example:3000").to_string();
        for part in [
            "\"evil.example:3000\"",
            "localhost",
            "tend.example.org",
            "public_names",
        ] {
            assert!(message.contains(part), "{part}: {message}");
        }
    }

    fn with_origin(origin: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(origin) = origin {
            headers.insert(ORIGIN, origin.parse().unwrap());
        }
        headers
    }

    #[test]
    fn only_our_own_origin_or_none_passes() {
        let asked = Some("127.0.0.1:3000");
        for ok in [
            None,
            Some("http://127.0.0.1:3000"),
            Some("https://127.0.0.1:3000"),
        ] {
            assert!(vet_origin(&with_origin(ok), asked).is_ok(), "{ok:?}");
        }
        for refused in [
            "http://evil.example:3000",
            "http://127.0.0.1:3001",
            "http://localhost:3000",
            "null",
            "file://",
            "http://127.0.0.1:3000/path",
        ] {
            assert!(
                vet_origin(&with_origin(Some(refused)), asked).is_err(),
                "{refused}"
            );
        }
        assert!(
            vet_origin(&with_origin(Some("http://127.0.0.1:3000")), None).is_err(),
            "an origin cannot be our own when no host was asked for"
        );
    }

    #[test]
    fn websocket_handshakes_and_writes_need_our_origin_reads_do_not() {
        let request = |method: Method, upgrade: Option<&str>| {
            let mut builder = Request::builder().method(method).uri("/api/events");
            if let Some(upgrade) = upgrade {
                builder = builder.header(UPGRADE, upgrade);
            }
            builder.body(axum::body::Body::empty()).unwrap()
        };
        assert!(!needs_own_origin(&request(Method::GET, None)));
        assert!(!needs_own_origin(&request(Method::HEAD, None)));
        assert!(!needs_own_origin(&request(Method::OPTIONS, None)));
        assert!(needs_own_origin(&request(Method::GET, Some("WebSocket"))));
        for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(needs_own_origin(&request(method.clone(), None)), "{method}");
        }
    }
}
