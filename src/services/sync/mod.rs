//! Synced exports: each URL in `data` is fetched again every `refresh`, with conditional GETs,
//! and a changed export goes live through the bot's one reload path, the same as `/reload`
//! and SIGHUP, so whatever watches catalogue swaps sees it.
//!
//! A fetch's body is adopted only after the whole catalogue loads and validates with it in
//! place (staged in a folder beside the copy); then it becomes the copy on disk, with its
//! validators, and the reload reads it like any local export. Anything else — a network error,
//! a timeout, a non-2xx status, a body over the cap, one that is no export, one that does not
//! validate — keeps the last good copy and the catalogue being served, is logged (host and path,
//! never the query), and pushes the next try back ([`remote::backoff`]). A 304, or a body equal
//! to the copy byte for byte, changes nothing and reloads nothing.
//!
//! # Layout
//! - this file: the [`Exports`] state, one [`Exports::poll`], the loop [`run`], and [`prime`] at start-up;
//! - [`http`]: the real [`Fetch`], on reqwest.
//!
//! Time is passed in: [`Exports::poll`] takes "now" and [`Exports::next_due`] says when to call it
//! again, so tests step through hours of backoff without sleeping.

pub mod http;

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use crate::catalogue::{Counts, LoadError, Problem};
use crate::sources::remote::{self, ExportUrl, Remote, Validators};
use crate::sources::{self, Source};

pub use http::Http;

/// An HTTP answer as the sync needs it: the status, the validators, and for a 2xx the body
/// (at most the fetcher's cap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub validators: Validators,
    pub body: Vec<u8>,
}

/// Why a fetch gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchError {
    #[error("no answer within the timeout")]
    Timeout,
    #[error("the export is larger than the cap of {0} bytes")]
    TooLarge(u64),
    /// What the network said, with no URL in it.
    #[error("{0}")]
    Network(String),
}

/// The HTTP GET, behind a seam: [`Http`] in the bot, anything scripted in a test.
pub trait Fetch: Send + Sync {
    /// GETs `url`, sending `validators` as `If-None-Match` / `If-Modified-Since`.
    fn get(
        &self,
        url: &ExportUrl,
        validators: &Validators,
    ) -> impl Future<Output = Result<Response, FetchError>> + Send;
}

/// The reload path a changed export goes through (`Bot::reload` in the bot).
pub trait Reload: Send + Sync {
    fn reload(&self, why: String) -> impl Future<Output = Result<Counts, LoadError>> + Send;
}

/// What one fetch of one URL came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Polled {
    /// 304 Not Modified: the copy is current.
    NotModified,
    /// A 2xx with the very bytes already on disk: new validators saved, nothing reloaded.
    Same,
    /// A new export: validated, saved, and handed to the reload.
    Changed,
    /// The last good copy stays; why, and how long until the next try.
    Failed { why: String, retry_in: Duration },
}

/// One URL source and where its fetching stands.
#[derive(Debug)]
struct Tracked {
    remote: Remote,
    validators: Validators,
    /// Failures in a row; 0 after any success.
    failures: u32,
    due: Instant,
}

/// The URL sources of a catalogue, and when each is next fetched.
pub struct Exports<F> {
    fetch: F,
    refresh: Duration,
    /// Every source of the catalogue: a fetched export is validated together with the others.
    sources: Vec<Source>,
    tracked: Vec<Tracked>,
}

impl<F: Fetch> Exports<F> {
    /// Tracks the URL sources among `sources`, each due at `now`: the first fetch after a start
    /// is at once, and conditional on the validators saved with the copy.
    pub fn new(fetch: F, refresh: Duration, sources: Vec<Source>, now: Instant) -> Exports<F> {
        let tracked = sources
            .iter()
            .filter_map(|s| match s {
                Source::Remote(remote) => {
                    Some(Tracked { remote: remote.clone(), validators: remote.validators(), failures: 0, due: now })
                }
                _ => None,
            })
            .collect();
        Exports { fetch, refresh, sources, tracked }
    }

    /// When the next fetch is due; `None` when there is nothing to sync.
    pub fn next_due(&self) -> Option<Instant> {
        self.tracked.iter().map(|t| t.due).min()
    }

    /// Fetches every URL due at `now`, one after the other, and reloads through `reload`
    /// after each change. Returns what each came to.
    pub async fn poll(&mut self, now: Instant, reload: &impl Reload) -> Vec<(ExportUrl, Polled)> {
        let mut done = Vec::new();
        for i in 0..self.tracked.len() {
            if self.tracked[i].due > now {
                continue;
            }
            let polled = match self.fetch_one(i).await {
                Ok(polled) => {
                    let t = &mut self.tracked[i];
                    if t.failures > 0 {
                        tracing::info!(
                            "sync of {}: answering again after {} failed fetch(es)",
                            t.remote.url,
                            t.failures
                        );
                    }
                    t.failures = 0;
                    t.due = now + self.refresh;
                    polled
                }
                Err(why) => {
                    let t = &mut self.tracked[i];
                    t.failures = t.failures.saturating_add(1);
                    let retry_in = remote::backoff(self.refresh, t.failures, fastrand::f64());
                    t.due = now + retry_in;
                    tracing::warn!(
                        "sync of {}: {why}; keeping the last good copy (failure {} in a row, next try in {}s)",
                        t.remote.url,
                        t.failures,
                        retry_in.as_secs()
                    );
                    Polled::Failed { why, retry_in }
                }
            };
            if polled == Polled::Changed {
                let url = &self.tracked[i].remote.url;
                // Bot::reload logs the outcome; a failure there (a local file broken meanwhile)
                // keeps the served catalogue, and the new copy is picked up by the next reload.
                let _ = reload.reload(format!("sync of {url}")).await;
            }
            done.push((self.tracked[i].remote.url.clone(), polled));
        }
        done
    }

    /// One conditional GET, and adopting what it brings. `Err` says why nothing was adopted.
    async fn fetch_one(&mut self, i: usize) -> Result<Polled, String> {
        let t = &self.tracked[i];
        let response = self.fetch.get(&t.remote.url, &t.validators).await.map_err(|e| e.to_string())?;
        match response.status {
            304 => {
                tracing::debug!("sync of {}: not modified", t.remote.url);
                return Ok(Polled::NotModified);
            }
            200..=299 => {}
            status => return Err(format!("the server answered HTTP {status}")),
        }
        if let Some(why) = remote::not_an_export(&response.body) {
            return Err(why);
        }
        let remote = t.remote.clone();
        if remote.read_copy().is_some_and(|copy| copy == response.body) {
            // Same bytes under new validators (a server without ETags, a regenerated file):
            // keep the validators so the next GET can be a 304, and reload nothing.
            if response.validators != t.validators {
                remote.save_validators(&response.validators).map_err(|e| format!("cannot save: {e}"))?;
                self.tracked[i].validators = response.validators;
            }
            tracing::debug!("sync of {}: unchanged", remote.url);
            return Ok(Polled::Same);
        }
        let staging = remote.stage(&response.body).map_err(|e| format!("cannot stage the new copy: {e}"))?;
        let with_new: Vec<Source> = self
            .sources
            .iter()
            .map(|s| match s {
                Source::Remote(r) if *r == remote => Source::Path(staging.clone()),
                other => other.clone(),
            })
            .collect();
        let checked = tokio::task::spawn_blocking(move || sources::load(&with_new).map(|c| c.counts())).await;
        let adopted = match checked {
            Ok(Ok(_)) => remote.save(&response.body, &response.validators).map_err(|e| format!("cannot save: {e}")),
            Ok(Err(e)) => {
                Err(format!("the new export does not validate ({} problem(s)): {}", e.problems.len(), first(&e)))
            }
            Err(e) => Err(format!("validating the new export stopped: {e}")),
        };
        remote.unstage();
        adopted?;
        tracing::info!("sync of {}: a new export ({} bytes)", remote.url, response.body.len());
        self.tracked[i].validators = response.validators;
        Ok(Polled::Changed)
    }
}

/// The first problem, for a log line (the rest come with `confbot check`).
fn first(e: &LoadError) -> String {
    e.problems.first().map_or_else(String::new, |p| p.to_string().lines().next().unwrap_or("").to_owned())
}

/// Fetches, before the first load, every URL source that has no copy on disk yet, so that a
/// first start has something to serve. Each failure is a located problem, as a missing data
/// file would be. Returns the copies written, to [`Remote::forget`] if the load then fails:
/// a copy on disk must be one that loaded, or the next start would serve it without asking.
pub async fn prime(fetch: &impl Fetch, remotes: &[Remote]) -> Result<Vec<Remote>, LoadError> {
    let mut primed = Vec::new();
    let mut problems = Vec::new();
    for remote in remotes.iter().filter(|r| !r.has_copy()) {
        let fetched = match fetch.get(&remote.url, &Validators::default()).await {
            Ok(r) if (200..300).contains(&r.status) => match remote::not_an_export(&r.body) {
                None => remote.save(&r.body, &r.validators).map_err(|e| format!("cannot save its copy: {e}")),
                Some(why) => Err(why),
            },
            Ok(r) => Err(format!("the server answered HTTP {}", r.status)),
            Err(e) => Err(e.to_string()),
        };
        match fetched {
            Ok(()) => {
                tracing::info!("fetched {} for the first time", remote.url);
                primed.push(remote.clone());
            }
            Err(why) => problems.push(Problem {
                file: remote.url.to_string(),
                position: None,
                message: format!("cannot fetch the export: {why}"),
                hint: Some("check the URL and the network; once fetched, a copy is kept and served offline".into()),
            }),
        }
    }
    if problems.is_empty() {
        Ok(primed)
    } else {
        for remote in &primed {
            remote.forget();
        }
        Err(LoadError { problems })
    }
}

/// Fetches each URL when due, for as long as the task runs. Dropping it at any point is safe:
/// every file is written atomically, and a staged body is only a candidate.
pub async fn run<F: Fetch>(mut sync: Exports<F>, reload: impl Reload) {
    while let Some(due) = sync.next_due() {
        tokio::time::sleep_until(due).await;
        sync.poll(Instant::now(), &reload).await;
    }
}
