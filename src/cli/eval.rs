//! `confbot eval`: measures `/speaker` on a file of noisy queries with known answers — accuracy
//! per kind of noise and latency — by running each query through the command as the bot would.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::DataArgs;
use crate::catalogue::Catalogue;
use crate::commands::{self, Context, Invocation};
use crate::search::{SpeakerEntry, SpeakerIndex};

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
    let mut ctx = Context { catalogue, rng: &mut rng, last_insight: None };
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

/// Per-kind tallies.
#[derive(Debug, Default, Clone)]
struct Tally {
    unambiguous: (usize, usize),
    ambiguous: (usize, usize),
    ambiguous_few: (usize, usize),
    /// Confident answers among unambiguous and among ambiguous queries.
    confident: (usize, usize),
    confident_ambiguous: (usize, usize),
    /// Confident answers that were wrong: the user lands on the wrong speaker.
    confident_wrong: usize,
}

fn add(slot: &mut (usize, usize), right: bool) {
    slot.0 += usize::from(right);
    slot.1 += 1;
}

/// Runs the evaluation and prints its table. `rounds` > 1 times each query that many times
/// and keeps its fastest run, which takes out the noise of other processes on a busy machine.
pub fn run(data: &DataArgs, queries: &Path, misses: usize, rounds: usize) -> anyhow::Result<i32> {
    if data.data.is_empty() {
        anyhow::bail!(
            "eval needs the catalogue the queries were written for: give --data PATH \
             (for the dev queries, the pyvideo archive or a catalogue converted from it)"
        );
    }
    let started = Instant::now();
    let catalogue = data.load()?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    let text = std::fs::read_to_string(queries).with_context(|| format!("cannot read {}", queries.display()))?;
    let queries = read_queries(&text).with_context(|| format!("in {}", queries.display()))?;
    // Every spelling a speaker is known by, keyed by the displayed name.
    let mut spellings: HashMap<&str, Vec<String>> = HashMap::new();
    for s in &catalogue.speakers {
        let keys = spellings.entry(s.name.as_str()).or_default();
        keys.extend(std::iter::once(&s.name).chain(&s.aliases).map(|n| key(n)));
    }
    let is_right = |name: &str, q: &Query| spellings.get(name).is_some_and(|ks| ks.iter().any(|k| q.expected.contains(k)));

    let mut kinds: BTreeMap<String, Tally> = BTreeMap::new();
    let mut latencies = Vec::with_capacity(queries.len());
    let mut lookups = Vec::with_capacity(queries.len());
    let mut shown = 0;
    for q in &queries {
        let a = answer(&catalogue, &q.text);
        latencies.push(a.micros);
        lookups.push(time_lookup(&catalogue, &q.text));
        let tally = kinds.entry(q.kind.clone()).or_default();
        let right = if q.ambiguous {
            let right = a.ranked.iter().take(10).any(|n| is_right(n, q));
            add(&mut tally.ambiguous, right);
            if q.n_plausible <= 10 {
                add(&mut tally.ambiguous_few, right);
            }
            right
        } else {
            let right = a.ranked.first().is_some_and(|n| is_right(n, q));
            add(&mut tally.unambiguous, right);
            right
        };
        add(if q.ambiguous { &mut tally.confident_ambiguous } else { &mut tally.confident }, a.confident);
        tally.confident_wrong += usize::from(a.confident && !a.ranked.first().is_some_and(|n| is_right(n, q)));
        if !right && shown < misses {
            shown += 1;
            let top: Vec<&str> = a.ranked.iter().take(if q.ambiguous { 10 } else { 3 }).map(String::as_str).collect();
            println!("miss [{}{}] {:?} → {:?} (expected {:?})", q.kind, if q.ambiguous { ", ambiguous" } else { "" }, q.text, top, q.expected[0]);
        }
    }
    let total = kinds.values().fold(Tally::default(), |mut t, k| {
        for (a, b) in [
            (&mut t.unambiguous, k.unambiguous),
            (&mut t.ambiguous, k.ambiguous),
            (&mut t.ambiguous_few, k.ambiguous_few),
            (&mut t.confident, k.confident),
            (&mut t.confident_ambiguous, k.confident_ambiguous),
        ] {
            a.0 += b.0;
            a.1 += b.1;
        }
        t.confident_wrong += k.confident_wrong;
        t
    });
    println!("catalogue: {} (loaded in {load_ms:.0} ms); {} queries", catalogue.counts(), queries.len());
    let (build_ms, index) = build_speaker_index(&catalogue);
    println!(
        "speaker index: {index:?}, built in {build_ms:.1} ms, about {:.1} MB",
        index.heap_bytes() as f64 / 1e6
    );
    println!();
    println!("| noise | unambiguous: top-1 | ambiguous: top-10 | ambiguous, ≤ 10 fit: top-10 | confident (unamb. / amb.) | confident but wrong |");
    println!("|---|---|---|---|---|---|");
    for (kind, t) in kinds.iter().chain(std::iter::once((&"**all**".to_owned(), &total))) {
        println!(
            "| {kind} | {} | {} | {} | {} / {} | {} |",
            percent(t.unambiguous),
            percent(t.ambiguous),
            percent(t.ambiguous_few),
            percent(t.confident),
            percent(t.confident_ambiguous),
            t.confident_wrong
        );
    }
    for _ in 1..rounds {
        for (i, q) in queries.iter().enumerate() {
            latencies[i] = latencies[i].min(answer(&catalogue, &q.text).micros);
            lookups[i] = lookups[i].min(time_lookup(&catalogue, &q.text));
        }
    }
    let mut slowest: Vec<(f64, &str)> = latencies.iter().zip(&queries).map(|(&t, q)| (t, q.text.as_str())).collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let slowest: Vec<String> = slowest.iter().take(5).map(|(t, q)| format!("{q:?} {t:.0} µs")).collect();
    println!();
    println!("slowest: {}", slowest.join(", "));
    if rounds > 1 {
        println!("latencies are each query's fastest of {rounds} rounds");
    }
    for (what, mut times) in [("/speaker", latencies), ("matcher alone", lookups)] {
        times.sort_by(f64::total_cmp);
        println!(
            "{what} latency per query: median {:.0} µs, p99 {:.0} µs, max {:.0} µs",
            quantile(&times, 0.5),
            quantile(&times, 0.99),
            times.last().copied().unwrap_or(0.0)
        );
    }
    Ok(0)
}

/// Builds the speaker index again, as loading does, to time it alone.
fn build_speaker_index(c: &Catalogue) -> (f64, SpeakerIndex) {
    let start = Instant::now();
    let index = SpeakerIndex::build(c.speakers.iter().enumerate().map(|(ix, s)| SpeakerEntry {
        ix,
        name: &s.name,
        aliases: &s.aliases,
        weight: c.talks_of_speaker(ix).len() as u32,
    }));
    (start.elapsed().as_secs_f64() * 1e3, index)
}

/// Microseconds the matcher alone takes, without resolving and shaping the reply around it.
fn time_lookup(catalogue: &Catalogue, query: &str) -> f64 {
    let start = Instant::now();
    std::hint::black_box(catalogue.speaker_index.lookup(query, 10));
    start.elapsed().as_secs_f64() * 1e6
}

fn percent((right, n): (usize, usize)) -> String {
    if n == 0 {
        "—".into()
    } else {
        format!("{:.1}% ({right}/{n})", 100.0 * right as f64 / n as f64)
    }
}

/// The value below which a fraction `q` of the sorted values lie.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
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
