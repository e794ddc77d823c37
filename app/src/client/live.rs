use crate::api::ServerMessage;

/// State of the live connection, shown in the task panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    Reconnecting,
}

impl Connection {
    pub fn as_str(self) -> &'static str {
        match self {
            Connection::Connecting => "connecting",
            Connection::Live => "live",
            Connection::Reconnecting => "reconnecting",
        }
    }
}

/// Keeps a websocket to `/api/events` open for the life of the page,
/// reconnecting with backoff after the server goes away (a restart, a network
/// blip). Every (re)connection starts with a snapshot, so nothing is missed.
#[cfg(feature = "hydrate")]
pub async fn run_event_stream(
    on_message: impl Fn(ServerMessage) + 'static,
    on_connection: impl Fn(Connection) + 'static,
) {
    use futures::StreamExt;
    use gloo_net::websocket::{futures::WebSocket, Message};
    use gloo_timers::future::TimeoutFuture;

    let mut backoff_ms = 250u32;
    loop {
        let url = events_url();
        if let Ok(socket) = WebSocket::open(&url) {
            let (_sink, mut stream) = socket.split();
            while let Some(frame) = stream.next().await {
                let text = match frame {
                    Ok(Message::Text(text)) => text,
                    Ok(Message::Bytes(_)) => continue,
                    Err(_) => break,
                };
                if let Ok(message) = serde_json::from_str::<ServerMessage>(&text) {
                    if matches!(message, ServerMessage::Snapshot { .. }) {
                        on_connection(Connection::Live);
                        backoff_ms = 250;
                    }
                    on_message(message);
                }
            }
        }
        // A stream the server refuses for want of a session (the admin
        // token changed, the browser signed out elsewhere) will never come
        // back: sign in again instead of retrying forever.
        if signed_out().await {
            if let Some(window) = web_sys::window() {
                let _ = window.location().set_href("/login");
            }
            return;
        }
        on_connection(Connection::Reconnecting);
        TimeoutFuture::new(backoff_ms).await;
        backoff_ms = (backoff_ms * 2).min(4_000);
    }
}

/// Whether the server now turns this browser away (401).
#[cfg(feature = "hydrate")]
async fn signed_out() -> bool {
    gloo_net::http::Request::get("/api/session")
        .send()
        .await
        .is_ok_and(|response| response.status() == 401)
}

#[cfg(feature = "hydrate")]
fn events_url() -> String {
    let location = web_sys::window().map(|w| w.location());
    let (protocol, host) = match location {
        Some(loc) => (
            loc.protocol().unwrap_or_else(|_| "http:".into()),
            loc.host().unwrap_or_default(),
        ),
        None => ("http:".into(), String::new()),
    };
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{host}/api/events")
}

#[cfg(not(feature = "hydrate"))]
pub async fn run_event_stream(
    _on_message: impl Fn(ServerMessage) + 'static,
    _on_connection: impl Fn(Connection) + 'static,
) {
}
