//! The fake's gateway: HELLO → IDENTIFY → READY (then a GUILD_CREATE per guild), heartbeat
//! ACKs, dispatches with sequence numbers, and on command RECONNECT (then RESUME → replay →
//! RESUMED), INVALID_SESSION or a dropped socket. Dispatches sent while no session is connected
//! are replayed on RESUME, as Discord does, so a test can check that nothing is lost across a
//! reconnect.
//!
//! One fake serves several shard sessions at once, as Discord does: each IDENTIFY names its
//! `shard: [id, total]` (an unsharded bot is shard 0 of 1), and a guild's events go only to the
//! session of shard `(guild_id >> 22) % total`; DMs and events without a guild to shard 0.

use std::collections::BTreeMap;
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
    /// Each shard's session, by shard id.
    sessions: BTreeMap<u32, Session>,
    /// The shard count of the last IDENTIFY, which guilds are spread over (1 before any).
    total: u32,
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
    /// The bot's guilds; `[GUILD_ID]` when empty. READY lists those of the shard identifying.
    pub guilds: Vec<u64>,
    /// Every IDENTIFY, in order.
    pub identified: Vec<Identified>,
    /// Every dispatch, in order, with the shard it was sent on.
    pub dispatched: Vec<Dispatched>,
}

/// One IDENTIFY as the fake received it.
#[derive(Debug, Clone, PartialEq)]
pub struct Identified {
    /// `[id, total]`.
    pub shard: [u32; 2],
    pub token: String,
}

/// One dispatch and the shard it went to.
#[derive(Debug, Clone)]
pub struct Dispatched {
    pub shard: u32,
    pub event: String,
    /// The payload's `id` (the interaction's, the guild's), if it has one.
    pub id: Option<String>,
}

/// One shard's session: what it was sent, for replay on RESUME, and its connection.
#[derive(Default)]
struct Session {
    id: String,
    seq: u64,
    /// Every dispatch of the session, as sent: `(seq, frame)`.
    log: Vec<(u64, String)>,
    /// The connected session's outbox, with the connection's number.
    conn: Option<(u64, UnboundedSender<Out>)>,
}

impl Gateway {
    /// Whether some session is connected.
    pub fn connected(&self) -> bool {
        self.sessions.values().any(|s| s.conn.is_some())
    }

    /// The bot's guilds that shard `id` of `total` receives.
    fn guilds_of(&self, id: u32, total: u32) -> Vec<u64> {
        let all = if self.guilds.is_empty() { vec![GUILD_ID] } else { self.guilds.clone() };
        all.into_iter().filter(|&g| shard_of(g, total) == id).collect()
    }
}

/// The shard a guild's events go to, as Discord computes it.
pub fn shard_of(guild_id: u64, total: u32) -> u32 {
    ((guild_id >> 22) % u64::from(total.max(1))) as u32
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

/// Sends a dispatch to the session of the shard it belongs to, or keeps it for replay.
pub fn dispatch(shared: &Shared, event: &str, data: Value) {
    let mut g = shared.gateway.lock().unwrap();
    let guild = match event {
        "GUILD_CREATE" => &data["id"],
        _ => &data["guild_id"],
    };
    let shard = guild.as_str().and_then(|id| id.parse().ok()).map_or(0, |id| shard_of(id, g.total));
    push(&mut g, shard, event, data);
}

fn push(g: &mut Gateway, shard: u32, event: &str, data: Value) {
    let id = data["id"].as_str().map(str::to_owned);
    g.dispatched.push(Dispatched { shard, event: event.to_owned(), id });
    let session = g.sessions.entry(shard).or_default();
    session.seq += 1;
    let text = json!({ "op": 0, "s": session.seq, "t": event, "d": data }).to_string();
    session.log.push((session.seq, text.clone()));
    if let Some((_, tx)) = &session.conn {
        let _ = tx.send(Out::Text(text));
    }
}

/// Applies `control` to every connected session.
pub fn control(shared: &Shared, control: Control) {
    let mut g = shared.gateway.lock().unwrap();
    for session in g.sessions.values_mut() {
        // From now on the session counts as disconnected: dispatches wait for the RESUME.
        let Some((_, tx)) = session.conn.take() else { continue };
        let _ = tx.send(match control {
            Control::Reconnect => Out::Text(frame(7, Value::Null)),
            Control::InvalidSession => Out::Text(frame(9, json!(false))),
            Control::Drop => Out::Drop,
        });
    }
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
    for session in g.sessions.values_mut() {
        if session.conn.as_ref().is_some_and(|(id, _)| *id == me) {
            session.conn = None;
        }
    }
    drop(g);
    shared.notify();
}

fn received(shared: &Shared, me: u64, tx: &UnboundedSender<Out>, payload: &Value) {
    let mut g = shared.gateway.lock().unwrap();
    let d = &payload["d"];
    match payload["op"].as_u64() {
        Some(1) => {
            g.heartbeats += 1;
            if !g.withhold_acks {
                let _ = tx.send(Out::Text(frame(11, Value::Null)));
            }
        }
        Some(2) => {
            // An IDENTIFY without `shard` is an unsharded bot: shard 0 of 1.
            let number = |i: usize| d["shard"][i].as_u64().map(|n| n as u32);
            let (id, total) = (number(0).unwrap_or(0), number(1).unwrap_or(1));
            let token = d["token"].as_str().unwrap_or_default().to_owned();
            g.identified.push(Identified { shard: [id, total], token });
            g.identifies += 1;
            g.withhold_acks = false;
            g.intents = d["intents"].as_u64();
            g.total = total;
            let session_id = format!("session-{}", g.identifies);
            let guilds = g.guilds_of(id, total);
            let session = g.sessions.entry(id).or_default();
            *session = Session { id: session_id.clone(), conn: Some((me, tx.clone())), ..Session::default() };
            let url = shared.gateway_url.lock().unwrap().clone();
            push(&mut g, id, "READY", payloads::ready(&session_id, &url, &guilds, [id, total]));
            // As Discord does, each guild of the shard follows as a GUILD_CREATE.
            for guild in guilds {
                push(&mut g, id, "GUILD_CREATE", payloads::guild_create(guild));
            }
        }
        Some(6) => {
            let wanted = d["session_id"].as_str().unwrap_or_default();
            let Some((&shard, _)) = g.sessions.iter().find(|(_, s)| s.id == wanted) else {
                let _ = tx.send(Out::Text(frame(9, json!(false))));
                return;
            };
            g.resumes += 1;
            g.withhold_acks = false;
            let after = d["seq"].as_u64().unwrap_or(0);
            let session = g.sessions.get_mut(&shard).unwrap();
            for (_, text) in session.log.iter().filter(|(s, _)| *s > after) {
                let _ = tx.send(Out::Text(text.clone()));
            }
            session.conn = Some((me, tx.clone()));
            push(&mut g, shard, "RESUMED", json!({}));
        }
        _ => {}
    }
}
