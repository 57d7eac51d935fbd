//! Scoring `/search` on judged queries (tests/fixtures/search/*.tsv): each query has the ids of
//! the talk it was written from; ours and a plain BM25 reference ([`super::bm25`]) answer it,
//! and the rank of that talk in their first ten gives MRR@10 and top-1 for each.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::Context as _;

use super::bm25::Reference;
use crate::catalogue::Catalogue;

/// One judged query.
#[derive(Debug, Clone)]
pub struct Judged {
    pub text: String,
    /// The ids of the talk meant, and of its duplicates (any is right).
    pub expected: Vec<String>,
    pub kind: String,
}

/// True when `text` is a judged search set (its header has `expected_ids`), not speaker queries.
pub fn is_judged(text: &str) -> bool {
    text.lines().find(|l| !l.starts_with('#')).is_some_and(|h| h.split('\t').any(|c| c.trim() == "expected_ids"))
}

/// Reads a judged set: `#` comment lines, a header (`query`, `expected_ids`, `kind`, more
/// columns allowed), then tab-separated rows; ids are comma-separated.
pub fn read_judged(text: &str) -> anyhow::Result<Vec<Judged>> {
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().context("the judged set is empty")?.split('\t').collect();
    let column = |name: &str| {
        header.iter().position(|h| h.trim() == name).with_context(|| format!("no `{name}` column in the header"))
    };
    let (q, e, k) = (column("query")?, column("expected_ids")?, column("kind")?);
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split('\t').collect();
        let cell = |c: usize| cells.get(c).copied().with_context(|| format!("row {}: too few columns", i + 1));
        rows.push(Judged {
            text: cell(q)?.to_owned(),
            expected: cell(e)?.split(',').map(|id| id.trim().to_owned()).filter(|id| !id.is_empty()).collect(),
            kind: cell(k)?.trim().to_owned(),
        });
    }
    Ok(rows)
}

/// Ranks of the talk meant, summed up.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Ranks {
    pub queries: usize,
    /// Sum of 1/rank over queries whose talk was in the first ten.
    pub reciprocal: f64,
    pub first: usize,
    pub top10: usize,
}

impl Ranks {
    fn add(&mut self, rank: Option<usize>) {
        self.queries += 1;
        if let Some(r) = rank {
            self.reciprocal += 1.0 / r as f64;
            self.first += usize::from(r == 1);
            self.top10 += 1;
        }
    }

    fn merge(&mut self, other: &Ranks) {
        self.queries += other.queries;
        self.reciprocal += other.reciprocal;
        self.first += other.first;
        self.top10 += other.top10;
    }

    /// Mean reciprocal rank in the first ten.
    pub fn mrr(&self) -> f64 {
        self.reciprocal / self.queries.max(1) as f64
    }

    pub fn top1(&self) -> f64 {
        self.first as f64 / self.queries.max(1) as f64
    }
}

/// What a search evaluation found: per kind of query, ours and the reference.
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub kinds: BTreeMap<String, (Ranks, Ranks)>,
    pub total: (Ranks, Ranks),
    /// Queries left out because none of their talks is in the catalogue.
    pub unknown: usize,
    /// How many results ours returned (shown, at most `MAX_RESULTS`) and passed the cut-off.
    pub shown: Vec<usize>,
    pub passed: Vec<usize>,
    /// Microseconds per query, ours and the reference.
    pub ours_micros: Vec<f64>,
    pub reference_micros: Vec<f64>,
    /// Queries whose talk ours did not put first, described, up to the number asked for.
    pub misses: Vec<String>,
}

/// Asks every query of `queries` both ways and tallies the ranks of the talks meant.
pub fn evaluate(c: &Catalogue, reference: &Reference, queries: &[Judged], misses: usize) -> Report {
    let index = c.keyword_index();
    let mut report = Report::default();
    for q in queries {
        let expected: Vec<usize> = q.expected.iter().filter_map(|id| c.talk_by_id(id)).collect();
        if expected.is_empty() {
            report.unknown += 1;
            continue;
        }
        let start = Instant::now();
        let hits = index.search(&q.text, |_| true);
        report.ours_micros.push(start.elapsed().as_secs_f64() * 1e6);
        let start = Instant::now();
        let theirs = reference.search(&q.text, 10);
        report.reference_micros.push(start.elapsed().as_secs_f64() * 1e6);
        report.shown.push(hits.talks.len());
        report.passed.push(hits.total);
        let rank = |ranked: &[usize]| ranked.iter().take(10).position(|t| expected.contains(t)).map(|i| i + 1);
        let (ours, refs) = (rank(&hits.talks), rank(&theirs));
        let slot = report.kinds.entry(q.kind.clone()).or_default();
        slot.0.add(ours);
        slot.1.add(refs);
        if ours != Some(1) && report.misses.len() < misses {
            let top: Vec<&str> = hits.talks.iter().take(3).map(|&t| c.talks[t].title.as_str()).collect();
            let at = ours.map_or("not in the first 10".to_owned(), |r| format!("at {r}"));
            report.misses.push(format!(
                "[{}] {:?}: {:?} {at} (BM25: {}); ours: {top:?}",
                q.kind,
                q.text,
                c.talks[expected[0]].title,
                refs.map_or("—".to_owned(), |r| r.to_string())
            ));
        }
    }
    for (ours, refs) in report.kinds.values() {
        report.total.0.merge(ours);
        report.total.1.merge(refs);
    }
    report
}

/// Times every query again, keeping per query the fastest time seen.
pub fn retime(c: &Catalogue, reference: &Reference, queries: &[Judged], report: &mut Report) {
    let index = c.keyword_index();
    let known = queries.iter().filter(|q| q.expected.iter().any(|id| c.talk_by_id(id).is_some()));
    for (i, q) in known.enumerate() {
        let start = Instant::now();
        std::hint::black_box(index.search(&q.text, |_| true));
        report.ours_micros[i] = report.ours_micros[i].min(start.elapsed().as_secs_f64() * 1e6);
        let start = Instant::now();
        std::hint::black_box(reference.search(&q.text, 10));
        report.reference_micros[i] = report.reference_micros[i].min(start.elapsed().as_secs_f64() * 1e6);
    }
}

/// Prints the report as a Markdown table and a few lines of figures.
pub fn print(report: &Report) {
    println!("| queries | n | MRR@10 ours | MRR@10 BM25 | top-1 ours | top-1 BM25 | in top 10 ours | in top 10 BM25 |");
    println!("|---|---|---|---|---|---|---|---|");
    let all = "**all**".to_owned();
    for (kind, (ours, refs)) in report.kinds.iter().chain(std::iter::once((&all, &report.total))) {
        let percent = |n: usize, of: &Ranks| format!("{:.1}%", 100.0 * n as f64 / of.queries.max(1) as f64);
        println!(
            "| {kind} | {} | {:.3} | {:.3} | {} | {} | {} | {} |",
            ours.queries,
            ours.mrr(),
            refs.mrr(),
            percent(ours.first, ours),
            percent(refs.first, refs),
            percent(ours.top10, ours),
            percent(refs.top10, refs)
        );
    }
    if report.unknown > 0 {
        println!("({} queries left out: none of their talks is in this catalogue)", report.unknown);
    }
    let spread = |v: &[usize]| {
        let mut v = v.to_vec();
        v.sort_unstable();
        let at = |q: f64| v.get(((v.len().max(1) - 1) as f64 * q).round() as usize).copied().unwrap_or(0);
        format!("median {}, p90 {}, max {}", at(0.5), at(0.9), at(1.0))
    };
    println!(
        "results per query, ours: shown {} (at most {}); passing the cut-off {}",
        spread(&report.shown),
        crate::search::MAX_RESULTS,
        spread(&report.passed)
    );
    for (what, times) in [("ours", &report.ours_micros), ("BM25 reference", &report.reference_micros)] {
        let mut times = times.clone();
        times.sort_by(f64::total_cmp);
        println!(
            "{what} latency per query: median {:.0} µs, p99 {:.0} µs, max {:.0} µs",
            super::quantile(&times, 0.5),
            super::quantile(&times, 0.99),
            times.last().copied().unwrap_or(0.0)
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_a_judged_set_from_speaker_queries_and_reads_it() {
        let judged = "# made by hand\nquery\texpected_ids\tkind\ttitle\ndjango orm\ta,b\ttitle_words\tDjango ORM\n\n";
        assert!(is_judged(judged));
        assert!(!is_judged("query\texpected_canonical_name\tkind_of_noise\n"));
        let rows = read_judged(judged).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!((rows[0].text.as_str(), rows[0].kind.as_str()), ("django orm", "title_words"));
        assert_eq!(rows[0].expected, ["a", "b"]);
        assert!(read_judged("query\tkind\n").is_err(), "expected_ids is required");
    }
}
