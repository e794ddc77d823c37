use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::response::Response;
use tokio::sync::broadcast::error::RecvError;

use app::api::ServerMessage;

use crate::http::AppState;

/// How many tasks a snapshot carries.
const SNAPSHOT_TASKS: i64 = 200;

/// `GET /api/events`: websocket of task and schedule changes; a snapshot first, then deltas.
pub async fn subscribe(ws: WebSocketUpgrade, State(state): State<AppState>) -> Response {
    ws.on_upgrade(move |socket| stream(socket, state))
}

async fn stream(mut socket: WebSocket, state: AppState) {
    let mut shutdown = state.shutdown.clone();
    // Subscribe before the snapshot so no change falls between the two.
    let mut changes = state.hub.subscribe();
    'snapshot: loop {
        let snapshot = async {
            Ok::<_, crate::store::StoreError>(ServerMessage::Snapshot {
                tasks: state.store.list_tasks(SNAPSHOT_TASKS).await?,
                schedules: state.store.list_schedules().await?,
                alerts: state.store.list_alerts(false, 50).await?,
            })
        };
        let snapshot = match snapshot.await {
            Ok(snapshot) => snapshot,
            Err(e) => {
                tracing::error!(error = %e, "websocket snapshot failed");
                return;
            }
        };
        if send(&mut socket, &snapshot).await.is_err() {
            return;
        }
        loop {
            tokio::select! {
                change = changes.recv() => match change {
                    Ok(message) => {
                        if send(&mut socket, &message).await.is_err() {
                            return;
                        }
                    }
                    // Fell behind: start over from a fresh snapshot.
                    Err(RecvError::Lagged(_)) => continue 'snapshot,
                    Err(RecvError::Closed) => return,
                },
                incoming = socket.recv() => match incoming {
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                    Some(Ok(_)) => {}
                },
                _ = shutdown.changed() => {
                    let _ = socket.send(Message::Close(None)).await;
                    return;
                }
            }
        }
    }
}

async fn send(socket: &mut WebSocket, message: &ServerMessage) -> Result<(), ()> {
    let text = serde_json::to_string(message).map_err(|_| ())?;
    socket
        .send(Message::Text(text.into()))
        .await
        .map_err(|_| ())
}
