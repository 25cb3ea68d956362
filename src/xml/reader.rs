//! The parser behind [`parse`]: quick-xml splits the text into tokens, and this module checks
//! what quick-xml leaves unchecked (one root, every element closed, names, entities, characters,
//! no DOCTYPE) while it builds the tree with the byte span of every element and attribute.

use std::borrow::Cow;

use quick_xml::XmlVersion;
use quick_xml::events::attributes::{AttrError, Attribute as QAttribute};
use quick_xml::events::{BytesDecl, BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;

use super::{Attribute, Comment, Document, Element, XmlError};
use crate::source::{Span, floor_char_boundary};

/// Deepest nesting accepted; job configurations nest five or six levels, and a bound keeps both
/// this reader and the recursive `Drop` of the tree safe on hostile input.
const MAX_DEPTH: usize = 128;

/// Parses a whole document, rejecting anything a conforming XML 1.0 parser would reject, and
/// DOCTYPE declarations, which job configuration files never need.
///
/// # Errors
///
/// An [`XmlError`] with a message and the byte span of the first problem found.
pub fn parse(text: &str) -> Result<Document, XmlError> {
    check_characters(text)?;

    // quick-xml silently drops a byte order mark at the start of its input; only the first
    // character of a file may be one.
    if text.starts_with("\u{FEFF}\u{FEFF}") {
        let at = '\u{FEFF}'.len_utf8();
        return Err(XmlError {
            message: "text outside the root element".to_owned(),
            span: at..2 * at,
        });
    }

    let mut parser = Parser::new(text);
    loop {
        let start = parser.position();
        let event = match parser.reader.read_event() {
            Ok(event) => event,
            Err(error) => return Err(parser.quick_xml_error(&error)),
        };
        let end = parser.position();

        if matches!(event, Event::Eof) {
            return parser.finish();
        }
        parser.event(event, start..end)?;
    }
}

/// Rejects characters XML 1.0 forbids anywhere: most C0 controls and U+FFFE/U+FFFF.
fn check_characters(text: &str) -> Result<(), XmlError> {
    let bad = text.char_indices().find(|&(_, c)| !is_xml_char(c));
    match bad {
        Some((offset, c)) => Err(XmlError {
            message: format!("character U+{:04X} is not allowed in XML", u32::from(c)),
            span: offset..offset + c.len_utf8(),
        }),
        None => Ok(()),
    }
}

/// The `Char` production of XML 1.0 (surrogates cannot occur in a Rust string).
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Whitespace as XML defines it (not Unicode's wider set).
fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// The `NameStartChar` production of XML 1.0, fifth edition.
fn is_name_start_char(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// The `NameChar` production of XML 1.0, fifth edition.
fn is_name_char(c: char) -> bool {
    is_name_start_char(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Whether `name` is an XML `Name`.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start_char) && chars.all(is_name_char)
}

/// Parsing state: quick-xml's tokenizer plus the checks it does not make.
struct Parser<'a> {
    text: &'a str,
    /// Length of a leading byte order mark, which the reader is not given: quick-xml skips
    /// one without counting it in its positions.
    bom: usize,
    reader: Reader<&'a [u8]>,
    /// Elements whose end tag has not been read yet, outermost first.
    open: Vec<Element>,
    root: Option<Element>,
    comments: Vec<Comment>,
    /// Whether any event other than the declaration has been read.
    seen_content: bool,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let bom = if text.starts_with('\u{FEFF}') { '\u{FEFF}'.len_utf8() } else { 0 };
        let mut reader = Reader::from_str(&text[bom..]);
        let config = reader.config_mut();
        config.check_comments = true;
        config.allow_dangling_amp = false;
        config.expand_empty_elements = false;
        config.trim_text(false);

        // End tags are matched against our own stack, which gives better messages and spans.
        config.check_end_names = false;
        config.allow_unmatched_ends = true;

        Self {
            text,
            bom,
            reader,
            open: Vec::new(),
            root: None,
            comments: Vec::new(),
            seen_content: false,
        }
    }

    /// The reader's byte offset in the whole text.
    fn position(&self) -> usize {
        let offset = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
        offset.saturating_add(self.bom)
    }

    /// An error with a span, clamped to the text and to character boundaries.
    fn error(&self, message: impl Into<String>, span: Span) -> XmlError {
        let start = floor_char_boundary(self.text, span.start);
        let end = floor_char_boundary(self.text, span.end.max(start));
        XmlError { message: message.into(), span: start..end }
    }

    /// Converts a tokenizer error, pointing at one character where it stopped.
    fn quick_xml_error(&self, error: &quick_xml::Error) -> XmlError {
        let at = usize::try_from(self.reader.error_position()).unwrap_or(usize::MAX);
        let at = floor_char_boundary(self.text, at.saturating_add(self.bom));
        let end = self.text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        self.error(format!("malformed XML: {error}"), at..end)
    }

    /// Byte offset of `part`, which must be a slice of the input.
    fn offset_of(&self, part: &str) -> Result<usize, XmlError> {
        let base = self.text.as_ptr() as usize;
        let at = part.as_ptr() as usize;
        if at >= base && at + part.len() <= base + self.text.len() {
            Ok(at - base)
        } else {
            Err(self.error("internal error: token not borrowed from the input", 0..0))
        }
    }

    fn event(&mut self, event: Event<'a>, span: Span) -> Result<(), XmlError> {
        let first = !self.seen_content;
        if !matches!(event, Event::Decl(_)) {
            self.seen_content = true;
        }

        match event {
            Event::Decl(decl) => self.declaration(&decl, first, span),
            Event::DocType(_) => Err(self.error(
                "DOCTYPE declarations are not accepted: job configuration files never need one",
                span,
            )),
            Event::PI(pi) => {
                let target = pi.target();
                if target == "xml" {
                    Err(self.error("the XML declaration must be the first thing in the file", span))
                } else if target.eq_ignore_ascii_case("xml") {
                    Err(self.error(format!("the processing target `{target}` is reserved"), span))
                } else if !is_name(target) {
                    Err(self.error(format!("`{target}` is not a valid processing target"), span))
                } else {
                    Ok(())
                }
            }
            Event::Comment(comment) => {
                self.comment(&comment, span);
                Ok(())
            }
            Event::Text(text) => self.text(&text, span),
            Event::CData(_) => self.inside_root("CDATA section", span),
            Event::GeneralRef(reference) => self.reference(&reference, span),
            Event::Start(start) => self.start(&start, span, false),
            Event::Empty(start) => self.start(&start, span, true),
            Event::End(end) => self.end(&end, span),
            Event::Eof => Ok(()),
        }
    }

    /// Checks `<?xml version="1.0" encoding="..." standalone="..."?>`.
    fn declaration(&self, decl: &BytesDecl<'_>, first: bool, span: Span) -> Result<(), XmlError> {
        // A byte order mark is the only thing allowed before the declaration.
        let before = &self.text[..span.start.min(self.text.len())];
        if !first || !(before.is_empty() || before == "\u{FEFF}") {
            return Err(self.error("the XML declaration must be the first thing in the file", span));
        }

        let raw = &**decl;
        let base = self.offset_of(raw)?;
        let mut expected = ["version", "encoding", "standalone"].iter();
        let mut saw_version = false;
        for attribute in BytesStart::from_content(raw, 3).attributes() {
            let attribute = attribute.map_err(|e| self.attr_error(&e, base))?;
            let name = attribute.key.0;
            let value = &*attribute.value;
            let name_at = self.offset_of(name)?;

            if !expected.any(|e| *e == name) {
                return Err(self.error(
                    format!("unexpected `{name}` in the XML declaration"),
                    name_at..name_at + name.len(),
                ));
            }
            let bad_value = match name {
                "version" => {
                    saw_version = true;
                    value != "1.0"
                }
                "encoding" => !self.encoding_fits(value),
                _ => value != "yes" && value != "no",
            };
            if bad_value {
                let at = self.offset_of(value)?;
                return Err(self.error(
                    format!("unsupported {name} `{value}` in the XML declaration"),
                    at..at + value.len(),
                ));
            }
        }

        if saw_version {
            Ok(())
        } else {
            Err(self.error("the XML declaration must start with `version=\"1.0\"`", span))
        }
    }

    /// The text is UTF-8: a declared encoding must agree, or the file must be plain ASCII,
    /// which reads the same in any of the usual encodings.
    fn encoding_fits(&self, label: &str) -> bool {
        let label = label.to_ascii_lowercase();
        label == "utf-8" || label == "utf8" || self.text.is_ascii()
    }

    fn comment(&mut self, comment: &str, span: Span) {
        self.comments.push(Comment { text: comment.to_owned(), span });
    }

    fn text(&self, text: &str, span: Span) -> Result<(), XmlError> {
        if self.open.is_empty() {
            if let Some(offset) = text.find(|c: char| !is_xml_space(c)) {
                let at = span.start + offset;
                return Err(self.error("text outside the root element", at..span.end));
            }
            return Ok(());
        }

        match text.find("]]>") {
            Some(offset) => {
                let at = span.start + offset;
                Err(self.error("`]]>` is not allowed in text", at..at + 3))
            }
            None => Ok(()),
        }
    }

    fn inside_root(&self, what: &str, span: Span) -> Result<(), XmlError> {
        if self.open.is_empty() {
            Err(self.error(format!("{what} outside the root element"), span))
        } else {
            Ok(())
        }
    }

    /// Accepts the five predefined entities and character references to allowed characters;
    /// every other entity would need a DTD.
    fn reference(&self, reference: &BytesRef<'_>, span: Span) -> Result<(), XmlError> {
        self.inside_root("entity reference", span.clone())?;

        let name = &**reference;
        if reference.is_char_ref() {
            return match reference.resolve_char_ref() {
                Ok(Some(c)) if is_xml_char(c) => Ok(()),
                _ => Err(self.error(format!("`&{name};` is not a valid character"), span)),
            };
        }
        if matches!(name, "lt" | "gt" | "amp" | "apos" | "quot") {
            Ok(())
        } else {
            Err(self.error(format!("unknown entity `&{name};`"), span))
        }
    }

    fn start(&mut self, start: &BytesStart<'a>, span: Span, empty: bool) -> Result<(), XmlError> {
        let name = start.name().0;
        let content_at = self.offset_of(start)?;

        if self.open.is_empty() && self.root.is_some() {
            return Err(self.error("a second root element: a document has exactly one", span));
        }
        if name.is_empty() {
            return Err(self.error("`<` must be followed directly by an element name", span));
        }
        if !is_name(name) {
            return Err(self.error(format!("`{name}` is not a valid element name"), span));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(self.error(format!("elements nest deeper than {MAX_DEPTH} levels"), span));
        }

        let attributes = self.attributes(start, content_at)?;
        let element = Element {
            name: name.to_owned(),
            attributes,
            children: Vec::new(),
            span: span.clone(),
            start_tag: span,
        };

        if empty {
            self.close(element);
        } else {
            self.open.push(element);
        }
        Ok(())
    }

    /// Reads the attributes of a start tag whose content (after `<`) begins at `base`.
    fn attributes(&self, start: &BytesStart<'a>, base: usize) -> Result<Vec<Attribute>, XmlError> {
        let mut attributes = Vec::new();
        for attribute in start.attributes() {
            let attribute = attribute.map_err(|e| self.attr_error(&e, base))?;
            attributes.push(self.attribute(&attribute)?);
        }
        Ok(attributes)
    }

    fn attribute(&self, attribute: &QAttribute<'_>) -> Result<Attribute, XmlError> {
        let name = attribute.key.0;
        let name_at = self.offset_of(name)?;
        let name_span = name_at..name_at + name.len();
        let raw: &str = &attribute.value;
        let value_at = self.offset_of(raw)?;
        let value_span = value_at..value_at + raw.len();

        // XML needs whitespace between attributes: `a="1"b="2"` is malformed.
        let separated = self.text[..name_at].chars().next_back().is_some_and(is_xml_space);
        if !separated {
            return Err(self.error("attributes must be separated by whitespace", name_span));
        }
        if !is_name(name) {
            let message = format!("`{name}` is not a valid attribute name");
            return Err(self.error(message, name_span));
        }
        if let Some(offset) = raw.find('<') {
            let at = value_at + offset;
            return Err(self.error("`<` is not allowed in an attribute value", at..at + 1));
        }

        let value = attribute
            .normalized_value(XmlVersion::Explicit1_0)
            .map_err(|e| self.value_error(&e, value_span.clone()))?;
        if let Some(c) = value.chars().find(|&c| !is_xml_char(c)) {
            let message =
                format!("character reference to U+{:04X}, not allowed in XML", u32::from(c));
            return Err(self.error(message, value_span));
        }

        Ok(Attribute {
            name: name.to_owned(),
            value: Cow::into_owned(value),
            name_span,
            value_span,
        })
    }

    /// Turns an error of attribute value normalization into a message and span.
    fn value_error(&self, error: &quick_xml::Error, span: Span) -> XmlError {
        if let quick_xml::Error::Escape(quick_xml::escape::EscapeError::UnrecognizedEntity(
            range,
            name,
        )) = error
        {
            let start = span.start + range.start.saturating_sub(1);
            let end = (span.start + range.end + 1).min(span.end);
            return self.error(format!("unknown entity `&{name};`"), start..end);
        }
        self.error(format!("bad attribute value: {error}"), span)
    }

    /// Converts an attribute syntax error; its position counts from the start tag's content.
    fn attr_error(&self, error: &AttrError, base: usize) -> XmlError {
        let (message, at) = match *error {
            AttrError::ExpectedEq(at) => ("an attribute name must be followed by `=`", at),
            AttrError::ExpectedValue(at) => ("`=` must be followed by a quoted value", at),
            AttrError::UnquotedValue(at) => ("attribute values must be quoted", at),
            AttrError::ExpectedQuote(at, _) => ("the attribute value is never closed", at),
            AttrError::Duplicated(at, _) => ("the same attribute is given twice", at),
        };
        let start = floor_char_boundary(self.text, base.saturating_add(at));
        let len = self.text[start..].find(|c: char| is_xml_space(c) || c == '=' || c == '>');
        let end = start + len.unwrap_or(0).max(usize::from(start < self.text.len()));
        self.error(message, start..end)
    }

    fn end(&mut self, end: &str, span: Span) -> Result<(), XmlError> {
        let Some(mut element) = self.open.pop() else {
            return Err(self.error(format!("`</{end}>` closes nothing"), span));
        };
        if element.name != end {
            let message = format!("`</{end}>` does not match `<{}>`", element.name);
            return Err(self.error(message, span));
        }

        element.span.end = span.end;
        self.close(element);
        Ok(())
    }

    /// Attaches a finished element to its parent, or makes it the root.
    fn close(&mut self, element: Element) {
        match self.open.last_mut() {
            Some(parent) => parent.children.push(element),
            None => self.root = Some(element),
        }
    }

    fn finish(mut self) -> Result<Document, XmlError> {
        if let Some(innermost) = self.open.last() {
            let message = format!("`<{}>` is never closed", innermost.name);
            return Err(self.error(message, innermost.start_tag.clone()));
        }
        let Some(root) = self.root.take() else {
            let end = self.text.len();
            return Err(self.error("no root element", end..end));
        };
        Ok(Document { root, comments: self.comments })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A job configuration with every construct the reader keeps.
    const VALID: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- top comment -->
<job_conf>
    <plugins workers="4">
        <plugin id="local" type="runner" load="galaxy.jobs.runners.local:LocalJobRunner"/>
    </plugins>
    <handlers assign_with='db-preassign'>
        <handler id="a &amp; b" tags="x,y"/><!-- inner -->
    </handlers>
    <destinations default="local">
        <destination id="local" runner="local">
            <param id="p">1 &lt; 2 &#x41;<![CDATA[<raw>]]></param>
        </destination>
    </destinations>
</job_conf>
"#;

    /// The error of a document that must be rejected.
    fn reject(text: &str) -> XmlError {
        match parse(text) {
            Ok(doc) => panic!("accepted {text:?}: {doc:?}"),
            Err(e) => e,
        }
    }

    /// Asserts that `text` is rejected with a message containing `message`, pointing at `spot`.
    fn rejects(text: &str, message: &str, spot: &str) {
        let error = reject(text);
        assert!(error.message.contains(message), "{text:?}: {error:?}");
        assert_eq!(&text[error.span.clone()], spot, "{text:?}: {error:?}");
    }

    #[test]
    fn keeps_elements_attributes_and_comments_with_spans() {
        let doc = parse(VALID).unwrap();
        let root = &doc.root;
        assert_eq!(root.name, "job_conf");
        assert_eq!(
            &VALID[root.span.clone()],
            VALID[VALID.find("<job_conf>").unwrap()..].trim_end()
        );
        assert_eq!(&VALID[root.start_tag.clone()], "<job_conf>");

        let names: Vec<_> = root.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["plugins", "handlers", "destinations"]);

        let plugins = root.child("plugins").unwrap();
        assert_eq!(&VALID[plugins.start_tag.clone()], r#"<plugins workers="4">"#);
        let plugin = plugins.child("plugin").unwrap();
        assert!(VALID[plugin.span.clone()].starts_with("<plugin id="));
        assert!(VALID[plugin.span.clone()].ends_with("/>"));
        assert_eq!(plugin.span, plugin.start_tag);

        let handlers = root.child("handlers").unwrap();
        let assign = handlers.attribute("assign_with").unwrap();
        assert_eq!(&VALID[assign.name_span.clone()], "assign_with");
        assert_eq!(&VALID[assign.value_span.clone()], "db-preassign");
        let handler = handlers.child("handler").unwrap();
        let id = handler.attribute("id").unwrap();
        assert_eq!(id.value, "a & b");
        assert_eq!(&VALID[id.value_span.clone()], "a &amp; b");
        assert!(VALID[handlers.span.clone()].ends_with("</handlers>"));

        let comments: Vec<_> = doc.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(comments, [" top comment ", " inner "]);
        assert_eq!(&VALID[doc.comments[1].span.clone()], "<!-- inner -->");
    }

    #[test]
    fn spans_count_a_byte_order_mark() {
        let text = "\u{FEFF}<!-- c -->\n<a b=\"1\"><c/></a>";
        let doc = parse(text).unwrap();
        assert_eq!(&text[doc.comments[0].span.clone()], "<!-- c -->");
        assert_eq!(&text[doc.root.span.clone()], "<a b=\"1\"><c/></a>");
        assert_eq!(&text[doc.root.attributes[0].value_span.clone()], "1");
        assert_eq!(&text[doc.root.children[0].span.clone()], "<c/>");
        rejects("\u{FEFF}<a>x", "never closed", "<a>");
        rejects("\u{FEFF}\u{FEFF}<a/>", "text outside", "\u{FEFF}");
    }

    #[test]
    fn normalizes_attribute_values() {
        let doc = parse("<a b=\"x&#10;y\tz&lt;&#x41;&apos;\"/>").unwrap();
        assert_eq!(doc.root.attr("b"), Some("x\ny z<A'"));
    }

    #[test]
    fn accepts_what_xml_allows() {
        for text in [
            "<a/>",
            "\u{FEFF}<a/>",
            "\u{FEFF}<?xml version='1.0'?><a/>",
            "<?xml version=\"1.0\" standalone=\"yes\"?>\n<a/>\n",
            "<?pi data?><a/><!-- after -->\n",
            "<a></a >",
            "<a  b = \"1\"\n c='2' />",
            "<ns:a xmlns:ns=\"u\"><ns:b/></ns:a>",
            "<a>text &amp; &#233; <![CDATA[ <x> ]]></a>",
        ] {
            assert!(parse(text).is_ok(), "{text:?}: {:?}", parse(text));
        }
    }

    #[test]
    fn rejects_broken_structure() {
        rejects("<a>", "`<a>` is never closed", "<a>");
        rejects("<a><b x='1'></a>", "`</a>` does not match `<b>`", "</a>");
        rejects("<a></b>", "does not match", "</b>");
        rejects("<a/><b/>", "second root", "<b/>");
        rejects("<a/></a>", "closes nothing", "</a>");
        rejects("", "no root element", "");
        rejects("  \n", "no root element", "");
        rejects("<!-- only -->", "no root element", "");
        rejects("<a", "tag not closed", "<");
    }

    #[test]
    fn rejects_text_outside_the_root() {
        rejects("x<a/>", "text outside the root", "x");
        rejects("<a/>\n trailing", "text outside the root", "trailing");
        rejects("<a/>&amp;", "outside the root", "&amp;");
        rejects("<![CDATA[x]]><a/>", "CDATA section outside", "<![CDATA[x]]>");
        rejects("<a>]]></a>", "`]]>`", "]]>");
    }

    #[test]
    fn rejects_bad_attributes() {
        rejects("<a b='1' b=\"2\"/>", "given twice", "b");
        rejects("<a b=1/>", "must be quoted", "1/");
        rejects("<a b/>", "followed by `=`", "/");
        rejects("<a b=\"1\"c=\"2\"/>", "separated by whitespace", "c");
        rejects("<a b=\"<\"/>", "`<` is not allowed", "<");
        rejects("<a 1b=\"x\"/>", "not a valid attribute name", "1b");
    }

    #[test]
    fn rejects_unknown_entities_and_characters() {
        rejects("<a>&foo;</a>", "unknown entity `&foo;`", "&foo;");
        rejects("<a b=\"x&foo;y\"/>", "unknown entity `&foo;`", "&foo;");
        rejects("<a>&#0;</a>", "not a valid character", "&#0;");
        rejects("<a b=\"&#1;\"/>", "U+0001", "&#1;");
        rejects("<a>&amp</a>", "not closed", "&");
        rejects("<a>\u{1}</a>", "U+0001", "\u{1}");
        rejects("<a>\u{FFFF}</a>", "U+FFFF", "\u{FFFF}");
    }

    #[test]
    fn rejects_doctype_and_misplaced_declarations() {
        let error = reject("<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>");
        assert!(error.message.contains("never need one"), "{error:?}");
        assert_eq!(error.span.start, 0);

        rejects(" <?xml version=\"1.0\"?><a/>", "must be the first", "<?xml version=\"1.0\"?>");
        rejects("<a/><?xml version=\"1.0\"?>", "must be the first", "<?xml version=\"1.0\"?>");
        rejects("<?xml version=\"1.1\"?><a/>", "unsupported version", "1.1");
        rejects("<?xml encoding=\"UTF-8\"?><a/>", "must start with", "<?xml encoding=\"UTF-8\"?>");
        rejects("<?xml version='1.0' version='1.0'?><a/>", "twice", "version");
        rejects("<?xml encoding='UTF-8' version='1.0'?><a/>", "unexpected", "version");
        rejects("<?xml version=\"1.0\" standalone=\"maybe\"?><a/>", "unsupported", "maybe");
        rejects("<?XML x?><a/>", "reserved", "<?XML x?>");
    }

    #[test]
    fn rejects_bad_names_and_comments() {
        rejects("<1a/>", "not a valid element name", "<1a/>");
        rejects("< a/>", "followed directly by an element name", "< a/>");
        rejects("<a><!-- x -- y --></a>", "`--`", "-");
        rejects("<a><!-- open", "comment not closed", "<");
    }

    #[test]
    fn guards_nesting_depth() {
        let deep = format!("{}{}", "<a>".repeat(MAX_DEPTH + 1), "</a>".repeat(MAX_DEPTH + 1));
        let error = reject(&deep);
        assert!(error.message.contains("nest deeper"), "{error:?}");

        let fine = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(&fine).is_ok());
    }

    /// Checks the invariants every result must keep.
    fn check(text: &str) {
        match parse(text) {
            Ok(doc) => {
                let mut stack = vec![&doc.root];
                while let Some(element) = stack.pop() {
                    let tag = &text[element.start_tag.clone()];
                    assert!(tag.starts_with(&format!("<{}", element.name)), "{tag:?}");
                    assert!(text[element.span.clone()].ends_with('>'));
                    for attribute in &element.attributes {
                        assert_eq!(text[attribute.name_span.clone()], attribute.name);
                        assert!(text.get(attribute.value_span.clone()).is_some());
                    }
                    stack.extend(&element.children);
                }
            }
            Err(error) => {
                assert!(error.span.start <= error.span.end);
                assert!(text.get(error.span.clone()).is_some(), "{error:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_text(text in "\\PC*") {
            check(&text);
        }

        #[test]
        fn never_panics_on_markup_soup(text in "[<>/!?&;#x='\" a-c\\-\\[\\]\n]{0,64}") {
            check(&text);
        }

        #[test]
        fn never_panics_on_mutations_of_a_valid_file(
            at in 0..VALID.len(),
            cut in 0usize..8,
            insert in "[<>/!?&;#='\" a-z\\-\u{0}\u{FFFE}é]{0,4}",
        ) {
            let at = floor_char_boundary(VALID, at);
            let end = floor_char_boundary(VALID, (at + cut).min(VALID.len()));
            let mutated = format!("{}{insert}{}", &VALID[..at], &VALID[end..]);
            check(&mutated);
        }
    }
}
