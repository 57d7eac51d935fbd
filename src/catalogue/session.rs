//! A talk's time and place: reading `start`, `duration`/`end`, `day` and `room` against its
//! conference's `timezone`, dates and `rooms`, with every problem located.
//!
//! Local times are read in the conference's zone. A wall-clock time that the zone skips (the
//! hour clocks go forward) is refused; one that happens twice (the hour clocks go back) is
//! taken at its first occurrence, and an importer that knows better writes the offset.

use std::ops::Range;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use chrono_tz::Tz;
use toml::Spanned;

use super::parse::{Parsed, Problem};
use super::schema::TalkDoc;
use super::{Conference, Slot};

/// The longest session accepted: a longer one is a typo (days for hours), not a workshop.
const LONGEST: Duration = Duration::hours(24 * 7);

/// A talk's slot, or `None` when it gives no start (or a broken one, reported).
pub fn slot(file: &Parsed, t: &TalkDoc, conference: Option<&Conference>, problems: &mut Vec<Problem>) -> Option<Slot> {
    let zone = conference.and_then(|c| c.timezone);
    // Every part is read, so that each of its problems is reported at once.
    let length = match (&t.duration, &t.end) {
        (Some(d), Some(_)) => {
            problems.push(file.problem(
                d.span(),
                "talk gives both `duration` and `end`",
                Some("keep one of them: `end` is the start plus the duration"),
            ));
            None
        }
        (Some(d), None) => duration(file, d, problems).map(Length::Duration),
        (None, Some(e)) => instant(file, e, zone, conference, "end", problems).map(Length::End),
        (None, None) => None,
    };
    let day = t.day.as_ref().and_then(|d| super::validate::date(file, Some(d), problems));
    let start_doc = t.start.as_ref()?;
    let start = instant(file, start_doc, zone, conference, "start", problems)?;
    let day = day.unwrap_or_else(|| crate::zones::local_date(start, zone));
    if let Some(c) = conference {
        if c.start.is_some_and(|s| day < s) || c.end.is_some_and(|e| day > e) {
            let dates = match (c.start, c.end) {
                (Some(s), Some(e)) => format!("{s} to {e}"),
                (Some(s), None) => format!("from {s}"),
                (None, Some(e)) => format!("until {e}"),
                (None, None) => String::new(),
            };
            problems.push(file.problem(
                t.day.as_ref().map_or(start_doc.span(), Spanned::span),
                format!("talk is on {day}, outside its conference's dates ({dates})"),
                Some("fix the date, or the conference's `start` and `end`; a session past midnight may say `day =` the day it belongs to"),
            ));
        }
    }
    let end = length.map(|l| match l {
        Length::Duration(d) => start + d,
        Length::End(e) => e,
    });
    if let Some(end) = end {
        let at = match (&t.duration, &t.end) {
            (Some(d), _) => d.span(),
            (None, Some(e)) => e.span(),
            (None, None) => start_doc.span(),
        };
        let wrong = if end < start {
            "talk ends before it starts"
        } else if end - start > LONGEST {
            "talk lasts more than a week"
        } else {
            return Some(Slot { start, end: Some(end), day });
        };
        problems.push(file.problem(at, wrong, Some("check the end time or the duration")));
        return None;
    }
    Some(Slot { start, end: None, day })
}

/// How a talk's length is given.
enum Length {
    Duration(Duration),
    End(DateTime<FixedOffset>),
}

/// The room a talk names, which its conference must list in `rooms`.
pub fn room(
    file: &Parsed,
    room: Option<&Spanned<String>>,
    conference: Option<&Conference>,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let room = room?;
    let name = room.get_ref().trim();
    let conference = conference?;
    if let Some(known) = conference.rooms.iter().find(|r| r.as_str() == name) {
        return Some(known.clone());
    }
    let closest = conference
        .rooms
        .iter()
        .map(|r| (strsim::jaro_winkler(&r.to_lowercase(), &name.to_lowercase()), r))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let hint = match closest {
        Some((_, r)) => format!("did you mean {r:?}? Rooms are named once, in the conference's `rooms`"),
        None => format!("add it to `rooms` of conference {:?}: each room is named once there", conference.id),
    };
    problems.push(file.problem(room.span(), format!("unknown room {name:?}"), Some(&hint)));
    None
}

/// Reads a TOML date-time as an instant: with its offset, or in the conference's zone.
fn instant(
    file: &Parsed,
    value: &Spanned<toml::value::Datetime>,
    zone: Option<Tz>,
    conference: Option<&Conference>,
    what: &str,
    problems: &mut Vec<Problem>,
) -> Option<DateTime<FixedOffset>> {
    let d = value.get_ref();
    let (Some(date), Some(time)) = (d.date, d.time) else {
        problems.push(file.problem(
            value.span(),
            format!("expected a date and time for `{what}`, found {d}"),
            Some("write it as 2019-12-27T11:00:00 (in the conference's timezone) or with an offset, 2019-12-27T11:00:00+01:00"),
        ));
        return None;
    };
    let local = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
        .zip(NaiveTime::from_hms_opt(time.hour.into(), time.minute.into(), time.second.into()))
        .map(|(d, t)| d.and_time(t))?;
    match d.offset {
        Some(offset) => {
            let seconds = match offset {
                toml::value::Offset::Z => 0,
                toml::value::Offset::Custom { minutes } => i32::from(minutes) * 60,
            };
            let offset = FixedOffset::east_opt(seconds)?;
            offset.from_local_datetime(&local).single()
        }
        None => {
            let Some(tz) = zone else {
                // Said once per conference: an export of a thousand talks has one missing zone.
                let name = conference.map_or("its conference", |c| c.id.as_str());
                let message = format!("talks have local times, but conference {name:?} has no `timezone`");
                if !problems.iter().any(|p| p.message == message) {
                    problems.push(file.problem(value.span(), message, Some(&zone_hint(conference))));
                }
                return None;
            };
            in_zone(file, value.span(), local, tz, problems)
        }
    }
}

fn in_zone(
    file: &Parsed,
    span: Range<usize>,
    local: NaiveDateTime,
    tz: Tz,
    problems: &mut Vec<Problem>,
) -> Option<DateTime<FixedOffset>> {
    let placed = crate::zones::place(local, tz);
    if placed.is_none() {
        problems.push(file.problem(
            span,
            format!("{local} does not exist in {}: the clocks go forward over it", tz.name()),
            Some("give the time as the clocks show it, or write it with its offset"),
        ));
    }
    placed
}

/// How to give a conference its zone, with the zones its place suggests.
fn zone_hint(conference: Option<&Conference>) -> String {
    let guesses: Vec<&str> = conference
        .and_then(|c| c.place.as_deref())
        .map(|place| {
            let mut found = Vec::new();
            for word in place.split(|c: char| !c.is_alphanumeric() && c != ' ').map(str::trim) {
                for zone in crate::zones::closest_zones(word, 1) {
                    if !found.contains(&zone) {
                        found.push(zone);
                    }
                }
            }
            found
        })
        .unwrap_or_default();
    if guesses.is_empty() {
        "add `timezone = \"Europe/Berlin\"` (its IANA name) to the conference, or write each time with its offset"
            .into()
    } else {
        format!(
            "add `timezone = \"{}\"` to the conference (closest to its place: {}), or write each time with its offset",
            guesses[0],
            guesses.join(", ")
        )
    }
}

/// Reads a duration: "40m", "1h", "1h30m", "90 min" or "01:30" (hours and minutes).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim().to_lowercase();
    let bad = || format!("{text:?} is not a duration");
    if let Some(rest) = t.strip_prefix('-') {
        return match parse_duration(rest) {
            Ok(_) => Err("the duration is negative".into()),
            Err(_) => Err(bad()),
        };
    }
    if let Some((h, m)) = t.split_once(':') {
        let (h, m) = (h.trim(), m.trim());
        let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.chars().all(|c| c.is_ascii_digit());
        if !digits(h) || m.len() != 2 || !digits(m) {
            return Err(bad());
        }
        let (h, m): (i64, i64) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        return if m < 60 { Ok(Duration::minutes(h * 60 + m)) } else { Err(bad()) };
    }
    let mut minutes = 0i64;
    let mut number = String::new();
    let mut seen_unit = false;
    let mut rest = t.as_str();
    while let Some(c) = rest.chars().next() {
        if c.is_ascii_digit() {
            number.push(c);
            rest = &rest[1..];
            continue;
        }
        if c == ' ' {
            rest = &rest[1..];
            continue;
        }
        let unit_len = rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let n: i64 = number.parse().map_err(|_| bad())?;
        number.clear();
        minutes += match unit {
            "h" | "hr" | "hrs" | "hour" | "hours" => n.checked_mul(60).ok_or_else(bad)?,
            "m" | "min" | "mins" | "minute" | "minutes" => n,
            _ => return Err(bad()),
        };
        seen_unit = true;
    }
    if !number.is_empty() || !seen_unit {
        return Err(bad());
    }
    Ok(Duration::minutes(minutes))
}

fn duration(file: &Parsed, value: &Spanned<String>, problems: &mut Vec<Problem>) -> Option<Duration> {
    parse_duration(value.get_ref())
        .map_err(|e| {
            problems.push(file.problem(value.span(), e, Some("write \"40m\", \"1h30m\" or \"01:30\"; or give `end`")));
        })
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (text, minutes) in [
            ("40m", 40),
            ("1h", 60),
            ("1h30m", 90),
            ("1h 30m", 90),
            ("90 min", 90),
            ("01:30", 90),
            ("0:05", 5),
            ("2 hours", 120),
        ] {
            assert_eq!(parse_duration(text).unwrap(), Duration::minutes(minutes), "{text}");
        }
        for bad in ["", "40", "h", "1:5", "1:60", "forty", "1x", "1h30"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_duration("-10m").unwrap_err().contains("negative"));
    }
}
