//! A fake Discord on loopback for the tests: the v10 REST routes and the gateway that confbot
//! uses, with every request recorded and failures injected on demand.
//!
//! REST is served by axum ([`rest`]); the gateway WebSocket by tokio-tungstenite on a second
//! port ([`gateway`]), which `GET /api/v10/gateway` points at. Payloads are shaped like real
//! Discord's ([`payloads`]), because serenity drops what it cannot deserialise.

pub mod channels;
pub mod gateway;
pub mod payloads;
pub mod rest;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;
use tokio::sync::Notify;

/// One REST request as the fake received it.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
    pub at: Instant,
    /// The status the fake answered with.
    pub status: u16,
}

/// A failure to answer the next `times` requests matching `method` and `path_contains` with.
#[derive(Debug, Clone)]
pub struct Injected {
    pub method: &'static str,
    pub path_contains: String,
    pub status: u16,
    /// For 429s: the `retry-after` header and body field, in seconds.
    pub retry_after: f64,
    pub times: u32,
}

/// Everything the fake knows, shared by the REST and gateway tasks and the test.
#[derive(Default)]
pub struct Shared {
    pub requests: Mutex<Vec<Request>>,
    pub changed: Notify,
    pub injected: Mutex<Vec<Injected>>,
    pub gateway: Mutex<gateway::Gateway>,
    pub gateway_url: Mutex<String>,
    pub channels: Mutex<channels::Channels>,
}

/// A running fake Discord; clones are handles on the same one (several bots may share it).
#[derive(Clone)]
pub struct FakeDiscord {
    /// The origin to give confbot as its API base, e.g. `http://127.0.0.1:41234`.
    pub base: String,
    pub shared: Arc<Shared>,
}

impl FakeDiscord {
    /// Starts both servers on `127.0.0.1:0`.
    pub async fn start() -> FakeDiscord {
        let shared = Arc::new(Shared::default());
        let gateway_addr = gateway::serve(shared.clone()).await;
        *shared.gateway_url.lock().unwrap() = format!("ws://{gateway_addr}");
        let rest_addr = rest::serve(shared.clone()).await;
        FakeDiscord { base: format!("http://{rest_addr}"), shared }
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Waits until a recorded request satisfies `pred` (checking earlier ones too), or panics.
    pub async fn wait_for(&self, what: &str, timeout: Duration, pred: impl Fn(&Request) -> bool) -> Request {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(r) = self.requests().into_iter().find(|r| pred(r)) {
                return r;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, notified).await.is_err() {
                panic!("timed out after {timeout:?} waiting for {what}; saw {:#?}", self.summary());
            }
        }
    }

    /// Waits until the gateway's state satisfies `pred`, or panics.
    pub async fn wait_gateway(&self, what: &str, timeout: Duration, pred: impl Fn(&gateway::Gateway) -> bool) {
        let deadline = Instant::now() + timeout;
        loop {
            let notified = self.shared.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if pred(&self.shared.gateway.lock().unwrap()) {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, notified).await.is_err() {
                panic!("timed out after {timeout:?} waiting for {what}; gateway {:?}", self.gateway_counts());
            }
        }
    }

    /// `(identifies, resumes, heartbeats)` so far.
    pub fn gateway_counts(&self) -> (u32, u32, u32) {
        let g = self.shared.gateway.lock().unwrap();
        (g.identifies, g.resumes, g.heartbeats)
    }

    /// Method, path and status of every request, for failure messages.
    pub fn summary(&self) -> Vec<String> {
        self.requests().iter().map(|r| format!("{} {} -> {}", r.method, r.path, r.status)).collect()
    }

    /// Answers the next `times` matching requests with `status` instead of serving them.
    pub fn inject(&self, method: &'static str, path_contains: &str, status: u16, retry_after: f64, times: u32) {
        self.shared.injected.lock().unwrap().push(Injected {
            method,
            path_contains: path_contains.to_owned(),
            status,
            retry_after,
            times,
        });
    }

    /// Holds the next request matching `method` and `path_contains`: it is recorded (status
    /// 0), the message created first when `create` is set, and never answered.
    pub fn hold(&self, method: &'static str, path_contains: &str, create: bool) {
        let hold = channels::Hold { method, path_contains: path_contains.to_owned(), create };
        self.shared.channels.lock().unwrap().holds.push(hold);
    }

    /// The messages in a channel, oldest first, as `GET /messages` returns them.
    pub fn messages_in(&self, channel_id: u64) -> Vec<Value> {
        channels::messages_in(&self.shared.channels.lock().unwrap(), channel_id)
    }

    /// Sends a dispatch to the session of the shard it belongs to (its guild's; shard 0 for a
    /// DM), or queues it for replay on RESUME while that session is not connected.
    pub fn dispatch(&self, event: &str, data: Value) {
        gateway::dispatch(&self.shared, event, data);
    }

    /// Makes the bot a member of `guilds` instead of [`payloads::GUILD_ID`]: each shard's
    /// READY lists those that belong to it, and their GUILD_CREATEs follow.
    pub fn set_guilds(&self, guilds: &[u64]) {
        self.shared.gateway.lock().unwrap().guilds = guilds.to_vec();
    }

    /// Every IDENTIFY so far.
    pub fn identified(&self) -> Vec<gateway::Identified> {
        self.shared.gateway.lock().unwrap().identified.clone()
    }

    /// Every dispatch so far, with the shard it went to.
    pub fn dispatched(&self) -> Vec<gateway::Dispatched> {
        self.shared.gateway.lock().unwrap().dispatched.clone()
    }

    /// Sends op 7 RECONNECT to every session; dispatches until the RESUME are queued for replay.
    pub fn reconnect(&self) {
        gateway::control(&self.shared, gateway::Control::Reconnect);
    }

    /// Sends op 9 INVALID_SESSION (not resumable) to every session: serenity must identify afresh.
    pub fn invalid_session(&self) {
        gateway::control(&self.shared, gateway::Control::InvalidSession);
    }

    /// Stops acknowledging heartbeats until the next session, as a zombied connection would.
    pub fn withhold_acks(&self) {
        self.shared.gateway.lock().unwrap().withhold_acks = true;
    }

    /// Makes the gateway unreachable (new connections are closed at once) and drops the
    /// current one.
    pub fn go_down(&self) {
        self.shared.gateway.lock().unwrap().refuse = true;
        self.drop_socket();
    }

    /// Drops every session's TCP connection without a close frame.
    pub fn drop_socket(&self) {
        gateway::control(&self.shared, gateway::Control::Drop);
    }
}

impl Shared {
    pub fn notify(&self) {
        self.changed.notify_waiters();
    }
}
