//! What `PyYAML`'s `safe_load` refuses in a stream that other YAML readers take, and how it
//! types plain scalars. Galaxy 21.09 reads galaxy.yml, and the restarter given with `--yaml`,
//! with `yaml.safe_load` (`galaxy/util/properties.py`), which is `PyYAML`'s pure-Python
//! `SafeLoader` even where the C extension is installed. A file it refuses stops Galaxy at
//! start-up, or stops the restarter halfway through a restart, so zergcfg's build refuses such
//! a galaxy.yml and its lint reports such a file (ZC303), both from this one model.
//!
//! What it refuses, each checked against `PyYAML` 6.0.3 on Python 3.9 (Galaxy 21.09's
//! virtualenv): characters outside its printable set and tabs outside quotes, comments and block
//! scalar text (its reader and scanner, stricter than saphyr and libyaml); anchor names other
//! than letters, digits, `-` and `_`; an empty key without `?`; a plain scalar in `[...]` or
//! `{...}` holding `?`; a `%YAML` version other than 1.x and a second document (its
//! parser and composer); an anchor defined twice; a tag it has no constructor for (`!foo`,
//! `!!python/name:...`), on a node of the wrong kind (`!!map x`) or whose value does not convert
//! (`!!int abc`, `!!timestamp 2021-02-30`); a merge key `<<` whose value is not a mapping or a
//! list of mappings; and a plain scalar whose implicit type does not build (`<<` or `=` as a
//! value, `0x_`, a date that does not exist).

mod scalar;
mod text;

use std::collections::{HashMap, HashSet};

pub use scalar::{conversion_problem, implicit_tag, plain_key_problem, plain_problem};

use super::reader::events;
use super::{Document, Node, Scalar, ScalarStyle};
use crate::source::Span;
use scalar::CORE;
use text::Written;

/// What kind of thing `safe_load` refuses; each kind has its own label and fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// A character its reader refuses or reads as a line break.
    Character,
    /// A tab its scanner refuses.
    Tab,
    /// A `%YAML` directive for another version.
    Directive,
    /// A second document.
    SecondDocument,
    /// An anchor defined a second time.
    Anchor,
    /// An anchor or alias name `PyYAML` reads otherwise.
    AnchorName,
    /// A tag with no constructor, on the wrong kind of node, or whose value does not convert.
    Tag,
    /// A merge key without a mapping.
    Merge,
    /// A plain scalar (or an empty key) that `PyYAML` reads otherwise or cannot build.
    Plain,
}

impl Refused {
    /// A few words for the label at the place.
    pub fn label(self) -> &'static str {
        match self {
            Refused::Character => "character",
            Refused::Tab => "tab",
            Refused::Directive => "directive",
            Refused::SecondDocument => "second document",
            Refused::Anchor => "anchor defined twice",
            Refused::AnchorName => "anchor name",
            Refused::Tag => "tag",
            Refused::Merge => "merge key",
            Refused::Plain => "plain value",
        }
    }

    /// What to do about it.
    pub fn help(self) -> &'static str {
        match self {
            Refused::Character => {
                "remove the character; to keep it in a value, write it as an escape inside \
                 double quotes (`\"\\u2028\"`)"
            }
            Refused::Tab => "replace the tab with spaces",
            Refused::Directive => "remove the `%YAML` line, or write `%YAML 1.1`",
            Refused::SecondDocument => {
                "remove the `---` line and everything after it, or merge it into the first \
                 document: Galaxy reads exactly one"
            }
            Refused::Anchor => "give the second anchor another name, and its aliases with it",
            Refused::AnchorName => {
                "name anchors with letters, digits, `-` and `_` only, and put a space after the \
                 name"
            }
            Refused::Tag => "remove the tag, or quote the value to keep it as text",
            Refused::Merge => {
                "write the keys themselves, or merge a mapping (`<<: *anchor` on an anchored \
                 mapping)"
            }
            Refused::Plain => "quote the value (`'...'`) so that PyYAML reads it as text",
        }
    }
}

/// One thing `safe_load` refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What kind of thing.
    pub kind: Refused,
    /// What `PyYAML` refuses, in words.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// Everything `safe_load` refuses in `text`, whose documents (as [`super::parse`] read them)
/// are `documents`, in file order. Past a second document only the characters and tabs are
/// looked at: `PyYAML` stops there.
pub fn refusals(text: &str, documents: &[Document]) -> Vec<Refusal> {
    let mut out = Vec::new();
    let mut scalars = Vec::new();
    for document in documents {
        written(&document.root, false, &mut scalars);
    }
    text::characters(text, &mut out);
    let handles = text::directives(text, &mut out);
    text::tabs(text, &scalars, &mut out);
    text::flow_plain(text, &scalars, &mut out);

    if documents.len() > 1 {
        out.push(Refusal {
            kind: Refused::SecondDocument,
            message: "a second YAML document starts here, and PyYAML's `safe_load` reads a file \
                      of exactly one document"
                .to_string(),
            span: second_document(text, documents),
        });
    }
    if let Some(document) = documents.first() {
        let mut walk = Walk { text, handles, names: HashSet::new(), nodes: HashMap::new(), out };
        walk.node(&document.root, Place::Value);
        out = walk.out;
    }

    out.sort_by_key(|r| (r.span.start, r.span.end));
    out
}

/// Every scalar of a tree, keys included, with its place and style.
fn written(node: &Node, in_flow: bool, scalars: &mut Vec<Written>) {
    let scalar = |s: &Scalar, in_flow| Written { span: s.span.clone(), style: s.style, in_flow };
    match node {
        Node::Scalar(s) => scalars.push(scalar(s, in_flow)),
        Node::Mapping { entries, flow, .. } => {
            for entry in entries {
                scalars.push(scalar(&entry.key, *flow || in_flow));
                written(&entry.value, *flow || in_flow, scalars);
            }
        }
        Node::Sequence { items, flow, .. } => {
            for item in items {
                written(item, *flow || in_flow, scalars);
            }
        }
        Node::Alias { .. } => {}
    }
}

/// The `---` of the second document, or its first line when it starts after a `...` alone.
fn second_document(text: &str, documents: &[Document]) -> Span {
    let start = events(text)
        .filter_map(Result::ok)
        .filter(|(event, _)| matches!(event, saphyr_parser::Event::DocumentStart(_)))
        .nth(1)
        .map_or_else(|| documents[1].root.span().start, |(_, span)| span.start);
    if text[start..].starts_with("---") {
        return start..start + 3;
    }
    let line = text[start..].find('\n').map_or(text.len(), |i| start + i);
    start..start + text[start..line].trim_end().len()
}

/// Where a node is, as far as `safe_load` builds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A mapping value, a list item or the root.
    Value,
    /// The value of a merge key (a mapping, or a list of them): its entries are built into the
    /// mapping it is merged into, the node itself never, so its tag is not looked at.
    Merged,
}

/// The walk over the first document, in document order as `PyYAML` composes it.
struct Walk<'d> {
    text: &'d str,
    /// `%TAG` handles and their prefixes.
    handles: HashMap<String, String>,
    /// Every anchor defined so far.
    names: HashSet<&'d str>,
    /// The nodes anchors name (not keys), for following aliases.
    nodes: HashMap<&'d str, &'d Node>,
    out: Vec<Refusal>,
}

impl<'d> Walk<'d> {
    fn node(&mut self, node: &'d Node, place: Place) {
        if let Some(name) = node.anchor() {
            self.anchor(name, node.span().start);
            self.nodes.insert(name, node);
        }
        if place != Place::Merged
            && let Some(tag) = node.tag()
        {
            self.tag(node, tag);
        }

        match node {
            Node::Scalar(s) if place != Place::Merged => self.plain(s, false),
            Node::Sequence { items, .. } => {
                for item in items {
                    self.node(item, place);
                }
            }
            Node::Mapping { entries, .. } => {
                for entry in entries {
                    self.key(&entry.key);
                    if self.is_merge_key(&entry.key) {
                        self.merge(&entry.key, &entry.value);
                    } else {
                        self.node(&entry.value, Place::Value);
                    }
                }
            }
            Node::Alias { name, span } => {
                let written = format!("*{name}");
                let at = span.start..span.start + written.len();
                if self.text.get(at.clone()) == Some(written.as_str()) {
                    self.name(&written, at);
                }
            }
            Node::Scalar(_) => {}
        }
    }

    fn key(&mut self, key: &'d Scalar) {
        if let Some(name) = &key.anchor {
            self.anchor(name, key.span.start);
        }
        self.empty_key(key);
        match &key.tag {
            Some(tag) => {
                self.tag_end(tag, key.span.start);
                // A merge or value tag on a key makes it a merge key or a string.
                let full = self.full_tag(tag);
                let core = full.as_deref().and_then(|f| f.strip_prefix(CORE));
                if !matches!(core, Some("merge" | "value")) {
                    self.scalar_tag(key, tag, full);
                }
            }
            None => self.plain(key, true),
        }
    }

    /// A second definition of an anchor, or a name `PyYAML` reads otherwise; its node starts
    /// at `before`.
    fn anchor(&mut self, name: &'d str, before: usize) {
        let written = format!("&{name}");
        let span = self.property_span(before, &written);
        self.name(&written, span.clone());
        if !self.names.insert(name) {
            self.out.push(Refusal {
                kind: Refused::Anchor,
                message: format!(
                    "the anchor `{written}` is defined a second time, which PyYAML's `safe_load` \
                     refuses"
                ),
                span,
            });
        }
    }

    /// An anchor or alias (`written` with its `&` or `*`, at `span`) whose name `PyYAML` reads
    /// otherwise: it takes letters, digits, `-` and `_`, and no `[` or `{` right after.
    fn name(&mut self, written: &str, span: Span) {
        let name = &written[1..];
        let next = self.text[span.end..].chars().next();
        let bad_char =
            name.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_')));
        let bad_end = next.filter(|c| matches!(c, '[' | '{'));
        let Some(c) = bad_char.or(bad_end) else { return };
        self.out.push(Refusal {
            kind: Refused::AnchorName,
            message: format!(
                "PyYAML reads anchor and alias names of letters, digits, `-` and `_` only, and \
                 refuses or reads otherwise `{written}` with `{c}`"
            ),
            span: span.start..span.end + bad_end.map_or(0, char::len_utf8),
        });
    }

    /// An empty key written as `: value`, which `PyYAML` refuses (it takes an empty key only
    /// after `?`).
    fn empty_key(&mut self, key: &Scalar) {
        let empty = key.value.is_empty() && key.style == ScalarStyle::Plain;
        if !empty || key.tag.is_some() || key.anchor.is_some() {
            return;
        }
        let explicit = self.text[..key.span.start]
            .lines()
            .rev()
            .map(|line| match line.find('#') {
                Some(at) if at == 0 || line[..at].ends_with([' ', '\t']) => &line[..at],
                _ => line,
            })
            .map(str::trim)
            .find(|line| !line.is_empty())
            .is_some_and(|line| line.ends_with('?'));
        if !explicit && self.text[key.span.start..].starts_with(':') {
            self.out.push(Refusal {
                kind: Refused::Plain,
                message: "PyYAML needs a key before `:` (an empty key only after `?`)".to_string(),
                span: key.span.start..key.span.start + 1,
            });
        }
    }

    /// A plain scalar whose implicit type does not build.
    fn plain(&mut self, s: &Scalar, key: bool) {
        if s.style != ScalarStyle::Plain || s.tag.is_some() {
            return;
        }
        if let Some(why) = scalar::implicit_problem(&s.value, key) {
            self.out.push(Refusal {
                kind: Refused::Plain,
                message: format!(
                    "the plain {} `{}` does not load: {why}",
                    if key { "key" } else { "value" },
                    s.value
                ),
                span: s.span.clone(),
            });
        }
    }

    /// Whether a key is a merge key: a plain `<<`, or any scalar tagged `!!merge`.
    fn is_merge_key(&self, key: &Scalar) -> bool {
        match &key.tag {
            Some(tag) => self.full_tag(tag).is_some_and(|t| t == format!("{CORE}merge")),
            None => key.style == ScalarStyle::Plain && key.value == "<<",
        }
    }

    /// A merge key's value must be a mapping or a list of mappings, aliases followed.
    fn merge(&mut self, key: &Scalar, value: &'d Node) {
        let merges = match self.follow(value) {
            Some(Node::Mapping { .. }) => true,
            Some(Node::Sequence { items, .. }) => {
                items.iter().all(|item| matches!(self.follow(item), Some(Node::Mapping { .. })))
            }
            _ => false,
        };
        if !merges {
            let written = self.text[value.span()].lines().next().unwrap_or_default().trim();
            self.out.push(Refusal {
                kind: Refused::Merge,
                message: format!(
                    "the merge key `<<` needs a mapping or a list of mappings, and PyYAML's \
                     `safe_load` refuses `{written}`"
                ),
                span: key.span.clone(),
            });
        }
        self.node(value, Place::Merged);
    }

    /// The node an alias names (the node itself otherwise); `None` for an alias to a key.
    fn follow(&self, node: &'d Node) -> Option<&'d Node> {
        match node {
            Node::Alias { name, .. } => self.nodes.get(name.as_str()).copied(),
            other => Some(other),
        }
    }

    /// A tag not followed by a space or a line break, which `PyYAML` refuses (a tab is the
    /// tab rule's).
    fn tag_end(&mut self, tag: &str, before: usize) {
        let span = self.property_span(before, tag);
        let next = self.text[span.end..].chars().next();
        if let Some(c) = next.filter(|c| !matches!(c, ' ' | '\t' | '\n' | '\r')) {
            self.out.push(Refusal {
                kind: Refused::Tag,
                message: format!("PyYAML wants a space after the tag `{tag}`, not `{c}`"),
                span: span.start..span.end + c.len_utf8(),
            });
        }
    }

    fn tag(&mut self, node: &'d Node, tag: &str) {
        self.tag_end(tag, node.span().start);
        let full = self.full_tag(tag);
        match node {
            Node::Scalar(s) => self.scalar_tag(s, tag, full),
            Node::Mapping { .. } | Node::Sequence { .. } => {
                let Some(full) = full else { return };
                let name = full.strip_prefix(CORE);
                let pairs = |items: &[Node]| {
                    items.iter().all(|item| {
                        matches!(
                            self.follow(item),
                            Some(Node::Mapping { entries, .. }) if entries.len() == 1
                        )
                    })
                };
                let fits = match (name, node) {
                    (Some("map" | "set"), Node::Mapping { .. })
                    | (Some("seq"), Node::Sequence { .. }) => true,
                    (Some("omap" | "pairs"), Node::Sequence { items, .. }) => pairs(items),
                    _ => false,
                };
                if fits {
                    return;
                }
                let message = match name {
                    Some("map" | "set" | "seq") => format!(
                        "`{tag}` needs {}, and PyYAML's `safe_load` refuses {} with it",
                        if name == Some("seq") { "a sequence" } else { "a mapping" },
                        kind(node)
                    ),
                    Some("omap" | "pairs") => format!(
                        "`{tag}` needs a list of one-entry mappings, and PyYAML's `safe_load` \
                         refuses {} with it",
                        if matches!(node, Node::Sequence { .. }) {
                            "this list"
                        } else {
                            "a mapping"
                        }
                    ),
                    _ => no_constructor(tag, &full),
                };
                let span = self.property_span(node.span().start, tag);
                self.out.push(Refusal { kind: Refused::Tag, message, span });
            }
            Node::Alias { .. } => {}
        }
    }

    fn scalar_tag(&mut self, s: &Scalar, tag: &str, full: Option<String>) {
        let Some(full) = full else { return };
        let message = match full.strip_prefix(CORE) {
            Some(name @ ("str" | "null" | "bool" | "int" | "float" | "binary" | "timestamp")) => {
                conversion_problem(name, &s.value).map(|why| {
                    let value = s.value.lines().next().unwrap_or_default();
                    format!("PyYAML's `safe_load` cannot read `{value}` as `{tag}`: {why}")
                })
            }
            Some(name @ ("map" | "set" | "seq" | "omap" | "pairs")) => Some(format!(
                "`{tag}` needs {}, and PyYAML's `safe_load` refuses a scalar with it",
                if name == "map" || name == "set" { "a mapping" } else { "a sequence" }
            )),
            _ => Some(no_constructor(tag, &full)),
        };
        if let Some(message) = message {
            let start = self.property_span(s.span.start, tag).start;
            let end = s.span.end.max(start + tag.len());
            self.out.push(Refusal { kind: Refused::Tag, message, span: start..end });
        }
    }

    fn full_tag(&self, written: &str) -> Option<String> {
        expand_tag(written, &self.handles)
    }

    /// The span of a property (`&name`, `!tag`) written before the node starting at `before`.
    fn property_span(&self, before: usize, written: &str) -> Span {
        match self.text[..before].rfind(written) {
            Some(at) => at..at + written.len(),
            None => before..before,
        }
    }
}

/// A tag as written (`!!str`, `!local`, `!<tag:yaml.org,2002:str>`) in full, as `PyYAML`
/// expands it in a document without `%TAG` directives; `None` for the non-specific `!`.
pub fn full_tag(written: &str) -> Option<String> {
    expand_tag(written, &text::default_handles())
}

/// A tag as written in full, `handles` and `%XX` escapes applied; `None` for the non-specific
/// `!`.
fn expand_tag(written: &str, handles: &HashMap<String, String>) -> Option<String> {
    if written == "!" {
        return None;
    }
    if let Some(verbatim) = written.strip_prefix("!<").and_then(|t| t.strip_suffix('>')) {
        return Some(unescape(verbatim));
    }
    let split = written.get(1..).and_then(|rest| rest.find('!')).map_or(1, |i| i + 2);
    let (handle, suffix) = written.split_at(split.min(written.len()));
    let prefix = handles.get(handle).map_or(handle, String::as_str);
    Some(format!("{prefix}{}", unescape(suffix)))
}

fn no_constructor(tag: &str, full: &str) -> String {
    let shown =
        if full == tag || tag.starts_with("!!") { String::new() } else { format!(" (`{full}`)") };
    format!("PyYAML's `safe_load` has no constructor for the tag `{tag}`{shown}")
}

fn kind(node: &Node) -> &'static str {
    match node {
        Node::Mapping { .. } => "a mapping",
        Node::Sequence { .. } => "a sequence",
        Node::Scalar(_) | Node::Alias { .. } => "a scalar",
    }
}

/// `%XX` escapes in a tag decoded as UTF-8, as `PyYAML` decodes them.
fn unescape(tag: &str) -> String {
    if !tag.contains('%') {
        return tag.to_string();
    }
    let bytes = tag.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        let hex = (bytes[at] == b'%')
            .then(|| tag.get(at + 1..at + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        if let Some(byte) = hex {
            out.push(byte);
            at += 3;
        } else {
            out.push(bytes[at]);
            at += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| tag.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of each refusal; a file saphyr cannot parse is refused as a syntax error.
    fn refused(text: &str) -> Vec<String> {
        match crate::yaml::parse(text) {
            Ok(documents) => {
                refusals(text, &documents).into_iter().map(|r| text[r.span].to_string()).collect()
            }
            Err(e) => vec![format!("syntax error: {}", e.message)],
        }
    }

    /// Each file with what `PyYAML` 6.0.3's `yaml.safe_load` does with it on Python 3.9, as in
    /// Galaxy 21.09's virtualenv: `None` where it loads, else the text zergcfg points at (or
    /// `syntax error` where saphyr refuses the file too).
    const CASES: &[(&str, Option<&str>)] = &[
        // Plain scalars whose implicit type does not build.
        ("k: <<\n", Some("<<")),
        ("k: =\n", Some("=")),
        ("- <<\n", Some("<<")),
        ("k: [<<]\n", Some("<<")),
        ("=: x\n", None),
        ("k: 0x_\n", Some("0x_")),
        ("0x_: x\n", Some("0x_")),
        ("k: 0_\n", None),
        ("k: 2021-02-30\n", Some("2021-02-30")),
        ("2021-02-30: x\n", Some("2021-02-30")),
        ("k: 2024-02-29\n", None),
        ("k: 2001-01-01 10:00:00 +24\n", Some("2001-01-01 10:00:00 +24")),
        ("k: 2001-01-01 10:00:00 +23:59\n", None),
        ("k: 2001-1-4\n", None),
        ("k: '<<'\n", None),
        ("k: <<x\n", None),
        // Tags.
        ("k: !foo x\n", Some("!foo x")),
        ("k: !<!foo> x\n", Some("!<!foo> x")),
        ("k: !!python/name:os.system\n", Some("!!python/name:os.system")),
        ("k: !!int abc\n", Some("!!int abc")),
        ("k: !!int \" 12 \"\n", None),
        ("k: !!float --1\n", None),
        ("k: !!bool maybe\n", Some("!!bool maybe")),
        ("k: !!timestamp 2001-1-4\n", None),
        ("k: !!timestamp x\n", Some("!!timestamp x")),
        ("k: !!timestamp 2001-02-30\n", Some("!!timestamp 2001-02-30")),
        ("k: !!timestamp 2001-01-01 10:00:00 +24\n", Some("!!timestamp 2001-01-01 10:00:00 +24")),
        ("k: !!binary R0lGO\n", Some("!!binary R0lGO")),
        ("k: !!binary R0lG\n", None),
        ("k: !!str [a]\n", Some("!!str")),
        ("k: !!null [a]\n", Some("!!null")),
        ("k: !!map x\n", Some("!!map x")),
        ("k: !!seq {a: 1}\n", Some("!!seq")),
        ("k: !!set {a, b}\n", None),
        ("k: !!set [a]\n", Some("!!set")),
        ("k: !!map\n  a: 1\n", None),
        ("k: &a !!seq\n  - 1\n", None),
        ("k: !!omap [{a: 1}, {b: 2}]\n", None),
        ("k: !!omap [{a: 1, b: 2}]\n", Some("!!omap")),
        ("k: !!pairs [a]\n", Some("!!pairs")),
        ("k: !!merge x\n", Some("!!merge x")),
        ("k: !!value x\n", Some("!!value x")),
        ("k: ! 12\n", None),
        ("k: ! [a]\n", None),
        ("k: ![a]\n", Some("syntax error")),
        ("k: {y: ![2, 3]}\n", Some("![")),
        ("k: [!, 3]\n", Some("!,")),
        ("k: [!!str, 3]\n", Some("!!str,")),
        ("k: !!str\n", None),
        ("k: !!int\n", Some("!!int")),
        ("k: !<tag:yaml.org,2002:int> 2\n", None),
        ("k: !!s%74r x\n", None),
        ("k: !!s%74r [a]\n", Some("!!s%74r")),
        ("!!value x: 1\n", None),
        ("!!str <<: 1\n", None),
        ("%TAG !e! tag:yaml.org,2002:\n---\nk: !e!str x\n", None),
        ("%TAG !e! tag:yaml.org,2002:\n---\nk: !e!foo x\n", Some("!e!foo x")),
        ("%TAG !e! tag:example.com,2000:\n---\nk: !e!str x\n", Some("!e!str x")),
        ("%TAG ! tag:yaml.org,2002:\n---\nk: !str x\n", None),
        ("%TAG !! tag:example.com,2000:\n---\nk: !!str x\n", Some("!!str x")),
        ("k: !e!str x\n", Some("syntax error")),
        // Merge keys.
        ("<<: 1\n", Some("<<")),
        ("<<: [1]\n", Some("<<")),
        ("<<: [{a: 1}, 2]\n", Some("<<")),
        ("a: &a 1\n<<: *a\n", Some("<<")),
        ("!!merge k: 1\n", Some("k")),
        ("<<: {a: 1}\n", None),
        ("a: &a {x: 1}\n<<: *a\n", None),
        ("a: &a {x: 1}\n<<: [*a, {y: 2}]\n", None),
        ("a: &a\n  <<: *a\n", None),
        ("a: &r\n  b: *r\n", None),
        ("<<: {a: 1}\n<<: {b: 2}\n", None),
        ("<<: !foo {a: 1}\n", None),
        ("<<: [!foo {a: 1}]\n", None),
        ("a: &a !foo {x: 1}\nb:\n  <<: *a\n", Some("!foo")),
        ("'<<': 1\n", None),
        ("!!merge '<<': {a: 1}\n", None),
        ("c:\n  <<: [{kk: a}, {kk: !!float x}]\n", Some("!!float x")),
        // Anchors, aliases and keys.
        ("a: &x 1\nb: &x 2\n", Some("&x")),
        ("a: &x\n  k: 1\nb: &x [2]\n", Some("&x")),
        ("a: *x\n", Some("syntax error")),
        ("k: &a.b x\n", Some("&a.b")),
        ("a: &x 1\nb: *x.y\n", Some("syntax error")),
        ("k: &a[1]\n", Some("&a[")),
        ("k: &a-b_1 x\n", None),
        (": v\n", Some(":")),
        ("a: 1\n: v\n", Some(":")),
        ("{a: 1, : 2}\n", Some(":")),
        ("? \n: v\n", None),
        ("?\n: v\n", None),
        ("? # c\n: v\n", None),
        // Plain scalars in flow collections.
        ("k: [http://x]\n", None),
        ("k: {a: b:c}\n", None),
        ("k: [a?b]\n", Some("a?b")),
        ("k: {x: >1}\n", Some(">1")),
        ("k: [a, -b]\n", None),
        ("k: {x: 1, -: 2}\n", None),
        ("k: {x: -1}\n", None),
        ("k: [a b, c]\n", None),
        ("k: http://x\n", None),
        ("k: a?b\n", None),
        // Documents and directives.
        ("a: 1\n---\nb: 2\n", Some("---")),
        ("a: 1\n---\n", Some("---")),
        ("a: 1\n...\nb: 2\n", Some("b: 2")),
        ("a: 1\n...\n", None),
        ("a: 1\n...\n# c\n", None),
        ("---\na: 1\n...\n", None),
        ("%YAML 1.1\n---\nk: v\n", None),
        ("%YAML 1.2\n---\nk: v\n", None),
        ("%YAML 2.0\n---\nk: v\n", Some("%YAML 2.0")),
        ("%FOO bar\n---\nk: v\n", None),
        ("%YAML1.1\n---\nk: v\n", Some("%YAML1.1")),
        ("%YA'ML 1.1\n---\nk: v\n", Some("%YA'ML 1.1")),
        ("%YAML x\n---\nk: v\n", Some("syntax error")),
        // Characters.
        ("k: \x7f\n", Some("\x7f")),
        ("# \x7f\nk: v\n", Some("\x7f")),
        ("k: \x1b\n", Some("\x1b")),
        ("k: '\x07'\n", Some("\x07")),
        ("k: \"\\x07\"\n", None),
        ("k: a\u{2028}b\n", Some("\u{2028}")),
        ("# a\u{2028}b\nk: v\n", Some("\u{2028}")),
        ("k: a\u{fffe}b\n", Some("\u{fffe}")),
        ("\u{feff}k: v\n", None),
        // Tabs: only inside quotes, in comments and in block scalar text.
        ("k: a\tb\n", Some("\t")),
        ("k: v\t# c\n", Some("\t")),
        ("k: v\t\n", Some("\t")),
        ("k: v \t\n", Some("\t")),
        ("\tk: v\n", Some("\t")),
        ("k: a \tb\n", Some("\t")),
        ("k: [a,\tb]\n", Some("\t")),
        ("k: {a:\tb}\n", Some("syntax error")),
        ("k:\tv\n", Some("syntax error")),
        ("k: !!str\tx\n", Some("\t")),
        ("k: x\n  \t\nj: y\n", Some("\t")),
        ("k: a\n  \tb\n", Some("\t")),
        ("k: 'a\tb'\n", None),
        ("k: \"a\tb\"\n", None),
        ("k: \"a\n  \tb\"\n", None),
        ("k: |\n  a\tb\n", None),
        ("k: |\n  a\n  \tb\n", None),
        ("k: v # a\tb\n", None),
        ("# a\tb\nk: v\n", None),
        ("k: a#b\tc # d\n", Some("\t")),
        ("k: |  # c\t\n  a\n", None),
        ("k: |\t# c\n  a\n", Some("\t")),
    ];

    #[test]
    fn what_pyyaml_safe_load_refuses() {
        let wrong: Vec<String> = CASES
            .iter()
            .filter_map(|(text, expected)| {
                let found = refused(text);
                let right = match expected {
                    None => found.is_empty(),
                    Some(at) => found.len() == 1 && found[0].starts_with(at),
                };
                (!right).then(|| format!("{text:?}: expected {expected:?}, found {found:?}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{wrong:#?}");
    }

    #[test]
    fn every_refusal_is_reported_in_file_order() {
        let text = "a: &x !foo 1\nb: &x 2021-02-30\n<<: 1\nc: x\ty\n";
        assert_eq!(refused(text), ["!foo 1", "&x", "2021-02-30", "<<", "\t"]);
    }

    #[test]
    fn refusals_say_what_and_why() {
        let text = "galaxy:\n  admin_users: !!int abc\n";
        let found = refusals(text, &crate::yaml::parse(text).unwrap());
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].kind, Refused::Tag);
        assert_eq!(
            found[0].message,
            "PyYAML's `safe_load` cannot read `abc` as `!!int`: PyYAML reads it as an integer \
             and cannot convert it"
        );

        let text = "uwsgi:\n  env: <<\n";
        let found = refusals(text, &crate::yaml::parse(text).unwrap());
        assert_eq!(found[0].kind, Refused::Plain);
        assert!(found[0].message.contains("merge key"), "{}", found[0].message);
    }
}
