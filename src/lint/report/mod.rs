//! Lint reports as text: for people (miette's graphical rendering), as JSON, as SARIF 2.1.0 for
//! code-scanning tools, and as GitHub Actions workflow commands. Each returns a string; printing
//! is the command line's business. Output depends only on the files and findings, never on the
//! time or the machine, so that it can be pinned in tests.

mod github;
mod human;
mod json;
mod sarif;

use super::{FileSet, Finding};
use crate::source::Span;

pub use github::github;
pub use human::{human, summary};
pub use json::json;
pub use sarif::sarif;

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// miette diagnostics and a summary line; colour when asked for.
    Human {
        /// Use colour.
        color: bool,
        /// End with the summary line.
        summary: bool,
    },
    /// A JSON array of findings.
    Json,
    /// SARIF 2.1.0.
    Sarif,
    /// GitHub Actions `::error` workflow commands.
    Github,
}

/// Renders the findings of a run over `set` in `format`.
pub fn render(set: &FileSet, findings: &[Finding], format: Format) -> String {
    match format {
        Format::Human { color, summary } => human(set, findings, color, summary),
        Format::Json => json(set, findings),
        Format::Sarif => sarif(set, findings),
        Format::Github => github(set, findings),
    }
}

/// A span's start and end as one-based lines and columns (columns in characters); the end is
/// the position just after the last character, so an empty span starts and ends at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Region {
    /// First line.
    pub start_line: usize,
    /// Column of the first character.
    pub start_column: usize,
    /// Line of the end.
    pub end_line: usize,
    /// Column just after the last character.
    pub end_column: usize,
}

/// The region of `span` in file `file` of `set`.
pub fn region(set: &FileSet, file: usize, span: &Span) -> Region {
    let text = set.files.get(file).map_or("", |f| &*f.source.text);
    let (start_line, start_column) = crate::source::line_col(text, span.start);
    let (end_line, end_column) = crate::source::line_col(text, span.end.max(span.start));
    Region { start_line, start_column, end_line, end_column }
}

/// The file's path as shown.
pub fn file_name(set: &FileSet, file: usize) -> String {
    set.files.get(file).map_or_else(String::new, |f| f.source.name())
}
