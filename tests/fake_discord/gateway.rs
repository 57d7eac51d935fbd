//! The fake's gateway: HELLO → IDENTIFY → READY, heartbeat ACKs, dispatches with sequence
//! numbers, and on command RECONNECT (then RESUME → replay → RESUMED), INVALID_SESSION or a
//! dropped socket. Dispatches sent while no session is connected are replayed on RESUME, as
//! Discord does, so a test can check that nothing is lost across a reconnect.

use std::net::SocketAddr;
use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio_tungstenite::tungstenite::Message;

use super::payloads::{self, GUILD_ID};
use super::Shared;

/// The heartbeat interval the fake asks for: short, so heartbeats and ACKs happen in tests.
pub const HEARTBEAT_MS: u64 = 1000;

/// What the test and the connection tasks share about the gateway.
#[derive(Default)]
pub struct Gateway {
    pub session_id: String,
    pub seq: u64,
    /// Every dispatch of the session, as sent: `(seq, frame)`.
    log: Vec<(u64, String)>,
    /// The connected session's outbox, with the connection's number.
    conn: Option<(u64, UnboundedSender<Out>)>,
    connections: u64,
    pub identifies: u32,
    pub resumes: u32,
    pub heartbeats: u32,
    /// While set, heartbeats go unanswered (a zombied connection); a new session clears it.
    pub withhold_acks: bool,
    /// Intents asked for in the last IDENTIFY.
    pub intents: Option<u64>,
    /// While set, new connections are closed at once: the gateway is unreachable.
    pub refuse: bool,
    /// Connections refused so far.
    pub refused: u32,
    /// Guilds listed in READY; `[GUILD_ID]` when empty.
    pub guilds: Vec<u64>,
}

impl Gateway {
    pub fn connected(&self) -> bool {
        self.conn.is_some()
    }
}

enum Out {
    Text(String),
    Drop,
}

/// What a test can make the gateway do.
pub enum Control {
    Reconnect,
    InvalidSession,
    Drop,
}

pub async fn serve(shared: Arc<Shared>) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(connection(shared.clone(), stream));
        }
    });
    addr
}

fn frame(op: u8, d: Value) -> String {
    json!({ "op": op, "d": d, "s": null, "t": null }).to_string()
}

/// Sends a dispatch to the connected session, or keeps it for replay.
pub fn dispatch(shared: &Shared, event: &str, data: Value) {
    let mut g = shared.gateway.lock().unwrap();
    push(&mut g, event, data);
}

fn push(g: &mut Gateway, event: &str, data: Value) {
    g.seq += 1;
    let text = json!({ "op": 0, "s": g.seq, "t": event, "d": data }).to_string();
    g.log.push((g.seq, text.clone()));
    if let Some((_, tx)) = &g.conn {
        let _ = tx.send(Out::Text(text));
    }
}

pub fn control(shared: &Shared, control: Control) {
    let mut g = shared.gateway.lock().unwrap();
    // From now on the session counts as disconnected: dispatches wait for the RESUME.
    let Some((_, tx)) = g.conn.take() else { return };
    let _ = tx.send(match control {
        Control::Reconnect => Out::Text(frame(7, Value::Null)),
        Control::InvalidSession => Out::Text(frame(9, json!(false))),
        Control::Drop => Out::Drop,
    });
}

async fn connection(shared: Arc<Shared>, stream: tokio::net::TcpStream) {
    {
        let mut g = shared.gateway.lock().unwrap();
        if g.refuse {
            g.refused += 1;
            drop(g);
            shared.notify();
            return;
        }
    }
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else { return };
    let (mut sink, mut incoming) = ws.split();
    let (tx, mut rx) = unbounded_channel();
    let me = {
        let mut g = shared.gateway.lock().unwrap();
        g.connections += 1;
        g.connections
    };
    let hello = frame(10, json!({ "heartbeat_interval": HEARTBEAT_MS }));
    if sink.send(Message::Text(hello)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            msg = incoming.next() => {
                let text = match msg {
                    Some(Ok(Message::Text(t))) => t,
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    _ => break,
                };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else { break };
                received(&shared, me, &tx, &payload);
                shared.notify();
            }
            out = rx.recv() => match out {
                Some(Out::Text(t)) => if sink.send(Message::Text(t)).await.is_err() { break },
                Some(Out::Drop) | None => break,
            },
        }
    }
    let mut g = shared.gateway.lock().unwrap();
    if g.conn.as_ref().is_some_and(|(id, _)| *id == me) {
        g.conn = None;
    }
    drop(g);
    shared.notify();
}

fn received(shared: &Shared, me: u64, tx: &UnboundedSender<Out>, payload: &Value) {
    let mut g = shared.gateway.lock().unwrap();
    match payload["op"].as_u64() {
        Some(1) => {
            g.heartbeats += 1;
            if !g.withhold_acks {
                let _ = tx.send(Out::Text(frame(11, Value::Null)));
            }
        }
        Some(2) => {
            g.identifies += 1;
            g.withhold_acks = false;
            g.intents = payload["d"]["intents"].as_u64();
            g.session_id = format!("session-{}", g.identifies);
            g.seq = 0;
            g.log.clear();
            g.conn = Some((me, tx.clone()));
            let guilds = if g.guilds.is_empty() { vec![GUILD_ID] } else { g.guilds.clone() };
            let url = shared.gateway_url.lock().unwrap().clone();
            let ready = payloads::ready(&g.session_id, &url, &guilds);
            push(&mut g, "READY", ready);
        }
        Some(6) => {
            let d = &payload["d"];
            if d["session_id"].as_str() != Some(g.session_id.as_str()) {
                let _ = tx.send(Out::Text(frame(9, json!(false))));
                return;
            }
            g.resumes += 1;
            g.withhold_acks = false;
            let after = d["seq"].as_u64().unwrap_or(0);
            for (_, text) in g.log.iter().filter(|(s, _)| *s > after) {
                let _ = tx.send(Out::Text(text.clone()));
            }
            g.conn = Some((me, tx.clone()));
            push(&mut g, "RESUMED", json!({}));
        }
        _ => {}
    }
}
