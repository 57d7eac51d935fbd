//! The one retry layer every REST call goes through.
//!
//! With a custom API base serenity's rate limiter is off (it would ignore the base), so 429s
//! and server errors reach confbot. serenity drops the `retry-after` header, so a 429 waits at
//! least [`Policy::rate_limit`] and longer on each repeat; a 5xx or a transport error backs off
//! exponentially with jitter. Both are bounded. Any other 4xx is reported once and not retried:
//! repeating a bad request cannot make it good.

use std::future::Future;
use std::time::Duration;

use serenity::http::HttpError;

/// How patient the retry layer is.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// The first wait after a 429; doubled on each further 429.
    pub rate_limit: Duration,
    /// The first backoff after a 5xx or transport error; doubled each time, plus up to 50% jitter.
    pub backoff: Duration,
    /// No single wait is longer than this.
    pub max_wait: Duration,
    /// Attempts in all, including the first.
    pub attempts: u32,
}

/// Bounded so that an interaction answer still fits Discord's 15-minute token lifetime and
/// shutdown is not held up for long: 1 + 2 + 4 s at most for 429s.
pub const POLICY: Policy = Policy {
    rate_limit: Duration::from_secs(1),
    backoff: Duration::from_millis(200),
    max_wait: Duration::from_secs(4),
    attempts: 4,
};

/// What a failed attempt calls for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    RateLimited,
    /// 5xx, or no response at all.
    Transient,
    /// A 4xx other than 429, or an error no retry can fix (bad JSON, bad URL).
    Permanent,
}

/// Classifies a serenity error.
pub fn classify(error: &serenity::Error) -> Failure {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => match r.status_code.as_u16() {
            429 => Failure::RateLimited,
            500..=599 => Failure::Transient,
            _ => Failure::Permanent,
        },
        serenity::Error::Http(HttpError::Request(_)) => Failure::Transient,
        _ => Failure::Permanent,
    }
}

/// The wait before attempt `attempt + 1` (attempt counts from 0) after `failure`, or `None`
/// when it should not be retried. `jitter` is in [0, 1).
pub fn delay(policy: &Policy, failure: Failure, attempt: u32, jitter: f64) -> Option<Duration> {
    if attempt + 1 >= policy.attempts {
        return None;
    }
    let doubled = |base: Duration| base.saturating_mul(1 << attempt.min(16));
    let wait = match failure {
        Failure::RateLimited => doubled(policy.rate_limit),
        Failure::Transient => doubled(policy.backoff).mul_f64(1.0 + jitter / 2.0),
        Failure::Permanent => return None,
    };
    // A 429 never waits less than its own minimum, even if max_wait is set lower.
    let floor = if failure == Failure::RateLimited { policy.rate_limit } else { Duration::ZERO };
    Some(wait.min(policy.max_wait).max(floor))
}

/// Runs `call` until it succeeds, fails for good, or the policy gives up. `what` names the
/// call in logs (never the token or an interaction token).
pub async fn send<T, F, Fut>(what: &str, mut call: F) -> Result<T, serenity::Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, serenity::Error>>,
{
    let mut attempt = 0;
    loop {
        let error = match call().await {
            Ok(value) => return Ok(value),
            Err(e) => e,
        };
        let failure = classify(&error);
        match delay(&POLICY, failure, attempt, fastrand::f64()) {
            Some(wait) => {
                tracing::debug!(call = what, ?failure, attempt, ?wait, "retrying: {}", describe(&error));
                tokio::time::sleep(wait).await;
                attempt += 1;
            }
            None => {
                tracing::warn!(call = what, attempts = attempt + 1, "Discord refused: {}", describe(&error));
                return Err(error);
            }
        }
    }
}

/// An error as one log line: status, method and path, without query strings or tokens.
pub fn describe(error: &serenity::Error) -> String {
    match error {
        serenity::Error::Http(HttpError::UnsuccessfulRequest(r)) => {
            let path = url::Url::parse(&r.url).map(|u| redact_path(u.path())).unwrap_or_default();
            format!("{} {} {path}: {}", r.status_code.as_u16(), r.method, r.error.message)
        }
        other => other.to_string(),
    }
}

/// Interaction and webhook tokens sit in URL paths: keep them out of logs.
fn redact_path(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let after = |name: &str| i >= 2 && parts[i - 2] == name;
        if after("interactions") || after("webhooks") {
            out.push("…");
        } else {
            out.push(part);
        }
    }
    out.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_wait_at_least_a_second_and_grow() {
        let waits: Vec<_> = (0..4).map(|a| delay(&POLICY, Failure::RateLimited, a, 0.9)).collect();
        assert_eq!(
            waits,
            vec![Some(Duration::from_secs(1)), Some(Duration::from_secs(2)), Some(Duration::from_secs(4)), None]
        );
    }

    #[test]
    fn server_errors_back_off_with_jitter_within_bounds() {
        let low = delay(&POLICY, Failure::Transient, 1, 0.0).unwrap();
        let high = delay(&POLICY, Failure::Transient, 1, 0.99).unwrap();
        assert_eq!(low, Duration::from_millis(400));
        assert!(high > low && high < Duration::from_millis(600));
        assert!(delay(&POLICY, Failure::Transient, 3, 0.5).is_none());
    }

    #[test]
    fn other_client_errors_are_not_retried() {
        assert_eq!(delay(&POLICY, Failure::Permanent, 0, 0.0), None);
    }

    #[test]
    fn tokens_stay_out_of_paths() {
        assert_eq!(redact_path("/api/v10/interactions/123/tok/callback"), "/api/v10/interactions/123/…/callback");
        assert_eq!(
            redact_path("/api/v10/webhooks/1/tok/messages/@original"),
            "/api/v10/webhooks/1/…/messages/@original"
        );
    }
}
