//! Background work (the daily scheduler) started once per process.
//!
//! `ready` fires again after every shard restart; registration may repeat, background loops
//! must not. Jobs are handed a [`Poster`] — confbot's own way to post a message to a channel —
//! so they never name a serenity type.

use std::sync::{Arc, Mutex};

use serenity::http::Http;
use serenity::model::id::ChannelId;
use tokio::sync::watch;

use super::retry;
use crate::reply::Message;

/// A job started on the first `ready`. It should spawn its loop and return at once, and stop
/// when [`Poster::closing`] resolves.
pub type Job = Box<dyn FnOnce(Poster) + Send>;

/// Posts messages through the retry layer.
#[derive(Clone)]
pub struct Poster {
    http: Arc<Http>,
    closing: watch::Receiver<bool>,
}

/// Why a post failed after the retry layer gave up (already logged once).
#[derive(Debug, thiserror::Error)]
#[error("posting to channel {channel} failed: {detail}")]
pub struct PostError {
    pub channel: u64,
    pub detail: String,
}

impl Poster {
    /// Sends `message` (already within Discord's limits: it comes from `reply::render`).
    pub async fn post(&self, channel: u64, message: &Message) -> Result<(), PostError> {
        if channel == 0 {
            return Err(PostError { channel, detail: "0 is not a channel id".into() });
        }
        let id = ChannelId::new(channel);
        retry::send("post to channel", || self.http.send_message(id, Vec::new(), message))
            .await
            .map(|_| ())
            .map_err(|e| PostError { channel, detail: retry::describe(&e) })
    }

    /// Resolves when the bot is shutting down.
    pub async fn closing(&self) {
        let mut rx = self.closing.clone();
        let _ = rx.wait_for(|closing| *closing).await;
    }
}

/// The jobs, taken out on the first start.
pub struct Background {
    jobs: Mutex<Option<Vec<Job>>>,
    closing: watch::Sender<bool>,
}

impl Background {
    pub fn new(jobs: Vec<Job>) -> Background {
        Background { jobs: Mutex::new(Some(jobs)), closing: watch::Sender::new(false) }
    }

    /// Starts the jobs the first time it is called; later calls do nothing and return false.
    pub fn start_once(&self, http: Arc<Http>) -> bool {
        let Some(jobs) = self.jobs.lock().unwrap_or_else(|e| e.into_inner()).take() else {
            return false;
        };
        let poster = Poster { http, closing: self.closing.subscribe() };
        for job in jobs {
            job(poster.clone());
        }
        true
    }

    /// Tells every job to stop.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}
