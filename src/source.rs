//! A file read from disk, kept whole so that every finding can point back at its exact bytes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents};

use crate::secrets::{Kind, Secrets, mask_same_length};

/// A byte range into a [`Source`]'s text.
pub type Span = std::ops::Range<usize>;

/// Why [`Source::read_text`] found no text.
#[derive(Debug)]
pub enum ReadError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is not UTF-8: `source` holds it with each bad sequence replaced by U+FFFD,
    /// `offset` is the byte where the first one starts (the same in both, as all before it is
    /// valid).
    NotUtf8 {
        /// The text, bad sequences replaced.
        source: Source,
        /// Where the first bad sequence starts.
        offset: usize,
    },
}

/// The text of one file together with the path it was read from.
#[derive(Debug, Clone)]
pub struct Source {
    /// Where the file lives (as given, or under `--root`).
    pub path: PathBuf,
    /// The whole text of the file.
    pub text: Arc<str>,
    /// How the text is structured, which decides where its secrets are: from the file's role
    /// when the reader knows it, else from the content.
    pub kind: Kind,
}

impl Source {
    /// Wraps text that was read from `path`.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<Arc<str>>) -> Self {
        let text = text.into();
        Self { path: path.into(), kind: Kind::sniff(&text), text }
    }

    /// The same file read as `kind`, which its role says it is.
    #[must_use]
    pub fn with_kind(mut self, kind: Kind) -> Self {
        self.kind = kind;
        self
    }

    /// Reads a file as UTF-8, telling a file that is not text apart from one that cannot be
    /// read, so that the first can be pointed into.
    ///
    /// # Errors
    /// The file cannot be read, or is not UTF-8.
    pub fn read_text(path: &Path) -> Result<Self, ReadError> {
        let bytes = std::fs::read(path).map_err(ReadError::Io)?;
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Self::new(path, text)),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                Err(ReadError::NotUtf8 { source: Self::new(path, text), offset })
            }
        }
    }

    /// The path as it is shown to the user.
    pub fn name(&self) -> String {
        self.path.display().to_string()
    }

    /// The secret values of the file.
    pub fn secrets(&self) -> Secrets {
        Secrets::of(self.kind, &self.text)
    }

    /// The source in the form miette renders snippets from, with its secrets masked byte for
    /// byte (spans stay valid): snippets end up in terminals, CI logs and tickets.
    pub fn named(&self) -> NamedSource<Arc<str>> {
        self.shown(&Secrets::EMPTY)
    }

    /// As [`Source::named`], with every value of `others` (the secrets of the files read with
    /// this one) masked as well, wherever it occurs.
    pub fn shown(&self, others: &Secrets) -> NamedSource<Arc<str>> {
        let mut secrets = self.secrets();
        secrets.extend(others);
        let spans = secrets.spans(self.kind, &self.text);
        let text = if spans.is_empty() {
            Arc::clone(&self.text)
        } else {
            Arc::from(mask_same_length(&self.text, &spans))
        };
        NamedSource::new(self.name(), text)
    }

    /// [`Source::named`] as a [`Snippet`], whose columns count characters.
    pub fn snippet(&self) -> Snippet {
        self.shown_snippet(&Secrets::EMPTY)
    }

    /// [`Source::shown`] as a [`Snippet`], whose columns count characters.
    pub fn shown_snippet(&self, others: &Secrets) -> Snippet {
        let named = self.shown(others);
        Snippet::new(named.name(), Arc::clone(named.inner()))
    }

    /// One-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        line_col(&self.text, offset)
    }
}

/// One-based line and column (in characters) of a byte offset into `text`. A byte-order mark
/// at the start takes no column, as in editors.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let on_line = &before[line_start..];
    let on_line = if line_start == 0 { on_line.trim_start_matches('\u{feff}') } else { on_line };
    let col = on_line.chars().count() + 1;
    (line, col)
}

/// A file's text as miette shows it, with the column of the `[file:line:column]` header counted
/// in characters like every other position zergcfg prints (miette counts bytes).
#[derive(Debug, Clone)]
pub struct Snippet {
    name: String,
    text: Arc<str>,
}

impl Snippet {
    /// The text of a file, shown under `name`.
    pub fn new(name: impl Into<String>, text: Arc<str>) -> Self {
        Self { name: name.into(), text }
    }

    /// The name it is shown under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text shown.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let contents =
            self.text.as_ref().read_span(span, context_lines_before, context_lines_after)?;
        let (_, column) = line_col(&self.text, contents.span().offset());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            contents.data(),
            *contents.span(),
            contents.line(),
            column - 1,
            contents.line_count(),
        )))
    }
}

/// The smallest char boundary not before `offset`.
pub fn ceil_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The largest char boundary not after `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut i = offset.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_is_not_utf8_is_told_with_its_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("galaxy.yml");
        std::fs::write(&path, b"brand: M\xfcnchen\n").unwrap();
        let Err(ReadError::NotUtf8 { source, offset }) = Source::read_text(&path) else {
            panic!("Latin-1 read as UTF-8");
        };
        assert_eq!(offset, 8);
        assert_eq!(&source.text[offset..], "\u{fffd}nchen\n");
        assert!(matches!(Source::read_text(&dir.path().join("x")), Err(ReadError::Io(_))));
    }

    #[test]
    fn line_col_counts_characters() {
        let text = "a: é\nbé: c\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 9), (2, 3));
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn a_byte_order_mark_takes_no_column() {
        let text = "\u{feff}uwsgi:\n\u{feff}x";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (1, 1));
        assert_eq!(line_col(text, 4), (1, 2));
        assert_eq!(line_col(text, 13), (2, 2));
    }

    #[test]
    fn snippet_columns_count_characters() {
        let text: Arc<str> = Arc::from("a: é\nbé🧬: c\n");
        let snippet = Snippet::new("f.yml", text);
        let contents = snippet.read_span(&(13..14).into(), 0, 0).unwrap();
        assert_eq!((contents.line(), contents.column()), (1, 3));
        assert_eq!(contents.data(), b":");
        let contents = snippet.read_span(&(13..14).into(), 1, 1).unwrap();
        assert_eq!((contents.line(), contents.column()), (0, 0));
    }
}
