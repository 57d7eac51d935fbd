//! Turning the free text of exports (HTML, RST, Markdown, stray whitespace) into catalogue
//! text: plain paragraphs, capped so a catalogue of the whole pyvideo archive stays small.

use super::markup;

/// The most characters of summary kept per talk. The first paragraphs say what a talk is
/// about; over the pyvideo archive, keeping up to 1,200 characters instead made the catalogue
/// 3 MB larger (20.5 MB) and its loading slower, for text few read in a Discord embed.
pub const SUMMARY_MAX: usize = 600;
/// The most paragraphs kept per talk (each is shown as one bullet).
pub const PARAGRAPHS_MAX: usize = 4;

/// True for the characters no imported text keeps: control characters (C0 but tab, line feed
/// and carriage return; DEL; C1), which terminals and clients may act on, and the bidi
/// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make text display
/// in another order than it reads ("Trojan Source").
pub fn is_hostile(c: char) -> bool {
    crate::reply::is_hidden(c) && !matches!(c, '\t' | '\n' | '\r')
}

/// `text` without [`is_hostile`] characters; those that are whitespace (vertical tab, form
/// feed, next line) become a space, so words stay apart.
pub fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_hostile) {
        return text.into();
    }
    let kept = text.chars().filter_map(|c| match c {
        c if !is_hostile(c) => Some(c),
        c if c.is_whitespace() => Some(' '),
        _ => None,
    });
    kept.collect::<String>().into()
}

/// Plain text of `text`: HTML converted when it looks like HTML, RST and Markdown markup
/// removed otherwise ([`markup`]), entities decoded, lines inside a paragraph joined, and
/// blank-line-separated paragraphs returned one per item. [`is_hostile`] characters are
/// removed.
pub fn paragraphs(text: &str) -> Vec<String> {
    read(text).paragraphs
}

/// Free text read into plain paragraphs, with the links its markup held.
#[derive(Debug, Default)]
pub struct Read {
    pub paragraphs: Vec<String>,
    /// Links written in RST or Markdown, as (text, address).
    pub links: Vec<(String, String)>,
    /// True when RST or Markdown markup was turned into plain text.
    pub marked: bool,
}

/// Reads free text as [`paragraphs`] does, keeping the links of its markup.
pub fn read(text: &str) -> Read {
    if looks_like_html(text) {
        // After the conversion: entities such as `&#x202E;` decode to what is removed here.
        let plain = html_to_text(text);
        return Read { paragraphs: split(&clean(&plain)), ..Read::default() };
    }
    // `str::lines` ends lines at "\r\n" too.
    let plain = markup::plain(&clean(prefix(text, HTML_MAX)));
    Read { paragraphs: plain.paragraphs, links: plain.links, marked: plain.marked }
}

/// Blank-line-separated paragraphs, each on one line with single spaces.
fn split(plain: &str) -> Vec<String> {
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

/// The first `max` bytes of `text`, cut at a character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// A talk's summary, and what reading its texts found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub paragraphs: Vec<String>,
    /// True when paragraphs or characters were left out.
    pub cut: bool,
    /// The links the texts' markup held, as (text, address), from the whole texts.
    pub links: Vec<(String, String)>,
    /// True when RST or Markdown markup was turned into plain text.
    pub marked: bool,
}

/// The summary of a talk from its texts (abstract, description…): paragraphs in order,
/// repeats dropped, at most [`PARAGRAPHS_MAX`] paragraphs and [`SUMMARY_MAX`] characters,
/// the last one cut at a word.
pub fn summary(texts: &[&str]) -> Summary {
    // One more than can be kept is enough to know whether anything was cut.
    let mut all: Vec<String> = Vec::new();
    let mut found = Summary::default();
    for text in texts {
        let read = read(text);
        found.links.extend(read.links);
        found.marked |= read.marked;
        for p in read.paragraphs {
            if all.len() <= PARAGRAPHS_MAX && !all.contains(&p) {
                all.push(p);
            }
        }
    }
    let mut room = SUMMARY_MAX;
    for p in all {
        if found.paragraphs.len() == PARAGRAPHS_MAX || room < 40 {
            found.cut = true;
            break;
        }
        let len = p.chars().count();
        if len <= room {
            room -= len;
            found.paragraphs.push(p);
        } else {
            found.paragraphs.push(crate::reply::limits::truncate(&p, room));
            found.cut = true;
            break;
        }
    }
    found
}

/// A single line of plain text (titles, names): HTML entities and tags removed when present,
/// [`is_hostile`] characters removed, whitespace collapsed.
pub fn line(text: &str) -> String {
    let plain = if looks_like_html(text) { html_to_text(text) } else { text.to_owned() };
    clean(&plain).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The most bytes of one HTML text converted; the rest is left out. The longest HTML text of
/// the real exports is 20 KB (a FOSDEM abstract), and a summary keeps 600 characters.
const HTML_MAX: usize = 64 * 1024;

/// The most tags in one HTML text that make `nanohtml2text` read the rest of the text again
/// (`<a`, `<head`, `<script`, `<style`; real exports have at most 6): each costs a copy of
/// the text after it, and nested links recurse, so thousands of them took minutes and all
/// memory (100,000 nested `<a>` in a 1 MB description: 24 GB). Texts with more, or with
/// nested links, are converted by [`strip_tags`] instead.
const COSTLY_TAGS_MAX: usize = 100;

/// Plain text of an HTML text, in time and memory linear in its length (see [`HTML_MAX`] and
/// [`COSTLY_TAGS_MAX`]).
fn html_to_text(html: &str) -> String {
    let mut html = html;
    if html.len() > HTML_MAX {
        html = prefix(html, HTML_MAX);
        // Not into the middle of a tag.
        if let Some(open) = html.rfind('<').filter(|&open| !html[open..].contains('>')) {
            html = &html[..open];
        }
    }
    // A `<` with no `>` after it makes nanohtml2text search to the end for each: as an
    // entity it reads the same.
    let escaped;
    if let Some(close) = html.rfind('>') {
        if html[close..].contains('<') {
            escaped = format!("{}{}", &html[..close], html[close..].replace('<', "&lt;"));
            html = &escaped;
        }
    } else if html.contains('<') {
        escaped = html.replace('<', "&lt;");
        html = &escaped;
    }
    if costly_tags_or_nesting(html) {
        strip_tags(html)
    } else {
        nanohtml2text::html2text(html)
    }
}

/// True when `html` has more than [`COSTLY_TAGS_MAX`] costly tags, or a link inside a link.
fn costly_tags_or_nesting(html: &str) -> bool {
    let bytes = html.as_bytes();
    let (mut costly, mut open_link) = (0, false);
    for (i, _) in html.match_indices('<') {
        let after = &bytes[i + 1..];
        let name_is = |name: &[u8]| {
            after.len() > name.len()
                && after[..name.len()].eq_ignore_ascii_case(name)
                && (after[name.len()] == b'>' || after[name.len()].is_ascii_whitespace())
        };
        if name_is(b"a") {
            if open_link {
                return true;
            }
            open_link = true;
            costly += 1;
        } else if name_is(b"/a") {
            open_link = false;
        } else if name_is(b"head") || name_is(b"script") || name_is(b"style") {
            costly += 1;
        }
        if costly > COSTLY_TAGS_MAX {
            return true;
        }
    }
    false
}

/// Plain text of HTML in one pass: tags removed (paragraphs, headings, line breaks and list
/// items breaking lines as with `nanohtml2text`), entities decoded. For hostile texts only:
/// links lose their address.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        push_text(&mut out, &rest[..open]);
        let Some(close) = rest[open..].find('>') else {
            push_text(&mut out, &rest[open..]);
            return out;
        };
        let tag = &rest[open + 1..open + close];
        let name = tag.split(|c: char| c.is_whitespace() || c == '/' && !tag.starts_with('/')).next().unwrap_or("");
        match name.to_ascii_lowercase().as_str() {
            "br" | "li" | "/ol" | "/ul" => out.push('\n'),
            "p" | "/p" | "div" | "/div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "/h1" | "/h2" | "/h3" | "/h4"
            | "/h5" | "/h6" => out.push_str("\n\n"),
            _ => {}
        }
        rest = &rest[open + close + 1..];
    }
    push_text(&mut out, rest);
    out
}

/// Appends the text between two tags, entities decoded, keeping a space at either end.
fn push_text(out: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if text.starts_with(char::is_whitespace) {
        out.push(' ');
    }
    // Without `<`, nanohtml2text only decodes entities and collapses whitespace: linear.
    out.push_str(&nanohtml2text::html2text(text));
    if text.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

/// True when `text` holds HTML tags or entities worth converting. A closing tag counts only
/// whole (`</p>`): RST links to relative addresses (`` `x </en/sprints/>`__ ``) hold `</` too.
fn looks_like_html(text: &str) -> bool {
    let tag = |t: &str| text.contains(t);
    ["<p", "<br", "<ul", "<li", "<a ", "<em", "<strong", "<div", "&amp;", "&lt;", "&gt;", "&quot;", "&#"]
        .iter()
        .any(|t| tag(t))
        || text.match_indices("</").any(|(at, _)| {
            let name = text[at + 2..].trim_start_matches(|c: char| c.is_ascii_alphanumeric());
            name.len() < text.len() - at - 2 && name.trim_start().starts_with('>')
        })
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
        // An RST link to a relative address is no closing tag.
        assert_eq!(paragraphs("The **sprint** `schedule </en/sprints/>`__."), ["The sprint schedule."]);
        assert_eq!(paragraphs("a</b>c"), ["ac"]);
    }

    #[test]
    fn summaries_drop_repeats_and_stay_short() {
        let s = summary(&["Same.", "Same.\n\nMore."]);
        assert_eq!(s.paragraphs, ["Same.", "More."]);
        assert!(!s.cut);
        let long = "word ".repeat(1000);
        let s = summary(&[&long]);
        assert!(s.cut && s.paragraphs.len() == 1 && s.paragraphs[0].chars().count() <= SUMMARY_MAX);
        let many = "p\n\n".repeat(10);
        assert_eq!(summary(&[&many]).paragraphs.len(), 1, "repeats dropped");
        let distinct: String = (0..20).map(|i| format!("p{i}\n\n")).collect();
        let s = summary(&[&distinct]);
        assert_eq!((s.paragraphs, s.cut), ((0..4).map(|i| format!("p{i}")).collect(), true));
        assert!(!summary(&["a\n\nb\n\nc\n\nd"]).cut, "exactly four paragraphs: nothing cut");
    }

    #[test]
    fn hostile_html_converts_in_linear_time() {
        // Real HTML still goes through nanohtml2text: links keep their address.
        assert_eq!(
            paragraphs("<p>See <a href=\"https://x.org\">the site</a>.</p><p>More</p>"),
            ["See the site (https://x.org).", "More"]
        );
        // Nested links (100,000 took minutes and 24 GB), 300,000 `<` without `>` (seconds).
        let nested = |n| format!("{}x{}", "<a href=x>".repeat(n), "</a>".repeat(n));
        assert_eq!(paragraphs(&nested(5_000)), ["x"]);
        assert!(paragraphs(&nested(100_000)).is_empty(), "only opening tags in the first {HTML_MAX} bytes");
        let open = format!("</a>{}", "<".repeat(300_000));
        let kept = line(&open);
        assert!(kept.starts_with("<<<") && kept.len() > 60_000 && kept.len() < HTML_MAX, "{}", kept.len());
        let many = "<p>One <b>bold</b> &amp; <a href=y>link</a></p>".repeat(5_000);
        let p = paragraphs(&many);
        assert_eq!(p[0], "One bold & link");
        assert!(p.len() < 5_000, "only the first {HTML_MAX} bytes are converted");
        assert_eq!(strip_tags("a<br/>b <i>c</i>&lt;d<h2>e</h2>f<"), "a\nb c<d\n\ne\n\nf<");
    }

    #[test]
    fn control_and_bidi_characters_are_removed() {
        assert_eq!(line("Nul\u{0}l \u{1b}[31mred\u{7}\u{7f} \u{85}next\u{9b}"), "Null [31mred next");
        assert_eq!(line("\u{202E}gnp.exe\u{202C} \u{2066}iso\u{2069}"), "gnp.exe iso");
        assert_eq!(line("tab\tand\u{b}vtab"), "tab and vtab");
        assert_eq!(line("<p>R&amp;D &#x202E;x &#127;y</p>"), "R&D x y", "entities decoded, then removed");
        assert_eq!(paragraphs("one\u{0}\ntwo\u{1b}\n\n\u{c}three"), ["one two", "three"]);
        assert_eq!(clean("keep \u{200f}RLM and é\n\t"), "keep \u{200f}RLM and é\n\t");
    }
}
