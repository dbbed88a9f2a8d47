//! A minimal Chrome DevTools Protocol client: one WebSocket to the browser, commands matched to
//! their answers by id, events routed to the session (flattened target session) they belong
//! to. Every command has a deadline; a closed socket fails every waiting command at once.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

/// What went wrong talking to the browser.
#[derive(Debug, thiserror::Error)]
pub enum CdpError {
    #[error("cannot connect to the DevTools socket: {0}")]
    Connect(String),
    #[error("the browser closed the DevTools connection (it exited or crashed)")]
    Closed,
    #[error("{method} got no answer in {secs} s")]
    Timeout { method: String, secs: u64 },
    /// The browser refused a command; its message names the problem, never the parameters.
    #[error("{method} failed: {message}")]
    Command { method: String, message: String },
}

/// An event the browser sent about a session.
#[derive(Debug)]
pub struct Event {
    /// `Page.loadEventFired`.
    pub method: String,
    /// Its parameters, as sent.
    pub params: Value,
}

type Reply = Result<Value, String>;

#[derive(Default)]
struct Routes {
    pending: HashMap<u64, oneshot::Sender<Reply>>,
    sessions: HashMap<String, mpsc::UnboundedSender<Event>>,
    /// Set once the socket is gone: nothing more is registered.
    closed: bool,
}

/// A DevTools connection to one browser. Cheap to clone; the socket closes with the last clone
/// (and with the browser).
#[derive(Clone)]
pub struct Connection {
    outgoing: mpsc::UnboundedSender<String>,
    routes: Arc<Mutex<Routes>>,
    next_id: Arc<AtomicU64>,
}

impl Connection {
    /// Connects to `ws_url` (the browser's `ws://127.0.0.1:…/devtools/browser/…`) within
    /// `timeout`.
    pub async fn connect(ws_url: &str, timeout: Duration) -> Result<Connection, CdpError> {
        let (socket, _) = tokio::time::timeout(timeout, tokio_tungstenite::connect_async(ws_url))
            .await
            .map_err(|_| CdpError::Connect(format!("no answer in {} s", timeout.as_secs())))?
            .map_err(|e| CdpError::Connect(e.to_string()))?;
        let (mut sink, mut stream) = socket.split();
        let (outgoing, mut queue) = mpsc::unbounded_channel::<String>();
        let routes = Arc::new(Mutex::new(Routes::default()));
        tokio::spawn(async move {
            while let Some(text) = queue.recv().await {
                if sink.send(Message::text(text)).await.is_err() {
                    break;
                }
            }
            let _ = sink.close().await;
        });
        let reader_routes = routes.clone();
        tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                match msg {
                    Message::Text(text) => dispatch(&reader_routes, text.as_str()),
                    Message::Close(_) => break,
                    _ => {}
                }
            }
            // Dropping every waiter's sender tells it the connection is gone.
            let mut r = lock(&reader_routes);
            r.closed = true;
            r.pending.clear();
            r.sessions.clear();
        });
        Ok(Connection {
            outgoing,
            routes,
            next_id: Arc::new(AtomicU64::new(1)),
        })
    }

    /// Sends `method` with `params` to `session` (`None`: the browser itself) and waits up to
    /// `timeout` for its result.
    pub async fn call(
        &self,
        session: Option<&str>,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, CdpError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        {
            let mut r = lock(&self.routes);
            if r.closed {
                return Err(CdpError::Closed);
            }
            r.pending.insert(id, tx);
        }
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        if self.outgoing.send(msg.to_string()).is_err() {
            lock(&self.routes).pending.remove(&id);
            return Err(CdpError::Closed);
        }
        match tokio::time::timeout(timeout, rx).await {
            Err(_) => {
                lock(&self.routes).pending.remove(&id);
                Err(CdpError::Timeout {
                    method: method.to_string(),
                    secs: timeout.as_secs(),
                })
            }
            Ok(Err(_)) => Err(CdpError::Closed),
            Ok(Ok(Err(message))) => Err(CdpError::Command {
                method: method.to_string(),
                message,
            }),
            Ok(Ok(Ok(result))) => Ok(result),
        }
    }

    /// The events of `session` from now on, until [`Connection::forget`] or the connection
    /// closes (then the receiver ends).
    pub fn events(&self, session: &str) -> mpsc::UnboundedReceiver<Event> {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut r = lock(&self.routes);
        if !r.closed {
            r.sessions.insert(session.to_string(), tx);
        }
        rx
    }

    /// Stops routing `session`'s events.
    pub fn forget(&self, session: &str) {
        lock(&self.routes).sessions.remove(session);
    }
}

fn lock(routes: &Mutex<Routes>) -> std::sync::MutexGuard<'_, Routes> {
    // A panic elsewhere leaves the maps consistent (each change is one insert or remove).
    routes
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Routes one message from the browser: an answer to its waiter, an event to its session.
fn dispatch(routes: &Mutex<Routes>, text: &str) {
    let Ok(msg) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let mut r = lock(routes);
    if let Some(id) = msg.get("id").and_then(Value::as_u64) {
        if let Some(tx) = r.pending.remove(&id) {
            let reply = match msg.get("error") {
                Some(e) => Err(e
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown error")
                    .to_string()),
                None => Ok(msg.get("result").cloned().unwrap_or(Value::Null)),
            };
            let _ = tx.send(reply);
        }
        return;
    }
    let (Some(method), Some(session)) = (
        msg.get("method").and_then(Value::as_str),
        msg.get("sessionId").and_then(Value::as_str),
    ) else {
        return;
    };
    if let Some(tx) = r.sessions.get(session) {
        let _ = tx.send(Event {
            method: method.to_string(),
            params: msg.get("params").cloned().unwrap_or(Value::Null),
        });
    }
}
