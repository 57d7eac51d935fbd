//! Approximate speaker-name lookup over names and aliases.
//!
//! Candidates come from an index of whole words and character trigrams, so a query touches a
//! few hundred names rather than all of them; candidates are then scored by aligning query
//! words with name words (order-free, prefixes allowed, edit distance for typos).

use std::collections::HashMap;

use super::normalise::fold;

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

struct Name {
    speaker: usize,
    folded: String,
    words: Vec<String>,
    weight: u32,
}

/// The index over every name and alias.
#[derive(Default)]
pub struct SpeakerIndex {
    names: Vec<Name>,
    by_word: HashMap<String, Vec<u32>>,
    by_trigram: HashMap<[char; 3], Vec<u32>>,
}

impl std::fmt::Debug for SpeakerIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SpeakerIndex({} names)", self.names.len())
    }
}

const MIN_SCORE: f64 = 0.55;

impl SpeakerIndex {
    pub fn build<'a>(entries: impl Iterator<Item = SpeakerEntry<'a>>) -> SpeakerIndex {
        let mut index = SpeakerIndex::default();
        for entry in entries {
            for name in std::iter::once(entry.name).chain(entry.aliases.iter().map(String::as_str)) {
                let folded = fold(name);
                if folded.is_empty() {
                    continue;
                }
                let id = index.names.len() as u32;
                let words: Vec<String> = folded.split(' ').map(str::to_owned).collect();
                for word in &words {
                    index.by_word.entry(word.clone()).or_default().push(id);
                }
                for gram in trigrams(&folded) {
                    let list = index.by_trigram.entry(gram).or_default();
                    if list.last() != Some(&id) {
                        list.push(id);
                    }
                }
                index.names.push(Name { speaker: entry.ix, folded, words, weight: entry.weight });
            }
        }
        index
    }

    /// The best `limit` speakers for `query`.
    pub fn lookup(&self, query: &str, limit: usize) -> Lookup {
        let folded = fold(query);
        if folded.is_empty() || limit == 0 {
            return Lookup::default();
        }
        let words: Vec<&str> = folded.split(' ').collect();
        let mut hits: HashMap<u32, u32> = HashMap::new();
        for word in &words {
            if let Some(ids) = self.by_word.get(*word) {
                for &id in ids {
                    *hits.entry(id).or_default() += 8;
                }
            }
        }
        for gram in trigrams(&folded) {
            if let Some(ids) = self.by_trigram.get(&gram) {
                if ids.len() > 5000 {
                    continue;
                }
                for &id in ids {
                    *hits.entry(id).or_default() += 1;
                }
            }
        }
        let mut best: HashMap<usize, (f64, u32)> = HashMap::new();
        for (&id, _) in hits.iter().filter(|(_, &h)| h >= 2) {
            let name = &self.names[id as usize];
            let score = score(&folded, &words, name);
            if score >= MIN_SCORE {
                let slot = best.entry(name.speaker).or_insert((0.0, name.weight));
                slot.0 = slot.0.max(score);
            }
        }
        let mut matches: Vec<(Match, u32)> =
            best.into_iter().map(|(ix, (score, weight))| (Match { ix, score }, weight)).collect();
        matches.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then(b.1.cmp(&a.1)).then(a.0.ix.cmp(&b.0.ix)));
        matches.truncate(limit);
        let confident = match matches.as_slice() {
            [] => false,
            [only] => only.0.score >= 0.8,
            [first, second, ..] => first.0.score >= 0.8 && first.0.score - second.0.score >= 0.04,
        };
        Lookup { matches: matches.into_iter().map(|(m, _)| m).collect(), confident }
    }
}

/// How well the query fits a name, in 0..=1.
fn score(folded: &str, words: &[&str], name: &Name) -> f64 {
    if folded == name.folded {
        return 1.0;
    }
    let whole = strsim::normalized_damerau_levenshtein(folded, &name.folded);
    // Every query word is matched to its best name word, so order and missing words are free.
    let mut aligned = 0.0;
    for word in words {
        let best = name.words.iter().map(|w| word_similarity(word, w)).fold(0.0, f64::max);
        aligned += best;
    }
    aligned /= words.len() as f64;
    let coverage = words.len().min(name.words.len()) as f64 / name.words.len() as f64;
    whole.max(aligned * (0.85 + 0.15 * coverage))
}

fn word_similarity(query: &str, word: &str) -> f64 {
    if query == word {
        return 1.0;
    }
    if query.chars().count() >= 2 && word.starts_with(query) {
        return 0.9;
    }
    strsim::normalized_damerau_levenshtein(query, word)
}

fn trigrams(folded: &str) -> Vec<[char; 3]> {
    let chars: Vec<char> = format!(" {folded} ").chars().collect();
    chars.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
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
