//! Keyword search's index: every folded word of a talk — in its title, its speakers' names, its
//! topics, its summary and insights — with how much it weighs there (a BM25F term weight) and
//! where it stands (positions, for phrases). Asking it is [`super::rank`]'s job.
//!
//! BM25F (Robertson, Zaragoza & Taylor 2004) scores a word once per talk, from its occurrences
//! in all fields: each occurrence counts its field's weight, divided by how long that field is
//! against the same field in other talks. The sum saturates like BM25's term frequency, so a
//! word said ten times in a summary does not outweigh the same word in a short title.

use std::ops::Range;

use rustc_hash::FxHashMap;

use super::normalise::fold;
use super::vocab::{Vocabulary, WordId};

/// The text of one talk as search sees it, field by field.
pub struct Document<'a> {
    pub title: &'a str,
    pub speakers: Vec<&'a str>,
    pub topics: Vec<&'a str>,
    /// The summary's paragraphs and the insights.
    pub text: Vec<&'a str>,
    /// Anything that grows with time (say, the day the talk was recorded), compared only as the
    /// last tie-break: newer first. `i32::MIN` when unknown.
    pub recency: i32,
}

/// A talk's fields, in [`Document`] order: title, speakers, topics, text.
const FIELDS: usize = 4;

/// What one occurrence of a word weighs in each field: a title says what a talk is about; a
/// speaker's name is how people remember a talk; a topic is a label others gave; the summary
/// and insights mention many things in passing.
const WEIGHT: [f32; FIELDS] = [4.0, 3.0, 2.0, 1.0];

/// BM25's length normalisation (`b`) per field: a word in a long summary says less than in a
/// short one, and so, less strongly, in a long title; a list of names or topics is not "long" in
/// that sense.
const LENGTH: [f32; FIELDS] = [0.5, 0.2, 0.2, 0.75];

/// BM25's saturation (`k1`): how soon more occurrences stop adding weight.
pub const K1: f32 = 1.2;

/// Words too common to rank by. They are not indexed, but they keep their place: "zen of python"
/// is still a phrase.
pub const STOP_WORDS: &[&str] =
    &["a", "an", "and", "the", "of", "in", "on", "to", "for", "with", "is", "it", "by", "at", "or"];

/// Positions skipped between two texts of a talk (title, each name, each paragraph), so that
/// no phrase spans two of them.
const GAP: u16 = 2;

/// One talk holding one word.
#[derive(Debug, Clone, Copy)]
pub struct Posting {
    pub doc: u32,
    /// The word's BM25F weight in the talk, before saturation and idf.
    pub weight: f32,
}

/// An inverted index from word to the talks holding it. Words are a [`Vocabulary`] (sorted,
/// with a bigram index for typos), so the words a typed prefix begins are one range of ids.
#[derive(Default)]
pub struct KeywordIndex {
    pub(super) vocab: Vocabulary,
    /// `postings[starts[w]..starts[w + 1]]` are the talks holding word `w`, ascending.
    starts: Vec<u32>,
    postings: Vec<Posting>,
    /// `positions[position_starts[p]..position_starts[p + 1]]` are where posting `p`'s word
    /// stands in its talk, ascending (stop words counted). Sixteen bits are plenty: a talk's
    /// words past the 65,535th all stand at the last place, where no phrase is looked for.
    position_starts: Vec<u32>,
    positions: Vec<u16>,
    pub(super) recency: Vec<i32>,
}

impl std::fmt::Debug for KeywordIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "KeywordIndex({} talks, {} words, {} postings)",
            self.recency.len(),
            self.vocab.len(),
            self.postings.len()
        )
    }
}

/// One word of one talk while building: its occurrences per field, which are also how many
/// positions it has (these follow those of the word before, in building order).
struct Pending {
    word: u32,
    doc: u32,
    counts: [u8; FIELDS],
}

impl Pending {
    fn positions(&self) -> usize {
        self.counts.iter().map(|&c| usize::from(c)).sum()
    }
}

impl KeywordIndex {
    /// Builds the index. Words are interned as they come, so each distinct word is folded into
    /// the vocabulary once however many talks hold it.
    pub fn build<'a>(docs: impl Iterator<Item = Document<'a>>) -> KeywordIndex {
        let mut ids: FxHashMap<Box<str>, u32> = FxHashMap::default();
        let mut pending: Vec<Pending> = Vec::new();
        let mut all_positions: Vec<u16> = Vec::new();
        let mut lengths: Vec<[u32; FIELDS]> = Vec::new();
        let mut recency = Vec::new();
        // (word, position, field) of the current talk.
        let mut occurrences: Vec<(u32, u16, u8)> = Vec::new();
        for (doc, document) in docs.enumerate() {
            occurrences.clear();
            let mut length = [0u32; FIELDS];
            let mut position = 0u16;
            let fields: [&[&str]; FIELDS] = [&[document.title], &document.speakers, &document.topics, &document.text];
            for (field, texts) in fields.into_iter().enumerate() {
                for text in texts {
                    for word in fold(text).split(' ').filter(|w| !w.is_empty()) {
                        let id = match ids.get(word) {
                            Some(&id) => id,
                            None => {
                                let id = if STOP_WORDS.contains(&word) { STOP } else { ids.len() as u32 };
                                ids.insert(Box::from(word), id);
                                id
                            }
                        };
                        if id != STOP {
                            occurrences.push((id, position, field as u8));
                            length[field] += 1;
                        }
                        position = position.saturating_add(1);
                    }
                    position = position.saturating_add(GAP);
                }
            }
            occurrences.sort_unstable();
            for group in occurrences.chunk_by(|a, b| a.0 == b.0) {
                let mut counts = [0u8; FIELDS];
                for &(_, at, field) in group {
                    // A position per occurrence counted, so the counts say where they end; past
                    // 255 in one field, more occurrences add nothing BM25 would notice.
                    let count = &mut counts[usize::from(field)];
                    if *count < u8::MAX {
                        *count += 1;
                        all_positions.push(at);
                    }
                }
                pending.push(Pending { word: group[0].0, doc: doc as u32, counts });
            }
            lengths.push(length);
            recency.push(document.recency);
        }
        let docs = lengths.len().max(1) as f32;
        let mut average = [0f32; FIELDS];
        for length in &lengths {
            for f in 0..FIELDS {
                average[f] += length[f] as f32 / docs;
            }
        }
        // Word ids become vocabulary ids (sorted words); postings are laid out word by word
        // with a counting sort, which keeps each word's talks in ascending order.
        let words: Vec<&str> = ids.iter().filter(|(_, &id)| id != STOP).map(|(w, _)| &**w).collect();
        let vocab = Vocabulary::build(words);
        let mut rank = vec![0 as WordId; ids.len()];
        for (word, &id) in &ids {
            if id != STOP {
                rank[id as usize] = vocab.id(word).expect("every word is in the vocabulary");
            }
        }
        drop(ids);
        // Where each word's postings and positions begin, then one pass placing each in turn.
        let mut starts = vec![0u32; vocab.len() + 1];
        let mut position_starts_of_word = vec![0u32; vocab.len() + 1];
        for p in &pending {
            let w = rank[p.word as usize] as usize;
            starts[w + 1] += 1;
            position_starts_of_word[w + 1] += p.positions() as u32;
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
            position_starts_of_word[i] += position_starts_of_word[i - 1];
        }
        let (mut next, mut next_position) = (starts.clone(), position_starts_of_word);
        let mut postings = vec![Posting { doc: 0, weight: 0.0 }; pending.len()];
        let mut position_starts = vec![0u32; pending.len() + 1];
        let mut positions = vec![0u16; all_positions.len()];
        position_starts[pending.len()] = all_positions.len() as u32;
        let mut from = 0;
        for p in &pending {
            let w = rank[p.word as usize] as usize;
            let (slot, at) = (next[w] as usize, next_position[w] as usize);
            let length = &lengths[p.doc as usize];
            let weight = (0..FIELDS)
                .filter(|&f| p.counts[f] > 0)
                .map(|f| {
                    let relative = if average[f] > 0.0 { length[f] as f32 / average[f] } else { 1.0 };
                    WEIGHT[f] * f32::from(p.counts[f]) / (1.0 - LENGTH[f] + LENGTH[f] * relative)
                })
                .sum();
            postings[slot] = Posting { doc: p.doc, weight };
            position_starts[slot] = at as u32;
            let n = p.positions();
            positions[at..at + n].copy_from_slice(&all_positions[from..from + n]);
            from += n;
            next[w] += 1;
            next_position[w] += n as u32;
        }
        KeywordIndex { vocab, starts, postings, position_starts, positions, recency }
    }

    /// How many talks the index holds.
    pub fn len(&self) -> usize {
        self.recency.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recency.is_empty()
    }

    /// Roughly the heap memory the index holds, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.vocab.heap_bytes()
            + self.starts.capacity() * 4
            + self.postings.capacity() * std::mem::size_of::<Posting>()
            + self.position_starts.capacity() * 4
            + self.positions.capacity() * 2
            + self.recency.capacity() * 4
    }

    /// The talks holding `word`, ascending.
    pub(super) fn postings(&self, word: WordId) -> &[Posting] {
        &self.postings[self.range(word)]
    }

    /// The talks holding any word of `words` (a range of ids: a prefix's), word by word.
    pub(super) fn postings_of_range(&self, words: Range<WordId>) -> &[Posting] {
        &self.postings[self.starts[words.start as usize] as usize..self.starts[words.end as usize] as usize]
    }

    /// Where `word` stands in talk `doc`, ascending; empty when the talk does not hold it.
    pub(super) fn positions(&self, word: WordId, doc: u32) -> &[u16] {
        let range = self.range(word);
        match self.postings[range.clone()].binary_search_by_key(&doc, |p| p.doc) {
            Ok(i) => {
                let p = range.start + i;
                &self.positions[self.position_starts[p] as usize..self.position_starts[p + 1] as usize]
            }
            Err(_) => &[],
        }
    }

    fn range(&self, word: WordId) -> Range<usize> {
        self.starts[word as usize] as usize..self.starts[word as usize + 1] as usize
    }
}

/// The id interned stop words get.
const STOP: u32 = u32::MAX;

#[cfg(test)]
mod tests {
    use super::*;

    fn doc<'a>(title: &'a str, speakers: &[&'a str], text: &[&'a str]) -> Document<'a> {
        Document { title, speakers: speakers.to_vec(), topics: vec![], text: text.to_vec(), recency: 0 }
    }

    #[test]
    fn weighs_fields_and_keeps_positions() {
        let idx = KeywordIndex::build(
            [
                doc("Profiling Python", &["Ann Lee"], &["flame graphs", "Profiling again and again"]),
                doc("Keynote", &[], &["profiling is fun"]),
                doc("The Zen of Python", &[], &[]),
            ]
            .into_iter(),
        );
        assert_eq!(idx.len(), 3);
        let profiling = idx.vocab.id("profiling").unwrap();
        let p = idx.postings(profiling);
        assert_eq!(p.iter().map(|p| p.doc).collect::<Vec<_>>(), vec![0, 1]);
        assert!(p[0].weight > p[1].weight, "a title and a summary outweigh a summary alone: {p:?}");
        // Title 0–1, gap, "ann lee" 4–5, gap, "flame graphs" 8–9, gap, "profiling again…" 12–.
        assert_eq!(idx.positions(profiling, 0), &[0, 12]);
        assert_eq!(idx.positions(profiling, 2), &[] as &[u16]);
        let python = idx.vocab.id("python").unwrap();
        assert_eq!(idx.positions(python, 2), &[3], "stop words keep their place");
        assert!(idx.vocab.id("the").is_none() && idx.vocab.id("of").is_none(), "stop words are not indexed");
        let again = idx.vocab.id("again").unwrap();
        assert_eq!(idx.positions(again, 0), &[13, 15]);
    }
}
