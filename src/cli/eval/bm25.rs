//! A plain BM25 to measure `/search` against: one field (a talk's title, speakers, topics,
//! summary and insights run together), whole words only, any query word enough, k1 = 1.2,
//! b = 0.75 — the textbook Okapi ranking, as a search library gives it by default. It reads the
//! same text as `/search` (`Catalogue::document`) and folds it the same way, so the two differ
//! only in how they rank.

use rustc_hash::FxHashMap;

use crate::catalogue::Catalogue;
use crate::search::fold;

const K1: f64 = 1.2;
const B: f64 = 0.75;

/// An inverted index from word to (talk, occurrences).
pub struct Reference {
    postings: FxHashMap<Box<str>, Vec<(u32, u32)>>,
    lengths: Vec<u32>,
    average: f64,
}

impl Reference {
    pub fn build(c: &Catalogue) -> Reference {
        let mut postings: FxHashMap<Box<str>, Vec<(u32, u32)>> = FxHashMap::default();
        let mut lengths = Vec::with_capacity(c.talks.len());
        let mut counts: FxHashMap<String, u32> = FxHashMap::default();
        for ix in 0..c.talks.len() {
            let d = c.document(ix);
            counts.clear();
            let texts = std::iter::once(d.title).chain(d.speakers).chain(d.topics).chain(d.text);
            let mut length = 0;
            for text in texts {
                for word in fold(text).split(' ').filter(|w| !w.is_empty()) {
                    *counts.entry(word.to_owned()).or_default() += 1;
                    length += 1;
                }
            }
            for (word, &n) in &counts {
                postings.entry(Box::from(word.as_str())).or_default().push((ix as u32, n));
            }
            lengths.push(length);
        }
        let average = lengths.iter().map(|&l| f64::from(l)).sum::<f64>() / lengths.len().max(1) as f64;
        Reference { postings, lengths, average }
    }

    /// The best `limit` talks for `query`, best first; ties in catalogue order.
    pub fn search(&self, query: &str, limit: usize) -> Vec<usize> {
        let n = self.lengths.len() as f64;
        let mut scores: FxHashMap<u32, f64> = FxHashMap::default();
        let folded = fold(query);
        let mut words: Vec<&str> = folded.split(' ').filter(|w| !w.is_empty()).collect();
        words.sort_unstable();
        words.dedup();
        for word in words {
            let Some(list) = self.postings.get(word) else { continue };
            let df = list.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for &(doc, tf) in list {
                let tf = f64::from(tf);
                let norm = K1 * (1.0 - B + B * f64::from(self.lengths[doc as usize]) / self.average);
                *scores.entry(doc).or_default() += idf * tf * (K1 + 1.0) / (tf + norm);
            }
        }
        let mut ranked: Vec<(u32, f64)> = scores.into_iter().collect();
        let order = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if ranked.len() > limit && limit > 0 {
            ranked.select_nth_unstable_by(limit - 1, order);
        }
        ranked.truncate(limit);
        ranked.sort_unstable_by(order);
        ranked.into_iter().map(|(d, _)| d as usize).collect()
    }
}
