//! The distinct words of all names, sorted, with a character-bigram index: finds, for one
//! typed word, the words it equals, begins, or misses by a few typos — without scanning them all.

use std::ops::Range;

use super::distance::{char_set, edits_at_least, osa_within};

/// A word id: its position in the sorted vocabulary.
pub type WordId = u32;

/// Sorted distinct words, and for each character bigram the words holding it.
#[derive(Debug, Default)]
pub struct Vocabulary {
    words: Vec<Box<str>>,
    /// Each word's length in characters (saturating), to skip words too long or short for a typo.
    lens: Vec<u8>,
    /// Each word's [`char_set`], to skip words too different for a typo without measuring.
    sets: Vec<u64>,
    /// Bigram keys, sorted, with `gram_start[i]..gram_start[i + 1]` their range in `gram_words`.
    grams: Vec<u64>,
    gram_start: Vec<u32>,
    gram_words: Vec<WordId>,
}

/// What one typed word matches in the vocabulary.
#[derive(Debug, Clone, Default)]
pub struct WordMatches {
    pub exact: Option<WordId>,
    /// Words the typed word begins (the exact word included), a contiguous range of ids.
    pub prefix: Range<WordId>,
    /// Words within the allowed number of edits, with that number; sorted by id.
    pub typos: Vec<(WordId, u8)>,
}

/// Edits allowed in a word of `len` letters: none in one or two, then one per few letters.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..=2 => 0,
        3..=5 => 1,
        6..=9 => 2,
        _ => 3,
    }
}

/// Edits allowed in `word`. A Han character or Hangul syllable says as much as a few Latin
/// letters, so it counts as three — but a word always keeps one character intact.
pub fn edits_allowed(word: &str) -> usize {
    let (chars, weight): (usize, usize) =
        word.chars().fold((0, 0), |(n, w), c| (n + 1, w + if c >= '\u{2e80}' { 3 } else { 1 }));
    max_edits(weight).min(chars.saturating_sub(1))
}

impl Vocabulary {
    /// Builds from any words (duplicates allowed).
    pub fn build(mut all: Vec<&str>) -> Vocabulary {
        all.sort_unstable();
        all.dedup();
        let words: Vec<Box<str>> = all.into_iter().map(Box::from).collect();
        let mut pairs: Vec<(u64, WordId)> = Vec::with_capacity(words.len() * 8);
        for (id, word) in words.iter().enumerate() {
            let start = pairs.len();
            pairs.extend(bigrams(word).map(|g| (g, id as WordId)));
            // A word counts once per distinct bigram.
            pairs[start..].sort_unstable();
            let mut seen = start;
            for i in start..pairs.len() {
                if i == start || pairs[i] != pairs[seen - 1] {
                    pairs[seen] = pairs[i];
                    seen += 1;
                }
            }
            pairs.truncate(seen);
        }
        pairs.sort_unstable();
        let lens = words.iter().map(|w| w.chars().count().min(255) as u8).collect();
        let sets = words.iter().map(|w| char_set(w)).collect();
        let mut vocab = Vocabulary { words, lens, sets, ..Vocabulary::default() };
        for (gram, id) in pairs {
            if vocab.grams.last() != Some(&gram) {
                vocab.grams.push(gram);
                vocab.gram_start.push(vocab.gram_words.len() as u32);
            }
            vocab.gram_words.push(id);
        }
        vocab.gram_start.push(vocab.gram_words.len() as u32);
        vocab
    }

    /// Roughly the heap memory the vocabulary holds, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.words.iter().map(|w| w.len() + std::mem::size_of::<Box<str>>()).sum::<usize>()
            + self.lens.capacity()
            + self.sets.capacity() * 8
            + self.grams.capacity() * 8
            + (self.gram_start.capacity() + self.gram_words.capacity()) * 4
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn word(&self, id: WordId) -> &str {
        &self.words[id as usize]
    }

    /// The [`char_set`] of a word.
    pub fn set(&self, id: WordId) -> u64 {
        self.sets[id as usize]
    }

    /// The length of a word in characters.
    pub fn chars(&self, id: WordId) -> usize {
        usize::from(self.lens[id as usize])
    }

    /// The id of a word, if the vocabulary has it.
    pub fn id(&self, word: &str) -> Option<WordId> {
        self.words.binary_search_by(|w| (**w).cmp(word)).ok().map(|i| i as WordId)
    }

    /// Exact, prefix and typo matches of one typed word.
    pub fn matches(&self, typed: &str) -> WordMatches {
        let prefix = self.beginning(typed);
        let exact = (!prefix.is_empty() && self.word(prefix.start) == typed).then_some(prefix.start);
        WordMatches { exact, prefix, typos: self.typos(typed) }
    }

    /// The words `typed` begins, itself included if it is one: a contiguous range of ids.
    pub fn beginning(&self, typed: &str) -> Range<WordId> {
        let lo = self.words.partition_point(|w| **w < *typed);
        let hi = lo + self.words[lo..].partition_point(|w| w.starts_with(typed));
        lo as WordId..hi as WordId
    }

    /// Words within [`edits_allowed`] of `typed`.
    fn typos(&self, typed: &str) -> Vec<(WordId, u8)> {
        self.typos_within(typed, edits_allowed(typed))
    }

    /// Words other than `typed` within `k` edits of it (optimal string alignment distance),
    /// sorted by id. Candidates come from shared bigrams: one edit changes at most three
    /// bigrams, so a word within `k` edits shares at least `distinct bigrams - 3k` of them — the
    /// filter loses nothing.
    pub fn typos_within(&self, typed: &str, k: usize) -> Vec<(WordId, u8)> {
        let typed_len = typed.chars().count();
        if k == 0 {
            return Vec::new();
        }
        let mut grams: Vec<u64> = bigrams(typed).collect();
        grams.sort_unstable();
        grams.dedup();
        let need = grams.len().saturating_sub(3 * k).max(1);
        let set = char_set(typed);
        let mut counts = vec![0u8; self.words.len()];
        let mut touched = Vec::new();
        for gram in &grams {
            let Ok(g) = self.grams.binary_search(gram) else { continue };
            for &id in &self.gram_words[self.gram_start[g] as usize..self.gram_start[g + 1] as usize] {
                let count = &mut counts[id as usize];
                if *count == 0 {
                    touched.push(id);
                }
                *count = count.saturating_add(1);
            }
        }
        let mut found: Vec<(WordId, u8)> = touched
            .into_iter()
            .filter(|&id| usize::from(counts[id as usize]) >= need)
            .filter_map(|id| {
                if self.chars(id).abs_diff(typed_len) > k || edits_at_least(set, self.set(id)) > k {
                    return None;
                }
                let d = osa_within(typed, self.word(id), k)?;
                (d > 0).then_some((id, d as u8))
            })
            .collect();
        found.sort_unstable();
        found
    }
}

/// Bigrams of a word with its start and end marked, packed as two chars in a u64.
fn bigrams(word: &str) -> impl Iterator<Item = u64> + '_ {
    let chars = std::iter::once('\u{2}').chain(word.chars()).chain(std::iter::once('\u{3}'));
    chars.clone().zip(chars.skip(1)).map(|(a, b)| (u64::from(a) << 32) | u64::from(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab(words: &[&str]) -> Vocabulary {
        Vocabulary::build(words.to_vec())
    }

    #[test]
    fn finds_exact_prefix_and_typo_words() {
        let v = vocab(&["marc", "marcin", "mark", "varoquaux", "willison", "kim", "kimura", "marc", "劉育維"]);
        let words = |ids: Vec<WordId>| ids.into_iter().map(|i| v.word(i).to_owned()).collect::<Vec<_>>();
        // typed, exact, prefix of, typo of
        type Case<'a> = (&'a str, Option<&'a str>, &'a [&'a str], &'a [&'a str]);
        let cases: &[Case] = &[
            ("marc", Some("marc"), &["marc", "marcin"], &["mark"]),
            ("mar", None, &["marc", "marcin", "mark"], &["marc", "mark"]),
            ("varoqaux", None, &[], &["varoquaux"]),
            ("wilisno", None, &[], &["willison"]),
            ("kmi", None, &[], &["kim"]),
            ("劉維", None, &[], &["劉育維"]),
            ("ki", None, &["kim", "kimura"], &[]),
            ("zzz", None, &[], &[]),
        ];
        for (typed, exact, prefix, typos) in cases {
            let m = v.matches(typed);
            assert_eq!(m.exact.map(|i| v.word(i)), *exact, "{typed}");
            assert_eq!(words(m.prefix.collect()), *prefix, "{typed}");
            assert_eq!(words(m.typos.iter().map(|t| t.0).collect()), *typos, "{typed}");
        }
    }

    #[test]
    fn allows_more_typos_in_longer_words() {
        let cases = [("a", 0), ("ab", 0), ("abc", 1), ("abcde", 1), ("abcdef", 2), ("abcdefghi", 2), ("abcdefghij", 3)];
        for (word, edits) in cases {
            assert_eq!(edits_allowed(word), edits, "{word}");
        }
        let wide = [("강", 0), ("강철", 1), ("劉育維", 2), ("Кошкин", 2)];
        for (word, edits) in wide {
            assert_eq!(edits_allowed(word), edits, "{word}");
        }
    }
}
