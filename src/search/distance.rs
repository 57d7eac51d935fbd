//! Edit distance between two short words, bounded: the optimal-string-alignment distance
//! (insertions, deletions, substitutions, adjacent transpositions) that stops as soon as the
//! answer is known to exceed the bound. Names are short, so it works on the stack.

/// Words longer than this (in characters) go to `strsim`, which allocates.
const MAX_CHARS: usize = 32;

/// The distance between `a` and `b` if it is at most `bound`.
pub fn osa_within(a: &str, b: &str, bound: usize) -> Option<usize> {
    let (mut ab, mut bb) = (['\0'; MAX_CHARS], ['\0'; MAX_CHARS]);
    let (Some(a), Some(b)) = (chars_into(a, &mut ab), chars_into(b, &mut bb)) else {
        let d = strsim::osa_distance(a, b);
        return (d <= bound).then_some(d);
    };
    if a.len().abs_diff(b.len()) > bound {
        return None;
    }
    if a.is_empty() || b.is_empty() {
        return Some(a.len().max(b.len()));
    }
    // Three rows of the dynamic programme: two back (for transpositions), one back, current.
    // Only cells within `bound` of the diagonal can hold a distance within the bound; the
    // others stay at `far`. Two words of at most MAX_CHARS are at most MAX_CHARS apart, so a
    // cell fits a byte, and the rows are cheap to swap.
    let bound = bound.min(MAX_CHARS);
    let far = bound as u8 + 1;
    let mut before = [far; MAX_CHARS + 1];
    let mut previous: [u8; MAX_CHARS + 1] = std::array::from_fn(|j| (j as u8).min(far));
    let mut current = [far; MAX_CHARS + 1];
    for i in 1..=a.len() {
        let (lo, hi) = (i.saturating_sub(bound).max(1), (i + bound).min(b.len()));
        current[0] = (i as u8).min(far);
        if lo > 1 {
            current[lo - 1] = far;
        }
        let mut row_min = current[0];
        for j in lo..=hi {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d.min(far);
            row_min = row_min.min(current[j]);
        }
        if hi < b.len() {
            current[hi + 1] = far;
        }
        // Every later cell comes from this row or the one before, adding to the distance:
        // once this row is past the bound everywhere, so is the answer.
        if usize::from(row_min) > bound {
            return None;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let d = usize::from(previous[b.len()]);
    (d <= bound).then_some(d)
}

/// The set of characters of a word, hashed into 64 bits. Each edit adds at most one
/// character the other word lacks and removes at most one, so two words whose sets differ by
/// `n` characters on one side are at least `n` edits apart — a test far cheaper than the distance.
pub fn char_set(word: &str) -> u64 {
    word.chars().fold(0, |set, c| set | 1 << (u32::from(c) % 64))
}

/// A lower bound on the edit distance of two words, from their [`char_set`]s.
pub fn edits_at_least(a: u64, b: u64) -> usize {
    (a & !b).count_ones().max((b & !a).count_ones()) as usize
}

/// Decodes `word` into `buffer`, or `None` when it does not fit.
fn chars_into<'b>(word: &str, buffer: &'b mut [char; MAX_CHARS]) -> Option<&'b [char]> {
    let mut n = 0;
    for c in word.chars() {
        *buffer.get_mut(n)? = c;
        n += 1;
    }
    Some(&buffer[..n])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_strsim_within_the_bound() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "kim",
            "kmi",
            "varoquaux",
            "varoqaux",
            "hodina",
            "ohdinq",
            "김준기",
            "김기",
            "abcdefghijklmnopqrstuvwxyzabcdefghij",
            "abcdefghijklmnopqrstuvwxyzabcdefgh",
        ];
        for a in words {
            for b in words {
                let d = strsim::osa_distance(a, b);
                for bound in 0..5 {
                    assert_eq!(osa_within(a, b, bound), (d <= bound).then_some(d), "{a} {b} {bound}");
                }
                assert!(edits_at_least(char_set(a), char_set(b)) <= d, "{a} {b}");
            }
        }
    }

    #[test]
    fn agrees_with_strsim_on_random_words() {
        let mut rng = fastrand::Rng::with_seed(7);
        let word = |rng: &mut fastrand::Rng| -> String {
            let len = rng.usize(0..9);
            (0..len).map(|_| ['a', 'b', 'c', 'é'][rng.usize(0..4)]).collect()
        };
        for _ in 0..20_000 {
            let (a, b) = (word(&mut rng), word(&mut rng));
            let d = strsim::osa_distance(&a, &b);
            let bound = rng.usize(0..5);
            assert_eq!(osa_within(&a, &b, bound), (d <= bound).then_some(d), "{a} {b} {bound}");
        }
    }
}
