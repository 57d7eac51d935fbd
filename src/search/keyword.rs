//! Keyword search over talks: every folded word of a title, summary or insight points at its
//! talk; a query ranks talks by how many of its words they hold, title words counting most.

use rustc_hash::FxHashMap;

use super::normalise::fold;

/// The text of one talk as search sees it.
pub struct Document<'a> {
    pub title: &'a str,
    pub body: Vec<&'a str>,
}

/// An inverted index from word to (talk, weight). Words are sorted, so the words a typed
/// prefix begins are one contiguous range.
#[derive(Default)]
pub struct KeywordIndex {
    words: Vec<Box<str>>,
    /// `postings[starts[w]..starts[w + 1]]` are the (talk, weight) pairs of word `w`.
    starts: Vec<u32>,
    postings: Vec<(u32, u16)>,
    docs: usize,
}

impl std::fmt::Debug for KeywordIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeywordIndex({} words)", self.words.len())
    }
}

const TITLE_WEIGHT: u16 = 3;
const BODY_WEIGHT: u16 = 1;

/// The id interned stop words get.
const STOP: u32 = u32::MAX;

/// Words too common to rank by.
const STOP_WORDS: &[&str] =
    &["a", "an", "and", "the", "of", "in", "on", "to", "for", "with", "is", "it", "by", "at", "or"];

impl KeywordIndex {
    /// Builds the index. Words are interned as they come, so each distinct word is stored once
    /// however many talks hold it: the whole pyvideo archive's 8 MB of text builds in tens of
    /// milliseconds.
    pub fn build<'a>(docs: impl Iterator<Item = Document<'a>>) -> KeywordIndex {
        let mut ids: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut pairs: Vec<(u32, u32, u16)> = Vec::new(); // (word, doc, weight), docs ascending
        let mut docs_seen = 0;
        let mut stops = 0u32;
        let mut words_of_doc: Vec<(u32, u16)> = Vec::new();
        for (doc, document) in docs.enumerate() {
            docs_seen = doc + 1;
            words_of_doc.clear();
            let texts =
                std::iter::once((document.title, TITLE_WEIGHT)).chain(document.body.iter().map(|b| (*b, BODY_WEIGHT)));
            for (text, weight) in texts {
                for word in fold(text).split(' ').filter(|w| !w.is_empty()) {
                    // Stop words are interned too, as STOP, so each occurrence costs one lookup.
                    let id = match ids.get(word) {
                        Some(&id) => id,
                        None => {
                            let id = if STOP_WORDS.contains(&word) { STOP } else { ids.len() as u32 - stops };
                            stops += u32::from(id == STOP);
                            ids.insert(Box::from(word), id);
                            id
                        }
                    };
                    if id != STOP {
                        words_of_doc.push((id, weight));
                    }
                }
            }
            // One posting per word and talk, with the best weight it has there.
            words_of_doc.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            words_of_doc.dedup_by_key(|p| p.0);
            pairs.extend(words_of_doc.iter().map(|&(word, weight)| (word, doc as u32, weight)));
        }
        // Renumber words in sorted order, then lay the postings out word by word with a counting
        // sort, which keeps each word's talks in ascending order.
        let mut words: Vec<(Box<str>, u32)> = ids.into_iter().filter(|&(_, id)| id != STOP).collect();
        words.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let mut rank = vec![0u32; words.len()];
        for (sorted, (_, id)) in words.iter().enumerate() {
            rank[*id as usize] = sorted as u32;
        }
        let mut starts = vec![0u32; words.len() + 1];
        for p in &pairs {
            starts[rank[p.0 as usize] as usize + 1] += 1;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut next = starts.clone();
        let mut postings = vec![(0u32, 0u16); pairs.len()];
        for (word, doc, weight) in pairs {
            let slot = &mut next[rank[word as usize] as usize];
            postings[*slot as usize] = (doc, weight);
            *slot += 1;
        }
        KeywordIndex { words: words.into_iter().map(|(w, _)| w).collect(), starts, postings, docs: docs_seen }
    }

    /// Talks matching the query, best first: words are weighted by rarity (idf) and by where
    /// they occur; a query word of three letters or more also matches longer words it begins
    /// (`typ` → `typing`).
    pub fn search(&self, query: &str) -> Vec<usize> {
        // Fx hashing: a common word has thousands of postings, and SipHash would cost more than
        // the scoring itself.
        let mut scores: FxHashMap<u32, f64> = FxHashMap::default();
        for word in fold(query).split(' ').filter(|w| !w.is_empty() && !STOP_WORDS.contains(w)) {
            let mut per_doc: FxHashMap<u32, f64> = FxHashMap::default();
            for (id, exact) in self.matching_words(word) {
                let postings = &self.postings[self.starts[id] as usize..self.starts[id + 1] as usize];
                let strength = if exact { 1.0 } else { 0.6 };
                let idf = ((self.docs as f64 + 1.0) / (postings.len() as f64 + 0.5)).ln().max(0.1);
                for &(doc, weight) in postings {
                    let slot = per_doc.entry(doc).or_default();
                    *slot = slot.max(strength * idf * f64::from(weight));
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

    /// The ids of the words `word` equals or (when long enough to mean it) begins.
    fn matching_words<'s>(&'s self, word: &'s str) -> impl Iterator<Item = (usize, bool)> + 's {
        let lo = self.words.partition_point(|w| **w < *word);
        let prefixes = word.chars().count() >= 3;
        self.words[lo..]
            .iter()
            .take_while(move |w| w.starts_with(word))
            .enumerate()
            .map(move |(i, w)| (lo + i, **w == *word))
            .filter(move |&(_, exact)| exact || prefixes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_title_hits_above_body_hits() {
        let docs = vec![
            Document { title: "Profiling Python", body: vec!["flame graphs", "Profiling again"] },
            Document { title: "Keynote", body: vec!["profiling is fun"] },
            Document { title: "Typing", body: vec![] },
            Document { title: "Types", body: vec!["typ"] },
        ];
        let idx = KeywordIndex::build(docs.into_iter());
        assert_eq!(idx.search("profiling"), vec![0, 1]);
        assert_eq!(idx.search("flame"), vec![0]);
        let mut typ = idx.search("typ");
        typ.sort();
        assert_eq!(typ, vec![2, 3], "a prefix reaches longer words");
        assert_eq!(idx.search("ty"), Vec::<usize>::new(), "two letters match whole words only");
        assert!(idx.search("the").is_empty());
        assert!(idx.search("").is_empty());
        assert!(idx.search("zzz").is_empty());
    }
}
