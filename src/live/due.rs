//! What is due at an instant: announcements before each session, and reminders before each
//! bookmarked talk.
//!
//! An announcement is due from `minutes_before` its start until the start itself, and never
//! after: a bot that was down over that window does not announce a session that has begun
//! (it would be news of the past), and says so in its log. The same rule holds for reminders.
//! Sessions that start in the same minute, for the same channel, are one message.

use chrono::{DateTime, Duration, Utc};

use crate::catalogue::timetable::Session;
use crate::catalogue::{Catalogue, TalkIx};

/// A server following one conference's programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Following {
    pub guild_id: u64,
    /// The conference's id.
    pub conference: String,
    /// The programme channel: every session is announced there.
    pub channel_id: u64,
    /// Rooms with a channel of their own: their sessions are announced there too.
    pub rooms: Vec<(String, u64)>,
    pub minutes_before: u32,
}

/// One message to post: the sessions starting at `start`, for one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announcement {
    pub guild_id: u64,
    pub channel_id: u64,
    pub start: DateTime<Utc>,
    pub talks: Vec<TalkIx>,
}

/// A bookmark's reminder that is due: DM `user_id` about `talk`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reminder {
    pub user_id: u64,
    pub talk: TalkIx,
    pub start: DateTime<Utc>,
}

/// Whether `now` is in a session's announcement window: from `minutes` before its start until
/// the start.
fn in_window(s: &Session, minutes: u32, now: DateTime<Utc>) -> bool {
    s.start - Duration::minutes(i64::from(minutes)) <= now && now < s.start
}

/// The sessions a following covers, starting after `now` and within `minutes_before`.
fn upcoming<'a>(c: &'a Catalogue, f: &'a Following, now: DateTime<Utc>) -> impl Iterator<Item = &'a Session> {
    let conference = c.conference_by_id(&f.conference);
    c.timetable
        .after(now)
        .iter()
        .take_while(move |s| s.start - Duration::minutes(i64::from(f.minutes_before)) <= now)
        .filter(move |s| Some(c.talks[s.talk].conference) == conference)
}

/// Every announcement due at `now`, one per (server, channel, start), sessions in the
/// timetable's order. What was already sent is the store's to know.
pub fn announcements(c: &Catalogue, following: &[Following], now: DateTime<Utc>) -> Vec<Announcement> {
    let mut due: Vec<Announcement> = Vec::new();
    for f in following {
        for s in upcoming(c, f, now).filter(|s| in_window(s, f.minutes_before, now)) {
            let room = c.talks[s.talk].room.as_deref();
            let room_channel = f.rooms.iter().find(|(r, _)| Some(r.as_str()) == room).map(|(_, ch)| *ch);
            for channel in std::iter::once(f.channel_id).chain(room_channel.filter(|&ch| ch != f.channel_id)) {
                match due.iter_mut().find(|a| a.guild_id == f.guild_id && a.channel_id == channel && a.start == s.start)
                {
                    Some(a) => a.talks.push(s.talk),
                    None => due.push(Announcement {
                        guild_id: f.guild_id,
                        channel_id: channel,
                        start: s.start,
                        talks: vec![s.talk],
                    }),
                }
            }
        }
    }
    due
}

/// When the next announcement window opens after `now`, if any session is still to come.
pub fn next_announcement(c: &Catalogue, following: &[Following], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    following
        .iter()
        .filter_map(|f| {
            let conference = c.conference_by_id(&f.conference)?;
            let lead = Duration::minutes(i64::from(f.minutes_before));
            c.timetable
                .after(now)
                .iter()
                .filter(|s| c.talks[s.talk].conference == conference)
                .map(|s| s.start - lead)
                .find(|&opens| opens > now)
        })
        .min()
}

/// A user's bookmark, with their lead time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bookmark {
    pub user_id: u64,
    pub talk_id: String,
    pub minutes_before: u32,
}

/// The reminders due at `now`: bookmarked talks that start within their user's lead time.
pub fn reminders(c: &Catalogue, bookmarks: &[Bookmark], now: DateTime<Utc>) -> Vec<Reminder> {
    bookmarks
        .iter()
        .filter_map(|b| {
            let talk = c.talk_by_id(&b.talk_id)?;
            let s = c.timetable.of_talk(talk)?;
            in_window(s, b.minutes_before, now).then_some(Reminder { user_id: b.user_id, talk, start: s.start })
        })
        .collect()
}

/// When the next reminder window opens after `now`.
pub fn next_reminder(c: &Catalogue, bookmarks: &[Bookmark], now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    bookmarks
        .iter()
        .filter_map(|b| {
            let s = c.timetable.of_talk(c.talk_by_id(&b.talk_id)?)?;
            let opens = s.start - Duration::minutes(i64::from(b.minutes_before));
            (opens > now).then_some(opens)
        })
        .min()
}
