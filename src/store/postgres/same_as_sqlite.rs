//! The same calls on a SQLite store and a PostgreSQL store give the same answers: the edge
//! cases of each area (refusals, conflicts, orders, limits, quirks) side by side. The generic
//! store tests cover the ordinary paths on both backends; these pin what differs between the
//! two databases (types, NULL order, upserts, sequences, `UPDATE OR IGNORE`).

// `same!` returns SQLite's answer for the calls whose result is used next; most only compare.
#![allow(unused_must_use)]

use chrono::{DateTime, Duration, Utc};

use super::{test_url, Postgres};
use crate::catalogue::InsightKind;
use crate::community::{Decision, Limits, NewSuggestion, Status as Review};
use crate::daily::{NewPost, Origin, Pick, Schedule, Status};
use crate::live::outbox::{Kind, NewOutgoing, Target};
use crate::live::{Following, Snapshot};
use crate::store::Store;
use crate::zones::parse_time;

/// Calls `method` on both stores and compares what they return, as text (errors included).
macro_rules! same {
    ($sqlite:ident, $pg:ident, $method:ident ( $($arg:expr),* $(,)? )) => {{
        let sqlite = $sqlite.$method($($arg),*);
        let pg = $pg.$method($($arg),*).await;
        assert_eq!(format!("{sqlite:?}"), format!("{pg:?}"), "{}", stringify!($method($($arg),*)));
        sqlite
    }};
}

/// Decks compared without their seed (drawn at random by each store) and as sets.
async fn same_deck(sqlite: &Store, pg: &Postgres, guild: u64) {
    let (a, b) = (sqlite.deck(guild).unwrap(), pg.deck(guild).await.unwrap());
    assert_eq!((a.cycle, a.shown, a.last), (b.cycle, b.shown, b.last), "deck of {guild}");
}

fn at(minutes: i64) -> DateTime<Utc> {
    // Off the millisecond, so both stores cut it.
    "2025-01-01T10:00:00.000700Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minutes)
}

async fn stores() -> Option<(Store, Postgres)> {
    let url = test_url()?;
    Some((Store::open_in_memory().unwrap(), Postgres::scratch(&url).await.unwrap()))
}

fn schedule(guild: u64, time: &str) -> Schedule {
    Schedule {
        guild_id: guild,
        channel_id: guild * 10,
        time: parse_time(time).unwrap(),
        zone: chrono_tz::Europe::Berlin,
        topic: None,
        conference: None,
        enabled: true,
    }
}

fn post(guild: u64, date: &str, item: &str, cycle: u32) -> NewPost {
    NewPost {
        guild_id: guild,
        local_date: date.parse().unwrap(),
        channel_id: 9,
        pick: Pick { id: item.into(), cycle, position: 1, total: 3 },
        nonce: format!("n-{date}"),
        payload: "{}".into(),
        late: false,
        at: at(0),
    }
}

#[tokio::test]
async fn schedules_and_the_post_log() {
    let Some((s, p)) = stores().await else { return };
    same!(s, p, sync_config(&[schedule(1, "09:00"), schedule(2, "10:00")], at(0)));
    same!(s, p, set_schedule(&schedule(1, "18:30"), at(1)));
    same!(s, p, sync_config(&[schedule(1, "09:00"), schedule(2, "11:00")], at(2)));
    same!(s, p, entries());
    same!(s, p, disable(1, at(3)));
    same!(s, p, disable(1, at(3)));
    same!(s, p, sync_config(&[schedule(1, "09:00")], at(4)));
    same!(s, p, entries());
    same!(s, p, entry(3));
    // Switched on again: `active_since` moves; saved again while on: it stays.
    same!(s, p, set_schedule(&schedule(1, "08:00"), at(5)));
    same!(s, p, set_schedule(&schedule(1, "08:15"), at(6)));
    same!(s, p, entry(1));

    let first = same!(s, p, begin_post(&post(1, "2024-05-01", "insight:a", 0))).unwrap();
    same!(s, p, begin_post(&post(1, "2024-05-01", "insight:b", 0)));
    same_deck(&s, &p, 1).await;
    same!(s, p, retry_later(first.id, "502", at(7)));
    same!(s, p, mark_sent(first.id, u64::MAX >> 1, at(8)));
    same!(s, p, retry_later(first.id, "late", at(9)));
    let second = same!(s, p, begin_post(&post(1, "2024-05-02", "insight:b", 1))).unwrap();
    same_deck(&s, &p, 1).await;
    same!(s, p, give_up(second.id, Status::Failed, "403 Missing Access", at(10)));
    same_deck(&s, &p, 1).await;
    same!(s, p, request_now(1, second.local_date));
    same!(s, p, pending());
    same_deck(&s, &p, 1).await;
    same!(s, p, entry(1));
    same!(s, p, mark_sent(second.id, 5, at(11)));
    // A sent post stays sent; its item still leaves the deck's shown set (SQLite's behaviour).
    same!(s, p, give_up(second.id, Status::Missed, "late", at(12)));
    same_deck(&s, &p, 1).await;
    same!(s, p, log_failure(1, first.local_date, 9, "nothing matches", at(13)));
    same!(s, p, log_failure(1, "2024-05-03".parse().unwrap(), 9, "nothing matches", at(13)));
    same!(s, p, request_now(1, "2024-05-03".parse().unwrap()));
    same!(s, p, begin_post(&post(1, "2024-04-30", "insight:c", 1)));
    same!(s, p, begin_post(&post(3, "2024-05-01", "insight:a", 0)));
    same_deck(&s, &p, 3).await;
    same!(s, p, recent_posts(1, 2));
    same!(s, p, recent_posts(1, usize::MAX));
    same!(s, p, post_for(1, first.local_date));
    same!(s, p, pending());
}

fn outgoing(key: &str, target: Target, at: DateTime<Utc>) -> NewOutgoing {
    NewOutgoing {
        key: key.into(),
        kind: if matches!(target, Target::User { .. }) { Kind::Reminder } else { Kind::Announcement },
        target,
        nonce: crate::live::outbox::nonce(key),
        payload: "{}".into(),
        not_after: at,
        at,
    }
}

#[tokio::test]
async fn live_state() {
    let Some((s, p)) = stores().await else { return };
    let channel = Target::Channel { guild_id: 1, channel_id: 2 };
    let sessions = vec![("a".to_owned(), at(0)), ("b".to_owned(), at(0))];
    same!(s, p, begin_announcement(&outgoing("k1", channel, at(0)), &sessions));
    same!(s, p, begin_announcement(&outgoing("k1", channel, at(0)), &sessions));
    same!(s, p, begin_announcement(&outgoing("k2", channel, at(0)), &[("b".to_owned(), at(0))]));
    same!(s, p, begin_announcement(&outgoing("k3", channel, at(60)), &[("a".to_owned(), at(60))]));
    same!(s, p, begin_announcement(&outgoing("k4", Target::User { user_id: 1 }, at(60)), &[]));
    same!(s, p, announced(1, 2, &[("a".into(), at(0)), ("c".into(), at(0)), ("a".into(), at(60))]));
    let dm = same!(s, p, begin_outgoing(&outgoing("r1", Target::User { user_id: 7 }, at(5)))).unwrap().unwrap();
    same!(s, p, begin_outgoing(&outgoing("r1", Target::User { user_id: 7 }, at(5))));
    same!(s, p, set_outgoing_channel(dm.id, 70));
    same!(s, p, outgoing_retry(dm.id, "429", at(6)));
    same!(s, p, outgoing_sent(dm.id, 700, at(7)));
    same!(s, p, outgoing_done(dm.id, Status::Failed, "no", at(8)));
    same!(s, p, outgoing_done(1, Status::Missed, "too late", at(8)));
    same!(s, p, pending_outgoing());
    same!(s, p, recent_outgoing(2));
    same!(s, p, recent_outgoing(usize::MAX));

    let follow = Following {
        guild_id: 1,
        conference: "b-conf".into(),
        channel_id: 3,
        rooms: vec![("Hall b".into(), 4), ("Hall B".into(), 5), ("Äula".into(), 6)],
        minutes_before: 5,
    };
    same!(s, p, sync_live_config(std::slice::from_ref(&follow), at(0)));
    same!(s, p, follow(&Following { conference: "a-conf".into(), ..follow.clone() }, Origin::Discord, at(1)));
    // The config does not overwrite a follow set in Discord, and a resync keeps it.
    same!(
        s,
        p,
        follow(&Following { channel_id: 9, conference: "a-conf".into(), ..follow.clone() }, Origin::Config, at(2))
    );
    same!(s, p, sync_live_config(&[], at(3)));
    same!(s, p, set_room_channel(1, "Hall b", None));
    same!(s, p, following());
    same!(s, p, unfollow(1));
    same!(s, p, unfollow(1));
    same!(s, p, following());

    same!(s, p, snapshot("c"));
    let notices = [outgoing("n1", channel, at(1)), outgoing("k1", channel, at(1))];
    for (minute, (user, talk)) in [(5, "old"), (5, "new"), (6, "old"), (7, "b"), (7, "a")].into_iter().enumerate() {
        same!(s, p, toggle_bookmark(user, talk, 3, at(minute as i64)));
    }
    // User 5 had both ids: keeps the new one; user 6 had the old one: it follows the rename.
    let renamed = [("old".to_owned(), "new".to_owned())];
    same!(s, p, save_snapshot("c", &Snapshot::default(), &notices, &renamed, at(2)));
    same!(s, p, snapshot("c"));
    same!(s, p, recent_outgoing(3));
    same!(s, p, all_bookmarks());
    for user in [5, 6, 7] {
        same!(s, p, bookmarks_of(user));
    }
    same!(s, p, toggle_bookmark(7, "c", 3, at(9)));
    same!(s, p, toggle_bookmark(7, "d", 3, at(9)));
    same!(s, p, toggle_bookmark(7, "a", 3, at(9)));
    same!(s, p, bookmarks_of(7));
    same!(s, p, clear_bookmarks(7));
    same!(s, p, remind_minutes(5));
    same!(s, p, set_remind_minutes(5, 3));
    same!(s, p, all_bookmarks());
    same!(s, p, dms_closed(5, at(4)));
    same!(s, p, remind_minutes(5));
    same!(s, p, take_dm_notice(5));
    same!(s, p, take_dm_notice(5));
    same!(s, p, take_dm_notice(9));
}

fn suggestion(guild: u64, author: u64, text: &str, at: DateTime<Utc>) -> NewSuggestion {
    NewSuggestion {
        guild_id: guild,
        author_id: author,
        author_name: format!("member {author}"),
        credit: true,
        kind: InsightKind::Insight,
        text: text.into(),
        talk: "t".into(),
        speaker: None,
        at,
    }
}

#[tokio::test]
async fn suggestions_and_their_review() {
    let Some((s, p)) = stores().await else { return };
    let limits = Limits { pending_per_member: 2, per_hour: 3, pending_per_server: 4 };
    let by = |id: u64| Decision { by_id: id, by_name: format!("mod {id}"), at: at(90), reason: Some("why".into()) };
    let one = same!(s, p, suggest(&suggestion(7, 1, "First thought here", at(0)), limits)).unwrap().unwrap();
    same!(s, p, suggest(&suggestion(7, 2, "first THOUGHT, here!", at(1)), limits));
    same!(s, p, suggest(&suggestion(7, 1, "Second thought here", at(2)), limits));
    same!(s, p, suggest(&suggestion(7, 1, "Third thought here", at(3)), limits));
    same!(s, p, decide(7, one.id, Review::Approved, &by(9)));
    let three = same!(s, p, suggest(&suggestion(7, 1, "Third thought here", at(4)), limits)).unwrap().unwrap();
    same!(s, p, decide(7, three.id, Review::Rejected, &by(9)));
    same!(s, p, decide(7, three.id, Review::Approved, &by(10)));
    same!(s, p, decide(8, one.id, Review::Approved, &by(9)));
    same!(s, p, suggest(&suggestion(7, 1, "Fourth thought here", at(5)), limits));
    same!(s, p, suggest(&suggestion(7, 1, "Fourth thought here", at(60)), limits));
    same!(s, p, suggest(&suggestion(7, 1, "Fourth thought here", at(61)), limits));
    same!(s, p, suggest(&suggestion(7, 3, "Another member's note", at(62)), limits));
    same!(s, p, suggest(&suggestion(7, 4, "A fourth member's note", at(62)), limits));
    same!(s, p, suggest(&suggestion(7, 5, "A fifth member's note", at(63)), limits));
    same!(s, p, suggest(&suggestion(8, 5, "First thought here", at(63)), limits));

    same!(s, p, edit(7, one.id, "First thought, edited", "t2", Some("s")));
    same!(s, p, edit(7, 2, "first thought edited", "t", None));
    same!(s, p, edit(7, three.id, "Something else entirely", "t", None));
    same!(s, p, edit(8, one.id, "Something else entirely", "t", None));
    same!(s, p, set_global(7, one.id, true));
    same!(s, p, set_global(7, 2, true));
    same!(s, p, set_review_message(2, 70, 700));
    same!(s, p, suggestion(7, 2));
    same!(s, p, suggestion(8, 2));
    same!(s, p, suggestion_by_id(99));
    same!(s, p, suggestions(None, Review::Pending));
    same!(s, p, suggestions(Some(7), Review::Approved));
    same!(s, p, untold(1, 1));
    same!(s, p, untold(1, 10));
    same!(s, p, mark_told(&[one.id, 2]));
    same!(s, p, untold(1, 10));
    same!(s, p, review_channel(7));
    same!(s, p, set_review_channel(7, 71, at(0)));
    same!(s, p, set_review_channel(7, 72, at(1)));
    same!(s, p, review_channel(7));
}
