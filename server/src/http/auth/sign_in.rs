//! Signing in and out: the `/login` page and form, and `POST /api/login`
//! and `/api/logout` for scripts and the app. A user signs in with a name
//! and a password; the admin token still signs in (name left empty), as
//! the admin. Every sign-in, failed sign-in and sign-out is audited.

use std::net::IpAddr;
use std::sync::OnceLock;
use std::time::Instant;

use argon2::password_hash::rand_core::{OsRng, RngCore};
use axum::extract::State;
use axum::http::header::{RETRY_AFTER, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Form, Json};
use serde::{Deserialize, Serialize};

use super::{
    cleared_cookie, redirect, retry_after_secs, session_cookie, session_cookies, session_hash,
    Caller, ClientIp, TokenCheck,
};
use crate::http::audit::{record, record_as};
use crate::http::{ApiError, AppState};
use crate::people::audit::action;
use crate::people::{password, Role};
use crate::store::{StoreError, User};

/// How long a session lasts without signing in again.
pub const SESSION_LIFETIME_MS: i64 = 30 * 24 * 3600 * 1000;

/// The sign-in form: a name and a password, or no name and the admin token
/// (as `password`, or as `token` from older scripts).
#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    token: String,
}

#[derive(Deserialize)]
pub struct Credentials {
    name: String,
    password: String,
}

/// Who signed in, for the app.
#[derive(Serialize)]
pub struct SignedInView {
    name: String,
    role: Role,
}

/// Why a sign-in failed.
enum Failure {
    Wrong,
    HeldOff(u64),
    Store(StoreError),
}

/// A signed-in user and the cookie that carries their new session.
struct SignedIn {
    user: User,
    cookie: String,
}

/// Checks `name` and `password`, counted against the address and the
/// name, and opens a session.
async fn with_password(
    state: &AppState,
    name: &str,
    password: &str,
    who: IpAddr,
) -> Result<SignedIn, Failure> {
    let name = name.trim();
    let now = Instant::now();
    if let Some(wait) = state.access.held_off(who, Some(name), now) {
        let secs = retry_after_secs(wait);
        audit_failure(state, name, who, "held off: too many wrong passwords").await;
        return Err(Failure::HeldOff(secs));
    }
    let found = state
        .store
        .user_by_name(name)
        .await
        .map_err(Failure::Store)?;
    // One check whatever is found, against a hash no password matches when
    // there is no such user, so that the time taken says nothing about
    // which names exist or are disabled.
    let (user, hash) = match found {
        Some((user, hash)) => (Some(user), hash),
        None => (None, dummy_hash().to_string()),
    };
    let matches = verified(password, hash).await;
    let why = match &user {
        Some(user) if matches && !user.disabled => None,
        Some(user) if user.disabled => Some("the user is disabled"),
        Some(_) => Some("wrong password"),
        None => Some("no such user"),
    };
    let (Some(user), None) = (user, why) else {
        state.access.password_failed(who, name, now);
        audit_failure(state, name, who, why.unwrap_or("refused")).await;
        return Err(Failure::Wrong);
    };
    state.access.password_succeeded(who, name);
    let token = new_session_token();
    let at = crate::now_ms();
    state
        .store
        .create_session(&session_hash(&token), user.id, at, at + SESSION_LIFETIME_MS)
        .await
        .map_err(Failure::Store)?;
    record_as(
        state,
        Some(user.name.clone()),
        who,
        action::SIGN_IN,
        format!("signed in as {}", user.role.as_str()),
    )
    .await;
    Ok(SignedIn {
        cookie: session_cookie(&token),
        user,
    })
}

async fn audit_failure(state: &AppState, name: &str, who: IpAddr, why: &str) {
    let named = (!name.is_empty()).then(|| name.chars().take(64).collect::<String>());
    record_as(state, named, who, action::SIGN_IN_FAILED, why.into()).await;
}

/// Whether `password` matches `hash`, checked off the async runtime: a
/// check takes tens of milliseconds of CPU on purpose.
async fn verified(password: &str, hash: String) -> bool {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || password::verify(&password, &hash))
        .await
        .unwrap_or(false)
}

/// A hash no password matches, made once.
fn dummy_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| password::hash(&password::generate()).unwrap_or_default())
}

/// 256 random bits, hex: the value a session cookie holds.
fn new_session_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The sign-in form; without a token or users there is nothing to sign in
/// to, and the console is one redirect away.
pub async fn login_page(State(state): State<AppState>) -> Response {
    match state.access.sign_in_required(&*state.store).await {
        Ok(false) => redirect("/", None),
        Ok(true) => Html(page(None)).into_response(),
        Err(e) => ApiError::from(e).into_response(),
    }
}

pub async fn sign_in(
    State(state): State<AppState>,
    ClientIp(who): ClientIp,
    Form(form): Form<SignInForm>,
) -> Response {
    match state.access.sign_in_required(&*state.store).await {
        Ok(true) => {}
        Ok(false) => return redirect("/", None),
        Err(e) => return ApiError::from(e).into_response(),
    }
    if form.name.trim().is_empty() {
        let token = if form.token.is_empty() {
            &form.password
        } else {
            &form.token
        };
        return sign_in_with_token(&state, token, who).await;
    }
    match with_password(&state, &form.name, &form.password, who).await {
        Ok(signed_in) => redirect("/", Some(signed_in.cookie)),
        Err(Failure::Wrong) => refused_page(
            StatusCode::UNAUTHORIZED,
            "That name and password do not match an active user.",
        ),
        Err(Failure::HeldOff(secs)) => held_off_page(secs),
        Err(Failure::Store(e)) => ApiError::from(e).into_response(),
    }
}

async fn sign_in_with_token(state: &AppState, token: &str, who: IpAddr) -> Response {
    match state.access.try_token(token, who, Instant::now()) {
        TokenCheck::Right => {
            record_as(
                state,
                Some("admin token".into()),
                who,
                action::SIGN_IN,
                "signed in with the admin token".into(),
            )
            .await;
            redirect("/", state.access.token_session_cookie())
        }
        TokenCheck::Wrong => {
            audit_failure(state, "", who, "wrong admin token").await;
            let message = if state.access.has_token() {
                "That is not the admin token. It is the admin_token setting (or TEND_ADMIN_TOKEN) of this server; or give your name and password."
            } else {
                "Give your name and password: this server has no admin token."
            };
            refused_page(StatusCode::UNAUTHORIZED, message)
        }
        TokenCheck::HeldOff(wait) => held_off_page(retry_after_secs(wait)),
    }
}

fn refused_page(status: StatusCode, message: &str) -> Response {
    (status, Html(page(Some(message)))).into_response()
}

fn held_off_page(secs: u64) -> Response {
    // The API's wording, on the sign-in page.
    let message = ApiError::TooManyAttempts {
        retry_after_secs: secs,
    }
    .to_string();
    let mut response = refused_page(StatusCode::TOO_MANY_REQUESTS, &message);
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(secs));
    response
}

/// `POST /api/login {"name", "password"}`: sets the session cookie and
/// says who signed in.
pub async fn api_login(
    State(state): State<AppState>,
    ClientIp(who): ClientIp,
    Json(credentials): Json<Credentials>,
) -> Result<Response, ApiError> {
    match with_password(&state, &credentials.name, &credentials.password, who).await {
        Ok(signed_in) => {
            let mut response = Json(SignedInView {
                name: signed_in.user.name,
                role: signed_in.user.role,
            })
            .into_response();
            if let Ok(cookie) = HeaderValue::from_str(&signed_in.cookie) {
                response.headers_mut().insert(SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Err(Failure::Wrong) => Err(ApiError::Unauthorized(
            "That name and password do not match an active user.".into(),
        )),
        Err(Failure::HeldOff(secs)) => Err(ApiError::TooManyAttempts {
            retry_after_secs: secs,
        }),
        Err(Failure::Store(e)) => Err(e.into()),
    }
}

/// Ends the session the request came with, everywhere (it is gone from
/// the database), and clears the cookie.
async fn end_session(state: &AppState, headers: &HeaderMap, caller: &Caller) -> Option<ApiError> {
    for value in session_cookies(headers) {
        let hash = session_hash(value);
        let Ok(Some(user)) = state.store.session_user(&hash, crate::now_ms()).await else {
            continue;
        };
        if let Err(e) = state.store.end_session(&hash).await {
            return Some(e.into());
        }
        record_as(
            state,
            Some(user.name),
            caller.address,
            action::SIGN_OUT,
            "signed out".into(),
        )
        .await;
        return None;
    }
    if caller.via == super::Via::Token {
        record(state, caller, action::SIGN_OUT, "signed out".into()).await;
    }
    None
}

/// The sign-out button: back to the sign-in page.
pub async fn sign_out(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Response {
    if let Some(e) = end_session(&state, &headers, &caller).await {
        return e.into_response();
    }
    redirect("/login", Some(cleared_cookie()))
}

/// `POST /api/logout`: 204, the session ended and its cookie cleared.
pub async fn api_logout(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
) -> Response {
    if let Some(e) = end_session(&state, &headers, &caller).await {
        return e.into_response();
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Ok(cookie) = HeaderValue::from_str(&cleared_cookie()) {
        response.headers_mut().insert(SET_COOKIE, cookie);
    }
    response
}

/// The sign-in page: plain HTML, so it works before (and without) the app.
fn page(error: Option<&str>) -> String {
    let error = error
        .map(|e| format!(r#"<p class="login-error" role="alert">{}</p>"#, escape(e)))
        .unwrap_or_default();
    page_with(
        "Sign in",
        &format!(
            r#"<form method="post" action="/login">
<label for="name">Name</label>
<input id="name" name="name" autocomplete="username" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<p class="hint">With the admin token: leave the name empty and give the token as the password.</p>
<button type="submit">Sign in</button>
</form>
{error}"#
        ),
    )
}

/// A plain page in the site's style, titled `title`, around `body`.
pub(super) fn page_with(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · Tend</title>
<link rel="stylesheet" href="/pkg/tend.css">
</head>
<body>
<main class="login">
<h1>Tend</h1>
{body}
</main>
</body>
</html>
"#
    )
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
