//! Times as schedule exports write them: instants with an offset, local wall-clock times,
//! clock times ("11:00"), durations ("00:30", "1:30", "01:30:00", "PT1H30M") and conference
//! days. Everything is read tolerantly and never panics: what cannot be read is `None`, and
//! the importer reports it and keeps the talk.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime};
use chrono_tz::Tz;

use super::report::ImportReport;

/// The longest session kept, in minutes: the catalogue refuses sessions longer than a week
/// (a typo, days for hours), so the importer leaves such a duration out rather than write it.
pub const MINUTES_MAX: i64 = 7 * 24 * 60;

/// An instant with its offset: RFC 3339 ("2019-12-27T11:00:00+01:00", "…Z"), also with
/// "+0100" or without seconds, as some exports write it.
pub fn instant(text: &str) -> Option<DateTime<FixedOffset>> {
    let t = text.trim();
    // A string far longer than any date-time is not one; don't hand it to the parsers.
    if t.len() > 40 {
        return None;
    }
    DateTime::parse_from_rfc3339(t).ok().or_else(|| {
        ["%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z", "%Y-%m-%d %H:%M%z"]
            .iter()
            .find_map(|f| DateTime::parse_from_str(t, f).ok())
    })
}

/// A wall-clock date and time without an offset ("2024-03-16T09:00:00", Sessionize).
pub fn local(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    if t.len() > 40 {
        return None;
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
}

/// A clock time: "11:00", "9:30" or "11:00:00"; hours 0–23. "25:99" is none.
pub fn clock(text: &str) -> Option<NaiveTime> {
    let parts = numbers(text.trim(), 3)?;
    match parts[..] {
        [h, m] if m < 60 => NaiveTime::from_hms_opt(u32::try_from(h).ok()?, m as u32, 0),
        [h, m, s] if m < 60 && s < 60 => NaiveTime::from_hms_opt(u32::try_from(h).ok()?, m as u32, s as u32),
        _ => None,
    }
}

/// A duration in whole minutes: "00:30", "1:30", "01:30:00" (seconds rounded to the nearest
/// minute), "1:00:30:00" (days first), or ISO 8601 ("PT1H30M", schedule 2). A leading "-"
/// gives a negative number, which the draft reports. `None` for anything else, and for numbers
/// too large to be a session.
pub fn minutes(text: &str) -> Option<i64> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix('-') {
        return minutes(rest).map(|m| -m);
    }
    if t.starts_with(['P', 'p']) {
        return iso_minutes(&t[1..]);
    }
    let parts = numbers(t, 4)?;
    let (days, h, m, s) = match parts[..] {
        [h, m] => (0, h, m, 0),
        [h, m, s] => (0, h, m, s),
        [d, h, m, s] => (d, h, m, s),
        _ => return None,
    };
    if m >= 60 || s >= 60 || (parts.len() == 4 && h >= 24) {
        return None;
    }
    Some(days * 24 * 60 + h * 60 + m + i64::from(s >= 30))
}

/// The part of an ISO 8601 duration after its "P": "T1H30M", "1DT2H", "T45M30S".
fn iso_minutes(text: &str) -> Option<i64> {
    let mut total = 0i64;
    let mut number = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in text.chars() {
        match c.to_ascii_uppercase() {
            '0'..='9' if number.len() < 7 => number.push(c),
            'T' if number.is_empty() && !in_time => in_time = true,
            unit @ ('W' | 'D' | 'H' | 'M' | 'S') if !number.is_empty() => {
                let n: i64 = number.parse().ok()?;
                number.clear();
                any = true;
                total += match (unit, in_time) {
                    ('W', false) => n * 7 * 24 * 60,
                    ('D', false) => n * 24 * 60,
                    ('H', true) => n * 60,
                    ('M', true) => n,
                    ('S', true) => (n + 30) / 60,
                    // Months and years are no session lengths.
                    _ => return None,
                };
            }
            _ => return None,
        }
    }
    (any && number.is_empty()).then_some(total)
}

/// Up to `most` colon-separated runs of 1 to 6 ASCII digits ("1:30" → [1, 30]).
fn numbers(text: &str, most: usize) -> Option<Vec<i64>> {
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() < 2 || parts.len() > most {
        return None;
    }
    parts
        .iter()
        .map(|p| {
            let ok = !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit());
            ok.then(|| p.parse().ok()).flatten()
        })
        .collect()
}

pub use crate::zones::{local_date, place};

/// A conference day as a schedule lists it: `<day index= date= start= end=>` or
/// `days[]` with `date`, `day_start`/`day_end` (or `start`/`end` in schedule 2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Day {
    pub date: Option<NaiveDate>,
    pub start: Option<DateTime<FixedOffset>>,
    pub end: Option<DateTime<FixedOffset>>,
}

impl Day {
    /// The calendar date of the conference day: the local date its start falls on when the
    /// export gives the start, else its `date`. Wafer (DebConf 23) writes `date` as the UTC
    /// date of the day's start, a day early east of Greenwich; the start is right.
    pub fn conference_date(&self, zone: Option<Tz>) -> Option<NaiveDate> {
        self.start.map(|s| local_date(s, zone)).or(self.date)
    }

    /// True when `t` is within the day: from its start, up to its end.
    pub fn contains(&self, t: DateTime<FixedOffset>) -> bool {
        matches!((self.start, self.end), (Some(s), Some(e)) if s <= t && t < e)
    }

    /// The wall-clock time of a session listed under this day at `clock` (`<start>11:00`):
    /// on the day's date, or the next one when the clock is before the day begins (a session
    /// at 00:30 on a day that begins at 11:00 is past midnight). Without the day's start, the
    /// conference's `day_change` says when days begin.
    pub fn at(&self, clock: NaiveTime, zone: Option<Tz>, day_change: Option<NaiveTime>) -> Option<NaiveDateTime> {
        let date = self.conference_date(zone)?;
        let begins = match (self.start, zone) {
            (Some(s), Some(tz)) => Some(s.with_timezone(&tz).time()),
            (Some(s), None) => Some(s.time()),
            (None, _) => day_change,
        };
        let date = if begins.is_some_and(|b| clock < b) { date.succ_opt()? } else { date };
        Some(date.and_time(clock))
    }
}

/// How an event gives its start. `date` is an instant with its offset, authoritative when
/// readable; `start` is an instant (schedule 2), a local date-time (Sessionize) or a clock
/// time on the `day` the event is listed under (frab, Pentabarf). Local times are read in
/// `zone`; with none, and no offset, the start cannot be placed.
#[derive(Debug, Clone, Copy)]
pub struct EventTime<'a> {
    pub title: &'a str,
    pub date: Option<&'a str>,
    pub start: Option<&'a str>,
    pub day: Option<&'a Day>,
    pub zone: Option<Tz>,
    /// When the conference's days begin (`day_change`), for days listed without a start.
    pub day_change: Option<NaiveTime>,
}

/// The start of an event, or `None` with the reason reported (the talk is kept).
pub fn start(report: &mut ImportReport, e: EventTime<'_>) -> Option<DateTime<FixedOffset>> {
    let clock_time = e.start.and_then(clock);
    if let Some(text) = e.date {
        if let Some(t) = instant(text) {
            if let (Some(c), Some(tz)) = (clock_time, e.zone) {
                if t.with_timezone(&tz).time() != c {
                    let example = format!("{}: {} and {text}", e.title, e.start.unwrap_or_default());
                    report.adjust(
                        "start time that disagrees with the date in the conference's zone (date kept)",
                        example,
                    );
                }
            }
            return Some(t);
        }
        if let Some(l) = local(text) {
            return placed(report, e, l);
        }
        report.skip("date that is not a date and time (its start time used)", format!("{}: {text}", e.title));
    }
    let text = e.start?;
    if let Some(t) = instant(text) {
        return Some(t);
    }
    if let Some(l) = local(text) {
        return placed(report, e, l);
    }
    let Some(c) = clock_time else {
        report.skip("start that is not a time (left out)", format!("{}: {text}", e.title));
        return None;
    };
    match e.day.and_then(|d| d.at(c, e.zone, e.day_change)) {
        Some(l) => placed(report, e, l),
        None => {
            report.skip("start time without a dated day to put it on (left out)", e.title);
            None
        }
    }
}

/// A local start placed in the event's zone, or the reason it cannot be, reported.
fn placed(report: &mut ImportReport, e: EventTime<'_>, local: NaiveDateTime) -> Option<DateTime<FixedOffset>> {
    let Some(tz) = e.zone else {
        report.skip("start without a time zone: the export names none (give --timezone ZONE)", e.title);
        return None;
    };
    let placed = place(local, tz);
    if placed.is_none() {
        report.skip("start the clocks skip over (left out)", format!("{}: {local} in {}", e.title, tz.name()));
    }
    placed
}

/// The minutes from `start` to `end` (an instant, or a local time in `zone`), when readable.
pub fn minutes_until(start: DateTime<FixedOffset>, end: &str, zone: Option<Tz>) -> Option<i64> {
    let end = instant(end).or_else(|| place(local(end)?, zone?))?;
    Some((end - start).num_minutes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_with_offsets() {
        let t = instant("2019-12-27T11:00:00+01:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2019-12-27T11:00:00+01:00");
        assert_eq!(instant("2023-09-10T05:00:00Z").unwrap().to_rfc3339(), "2023-09-10T05:00:00+00:00");
        assert_eq!(instant("2019-12-27T11:00:00+0100"), Some(t));
        assert_eq!(instant("2019-12-27T11:00+01:00"), Some(t));
        for bad in
            ["", "11:00", "2019-12-27", "2019-12-27T11:00:00", "2019-13-27T11:00:00+01:00", "2019-12-27T25:99:00Z"]
        {
            assert_eq!(instant(bad), None, "{bad}");
        }
        assert_eq!(instant(&"9".repeat(100_000)), None);
    }

    #[test]
    fn local_times_clocks_and_durations() {
        assert_eq!(local("2024-03-16T09:00:00").unwrap().to_string(), "2024-03-16 09:00:00");
        assert_eq!(local("2024-03-16T09:00").unwrap().to_string(), "2024-03-16 09:00:00");
        assert_eq!(local("2024-02-30T09:00:00"), None);
        assert_eq!(clock("9:30"), NaiveTime::from_hms_opt(9, 30, 0));
        assert_eq!(clock("23:59:59"), NaiveTime::from_hms_opt(23, 59, 59));
        for bad in ["25:99", "24:00", "12:60", "12", "", "-1:00", "1:2:3:4", "99999999999999999999:00", "١٢:٣٠"] {
            assert_eq!(clock(bad), None, "{bad}");
        }
        for (text, m) in [
            ("00:30", Some(30)),
            ("1:30", Some(90)),
            ("01:30:00", Some(90)),
            ("00:29:30", Some(30)),
            ("1:00:30:00", Some(24 * 60 + 30)),
            ("-00:10", Some(-10)),
            ("PT1H30M", Some(90)),
            ("PT45M", Some(45)),
            ("P1DT2H", Some(26 * 60)),
            ("P1M", None),
            ("PT", None),
            ("P", None),
            ("PT1H30", None),
            ("1:60", None),
            ("999999:00", Some(999_999 * 60)),
            ("9999999:00", None),
            ("forty", None),
            ("30", None),
        ] {
            assert_eq!(minutes(text), m, "{text}");
        }
    }

    #[test]
    fn days_place_sessions_past_midnight_on_the_next_date() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let day = Day {
            date: NaiveDate::from_ymd_opt(2019, 12, 27),
            start: instant("2019-12-27T11:00:00+01:00"),
            end: instant("2019-12-28T04:00:00+01:00"),
        };
        let at = |c: &str| day.at(clock(c).unwrap(), Some(berlin), None).unwrap().to_string();
        assert_eq!(at("11:00"), "2019-12-27 11:00:00");
        assert_eq!(at("00:30"), "2019-12-28 00:30:00");
        assert!(day.contains(instant("2019-12-28T00:30:00+01:00").unwrap()));
        assert!(!day.contains(instant("2019-12-28T04:00:00+01:00").unwrap()));
        // Wafer's day 1 of DebConf 23 (Kochi): dated the 9th, starting 03:00 on the 10th there.
        let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
        let wafer =
            Day { date: NaiveDate::from_ymd_opt(2023, 9, 9), start: instant("2023-09-09T21:30:00+00:00"), end: None };
        assert_eq!(wafer.conference_date(Some(kolkata)), NaiveDate::from_ymd_opt(2023, 9, 10));
        // No start: the conference's day change says when a day begins.
        let fosdem = Day { date: NaiveDate::from_ymd_opt(2021, 2, 6), start: None, end: None };
        assert_eq!(
            fosdem.at(clock("09:00").unwrap(), None, clock("00:00")).unwrap().to_string(),
            "2021-02-06 09:00:00"
        );
        assert_eq!(
            fosdem.at(clock("03:00").unwrap(), None, clock("04:00")).unwrap().to_string(),
            "2021-02-07 03:00:00"
        );
    }

    #[test]
    fn places_in_zones_across_both_transitions() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let at = |s: &str| place(local(s).unwrap(), berlin).map(|t| t.to_rfc3339());
        assert_eq!(at("2024-03-31T02:30:00"), None, "the clocks go forward over 02:30");
        assert_eq!(at("2024-03-31T03:30:00").unwrap(), "2024-03-31T03:30:00+02:00");
        assert_eq!(at("2024-10-27T02:30:00").unwrap(), "2024-10-27T02:30:00+02:00", "the first of two");
        assert_eq!(at("2024-10-27T03:30:00").unwrap(), "2024-10-27T03:30:00+01:00");
    }
}
