//! The decision, as a pure function of "now", a schedule and the log: wait, post for a local
//! date, or finish an unfinished intent. Everything the delivery loop does starts here.
//!
//! The rules: a local date gets at most one row in the log (SQLite enforces it too). A schedule
//! whose posting time has passed today with no row posts now — so a bot that was down at the
//! posting time posts on start if it is still the same local day — and a day that has ended is
//! never posted late, so downtime never floods missed days.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Entry, PostRecord, Schedule, Status};

/// What to do about a schedule or an unfinished intent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing before this instant.
    Wait(DateTime<Utc>),
    /// Log an intent for this local date and send it; `late` when the bot missed the time.
    Post { date: NaiveDate, late: bool },
    /// Today's intent is unfinished: look for the message, and send it (same nonce) if absent.
    Resume,
    /// A past day's intent is unfinished: look for the message; if absent the day is missed.
    Close,
}

/// A post later than this after its time is logged as late (the bot was not running).
pub const LATE_AFTER: Duration = Duration::minutes(2);

/// What to do for a stored schedule at `now`, given its log row for today's local date.
pub fn decide(now: DateTime<Utc>, entry: &Entry, today: Option<&PostRecord>) -> Action {
    let schedule = &entry.schedule;
    let date = schedule.local_date(now);
    let tomorrow = || schedule.instant(date.succ_opt().unwrap_or(date));
    match today {
        Some(post) if post.status == Status::Pending => match post.next_attempt_at {
            Some(at) if at > now => Action::Wait(at),
            _ => Action::Resume,
        },
        // Sent, refused or missed: today is settled.
        Some(_) => Action::Wait(tomorrow()),
        None if !schedule.enabled => Action::Wait(tomorrow()),
        None => {
            let due = schedule.instant(date);
            if entry.post_now_for == Some(date) {
                Action::Post { date, late: false }
            } else if due < entry.active_since {
                Action::Wait(tomorrow())
            } else if now >= due {
                Action::Post { date, late: now - due > LATE_AFTER }
            } else {
                Action::Wait(due)
            }
        }
    }
}

/// What to do about an unfinished intent found in the log. `schedule` is the guild's current
/// schedule (its zone says which local day it is), if it still has one.
pub fn decide_pending(now: DateTime<Utc>, schedule: Option<&Schedule>, post: &PostRecord) -> Action {
    let ended = schedule.is_none_or(|s| post.local_date < s.local_date(now));
    if ended {
        return Action::Close;
    }
    match post.next_attempt_at {
        Some(at) if at > now => Action::Wait(at),
        _ => Action::Resume,
    }
}

/// How long to wait before attempt `attempts + 1` after a transient failure: 2 s doubling to
/// 15 minutes, never sooner than the server's retry-after.
pub fn backoff(attempts: u32, retry_after: Option<std::time::Duration>) -> Duration {
    let exponential = Duration::seconds(2i64.saturating_pow(attempts.min(20) + 1)).min(Duration::minutes(15));
    let asked = retry_after.and_then(|d| Duration::from_std(d).ok()).unwrap_or_else(Duration::zero);
    exponential.max(asked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daily::schedule::berlin_nine;
    use crate::daily::Origin;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn entry(schedule: Schedule) -> Entry {
        Entry { schedule, origin: Origin::Config, post_now_for: None, active_since: utc("2024-01-01T00:00:00Z") }
    }

    fn row(date: &str, status: Status, next: Option<&str>) -> PostRecord {
        PostRecord {
            id: 1,
            guild_id: 1,
            local_date: date.parse().unwrap(),
            channel_id: 2,
            item: "insight:a".into(),
            cycle: 0,
            position: 1,
            total: 4,
            nonce: "n".into(),
            payload: "{}".into(),
            status,
            message_id: None,
            error: None,
            attempts: 0,
            late: false,
            intended_at: utc("2024-06-01T07:00:00Z"),
            next_attempt_at: next.map(utc),
            finished_at: None,
        }
    }

    #[test]
    fn decisions() {
        let s = berlin_nine();
        let june1: NaiveDate = "2024-06-01".parse().unwrap();
        let sent = row("2024-06-01", Status::Sent, None);
        let pending = row("2024-06-01", Status::Pending, None);
        let backing_off = row("2024-06-01", Status::Pending, Some("2024-06-01T07:00:30Z"));
        let cases: [(&str, Option<&PostRecord>, Option<NaiveDate>, Action); 9] = [
            ("2024-06-01T06:00:00Z", None, None, Action::Wait(utc("2024-06-01T07:00:00Z"))),
            ("2024-06-01T07:00:00Z", None, None, Action::Post { date: june1, late: false }),
            // Down at 09:00, started at 09:01:59 and at 23:00 the same local day.
            ("2024-06-01T07:01:59Z", None, None, Action::Post { date: june1, late: false }),
            ("2024-06-01T21:00:00Z", None, None, Action::Post { date: june1, late: true }),
            // 00:30 local on 2 June: 1 June is over and is not posted late.
            ("2024-06-01T22:30:00Z", None, None, Action::Wait(utc("2024-06-02T07:00:00Z"))),
            ("2024-06-01T08:00:00Z", Some(&sent), None, Action::Wait(utc("2024-06-02T07:00:00Z"))),
            ("2024-06-01T07:00:10Z", Some(&pending), None, Action::Resume),
            ("2024-06-01T07:00:10Z", Some(&backing_off), None, Action::Wait(utc("2024-06-01T07:00:30Z"))),
            // /daily now before the posting time.
            ("2024-06-01T05:00:00Z", None, Some(june1), Action::Post { date: june1, late: false }),
        ];
        for (now, today, post_now, want) in cases {
            let e = Entry { post_now_for: post_now, ..entry(s.clone()) };
            assert_eq!(decide(utc(now), &e, today), want, "{now}");
        }
        let off = entry(Schedule { enabled: false, ..berlin_nine() });
        assert!(matches!(decide(utc("2024-06-01T08:00:00Z"), &off, None), Action::Wait(_)));
        // Switched on at 10:00 local, after the 09:00 posting time: today is not owed.
        let new = Entry { active_since: utc("2024-06-01T08:00:00Z"), ..entry(s.clone()) };
        assert_eq!(decide(utc("2024-06-01T08:00:00Z"), &new, None), Action::Wait(utc("2024-06-02T07:00:00Z")));
        let asked = Entry { post_now_for: Some(june1), ..new };
        assert_eq!(decide(utc("2024-06-01T08:00:00Z"), &asked, None), Action::Post { date: june1, late: false });
    }

    #[test]
    fn unfinished_intents() {
        let s = berlin_nine();
        let pending = row("2024-06-01", Status::Pending, None);
        assert_eq!(decide_pending(utc("2024-06-01T12:00:00Z"), Some(&s), &pending), Action::Resume);
        assert_eq!(decide_pending(utc("2024-06-01T22:00:00Z"), Some(&s), &pending), Action::Close);
        assert_eq!(decide_pending(utc("2024-06-01T12:00:00Z"), None, &pending), Action::Close);
    }

    #[test]
    fn backoff_doubles_to_a_cap_and_honours_retry_after() {
        assert_eq!(backoff(0, None), Duration::seconds(2));
        assert_eq!(backoff(3, None), Duration::seconds(16));
        assert_eq!(backoff(30, None), Duration::minutes(15));
        assert_eq!(backoff(0, Some(std::time::Duration::from_secs(40))), Duration::seconds(40));
    }
}
