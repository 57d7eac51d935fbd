//! IANA time zones and wall-clock arithmetic: reading a zone or a local time as people type
//! them, suggesting zone names, and the UTC instant of a local wall-clock time through
//! daylight-saving gaps and folds. Daily posts use it today; conference schedules next.

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

/// The UTC instant of wall-clock `time` on local `date` in `zone`.
///
/// On a spring-forward day the wall-clock time may not exist (02:30 in Berlin on the last
/// Sunday of March): the post is due at the next instant that exists, the end of the gap. On a
/// fall-back day the time may occur twice: the post is due at the first occurrence (the log's
/// one-row-per-local-date rule makes the second occurrence a no-op).
pub fn posting_instant(zone: Tz, date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let wall = date.and_time(time);
    match zone.from_local_datetime(&wall) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        LocalResult::None => {
            // Gaps are whole minutes (at most a few hours), so stepping by minutes finds the
            // end of the gap exactly; every instant in the gap maps to that wall-clock time.
            let mut probe = wall;
            for _ in 0..(24 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = zone.from_local_datetime(&probe).earliest() {
                    return t.with_timezone(&Utc);
                }
            }
            // No zone has a day-long gap except a skipped date (Samoa, 2011-12-30): post at
            // the start of the next day that exists.
            Utc.from_utc_datetime(&(wall - zone_offset_guess(zone, date)))
        }
    }
}

/// The instant of a conference's wall-clock time `local` in `zone`, with the offset in force:
/// the first of two when the clocks go back over it, and `None` when they go forward over it
/// (a time that does not exist is refused, unlike a posting time, which moves past the gap).
pub fn place(local: NaiveDateTime, zone: Tz) -> Option<DateTime<FixedOffset>> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Some(t.with_timezone(&t.offset().fix())),
        LocalResult::None => None,
    }
}

/// The local date of an instant: in `zone`, or at its own offset without one.
pub fn local_date(t: DateTime<FixedOffset>, zone: Option<Tz>) -> NaiveDate {
    match zone {
        Some(tz) => t.with_timezone(&tz).date_naive(),
        None => t.date_naive(),
    }
}

/// The zone's offset at noon UTC on `date`; only a fallback for dates the zone skipped.
fn zone_offset_guess(zone: Tz, date: NaiveDate) -> Duration {
    let noon = Utc.from_utc_datetime(&date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default()));
    Duration::seconds(i64::from(noon.with_timezone(&zone).offset().fix().local_minus_utc()))
}

/// Reads a local time written "HH:MM" (24-hour).
pub fn parse_time(text: &str) -> Result<NaiveTime, String> {
    let text = text.trim();
    let bad =
        || format!("“{}” is not a time: write it as HH:MM, 24-hour, e.g. 09:00 or 17:30", crate::reply::echo(text));
    let (h, m) = text.split_once(':').ok_or_else(bad)?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 || !(h.chars().chain(m.chars())).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(bad)
}

/// Reads an IANA time zone name; an unknown name gets the closest real names as suggestions.
pub fn parse_zone(text: &str) -> Result<Tz, String> {
    let text = text.trim();
    if let Ok(tz) = text.parse::<Tz>() {
        return Ok(tz);
    }
    // Case-insensitive exact match: "europe/berlin" is clearly meant.
    if let Some(tz) = chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(text)) {
        return Ok(*tz);
    }
    let suggestions = closest_zones(text, 3);
    let hint = if suggestions.is_empty() {
        "Use an IANA name such as Europe/Berlin or America/New_York.".to_owned()
    } else {
        format!("Did you mean {}?", suggestions.join(", "))
    };
    Err(format!("“{}” is not a known IANA time zone. {hint}", crate::reply::echo(text)))
}

/// The IANA names nearest to `text`, best first.
pub fn closest_zones(text: &str, limit: usize) -> Vec<&'static str> {
    let wanted = text.to_lowercase();
    let city = wanted.rsplit('/').next().unwrap_or(&wanted).to_owned();
    let mut scored: Vec<(f64, &'static str)> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| {
            let name = tz.name();
            let lower = name.to_lowercase();
            let whole = strsim::jaro_winkler(&wanted, &lower);
            // "Berln" alone should still find Europe/Berlin: compare the city part too.
            let last = strsim::jaro_winkler(&city, lower.rsplit('/').next().unwrap_or(&lower));
            (whole.max(last * 0.98), name)
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(limit).map(|(_, name)| name).collect()
}

/// Autocomplete for a time zone option: names containing what was typed, else the closest.
pub fn zone_choices(partial: &str, limit: usize) -> Vec<&'static str> {
    let wanted = partial.trim().to_lowercase().replace(' ', "_");
    if wanted.is_empty() {
        return ["UTC", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles", "Asia/Tokyo"]
            .into_iter()
            .take(limit)
            .collect();
    }
    let containing: Vec<&'static str> = chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|name| name.contains('/') || *name == "UTC")
        .filter(|name| name.to_lowercase().contains(&wanted))
        .take(limit)
        .collect();
    if containing.is_empty() {
        closest_zones(&wanted, limit)
    } else {
        containing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_choices_contain_or_approximate() {
        assert!(zone_choices("berlin", 25).contains(&"Europe/Berlin"));
        assert!(zone_choices("new york", 25).contains(&"America/New_York"));
        assert!(zone_choices("Berln", 25).contains(&"Europe/Berlin"));
        assert_eq!(zone_choices("", 25).len(), 6);
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn at(zone: &str, date: &str, time: &str) -> DateTime<Utc> {
        posting_instant(zone.parse().unwrap(), date.parse().unwrap(), parse_time(time).unwrap())
    }

    #[test]
    fn posting_instants_through_gaps_and_folds() {
        let cases = [
            // An ordinary day.
            ("Europe/Berlin", "2024-06-01", "09:00", "2024-06-01T07:00:00Z"),
            // Spring forward 02:00 → 03:00: 02:30 does not exist, post at 03:00 CEST.
            ("Europe/Berlin", "2024-03-31", "02:30", "2024-03-31T01:00:00Z"),
            // Fall back 03:00 → 02:00: 02:30 happens twice, post at the first.
            ("Europe/Berlin", "2024-10-27", "02:30", "2024-10-27T00:30:00Z"),
            ("America/New_York", "2024-03-10", "02:15", "2024-03-10T07:00:00Z"),
            ("America/New_York", "2024-11-03", "01:30", "2024-11-03T05:30:00Z"),
            // Lord Howe shifts by 30 minutes: 02:00 → 02:30 in October.
            ("Australia/Lord_Howe", "2024-10-06", "02:10", "2024-10-05T15:30:00Z"),
            ("Australia/Lord_Howe", "2024-04-07", "01:45", "2024-04-06T14:45:00Z"),
            ("Asia/Kathmandu", "2024-01-15", "09:00", "2024-01-15T03:15:00Z"),
            ("Pacific/Kiritimati", "2024-01-15", "00:00", "2024-01-14T10:00:00Z"),
        ];
        for (zone, date, time, want) in cases {
            assert_eq!(at(zone, date, time), utc(want), "{zone} {date} {time}");
        }
    }

    #[test]
    fn times_are_read_strictly() {
        assert_eq!(parse_time("9:05").unwrap(), NaiveTime::from_hms_opt(9, 5, 0).unwrap());
        assert_eq!(parse_time(" 23:59 ").unwrap(), NaiveTime::from_hms_opt(23, 59, 0).unwrap());
        for bad in ["", "9", "24:00", "12:60", "9am", "09:0", "09:00:00", "-1:00", "０９:００"] {
            let e = parse_time(bad).unwrap_err();
            assert!(e.contains("HH:MM"), "{bad}: {e}");
        }
    }

    #[test]
    fn unknown_zones_get_suggestions() {
        assert_eq!(parse_zone("europe/berlin").unwrap(), chrono_tz::Europe::Berlin);
        let cases = [
            ("Europe/Berln", "Europe/Berlin"),
            ("Berlin", "Europe/Berlin"),
            ("America/NewYork", "America/New_York"),
            ("Asia/Katmandu", "Asia/Katmandu"),
            ("Australia/LordHowe", "Australia/Lord_Howe"),
        ];
        for (typed, want) in cases {
            match parse_zone(typed) {
                Ok(tz) => assert_eq!(tz.name(), want),
                Err(e) => assert!(e.contains(want), "{typed}: {e}"),
            }
        }
        assert!(parse_zone("Nowhere/Atlantis").unwrap_err().contains("IANA"));
    }
}
