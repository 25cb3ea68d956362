//! The one error type of `build` and `diff`: something the tool cannot do its job with, told as a
//! miette diagnostic that names the file, points at the exact place and says what to do.
//!
//! An error that shows a file's text never shows its secrets: the snippet is taken from the text
//! with every secret value masked byte for byte (so the span still points at the same place),
//! and any secret value quoted in the message, label or help is replaced as well; the secrets of
//! the other files read with it are added with [`Error::hiding`] (see [`crate::secrets`]).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::secrets::{Secrets, mask_same_length};
use crate::source::{Snippet, Source, Span};

/// A problem that stops the tool, with the place that causes it and how to fix it.
#[derive(Debug)]
pub struct Error {
    message: String,
    file: Option<PathBuf>,
    located: Option<Located>,
    help: Option<String>,
    code: &'static str,
    /// Secret values of the files read, to be kept out of every text of the error.
    secrets: Secrets,
}

#[derive(Debug)]
struct Located {
    source: Snippet,
    span: Span,
    label: String,
    /// Further places in the same file that take part, each with its label.
    also: Vec<(Span, String)>,
}

impl Error {
    /// A problem with no particular place in a file.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            file: None,
            located: None,
            help: None,
            code,
            secrets: Secrets::default(),
        }
    }

    /// A problem at `span` of `source`; `label` is shown under the pointed-at text.
    pub fn at(
        code: &'static str,
        source: &Source,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        let secrets = source.secrets();
        Self {
            message: secrets.hide(&message.into()),
            file: Some(source.path.clone()),
            located: Some(Located {
                source: source.shown_snippet(&secrets),
                span,
                label: secrets.hide(&label.into()),
                also: Vec::new(),
            }),
            help: None,
            code,
            secrets,
        }
    }

    /// The same error with the values of `secrets` (those of the other files read with the
    /// one it is about) kept out of its snippet and its words as well.
    #[must_use]
    pub fn hiding(mut self, secrets: &Secrets) -> Self {
        if secrets.is_empty() {
            return self;
        }
        self.secrets.extend(secrets);
        self.message = self.secrets.hide(&self.message);
        self.help = self.help.map(|help| self.secrets.hide(&help));
        if let Some(located) = &mut self.located {
            located.label = self.secrets.hide(&located.label);
            let text = located.source.text();
            let masked = mask_same_length(text, &self.secrets.occurrences(text));
            located.source = Snippet::new(located.source.name(), Arc::from(masked));
        }
        self
    }

    /// A file that could not be read or written.
    pub fn io(code: &'static str, path: &Path, action: &str, err: &std::io::Error) -> Self {
        let message = format!("cannot {action} {}: {}", path.display(), io_reason(err));
        let mut error = Self::new(code, message);
        error.file = Some(path.to_path_buf());
        error
    }

    /// Points at a second place in the same file, such as the other half of a conflict. Does
    /// nothing for an error without a place, or for the place already pointed at.
    #[must_use]
    pub fn with_label(mut self, span: Span, label: impl Into<String>) -> Self {
        if let Some(located) = &mut self.located {
            if located.span != span {
                located.also.push((span, self.secrets.hide(&label.into())));
            }
        }
        self
    }

    /// A file that is not UTF-8, pointing at its first bad byte (`source` holds the text with
    /// bad sequences replaced, as [`Source::read_text`] gives it).
    pub fn not_utf8(code: &'static str, source: &Source, offset: usize, what: &str) -> Self {
        let end = crate::source::ceil_char_boundary(&source.text, offset + 1);
        Self::at(code, source, offset..end, format!("{what} is not UTF-8 text"), "not UTF-8")
            .with_help("save it as UTF-8: Galaxy, uWSGI and zergcfg read it as UTF-8")
    }

    /// Adds the line that says how to fix it.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(self.secrets.hide(&help.into()));
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
        let span =
            LabeledSpan::new_primary_with_span(Some(located.label.clone()), located.span.clone());
        let also = located
            .also
            .iter()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), span.clone()));
        Some(Box::new(std::iter::once(span).chain(also)))
    }
}

/// Result of the tool's fallible steps.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_position_counts_characters() {
        let text = "uwsgi:\n  brand: é [\n";
        let source = Source::new("galaxy.yml", text);
        let offset = text.find('[').unwrap();
        let error = Error::at("t", &source, offset..offset + 1, "bad", "here");
        let handler =
            miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
        let mut rendered = String::new();
        handler.render_report(&mut rendered, &error).unwrap();
        assert!(rendered.contains("[galaxy.yml:2:12]"), "{rendered}");
    }

    #[test]
    fn snippets_and_messages_never_show_secrets() {
        let text = "galaxy:\n  id_secret: abcdef123\n  db: mysql://u:pw99@h/d\n  x: [\n";
        let source = Source::new("config/galaxy.yml", text);
        let error = Error::at("t", &source, 40..45, "bad value abcdef123 near pw99", "at pw99")
            .with_help("replace abcdef123");
        let rendered = format!("{:?}", miette::Report::new(error));
        assert!(!rendered.contains("abcdef123"), "{rendered}");
        assert!(!rendered.contains("pw99"), "{rendered}");
    }

    #[test]
    fn masked_snippets_keep_the_span() {
        let text = "galaxy:\n  id_secret: abcdef123\n  x: [\n";
        let source = Source::new("galaxy.yml", text);
        let span = text.find('[').unwrap_or(0)..text.len();
        let error = Error::at("t", &source, span.clone(), "bad", "here");
        let shown = error.source_code().map(|s| {
            s.read_span(&span.into(), 0, 0).map(|c| String::from_utf8_lossy(c.data()).into_owned())
        });
        assert_eq!(shown.and_then(Result::ok).as_deref(), Some("[\n"));
    }
}
