//! Reading catalogue TOML into documents that keep what is needed to locate a problem by line
//! and column, and the problems themselves. Files and folders are found by [`crate::sources`].

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::schema::FileDoc;

use super::validate::validate;
use super::Catalogue;

/// Shown as the file name of the compiled-in catalogue.
pub const EMBEDDED_NAME: &str = "<embedded>/pycon-us-2024.toml";
const EMBEDDED_TOML: &str = include_str!("../../data/pycon-us-2024.toml");

/// The longest id accepted. Ids travel inside button custom_ids (≤ 100 characters) and
/// autocomplete values (≤ 100), so they must stay short.
pub const MAX_ID_LEN: usize = 64;

/// One thing wrong with the data, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line and column; absent for data that did not come from a TOML text.
    pub position: Option<(usize, usize)>,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => write!(f, "{}:{}:{}: {}", self.file, line, column, self.message)?,
            None => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// Why a catalogue could not be loaded: every problem found, in file order.
#[derive(Debug, Clone, thiserror::Error)]
pub struct LoadError {
    pub problems: Vec<Problem>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(f, "the catalogue has {n} problem{}:", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

/// A parsed file waiting for validation, with what is needed to report positions.
pub struct Parsed {
    pub(super) name: String,
    text: Text,
    pub(super) doc: FileDoc,
}

/// Where the text of a parsed document is, to turn spans into lines and columns.
enum Text {
    /// Given in memory (`parse_str`, the embedded catalogue).
    Kept(String),
    /// Read again from the file only if a problem must be located: keeping every file's text
    /// while validating would cost as much memory as the catalogue's own text.
    File(PathBuf, std::sync::OnceLock<Option<String>>),
    /// Built in memory by an importer: no positions.
    None,
}

impl Parsed {
    /// Parses a TOML text held in memory, named `name` in messages.
    pub fn from_text(name: &str, text: String) -> Result<Parsed, Vec<Problem>> {
        parse_toml(name, text)
    }

    /// Parses the text of the file at `path`. The text is not kept: it is read again only if
    /// a problem must be located.
    pub fn from_file(path: &Path, text: String) -> Result<Parsed, Vec<Problem>> {
        let name = path.display().to_string();
        let pieces = cuts(&text, PIECE);
        let mut parsed = if pieces.len() > 1 && shape_problem(&text).is_none() {
            // A large file is parsed in pieces on every core: as fast as a folder of files, and
            // only a piece's parse tree is ever held at once. If any piece fails (a header
            // inside a multi-line string, say), the whole text is parsed again to report the
            // error exactly where it is.
            match parse_pieces(&text, &pieces) {
                Some(doc) => Parsed { name, text: Text::None, doc },
                None => parse_toml(&name, text)?,
            }
        } else {
            parse_toml(&name, text)?
        };
        parsed.text = Text::File(path.to_owned(), std::sync::OnceLock::new());
        Ok(parsed)
    }

    /// The catalogue compiled into the binary.
    pub fn embedded() -> Result<Parsed, Vec<Problem>> {
        parse_toml(EMBEDDED_NAME, EMBEDDED_TOML.to_owned())
    }

    /// A document an importer built in memory: its problems have no positions.
    pub fn imported(name: String, doc: FileDoc) -> Parsed {
        Parsed { name, text: Text::None, doc }
    }

    pub(super) fn problem(&self, span: Range<usize>, message: impl Into<String>, hint: Option<&str>) -> Problem {
        let text = match &self.text {
            Text::Kept(t) => Some(t.as_str()),
            Text::File(path, cache) if span != (0..0) => {
                cache.get_or_init(|| std::fs::read_to_string(path).ok()).as_deref()
            }
            _ => None,
        };
        let position = text.filter(|_| span != (0..0)).map(|t| line_column(t, span.start));
        Problem { file: self.name.clone(), position, message: message.into(), hint: hint.map(str::to_owned) }
    }
}

/// 1-based line and column (in characters) of a byte offset in a TOML text.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Parses and validates one TOML text, named `name` in messages.
pub fn parse_str(name: &str, text: &str) -> Result<Catalogue, LoadError> {
    let parsed = parse_toml(name, text.to_owned()).map_err(|problems| LoadError { problems })?;
    validate(vec![parsed])
}

/// Validates documents that importers produced in memory (no source text, so no positions).
pub fn from_documents(docs: Vec<(String, FileDoc)>) -> Result<Catalogue, LoadError> {
    validate(docs.into_iter().map(|(name, doc)| Parsed::imported(name, doc)).collect())
}

/// The deepest nesting of arrays and inline tables read. A catalogue nests three levels at
/// most (`links = [{ … }]` inside a table); the TOML parser recurses per level, and a file
/// nested thousands deep would otherwise end in "recursion limit" with no position.
pub const NESTING_MAX: usize = 32;
/// The most values in one inline array. A talk lists a handful of speakers, topics, summary
/// points and links; the parsed form of a huge array of numbers costs many times its text (a
/// 50 MB one took 3.8 GB).
pub const ARRAY_MAX: usize = 10_000;
/// The most values in one file (each `key = value` and each array item counts one). The whole
/// pyvideo archive as one file holds about 400,000; every value costs a hundred bytes or more
/// once parsed, so this keeps a hostile file's parse within a few hundred megabytes.
pub const VALUES_MAX: usize = 2_000_000;

fn parse_toml(name: &str, text: String) -> Result<Parsed, Vec<Problem>> {
    if let Some((offset, message, hint)) = shape_problem(&text) {
        return Err(vec![Problem {
            file: name.to_owned(),
            position: Some(line_column(&text, offset)),
            message,
            hint: Some(hint.to_owned()),
        }]);
    }
    match toml::from_str::<FileDoc>(&text) {
        Ok(doc) => Ok(Parsed { name: name.to_owned(), text: Text::Kept(text), doc }),
        Err(e) => Err(entry_problems(name, &text, &e)),
    }
}

/// The headers of top-level entries: a catalogue text can be cut before any of them into
/// pieces that parse on their own.
const HEADERS: [&str; 5] = ["[[conferences]]", "[[topics]]", "[[speakers]]", "[[talks]]", "[[insights]]"];

/// Every problem of a text that did not parse: it is cut before each top-level entry header
/// and each piece parsed alone, so a wrong type in one talk does not hide a typo in the next.
/// The whole text's own error stands when the pieces show none (a header inside a string).
fn entry_problems(name: &str, text: &str, whole: &toml::de::Error) -> Vec<Problem> {
    let starts = cuts(text, 1);
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    let mut problems: Vec<Problem> = starts
        .iter()
        .zip(ends)
        .filter_map(|(&start, end)| {
            let e = toml::from_str::<FileDoc>(&text[start..end]).err()?;
            Some(problem_in(name, text, &e, start))
        })
        .collect();
    if problems.is_empty() {
        problems.push(problem_in(name, text, whole, 0));
    }
    problems
}

/// A parse error as a problem in plain words, its span `offset` bytes into `text`.
fn problem_in(name: &str, text: &str, e: &toml::de::Error, offset: usize) -> Problem {
    let at = e.span().map(|s| s.start + offset);
    let key = at.and_then(|at| key_at(text, at));
    let (message, hint) = plain_words(e.message().trim(), key);
    Problem { file: name.to_owned(), position: at.map(|at| line_column(text, at)), message, hint: Some(hint) }
}

/// The key whose value sits at `at`, from the text of its line (`year = "2025"` → `year`).
fn key_at(text: &str, at: usize) -> Option<&str> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let (key, _) = text[line_start..at].split_once('=')?;
    let key = key.trim().trim_start_matches('{').trim();
    let key = key.rsplit([',', '{']).next().unwrap_or(key).trim();
    (!key.is_empty() && !key.contains(char::is_whitespace)).then_some(key)
}

/// serde's wording made plain for a conference organiser, with what to do about it; `key` is
/// the key whose value is wrong, when known. Config files use it too.
pub fn plain_words(message: &str, key: Option<&str>) -> (String, String) {
    let quoted = |text: &str| -> Vec<String> { text.split('`').skip(1).step_by(2).map(str::to_owned).collect() };
    let first_line = message.lines().next().unwrap_or(message);
    if let Some(rest) = first_line.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, "another type"));
        let found = match found.split_whitespace().next().unwrap_or(found) {
            "string" => "text",
            "integer" => "a number",
            "boolean" => "true or false",
            "sequence" => "a list",
            "map" => "a table",
            "floating" => "a decimal number",
            other => other,
        };
        let expected = match expected {
            e if e.starts_with('i') || e.starts_with('u') || e.contains("integer") => "a number like 2025",
            e if e.contains("string") => "text in quotes, like \"…\"",
            e if e.contains("sequence") || e.contains("Vec") => "a list, like [\"a\", \"b\"]",
            e if e.contains("date") => "a date, like 2024-05-15",
            e => e,
        };
        let what = key.map_or_else(|| "this value".to_owned(), |k| format!("`{k}`"));
        return (format!("{what} must be {expected}, not {found}"), "see docs/catalogue.md for the format".into());
    }
    if first_line.starts_with("unknown field") {
        let names = quoted(first_line);
        let (typed, known) = names.split_first().map_or(("", &[][..]), |(t, k)| (t.as_str(), k));
        let closest =
            known.iter().max_by(|a, b| strsim::jaro_winkler(typed, a).total_cmp(&strsim::jaro_winkler(typed, b)));
        let hint = match closest {
            Some(c) if strsim::jaro_winkler(typed, c) > 0.7 => {
                format!("did you mean `{c}`? The keys here are: {}", known.join(", "))
            }
            _ => format!("the keys here are: {}", known.join(", ")),
        };
        return (format!("unknown key `{typed}`"), hint);
    }
    if first_line.starts_with("unknown variant") {
        let names = quoted(first_line);
        let (typed, known) = names.split_first().map_or(("", &[][..]), |(t, k)| (t.as_str(), k));
        let what = key.map_or_else(|| "this value".to_owned(), |k| format!("`{k}`"));
        return (format!("{what} cannot be “{typed}”"), format!("use one of: {}", known.join(", ")));
    }
    if first_line.starts_with("missing field") {
        let field = quoted(first_line).into_iter().next().unwrap_or_default();
        return (
            format!("this entry has no `{field}`"),
            format!("add `{field} = …`; docs/catalogue.md says which keys each entry needs"),
        );
    }
    (message.to_owned(), "see docs/catalogue.md for the format".into())
}

/// A file larger than this is parsed in pieces of about this size.
const PIECE: usize = 1 << 20;

/// Where a catalogue text can be cut into pieces that parse on their own: offset 0, then the
/// start of each top-level entry header line (`[[talks]]` and its siblings) at least `gap`
/// bytes after the previous cut. A large file is cut about every [`PIECE`] bytes; a text that
/// did not parse, before every header.
fn cuts(text: &str, gap: usize) -> Vec<usize> {
    let mut starts = vec![0];
    let mut from = gap;
    while from < text.len() {
        // Look from the line break that may end just before `from`, on a character boundary.
        let mut search = from - 1;
        while !text.is_char_boundary(search) {
            search += 1;
        }
        let Some(at) = text[search..].find("\n[[").map(|i| search + i + 1) else { break };
        let line = text[at..].lines().next().unwrap_or("").trim_end();
        if HEADERS.contains(&line) {
            starts.push(at);
            from = at + gap;
        } else {
            from = at + 1;
        }
    }
    starts
}

/// Parses the pieces starting at `starts` on every core and joins them into one document, its
/// spans pointing into the whole text. `None` when any piece does not parse.
fn parse_pieces(text: &str, starts: &[usize]) -> Option<FileDoc> {
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    let ranges: Vec<(usize, usize)> = starts.iter().copied().zip(ends).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get).min(ranges.len());
    let mut done: Vec<(usize, Option<FileDoc>)> = std::thread::scope(|scope| {
        let work = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&(start, end)) = ranges.get(i) else { return done };
                let doc = toml::from_str::<FileDoc>(&text[start..end]).ok().map(|mut doc| {
                    super::schema::shift_spans(&mut doc, start);
                    doc
                });
                done.push((i, doc));
            }
        };
        let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    if done.len() != ranges.len() {
        return None;
    }
    done.sort_unstable_by_key(|(i, _)| *i);
    let mut whole = FileDoc::default();
    for (_, doc) in done {
        let doc = doc?;
        whole.conferences.extend(doc.conferences);
        whole.topics.extend(doc.topics);
        whole.speakers.extend(doc.speakers);
        whole.talks.extend(doc.talks);
        whole.insights.extend(doc.insights);
    }
    Some(whole)
}

/// Looks over the text, before parsing it, for nesting deeper than [`NESTING_MAX`] or an array
/// longer than [`ARRAY_MAX`]: the byte offset, what is wrong, and a hint. Strings and comments
/// are skipped; anything else malformed is left to the parser, which locates it.
fn shape_problem(text: &str) -> Option<(usize, String, &'static str)> {
    let bytes = text.as_bytes();
    // Per open `[` or `{`: whether it is an array, and the commas seen in it so far.
    let mut open: Vec<(bool, usize)> = Vec::new();
    let mut values = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            quote @ (b'"' | b'\'') => {
                let long = bytes[i..].starts_with(&[quote; 3]);
                let step = if long { 3 } else { 1 };
                i += step;
                while i < bytes.len() {
                    if quote == b'"' && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if bytes[i] == quote && (!long || bytes[i..].starts_with(&[quote; 3])) {
                        i += step - 1;
                        break;
                    }
                    if !long && bytes[i] == b'\n' {
                        break;
                    }
                    i += 1;
                }
            }
            c @ (b'[' | b'{') => {
                open.push((c == b'[', 0));
                if open.len() > NESTING_MAX {
                    let message = format!("values nested deeper than {NESTING_MAX} levels");
                    return Some((i, message, "a catalogue nests a few levels at most; see docs/catalogue.md"));
                }
            }
            b']' | b'}' => {
                open.pop();
            }
            b'=' | b',' if values >= VALUES_MAX => {
                let message = format!("more than {VALUES_MAX} values in one file");
                return Some((i, message, "split the catalogue into several files in one folder"));
            }
            b'=' => values += 1,
            b',' => {
                values += 1;
                if let Some((true, commas)) = open.last_mut() {
                    *commas += 1;
                    if *commas >= ARRAY_MAX {
                        let message = format!("an array with more than {ARRAY_MAX} values");
                        return Some((i, message, "a list in a catalogue holds a handful of values"));
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters() {
        let text = "a = 1\nłódź = \"x\"";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, text.find('=').unwrap()), (1, 3));
        let second = text.rfind('=').unwrap();
        assert_eq!(line_column(text, second), (2, 6));
    }

    #[test]
    fn deep_or_huge_values_are_located_before_parsing() {
        let deep = format!("x = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
        let (offset, message, _) = shape_problem(&deep).unwrap();
        assert_eq!((line_column(&deep, offset), message.as_str()), ((1, 37), "values nested deeper than 32 levels"));
        let long = format!("# a comment [[[[\ns = \"[[[{{\"\nx = [{}]\n", "1,".repeat(20_000));
        let (offset, message, _) = shape_problem(&long).unwrap();
        assert_eq!(line_column(&long, offset).0, 3);
        assert!(message.contains("more than 10000"), "{message}");
        let fine =
            "[[talks]]\nid = \"t\"\nlinks = [{ kind = \"video\", url = \"https://x.org/[a]\" }]\nt = '''[[[\n'''\n";
        assert_eq!(shape_problem(fine), None);
        let many = "x = 1\n".repeat(VALUES_MAX + 1);
        assert!(shape_problem(&many).unwrap().1.contains("more than 2000000 values"));
        assert!(parse_str("deep.toml", &deep).unwrap_err().to_string().contains("deep.toml:1:37"));
    }

    #[test]
    fn cuts_fall_before_entry_headers_whatever_the_gap() {
        let text = "[[talks]]\nid = \"ééé\"\n[[talks.links]]\n[[talks]]\ntitle = \"ü\"\n[[speakers]]\n";
        let second = text.rfind("[[talks]]").unwrap();
        assert_eq!(cuts(text, 1), [0, second, text.find("[[speakers]]").unwrap()]);
        // Any gap, even one landing inside a multi-byte character, cuts only before headers.
        for gap in 1..text.len() + 2 {
            assert!(cuts(text, gap).iter().all(|&at| at == 0 || text[at..].starts_with("[[")), "gap {gap}");
        }
    }
}
