//! Approximate lookup over short texts (talk titles, topic names): exact, prefix, words in any
//! order, then typo-tolerant word matching. Also the engine behind title autocomplete.

use std::collections::HashMap;

use super::normalise::fold;

/// An index over a list of short texts, answering with their positions in that list.
#[derive(Default)]
pub struct TextIndex {
    folded: Vec<String>,
    /// Each distinct word, with the texts that contain it.
    words: HashMap<String, Vec<u32>>,
}

impl std::fmt::Debug for TextIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TextIndex({} texts)", self.folded.len())
    }
}

impl TextIndex {
    pub fn build<'a>(texts: impl Iterator<Item = &'a str>) -> TextIndex {
        let mut index = TextIndex::default();
        for (ix, text) in texts.enumerate() {
            let folded = fold(text);
            for word in folded.split(' ').filter(|w| !w.is_empty()) {
                let list = index.words.entry(word.to_owned()).or_default();
                if list.last() != Some(&(ix as u32)) {
                    list.push(ix as u32);
                }
            }
            index.folded.push(folded);
        }
        index
    }

    /// The best `limit` texts for `query`, with scores in 0..=1, best first; ties keep list order.
    pub fn lookup(&self, query: &str, limit: usize) -> Vec<(usize, f64)> {
        let query = fold(query);
        if query.is_empty() {
            return Vec::new();
        }
        let words: Vec<&str> = query.split(' ').collect();
        let mut scored: Vec<(usize, f64)> = self
            .folded
            .iter()
            .enumerate()
            .filter_map(|(ix, text)| literal_score(&query, &words, text).map(|s| (ix, s)))
            .collect();
        if scored.is_empty() {
            scored = self.fuzzy(&words);
        }
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(limit);
        scored
    }

    /// Texts whose words approximately cover the query's words (typos), via the vocabulary.
    fn fuzzy(&self, words: &[&str]) -> Vec<(usize, f64)> {
        let mut totals: HashMap<u32, f64> = HashMap::new();
        for query_word in words {
            let mut best: HashMap<u32, f64> = HashMap::new();
            for (word, texts) in &self.words {
                if word.len().abs_diff(query_word.len()) > 2 {
                    continue;
                }
                let sim = strsim::normalized_damerau_levenshtein(query_word, word);
                if sim >= 0.7 {
                    for &t in texts {
                        let slot = best.entry(t).or_default();
                        *slot = slot.max(sim);
                    }
                }
            }
            for (t, sim) in best {
                *totals.entry(t).or_default() += sim;
            }
        }
        let n = words.len() as f64;
        totals.into_iter().map(|(t, total)| (t as usize, 0.7 * total / n)).filter(|(_, s)| *s >= 0.45).collect()
    }
}

/// Scores a text that literally contains the query, or every query word as a word prefix.
fn literal_score(query: &str, words: &[&str], text: &str) -> Option<f64> {
    if text == query {
        return Some(1.0);
    }
    if text.starts_with(query) {
        return Some(0.95);
    }
    if text.contains(query) {
        return Some(0.9);
    }
    let found = words.iter().filter(|q| text.split(' ').any(|w| w.starts_with(*q))).count();
    (found == words.len()).then(|| 0.75 + 0.1 * (query.len() as f64 / text.len().max(1) as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_titles_by_prefix_words_and_typos() {
        let titles = ["The Design of Everyday APIs", "Profiling at the speed of light", "Keynote"];
        let idx = TextIndex::build(titles.iter().copied());
        let first = |q: &str| idx.lookup(q, 3).first().map(|r| r.0);
        assert_eq!(first("the design"), Some(0));
        assert_eq!(first("everyday apis"), Some(0));
        assert_eq!(first("apis design"), Some(0));
        assert_eq!(first("profilng speed"), Some(1));
        assert_eq!(first("keynote"), Some(2));
        assert_eq!(first("zzzz"), None);
    }
}
