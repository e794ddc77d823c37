//! Signing in: with `admin_token` set, every request but the health check,
//! the site's static files and the sign-in page itself must show the token,
//! as `Authorization: Bearer <token>` (scripts) or as the session cookie a
//! browser gets from `/login`. Without a token Tend listens on loopback
//! only (see `Config::validate`) and nothing here applies.

mod throttle;

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{
    AUTHORIZATION, COOKIE, LOCATION, RETRY_AFTER, SET_COOKIE, WWW_AUTHENTICATE,
};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use super::ApiError;
use throttle::Throttle;

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "tend_session";

/// Who may pass. Secrets are compared as BLAKE3 hashes, whose equality is
/// constant-time, so a wrong guess's timing says nothing about the token.
#[derive(Clone)]
pub struct Access(Option<Arc<Secrets>>);

struct Secrets {
    token: blake3::Hash,
    /// The cookie's value: derived from the token, so changing the token
    /// signs every browser out, and the cookie never holds the token itself.
    session: String,
    /// `session` hashed once, for the constant-time comparison.
    session_hash: blake3::Hash,
    /// Wrong tokens per address. Only tokens are counted: a session cookie
    /// is a 256-bit value nobody guesses, and a stale one (the token was
    /// changed) must not lock its browser out.
    throttle: Throttle,
}

/// What the gate makes of a request's credentials.
#[derive(Debug, PartialEq)]
enum Verdict {
    Pass,
    Refused,
    /// Too many wrong tokens from this address lately; wait this long.
    HeldOff(Duration),
}

impl Access {
    pub fn new(token: Option<&str>) -> Access {
        // Surrounding whitespace is never part of a token (a value read
        // from a file often ends in a newline); offered tokens are trimmed too.
        Access(token.map(str::trim).map(|token| {
            let key = blake3::derive_key("tend 2026-11 browser session", token.as_bytes());
            let session = blake3::keyed_hash(&key, b"admin").to_hex().to_string();
            Arc::new(Secrets {
                token: blake3::hash(token.as_bytes()),
                session_hash: blake3::hash(session.as_bytes()),
                session,
                throttle: Throttle::default(),
            })
        }))
    }

    /// Whether the request from `who` carries a valid session or the token.
    fn check(&self, headers: &HeaderMap, who: IpAddr, now: Instant) -> Verdict {
        let Some(secrets) = &self.0 else {
            return Verdict::Pass;
        };
        if cookies(headers)
            .filter(|(name, _)| *name == COOKIE_NAME)
            .any(|(_, value)| blake3::hash(value.as_bytes()) == secrets.session_hash)
        {
            return Verdict::Pass;
        }
        match headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
        {
            Some(token) => self.try_token(token, who, now),
            None => Verdict::Refused,
        }
    }

    /// One offered token, counted against its address.
    fn try_token(&self, offered: &str, who: IpAddr, now: Instant) -> Verdict {
        let Some(secrets) = &self.0 else {
            return Verdict::Pass;
        };
        if let Some(wait) = secrets.throttle.wait(who, now) {
            return Verdict::HeldOff(wait);
        }
        if blake3::hash(offered.trim().as_bytes()) == secrets.token {
            secrets.throttle.succeeded(who);
            Verdict::Pass
        } else {
            secrets.throttle.failed(who, now);
            Verdict::Refused
        }
    }

    fn session_cookie(&self) -> Option<String> {
        let secrets = self.0.as_ref()?;
        Some(format!(
            "{COOKIE_NAME}={}; Path=/; HttpOnly; SameSite=Strict",
            secrets.session
        ))
    }
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// Paths open without signing in.
fn is_open(path: &str) -> bool {
    path == "/api/health" || path == "/api/ready" || path == "/login" || path.starts_with("/pkg/")
}

/// The address a request came from, as the listener saw it. Behind a
/// reverse proxy that is the proxy: its clients then share one count of
/// wrong tokens. Requests with no connection info (none in production)
/// count as one unknown address.
pub struct ClientIp(IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip()),
        ))
    }
}

/// Whole seconds to wait, rounded up so a client never comes back early.
fn retry_after_secs(wait: Duration) -> u64 {
    wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
}

/// The gate in front of every route. API calls without access get a 401 in
/// the API's JSON error form; pages redirect to the sign-in page.
pub async fn require(
    State(access): State<Access>,
    ClientIp(who): ClientIp,
    request: Request,
    next: Next,
) -> Response {
    if is_open(request.uri().path()) {
        return next.run(request).await;
    }
    match access.check(request.headers(), who, Instant::now()) {
        Verdict::Pass => return next.run(request).await,
        Verdict::HeldOff(wait) => {
            return ApiError::TooManyAttempts {
                retry_after_secs: retry_after_secs(wait),
            }
            .into_response()
        }
        Verdict::Refused => {}
    }
    if request.uri().path().starts_with("/api/") {
        let mut response = ApiError::Unauthorized(
            "Sign in first: send the admin token as \"Authorization: Bearer <token>\", or sign in at /login.".into(),
        )
        .into_response();
        response
            .headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    redirect("/login", None)
}

fn redirect(to: &'static str, cookie: Option<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    response
        .headers_mut()
        .insert(LOCATION, HeaderValue::from_static(to));
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

#[derive(Deserialize)]
pub struct SignIn {
    token: String,
}

/// The sign-in form; without an admin token there is nothing to sign in
/// to, and the console is one redirect away.
pub async fn login_page(State(access): State<Access>) -> Response {
    if access.0.is_none() {
        return redirect("/", None);
    }
    Html(page(None)).into_response()
}

pub async fn sign_in(
    State(access): State<Access>,
    ClientIp(who): ClientIp,
    Form(form): Form<SignIn>,
) -> Response {
    if access.0.is_none() {
        return redirect("/", None);
    }
    match access.try_token(&form.token, who, Instant::now()) {
        Verdict::Pass => redirect("/", access.session_cookie()),
        Verdict::Refused => {
            let message = "That is not the admin token. It is the admin_token setting (or TEND_ADMIN_TOKEN) of this server.";
            (StatusCode::UNAUTHORIZED, Html(page(Some(message)))).into_response()
        }
        Verdict::HeldOff(wait) => {
            let secs = retry_after_secs(wait);
            // The API's wording, on the sign-in page.
            let message = ApiError::TooManyAttempts {
                retry_after_secs: secs,
            }
            .to_string();
            let mut response =
                (StatusCode::TOO_MANY_REQUESTS, Html(page(Some(&message)))).into_response();
            response
                .headers_mut()
                .insert(RETRY_AFTER, HeaderValue::from(secs));
            response
        }
    }
}

/// Forgets the browser's session.
pub async fn sign_out() -> Response {
    redirect(
        "/login",
        Some(format!(
            "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"
        )),
    )
}

/// The sign-in page: plain HTML, so it works before (and without) the app.
fn page(error: Option<&str>) -> String {
    let error = error
        .map(|e| format!(r#"<p class="login-error" role="alert">{e}</p>"#))
        .unwrap_or_default();
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Tend</title>
<link rel="stylesheet" href="/pkg/tend.css">
</head>
<body>
<main class="login">
<h1>Tend</h1>
<form method="post" action="/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
{error}
</main>
</body>
</html>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        h
    }

    const HERE: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    impl Access {
        fn allows(&self, headers: &HeaderMap) -> bool {
            self.check(headers, HERE, Instant::now()) == Verdict::Pass
        }
    }

    #[test]
    fn the_token_or_its_session_cookie_let_a_request_pass() {
        let access = Access::new(Some("a-long-enough-secret"));
        assert!(!access.allows(&headers(&[])));
        assert!(access.allows(&headers(&[(
            "authorization",
            "Bearer a-long-enough-secret"
        )])));
        assert!(!access.allows(&headers(&[(
            "authorization",
            "Bearer a-long-enough-secreT"
        )])));
        let cookie = access.session_cookie().unwrap();
        let value = cookie.split(';').next().unwrap();
        assert!(
            !value.contains("a-long-enough-secret"),
            "the cookie never holds the token"
        );
        assert!(access.allows(&headers(&[("cookie", &format!("theme=dark; {value}"))])));
        assert!(!access.allows(&headers(&[("cookie", "tend_session=0000")])));
        // The configured token's surrounding whitespace does not count.
        let padded = Access::new(Some("a-long-enough-secret\n"));
        assert!(padded.allows(&headers(&[(
            "authorization",
            "Bearer a-long-enough-secret"
        )])));
        // Another token: the old session no longer counts.
        let other = Access::new(Some("another-long-secret"));
        assert!(!other.allows(&headers(&[("cookie", value)])));
        // Without a token everything passes (loopback only).
        assert!(Access::new(None).allows(&headers(&[])));
    }

    #[test]
    fn wrong_tokens_hold_an_address_off_even_from_the_right_one_but_not_a_signed_in_browser() {
        let access = Access::new(Some("a-long-enough-secret"));
        let now = Instant::now();
        let bearer = |token: &str| headers(&[("authorization", &format!("Bearer {token}"))]);
        for _ in 0..throttle::LIMIT {
            assert_eq!(access.check(&bearer("guess"), HERE, now), Verdict::Refused);
        }
        assert!(matches!(
            access.check(&bearer("a-long-enough-secret"), HERE, now),
            Verdict::HeldOff(wait) if wait <= throttle::WINDOW
        ));
        assert!(matches!(
            access.try_token("a-long-enough-secret", HERE, now),
            Verdict::HeldOff(_)
        ));
        let elsewhere = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
        assert_eq!(
            access.check(&bearer("a-long-enough-secret"), elsewhere, now),
            Verdict::Pass
        );
        // A browser already signed in is not a guesser.
        let cookie = access.session_cookie().unwrap();
        let value = cookie.split(';').next().unwrap().to_string();
        assert_eq!(
            access.check(&headers(&[("cookie", &value)]), HERE, now),
            Verdict::Pass
        );
        // Once the window has passed the right token works again.
        let later = now + throttle::WINDOW;
        assert_eq!(
            access.check(&bearer("a-long-enough-secret"), HERE, later),
            Verdict::Pass
        );
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(59_001)), 60);
        assert_eq!(retry_after_secs(Duration::from_secs(5)), 5);
    }
}
