//! The one error type of `build` and `diff`: something the tool cannot do its job with, told as a
//! miette diagnostic that names the file, points at the exact place and says what to do.

use std::fmt;
use std::path::{Path, PathBuf};

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

use crate::source::{Source, Span};

/// A problem that stops the tool, with the place that causes it and how to fix it.
#[derive(Debug)]
pub struct Error {
    message: String,
    file: Option<PathBuf>,
    located: Option<Located>,
    help: Option<String>,
    code: &'static str,
}

#[derive(Debug)]
struct Located {
    source: NamedSource<std::sync::Arc<str>>,
    span: Span,
    label: String,
}

impl Error {
    /// A problem with no particular place in a file.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { message: message.into(), file: None, located: None, help: None, code }
    }

    /// A problem at `span` of `source`; `label` is shown under the pointed-at text.
    pub fn at(
        code: &'static str,
        source: &Source,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Self {
            message: message.into(),
            file: Some(source.path.clone()),
            located: Some(Located { source: source.named(), span, label: label.into() }),
            help: None,
            code,
        }
    }

    /// A file that could not be read or written.
    pub fn io(code: &'static str, path: &Path, action: &str, err: &std::io::Error) -> Self {
        let message = format!("cannot {action} {}: {}", path.display(), io_reason(err));
        let mut error = Self::new(code, message);
        error.file = Some(path.to_path_buf());
        error
    }

    /// Adds the line that says how to fix it.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The file the problem is in, if there is one.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }

    /// The byte span pointed at, if the problem has a place in a file.
    pub fn span(&self) -> Option<Span> {
        self.located.as_ref().map(|l| l.span.clone())
    }

    /// The main message, without position or help.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// The OS reason without Rust's `(os error N)` suffix.
fn io_reason(err: &std::io::Error) -> String {
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Diagnostic for Error {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.located.as_ref().map(|l| &l.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let located = self.located.as_ref()?;
        let span = LabeledSpan::new_with_span(Some(located.label.clone()), located.span.clone());
        Some(Box::new(std::iter::once(span)))
    }
}

/// Result of the tool's fallible steps.
pub type Result<T, E = Error> = std::result::Result<T, E>;
