//! The timetable: every talk that has a time, in start order, and what is on at an instant.
//!
//! A session without a duration or an end still needs one to be "on now": it is taken to run
//! until the next session in its room starts, and for at most [`ASSUMED_LENGTH`]. Only "on
//! now" uses that guess; every answer that shows an end shows the catalogue's own.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{Conference, Talk, TalkIx};

/// How long a session without a duration or an end is taken to last, at most.
pub const ASSUMED_LENGTH: Duration = Duration::hours(1);

/// A talk with a time, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub talk: TalkIx,
    pub start: DateTime<Utc>,
    /// The end the catalogue gives, else the assumed one (see the module's notes).
    pub until: DateTime<Utc>,
    pub day: NaiveDate,
}

#[derive(Debug, Default)]
pub struct Timetable {
    /// By start, then room (in its conference's order), then title.
    sessions: Vec<Session>,
    /// The longest session: no session that started longer ago than this is still on.
    longest: Duration,
    /// Each talk's place in `sessions`, if it has a time.
    by_talk: Vec<Option<usize>>,
    /// Each conference's days with sessions, in order.
    days: Vec<Vec<NaiveDate>>,
}

impl Timetable {
    pub fn build(conferences: &[Conference], talks: &[Talk]) -> Timetable {
        let room_rank = |t: &Talk| {
            t.room
                .as_ref()
                .and_then(|r| conferences[t.conference].rooms.iter().position(|x| x == r))
                .unwrap_or(usize::MAX)
        };
        let mut timed: Vec<TalkIx> = (0..talks.len()).filter(|&t| talks[t].slot.is_some()).collect();
        let start = |t: TalkIx| talks[t].slot.map(|s| s.start.with_timezone(&Utc));
        timed.sort_by(|&a, &b| {
            (start(a), talks[a].conference, room_rank(&talks[a]), &talks[a].title).cmp(&(
                start(b),
                talks[b].conference,
                room_rank(&talks[b]),
                &talks[b].title,
            ))
        });
        let mut sessions: Vec<Session> = timed
            .iter()
            .filter_map(|&t| {
                let slot = talks[t].slot?;
                let start = slot.start.with_timezone(&Utc);
                let until = slot.end.map_or(start + ASSUMED_LENGTH, |e| e.with_timezone(&Utc));
                Some(Session { talk: t, start, until, day: slot.day })
            })
            .collect();
        // Cut an assumed end at the next start in the same room.
        let mut next_in_room: std::collections::HashMap<(usize, &str), DateTime<Utc>> = Default::default();
        for s in sessions.iter_mut().rev() {
            let talk = &talks[s.talk];
            let Some(room) = talk.room.as_deref() else { continue };
            let key = (talk.conference, room);
            if talk.slot.is_some_and(|slot| slot.end.is_none()) {
                if let Some(&next) = next_in_room.get(&key) {
                    if next > s.start {
                        s.until = s.until.min(next);
                    }
                }
            }
            next_in_room.insert(key, s.start);
        }
        let longest = sessions.iter().map(|s| s.until - s.start).max().unwrap_or_default();
        let mut by_talk = vec![None; talks.len()];
        for (ix, s) in sessions.iter().enumerate() {
            by_talk[s.talk] = Some(ix);
        }
        let mut days = vec![Vec::new(); conferences.len()];
        for s in &sessions {
            days[talks[s.talk].conference].push(s.day);
        }
        for d in &mut days {
            d.sort_unstable();
            d.dedup();
        }
        Timetable { sessions, longest, by_talk, days }
    }

    /// Every session, in order.
    pub fn all(&self) -> &[Session] {
        &self.sessions
    }

    /// The sessions on at `at`: started, not yet ended.
    pub fn on_at(&self, at: DateTime<Utc>) -> impl Iterator<Item = &Session> {
        let from = self.sessions.partition_point(|s| s.start < at - self.longest);
        let to = self.sessions.partition_point(|s| s.start <= at);
        self.sessions[from..to].iter().filter(move |s| s.until > at)
    }

    /// The sessions that start after `at`, in order.
    pub fn after(&self, at: DateTime<Utc>) -> &[Session] {
        &self.sessions[self.sessions.partition_point(|s| s.start <= at)..]
    }

    /// The days a conference's sessions are on, in order; empty when it has no schedule.
    pub fn days(&self, conference: usize) -> &[NaiveDate] {
        self.days.get(conference).map_or(&[], Vec::as_slice)
    }

    /// A talk's session, if it has a time.
    pub fn of_talk(&self, talk: TalkIx) -> Option<&Session> {
        self.by_talk.get(talk).copied().flatten().map(|ix| &self.sessions[ix])
    }
}
