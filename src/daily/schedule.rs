//! A daily schedule: where and at what local time a server's highlight goes out, which local
//! day it is, and the UTC instant a local day's post is due (see [`posting_instant`]).

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;

use crate::zones::posting_instant;

/// One server's daily post: where, when (local wall-clock time in an IANA zone), and what.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    pub guild_id: u64,
    pub channel_id: u64,
    pub time: NaiveTime,
    pub zone: Tz,
    /// Topic id: only items of this topic.
    pub topic: Option<String>,
    /// Conference id: only items of this conference.
    pub conference: Option<String>,
    pub enabled: bool,
}

impl Schedule {
    /// The local calendar date at `now` in the schedule's zone.
    pub fn local_date(&self, now: DateTime<Utc>) -> NaiveDate {
        now.with_timezone(&self.zone).date_naive()
    }

    /// When the post for local `date` is due. See [`posting_instant`].
    pub fn instant(&self, date: NaiveDate) -> DateTime<Utc> {
        posting_instant(self.zone, date, self.time)
    }

    /// The first local date whose posting instant is strictly after `after`, with that instant.
    pub fn next_after(&self, after: DateTime<Utc>) -> (NaiveDate, DateTime<Utc>) {
        // The local date at `after` is at most one day away from the answer either way, so a
        // short walk from the day before always finds it.
        let mut date = self.local_date(after).pred_opt().unwrap_or(NaiveDate::MIN);
        loop {
            let at = self.instant(date);
            if at > after {
                return (date, at);
            }
            date = date.succ_opt().unwrap_or(NaiveDate::MAX);
        }
    }

    /// "09:00 Europe/Berlin".
    pub fn when(&self) -> String {
        format!("{} {}", self.time.format("%H:%M"), self.zone.name())
    }
}

/// 09:00 in Berlin, guild 1, channel 2: the schedule unit tests use.
#[cfg(test)]
pub(crate) fn berlin_nine() -> Schedule {
    Schedule {
        guild_id: 1,
        channel_id: 2,
        time: crate::zones::parse_time("09:00").unwrap_or_default(),
        zone: chrono_tz::Europe::Berlin,
        topic: None,
        conference: None,
        enabled: true,
    }
}

/// Where a schedule's settings came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Config,
    Discord,
}

/// A stored schedule with its bookkeeping.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub schedule: Schedule,
    pub origin: Origin,
    /// `/daily now` asked for this local date's post to go out at once.
    pub post_now_for: Option<NaiveDate>,
    /// When the schedule was last switched on. A posting time before it is not owed: a
    /// schedule set at 13:00 for 09:00 starts tomorrow rather than posting at once.
    pub active_since: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn next_after_is_strictly_later() {
        let s = berlin_nine();
        let cases = [
            ("2024-06-01T06:59:59Z", "2024-06-01", "2024-06-01T07:00:00Z"),
            ("2024-06-01T07:00:00Z", "2024-06-02", "2024-06-02T07:00:00Z"),
            ("2024-06-01T23:30:00Z", "2024-06-02", "2024-06-02T07:00:00Z"),
        ];
        for (after, date, want) in cases {
            assert_eq!(s.next_after(utc(after)), (date.parse().unwrap(), utc(want)), "{after}");
        }
    }
}
