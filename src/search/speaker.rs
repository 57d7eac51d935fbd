//! Approximate speaker-name lookup over names and aliases.
//!
//! Every name is folded and split into words; the distinct words form a [`Vocabulary`]. A
//! query's words are looked up there (exact, prefix, typos within a few edits, through a
//! bigram index), the names holding those words are the candidates, and each candidate is
//! scored by aligning the typed words with its words ([`align::score`]). Ties — a bare first
//! name shared by many — go to the speaker with more talks.

use super::align::{self, Typed};
use super::normalise::fold;
use super::vocab::{Vocabulary, WordId};

/// One speaker as the index sees it.
pub struct SpeakerEntry<'a> {
    pub ix: usize,
    pub name: &'a str,
    pub aliases: &'a [String],
    /// How much the speaker matters when scores tie (their number of talks).
    pub weight: u32,
}

/// A scored candidate, best first in a [`Lookup`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    pub ix: usize,
    pub score: f64,
}

/// The answer to a query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lookup {
    /// Distinct speakers, best first.
    pub matches: Vec<Match>,
    /// True when the first match is clearly the one meant.
    pub confident: bool,
}

/// One spelling of a speaker's name.
#[derive(Debug, Clone)]
struct Name {
    speaker: u32,
    weight: u32,
    /// Its words: `name_words[start..end]`.
    start: u32,
    end: u32,
}

/// The index over every name and alias.
#[derive(Default)]
pub struct SpeakerIndex {
    vocab: Vocabulary,
    names: Vec<Name>,
    name_words: Vec<WordId>,
    /// The names holding each word: `word_names[word_start[w]..word_start[w + 1]]`.
    word_start: Vec<u32>,
    word_names: Vec<u32>,
}

impl std::fmt::Debug for SpeakerIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SpeakerIndex({} names, {} words)", self.names.len(), self.vocab.len())
    }
}

/// A typed word reaching more names than this is a crowd (see [`SpeakerIndex::lookup`]).
const CROWD: usize = 200;
/// Candidates scoring below this are not offered at all.
const MIN_SCORE: f64 = 0.5;
/// A first match at least this good, and clearly ahead of the next, is taken as the answer.
const SURE: f64 = 0.8;
/// How far ahead is clear: a whole name typed (two words or more) says a lot, so a small lead
/// over the next name is enough; one word needs a wide lead, since a first name alone is
/// shared ("Daniel" fits Daniel Allan and Daniel Bader equally).
const LEAD_NAME: f64 = 0.015;
const LEAD_WORD: f64 = 0.11;

impl SpeakerIndex {
    pub fn build<'a>(entries: impl Iterator<Item = SpeakerEntry<'a>>) -> SpeakerIndex {
        // First pass: fold every spelling once; words are tied to ids when the vocabulary is known.
        let mut folded: Vec<(u32, u32, String)> = Vec::new();
        for entry in entries {
            let first = folded.len();
            for name in std::iter::once(entry.name).chain(entry.aliases.iter().map(String::as_str)) {
                let f = fold(name);
                if !f.is_empty() && !folded[first..].iter().any(|(_, _, g)| *g == f) {
                    folded.push((entry.ix as u32, entry.weight, f));
                }
            }
        }
        let vocab = Vocabulary::build(folded.iter().flat_map(|(_, _, f)| f.split(' ')).map(Box::from).collect());
        let mut index = SpeakerIndex { names: Vec::with_capacity(folded.len()), ..SpeakerIndex::default() };
        let mut counts = vec![0u32; vocab.len() + 1];
        for (speaker, weight, f) in &folded {
            let start = index.name_words.len() as u32;
            for word in f.split(' ') {
                let id = vocab.id(word).expect("every word of a name is in the vocabulary");
                index.name_words.push(id);
                counts[id as usize + 1] += 1;
            }
            index.names.push(Name { speaker: *speaker, weight: *weight, start, end: index.name_words.len() as u32 });
        }
        for w in 1..counts.len() {
            counts[w] += counts[w - 1];
        }
        index.word_names = vec![0; index.name_words.len()];
        let mut fill = counts.clone();
        for (n, name) in index.names.iter().enumerate() {
            for &w in &index.name_words[name.start as usize..name.end as usize] {
                index.word_names[fill[w as usize] as usize] = n as u32;
                fill[w as usize] += 1;
            }
        }
        index.word_start = counts;
        index.vocab = vocab;
        index
    }

    /// The best `limit` speakers for `query`.
    pub fn lookup(&self, query: &str, limit: usize) -> Lookup {
        let folded = fold(query);
        if folded.is_empty() || limit == 0 {
            return Lookup::default();
        }
        let typed: Vec<Typed> = folded.split(' ').map(|w| Typed::new(w, &self.vocab)).collect();
        // Candidates: the names holding a word each typed word reaches. A word that reaches a
        // crowd ("van", "de", "maria") is left out when a rarer typed word reaches names too:
        // the name meant holds that rarer word (or is scored low anyway), and scoring the crowd
        // is most of the time a query takes. An initial beside a word is never followed.
        let has_word = typed.iter().any(|t| t.len >= 2);
        let mut sources: Vec<(usize, &Typed)> = typed
            .iter()
            .filter(|t| t.len >= 2 || !has_word)
            .map(|t| (t.reached().map(|w| self.names_with(w).len()).sum(), t))
            .collect();
        sources.sort_by_key(|s| s.0);
        let mut candidates: Vec<u32> = Vec::new();
        for (reach, t) in sources {
            if reach > CROWD && !candidates.is_empty() {
                break;
            }
            for w in t.reached() {
                candidates.extend_from_slice(self.names_with(w));
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut scored: Vec<(f64, u32, u32)> = candidates
            .into_iter()
            .filter_map(|n| {
                let name = &self.names[n as usize];
                let score = align::score(&typed, &self.name_words[name.start as usize..name.end as usize], &self.vocab);
                (score >= MIN_SCORE).then_some((score, name.weight, name.speaker))
            })
            .collect();
        // Best first: score, then more talks, then catalogue order; one entry per speaker.
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut matches: Vec<Match> = Vec::with_capacity(limit);
        for (score, _, speaker) in scored {
            if !matches.iter().any(|m| m.ix == speaker as usize) {
                matches.push(Match { ix: speaker as usize, score });
                if matches.len() == limit {
                    break;
                }
            }
        }
        let confident = is_confident(&matches, typed.len());
        Lookup { matches, confident }
    }

    fn names_with(&self, word: WordId) -> &[u32] {
        &self.word_names[self.word_start[word as usize] as usize..self.word_start[word as usize + 1] as usize]
    }
}

/// Whether the first of `matches` is clearly the one meant, when `typed_words` words were typed.
fn is_confident(matches: &[Match], typed_words: usize) -> bool {
    let lead = if typed_words >= 2 { LEAD_NAME } else { LEAD_WORD };
    match matches {
        [] => false,
        [only] => only.score >= SURE,
        // A whole name typed exactly is that speaker, whoever else shares part of it.
        [first, ..] if first.score >= 1.0 && typed_words >= 2 => true,
        [first, second, ..] => first.score >= SURE && first.score - second.score >= lead,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(names: &[&str]) -> SpeakerIndex {
        SpeakerIndex::build(names.iter().enumerate().map(|(ix, name)| SpeakerEntry {
            ix,
            name,
            aliases: &[],
            weight: 1,
        }))
    }

    #[test]
    fn finds_names_through_common_noise() {
        let idx = index(&["Łukasz Langa", "Simon Willison", "Pablo Galindo Salgado", "Lynn Root"]);
        for (query, expected) in [
            ("lukasz langa", 0),
            ("simon wilison", 1),
            ("Willison Simon", 1),
            ("willison", 1),
            ("Pablo Salgado", 2),
            ("pablo galindo", 2),
            ("lyn root", 3),
        ] {
            let found = idx.lookup(query, 5);
            assert_eq!(found.matches.first().map(|m| m.ix), Some(expected), "{query}");
        }
    }

    #[test]
    fn nothing_close_gives_nothing() {
        let idx = index(&["Łukasz Langa", "Simon Willison"]);
        assert!(idx.lookup("zzzzqqq", 5).matches.is_empty());
        assert!(idx.lookup("   ", 5).matches.is_empty());
    }
}
