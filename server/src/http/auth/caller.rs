//! Who is making a request, as the sign-in gate found out: handlers take a
//! [`Caller`] to record who did what, and never check roles themselves
//! (the gate did, from `roles::API_ROUTES`).

use std::convert::Infallible;
use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::people::Role;

/// How the caller proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Nobody signs in on this server (no token, no users; loopback only):
    /// whoever reaches it is the admin.
    Open,
    /// The admin token, or the browser session it opened.
    Token,
    /// A user's session or password.
    User,
}

/// The person (or script) behind a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user's name; `None` for the admin token and an open server.
    pub name: Option<String>,
    pub role: Role,
    pub via: Via,
    /// Where the request came from, as the listener saw it.
    pub address: IpAddr,
    /// The hash of the session the request came with, when it was a user's.
    pub session: Option<String>,
}

impl Caller {
    /// The caller as the audit log and "asked by" name them.
    pub fn label(&self) -> String {
        match (&self.name, self.via) {
            (Some(name), _) => name.clone(),
            (None, Via::Token) => "admin token".into(),
            (None, _) => "local".into(),
        }
    }
}

/// The caller the gate stored; a request it let through unidentified
/// (an open route) is from an unknown local admin, which only the open
/// routes can be, and they never act on anything.
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(caller.clone());
        }
        let super::ClientIp(address) = super::ClientIp::from_request_parts(parts, state).await?;
        Ok(Caller {
            name: None,
            role: Role::Viewer,
            via: Via::Open,
            address,
            session: None,
        })
    }
}
