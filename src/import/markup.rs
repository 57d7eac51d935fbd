//! RST and Markdown in free text (pyvideo descriptions, pretalx and wafer abstracts) turned into
//! plain text: a link keeps its text and its address is collected, emphasis and code marks go,
//! and headings, list markers, directives and link targets are dropped.
//!
//! Exports do not say which markup a text is written in (pyvideo's descriptions are RST,
//! Markdown or plain text, often converted from one to the other), so both are read, each
//! construct only where it is unambiguous:
//!
//! - links: RST `` `text <url>`_ `` (and `__`), named references `` `text`_ `` with their
//!   `.. _text: url` targets, Markdown `[text](url)` and `![alt](src)`;
//! - code: ``` ``literal`` ```, `` `code` ``, RST roles (`` :pep:`484` `` → "PEP 484");
//! - emphasis: `*x*`, `**x**`, `***x***` and `_x_`, only where the marks open and close a
//!   word (`*args`, `2*3*4` and `snake_case` stay); double underscores are never emphasis, so
//!   `__init__` stays as written. Pandoc's rendering of `__init__.py` as `**init**.py` is
//!   undone;
//! - lines: headings (`# Title`, RST under- and overlines), list markers (items of one
//!   paragraph are joined by `; `), `> ` quotes, code fences, `::` literal markers, and RST
//!   directives (`.. figure::`, `.. raw::` and comments, with their indented blocks);
//! - backslash escapes of punctuation (`\*` → `*`).
//!
//! Where marks may close is found in one pass over each paragraph, and a construct closes
//! within [`SPAN`] bytes or not at all, so a text of nothing but opening marks takes time
//! O(n log n) in its length.

use std::collections::{HashMap, VecDeque};

/// The most bytes looked ahead for the end of a link, a code span or an emphasis.
const SPAN: usize = 1000;

/// Plain text read from marked-up text.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Plain {
    /// The paragraphs, each on one line, single spaces.
    pub paragraphs: Vec<String>,
    /// The links met, as (text, address), in order.
    pub links: Vec<(String, String)>,
    /// True when any markup was turned into plain text.
    pub marked: bool,
}

/// Plain text of `text` (see the module documentation).
pub fn plain(text: &str) -> Plain {
    let mut reader = Reader::default();
    let mut paragraphs = reader.blocks(text);
    for p in &mut paragraphs {
        // Most paragraphs hold nothing that may start inline markup.
        if p.bytes().any(|c| matches!(c, b'\\' | b'`' | b'!' | b'[' | b'*' | b'_')) {
            let line = reader.inline(p, 0);
            *p = single_spaced(&line);
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    Plain { paragraphs, links: reader.links, marked: reader.marked }
}

#[derive(Default)]
struct Reader {
    /// RST link targets (`.. _name: url`), by folded name.
    targets: HashMap<String, String>,
    /// RST anonymous targets (`.. __: url`), in order.
    anonymous: VecDeque<String>,
    links: Vec<(String, String)>,
    marked: bool,
}

/// Directives whose indented content is text worth keeping.
const KEEP_CONTENT: &[&str] = &["note", "tip", "hint", "important", "warning", "attention", "admonition", "topic"];

impl Reader {
    /// The paragraphs of `text` with line-level markup removed, lines joined by spaces.
    fn blocks(&mut self, text: &str) -> Vec<String> {
        let mut paragraphs = Vec::new();
        let mut current = String::new();
        let flush = |current: &mut String, paragraphs: &mut Vec<String>| {
            if !current.trim().is_empty() {
                paragraphs.push(single_spaced(current));
            }
            current.clear();
        };
        // Lines indented deeper than this belong to a dropped directive or comment.
        let mut skip_deeper: Option<usize> = None;
        let mut fenced = false;
        for raw in text.lines() {
            let line = raw.trim_end();
            let body = line.trim_start();
            let indent = line.len() - body.len();
            if let Some(level) = skip_deeper {
                if body.is_empty() || indent > level {
                    continue;
                }
                skip_deeper = None;
            }
            if body.starts_with("```") || body.starts_with("~~~") {
                self.marked = true;
                fenced = !fenced;
                flush(&mut current, &mut paragraphs);
                continue;
            }
            if body.is_empty() {
                flush(&mut current, &mut paragraphs);
                continue;
            }
            if fenced {
                join_line(&mut current, body);
                continue;
            }
            if body == ".." || body.starts_with(".. ") {
                self.marked = true;
                flush(&mut current, &mut paragraphs);
                if let Some(kept) = self.directive(body.trim_start_matches('.').trim()) {
                    current.push_str(kept);
                } else {
                    skip_deeper = Some(indent);
                }
                continue;
            }
            let mut body = body;
            for prefix in ["> ", "| "] {
                if let Some(rest) = body.strip_prefix(prefix) {
                    self.marked = true;
                    body = rest.trim_start();
                }
            }
            if is_rule(body) {
                // A heading's underline or overline, or a transition: the title stays a
                // paragraph of its own.
                self.marked = true;
                flush(&mut current, &mut paragraphs);
                continue;
            }
            if let Some(title) = heading(body) {
                self.marked = true;
                flush(&mut current, &mut paragraphs);
                paragraphs.push(title.to_owned());
                continue;
            }
            let literal;
            if let Some(stripped) = body.strip_suffix("::") {
                // "Example::" introduces a literal block: "Example:".
                self.marked = true;
                literal = if stripped.ends_with(' ') { stripped.trim_end().to_owned() } else { format!("{stripped}:") };
                body = &literal;
            }
            if let Some(item) = list_item(body) {
                self.marked = true;
                if !current.is_empty() {
                    let ends_sentence = current.trim_end().ends_with(['.', ',', ';', ':', '!', '?']);
                    current.push_str(if ends_sentence { " " } else { "; " });
                }
                current.push_str(item);
                continue;
            }
            join_line(&mut current, body);
        }
        flush(&mut current, &mut paragraphs);
        paragraphs
    }

    /// Reads a directive, target or comment line (after `.. `); returns the text to keep
    /// (an admonition's own text), or `None` to drop the line and its indented block.
    fn directive<'a>(&mut self, rest: &'a str) -> Option<&'a str> {
        if let Some(target) = rest.strip_prefix('_') {
            // `.. _name: url`, `` .. _`a: b`: url ``, or anonymous `.. __: url`.
            let (name, url) = if let Some(quoted) = target.strip_prefix('`') {
                let end = quoted.find("`:")?;
                (&quoted[..end], quoted[end + 2..].trim())
            } else {
                let colon = target.find(':')?;
                (&target[..colon], target[colon + 1..].trim())
            };
            if name == "_" {
                self.anonymous.push_back(url.to_owned());
            } else if !url.is_empty() {
                self.targets.insert(target_key(name), url.to_owned());
            }
            return None;
        }
        // A directive's own text (".. note:: Bring a laptop.") stays for admonitions; their
        // indented content is read as usual, since only drops set `skip_deeper`.
        let (name, text) = rest.split_once("::")?;
        KEEP_CONTENT.contains(&name.trim().to_lowercase().as_str()).then_some(text.trim())
    }

    /// `text` with inline markup removed; `depth` bounds the reading of emphasised text.
    fn inline(&mut self, text: &str, depth: usize) -> String {
        let bytes = text.as_bytes();
        let marks = Marks::new(text);
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let next = bytes.get(i + 1).copied();
            let done = match b {
                b'\\' if next.is_some_and(|n| n.is_ascii_punctuation()) => {
                    self.marked = true;
                    out.push(char::from(bytes[i + 1]));
                    Some(i + 2)
                }
                b'`' => self.backticks(text, &marks, i, &mut out),
                b'!' if next == Some(b'[') => self.bracket(text, &marks, i + 1, &mut out, depth, true),
                b'[' => self.bracket(text, &marks, i, &mut out, depth, false),
                b'*' | b'_' => self.emphasis(text, &marks, i, &mut out, depth),
                _ => None,
            };
            match done {
                Some(after) => i = after,
                None => {
                    // Copy up to the next byte that may start markup, whole characters only.
                    let end = bytes[i + 1..]
                        .iter()
                        .position(|c| matches!(c, b'\\' | b'`' | b'!' | b'[' | b'*' | b'_'))
                        .map_or(bytes.len(), |p| i + 1 + p);
                    out.push_str(&text[i..end]);
                    i = end;
                }
            }
        }
        out
    }

    /// A code span, an RST link or reference, or interpreted text starting at `i`; the index
    /// after it, or `None` when the backticks are not closed.
    fn backticks(&mut self, text: &str, marks: &Marks, i: usize, out: &mut String) -> Option<usize> {
        let bytes = text.as_bytes();
        let run = bytes[i..].iter().take_while(|&&c| c == b'`').count();
        let start = i + run;
        let close = marks.close(b'`', run, start)?;
        let content = &text[start..close];
        if content.trim().is_empty() {
            return None;
        }
        let mut after = close + run;
        self.marked = true;
        if run > 1 {
            out.push_str(content.trim());
            return Some(after);
        }
        // An RST role before (:pep:`484`) or after (`x`:sub:) the text.
        let role = take_role(out);
        let reference =
            if text[after..].starts_with("__") { Some(true) } else { text[after..].starts_with('_').then_some(false) };
        let Some(anonymous) = reference else {
            out.push_str(&role_text(role.as_deref(), content));
            return Some(after);
        };
        after += if anonymous { 2 } else { 1 };
        let (label, url) = match content.strip_suffix('>').and_then(|c| c.rsplit_once('<')) {
            Some((label, url)) => {
                let label = label.trim();
                (if label.is_empty() { url.trim() } else { label }, Some(url.trim().to_owned()))
            }
            None if anonymous => (content.trim(), self.anonymous.pop_front()),
            None => (content.trim(), self.targets.get(&target_key(content)).cloned()),
        };
        // A label may hold emphasis or code itself (`` `**See schedule** <…>`__ ``).
        let label = if label.bytes().any(|c| matches!(c, b'*' | b'_' | b'\\')) {
            self.inline(label, 2)
        } else {
            label.to_owned()
        };
        out.push_str(&label);
        if let Some(url) = url.filter(|u| !u.is_empty()) {
            self.links.push((label, url));
        }
        Some(after)
    }

    /// A Markdown link or image (`[text](url)`, `![alt](src)`), or an RST footnote
    /// reference (`[1]_`), with its `[` at `i`.
    fn bracket(
        &mut self,
        text: &str,
        marks: &Marks,
        i: usize,
        out: &mut String,
        depth: usize,
        image: bool,
    ) -> Option<usize> {
        let close = marks.close(b']', 1, i + 1)?;
        let label = &text[i + 1..close];
        let rest = &text[close + 1..];
        if !image && rest.starts_with('_') && label.len() <= 8 && !label.contains(' ') {
            // A footnote reference, `[1]_` or `[#]_`: the note itself is not kept.
            self.marked = true;
            return Some(close + 2);
        }
        if !rest.starts_with('(') {
            return None;
        }
        let open = close + 1;
        let end = *marks.parens.get(&open)?;
        let target = text[open + 1..end].trim();
        let url = target.split_whitespace().next().unwrap_or_default().trim_matches(['<', '>']);
        if url.is_empty() {
            return None;
        }
        self.marked = true;
        let label = if depth < 2 { self.inline(label, depth + 1) } else { label.to_owned() };
        let label = label.trim();
        if !image {
            self.links.push((if label.is_empty() { url } else { label }.to_owned(), url.to_owned()));
        }
        out.push_str(label);
        Some(end + 1)
    }

    /// Emphasis starting with the `*` or `_` at `i`: the index after it, or `None` when the
    /// marks do not open and close a word (`*args`, `snake_case`, `__init__`).
    fn emphasis(&mut self, text: &str, marks: &Marks, i: usize, out: &mut String, depth: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let mark = bytes[i];
        let run = bytes[i..].iter().take_while(|&&c| c == mark).count();
        let opens = (run <= 3 && (mark == b'*' || run == 1))
            && !word_before(text, i)
            && text[i + run..].chars().next().is_some_and(|c| !c.is_whitespace());
        if !opens {
            // Skip the whole run, so that `__init__` or `***` is copied as it is.
            out.push_str(&text[i..i + run]);
            return Some(i + run);
        }
        let start = i + run;
        let close = marks.close(mark, run, start)?;
        self.marked = true;
        let content = &text[start..close];
        let end = close + run;
        let follows = bytes.get(end).copied();
        let dunder = run == 2
            && mark == b'*'
            && content.bytes().all(|c| c.is_ascii_lowercase() || c == b'_')
            && (follows == Some(b'(')
                || (follows == Some(b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_alphabetic)));
        if dunder {
            out.push_str(&format!("__{content}__"));
        } else if depth < 2 {
            let inner = self.inline(content, depth + 1);
            out.push_str(&inner);
        } else {
            out.push_str(content);
        }
        Some(end)
    }
}

/// `text` with runs of whitespace as single spaces, trimmed.
fn single_spaced(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Appends a line of a paragraph.
fn join_line(current: &mut String, line: &str) {
    if !current.is_empty() {
        current.push(' ');
    }
    current.push_str(line);
}

/// True for a line of one punctuation character repeated (RST adornments, Markdown rules), or
/// runs of it apart (the borders of an RST simple table, `=====  =====`).
fn is_rule(line: &str) -> bool {
    let mut chars = line.chars();
    let Some(first) = chars.next() else { return false };
    line.len() >= 3
        && "=-~^\"'`#*+_:.".contains(first)
        && chars.all(|c| c == first || (c == ' ' && first == '='))
        && line.split(' ').all(|run| run.is_empty() || run.len() >= 2)
}

/// The title of a Markdown heading line (`## Title ##`).
fn heading(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|&c| c == b'#').count();
    if !(1..=6).contains(&hashes) || !line[hashes..].starts_with(' ') {
        return None;
    }
    let title = line[hashes..].trim().trim_end_matches('#').trim();
    (!title.is_empty()).then_some(title)
}

/// The text of a list item line (`- x`, `* x`, `+ x`, `• x`, `1. x`, `2) x`, `#. x`).
fn list_item(line: &str) -> Option<&str> {
    for bullet in ["- ", "* ", "+ ", "• ", "#. "] {
        if let Some(rest) = line.strip_prefix(bullet) {
            return Some(rest.trim_start()).filter(|r| !r.is_empty());
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let rest = line.get(digits..)?;
    let rest = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") "))?;
    (1..=2).contains(&digits).then(|| rest.trim_start()).filter(|r| !r.is_empty())
}

/// The key of an RST target name: references match names case- and space-insensitively.
fn target_key(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Takes an RST role (`:pep:`) off the end of `out`, returning its name.
fn take_role(out: &mut String) -> Option<String> {
    let body = out.strip_suffix(':')?;
    let start = body.rfind(':')?;
    let name = &body[start + 1..];
    let valid = !name.is_empty() && name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
    let bounded = start == 0 || !is_word(body.as_bytes()[start - 1]);
    if !(valid && bounded) {
        return None;
    }
    let name = name.to_owned();
    out.truncate(start);
    Some(name)
}

/// The text interpreted text stands for: PEPs and RFCs named, cross-references without their
/// target (`` :class:`~a.B` `` → "B", `` :doc:`Intro <intro>` `` → "Intro").
fn role_text(role: Option<&str>, content: &str) -> String {
    let content = content.trim();
    match role {
        Some("pep") => format!("PEP {content}"),
        Some("rfc") => format!("RFC {content}"),
        Some(_) => {
            if let Some((label, _)) = content.strip_suffix('>').and_then(|c| c.rsplit_once('<')) {
                return label.trim().to_owned();
            }
            match content.strip_prefix('~') {
                Some(path) => path.rsplit('.').next().unwrap_or(path).to_owned(),
                None => content.to_owned(),
            }
        }
        None => content.to_owned(),
    }
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c >= 0x80
}

/// True when the character before byte `i` is a letter or digit (in any script).
fn word_before(text: &str, i: usize) -> bool {
    text[..i].chars().next_back().is_some_and(char::is_alphanumeric)
}

/// True when the character at byte `i` is a letter or digit (in any script).
fn word_after(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_some_and(char::is_alphanumeric)
}

/// Where marks in one paragraph may close, found in one pass, so that finding the end of any
/// construct is a binary search rather than a scan.
struct Marks {
    /// The runs that may close a construct, by mark and run length, in order: backtick runs;
    /// `*` and `_` runs that follow a non-space and precede no word character; every `]`.
    closes: HashMap<(u8, usize), Vec<usize>>,
    /// Each `(` and its matching `)`.
    parens: HashMap<usize, usize>,
}

impl Marks {
    fn new(text: &str) -> Marks {
        let bytes = text.as_bytes();
        let mut closes: HashMap<(u8, usize), Vec<usize>> = HashMap::new();
        let mut parens = HashMap::new();
        let mut open = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let c = bytes[i];
            match c {
                b'`' | b'*' | b'_' => {
                    let run = bytes[i..].iter().take_while(|&&b| b == c).count();
                    let closes_emphasis = i > 0 && !bytes[i - 1].is_ascii_whitespace() && !word_after(text, i + run);
                    if c == b'`' || closes_emphasis {
                        closes.entry((c, run)).or_default().push(i);
                    }
                    i += run;
                    continue;
                }
                b']' => closes.entry((c, 1)).or_default().push(i),
                b'(' => open.push(i),
                b')' => {
                    if let Some(o) = open.pop() {
                        parens.insert(o, i);
                    }
                }
                _ => {}
            }
            i += 1;
        }
        Marks { closes, parens }
    }

    /// The first run of exactly `run` `mark`s at or after `from`, within [`SPAN`] bytes.
    fn close(&self, mark: u8, run: usize, from: usize) -> Option<usize> {
        let list = self.closes.get(&(mark, run))?;
        let at = *list.get(list.partition_point(|&p| p < from))?;
        (at - from <= SPAN).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        plain(s).paragraphs.join("\n\n")
    }

    #[test]
    fn rst_links_keep_their_text_and_give_their_address() {
        let p = plain("The `Gooey <https://github.com/chriskiehl/Gooey>`__ project and `PEP 484\n<https://peps.python.org/pep-0484/>`_.");
        assert_eq!(p.paragraphs, ["The Gooey project and PEP 484."]);
        assert_eq!(
            p.links,
            [
                ("Gooey".to_owned(), "https://github.com/chriskiehl/Gooey".to_owned()),
                ("PEP 484".to_owned(), "https://peps.python.org/pep-0484/".to_owned())
            ]
        );
        assert!(p.marked);
        let named = plain("Made with `Python Arcade`_.\n\n.. _Python Arcade: http://arcade.academy/\n");
        assert_eq!(named.paragraphs, ["Made with Python Arcade."]);
        assert_eq!(named.links, [("Python Arcade".to_owned(), "http://arcade.academy/".to_owned())]);
        let anonymous = plain("See `the docs`__.\n\n.. __: https://docs.example.org/");
        assert_eq!(anonymous.links[0].1, "https://docs.example.org/");
    }

    #[test]
    fn markdown_links_images_and_emphasis() {
        let p =
            plain("[Detailed notes](https://github.com/simonw/x) are **here**, *really* ![logo](https://x.org/l.png)");
        assert_eq!(p.paragraphs, ["Detailed notes are here, really logo"]);
        assert_eq!(p.links, [("Detailed notes".to_owned(), "https://github.com/simonw/x".to_owned())]);
        assert_eq!(text("[Wiki](https://en.wikipedia.org/wiki/X_(y)) ok"), "Wiki ok");
        assert_eq!(text("_Don't Repeat Yourself_ and ***both***"), "Don't Repeat Yourself and both");
        assert_eq!(text("Avec “**Les Pythonades**”, plongez"), "Avec “Les Pythonades”, plongez");
        assert_eq!(text("at 17:45 `**See\nschedule** </p3/schedule/pycon9/>`__"), "at 17:45 See schedule");
    }

    #[test]
    fn code_and_roles_lose_their_marks() {
        assert_eq!(text("the ``wc`` tool and `typing.Protocol`"), "the wc tool and typing.Protocol");
        assert_eq!(text("see :pep:`484` and :class:`~typing.Protocol`"), "see PEP 484 and Protocol");
        assert_eq!(text("``__name__ == __main__``"), "__name__ == __main__");
    }

    #[test]
    fn what_only_looks_like_markup_stays() {
        for s in [
            "__init__ and __main__.py",
            "def f(*args, **kwargs)",
            "2*3*4 = 24",
            "snake_case_name and _private",
            "a * b * c",
            "C:\\Users\\me",
            "[1, 2, 3] and [x] (y)",
            "unclosed `tick and *star",
        ] {
            assert_eq!(text(s), s, "{s:?}");
        }
        assert_eq!(text("a package with **init**.py and **call**(x)"), "a package with __init__.py and __call__(x)");
        assert_eq!(text("\\*not emphasis\\*"), "*not emphasis*");
    }

    #[test]
    fn lines_lose_headings_lists_and_directives() {
        let rst = "Abstract\n========\n\nIntro::\n\n    code here\n\n.. figure:: https://x.org/a.png\n   :width: 50%\n\n\
                   This session will:\n\n- explain it\n- show it\n\n.. note:: Bring a laptop.\n\n.. a comment\n   more comment\n\nEnd.";
        assert_eq!(
            text(rst),
            "Abstract\n\nIntro:\n\ncode here\n\nThis session will:\n\nexplain it; show it\n\nBring a laptop.\n\nEnd."
        );
        assert_eq!(
            text("## What\n\nSome *thing*.\n\n> quoted\n\n```\nx = 1\n```"),
            "What\n\nSome thing.\n\nquoted\n\nx = 1"
        );
        assert_eq!(text("Items:\n1. one\n2. two."), "Items: one; two.");
        assert_eq!(
            text("| Parallel computing\n| ------------------\n\n| Modern hardware"),
            "Parallel computing\n\nModern hardware"
        );
        assert_eq!(text("=====  =====\nTime   Talk\n=====  =====\n10:00  Opening"), "Time Talk\n\n10:00 Opening");
    }

    #[test]
    fn plain_text_is_unchanged_and_unmarked() {
        let p = plain("Just words, with a URL https://x.org/a_b_c and 3 * 4.\n\nSecond paragraph.");
        assert_eq!(p.paragraphs, ["Just words, with a URL https://x.org/a_b_c and 3 * 4.", "Second paragraph."]);
        assert!(!p.marked && p.links.is_empty());
    }

    #[test]
    fn opening_marks_alone_take_linear_time() {
        // As much as a summary reads of one text (text::HTML_MAX), nothing but opening marks.
        for unit in ["**x", "`", "[a](", "_a ", "![", "`a`_", "*a *"] {
            let hostile = unit.repeat(64 * 1024 / unit.len());
            let started = std::time::Instant::now();
            let _ = plain(&hostile);
            assert!(started.elapsed() < std::time::Duration::from_secs(1), "{unit:?}: {:?}", started.elapsed());
        }
    }
}
