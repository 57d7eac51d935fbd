//! Keyword search over talks: every folded word of a title, summary or insight points at its
//! talk; a query ranks talks by how many of its words they hold, title words counting most.

use std::collections::{BTreeMap, HashMap};

use super::normalise::fold;

/// The text of one talk as search sees it.
pub struct Document<'a> {
    pub title: &'a str,
    pub body: Vec<&'a str>,
}

/// An inverted index from word to (talk, weight).
#[derive(Default)]
pub struct KeywordIndex {
    /// Sorted, so the words a prefix begins are one range.
    postings: BTreeMap<String, Vec<(u32, u16)>>,
    docs: usize,
}

impl std::fmt::Debug for KeywordIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeywordIndex({} words)", self.postings.len())
    }
}

const TITLE_WEIGHT: u16 = 3;
const BODY_WEIGHT: u16 = 1;

/// Words too common to rank by.
const STOP_WORDS: &[&str] =
    &["a", "an", "and", "the", "of", "in", "on", "to", "for", "with", "is", "it", "by", "at", "or"];

impl KeywordIndex {
    pub fn build<'a>(docs: impl Iterator<Item = Document<'a>>) -> KeywordIndex {
        let mut index = KeywordIndex::default();
        for (ix, doc) in docs.enumerate() {
            let mut weights: HashMap<String, u16> = HashMap::new();
            for (text, weight) in
                std::iter::once((doc.title, TITLE_WEIGHT)).chain(doc.body.iter().map(|b| (*b, BODY_WEIGHT)))
            {
                for word in fold(text).split(' ').filter(|w| !w.is_empty() && !STOP_WORDS.contains(w)) {
                    let slot = weights.entry(word.to_owned()).or_default();
                    *slot = (*slot).max(weight);
                }
            }
            for (word, weight) in weights {
                index.postings.entry(word).or_default().push((ix as u32, weight));
            }
            index.docs = ix + 1;
        }
        index
    }

    /// Talks matching the query, best first: words are weighted by rarity (idf) and by where
    /// they occur; a query word also matches longer words it begins (`typ` → `typing`).
    pub fn search(&self, query: &str) -> Vec<usize> {
        let mut scores: HashMap<u32, f64> = HashMap::new();
        for word in fold(query).split(' ').filter(|w| !w.is_empty() && !STOP_WORDS.contains(w)) {
            let mut per_doc: HashMap<u32, f64> = HashMap::new();
            for (indexed, postings) in self.matching_words(word) {
                let exact = if indexed == word { 1.0 } else { 0.6 };
                let idf = ((self.docs as f64 + 1.0) / (postings.len() as f64 + 0.5)).ln().max(0.1);
                for &(doc, weight) in postings {
                    let slot = per_doc.entry(doc).or_default();
                    *slot = slot.max(exact * idf * f64::from(weight));
                }
            }
            for (doc, s) in per_doc {
                *scores.entry(doc).or_default() += s;
            }
        }
        let mut ranked: Vec<(u32, f64)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.into_iter().map(|(d, _)| d as usize).collect()
    }

    fn matching_words<'s>(&'s self, word: &'s str) -> impl Iterator<Item = (&'s str, &'s Vec<(u32, u16)>)> + 's {
        let min_prefix = if word.chars().count() >= 3 { word.len() } else { usize::MAX };
        self.postings
            .range::<str, _>((std::ops::Bound::Included(word), std::ops::Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(word))
            .filter(move |(k, _)| k.len() == word.len() || word.len() >= min_prefix)
            .map(|(k, v)| (k.as_str(), v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_title_hits_above_body_hits() {
        let docs = vec![
            Document { title: "Profiling Python", body: vec!["flame graphs"] },
            Document { title: "Keynote", body: vec!["profiling is fun"] },
            Document { title: "Typing", body: vec![] },
        ];
        let idx = KeywordIndex::build(docs.into_iter());
        assert_eq!(idx.search("profiling"), vec![0, 1]);
        assert_eq!(idx.search("flame"), vec![0]);
        assert_eq!(idx.search("typ"), vec![2]);
        assert!(idx.search("the").is_empty());
    }
}
