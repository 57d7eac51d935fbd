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
    pub fn from_text(name: &str, text: String) -> Result<Parsed, Problem> {
        parse_toml(name, text)
    }

    /// Parses the text of the file at `path`. The text is not kept: it is read again only if
    /// a problem must be located.
    pub fn from_file(path: &Path, text: String) -> Result<Parsed, Problem> {
        let name = path.display().to_string();
        let pieces = pieces(&text);
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
    pub fn embedded() -> Result<Parsed, Problem> {
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
    let parsed = parse_toml(name, text.to_owned()).map_err(|p| LoadError { problems: vec![p] })?;
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

fn parse_toml(name: &str, text: String) -> Result<Parsed, Problem> {
    if let Some((offset, message, hint)) = shape_problem(&text) {
        return Err(Problem {
            file: name.to_owned(),
            position: Some(line_column(&text, offset)),
            message,
            hint: Some(hint.to_owned()),
        });
    }
    match toml::from_str::<FileDoc>(&text) {
        Ok(doc) => Ok(Parsed { name: name.to_owned(), text: Text::Kept(text), doc }),
        Err(e) => {
            let position = e.span().map(|s| line_column(&text, s.start));
            Err(Problem {
                file: name.to_owned(),
                position,
                message: e.message().trim().to_owned(),
                hint: Some(parse_hint(e.message()).to_owned()),
            })
        }
    }
}

/// A file larger than this is parsed in pieces of about this size.
const PIECE: usize = 1 << 20;

/// Where a large catalogue text can be cut into pieces that parse on their own: before the
/// top-level entry headers (`[[talks]]` and its siblings), about every [`PIECE`] bytes. One
/// piece, the whole text, for a small file.
fn pieces(text: &str) -> Vec<usize> {
    const HEADERS: [&str; 5] = ["[[conferences]]", "[[topics]]", "[[speakers]]", "[[talks]]", "[[insights]]"];
    let mut starts = vec![0];
    let mut next = PIECE;
    while next < text.len() {
        let Some(at) = text[next..].find("\n[[").map(|i| next + i + 1) else { break };
        let line = text[at..].lines().next().unwrap_or("").trim_end();
        if HEADERS.contains(&line) {
            starts.push(at);
            next = at + PIECE;
        } else {
            next = at + 1;
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

fn parse_hint(message: &str) -> &'static str {
    if message.contains("unknown field") {
        "check the spelling of the key; docs/catalogue.md lists every key"
    } else if message.contains("missing field") {
        "add the key; docs/catalogue.md says which keys are required"
    } else if message.contains("unknown variant") {
        "use one of the listed values"
    } else {
        "see docs/catalogue.md for the format"
    }
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
}
