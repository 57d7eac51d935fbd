//! Turning the free text of exports (HTML, Markdown-ish, stray whitespace) into catalogue
//! text: plain paragraphs, capped so a catalogue of the whole pyvideo archive stays small.

/// The most characters of summary kept per talk. The first paragraphs say what a talk is
/// about; over the pyvideo archive, keeping up to 1,200 characters instead made the catalogue
/// 3 MB larger (20.5 MB) and its loading slower, for text few read in a Discord embed.
pub const SUMMARY_MAX: usize = 600;
/// The most paragraphs kept per talk (each is shown as one bullet).
pub const PARAGRAPHS_MAX: usize = 4;

/// Plain text of `text`: HTML converted when it looks like HTML, entities decoded, lines
/// inside a paragraph joined, and blank-line-separated paragraphs returned one per item.
pub fn paragraphs(text: &str) -> Vec<String> {
    let plain = if looks_like_html(text) { nanohtml2text::html2text(text) } else { text.replace("\r\n", "\n") };
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in plain.lines().map(str::trim) {
        if line.is_empty() {
            flush(&mut current, &mut out);
        } else {
            current.push(line);
        }
    }
    flush(&mut current, &mut out);
    out
}

fn flush(lines: &mut Vec<&str>, out: &mut Vec<String>) {
    if !lines.is_empty() {
        let joined = lines.join(" ");
        out.push(joined.split_whitespace().collect::<Vec<_>>().join(" "));
        lines.clear();
    }
}

/// The summary of a talk from its texts (abstract, description…): paragraphs in order,
/// repeats dropped, at most [`PARAGRAPHS_MAX`] paragraphs and [`SUMMARY_MAX`] characters,
/// the last one cut at a word. Returns the summary and whether anything was cut.
pub fn summary(texts: &[&str]) -> (Vec<String>, bool) {
    let mut all: Vec<String> = Vec::new();
    for text in texts {
        for p in paragraphs(text) {
            if !all.contains(&p) {
                all.push(p);
            }
        }
    }
    let mut kept = Vec::new();
    let mut room = SUMMARY_MAX;
    let mut cut = false;
    for p in all {
        if kept.len() == PARAGRAPHS_MAX || room < 40 {
            cut = true;
            break;
        }
        let len = p.chars().count();
        if len <= room {
            room -= len;
            kept.push(p);
        } else {
            kept.push(crate::reply::limits::truncate(&p, room));
            cut = true;
            break;
        }
    }
    (kept, cut)
}

/// A single line of plain text (titles, names): HTML entities and tags removed when present,
/// whitespace collapsed.
pub fn line(text: &str) -> String {
    let plain = if looks_like_html(text) { nanohtml2text::html2text(text) } else { text.to_owned() };
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// True when `text` holds HTML tags or entities worth converting.
fn looks_like_html(text: &str) -> bool {
    let tag = |t: &str| text.contains(t);
    ["<p", "<br", "</", "<ul", "<li", "<a ", "<em", "<strong", "<div", "&amp;", "&lt;", "&gt;", "&quot;", "&#"]
        .iter()
        .any(|t| tag(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_and_plain_text_become_paragraphs() {
        assert_eq!(
            paragraphs("<p>FOSDEM welcome &amp; opening.</p><p>Second <em>para</em>.</p>"),
            ["FOSDEM welcome & opening.", "Second para."]
        );
        assert_eq!(paragraphs("one\nline\r\n\r\ntwo  words\n\n\n"), ["one line", "two words"]);
        assert!(paragraphs("   \n ").is_empty());
        assert_eq!(line("Rock &amp; roll\n talk"), "Rock & roll talk");
    }

    #[test]
    fn summaries_drop_repeats_and_stay_short() {
        let (s, cut) = summary(&["Same.", "Same.\n\nMore."]);
        assert_eq!(s, ["Same.", "More."]);
        assert!(!cut);
        let long = "word ".repeat(1000);
        let (s, cut) = summary(&[&long]);
        assert!(cut && s.len() == 1 && s[0].chars().count() <= SUMMARY_MAX);
        let many = "p\n\n".repeat(10);
        assert_eq!(summary(&[&many]).0.len(), 1, "repeats dropped");
    }
}
