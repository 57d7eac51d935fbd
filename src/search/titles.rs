//! Approximate lookup over short texts (talk titles, topic and conference names): the typed
//! words are matched against each text's words — exactly, as prefixes, or with a few typos —
//! through a sorted vocabulary and an inverted index, so a lookup touches only the texts that
//! share a word with the query. Also the engine behind title autocomplete.

use super::normalise::fold;
use super::vocab::{Vocabulary, WordId, WordMatches};

/// An index over a list of short texts, answering with their positions in that list.
#[derive(Default)]
pub struct TextIndex {
    vocab: Vocabulary,
    /// The words of each text, in order.
    texts: Vec<Box<[WordId]>>,
    /// `holders[starts[w]..starts[w + 1]]` are the texts holding word `w`. Word ids are sorted
    /// words, so the texts of a whole prefix range are one slice too.
    starts: Vec<u32>,
    holders: Vec<u32>,
}

impl std::fmt::Debug for TextIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TextIndex({} texts)", self.texts.len())
    }
}

/// Score of a text equal to the query, and of one that begins with it.
const EQUAL: f64 = 1.0;
const BEGINS: f64 = 0.95;

impl TextIndex {
    pub fn build<'a>(texts: impl Iterator<Item = &'a str>) -> TextIndex {
        let folded: Vec<String> = texts.map(fold).collect();
        let vocab = Vocabulary::build(folded.iter().flat_map(|t| t.split(' ')).filter(|w| !w.is_empty()).collect());
        let texts: Vec<Box<[WordId]>> = folded
            .iter()
            .map(|t| t.split(' ').filter(|w| !w.is_empty()).filter_map(|w| vocab.id(w)).collect())
            .collect();
        let mut pairs: Vec<(WordId, u32)> = Vec::new();
        for (ix, words) in texts.iter().enumerate() {
            let mut distinct = words.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            pairs.extend(distinct.into_iter().map(|w| (w, ix as u32)));
        }
        pairs.sort_unstable();
        let mut starts = Vec::with_capacity(vocab.len() + 1);
        let mut holders = Vec::with_capacity(pairs.len());
        for (word, text) in pairs {
            while starts.len() <= word as usize {
                starts.push(holders.len() as u32);
            }
            holders.push(text);
        }
        while starts.len() <= vocab.len() {
            starts.push(holders.len() as u32);
        }
        TextIndex { vocab, texts, starts, holders }
    }

    /// The best `limit` texts for `query`, with scores in 0..=1, best first; equal scores go
    /// to the shorter text, then to list order.
    pub fn lookup(&self, query: &str, limit: usize) -> Vec<(usize, f64)> {
        self.lookup_where(query, limit, |_| true)
    }

    /// [`lookup`](Self::lookup) among the texts `keep` accepts only (a filter such as one
    /// conference's talks): the best `limit` of those, however many others rank above them.
    pub fn lookup_where(&self, query: &str, limit: usize, keep: impl Fn(usize) -> bool) -> Vec<(usize, f64)> {
        let query = fold(query);
        let typed: Vec<WordMatches> =
            query.split(' ').filter(|w| !w.is_empty()).map(|w| self.vocab.matches(w)).collect();
        if typed.is_empty() || limit == 0 {
            return Vec::new();
        }
        // Only the best `limit` are kept, in order. A candidate whose best possible score cannot
        // beat the last of them is never scored: a one-letter query reaches most titles, but
        // once `limit` titles begin with it, the others cannot rank.
        let mut best: Vec<(usize, f64)> = Vec::with_capacity(limit + 1);
        let ranks_before = |a: (usize, f64), b: (usize, f64)| self.order(a, b).is_lt();
        let fits: Vec<Vec<u8>> = typed.iter().map(|m| self.fits(m)).collect();
        for t in self.candidates(&typed).into_iter().filter(|&t| keep(t)) {
            let full = best.len() == limit;
            let score = match self.in_order(&typed, t) {
                Some(s) => s,
                None if full && !ranks_before((t, self.bound(&typed, t)), best[limit - 1]) => continue,
                None => match self.score(&fits, t) {
                    Some(s) => s,
                    None => continue,
                },
            };
            let at = best.partition_point(|&b| ranks_before(b, (t, score)));
            if at < limit {
                best.insert(at, (t, score));
                best.truncate(limit);
            }
        }
        best
    }

    /// The ranking: higher score first, then the shorter text, then list order.
    fn order(&self, a: (usize, f64), b: (usize, f64)) -> std::cmp::Ordering {
        b.1.total_cmp(&a.1).then(self.texts[a.0].len().cmp(&self.texts[b.0].len())).then(a.0.cmp(&b.0))
    }

    /// Texts reached by the typed words that reach the fewest texts (two of them, so one
    /// mistyped word that happens to look like a rare word cannot hide the right text), in
    /// list order. Marked in a bit set: a short prefix reaches most texts, many times over.
    fn candidates(&self, typed: &[WordMatches]) -> Vec<usize> {
        let mut reaches: Vec<(usize, Vec<&[u32]>)> = typed
            .iter()
            .map(|m| {
                let mut slices = vec![self.holders_of(m.prefix.start, m.prefix.end)];
                slices.extend(m.typos.iter().map(|&(w, _)| self.holders_of(w, w + 1)));
                (slices.iter().map(|s| s.len()).sum(), slices)
            })
            .filter(|(cost, _)| *cost > 0)
            .collect();
        reaches.sort_by_key(|(cost, _)| *cost);
        let mut marked = vec![0u64; self.texts.len().div_ceil(64)];
        for &t in reaches.iter().take(2).flat_map(|(_, slices)| slices.iter().flat_map(|s| s.iter())) {
            marked[t as usize / 64] |= 1 << (t % 64);
        }
        marked
            .iter()
            .enumerate()
            .flat_map(|(i, &bits)| (0..64).filter(move |b| bits & (1u64 << b) != 0).map(move |b| i * 64 + b as usize))
            .collect()
    }

    fn holders_of(&self, from: WordId, to: WordId) -> &[u32] {
        &self.holders[self.starts[from as usize] as usize..self.starts[to as usize] as usize]
    }

    /// [`EQUAL`] or [`BEGINS`] if text `t` starts with the typed words, in order.
    fn in_order(&self, typed: &[WordMatches], t: usize) -> Option<f64> {
        let words = &self.texts[t];
        let in_order = typed.len() <= words.len()
            && typed
                .iter()
                .zip(words.iter())
                .enumerate()
                .all(|(i, (m, &w))| m.exact == Some(w) || (i + 1 == typed.len() && m.prefix.contains(&w)));
        in_order.then(|| {
            let equal = typed.len() == words.len() && typed.iter().zip(words.iter()).all(|(m, &w)| m.exact == Some(w));
            if equal {
                EQUAL
            } else {
                BEGINS
            }
        })
    }

    /// The most [`TextIndex::score`] can give text `t`: every typed word matched exactly,
    /// each covering a different word of the text.
    fn bound(&self, typed: &[WordMatches], t: usize) -> f64 {
        let words = self.texts[t].len().clamp(1, 64);
        0.5 + 0.35 + 0.1 * (typed.len().min(words) as f64 / words as f64)
    }

    /// How well text `t`, which does not start with the typed words, shares enough of them.
    fn score(&self, typed: &[Vec<u8>], t: usize) -> Option<f64> {
        let words = &self.texts[t];
        // Which of the text's words were matched, as bits: no allocation per candidate (words
        // past the 64th are matched but not counted in the coverage).
        let mut covered = 0u64;
        let mut total = 0.0;
        for m in typed {
            let mut best = (0, 0.0);
            for (j, &w) in words.iter().enumerate() {
                let s = similarity(m[w as usize]);
                if s > best.1 {
                    best = (j, s);
                }
            }
            if best.1 > 0.0 {
                covered |= 1u64.checked_shl(best.0 as u32).unwrap_or(0);
                total += best.1;
            }
        }
        let matched = total / typed.len() as f64;
        let coverage = f64::from(covered.count_ones()) / words.len().clamp(1, 64) as f64;
        (matched >= 0.5).then_some(0.5 + 0.35 * matched + 0.1 * coverage)
    }
}

/// How one typed word fits each word of the vocabulary, as a code per word id: none, equal,
/// begun, or 2 + the number of typos. A table lookup per word pair keeps scoring the thousands
/// of texts a short query reaches cheap.
const FITS_NONE: u8 = 0;
const FITS_EQUAL: u8 = 1;
const FITS_BEGUN: u8 = 2;

impl TextIndex {
    fn fits(&self, typed: &WordMatches) -> Vec<u8> {
        let mut fits = vec![FITS_NONE; self.vocab.len()];
        for &(w, edits) in &typed.typos {
            fits[w as usize] = FITS_BEGUN.saturating_add(edits);
        }
        for w in typed.prefix.clone() {
            fits[w as usize] = FITS_BEGUN;
        }
        if let Some(w) = typed.exact {
            fits[w as usize] = FITS_EQUAL;
        }
        fits
    }
}

/// How well one typed word fits one word of a text, from its [`TextIndex::fits`] code.
fn similarity(fit: u8) -> f64 {
    match fit {
        FITS_NONE => 0.0,
        FITS_EQUAL => 1.0,
        FITS_BEGUN => 0.9,
        typos => 0.9 - 0.1 * f64::from(typos - FITS_BEGUN),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_titles_by_prefix_words_and_typos() {
        let titles = ["The Design of Everyday APIs", "Profiling at the speed of light", "Keynote", "Keynote"];
        let idx = TextIndex::build(titles.iter().copied());
        let first = |q: &str| idx.lookup(q, 3).first().map(|r| r.0);
        assert_eq!(first("the design"), Some(0));
        assert_eq!(first("everyday apis"), Some(0));
        assert_eq!(first("apis design"), Some(0));
        assert_eq!(first("profilng speed"), Some(1));
        assert_eq!(first("speed of li"), Some(1));
        assert_eq!(first("prof"), Some(1));
        assert_eq!(first("zzzz"), None);
        assert_eq!(first(""), None);
        let keynotes = idx.lookup("keynote", 5);
        assert_eq!(keynotes, vec![(2, 1.0), (3, 1.0)], "equal titles tie, for the caller to offer both");
        assert_eq!(idx.lookup("the design of everyday apis", 1)[0].1, 1.0);
        assert_eq!(idx.lookup("the design of", 1)[0].1, BEGINS);
    }
}
