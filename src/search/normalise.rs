//! Folding text to a comparable form: Unicode NFKD, accents and case dropped, letters that
//! do not decompose (ł, ø, ß, æ…) spelled out, punctuation and hyphens turned into spaces.

use unicode_normalization::char::{decompose_compatible, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

/// Folds `text` for comparison: `"  Łukasz  LANGA-Smith "` → `"lukasz langa smith"`.
/// Scripts other than Latin keep their letters (lowercased), so Cyrillic and Hangul names still
/// match themselves.
pub fn fold(text: &str) -> String {
    if text.is_ascii() {
        fold_ascii(text)
    } else {
        fold_unicode(text)
    }
}

fn fold_unicode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut take = |c: char| {
        // ASCII, which dominates even non-ASCII text, needs none of the Unicode tables below.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                if pending_space && !out.is_empty() {
                    out.push(' ');
                }
                pending_space = false;
                out.push(c.to_ascii_lowercase());
            } else if c != '\'' {
                pending_space = true;
            }
            return;
        }
        if is_combining_mark(c) {
            return;
        }
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            push_folded(&mut out, c);
        } else if c == '\'' || c == '’' || c == 'ʼ' || c == '·' {
            // O'Brien and O’Brien are one name, and so is OBrien; Catalan l·l is ll.
        } else {
            pending_space = true;
        }
    };
    // Decomposing char by char gives NFKD but for the order of combining marks, which are
    // dropped anyway — and lets the ASCII that dominates even non-ASCII text skip the tables.
    for c in text.chars() {
        if c.is_ascii() {
            take(c);
        } else {
            decompose_compatible(c, &mut take);
        }
    }
    // NFKD splits each Hangul syllable into two or three jamo; put them back together so one
    // typed syllable is one character, for edit distances and prefixes alike.
    if out.chars().any(|c| ('\u{1100}'..='\u{11ff}').contains(&c)) {
        return out.nfc().collect();
    }
    out
}

/// [`fold`] for ASCII text, which needs no decomposition: most catalogue text is ASCII, and
/// this path is several times faster than going through NFKD.
fn fold_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(char::from(b.to_ascii_lowercase()));
        } else if b != b'\'' {
            pending_space = true;
        }
    }
    out
}

fn push_folded(out: &mut String, c: char) {
    let spelled = match c {
        'ł' | 'Ł' => "l",
        'ø' | 'Ø' => "o",
        'ß' | 'ẞ' => "ss",
        'æ' | 'Æ' => "ae",
        'œ' | 'Œ' => "oe",
        'đ' | 'Đ' | 'ð' | 'Ð' => "d",
        'þ' | 'Þ' => "th",
        'ı' => "i",
        'ħ' | 'Ħ' => "h",
        _ => {
            out.extend(c.to_lowercase());
            return;
        }
    };
    out.push_str(spelled);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_punctuation_and_space() {
        let cases = [
            ("Łukasz Langa", "lukasz langa"),
            ("  GAËL   Varoquaux ", "gael varoquaux"),
            ("Jean-Luc Picard", "jean luc picard"),
            ("O’Brien", "obrien"),
            ("Straße", "strasse"),
            ("Søren Kierkegaard", "soren kierkegaard"),
            ("Александр Кошкин", "александр кошкин"),
            ("e\u{301}tienne", "etienne"),
            ("Ge\u{301}rald", "gerald"),
            ("Gérald", "gerald"),
            ("김준기", "김준기"),
            ("\u{1100}\u{1175}\u{11b7}", "김"),
            ("信屹 陳", "信屹 陳"),
            ("D'Avila", "davila"),
            ("Pau Ruŀlan", "pau rullan"),
            ("Manuel de la Peña", "manuel de la pena"),
            ("", ""),
            ("  Hello,  World's END-game  ", "hello worlds end game"),
        ];
        for (input, expected) in cases {
            assert_eq!(fold(input), expected, "{input:?}");
        }
    }

    #[test]
    fn the_ascii_path_agrees_with_the_unicode_path() {
        let every: String = (0u8..128).map(char::from).collect();
        for text in [every.as_str(), "  a--b  c'd  ", "X", "", "'", "12 Ab.cD"] {
            assert_eq!(fold_ascii(text), fold_unicode(text), "{text:?}");
        }
    }
}
