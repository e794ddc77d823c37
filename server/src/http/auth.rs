//! Signing in: with `admin_token` set, every request but the health check,
//! the site's static files and the sign-in page itself must show the token,
//! as `Authorization: Bearer <token>` (scripts) or as the session cookie a
//! browser gets from `/login`. Without a token Tend listens on loopback
//! only (see `Config::validate`) and nothing here applies.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;

use super::ApiError;

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
}

impl Access {
    pub fn new(token: Option<&str>) -> Access {
        // Surrounding whitespace is never part of a token (a value read
        // from a file often ends in a newline); offered tokens are trimmed too.
        Access(token.map(str::trim).map(|token| {
            let key = blake3::derive_key("tend 2026-11 browser session", token.as_bytes());
            Arc::new(Secrets {
                token: blake3::hash(token.as_bytes()),
                session: blake3::keyed_hash(&key, b"admin").to_hex().to_string(),
            })
        }))
    }

    /// Whether the request carries the token or a valid session.
    fn allows(&self, headers: &HeaderMap) -> bool {
        let Some(secrets) = &self.0 else {
            return true;
        };
        let bearer = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if bearer.is_some_and(|t| blake3::hash(t.trim().as_bytes()) == secrets.token) {
            return true;
        }
        let session = blake3::hash(secrets.session.as_bytes());
        cookies(headers)
            .filter(|(name, _)| *name == COOKIE_NAME)
            .any(|(_, value)| blake3::hash(value.as_bytes()) == session)
    }

    fn token_matches(&self, offered: &str) -> bool {
        self.0
            .as_ref()
            .is_some_and(|s| blake3::hash(offered.trim().as_bytes()) == s.token)
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
    path == "/api/health" || path == "/login" || path.starts_with("/pkg/")
}

/// The gate in front of every route. API calls without access get a 401 in
/// the API's JSON error form; pages redirect to the sign-in page.
pub async fn require(State(access): State<Access>, request: Request, next: Next) -> Response {
    if is_open(request.uri().path()) || access.allows(request.headers()) {
        return next.run(request).await;
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

pub async fn sign_in(State(access): State<Access>, Form(form): Form<SignIn>) -> Response {
    if access.0.is_none() {
        return redirect("/", None);
    }
    if !access.token_matches(&form.token) {
        let message = "That is not the admin token. It is the admin_token setting (or TEND_ADMIN_TOKEN) of this server.";
        return (StatusCode::UNAUTHORIZED, Html(page(Some(message)))).into_response();
    }
    redirect("/", access.session_cookie())
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
}
