//! Fuzzy speaker matching, measured on a trimmed sample of the dev queries (see
//! tests/fixtures/README.md): every kind of noise, through `/speaker` as a user would ask.

use confbot::catalogue::parse_str;
use confbot::cli::eval::{evaluate, read_queries, Tally};

const SPEAKERS: &str = include_str!("fixtures/fuzzy/speakers.toml");
const QUERIES: &str = include_str!("fixtures/fuzzy/queries.tsv");

fn rate((right, n): (usize, usize)) -> f64 {
    right as f64 / n.max(1) as f64
}

fn measured() -> Tally {
    let catalogue = parse_str("speakers.toml", SPEAKERS).expect("the fixture catalogue is valid");
    let queries = read_queries(QUERIES).expect("the fixture queries are readable");
    let report = evaluate(&catalogue, &queries, 20);
    for miss in &report.misses {
        eprintln!("miss {miss}");
    }
    report.total
}

#[test]
fn finds_the_speaker_meant_through_every_kind_of_noise() {
    let total = measured();
    assert!(total.unambiguous.1 >= 50 && total.ambiguous.1 >= 20, "the fixture holds both kinds: {total:?}");
    assert!(rate(total.unambiguous) >= 0.98, "top-1 on unambiguous queries: {:?}", total.unambiguous);
    assert!(rate(total.ambiguous_few) >= 0.98, "expected name in the top 10: {:?}", total.ambiguous_few);
}

#[test]
fn is_confident_on_clear_hits_and_rarely_wrong_when_it_is() {
    let total = measured();
    assert!(rate(total.confident) >= 0.9, "confident on unambiguous queries: {:?}", total.confident);
    assert!(rate(total.confident_ambiguous) <= 0.5, "confident on ambiguous queries: {:?}", total.confident_ambiguous);
    assert!(total.confident_wrong <= 3, "confident but wrong: {}", total.confident_wrong);
}
