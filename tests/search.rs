//! `/search` on real talks (tests/fixtures/search/: a slice of the pyvideo archive and the 31C3
//! schedule): the wrong answers reported in the issue, the ranking rules and the cut-off, and the
//! judged query set measured against a plain BM25.

use std::sync::OnceLock;

use confbot::catalogue::{parse_str, Catalogue};
use confbot::cli::eval::search::{evaluate, read_judged, Report};
use confbot::cli::eval::Reference;
use confbot::commands::{self, parse_line, Context, Outcome};
use confbot::reply::{self, violations};
use confbot::search::{fold, MAX_RESULTS};
use confbot::sources::{self, Source};

const JUDGED: &str = include_str!("fixtures/search/fixture-judged.tsv");

fn fixture() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/search/catalogue");
        sources::load(&[Source::Path(dir.into())]).expect("the search fixture loads")
    })
}

fn ask(c: &Catalogue, line: &str) -> Outcome {
    let mut rng = fastrand::Rng::with_seed(7);
    let mut ctx = Context::new(c, &mut rng);
    commands::run(&mut ctx, &parse_line(line).unwrap())
}

/// The talks `/search` ranks for `query`, best first.
fn ranked(c: &Catalogue, query: &str) -> Vec<usize> {
    c.keyword_index().search(query, |_| true).talks
}

/// The folded words of everything search reads of a talk.
fn words(c: &Catalogue, talk: usize) -> Vec<String> {
    let d = c.document(talk);
    let texts = std::iter::once(d.title).chain(d.speakers).chain(d.topics).chain(d.text);
    texts.flat_map(|t| fold(t).split(' ').map(str::to_owned).collect::<Vec<_>>()).collect()
}

fn title(c: &Catalogue, talk: usize) -> &str {
    &c.talks[talk].title
}

/// Asserts that every result holding `word` whole comes before every result that only holds
/// a longer word it begins.
fn whole_before_prefix(c: &Catalogue, word: &str) -> Vec<usize> {
    let results = ranked(c, word);
    let whole: Vec<bool> = results.iter().map(|&t| words(c, t).iter().any(|w| w == word)).collect();
    let first_prefix = whole.iter().position(|w| !w).unwrap_or(whole.len());
    assert!(first_prefix > 0, "{word}: no talk holds the word");
    assert!(
        whole[first_prefix..].iter().all(|w| !w),
        "{word}: a talk holding only a longer word ({:?}) comes before one holding the word",
        title(c, results[first_prefix])
    );
    results
}

#[test]
fn gil_finds_talks_on_the_gil_before_a_talk_by_gilad() {
    let c = fixture();
    let results = whole_before_prefix(c, "gil");
    let gilad = results.iter().position(|&t| title(c, t).contains("Gilad Shefer")).expect("Gilad's talk is found");
    assert!(gilad >= 4, "four talks discuss the GIL; Gilad's talk came {}", gilad + 1);
    let reply = ask(c, "/search query: GIL");
    assert_eq!(reply.resolved["results"][0], "Mindblowing Python GIL");
}

#[test]
fn data_finds_talks_about_data_before_datacubes_and_datapages() {
    let c = fixture();
    let results = whole_before_prefix(c, "data");
    for fragment in ["Datacubes", "DataPages"] {
        let at = results.iter().position(|&t| title(c, t).contains(fragment));
        assert!(at.is_none_or(|i| i >= 20), "{fragment} came {:?}", at.map(|i| i + 1));
    }
}

#[test]
fn django_orm_performance_keeps_only_talks_holding_most_of_the_words() {
    let c = fixture();
    let hits = c.keyword_index().search("django orm performance", |_| true);
    assert!(!hits.talks.is_empty() && hits.total <= 10, "{} results (73 before the cut-off)", hits.total);
    for &t in &hits.talks {
        let held =
            ["django", "orm", "performance"].iter().filter(|q| words(c, t).iter().any(|w| w.starts_with(**q))).count();
        assert!(held >= 2, "{:?} holds {held} of the three words", title(c, t));
    }
    let reply = ask(c, "/search query: django orm performance");
    assert_eq!(reply.resolved["results"][0], "Building effective Django queries with expressions");
}

#[test]
fn the_cut_off_is_taken_within_the_conference_asked() {
    let c = fixture();
    // At ChiPy no talk holds two of the words, so one is enough there; elsewhere two are needed.
    let reply = ask(c, "/search query: django orm performance conference: chipy");
    assert!(reply.ok);
    assert!(reply.resolved["results"].as_array().unwrap().len() > 5, "{}", reply.resolved);
}

#[test]
fn ties_go_to_the_newer_talk() {
    // Same words, same fields: only the date tells the talks apart. The older conference comes
    // first in the catalogue, which used to decide.
    let c = parse_str(
        "ties.toml",
        r#"
[[conferences]]
id = "a-conf-2010"
name = "A Conf 2010"
year = 2010

[[conferences]]
id = "b-conf"
name = "B Conf"
start = 2016-05-01

[[conferences]]
id = "c-conf-2024"
name = "C Conf 2024"
year = 2024

[[talks]]
id = "keynote-2010"
title = "Keynote"
conference = "a-conf-2010"

[[talks]]
id = "keynote-2016"
title = "Keynote"
conference = "b-conf"

[[talks]]
id = "keynote-2024"
title = "Keynote"
conference = "c-conf-2024"

[[talks]]
id = "keynote-2024-recorded"
title = "Keynote"
conference = "c-conf-2024"
recorded = 2024-06-01
"#,
    )
    .unwrap();
    let ids: Vec<&str> = ranked(&c, "keynote").iter().map(|&t| c.talks[t].id.as_str()).collect();
    assert_eq!(ids, ["keynote-2024-recorded", "keynote-2024", "keynote-2016", "keynote-2010"]);
}

#[test]
fn a_broad_query_shows_the_best_hundred_within_discord_limits() {
    let c = fixture();
    let hits = c.keyword_index().search("python", |_| true);
    assert_eq!(hits.talks.len(), MAX_RESULTS);
    assert!(hits.total > MAX_RESULTS);
    for page in ["0", "9", "99"] {
        let reply = ask(c, &format!("/search query: python page: {page}"));
        let message = reply::render(&reply.reply);
        assert!(violations(&message).is_empty(), "{:?}", violations(&message));
        let embed = &message.embeds[0];
        assert_eq!(embed.title.as_deref(), Some("Best 100 results for “python”"), "never thousands");
    }
    let few = ask(c, "/search query: django orm performance");
    assert!(reply::render(&few.reply).embeds[0].title.as_deref().unwrap().starts_with("2 results"));
}

fn measured() -> Report {
    let c = fixture();
    let queries = read_judged(JUDGED).expect("the judged set reads");
    let report = evaluate(c, &Reference::build(c), &queries, 20);
    for miss in &report.misses {
        eprintln!("miss {miss}");
    }
    assert_eq!(report.unknown, 0, "every judged talk is in the fixture");
    report
}

#[test]
fn the_judged_set_ranks_better_than_plain_bm25() {
    let report = measured();
    let (ours, bm25) = report.total;
    assert_eq!(ours.queries, 150);
    assert!(ours.mrr() >= 0.95, "MRR@10 {:.3}", ours.mrr());
    assert!(ours.mrr() >= bm25.mrr() + 0.05, "ours {:.3}, BM25 {:.3}", ours.mrr(), bm25.mrr());
    assert!(ours.top1() >= 0.93 && ours.top1() > bm25.top1(), "top-1 {:.3} against {:.3}", ours.top1(), bm25.top1());
    // Prefixes and typos are where a plain BM25 cannot follow.
    for kind in ["title_prefix", "title_typo"] {
        let (ours, bm25) = report.kinds[kind];
        assert!(ours.mrr() >= bm25.mrr() + 0.15, "{kind}: ours {:.3}, BM25 {:.3}", ours.mrr(), bm25.mrr());
    }
    // No kind of query does much worse than BM25.
    for (kind, (ours, bm25)) in &report.kinds {
        assert!(ours.mrr() >= bm25.mrr() - 0.05, "{kind}: ours {:.3}, BM25 {:.3}", ours.mrr(), bm25.mrr());
    }
}

#[test]
fn eval_reads_a_judged_set_and_prints_both_rankings() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_confbot"))
        .args(["eval", "--data", &format!("{dir}/tests/fixtures/search/catalogue")])
        .args(["--queries", &format!("{dir}/tests/fixtures/search/fixture-judged.tsv")])
        .env("RUST_LOG", "warn")
        .output()
        .expect("confbot runs");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("| queries | n | MRR@10 ours | MRR@10 BM25 |"), "{stdout}");
    assert!(stdout.contains("| **all** | 150 |"), "{stdout}");
    assert!(stdout.contains("ours latency per query: median"), "{stdout}");
}
