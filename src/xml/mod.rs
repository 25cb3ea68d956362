//! A small, strict XML reader for job configuration files: a tree of elements with the byte
//! span of every element and attribute, rejecting what a real XML parser rejects.

mod reader;

pub use reader::parse;

use crate::source::Span;

/// An attribute with its unescaped value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute name as written.
    pub name: String,
    /// Value with entities resolved.
    pub value: String,
    /// Bytes of the name.
    pub name_span: Span,
    /// Bytes of the value, without the quotes.
    pub value_span: Span,
}

/// One element with its children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Tag name as written.
    pub name: String,
    /// Attributes in file order.
    pub attributes: Vec<Attribute>,
    /// Child elements in file order (text, comments and processing instructions are not kept).
    pub children: Vec<Element>,
    /// Bytes from `<` of the start tag to `>` of the end tag (or of `/>`).
    pub span: Span,
    /// Bytes of the start tag alone, `<` to `>`.
    pub start_tag: Span,
}

/// A comment, kept for suppression comments (`<!-- zergcfg: ignore[...] -->`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Text between `<!--` and `-->`.
    pub text: String,
    /// Bytes of the whole comment.
    pub span: Span,
}

/// A parsed document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The single root element.
    pub root: Element,
    /// Every comment in the file, in order.
    pub comments: Vec<Comment>,
}

/// A malformed document, with the place that makes it so.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct XmlError {
    /// What is wrong.
    pub message: String,
    /// Where (byte range, possibly empty).
    pub span: Span,
}

impl Element {
    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attribute(name).map(|a| a.value.as_str())
    }

    /// The attribute itself, with its spans.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Direct children with this tag name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first direct child with this tag name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}
