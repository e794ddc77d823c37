//! Signing in and roles. A server with an admin token or any user asks
//! everyone to sign in: every request but the open ones (health checks,
//! the sign-in page and call, the site's static files) must come with a
//! user's session cookie (from `/login` or `POST /api/login`), the admin
//! token as `Authorization: Bearer <token>`, or the session the token
//! opened. The gate then checks the caller's role against the one table
//! in [`roles`] and hands the [`Caller`] to the handlers. Without a token
//! or users Tend listens on loopback only (see `Config::validate`) and
//! whoever reaches it is the admin.

mod caller;
pub mod roles;
mod sign_in;
mod throttle;

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, LOCATION, SET_COOKIE, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::{ApiError, AppState};
use crate::people::Role;
use crate::store::{Store, StoreError};
pub use caller::{Caller, Via};
pub use sign_in::{api_login, api_logout, login_page, sign_in, sign_out};
use throttle::{Key, Throttle};

/// Name of the session cookie.
pub const COOKIE_NAME: &str = "tend_session";

/// Who may pass. Secrets are compared as BLAKE3 hashes, whose equality is
/// constant-time, so a wrong guess's timing says nothing about the token.
#[derive(Clone)]
pub struct Access(Arc<Inner>);

struct Inner {
    token: Option<TokenSecrets>,
    /// Wrong tokens and passwords, per address and per name. A session
    /// cookie is not counted: it is a 256-bit value nobody guesses, and a
    /// stale one must not lock its browser out.
    throttle: Throttle,
    /// Set once a user is known to exist. Users are disabled, never
    /// deleted, so once set it stays set; until then every unidentified
    /// request asks the database, so a user added on another node counts.
    people_exist: AtomicBool,
}

struct TokenSecrets {
    token: blake3::Hash,
    /// The cookie's value: derived from the token, so changing the token
    /// signs every browser out, and the cookie never holds the token itself.
    session: String,
    /// `session` hashed once, for the constant-time comparison.
    session_hash: blake3::Hash,
}

/// What the gate makes of a request's credentials.
#[derive(Debug)]
enum Verdict {
    Pass(Caller),
    Refused,
    /// Too many wrong tries from this address lately; wait this long.
    HeldOff(Duration),
}

/// What an offered admin token is.
#[derive(Debug, PartialEq)]
enum TokenCheck {
    Right,
    Wrong,
    HeldOff(Duration),
}

impl Access {
    pub fn new(token: Option<&str>) -> Access {
        // Surrounding whitespace is never part of a token (a value read
        // from a file often ends in a newline); offered tokens are trimmed too.
        let token = token.map(str::trim).map(|token| {
            let key = blake3::derive_key("tend 2026-11 browser session", token.as_bytes());
            let session = blake3::keyed_hash(&key, b"admin").to_hex().to_string();
            TokenSecrets {
                token: blake3::hash(token.as_bytes()),
                session_hash: blake3::hash(session.as_bytes()),
                session,
            }
        });
        Access(Arc::new(Inner {
            token,
            throttle: Throttle::default(),
            people_exist: AtomicBool::new(false),
        }))
    }

    pub fn has_token(&self) -> bool {
        self.0.token.is_some()
    }

    /// Whether people must sign in: there is a token or a user.
    pub async fn sign_in_required(&self, store: &dyn Store) -> Result<bool, StoreError> {
        if self.has_token() || self.0.people_exist.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let exist = store.count_users().await? > 0;
        if exist {
            self.people_added();
        }
        Ok(exist)
    }

    /// A user was added: sign-in is required from now on.
    pub fn people_added(&self) {
        self.0.people_exist.store(true, Ordering::Relaxed);
    }

    /// Who sent a request with these `headers` from `who`.
    async fn identify(
        &self,
        store: &dyn Store,
        headers: &HeaderMap,
        who: IpAddr,
        now: Instant,
    ) -> Result<Verdict, StoreError> {
        let caller = |name, role, via, session| Caller {
            name,
            role,
            via,
            address: who,
            session,
        };
        for value in session_cookies(headers) {
            if self.is_token_session(value) {
                return Ok(Verdict::Pass(caller(None, Role::Admin, Via::Token, None)));
            }
            let hash = session_hash(value);
            if let Some(user) = store.session_user(&hash, crate::now_ms()).await? {
                return Ok(Verdict::Pass(caller(
                    Some(user.name),
                    user.role,
                    Via::User,
                    Some(hash),
                )));
            }
        }
        if let Some(token) = bearer(headers) {
            if self.has_token() {
                return Ok(match self.try_token(token, who, now) {
                    TokenCheck::Right => Verdict::Pass(caller(None, Role::Admin, Via::Token, None)),
                    TokenCheck::Wrong => Verdict::Refused,
                    TokenCheck::HeldOff(wait) => Verdict::HeldOff(wait),
                });
            }
        }
        if !self.sign_in_required(store).await? {
            return Ok(Verdict::Pass(caller(None, Role::Admin, Via::Open, None)));
        }
        Ok(Verdict::Refused)
    }

    fn is_token_session(&self, value: &str) -> bool {
        self.0
            .token
            .as_ref()
            .is_some_and(|t| blake3::hash(value.as_bytes()) == t.session_hash)
    }

    /// One offered token, counted against its address.
    fn try_token(&self, offered: &str, who: IpAddr, now: Instant) -> TokenCheck {
        let Some(secrets) = &self.0.token else {
            return TokenCheck::Wrong;
        };
        if let Some(wait) = self.0.throttle.wait(who, now) {
            return TokenCheck::HeldOff(wait);
        }
        if blake3::hash(offered.trim().as_bytes()) == secrets.token {
            self.0.throttle.succeeded(who);
            TokenCheck::Right
        } else {
            self.0.throttle.failed(who, now);
            TokenCheck::Wrong
        }
    }

    /// How long `who` (and `name`, when given) must wait before trying a
    /// password again.
    fn held_off(&self, who: IpAddr, name: Option<&str>, now: Instant) -> Option<Duration> {
        let by_name = name.and_then(|n| self.0.throttle.wait(Key::Name(n.into()), now));
        self.0.throttle.wait(who, now).max(by_name)
    }

    fn password_failed(&self, who: IpAddr, name: &str, now: Instant) {
        self.0.throttle.failed(who, now);
        self.0.throttle.failed(Key::Name(name.into()), now);
    }

    fn password_succeeded(&self, who: IpAddr, name: &str) {
        self.0.throttle.succeeded(who);
        self.0.throttle.succeeded(Key::Name(name.into()));
    }

    /// The cookie the admin token's sign-in sets.
    fn token_session_cookie(&self) -> Option<String> {
        let secrets = self.0.token.as_ref()?;
        Some(session_cookie(&secrets.session))
    }
}

/// The cookie that carries a session.
fn session_cookie(value: &str) -> String {
    format!("{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Strict")
}

/// The cookie that ends one.
fn cleared_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// A session as the database keeps it: hashed, so that reading the
/// database gives no way in.
pub fn session_hash(value: &str) -> String {
    blake3::hash(value.as_bytes()).to_hex().to_string()
}

fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

fn session_cookies(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    cookies(headers)
        .filter(|(name, value)| *name == COOKIE_NAME && !value.is_empty())
        .map(|(_, value)| value)
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
}

/// The address a request came from, as the listener saw it. Behind a
/// reverse proxy that is the proxy: its clients then share one count of
/// wrong tokens. Requests with no connection info (none in production)
/// count as one unknown address.
pub struct ClientIp(pub IpAddr);

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

/// The gate in front of every route: finds out who is calling and whether
/// their role may use the route. API calls that fail get the API's JSON
/// errors; pages redirect to the sign-in page, or say which role they need.
pub async fn require(
    State(state): State<AppState>,
    ClientIp(who): ClientIp,
    mut request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_string();
    let is_api = path.starts_with("/api/");
    let needed = roles::needed(request.method(), &path);
    let role = match needed {
        roles::Needed::Nobody => return next.run(request).await,
        roles::Needed::Role(role) => role,
        roles::Needed::NotARoute => Role::Viewer,
        roles::Needed::NoSuchMethod => {
            return ApiError::Refused {
                status: StatusCode::METHOD_NOT_ALLOWED,
                message: format!("{path} does not take {}.", request.method()),
            }
            .into_response()
        }
    };
    let verdict = state
        .access
        .identify(&*state.store, request.headers(), who, Instant::now())
        .await;
    let caller = match verdict {
        Ok(Verdict::Pass(caller)) => caller,
        Ok(Verdict::HeldOff(wait)) => {
            return ApiError::TooManyAttempts {
                retry_after_secs: retry_after_secs(wait),
            }
            .into_response()
        }
        Ok(Verdict::Refused) if is_api => return unauthorized(),
        Ok(Verdict::Refused) => return redirect("/login", None),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if !caller.role.allows(role) {
        return forbidden(&caller, role, is_api);
    }
    if needed == roles::Needed::NotARoute {
        return super::handlers::health::api_not_found(request.uri().clone())
            .await
            .into_response();
    }
    request.extensions_mut().insert(caller);
    next.run(request).await
}

fn unauthorized() -> Response {
    let mut response = ApiError::Unauthorized(
        "Sign in first: POST /api/login with your name and password, send the admin token as \"Authorization: Bearer <token>\", or sign in at /login.".into(),
    )
    .into_response();
    response
        .headers_mut()
        .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// A role too low for the route: 403, naming the role needed.
fn forbidden(caller: &Caller, needed: Role, is_api: bool) -> Response {
    let message = format!(
        "This needs the {} role{}; {} is {} {}.",
        needed.as_str(),
        if needed == Role::Admin {
            ""
        } else {
            " or higher"
        },
        caller.label(),
        if caller.role == Role::Admin {
            "an"
        } else {
            "a"
        },
        caller.role.as_str(),
    );
    if is_api {
        return ApiError::Forbidden {
            code: "forbidden",
            message,
        }
        .into_response();
    }
    (
        StatusCode::FORBIDDEN,
        Html(sign_in::page_with("Not for your role", &format!(
            r#"<p class="login-error" role="alert">{message}</p><p><a href="/">Back to the console</a></p>"#
        ))),
    )
        .into_response()
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

#[cfg(test)]
mod tests {
    use super::*;

    const HERE: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn cookie_value(access: &Access) -> String {
        let cookie = access.token_session_cookie().unwrap();
        cookie
            .split(';')
            .next()
            .unwrap()
            .split_once('=')
            .unwrap()
            .1
            .to_string()
    }

    #[test]
    fn the_token_or_its_session_cookie_identify_the_admin() {
        let access = Access::new(Some("a-long-enough-secret"));
        let now = Instant::now();
        assert_eq!(
            access.try_token("a-long-enough-secret", HERE, now),
            TokenCheck::Right
        );
        assert_eq!(
            access.try_token("a-long-enough-secreT", HERE, now),
            TokenCheck::Wrong
        );
        let value = cookie_value(&access);
        assert!(
            !value.contains("a-long-enough-secret"),
            "the cookie never holds the token"
        );
        assert!(access.is_token_session(&value));
        assert!(!access.is_token_session("0000"));
        // The configured token's surrounding whitespace does not count.
        let padded = Access::new(Some("a-long-enough-secret\n"));
        assert_eq!(
            padded.try_token("a-long-enough-secret", HERE, now),
            TokenCheck::Right
        );
        // Another token: the old session no longer counts.
        let other = Access::new(Some("another-long-secret"));
        assert!(!other.is_token_session(&value));
        // Without a token no token is right.
        assert_eq!(
            Access::new(None).try_token("", HERE, now),
            TokenCheck::Wrong
        );
    }

    #[test]
    fn wrong_tokens_hold_an_address_off_even_from_the_right_one() {
        let access = Access::new(Some("a-long-enough-secret"));
        let now = Instant::now();
        for _ in 0..throttle::LIMIT {
            assert_eq!(access.try_token("guess", HERE, now), TokenCheck::Wrong);
        }
        assert!(matches!(
            access.try_token("a-long-enough-secret", HERE, now),
            TokenCheck::HeldOff(wait) if wait <= throttle::WINDOW
        ));
        let elsewhere = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
        assert_eq!(
            access.try_token("a-long-enough-secret", elsewhere, now),
            TokenCheck::Right
        );
        // Once the window has passed the right token works again.
        let later = now + throttle::WINDOW;
        assert_eq!(
            access.try_token("a-long-enough-secret", HERE, later),
            TokenCheck::Right
        );
    }

    #[test]
    fn wrong_passwords_hold_off_the_address_and_the_name() {
        let access = Access::new(None);
        let now = Instant::now();
        for _ in 0..throttle::LIMIT {
            access.password_failed(HERE, "Alice", now);
        }
        assert!(
            access.held_off(HERE, Some("bob"), now).is_some(),
            "by address"
        );
        let elsewhere = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7));
        assert!(
            access.held_off(elsewhere, Some("alice"), now).is_some(),
            "by name"
        );
        assert_eq!(access.held_off(elsewhere, Some("bob"), now), None);
    }

    #[test]
    fn retry_after_rounds_up() {
        assert_eq!(retry_after_secs(Duration::from_millis(59_001)), 60);
        assert_eq!(retry_after_secs(Duration::from_secs(5)), 5);
    }
}
