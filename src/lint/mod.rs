//! `zergcfg lint`: every known mistake in the dance's files, generated or hand-written, each
//! reported as a finding with a stable rule code, the exact span and a line saying how to fix it.
//!
//! Rules look at single files and at the whole set (pool, zergling A, the restarter, galaxy.yml
//! and both job confs) together; a [`FileSet`] holds every file with its role and its parsed
//! forms, and each rule reads what it needs from it.

pub mod files;
pub mod rules;

pub use files::{FileSet, LintFile, Role};

use crate::source::Span;

/// How serious a finding is. Only errors make `lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Breaks the dance: lost requests, stranded jobs, a handler name run twice.
    Error,
    /// Likely wrong, or fragile.
    Warning,
    /// Worth knowing (for example, a role zergcfg had to guess).
    Info,
}

/// The fixed description of a rule: its documentation is this text.
#[derive(Debug)]
pub struct RuleInfo {
    /// Stable code, e.g. `ZC101`.
    pub code: &'static str,
    /// Stable kebab-case name, e.g. `restarter-has-mules`.
    pub name: &'static str,
    /// Level unless zerg.toml's `[lint]` says otherwise.
    pub severity: Severity,
    /// One line: what it catches.
    pub summary: &'static str,
    /// Why it matters (a paragraph).
    pub why: &'static str,
    /// A file (or excerpt) that triggers it.
    pub bad: &'static str,
    /// The same, fixed.
    pub good: &'static str,
}

/// Another place a finding points at (the other file of a pair, the first of two duplicates).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Index of the file in the [`FileSet`].
    pub file: usize,
    /// Bytes pointed at.
    pub span: Span,
    /// What is there.
    pub label: String,
}

/// One mistake found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that found it.
    pub rule: &'static RuleInfo,
    /// Its level (the rule's, or as re-levelled by zerg.toml).
    pub severity: Severity,
    /// Index of the file in the [`FileSet`].
    pub file: usize,
    /// The exact bytes at fault (may be empty, at a position).
    pub span: Span,
    /// What is wrong, in one sentence.
    pub message: String,
    /// A few words under the pointed-at text.
    pub label: String,
    /// How to fix it.
    pub help: String,
    /// Other places involved.
    pub related: Vec<Related>,
}

impl PartialEq for RuleInfo {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for RuleInfo {}

impl Finding {
    /// A finding of `rule` at its default level.
    pub fn new(
        rule: &'static RuleInfo,
        file: usize,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            severity: rule.severity,
            file,
            span,
            message: message.into(),
            label: label.into(),
            help: help.into(),
            related: Vec::new(),
        }
    }

    /// Adds another place involved.
    #[must_use]
    pub fn with_related(mut self, file: usize, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related { file, span, label: label.into() });
        self
    }
}

/// A check over the file set.
pub trait Rule: Sync {
    /// The rule's fixed description.
    fn info(&self) -> &'static RuleInfo;

    /// Appends every finding of this rule in `set`.
    fn check(&self, set: &FileSet, out: &mut Vec<Finding>);
}
