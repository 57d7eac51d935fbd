//! Scoring one name against a typed query: each typed word is paired with at most one word of
//! the name (in any order), pairs scored exact > prefix > typo, and the result weighted by
//! how much of what was typed each word carries.

use super::distance::{char_set, edits_at_least, osa_within};
use super::vocab::{max_edits, Vocabulary, WordId, WordMatches};

/// A typed word begun but not finished: worth a little less than the whole word.
pub const PREFIX: f64 = 0.9;
/// Taken off when the name has words the query did not mention. How much depends on which:
/// people type names from the start ("Daniel" begins "Daniel Allan") or give the family name
/// alone ("Allan"); a word missing in between, or only a middle word given, is less likely.
/// Missing initials count as missing at the end. One fixed amount per pattern, however many
/// words are missing, so every name that holds the typed words the same way ties — and
/// popularity decides among them.
pub const MISSING_END: f64 = 0.02;
pub const MISSING_START: f64 = 0.04;
pub const MISSING_MIDDLE: f64 = 0.05;
/// Taken off when the words were typed in another order than the name's (family name first).
/// More than a word missing at the end: "Yang K" is the start of "Yang Kyung-mo" sooner than
/// a reordered "Keith Yang"; a whole name reordered still beats every other name.
pub const REORDERED: f64 = 0.05;

/// One word of the query and what it matches in the vocabulary.
#[derive(Debug, Clone)]
pub struct Typed {
    pub text: String,
    set: u64,
    /// Length in characters: longer words weigh more in a name's score.
    pub len: usize,
    pub matches: WordMatches,
    /// Similarity of each typo word, in the order of `matches.typos`.
    typo_similarity: Vec<f64>,
}

impl Typed {
    pub fn new(word: &str, vocab: &Vocabulary) -> Typed {
        let len = word.chars().count();
        let matches = vocab.matches(word);
        let typo_similarity = matches
            .typos
            .iter()
            .map(|&(id, edits)| {
                let longest = len.max(vocab.chars(id));
                typo(f64::from(edits), longest)
            })
            .collect();
        Typed { text: word.to_owned(), set: char_set(word), len, matches, typo_similarity }
    }

    /// How well this typed word fits a word of a name, in 0..=1, as far as the vocabulary
    /// lookup found (exact, prefix, typos within the allowed edits).
    pub fn similarity(&self, word: WordId) -> f64 {
        if self.matches.exact == Some(word) {
            return 1.0;
        }
        let prefix = if self.matches.prefix.contains(&word) { PREFIX } else { 0.0 };
        let typo = match self.matches.typos.binary_search_by_key(&word, |t| t.0) {
            Ok(i) => self.typo_similarity[i],
            Err(_) => 0.0,
        };
        prefix.max(typo)
    }

    /// Similarity to a word more typos away than the vocabulary lookup allows, or 0 when
    /// most of it differs. Used only for a typed word that fits no word of a name reached
    /// through its other words: "Filip Kllá" is still Filip Kollár.
    fn far_typo(&self, word: WordId, vocab: &Vocabulary) -> f64 {
        let longest = self.len.max(vocab.chars(word));
        let bound = longest / 2;
        if self.len.abs_diff(vocab.chars(word)) > bound || edits_at_least(self.set, vocab.set(word)) > bound {
            return 0.0;
        }
        match osa_within(&self.text, vocab.word(word), bound) {
            Some(edits) if edits > 0 => typo(edits as f64, longest),
            _ => 0.0,
        }
    }

    /// The vocabulary words this typed word reaches, for finding candidate names.
    pub fn reached(&self) -> impl Iterator<Item = WordId> + '_ {
        self.matches.prefix.clone().chain(self.matches.typos.iter().map(|t| t.0))
    }
}

/// Similarity of two words `edits` apart, the longer of `longest` characters: each allowed
/// edit costs a share of the word, so one typo in a long word costs less than in a short one.
fn typo(edits: f64, longest: usize) -> f64 {
    let allowed = max_edits(longest).max(1) as f64;
    (0.85 - 0.25 * (edits - 1.0) / allowed - 0.1 * edits / longest as f64).max(0.0)
}

/// The score of a name (its word ids, in order) for the typed words, in 0..=1; 1 only for
/// the very same words in the same order.
pub fn score(typed: &[Typed], name: &[WordId], vocab: &Vocabulary) -> f64 {
    if typed.len() == name.len() && typed.iter().zip(name).all(|(t, &w)| t.matches.exact == Some(w)) {
        return 1.0;
    }
    // Names have a handful of words: a greedy pairing of the best remaining pair is exact enough.
    const MAX: usize = 8;
    let (nt, nn) = (typed.len().min(MAX), name.len().min(MAX));
    let mut sim = [[0.0f64; MAX]; MAX];
    for (i, t) in typed.iter().take(nt).enumerate() {
        for (j, &w) in name.iter().take(nn).enumerate() {
            sim[i][j] = t.similarity(w);
        }
        if t.len >= 2 && sim[i][..nn].iter().all(|&s| s == 0.0) {
            for (j, &w) in name.iter().take(nn).enumerate() {
                sim[i][j] = t.far_typo(w, vocab);
            }
        }
    }
    let (mut typed_used, mut name_used) = ([false; MAX], [false; MAX]);
    let mut paired = [(0usize, 0usize); MAX];
    let mut n_paired = 0;
    loop {
        let mut best = (0.0, 0, 0);
        for i in (0..nt).filter(|&i| !typed_used[i]) {
            for j in (0..nn).filter(|&j| !name_used[j]) {
                if sim[i][j] > best.0 {
                    best = (sim[i][j], i, j);
                }
            }
        }
        if best.0 <= 0.0 {
            break;
        }
        typed_used[best.1] = true;
        name_used[best.2] = true;
        paired[n_paired] = (best.1, best.2);
        n_paired += 1;
    }
    let paired = &mut paired[..n_paired];
    let total_len: usize = typed.iter().map(|t| t.len).sum();
    let mut score = paired.iter().map(|&(i, j)| sim[i][j] * typed[i].len as f64).sum::<f64>() / total_len as f64;
    score -= missing_penalty(&name_used[..nn], |j| vocab.chars(name[j]) == 1);
    paired.sort_unstable();
    if paired.windows(2).any(|p| p[0].1 > p[1].1) {
        score -= REORDERED;
    }
    score.min(0.999)
}

/// The cost of the name words left unpaired (`used[j]` false), by where they are.
fn missing_penalty(used: &[bool], is_initial: impl Fn(usize) -> bool) -> f64 {
    let (Some(first_used), Some(last_used)) = (used.iter().position(|&u| u), used.iter().rposition(|&u| u)) else {
        return 0.0;
    };
    let mut missing = (0..used.len()).filter(|&j| !used[j] && !is_initial(j));
    if missing.clone().next().is_none() {
        return if used.iter().all(|&u| u) { 0.0 } else { MISSING_END };
    }
    if missing.clone().all(|j| j > last_used) {
        MISSING_END
    } else if missing.all(|j| j < first_used) {
        MISSING_START
    } else {
        MISSING_MIDDLE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(names: &[&str], query: &str) -> Vec<f64> {
        let words: Vec<&str> = names.iter().flat_map(|n| n.split(' ')).collect();
        let vocab = Vocabulary::build(words);
        let typed: Vec<Typed> = query.split(' ').map(|w| Typed::new(w, &vocab)).collect();
        names
            .iter()
            .map(|n| score(&typed, &n.split(' ').map(|w| vocab.id(w).unwrap()).collect::<Vec<_>>(), &vocab))
            .collect()
    }

    #[test]
    fn orders_exact_then_partial_then_reordered_or_begun_then_typos() {
        let names = ["anna smith", "anna smith jones", "smith anna", "annabel smith", "anna smyth"];
        let s = scores(&names, "anna smith");
        assert_eq!(s[0], 1.0);
        assert!(s[1] > s[2] && s[1] > s[3], "{s:?}");
        assert!(s[2] > s[4] && s[3] > s[4], "{s:?}");
    }

    #[test]
    fn names_holding_the_typed_word_tie() {
        let s = scores(&["bob van zant", "bob hancock", "bobby tables"], "bob");
        assert_eq!(s[0], s[1]);
        assert!(s[2] < s[1]);
    }

    #[test]
    fn one_typo_costs_less_in_a_longer_word() {
        let s = scores(&["kim", "varoquaux"], "kmi varoqaux");
        let long = scores(&["varoquaux"], "varoqaux")[0];
        let short = scores(&["kim"], "kmi")[0];
        assert!(long > short, "{s:?}");
    }
}
