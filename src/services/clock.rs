//! Where "now" comes from: the system clock, or in tests a virtual one that follows tokio's
//! paused time.

use chrono::{DateTime, Duration, Utc};

/// Where "now" comes from. `Virtual` follows tokio's clock from a given UTC instant, so tests
/// with `tokio::time::pause()` run days in milliseconds.
#[derive(Debug, Clone, Copy)]
pub enum Clock {
    System,
    Virtual { start_utc: DateTime<Utc>, start: tokio::time::Instant },
}

impl Clock {
    /// A virtual clock reading `start_utc` now.
    pub fn starting_at(start_utc: DateTime<Utc>) -> Clock {
        Clock::Virtual { start_utc, start: tokio::time::Instant::now() }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Virtual { start_utc, start } => {
                *start_utc + Duration::from_std(start.elapsed()).unwrap_or_else(|_| Duration::zero())
            }
        }
    }
}
