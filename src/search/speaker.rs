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
    /// Its place in the alphabetical order of all folded spellings: the last tie-break, so
    /// answers do not depend on the order the catalogue files were loaded in.
    order: u32,
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
/// Taken off the scores of a reading with two typed words joined (see `readings`).
const JOINED: f64 = 0.1;
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
        // Every word occurrence, sorted by word: one pass then gives the vocabulary (sorted,
        // distinct), each name's word ids, and each word's names in name order.
        let mut index = SpeakerIndex { names: Vec::with_capacity(folded.len()), ..SpeakerIndex::default() };
        let mut occurrences: Vec<(&str, u32, u32)> = Vec::new();
        for (n, (speaker, weight, f)) in folded.iter().enumerate() {
            let start = occurrences.len() as u32;
            occurrences.extend(f.split(' ').enumerate().map(|(i, w)| (w, start + i as u32, n as u32)));
            index.names.push(Name {
                speaker: *speaker,
                weight: *weight,
                order: 0,
                start,
                end: occurrences.len() as u32,
            });
        }
        occurrences.sort_unstable();
        let mut alphabetical: Vec<usize> = (0..folded.len()).collect();
        alphabetical.sort_unstable_by(|&a, &b| folded[a].2.cmp(&folded[b].2));
        for (order, n) in alphabetical.into_iter().enumerate() {
            index.names[n].order = order as u32;
        }
        let mut words: Vec<&str> = Vec::new();
        index.name_words = vec![0; occurrences.len()];
        index.word_names = Vec::with_capacity(occurrences.len());
        for &(word, slot, name) in &occurrences {
            if words.last() != Some(&word) {
                words.push(word);
                index.word_start.push(index.word_names.len() as u32);
            }
            index.name_words[slot as usize] = (words.len() - 1) as WordId;
            index.word_names.push(name);
        }
        index.word_start.push(index.word_names.len() as u32);
        // Already sorted and distinct, so the vocabulary's ids are the positions given above.
        let vocab = Vocabulary::build(words);
        debug_assert_eq!(vocab.len() + 1, index.word_start.len());
        index.vocab = vocab;
        index
    }

    /// The best `limit` speakers for `query`, scores in 0..=1 (1: the very same words), and
    /// whether the first is clearly the one meant.
    pub fn lookup(&self, query: &str, limit: usize) -> Lookup {
        let folded = fold(query);
        if folded.is_empty() || limit == 0 {
            return Lookup::default();
        }
        let words: Vec<&str> = folded.split(' ').collect();
        let mut scored = Vec::new();
        for (i, reading) in self.readings(&words).into_iter().enumerate() {
            let typed: Vec<Typed> = reading.iter().map(|w| Typed::new(w, &self.vocab)).collect();
            // A space the user typed is a word break more often than not: a joined reading wins
            // only where the words as typed fit clearly worse.
            let cost = if i == 0 { 0.0 } else { JOINED };
            let fits = self.score_candidates(&typed).into_iter().map(|(s, w, o, n)| (s - cost, w, o, n));
            scored.extend(fits.filter(|f| f.0 >= MIN_SCORE));
        }
        // Best first: score, then more talks, then alphabetical; one entry per speaker.
        scored.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut matches: Vec<Match> = Vec::with_capacity(limit);
        for (score, _, _, speaker) in scored {
            if !matches.iter().any(|m| m.ix == speaker as usize) {
                matches.push(Match { ix: speaker as usize, score });
                if matches.len() == limit {
                    break;
                }
            }
        }
        let confident = is_confident(&matches, words.len());
        Lookup { matches, confident }
    }

    /// The ways to read the typed words: as typed, and with two neighbours joined where the
    /// names hold them as one word — an apostrophe or particle typed as a space ("O Grady" for
    /// O'Grady, "Mc Donald", "Van Rossum" for VanRossum).
    fn readings(&self, words: &[&str]) -> Vec<Vec<String>> {
        let mut readings = vec![words.iter().map(|w| (*w).to_owned()).collect::<Vec<String>>()];
        for i in 1..words.len() {
            let joined = format!("{}{}", words[i - 1], words[i]);
            if self.vocab.id(&joined).is_some() {
                let mut reading = readings[0].clone();
                reading.splice(i - 1..=i, [joined]);
                readings.push(reading);
            }
        }
        readings
    }

    /// Every candidate name for the typed words, scored: (score, talks, alphabetical order, speaker).
    fn score_candidates(&self, typed: &[Typed]) -> Vec<(f64, u32, u32, u32)> {
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
        candidates
            .into_iter()
            .filter_map(|n| {
                let name = &self.names[n as usize];
                let score = align::score(typed, &self.name_words[name.start as usize..name.end as usize], &self.vocab);
                (score >= MIN_SCORE).then_some((score, name.weight, name.order, name.speaker))
            })
            .collect()
    }

    /// Roughly the heap memory the index holds, in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.vocab.heap_bytes()
            + self.names.capacity() * std::mem::size_of::<Name>()
            + (self.name_words.capacity() + self.word_start.capacity() + self.word_names.capacity()) * 4
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

    /// Names with their number of talks; aliases after a `|`.
    const PEOPLE: &[(&str, u32)] = &[
        ("Łukasz Langa", 9),
        ("Simon Willison", 5),
        ("Pablo Galindo Salgado", 6),
        ("Lynn Root", 3),
        ("Stéfan van der Walt", 12),
        ("Cornelia van der Walt", 1),
        ("Walt Askew", 1),
        ("Manuel de la Peña", 1),
        ("Emily de la Pena", 1),
        ("Jean-François Bercher", 1),
        ("Na'Tosha Bard", 2),
        ("Paul O'Grady", 1),
        ("Александр Кошкин", 1),
        ("Александр Соловьев", 2),
        ("김준기", 1),
        ("김기한", 1),
        ("信屹 陳", 1),
        ("Kim Win", 1),
        ("Win Suen", 1),
        ("Lin Y", 1),
        ("Daniel Allan", 2),
        ("Daniel Bader", 7),
        ("Daniel B. Allan", 1),
        ("Gaël Varoquaux|Gael Varoquaux|Gaël  VAROQUAUX", 14),
        ("Mariatta", 16),
        ("Maria Jose Molina", 1),
    ];

    fn index() -> (SpeakerIndex, Vec<Vec<String>>) {
        let spellings: Vec<Vec<String>> =
            PEOPLE.iter().map(|(names, _)| names.split('|').map(str::to_owned).collect()).collect();
        let idx =
            SpeakerIndex::build(spellings.iter().zip(PEOPLE).enumerate().map(|(ix, (s, (_, weight)))| SpeakerEntry {
                ix,
                name: &s[0],
                aliases: &s[1..],
                weight: *weight,
            }));
        (idx, spellings)
    }

    fn first(idx: &SpeakerIndex, spellings: &[Vec<String>], query: &str) -> Option<String> {
        idx.lookup(query, 10).matches.first().map(|m| spellings[m.ix][0].clone())
    }

    #[test]
    fn finds_the_name_meant_through_noise() {
        let (idx, spellings) = index();
        let cases = [
            ("lukasz langa", "Łukasz Langa"),
            ("simon wilison", "Simon Willison"),
            ("Willison Simon", "Simon Willison"),
            ("willison", "Simon Willison"),
            ("Pablo Salgado", "Pablo Galindo Salgado"),
            ("pablo galindo", "Pablo Galindo Salgado"),
            ("Pablo Galindo Slagado", "Pablo Galindo Salgado"),
            ("lyn root", "Lynn Root"),
            // particles: whole, without the particle, family name first
            ("stefan van der walt", "Stéfan van der Walt"),
            ("Stéfan Walt", "Stéfan van der Walt"),
            ("van der Walt Stéfan", "Stéfan van der Walt"),
            ("Manuel Peña", "Manuel de la Peña"),
            ("de la Peña Manuel", "Manuel de la Peña"),
            ("manuel de la pena", "Manuel de la Peña"),
            // hyphens and apostrophes, typed or not
            ("Jean Francois Bercher", "Jean-François Bercher"),
            ("jean-francois", "Jean-François Bercher"),
            ("Natosha Bard", "Na'Tosha Bard"),
            ("Na'To", "Na'Tosha Bard"),
            ("Paul OGrady", "Paul O'Grady"),
            ("paul o grady", "Paul O'Grady"),
            // other scripts
            ("Кошкин Александр", "Александр Кошкин"),
            ("александр кошкин", "Александр Кошкин"),
            ("Алексанбр Кошкин", "Александр Кошкин"),
            ("Кошкин", "Александр Кошкин"),
            ("김준기", "김준기"),
            ("김즌기", "김준기"),
            ("信屹", "信屹 陳"),
            // very short names, in either order
            ("Kim Win", "Kim Win"),
            ("kim wn", "Kim Win"),
            ("Lin Y", "Lin Y"),
            // decomposed (NFD) input, spacing, case, a known alias
            ("Ga\u{e}\u{308}l Varoquaux", "Gaël Varoquaux"),
            ("  GAEL   varoquaux ", "Gaël Varoquaux"),
            ("Gaël Varoquax", "Gaël Varoquaux"),
            // a whole name typed beats a longer one holding it; a typo beats a different name
            ("Daniel Allan", "Daniel Allan"),
            ("Marjatta", "Mariatta"),
        ];
        for (query, expected) in cases {
            assert_eq!(first(&idx, &spellings, query).as_deref(), Some(expected), "{query}");
        }
    }

    #[test]
    fn ties_go_to_the_speaker_with_more_talks() {
        let (idx, spellings) = index();
        let names: Vec<&str> = idx.lookup("Daniel", 10).matches.iter().map(|m| spellings[m.ix][0].as_str()).collect();
        assert_eq!(names[..3], ["Daniel Bader", "Daniel Allan", "Daniel B. Allan"]);
        let walts: Vec<&str> = idx.lookup("Walt", 10).matches.iter().map(|m| spellings[m.ix][0].as_str()).collect();
        assert_eq!(walts[..3], ["Walt Askew", "Stéfan van der Walt", "Cornelia van der Walt"]);
    }

    #[test]
    fn is_confident_only_when_one_name_clearly_fits() {
        let (idx, _) = index();
        let cases = [
            ("Simon Willison", true),
            ("simon wilison", true),
            ("Willison", true),
            ("Кошкин Александр", true),
            ("Daniel Allan", true),
            // a bare first name shared by several, a surname shared, a bare prefix
            ("Daniel", false),
            ("Александр", false),
            ("Walt", false),
            ("Dan", false),
            ("zzzzqqq", false),
        ];
        for (query, confident) in cases {
            assert_eq!(idx.lookup(query, 10).confident, confident, "{query}");
        }
    }

    #[test]
    fn nothing_close_gives_nothing() {
        let (idx, _) = index();
        for query in ["zzzzqqq", "   ", "", "!!"] {
            assert!(idx.lookup(query, 5).matches.is_empty(), "{query:?}");
        }
        assert!(idx.lookup("Simon", 0).matches.is_empty());
    }

    #[test]
    fn merges_a_speakers_spellings_into_one_match() {
        let (idx, _) = index();
        let found = idx.lookup("Gael Varoquaux", 10);
        assert_eq!(found.matches.iter().filter(|m| m.ix == 23).count(), 1);
    }
}
