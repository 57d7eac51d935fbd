//! The one real [`Fetch`]: reqwest, the HTTP client serenity already brings, with a timeout, a
//! size cap read as the body streams in, and redirects kept to https (or loopback http).

use std::time::Duration;

use reqwest::header::{HeaderValue, ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};

use super::{Fetch, FetchError, Response};
use crate::sources::remote::{is_loopback, ExportUrl, Validators};

/// How long one fetch may take, connecting and reading the whole body included.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Redirects followed at most: exports sit behind one or two (http → https, a CDN).
const REDIRECTS_MAX: usize = 5;

/// Fetches exports over HTTP(S).
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    cap: u64,
}

impl Http {
    /// A client whose fetches give up after `timeout` and refuse bodies over `cap` bytes
    /// (`import::limits::FILE_MAX` in the bot: the most any export file may hold).
    pub fn new(timeout: Duration, cap: u64) -> Result<Http, String> {
        let redirects = reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= REDIRECTS_MAX {
                attempt.error("too many redirects")
            } else if attempt.url().scheme() == "https" || is_loopback(attempt.url()) {
                attempt.follow()
            } else {
                attempt.error("a redirect to plain http")
            }
        });
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(redirects)
            .user_agent(concat!("confbot/", env!("CARGO_PKG_VERSION"), " (schedule sync)"))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {}", describe(e)))?;
        Ok(Http { client, cap })
    }
}

impl Fetch for Http {
    async fn get(&self, url: &ExportUrl, validators: &Validators) -> Result<Response, FetchError> {
        let mut request = self.client.get(url.expose().clone());
        // Validators come from a file on disk: one that is no valid header value is not sent.
        let value = |v: &Option<String>| v.as_deref().and_then(|v| HeaderValue::from_str(v).ok());
        if let Some(etag) = value(&validators.etag) {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = value(&validators.last_modified) {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        let mut response = request.send().await.map_err(error)?;
        let header = |name| response.headers().get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
        let validators = Validators { etag: header(ETAG), last_modified: header(LAST_MODIFIED) };
        let status = response.status().as_u16();
        if !response.status().is_success() {
            return Ok(Response { status, validators, body: Vec::new() });
        }
        if response.content_length().is_some_and(|n| n > self.cap) {
            return Err(FetchError::TooLarge(self.cap));
        }
        // Streamed with the cap checked on every chunk: a server that lies about the length,
        // or sends none, cannot make confbot hold more than `cap` bytes.
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(error)? {
            if (body.len() + chunk.len()) as u64 > self.cap {
                return Err(FetchError::TooLarge(self.cap));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Response { status, validators, body })
    }
}

fn error(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else {
        FetchError::Network(describe(e))
    }
}

/// A reqwest error and its causes, without the URL: reqwest's own message names the whole
/// URL, query string (and any token in it) included.
fn describe(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
