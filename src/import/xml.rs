//! A small element tree read with quick-xml: schedule XML files are a few megabytes at most,
//! and walking a tree reads far more plainly than a streaming state machine.
//!
//! The tree is parsed without recursion, but dropping, cloning and comparing it recurse: a
//! document nested deeper than [`XML_DEPTH_MAX`] is refused while it is parsed, so no tree
//! this module builds can be deep enough to overflow a stack.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::limits::XML_DEPTH_MAX;

/// One element: its name, attributes, text and child elements.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    /// The element's own text (entities decoded), pieces joined.
    pub text: String,
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The trimmed text of the first child named `name`; `None` when missing or blank.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_owned()).filter(|t| !t.is_empty())
    }

    /// An attribute's value, trimmed; `None` when missing or blank.
    pub fn attr(&self, name: &str) -> Option<String> {
        self.attributes.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty())
    }
}

/// Parses a whole document into its root element; elements nested deeper than
/// [`XML_DEPTH_MAX`] levels are an error.
pub fn parse(text: &str) -> Result<Element, String> {
    let mut reader = Reader::from_str(text);
    // The document node, then one open element per level.
    let mut stack: Vec<Element> = vec![Element::default()];
    loop {
        let event = reader.read_event().map_err(|e| {
            let (line, column) = line_column(text, reader.error_position() as usize);
            format!("XML error at line {line}, column {column}: {e}")
        })?;
        match event {
            Event::Start(e) => {
                too_deep(&stack, text, &reader, e.len())?;
                stack.push(open(&e)?);
            }
            Event::Empty(e) => {
                too_deep(&stack, text, &reader, e.len() + 1)?;
                let element = open(&e)?;
                stack.last_mut().expect("the document element is never popped").children.push(element);
            }
            Event::End(_) => {
                let done = stack.pop().expect("quick-xml checks that end tags match");
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => return Err("unbalanced end tag".into()),
                }
            }
            Event::Text(t) => {
                let piece = t.unescape().map_err(|e| format!("bad text in XML: {e}"))?;
                stack.last_mut().expect("the document element is never popped").text.push_str(&piece);
            }
            Event::CData(c) => {
                let piece = String::from_utf8_lossy(&c.into_inner()).into_owned();
                stack.last_mut().expect("the document element is never popped").text.push_str(&piece);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let document = stack.pop().filter(|_| stack.is_empty()).ok_or("the XML ends inside an element")?;
    document.children.into_iter().next().ok_or_else(|| "the XML has no root element".to_owned())
}

/// An error when an element opened now (its tag `tag_len` bytes between `<` and `>`, just
/// read) would be nested deeper than [`XML_DEPTH_MAX`] levels.
fn too_deep(stack: &[Element], text: &str, reader: &Reader<&[u8]>, tag_len: usize) -> Result<(), String> {
    if stack.len() <= XML_DEPTH_MAX {
        return Ok(());
    }
    let start = (reader.buffer_position() as usize).saturating_sub(tag_len + 2);
    let (line, column) = line_column(text, start);
    Err(format!("elements nested deeper than {XML_DEPTH_MAX} levels at line {line}, column {column}"))
}

/// 1-based line and column (in characters) of a byte offset in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

fn open(e: &BytesStart<'_>) -> Result<Element, String> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attributes = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| format!("bad attribute in <{name}>: {err}"))?;
        let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        let value = a.unescape_value().map_err(|err| format!("bad attribute in <{name}>: {err}"))?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Element { name, attributes, text: String::new(), children: Vec::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_tree_with_entities_and_cdata() {
        let root = parse("<?xml version='1.0'?><a x='1'><b>R&amp;D</b><c/><b><![CDATA[<p>hi</p>]]></b></a>").unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.attr("x").as_deref(), Some("1"));
        assert_eq!(root.all("b").map(|b| b.text.as_str()).collect::<Vec<_>>(), ["R&D", "<p>hi</p>"]);
        assert!(root.child("c").is_some());
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("").is_err());
    }

    fn nested(depth: usize) -> String {
        format!("<a>\n  {}x{}</a>", "<b>".repeat(depth - 1), "</b>".repeat(depth - 1))
    }

    #[test]
    fn nesting_is_capped_while_parsing() {
        let mut root = parse(&nested(XML_DEPTH_MAX)).expect("the deepest nesting allowed parses");
        for _ in 1..XML_DEPTH_MAX {
            root = root.children.pop().unwrap();
        }
        assert_eq!((root.name.as_str(), root.text.as_str()), ("b", "x"));
        // The first tag one level too deep: line 2, after two spaces and 99 `<b>`.
        let e = parse(&nested(XML_DEPTH_MAX + 1)).unwrap_err();
        assert_eq!(e, format!("elements nested deeper than 100 levels at line 2, column {}", 3 + 3 * 99));
        // Far deeper, as in a hostile file: refused, not a stack overflow.
        assert!(parse(&nested(200_000)).unwrap_err().starts_with("elements nested deeper than"));
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = parse("<a>\n<b></c></a>").unwrap_err();
        assert!(e.starts_with("XML error at line 2, column "), "{e}");
    }
}
