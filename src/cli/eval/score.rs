//! Scoring `/speaker` on noisy queries with known answers: reading the queries file, asking
//! each query exactly as the bot would, and tallying what a user would have got.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use anyhow::Context as _;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::catalogue::Catalogue;
use crate::commands::{self, Context, Invocation};

/// One row of the queries file (see ../shared/README.md for the columns).
#[derive(Debug, Clone)]
pub struct Query {
    pub text: String,
    /// Scoring keys of the expected name and its equivalent spellings.
    pub expected: Vec<String>,
    pub kind: String,
    pub ambiguous: bool,
    pub n_plausible: usize,
}

/// Reads the queries TSV: a header line, then tab-separated rows, no quoting. Spaces around
/// `query` are kept: they are part of what was typed.
pub fn read_queries(text: &str) -> anyhow::Result<Vec<Query>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().context("the queries file is empty")?.split('\t').collect();
    let column = |name: &str| {
        header.iter().position(|h| h.trim() == name).with_context(|| format!("no `{name}` column in the header"))
    };
    let (q, e, k, a, n, eq) = (
        column("query")?,
        column("expected_canonical_name")?,
        column("kind_of_noise")?,
        column("ambiguous")?,
        column("n_plausible")?,
        column("equivalent_names")?,
    );
    let mut queries = Vec::new();
    for (row, line) in lines.enumerate() {
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split('\t').collect();
        let cell = |i: usize| cells.get(i).copied().unwrap_or("");
        let mut expected = vec![key(cell(e))];
        expected.extend(cell(eq).split(" | ").filter(|s| !s.trim().is_empty()).map(key));
        if cells.len() < header.len() || expected[0].is_empty() {
            anyhow::bail!("row {} is incomplete: {line:?}", row + 2);
        }
        queries.push(Query {
            text: cell(q).to_owned(),
            expected,
            kind: cell(k).trim().to_owned(),
            ambiguous: cell(a).trim() == "true",
            n_plausible: cell(n).trim().parse().unwrap_or(1),
        });
    }
    Ok(queries)
}

/// How answers are compared: Unicode NFC, case folding and accent folding (nothing else, so
/// "Jean-François" and "Jean François" stay different spellings).
pub fn key(name: &str) -> String {
    let folded: String = name.trim().nfd().filter(|c| !is_combining_mark(*c)).flat_map(char::to_lowercase).collect();
    folded.nfc().collect()
}

/// What the bot answered for one query.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The speaker a user lands on (or is offered first), then the other suggestions.
    pub ranked: Vec<String>,
    pub confident: bool,
    pub micros: f64,
}

/// Runs `/speaker name: <query>` exactly as the bot does and reads what it resolved.
pub fn answer(catalogue: &Catalogue, query: &str) -> Answer {
    let mut rng = fastrand::Rng::with_seed(0);
    let mut ctx = Context::new(catalogue, &mut rng);
    let invocation = Invocation::new("speaker").with("name", query);
    let start = Instant::now();
    let outcome = commands::run(&mut ctx, &invocation);
    let micros = start.elapsed().as_secs_f64() * 1e6;
    let resolved = &outcome.resolved;
    let names = |v: &serde_json::Value| -> Vec<String> {
        v.as_array().map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect()).unwrap_or_default()
    };
    let mut ranked = names(&resolved["suggestions"]);
    let confident = resolved["speaker"].is_string();
    if let Some(chosen) = resolved["speaker"].as_str() {
        ranked.retain(|n| n != chosen);
        ranked.insert(0, chosen.to_owned());
    }
    Answer { ranked, confident, micros }
}

/// Counts for one kind of noise (or all), each as (right, out of).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Tally {
    /// Unambiguous queries whose first answer is right.
    pub unambiguous: (usize, usize),
    /// Ambiguous queries with the expected name among the first 10 suggestions…
    pub ambiguous: (usize, usize),
    /// …and the same where at most 10 names fit.
    pub ambiguous_few: (usize, usize),
    /// Confident answers among unambiguous and among ambiguous queries.
    pub confident: (usize, usize),
    pub confident_ambiguous: (usize, usize),
    /// Confident answers that were wrong: the user lands on the wrong speaker.
    pub confident_wrong: usize,
}

impl Tally {
    fn merge(&mut self, other: &Tally) {
        for (a, b) in [
            (&mut self.unambiguous, other.unambiguous),
            (&mut self.ambiguous, other.ambiguous),
            (&mut self.ambiguous_few, other.ambiguous_few),
            (&mut self.confident, other.confident),
            (&mut self.confident_ambiguous, other.confident_ambiguous),
        ] {
            a.0 += b.0;
            a.1 += b.1;
        }
        self.confident_wrong += other.confident_wrong;
    }
}

/// What an evaluation found.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub kinds: BTreeMap<String, Tally>,
    pub total: Tally,
    /// Wrong answers, described, up to the number asked for.
    pub misses: Vec<String>,
    /// Microseconds per query for the whole `/speaker` command, and for the matcher alone.
    pub speaker_micros: Vec<f64>,
    pub lookup_micros: Vec<f64>,
}

fn add(slot: &mut (usize, usize), right: bool) {
    slot.0 += usize::from(right);
    slot.1 += 1;
}

/// Asks every query once and tallies the answers; keeps up to `misses` wrong ones described.
pub fn evaluate(catalogue: &Catalogue, queries: &[Query], misses: usize) -> Report {
    // Every spelling a speaker is known by, keyed by the displayed name.
    let mut spellings: HashMap<&str, Vec<String>> = HashMap::new();
    for s in &catalogue.speakers {
        let keys = spellings.entry(s.name.as_str()).or_default();
        keys.extend(std::iter::once(&s.name).chain(&s.aliases).map(|n| key(n)));
    }
    let is_right =
        |name: &str, q: &Query| spellings.get(name).is_some_and(|ks| ks.iter().any(|k| q.expected.contains(k)));
    let mut report = Report::default();
    for q in queries {
        let a = answer(catalogue, &q.text);
        report.speaker_micros.push(a.micros);
        report.lookup_micros.push(time_lookup(catalogue, &q.text));
        let tally = report.kinds.entry(q.kind.clone()).or_default();
        let first_right = a.ranked.first().is_some_and(|n| is_right(n, q));
        let right = if q.ambiguous {
            let right = a.ranked.iter().take(10).any(|n| is_right(n, q));
            add(&mut tally.ambiguous, right);
            if q.n_plausible <= 10 {
                add(&mut tally.ambiguous_few, right);
            }
            right
        } else {
            add(&mut tally.unambiguous, first_right);
            first_right
        };
        add(if q.ambiguous { &mut tally.confident_ambiguous } else { &mut tally.confident }, a.confident);
        tally.confident_wrong += usize::from(a.confident && !first_right);
        if !right && report.misses.len() < misses {
            let top: Vec<&str> = a.ranked.iter().take(if q.ambiguous { 10 } else { 3 }).map(String::as_str).collect();
            let ambiguous = if q.ambiguous { ", ambiguous" } else { "" };
            report
                .misses
                .push(format!("[{}{ambiguous}] {:?} → {top:?} (expected {:?})", q.kind, q.text, q.expected[0]));
        }
    }
    for tally in report.kinds.values() {
        report.total.merge(tally);
    }
    report
}

/// Asks every query again and keeps, per query, the fastest time seen.
pub fn retime(catalogue: &Catalogue, queries: &[Query], report: &mut Report) {
    for (i, q) in queries.iter().enumerate() {
        report.speaker_micros[i] = report.speaker_micros[i].min(answer(catalogue, &q.text).micros);
        report.lookup_micros[i] = report.lookup_micros[i].min(time_lookup(catalogue, &q.text));
    }
}

/// Microseconds the matcher alone takes, without resolving and shaping the reply around it.
fn time_lookup(catalogue: &Catalogue, query: &str) -> f64 {
    let start = Instant::now();
    std::hint::black_box(catalogue.speaker_index.lookup(query, 10));
    start.elapsed().as_secs_f64() * 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_form_case_and_accents_only() {
        assert_eq!(key("Gae\u{308}l Varoquaux"), key("GAËL varoquaux"));
        assert_eq!(key("Gaël Varoquaux"), "gael varoquaux");
        assert_ne!(key("Jean-François"), key("Jean François"));
    }

    #[test]
    fn reads_rows_keeping_spaces_in_queries() {
        let tsv = "query\texpected_canonical_name\tkind_of_noise\tambiguous\tstratum\ttraits\tn_plausible\tplausible_matches\tequivalent_names\n\
                   \u{20}Gael  \tGaël Varoquaux\textra_whitespace\tfalse\tdiacritics\t\t1\t\tGael Varoquaux | G. Varoquaux\n";
        let rows = read_queries(tsv).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].text, " Gael  ");
        assert_eq!(rows[0].expected, vec!["gael varoquaux", "gael varoquaux", "g. varoquaux"]);
        assert!(!rows[0].ambiguous);
    }
}
