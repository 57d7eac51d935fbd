//! Stable ids for imported entities: readable slugs, unique per kind, disambiguated in the
//! order entities are met, so the same input always gives the same ids.

use std::collections::{HashMap, HashSet};

use crate::catalogue::MAX_ID_LEN;

/// A slug of `text`: transliterated to ASCII, lowercase, words joined by `-`, at most
/// [`MAX_ID_LEN`] characters and cut between words where possible. Empty when `text` has no
/// letters or digits in any script.
pub fn slug(text: &str) -> String {
    let ascii = deunicode::deunicode(text);
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') && c != '\'' {
            out.push('-');
        }
    }
    shorten(out.trim_end_matches('-'), MAX_ID_LEN)
}

/// Cuts a slug to `max` bytes (slugs are ASCII), at the last `-` when one is in the second half.
fn shorten(slug: &str, max: usize) -> String {
    if slug.len() <= max {
        return slug.to_owned();
    }
    let cut = &slug[..max];
    match cut.rfind('-') {
        Some(i) if i >= max / 2 => cut[..i].to_owned(),
        _ => cut.trim_end_matches('-').to_owned(),
    }
}

/// The ids already given out for one kind of entity.
#[derive(Debug, Default)]
pub struct IdSet {
    used: HashSet<String>,
    /// For each base slug that needed a counter, the next counter worth trying: every smaller
    /// one gives an id already used (ids are never given back), so claims stay linear when
    /// thousands of talks share one title.
    next: HashMap<String, u64>,
}

impl IdSet {
    /// The first free id among `candidates` (slugged, empty ones passed over); when all are
    /// taken, the first usable one with `-2`, `-3`… appended. `fallback` stands in when no
    /// candidate has a letter or digit.
    pub fn claim(&mut self, candidates: &[&str], fallback: &str) -> String {
        let mut slugs: Vec<String> = candidates.iter().map(|c| slug(c)).filter(|s| !s.is_empty()).collect();
        if slugs.is_empty() {
            slugs.push(fallback.to_owned());
        }
        for s in &slugs {
            if self.used.insert(s.clone()) {
                return s.clone();
            }
        }
        let base = slugs.swap_remove(0);
        let mut n = self.next.get(&base).copied().unwrap_or(2);
        loop {
            let suffix = format!("-{n}");
            n += 1;
            let id = format!("{}{suffix}", shorten(&base, MAX_ID_LEN - suffix.len()));
            if self.used.insert(id.clone()) {
                self.next.insert(base, n);
                return id;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_short_and_readable() {
        let cases = [
            ("Gaël Varoquaux", "gael-varoquaux"),
            ("  Hello, World!  ", "hello-world"),
            ("O'Brien & Co.", "obrien-co"),
            ("Александр Кошкин", "aleksandr-koshkin"),
            ("---", ""),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(slug(input), expected, "{input:?}");
        }
        let long = slug(&"word ".repeat(40));
        assert!(long.len() <= MAX_ID_LEN && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn claims_are_unique_and_deterministic() {
        let mut ids = IdSet::default();
        assert_eq!(ids.claim(&["Keynote"], "talk"), "keynote");
        assert_eq!(ids.claim(&["Keynote", "pycon-2024 Keynote"], "talk"), "pycon-2024-keynote");
        assert_eq!(ids.claim(&["Keynote"], "talk"), "keynote-2");
        assert_eq!(ids.claim(&["!!!"], "talk"), "talk");
        assert_eq!(ids.claim(&[""], "talk"), "talk-2");
        let long = "x".repeat(80);
        let a = ids.claim(&[&long], "talk");
        let b = ids.claim(&[&long], "talk");
        assert!(a.len() <= MAX_ID_LEN && b.len() <= MAX_ID_LEN && a != b);
    }

    /// The ids the scan from `-2` gave before claims remembered their counter.
    fn claim_by_scanning(used: &mut HashSet<String>, candidates: &[&str], fallback: &str) -> String {
        let mut slugs: Vec<String> = candidates.iter().map(|c| slug(c)).filter(|s| !s.is_empty()).collect();
        if slugs.is_empty() {
            slugs.push(fallback.to_owned());
        }
        if let Some(s) = slugs.iter().find(|s| used.insert(s.to_string())) {
            return s.clone();
        }
        (2..)
            .map(|n| format!("{}-{n}", shorten(&slugs[0], MAX_ID_LEN - format!("-{n}").len())))
            .find(|id| used.insert(id.clone()))
            .unwrap()
    }

    #[test]
    fn remembered_counters_give_the_ids_a_scan_gives() {
        // Repeats, a title whose slug is another's counted id, and long titles whose shortened
        // forms collide, interleaved.
        let long_a = format!("{} alpha", "word ".repeat(12));
        let long_b = format!("{} beta", "word ".repeat(12));
        let titles = ["Keynote", "Keynote 2", "Keynote", "keynote-3", "Keynote", "Talk", &long_a, &long_b, "Talk"];
        let mut ids = IdSet::default();
        let mut scanned = HashSet::new();
        for round in 0..30 {
            for t in titles {
                let scoped = format!("c{} {t}", round % 3);
                let candidates = [t, scoped.as_str()];
                assert_eq!(ids.claim(&candidates, "talk"), claim_by_scanning(&mut scanned, &candidates, "talk"));
            }
        }
    }

    #[test]
    fn equal_titles_count_on_from_the_last_counter() {
        let mut ids = IdSet::default();
        let claimed: Vec<String> = (0..20_000).map(|_| ids.claim(&["Same talk"], "talk")).collect();
        assert_eq!((claimed[0].as_str(), claimed[1].as_str()), ("same-talk", "same-talk-2"));
        assert_eq!(claimed[19_999], "same-talk-20000");
        // Each claim tried one counter: the set holds no more than what was given out.
        assert_eq!(ids.next.get("same-talk"), Some(&20_001));
    }
}
