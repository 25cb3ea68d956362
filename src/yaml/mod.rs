//! YAML as uWSGI and Galaxy files use it: an ordered tree that keeps repeated keys and the byte
//! span of every key and value, so that a finding can point at the exact place in the file.

mod reader;
pub mod resolve;
pub mod safe_load;

pub use reader::parse;

use crate::source::Span;

/// How a scalar was written in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// `key: value`
    Plain,
    /// `key: 'value'`
    SingleQuoted,
    /// `key: "value"`
    DoubleQuoted,
    /// `key: |`
    Literal,
    /// `key: >`
    Folded,
}

/// A scalar value with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scalar {
    /// The value as a YAML loader sees it (quotes removed, escapes resolved).
    pub value: String,
    /// How it was written.
    pub style: ScalarStyle,
    /// Bytes of the scalar in the file, quotes included.
    pub span: Span,
    /// An explicit tag such as `!!str`, if any.
    pub tag: Option<String>,
    /// An anchor (`&name`) set on the scalar, if any.
    pub anchor: Option<String>,
}

/// One `key: value` pair of a mapping; keys repeat freely.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key (uWSGI and Galaxy keys are always scalars; a complex key is a parse error).
    pub key: Scalar,
    /// The value.
    pub value: Node,
}

/// A node of the tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A scalar, including the empty value of `key:` (plain, empty string, zero-width span
    /// right after the colon).
    Scalar(Scalar),
    /// A mapping, entries in file order, repeated keys kept.
    Mapping {
        /// The entries in order.
        entries: Vec<Entry>,
        /// Bytes from the first key to the end of the last value (flow: braces included).
        span: Span,
        /// Written as `{...}`.
        flow: bool,
        /// An anchor (`&name`) set on the mapping, if any.
        anchor: Option<String>,
        /// An explicit tag such as `!!set`, as written, if any.
        tag: Option<String>,
    },
    /// A sequence.
    Sequence {
        /// The items in order.
        items: Vec<Node>,
        /// Bytes of the whole sequence.
        span: Span,
        /// Written as `[...]`.
        flow: bool,
        /// An anchor (`&name`) set on the sequence, if any.
        anchor: Option<String>,
        /// An explicit tag such as `!!omap`, as written, if any.
        tag: Option<String>,
    },
    /// An alias (`*name`).
    Alias {
        /// The anchor name.
        name: String,
        /// Bytes of the alias.
        span: Span,
    },
}

/// One YAML document of a stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The document's root node; an empty document is an empty plain scalar.
    pub root: Node,
}

/// A YAML syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    /// What the parser said, without its own position text.
    pub message: String,
    /// Where (byte range, possibly empty).
    pub span: Span,
}

impl Node {
    /// The node's byte span.
    pub fn span(&self) -> Span {
        match self {
            Node::Scalar(s) => s.span.clone(),
            Node::Mapping { span, .. } | Node::Sequence { span, .. } | Node::Alias { span, .. } => {
                span.clone()
            }
        }
    }

    /// The explicit tag set on the node, as written (`!!str`, `!local`), if any.
    pub fn tag(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => s.tag.as_deref(),
            Node::Mapping { tag, .. } | Node::Sequence { tag, .. } => tag.as_deref(),
            Node::Alias { .. } => None,
        }
    }

    /// The anchor set on the node, if any.
    pub fn anchor(&self) -> Option<&str> {
        match self {
            Node::Scalar(s) => s.anchor.as_deref(),
            Node::Mapping { anchor, .. } | Node::Sequence { anchor, .. } => anchor.as_deref(),
            Node::Alias { .. } => None,
        }
    }

    /// The mapping's entries, if this is a mapping.
    pub fn entries(&self) -> Option<&[Entry]> {
        match self {
            Node::Mapping { entries, .. } => Some(entries),
            _ => None,
        }
    }

    /// The scalar, if this is one.
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Node::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// Every entry of a mapping with this key, in order.
    pub fn get_all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries().unwrap_or(&[]).iter().filter(move |e| e.key.value == key)
    }

    /// The last entry with this key (as `PyYAML` sees a repeated key).
    pub fn get_last(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().rev().find(|e| e.key.value == key)
    }
}
