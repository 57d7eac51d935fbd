//! Asking the keyword index: which talks a query reaches, in which order, and where the list
//! stops. docs/search.md explains the rules and how they were measured.
//!
//! # The rules, in order
//!
//! 1. **Every word before some.** Talks holding more of the query's words come first.
//! 2. **Whole words before prefixes, prefixes before typos.** Among talks holding as many words,
//!    those holding more of them whole come first, then those holding more as a prefix
//!    (`subinterp` → `subinterpreters`) rather than with a typo (`subintepreters`). `gil` thus
//!    finds talks on the GIL before a talk by Gilad, and `data` the talks about data before
//!    "Datacubes".
//! 3. **Relevance.** Then BM25F: each word's weight in the talk (fields weighed title, speakers,
//!    topics, then summary and insights; see [`super::keyword`]), saturated, times the word's
//!    rarity (idf); a prefix or a typo counts a fraction of a whole word. A talk holding the
//!    query's words whole, side by side and in order — the phrase — gets [`PHRASE_BONUS`].
//! 4. **Newer first**, when all the above tie; then catalogue order.
//!
//! See [`KeywordIndex::search`] for where the list stops.

use super::keyword::{KeywordIndex, Posting, K1, STOP_WORDS};
use super::normalise::fold;
use super::vocab::WordId;

/// The most results a search returns: ten pages of ten. Past that, a query is too broad to
/// browse, and adding a word does more than paging.
pub const MAX_RESULTS: usize = 100;

/// Distinct query words looked at; later ones are ignored (a query is at most 200 characters).
const MAX_WORDS: usize = 16;

/// A typed word this long or longer also reaches the words it begins.
const PREFIX_CHARS: usize = 3;

/// What a prefix or a typo counts for, against a whole word, in the relevance score.
const PREFIX_STRENGTH: f32 = 0.5;
const TYPO_STRENGTH: f32 = 0.4;

/// A typed word is also read with typos only when, whole or as a prefix, it reaches fewer talks
/// than this: a word the catalogue knows well is meant as typed ("testing" is not "texting").
const TYPOS_UNDER: usize = 5;

/// How much the phrase adds to a talk's relevance score (a fraction of it).
pub const PHRASE_BONUS: f32 = 0.5;

/// The talks a query found, best first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hits {
    /// At most [`MAX_RESULTS`] talks.
    pub talks: Vec<usize>,
    /// How many talks passed the cut-off, before the cap.
    pub total: usize,
}

/// How a query word reached a talk, best last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reach {
    Typo,
    Prefix,
    Whole,
}

impl Reach {
    fn strength(self) -> f32 {
        match self {
            Reach::Whole => 1.0,
            Reach::Prefix => PREFIX_STRENGTH,
            Reach::Typo => TYPO_STRENGTH,
        }
    }
}

/// What one talk gathered from the query: its score, and which words reached it, and how (one
/// bit per query word).
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    score: f32,
    whole: u16,
    prefix: u16,
    typo: u16,
}

impl Tally {
    fn held(&self) -> u32 {
        (self.whole | self.prefix | self.typo).count_ones()
    }

    /// The ranking, rules 1 to 3: more words held, more whole, more as prefixes, higher score.
    fn key(&self) -> (u32, u32, u32, f32) {
        (self.held(), self.whole.count_ones(), self.prefix.count_ones(), self.score)
    }
}

/// Edits allowed in a typed word of `chars` characters: none under five, where one edit makes
/// another common word, then one, then two from nine.
fn typos_allowed(chars: usize) -> usize {
    match chars {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

impl KeywordIndex {
    /// The talks matching `query` among those `keep` accepts, best first (the rules are in
    /// [`super::rank`]).
    ///
    /// # Where the list stops
    ///
    /// A query of several words is read as "these words, or most of them": the talks kept
    /// hold at least two thirds (rounded up) of the words that the best talk holds. When some
    /// talk holds both words of a two-word query, only talks holding both are kept; of three
    /// or four words, a talk may miss one; of five or six, two. A talk holding a single word
    /// of `django orm performance` is not a result when others hold two or three. Then at most
    /// [`MAX_RESULTS`] are returned; [`Hits::total`] says how many passed.
    pub fn search(&self, query: &str, keep: impl Fn(usize) -> bool) -> Hits {
        let folded = fold(query);
        // Each distinct word once, and the sequence of words as typed (with their place in
        // the query, stop words counted) for the phrase.
        let mut words: Vec<&str> = Vec::new();
        let mut sequence: Vec<(usize, u16)> = Vec::new();
        for (at, token) in folded.split(' ').filter(|w| !w.is_empty()).enumerate() {
            if STOP_WORDS.contains(&token) {
                continue;
            }
            let i = match words.iter().position(|w| *w == token) {
                Some(i) => i,
                None if words.len() < MAX_WORDS => {
                    words.push(token);
                    words.len() - 1
                }
                None => continue,
            };
            sequence.push((i, at.min(usize::from(u16::MAX)) as u16));
        }
        if words.is_empty() || self.is_empty() {
            return Hits::default();
        }
        let mut tallies = vec![Tally::default(); self.len()];
        let mut reached: Vec<u32> = Vec::new();
        let mut scratch = Scratch::new(self.len());
        let mut whole_ids: Vec<Option<WordId>> = Vec::with_capacity(words.len());
        for (i, word) in words.iter().enumerate() {
            let whole = self.reach(word, &mut scratch);
            whole_ids.push(whole);
            let df = whole.map_or(scratch.touched.len(), |w| self.postings(w).len());
            let n = self.len() as f32;
            let idf = (1.0 + (n - df as f32 + 0.5) / (df as f32 + 0.5)).ln();
            for &doc in &scratch.touched {
                let (reach, value) = scratch.best[doc as usize];
                let tally = &mut tallies[doc as usize];
                if tally.held() == 0 {
                    reached.push(doc);
                }
                tally.score += idf * value;
                let bit = 1 << i;
                match reach {
                    Reach::Whole => tally.whole |= bit,
                    Reach::Prefix => tally.prefix |= bit,
                    Reach::Typo => tally.typo |= bit,
                }
            }
            scratch.clear();
        }
        // The cut-off: see above.
        reached.retain(|&d| keep(d as usize));
        let best = reached.iter().map(|&d| tallies[d as usize].held()).max().unwrap_or(0);
        let need = (best * 2).div_ceil(3);
        reached.retain(|&d| tallies[d as usize].held() >= need);
        // The phrase: every word whole, side by side, in the order typed.
        let all: u16 = ((1u32 << words.len()) - 1) as u16;
        if sequence.len() >= 2 {
            let phrase: Vec<(WordId, u16)> =
                sequence.iter().filter_map(|&(i, at)| whole_ids[i].map(|w| (w, at - sequence[0].1))).collect();
            if phrase.len() == sequence.len() {
                for &d in &reached {
                    let tally = &mut tallies[d as usize];
                    if tally.whole == all && self.has_phrase(d, &phrase) {
                        tally.score *= 1.0 + PHRASE_BONUS;
                    }
                }
            }
        }
        let order = |a: &u32, b: &u32| {
            let (ta, tb) = (tallies[*a as usize].key(), tallies[*b as usize].key());
            (tb.0, tb.1, tb.2)
                .cmp(&(ta.0, ta.1, ta.2))
                .then(tb.3.total_cmp(&ta.3))
                .then(self.recency[*b as usize].cmp(&self.recency[*a as usize]))
                .then(a.cmp(b))
        };
        let total = reached.len();
        if reached.len() > MAX_RESULTS {
            reached.select_nth_unstable_by(MAX_RESULTS - 1, order);
            reached.truncate(MAX_RESULTS);
        }
        reached.sort_unstable_by(order);
        Hits { talks: reached.into_iter().map(|d| d as usize).collect(), total }
    }

    /// Marks in `scratch` the talks `word` reaches and how; returns the word's id when the
    /// index holds it whole.
    fn reach(&self, word: &str, scratch: &mut Scratch) -> Option<WordId> {
        let begun = self.vocab.beginning(word);
        let whole = self.vocab.id(word);
        let chars = word.chars().count();
        if let Some(w) = whole {
            scratch.add(self.postings(w), Reach::Whole);
        }
        if chars >= PREFIX_CHARS {
            let longer = begun.start + u32::from(whole.is_some())..begun.end;
            scratch.add(self.postings_of_range(longer), Reach::Prefix);
        }
        if scratch.touched.len() < TYPOS_UNDER {
            for (w, _) in self.vocab.typos_within(word, typos_allowed(chars)) {
                scratch.add(self.postings(w), Reach::Typo);
            }
        }
        whole
    }

    /// True when talk `doc` has each word of `phrase` at its offset from the first word's place.
    fn has_phrase(&self, doc: u32, phrase: &[(WordId, u16)]) -> bool {
        let lists: Vec<&[u16]> = phrase.iter().map(|&(w, _)| self.positions(w, doc)).collect();
        lists[0].iter().any(|&start| {
            phrase.iter().zip(&lists).skip(1).all(|(&(_, offset), list)| {
                start.checked_add(offset).is_some_and(|at| at < u16::MAX && list.binary_search(&at).is_ok())
            })
        })
    }
}

/// What one query word reached: per talk the best reach and value, and which talks it touched.
struct Scratch {
    best: Vec<(Reach, f32)>,
    touched: Vec<u32>,
    seen: Vec<bool>,
}

impl Scratch {
    fn new(docs: usize) -> Scratch {
        Scratch { best: vec![(Reach::Typo, 0.0); docs], touched: Vec::new(), seen: vec![false; docs] }
    }

    fn add(&mut self, postings: &[Posting], reach: Reach) {
        let strength = reach.strength();
        for p in postings {
            let value = strength * p.weight * (K1 + 1.0) / (K1 + p.weight);
            let doc = p.doc as usize;
            if !self.seen[doc] {
                self.seen[doc] = true;
                self.touched.push(p.doc);
                self.best[doc] = (reach, value);
            } else {
                let best = &mut self.best[doc];
                *best = (best.0.max(reach), best.1.max(value));
            }
        }
    }

    fn clear(&mut self) {
        for &d in &self.touched {
            self.seen[d as usize] = false;
        }
        self.touched.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::super::keyword::Document;
    use super::*;

    fn index(docs: &[(&str, &str, i32)]) -> KeywordIndex {
        KeywordIndex::build(docs.iter().map(|&(title, text, recency)| Document {
            title,
            speakers: vec![],
            topics: vec![],
            text: vec![text],
            recency,
        }))
    }

    fn search(idx: &KeywordIndex, query: &str) -> Vec<usize> {
        idx.search(query, |_| true).talks
    }

    #[test]
    fn whole_words_before_prefixes_before_typos() {
        let idx = index(&[
            ("Typing", "", 0),
            ("Types", "typ", 0),
            ("Gilad on pylint", "", 0),
            ("Python without the GIL", "", 0),
            ("Subinterpreters", "", 0),
        ]);
        assert_eq!(search(&idx, "gil"), vec![3, 2]);
        assert_eq!(search(&idx, "typ"), vec![1, 0]);
        assert_eq!(search(&idx, "ty"), Vec::<usize>::new(), "two letters match whole words only");
        assert_eq!(search(&idx, "subintepreters"), vec![4], "a typo");
        assert!(search(&idx, "the").is_empty());
        assert!(search(&idx, "").is_empty());
        assert!(search(&idx, "zzz").is_empty());
    }

    #[test]
    fn more_words_first_and_few_words_cut_off() {
        let idx = index(&[
            ("Django", "orm", 0),
            ("Django", "", 0),
            ("Performance", "", 0),
            ("Django ORM performance", "", 0),
            ("Flask", "", 0),
        ]);
        assert_eq!(search(&idx, "django orm performance"), vec![3, 0]);
        let mut both = search(&idx, "django orm");
        both.sort_unstable();
        assert_eq!(both, vec![0, 3], "when some talks hold both words, only those are kept");
        assert_eq!(search(&idx, "django flask").len(), 4, "when none holds both, one is enough");
    }

    #[test]
    fn the_phrase_and_recency_break_ties() {
        let idx = index(&[
            ("Old", "python packaging", 2001),
            ("Older", "packaging python", 1999),
            ("New", "python packaging", 2024),
            ("Newer", "packaging python", 2025),
        ]);
        assert_eq!(search(&idx, "python packaging"), vec![2, 0, 3, 1]);
    }
}
