//! The report for people: one miette diagnostic per finding (the rule's code and name as the
//! header, the exact span labelled, the help line, related places in the same file as extra
//! labels and those in other files as related diagnostics), then a summary line.

use std::fmt;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode};

use crate::lint::{FileSet, Finding, Severity};
use crate::source::Snippet;

/// Renders every finding, then (when `with_summary`) the summary line.
pub fn human(set: &FileSet, findings: &[Finding], color: bool, with_summary: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100);
    // Each file masked once: its own secrets where they are, and every file's wherever.
    let secrets = set.secrets();
    let shown: Vec<Option<Snippet>> = set
        .files
        .iter()
        .map(|f| f.read_error.is_none().then(|| f.source.shown_snippet(&secrets)))
        .collect();

    let mut blocks = Vec::new();
    for finding in findings {
        let diagnostic = FindingDiagnostic::new(set, &shown, finding);
        let mut text = String::new();
        if handler.render_report(&mut text, &diagnostic).is_err() {
            text = format!("{}: {}", diagnostic.header, finding.message);
        }
        blocks.push(text.trim_end().to_string());
    }
    if with_summary {
        blocks.push(summary(set, findings));
    }

    let mut out = blocks.join("\n\n");
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// `2 errors, 1 warning in 4 files`, or `no findings in 4 files`.
pub fn summary(set: &FileSet, findings: &[Finding]) -> String {
    let count = |severity| findings.iter().filter(|f| f.severity == severity).count();
    let plural = |n: usize, word: &str| {
        if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
    };

    let mut parts = Vec::new();
    let errors = count(Severity::Error);
    let warnings = count(Severity::Warning);
    let infos = count(Severity::Info);
    if errors > 0 {
        parts.push(plural(errors, "error"));
    }
    if warnings > 0 {
        parts.push(plural(warnings, "warning"));
    }
    if infos > 0 {
        parts.push(format!("{infos} info"));
    }
    let files = plural(set.files.len(), "file");
    if parts.is_empty() {
        format!("no findings in {files}")
    } else {
        format!("{} in {files}", parts.join(", "))
    }
}

/// A finding with what miette needs to show it.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    header: String,
    source: Option<Snippet>,
    labels: Vec<LabeledSpan>,
    related: Vec<RelatedDiagnostic>,
}

/// A related place in another file, shown under the finding.
#[derive(Debug)]
struct RelatedDiagnostic {
    label: String,
    source: Option<Snippet>,
    span: crate::source::Span,
}

impl<'a> FindingDiagnostic<'a> {
    fn new(set: &FileSet, shown: &[Option<Snippet>], finding: &'a Finding) -> Self {
        let readable = |index: usize| shown.get(index).cloned().flatten();
        let source = readable(finding.file);

        let mut labels = Vec::new();
        if source.is_some() {
            labels.push(LabeledSpan::new_primary_with_span(
                Some(finding.label.clone()),
                finding.span.clone(),
            ));
        }

        let mut related = Vec::new();
        for r in &finding.related {
            if r.file == finding.file && source.is_some() {
                labels.push(LabeledSpan::new_with_span(Some(r.label.clone()), r.span.clone()));
            } else {
                let label = match set.files.get(r.file) {
                    Some(f) => format!("{}: {}", f.source.name(), r.label),
                    None => r.label.clone(),
                };
                related.push(RelatedDiagnostic {
                    label,
                    source: readable(r.file),
                    span: r.span.clone(),
                });
            }
        }

        Self {
            finding,
            header: format!("{} {}", finding.rule.code, finding.rule.name),
            source,
            labels,
            related,
        }
    }
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FindingDiagnostic").field("header", &self.header).finish_non_exhaustive()
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.header))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.finding.help))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
    }
}

impl fmt::Display for RelatedDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

impl std::error::Error for RelatedDiagnostic {}

impl Diagnostic for RelatedDiagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = LabeledSpan::new_with_span(Some("here".to_string()), self.span.clone());
        Some(Box::new(std::iter::once(span)))
    }
}
