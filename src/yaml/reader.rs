//! Turns saphyr-parser's event stream into the ordered [`Node`] tree, with byte spans.
//!
//! saphyr-parser counts its marks in characters and gives some events spans that are not the
//! scalar as written (a block scalar starts at its first content line, a node with an anchor or a
//! tag starts at that property, an implicit empty value sits on the colon or covers the next
//! token). This module converts every mark to a byte offset once per file and then adjusts each
//! span from the text itself, so that `&text[span]` is exactly what the user wrote.
//!
//! Span conventions:
//! - plain and quoted scalars: the scalar's own bytes, quotes included, anchor and tag excluded;
//! - block scalars (`|`, `>`): from the indicator through the end of the last non-blank line,
//!   without the final line break and trailing blank lines;
//! - an implicit empty value (`key:`): zero-width, right after the colon; with no colon (`? key`,
//!   `{key}`) right after the key; after an anchor or tag alone, right after that property;
//! - mappings and sequences: first key (or `-`) through the end of the last value, brackets
//!   included for `{...}` and `[...]`.
//!
//! Tags of scalars, mappings and sequences are kept as written in the file (`!!str`, `!local`,
//! `!<tag:yaml.org,2002:str>`), with no `%TAG` expansion. An empty stream (no content, only comments) has no documents.

use std::borrow::Cow;

use saphyr_parser::{Event, Parser, ScalarStyle as EventStyle, ScanError, StrInput, Tag};

use super::{Document, Entry, Node, Scalar, ScalarStyle, YamlError};
use crate::source::Span;

/// How many mappings and sequences may nest inside each other before the file is rejected.
const MAX_DEPTH: usize = 256;

/// Parses every document of a YAML stream into an ordered tree.
///
/// # Errors
/// A [`YamlError`] for a syntax error (the parser's message, at the byte where it stopped), a
/// mapping key that is not a scalar (at the key), or nesting deeper than 256 levels.
pub fn parse(text: &str) -> Result<Vec<Document>, YamlError> {
    Reader::new(text).documents()
}

/// saphyr-parser's events of `text` with their spans in bytes, up to the end of the stream or
/// the first error, for checks that need the events rather than the tree.
pub(super) fn events(text: &str) -> impl Iterator<Item = Result<(Event<'_>, Span), YamlError>> {
    let mut reader = Reader::new(text);
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let next = reader.next();
        done = matches!(next, Ok((Event::StreamEnd, _)) | Err(_));
        Some(next)
    })
}

/// Where a node sits in its parent; some spans depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The root of a document, a sequence item or a mapping key.
    Other,
    /// The value of a mapping entry (where an indentless `- item` list may start).
    Value,
}

/// The character-index to byte-offset table of one file.
struct Offsets {
    /// Byte offset of each character, plus the text length; `None` when the text is ASCII.
    table: Option<Vec<usize>>,
    /// Length of the text in bytes.
    len: usize,
}

impl Offsets {
    /// Builds the table once, so that each mark converts in constant time.
    fn new(text: &str) -> Self {
        let table = (!text.is_ascii()).then(|| {
            let mut table = Vec::with_capacity(text.len() + 1);
            table.extend(text.char_indices().map(|(i, _)| i));
            table.push(text.len());
            table
        });
        Self { table, len: text.len() }
    }

    /// The byte offset of a character index, clamped to the end of the text.
    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

/// An anchor and a tag read from the text in front of a node.
struct Properties {
    anchor: Option<String>,
    tag: Option<String>,
    /// The byte right after the last property.
    end: usize,
}

/// The tree builder: pulls events one at a time and keeps the byte positions it needs.
struct Reader<'t> {
    text: &'t str,
    bytes: &'t [u8],
    parser: Parser<'t, StrInput<'t>>,
    offsets: Offsets,
    /// End of the event before the current one: a block scalar's indicator lies after it.
    prev_end: usize,
    /// End of the current event.
    cursor: usize,
}

impl<'t> Reader<'t> {
    fn new(text: &'t str) -> Self {
        Self {
            text,
            bytes: text.as_bytes(),
            parser: Parser::new_from_str(text),
            offsets: Offsets::new(text),
            prev_end: 0,
            cursor: 0,
        }
    }

    /// Reads the whole stream.
    fn documents(mut self) -> Result<Vec<Document>, YamlError> {
        let mut documents = Vec::new();
        loop {
            let (event, span) = self.next()?;
            match event {
                Event::StreamStart | Event::Nothing => {}
                Event::StreamEnd => return Ok(documents),
                Event::DocumentStart(_) => {
                    let (event, span) = self.next()?;
                    let root = self.node(event, span, 0, Place::Other)?;

                    let (event, span) = self.next()?;
                    if event != Event::DocumentEnd {
                        return Err(error("expected the end of the document", span));
                    }
                    documents.push(Document { root });
                }
                _ => return Err(error("expected the start of a document", span)),
            }
        }
    }

    /// The next event with its span converted to bytes.
    fn next(&mut self) -> Result<(Event<'t>, Span), YamlError> {
        let Some(result) = self.parser.next_event() else {
            let end = self.text.len();
            return Err(error("unexpected end of the YAML stream", end..end));
        };
        let (event, marks) = result.map_err(|e| self.scan_error(&e))?;

        let start = self.offsets.byte(marks.start.index());
        let end = self.offsets.byte(marks.end.index()).max(start);

        // An implicit document start carries the span of the first token of the content, which
        // may already be past a block scalar's indicator.
        self.prev_end = self.cursor;
        if !matches!(event, Event::DocumentStart(false)) {
            self.cursor = end;
        }
        Ok((event, start..end))
    }

    fn scan_error(&self, e: &ScanError) -> YamlError {
        let at = self.offsets.byte(e.marker().index());
        error(e.info(), at..at)
    }

    /// Builds the node that starts with `event`; `depth` counts the enclosing collections.
    fn node(
        &mut self,
        event: Event<'t>,
        span: Span,
        depth: usize,
        place: Place,
    ) -> Result<Node, YamlError> {
        match event {
            Event::Scalar(value, style, anchor_id, tag) => {
                Ok(Node::Scalar(self.scalar(value, style, anchor_id > 0, tag.as_deref(), span)))
            }
            Event::Alias(_) => {
                let written = &self.text[span.clone()];
                let name = written.strip_prefix('*').unwrap_or(written).to_owned();
                Ok(Node::Alias { name, span })
            }
            Event::SequenceStart(anchor_id, tag) => {
                let props = self.collection_properties(&span, anchor_id, tag.as_deref());
                self.sequence(span, depth + 1, place, props)
            }
            Event::MappingStart(anchor_id, tag) => {
                let props = self.collection_properties(&span, anchor_id, tag.as_deref());
                self.mapping(span, depth + 1, props)
            }
            _ => Err(error("expected a node", span)),
        }
    }

    fn scalar(
        &self,
        value: Cow<'t, str>,
        style: EventStyle,
        anchored: bool,
        tag: Option<&Tag>,
        span: Span,
    ) -> Scalar {
        let props = self.properties(span.clone(), anchored, tag.is_some());
        let has_props = anchored || tag.is_some();
        let style = match style {
            EventStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            EventStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            EventStyle::Literal => ScalarStyle::Literal,
            EventStyle::Folded => ScalarStyle::Folded,
            EventStyle::Plain => ScalarStyle::Plain,
        };

        let span = match style {
            ScalarStyle::Plain if value.is_empty() => {
                // An implicit empty value: its event span may cover the next token.
                let at = if has_props { props.end } else { span.start };
                at..at
            }
            ScalarStyle::Plain => self.skip_blank(props.end, span.end)..span.end,
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                let start = self.skip_blank(props.end, span.end);
                start..self.closing_quote_end(start, span.end)
            }
            ScalarStyle::Literal | ScalarStyle::Folded => {
                let from = if has_props { props.end } else { self.prev_end };
                self.block_scalar_span(from, span)
            }
        };

        // Fall back on the resolved tag only if the text did not show it where expected.
        let tag = tag.map(|t| props.tag.unwrap_or_else(|| format!("{}{}", t.handle, t.suffix)));
        Scalar { value: value.into_owned(), style, span, tag, anchor: props.anchor }
    }

    /// The end of the quoted scalar that opens at `start`.
    ///
    /// saphyr ends a quoted scalar's span after the blanks and comment that follow it, so the
    /// closing quote is looked up in the text.
    fn closing_quote_end(&self, start: usize, limit: usize) -> usize {
        let Some(&quote) = self.bytes.get(start).filter(|&&b| b == b'\'' || b == b'"') else {
            return limit;
        };

        let mut at = start + 1;
        while at < limit {
            match self.bytes[at] {
                b'\\' if quote == b'"' => at += 2,
                b'\'' if quote == b'\'' && self.bytes.get(at + 1) == Some(&b'\'') => at += 2,
                b if b == quote => return at + 1,
                _ => at += 1,
            }
        }
        limit
    }

    /// The span of a `|` or `>` scalar: saphyr starts it at the first content line.
    fn block_scalar_span(&self, from: usize, span: Span) -> Span {
        let (header, mut header_end) = match self.find_block_indicator(from, span.end) {
            Some(at) => (at, at + 1),
            None => (span.start, span.start),
        };
        while header_end < span.end
            && header_end < header + 3
            && matches!(self.bytes[header_end], b'1'..=b'9' | b'+' | b'-')
        {
            header_end += 1;
        }

        // Drop the final line break and trailing blank lines, keeping spaces that end content.
        let mut end = span.end.max(header_end);
        loop {
            let body = &self.text[header_end..end];
            let trimmed = body.trim_end_matches(['\r', '\n']);
            let last_break = trimmed.rfind('\n');
            let last_line = last_break.map_or(trimmed, |i| &trimmed[i + 1..]);
            if last_break.is_some() && last_line.trim_matches([' ', '\t', '\r']).is_empty() {
                end = header_end + trimmed.len() - last_line.len();
            } else {
                end = header_end + trimmed.len();
                break;
            }
        }
        header..end.max(header_end)
    }

    /// The first `|` or `>` outside a comment in `from..limit`.
    fn find_block_indicator(&self, from: usize, limit: usize) -> Option<usize> {
        let mut at = from;
        while at < limit {
            match self.bytes[at] {
                b'|' | b'>' => return Some(at),
                b'#' => at = self.line_end(at, limit),
                _ => at += 1,
            }
        }
        None
    }

    /// The anchor name and tag of a mapping or sequence: its start event starts at its
    /// properties.
    fn collection_properties(
        &self,
        span: &Span,
        anchor_id: usize,
        tag: Option<&Tag>,
    ) -> Properties {
        let mut props = self.properties(span.clone(), anchor_id > 0, tag.is_some());
        props.tag =
            tag.map(|t| props.tag.take().unwrap_or_else(|| format!("{}{}", t.handle, t.suffix)));
        props
    }

    /// Reads the anchor and tag that saphyr includes at the start of a node's span.
    fn properties(&self, span: Span, want_anchor: bool, want_tag: bool) -> Properties {
        let mut props = Properties { anchor: None, tag: None, end: span.start };
        if !want_anchor && !want_tag {
            return props;
        }

        let limit = span.end;
        for _ in 0..2 {
            let at = self.skip_blank(props.end, limit);
            match self.bytes.get(at) {
                Some(b'&') if at < limit && want_anchor && props.anchor.is_none() => {
                    let end = self.word_end(at + 1, limit);
                    props.anchor = Some(self.text[at + 1..end].to_owned());
                    props.end = end;
                }
                Some(b'!') if at < limit && want_tag && props.tag.is_none() => {
                    let end = self.tag_end(at, limit);
                    props.tag = Some(self.text[at..end].to_owned());
                    props.end = end;
                }
                _ => break,
            }
        }
        props
    }

    /// The end of a tag starting with `!` at `at`: verbatim `!<...>` or a shorthand.
    fn tag_end(&self, at: usize, limit: usize) -> usize {
        if self.bytes.get(at + 1) == Some(&b'<') {
            let close = self.bytes[at..limit].iter().position(|&b| b == b'>');
            if let Some(close) = close {
                return at + close + 1;
            }
        }
        self.word_end(at + 1, limit)
    }

    /// The end of an anchor name or tag: whitespace and flow indicators stop it.
    fn word_end(&self, from: usize, limit: usize) -> usize {
        let mut at = from;
        while at < limit
            && !matches!(
                self.bytes[at],
                b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
            )
        {
            at += 1;
        }
        at
    }

    /// Skips whitespace, line breaks and comments between tokens.
    fn skip_blank(&self, from: usize, limit: usize) -> usize {
        let mut at = from;
        while at < limit {
            match self.bytes[at] {
                b' ' | b'\t' | b'\r' | b'\n' => at += 1,
                b'#' => at = self.line_end(at, limit),
                _ => break,
            }
        }
        at
    }

    /// The next line break at or after `from`, or `limit`.
    fn line_end(&self, from: usize, limit: usize) -> usize {
        self.bytes[from..limit].iter().position(|&b| b == b'\n').map_or(limit, |i| from + i)
    }

    fn mapping(&mut self, start: Span, depth: usize, props: Properties) -> Result<Node, YamlError> {
        if depth > MAX_DEPTH {
            return Err(error("mappings and sequences nest deeper than 256 levels", start));
        }
        let braced = self.opens_with(&start, b'{');

        let mut entries: Vec<Entry> = Vec::new();
        let close = loop {
            let (event, span) = self.next()?;
            if event == Event::MappingEnd {
                break span;
            }

            let key = match self.node(event, span, depth, Place::Other)? {
                Node::Scalar(key) => key,
                other => {
                    return Err(error(
                        "a mapping key must be a plain or quoted scalar",
                        other.span(),
                    ));
                }
            };

            let (event, span) = self.next()?;
            let mut value = self.node(event, span, depth, Place::Value)?;
            if let Node::Scalar(s) = &mut value
                && is_implicit_empty(s)
            {
                let at = if self.bytes.get(s.span.start) == Some(&b':') {
                    s.span.start + 1
                } else {
                    key.span.end
                };
                s.span = at..at;
            }
            entries.push(Entry { key, value });
        };

        let span = if braced {
            self.flow_span(&start, &close, b'}', entries.last().map(|e| e.value.span()))
        } else {
            let first = entries.first().map_or(start.end, |e| e.key.span.start);
            let last = entries.last().map_or(first, |e| e.value.span().end);
            first..last.max(first)
        };
        Ok(Node::Mapping { entries, span, flow: braced, anchor: props.anchor, tag: props.tag })
    }

    fn sequence(
        &mut self,
        start: Span,
        depth: usize,
        place: Place,
        props: Properties,
    ) -> Result<Node, YamlError> {
        if depth > MAX_DEPTH {
            return Err(error("mappings and sequences nest deeper than 256 levels", start));
        }
        let braced = self.opens_with(&start, b'[');

        let mut items = Vec::new();
        let close = loop {
            let (event, span) = self.next()?;
            if event == Event::SequenceEnd {
                break span;
            }
            items.push(self.node(event, span, depth, Place::Other)?);
        };

        let span = if braced {
            self.flow_span(&start, &close, b']', items.last().map(Node::span))
        } else {
            let first = self.block_sequence_start(start.end, place);
            let last = items.last().map_or(first, |n| n.span().end);
            first..last.max(first)
        };
        Ok(Node::Sequence { items, span, flow: braced, anchor: props.anchor, tag: props.tag })
    }

    /// Whether a collection's start event ends with its opening bracket.
    fn opens_with(&self, start: &Span, bracket: u8) -> bool {
        start.end > start.start && self.bytes.get(start.end - 1) == Some(&bracket)
    }

    /// Opening bracket through closing bracket (or the last item if the close is elsewhere).
    fn flow_span(&self, start: &Span, close: &Span, bracket: u8, last: Option<Span>) -> Span {
        let first = start.end - 1;
        let end = if close.end > close.start && self.bytes.get(close.end - 1) == Some(&bracket) {
            close.end
        } else {
            last.map_or(start.end, |s| s.end)
        };
        first..end.max(first)
    }

    /// The `-` of a block sequence's first item.
    ///
    /// saphyr puts a sequence's start on its first `-`, except for a list written at the same
    /// indentation as its key (`key:\n- item`), whose start is after the `- `.
    fn block_sequence_start(&self, at: usize, place: Place) -> usize {
        if place == Place::Value {
            let before = self.text[..at].trim_end_matches([' ', '\t']);
            if before.ends_with('-') {
                return before.len() - 1;
            }
        }
        at
    }
}

/// Whether a scalar is the value that `key:` with nothing after it stands for.
fn is_implicit_empty(s: &Scalar) -> bool {
    s.value.is_empty() && s.style == ScalarStyle::Plain && s.tag.is_none() && s.anchor.is_none()
}

fn error(message: &str, span: Span) -> YamlError {
    YamlError { message: message.to_owned(), span }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one(text: &str) -> Node {
        let mut docs = parse(text).unwrap();
        assert_eq!(docs.len(), 1, "{docs:?}");
        docs.remove(0).root
    }

    fn value<'a>(root: &'a Node, key: &str) -> &'a Scalar {
        root.get_last(key).unwrap().value.as_scalar().unwrap()
    }

    fn written<'a>(text: &'a str, span: &Span) -> &'a str {
        &text[span.clone()]
    }

    #[test]
    fn repeated_keys_are_kept_in_order() {
        let text = "uwsgi:\n  mule: a.py\n  processes: 2\n  mule: b.py\n";
        let root = one(text);
        let uwsgi = &root.get_last("uwsgi").unwrap().value;

        let mules: Vec<&str> =
            uwsgi.get_all("mule").map(|e| e.value.as_scalar().unwrap().value.as_str()).collect();
        assert_eq!(mules, ["a.py", "b.py"]);

        let keys: Vec<&str> =
            uwsgi.entries().unwrap().iter().map(|e| e.key.value.as_str()).collect();
        assert_eq!(keys, ["mule", "processes", "mule"]);
        assert_eq!(value(uwsgi, "mule").value, "b.py");
    }

    #[test]
    fn plain_and_quoted_spans_cover_the_scalar_as_written() {
        let text =
            "a: plain value  # note\nb: 'it''s'  # note\nc: \"x\\ty\" \nd: \"two\n  lines\"\n";
        let root = one(text);

        let a = value(&root, "a");
        assert_eq!(written(text, &a.span), "plain value");
        assert_eq!(a.style, ScalarStyle::Plain);

        let b = value(&root, "b");
        assert_eq!(written(text, &b.span), "'it''s'");
        assert_eq!((b.value.as_str(), b.style), ("it's", ScalarStyle::SingleQuoted));

        let c = value(&root, "c");
        assert_eq!(written(text, &c.span), "\"x\\ty\"");
        assert_eq!((c.value.as_str(), c.style), ("x\ty", ScalarStyle::DoubleQuoted));

        assert_eq!(written(text, &value(&root, "d").span), "\"two\n  lines\"");
        assert_eq!(written(text, &root.get_last("c").unwrap().key.span), "c");

        let text = "\"root \\\" quote\"  # note\n";
        assert_eq!(written(text, &one(text).span()), "\"root \\\" quote\"");
        let text = "['a'  , \"b\" ]\n";
        assert_eq!(written(text, &one(text).span()), text.trim_end());
    }

    #[test]
    fn block_scalar_spans_start_at_the_indicator() {
        let text = "lit: |\n  one\n  two\n\nfold: >- # note\n\n  a\n  b  \nlast: |+\n  keep\n\n";
        let root = one(text);

        let lit = value(&root, "lit");
        assert_eq!(written(text, &lit.span), "|\n  one\n  two");
        assert_eq!((lit.value.as_str(), lit.style), ("one\ntwo\n", ScalarStyle::Literal));

        let fold = value(&root, "fold");
        assert_eq!(written(text, &fold.span), ">- # note\n\n  a\n  b  ");
        assert_eq!((fold.value.as_str(), fold.style), ("\na b  ", ScalarStyle::Folded));

        let last = value(&root, "last");
        assert_eq!(written(text, &last.span), "|+\n  keep");
        assert_eq!(last.value, "keep\n\n");
    }

    #[test]
    fn block_scalars_in_sequences_at_the_root_and_at_the_end() {
        let text = "- |\n  a\nk:\n-   >\n  b\n";
        assert!(parse(text).is_err());

        let text = "k:\n-   >\n  b\n- |\n  c\nm: |\n";
        let root = one(text);
        let Node::Sequence { items, span, flow, .. } = &root.get_last("k").unwrap().value else {
            panic!("not a sequence");
        };
        assert!(!flow);
        assert_eq!(written(text, span), "-   >\n  b\n- |\n  c");
        assert_eq!(written(text, &items[0].span()), ">\n  b");
        assert_eq!(written(text, &items[1].span()), "|\n  c");

        let m = value(&root, "m");
        assert_eq!((m.value.as_str(), written(text, &m.span)), ("", "|"));

        let text = "|\n  root\n";
        assert_eq!(written(text, &one(text).span()), "|\n  root");
        let text = "--- >\n  root\n";
        assert_eq!(written(text, &one(text).span()), ">\n  root");
    }

    #[test]
    fn multibyte_characters_before_a_value_give_byte_offsets() {
        let text = "\u{feff}name: \"Zoë ☃\"\nnöte: 🦀 crab\nlit: |\n  é\n";
        let root = one(text);

        let name = value(&root, "name");
        assert_eq!(written(text, &name.span), "\"Zoë ☃\"");
        assert_eq!(name.span.start, 3 + 6);

        let note = root.get_last("nöte").unwrap();
        assert_eq!(written(text, &note.key.span), "nöte");
        assert_eq!(written(text, &note.value.span()), "🦀 crab");
        assert_eq!(written(text, &value(&root, "lit").span), "|\n  é");
    }

    #[test]
    fn empty_values_sit_right_after_the_colon() {
        let text = "a:\nb:    # nothing\nc: 1\nflow: {x: , y}\nseq:\n- \n";
        let root = one(text);

        for (key, at) in [("a", 2), ("b", 5)] {
            let s = value(&root, key);
            assert_eq!((s.value.as_str(), s.style), ("", ScalarStyle::Plain));
            assert_eq!(s.span, at..at, "{key}");
            assert_eq!(&text[at - 1..at], ":");
        }

        let flow = &root.get_last("flow").unwrap().value;
        let x = value(flow, "x");
        assert_eq!(x.span.start, text.find("x:").unwrap() + 2);
        assert!(x.span.is_empty());
        let y = flow.get_last("y").unwrap();
        assert_eq!(y.value.span(), y.key.span.end..y.key.span.end);

        let Node::Sequence { items, .. } = &root.get_last("seq").unwrap().value else {
            panic!("not a sequence");
        };
        assert!(items[0].span().is_empty());
        assert_eq!(items[0].as_scalar().unwrap().value, "");
    }

    #[test]
    fn nested_galaxy_sections() {
        let text = "\
uwsgi:
  http: 127.0.0.1:8080
  mule:
    - lib/galaxy/main.py
    - lib/galaxy/main.py
  farm: job-handlers:1,2
galaxy:
  job_config:
    handlers:
      assign: [db-skip-locked]
";
        let root = one(text);
        let uwsgi = &root.get_last("uwsgi").unwrap().value;
        assert_eq!(value(uwsgi, "http").value, "127.0.0.1:8080");

        let Node::Sequence { items, span, flow, .. } = &uwsgi.get_last("mule").unwrap().value
        else {
            panic!("not a sequence");
        };
        assert!(!flow);
        assert_eq!(items.len(), 2);
        assert_eq!(written(text, span), "- lib/galaxy/main.py\n    - lib/galaxy/main.py");

        let handlers = &root.get_last("galaxy").unwrap().value.get_last("job_config").unwrap();
        let handlers = &handlers.value.get_last("handlers").unwrap().value;
        assert_eq!(written(text, &handlers.span()), "assign: [db-skip-locked]");

        assert_eq!(written(text, &uwsgi.span()), &text[9..text.find("\ngalaxy").unwrap()]);
        assert_eq!(written(text, &root.span()), text.trim_end());
    }

    #[test]
    fn flow_collections_include_their_brackets() {
        let text = "m: {a: 1, b: [x, 'y'], a: 2}\ns: [1, {k: v}, [], k2: v2]\n";
        let root = one(text);

        let m = &root.get_last("m").unwrap().value;
        let Node::Mapping { entries, span, flow, .. } = m else { panic!("not a mapping") };
        assert!(flow);
        assert_eq!(written(text, span), "{a: 1, b: [x, 'y'], a: 2}");
        assert_eq!(entries.len(), 3);
        assert_eq!(written(text, &entries[1].value.span()), "[x, 'y']");

        let Node::Sequence { items, span, flow, .. } = &root.get_last("s").unwrap().value else {
            panic!("not a sequence");
        };
        assert!(flow);
        assert_eq!(written(text, span), "[1, {k: v}, [], k2: v2]");
        assert_eq!(written(text, &items[1].span()), "{k: v}");
        assert_eq!(written(text, &items[2].span()), "[]");
        let Node::Mapping { span, flow, .. } = &items[3] else { panic!("not a mapping") };
        assert!(!flow);
        assert_eq!(written(text, span), "k2: v2");
    }

    #[test]
    fn several_documents_and_empty_ones() {
        let text = "a: 1\n---\n- b\n...\n---\n--- c\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 4);
        assert_eq!(value(&docs[0].root, "a").value, "1");
        assert!(matches!(docs[1].root, Node::Sequence { .. }));

        let empty = docs[2].root.as_scalar().unwrap();
        assert_eq!((empty.value.as_str(), empty.style), ("", ScalarStyle::Plain));
        assert!(empty.span.is_empty());
        assert_eq!(written(text, &docs[3].root.span()), "c");

        assert!(parse("").unwrap().is_empty());
        assert!(parse("# only a comment\n").unwrap().is_empty());
    }

    #[test]
    fn anchors_tags_and_aliases() {
        let text =
            "base: &b !!str  /srv/galaxy\ncopy: *b\nm: &m\n  k: v\nt: !<tag:x> 'q'\ne: !local\n";
        let root = one(text);

        let base = value(&root, "base");
        assert_eq!(base.anchor.as_deref(), Some("b"));
        assert_eq!(base.tag.as_deref(), Some("!!str"));
        assert_eq!(written(text, &base.span), "/srv/galaxy");

        let Node::Alias { name, span } = &root.get_last("copy").unwrap().value else {
            panic!("not an alias");
        };
        assert_eq!((name.as_str(), written(text, span)), ("b", "*b"));

        assert_eq!(written(text, &root.get_last("m").unwrap().value.span()), "k: v");

        let t = value(&root, "t");
        assert_eq!((t.tag.as_deref(), written(text, &t.span)), (Some("!<tag:x>"), "'q'"));

        let e = value(&root, "e");
        assert_eq!((e.tag.as_deref(), e.value.as_str()), (Some("!local"), ""));
        assert_eq!(e.span, text.len() - 1..text.len() - 1);
    }

    #[test]
    fn anchors_on_mappings_and_sequences() {
        let text = "m: &m\n  k: v\ns: &s\n  - a\nf: &f {a: 1}\nl: !!seq &l [1]\nn:\n  - &i\n    x: 1\n\
                    t: &t !!map\n  k: v\nplain:\n  k: v\n";
        let root = one(text);
        let anchor = |node: &Node| match node {
            Node::Mapping { anchor, .. } | Node::Sequence { anchor, .. } => anchor.clone(),
            _ => panic!("not a collection: {node:?}"),
        };
        for (key, name) in [("m", "m"), ("s", "s"), ("f", "f"), ("l", "l"), ("t", "t")] {
            assert_eq!(anchor(&root.get_last(key).unwrap().value).as_deref(), Some(name), "{key}");
        }
        let Node::Sequence { items, .. } = &root.get_last("n").unwrap().value else {
            panic!("not a sequence");
        };
        assert_eq!(anchor(&items[0]).as_deref(), Some("i"));
        assert_eq!(anchor(&root.get_last("plain").unwrap().value), None);

        let text = "&root\na: 1\n";
        assert_eq!(anchor(&one(text)).as_deref(), Some("root"));

        let tags: Vec<Option<&str>> =
            ["m", "f", "l", "t", "plain"].map(|key| root.get_last(key).unwrap().value.tag()).into();
        assert_eq!(tags, [None, None, Some("!!seq"), Some("!!map"), None]);
        let text = "s: !!set {a, b}\no: !<tag:yaml.org,2002:omap>\n  - a: 1\n";
        let root = one(text);
        assert_eq!(root.get_last("s").unwrap().value.tag(), Some("!!set"));
        assert_eq!(root.get_last("o").unwrap().value.tag(), Some("!<tag:yaml.org,2002:omap>"));
    }

    #[test]
    fn complex_keys_are_errors_at_the_key() {
        let text = "ok: 1\n? [a, b]\n: c\n";
        let err = parse(text).unwrap_err();
        assert_eq!(written(text, &err.span), "[a, b]");

        let text = "{a: 1}: x\n";
        let err = parse(text).unwrap_err();
        assert_eq!(written(text, &err.span), "{a: 1}");

        let text = "k: &a x\n*a : y\n";
        let err = parse(text).unwrap_err();
        assert_eq!(written(text, &err.span), "*a");
    }

    #[test]
    fn syntax_errors_point_at_the_byte() {
        let text = "é: [1, 2\nb: c\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.message, "illegal placement of ':' indicator");
        assert_eq!(err.span, 11..11);
        assert_eq!(&text[11..], ": c\n");

        let text = "é: 'open\n";
        let err = parse(text).unwrap_err();
        assert!(err.message.contains("quoted scalar"), "{}", err.message);
        assert!(!err.message.contains("line"), "{}", err.message);
        assert_eq!(&text[err.span.start..], "'open\n");

        let text = "ü: b: c\n";
        let err = parse(text).unwrap_err();
        assert_eq!(err.message, "mapping values are not allowed in this context");
        assert_eq!(err.span, 5..5);
        assert_eq!(&text[5..], ": c\n");
    }

    #[test]
    fn crlf_line_ends() {
        let text = "a:\r\n  b: \"x\"\r\n  c: |\r\n    l1\r\n    l2\r\n  d:\r\n";
        let root = one(text);
        let a = &root.get_last("a").unwrap().value;

        assert_eq!(written(text, &value(a, "b").span), "\"x\"");
        let c = value(a, "c");
        assert_eq!(written(text, &c.span), "|\r\n    l1\r\n    l2");
        assert_eq!(c.value, "l1\nl2\n");
        let d = value(a, "d");
        assert_eq!(d.span.start, text.rfind("d:").unwrap() + 2);
        assert!(d.span.is_empty());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let block = |levels: usize| -> String {
            (0..levels).fold(String::new(), |mut text, i| {
                text.push_str(&" ".repeat(i));
                text.push_str("k:\n");
                text
            })
        };
        assert!(parse(&block(MAX_DEPTH)).is_ok());
        let err = parse(&block(MAX_DEPTH + 1)).unwrap_err();
        assert!(err.message.contains("256"), "{}", err.message);

        // saphyr-parser counts flow levels in a `u8` and stops at 255 by itself.
        let flow = format!("{}{}", "[".repeat(255), "]".repeat(255));
        assert!(parse(&flow).is_ok());
        assert!(parse(&"[".repeat(100_000)).is_err());
        assert!(parse(&"- ".repeat(100_000)).is_err());
    }

    fn check_spans(text: &str, node: &Node) {
        let ok = |span: &Span| {
            span.start <= span.end
                && span.end <= text.len()
                && text.is_char_boundary(span.start)
                && text.is_char_boundary(span.end)
        };
        assert!(ok(&node.span()), "{node:?}");
        match node {
            Node::Mapping { entries, .. } => {
                for entry in entries {
                    assert!(ok(&entry.key.span), "{entry:?}");
                    check_style(text, &entry.key);
                    check_spans(text, &entry.value);
                }
            }
            Node::Sequence { items, .. } => items.iter().for_each(|n| check_spans(text, n)),
            Node::Scalar(s) => check_style(text, s),
            Node::Alias { span, .. } => assert!(text[span.clone()].starts_with('*')),
        }
    }

    /// A scalar's span starts (and for quotes ends) with the indicator of its style.
    fn check_style(text: &str, s: &Scalar) {
        let written = &text[s.span.clone()];
        let (open, close) = match s.style {
            ScalarStyle::SingleQuoted => ("'", "'"),
            ScalarStyle::DoubleQuoted => ("\"", "\""),
            ScalarStyle::Literal => ("|", ""),
            ScalarStyle::Folded => (">", ""),
            ScalarStyle::Plain => ("", ""),
        };
        assert!(written.starts_with(open) && written.ends_with(close), "{s:?} {written:?}");
        assert!(written.len() >= open.len() + close.len(), "{s:?} {written:?}");
        if s.style == ScalarStyle::Plain && !written.contains(['\n', '\r']) {
            assert_eq!(written, s.value);
        }
    }

    fn check(text: &str) {
        match parse(text) {
            Ok(docs) => docs.iter().for_each(|d| check_spans(text, &d.root)),
            Err(e) => {
                assert!(e.span.start <= e.span.end && e.span.end <= text.len());
                assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end));
            }
        }
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            check(&text);
        }

        #[test]
        fn config_like_lines_keep_spans_on_their_indicators(
            lines in proptest::collection::vec(
                (0usize..6, "[-? ]{0,2}(é?[a-z]{1,3}|'k'|\"k\")?:?", proptest::sample::select(&[
                    "", " v", " |", " >-", " |+ # c", " 'q'", " \"d\"", " &a x", " !!str y",
                    " *a", " [a, {b: c}]", " {c: ☃}", " # c", " !t", " &a", " - x",
                ][..])),
                0..12,
            ),
            crlf in any::<bool>(),
        ) {
            let end = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            for (indent, key, value) in &lines {
                text.push_str(&" ".repeat(*indent));
                text.push_str(key);
                text.push_str(value);
                text.push_str(end);
            }
            check(&text);
        }

        #[test]
        fn yaml_like_text_never_panics(
            text in "([ \t\r\n\u{feff}a-c0-9:\\-?&*!|>+'\"#{}\\[\\],.%<é☃🦀]|\n  |: |- ){0,80}"
        ) {
            check(&text);
        }
    }
}
