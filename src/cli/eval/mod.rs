//! `confbot eval`: measures `/speaker` on a file of noisy queries with known answers —
//! accuracy per kind of noise, confidence, latency, and the speaker index's build time and size —
//! or, given a judged search set, `/search` against a plain BM25 reference.

mod bm25;
mod score;
pub mod search;

use std::path::Path;
use std::time::Instant;

use anyhow::Context as _;

pub use bm25::Reference;
pub use score::{answer, evaluate, key, read_queries, retime, Answer, Query, Report, Tally};

use super::DataArgs;
use crate::catalogue::Catalogue;
use crate::search::SpeakerIndex;

/// Runs the evaluation and prints its table. `rounds` > 1 times each query that many times
/// and keeps its fastest run, which takes out the noise of other processes on a busy machine.
pub fn run(data: &DataArgs, queries: &Path, misses: usize, rounds: usize) -> anyhow::Result<i32> {
    if data.data.is_empty() {
        anyhow::bail!(
            "eval needs the catalogue the queries were written for: give --data PATH \
             (for the dev queries, the pyvideo archive or a catalogue converted from it)"
        );
    }
    let text = std::fs::read_to_string(queries).with_context(|| format!("cannot read {}", queries.display()))?;
    let started = Instant::now();
    let catalogue = data.load()?;
    let load_ms = started.elapsed().as_secs_f64() * 1e3;
    if search::is_judged(&text) {
        let judged = search::read_judged(&text).with_context(|| format!("in {}", queries.display()))?;
        println!("catalogue: {} (loaded in {load_ms:.0} ms); {} judged queries", catalogue.counts(), judged.len());
        return run_search(&catalogue, &judged, misses, rounds);
    }
    let queries = read_queries(&text).with_context(|| format!("in {}", queries.display()))?;
    let mut report = evaluate(&catalogue, &queries, misses);
    for _ in 1..rounds {
        retime(&catalogue, &queries, &mut report);
    }
    for miss in &report.misses {
        println!("miss {miss}");
    }
    println!("catalogue: {} (loaded in {load_ms:.0} ms); {} queries", catalogue.counts(), queries.len());
    let (build_ms, index) = build_speaker_index(&catalogue);
    println!("speaker index: {index:?}, built in {build_ms:.1} ms, about {:.1} MB", index.heap_bytes() as f64 / 1e6);
    println!();
    print_table(&report);
    println!();
    let mut slowest: Vec<(f64, &str)> =
        report.speaker_micros.iter().zip(&queries).map(|(&t, q)| (t, q.text.as_str())).collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    let slowest: Vec<String> = slowest.iter().take(5).map(|(t, q)| format!("{q:?} {t:.0} µs")).collect();
    println!("slowest: {}", slowest.join(", "));
    if rounds > 1 {
        println!("latencies are each query's fastest of {rounds} rounds");
    }
    for (what, mut times) in [("/speaker", report.speaker_micros), ("matcher alone", report.lookup_micros)] {
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

/// The search half of `run`: both indexes built and timed, every query asked both ways.
fn run_search(catalogue: &Catalogue, judged: &[search::Judged], misses: usize, rounds: usize) -> anyhow::Result<i32> {
    let start = Instant::now();
    let index = catalogue.keyword_index();
    let build_ms = start.elapsed().as_secs_f64() * 1e3;
    println!("keyword index: {index:?}, built in {build_ms:.0} ms, about {:.1} MB", index.heap_bytes() as f64 / 1e6);
    let start = Instant::now();
    let reference = bm25::Reference::build(catalogue);
    println!("BM25 reference index built in {:.0} ms", start.elapsed().as_secs_f64() * 1e3);
    let mut report = search::evaluate(catalogue, &reference, judged, misses);
    for _ in 1..rounds {
        search::retime(catalogue, &reference, judged, &mut report);
    }
    for miss in &report.misses {
        println!("miss {miss}");
    }
    println!();
    search::print(&report);
    if rounds > 1 {
        println!("latencies are each query's fastest of {rounds} rounds");
    }
    Ok(0)
}

fn print_table(report: &Report) {
    println!("| noise | unambiguous: top-1 | ambiguous: top-10 | ambiguous, ≤ 10 fit: top-10 | confident (unamb. / amb.) | confident but wrong |");
    println!("|---|---|---|---|---|---|");
    let all = "**all**".to_owned();
    for (kind, t) in report.kinds.iter().chain(std::iter::once((&all, &report.total))) {
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
}

/// Builds the speaker index again, as loading does, to time it alone.
fn build_speaker_index(c: &Catalogue) -> (f64, SpeakerIndex) {
    let start = Instant::now();
    let index = c.build_speaker_index();
    (start.elapsed().as_secs_f64() * 1e3, index)
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
