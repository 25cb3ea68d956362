//! `zergcfg lint`: every known mistake in the dance's files, generated or hand-written, each
//! reported as a finding with a stable rule code, the exact span and a line saying how to fix it.
//!
//! Rules look at single files and at the whole set (pool, zergling A, the restarter, galaxy.yml
//! and both job confs) together; a [`FileSet`] holds every file with its role and its parsed
//! forms, and each rule reads what it needs from it.

pub mod files;
mod framework;
pub mod layout;
pub mod load;
pub mod report;
pub mod rules;
pub mod suppress;

pub use files::{FileSet, LintFile, Role};

use crate::error::Error;
use crate::source::Span;

/// How serious a finding is. Only errors make `lint` exit 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
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

impl Severity {
    /// The level's name as zerg.toml's `[lint.level]` and the reports spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Reads a level name (`error`, `warning`, `info`).
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// ZC001: a file that cannot be read or parsed. Reported by the framework, never suppressed,
/// ignored or re-levelled: a rule cannot look at such a file, so the run is incomplete.
pub static UNREADABLE_INPUT: RuleInfo = RuleInfo {
    code: "ZC001",
    name: "unreadable-input",
    severity: Severity::Error,
    summary: "a file cannot be read, or is not the YAML or job conf XML its role needs",
    why: "No other rule can look at a file that does not read, so the run says nothing about it \
          and lint exits 2. uWSGI and Galaxy would refuse the file as well: libyaml and PyYAML \
          stop at the same syntax error, and Galaxy does not start with a malformed job conf.",
    bad: "uwsgi:\n  processes: [2\n",
    good: "uwsgi:\n  processes: 2\n",
};

/// ZC002: a suppression comment that suppressed nothing, cannot be read, or gives no reason.
pub static UNUSED_SUPPRESSION: RuleInfo = RuleInfo {
    code: "ZC002",
    name: "unused-suppression",
    severity: Severity::Warning,
    summary: "a `zergcfg: ignore[...]` comment suppresses nothing, or gives no reason",
    why: "A suppression that no longer matches a finding hides nothing today but will hide the \
          next, unrelated mistake on that line. A suppression without a reason leaves the next \
          reader guessing whether it is still needed. Comments that start with `zergcfg:` but do \
          not read as `ignore[CODE, ...] reason` are reported here too.",
    bad: "uwsgi:\n  master: true  # zergcfg: ignore[ZC101] B is started by hand\n",
    good: "uwsgi:\n  master: true\n",
};

/// ZC003: lint guessed a file's role from its content.
pub static ASSUMED_ROLE: RuleInfo = RuleInfo {
    code: "ZC003",
    name: "assumed-role",
    severity: Severity::Info,
    summary: "lint had to guess a file's role in the dance from its content",
    why: "Which rules apply to a file depends on its role (pool, zergling A, restarter, \
          galaxy.yml, job conf, restarter job conf). A file given by a path that is neither a \
          canonical name nor a path in zerg.toml gets a role from what it holds; this finding \
          says which, so that a wrong guess does not go unnoticed.",
    bad: "zergcfg lint my-pool.yml\n",
    good: "zergcfg lint --config zerg.toml my-pool.yml   # or name it vassal-zergpool.yml\n",
};

/// The rules the framework itself reports.
pub static FRAMEWORK: &[&RuleInfo] = &[&UNREADABLE_INPUT, &UNUSED_SUPPRESSION, &ASSUMED_ROLE];

/// Every rule's description, framework and registered rules, in code order.
pub fn rule_infos() -> Vec<&'static RuleInfo> {
    let mut infos: Vec<&'static RuleInfo> = FRAMEWORK.to_vec();
    infos.extend(rules::ALL.iter().map(|r| r.info()));
    infos.sort_by_key(|i| i.code);
    infos
}

/// The rule with this code (any case) or name.
pub fn find_rule(code_or_name: &str) -> Option<&'static RuleInfo> {
    let wanted = code_or_name.trim();
    rule_infos()
        .into_iter()
        .find(|i| i.code.eq_ignore_ascii_case(wanted) || i.name.eq_ignore_ascii_case(wanted))
}

/// The rule code or name closest to an unknown one, for a "did you mean".
pub fn suggest_rule(unknown: &str) -> Option<&'static RuleInfo> {
    suggest_among(unknown, &rule_infos())
}

/// The rule of `infos` whose code or name is closest to an unknown one, if any is close.
pub fn suggest_among(unknown: &str, infos: &[&'static RuleInfo]) -> Option<&'static RuleInfo> {
    let wanted = unknown.trim().to_ascii_lowercase();
    let codes: Vec<String> = infos.iter().map(|i| i.code.to_ascii_lowercase()).collect();
    let candidates = codes.iter().map(String::as_str).chain(infos.iter().map(|i| i.name));
    let found = crate::suggest::closest(&wanted, candidates)?;
    infos.iter().copied().find(|i| i.code.eq_ignore_ascii_case(found) || i.name == found)
}

/// Checks zerg.toml's `[lint]` settings: every rule they name exists, and ZC001 is not among
/// them (a file no rule could read is never hidden).
///
/// # Errors
/// The first unknown or protected rule, pointing at `[lint]` in zerg.toml, with a did-you-mean.
pub fn check_settings(config: &crate::config::Config) -> Result<(), Error> {
    let names = config
        .lint_ignore
        .iter()
        .map(|n| (n, vec!["lint", "ignore"]))
        .chain(config.lint_level.iter().map(|(n, _)| (n, vec!["lint", "level", n.as_str()])));

    for (name, keys) in names {
        let problem = match find_rule(name) {
            Some(info) if info.code == UNREADABLE_INPUT.code => format!(
                "`{name}` cannot be ignored or re-levelled: a file no rule could read is always \
                 reported"
            ),
            Some(_) => continue,
            None => format!("zerg.toml's [lint] names `{name}`, which is no rule of zergcfg lint"),
        };
        let help = match suggest_rule(name) {
            Some(info) if info.code != UNREADABLE_INPUT.code => {
                format!(
                    "did you mean `{}` ({})? `zergcfg explain --list` lists every rule",
                    info.code, info.name
                )
            }
            _ => "remove it; `zergcfg explain --list` lists every rule".to_string(),
        };
        let span = config.span_of(&keys).or_else(|| config.span_of(&["lint"])).unwrap_or(0..0);
        return Err(
            Error::at("zergcfg::config", &config.source, span, problem, "here").with_help(help)
        );
    }
    Ok(())
}

/// Runs every rule over `set`, then applies suppression comments and zerg.toml's `[lint]`
/// settings, and returns the findings sorted by file, then position.
pub fn run(set: &FileSet) -> Vec<Finding> {
    run_rules(set, rules::ALL)
}

/// [`run`] with another list of rules (the framework's own findings are always made).
pub fn run_rules(set: &FileSet, rules: &[&dyn Rule]) -> Vec<Finding> {
    let mut findings = framework::findings(set);
    let effective = rules::effective::effective(set);
    let mut found = Vec::new();
    for rule in rules {
        rule.check(&effective, &mut found);
    }
    rules::effective::point_into_includes(&effective, &mut found);
    findings.extend(found);

    let mut known: Vec<&'static RuleInfo> = FRAMEWORK.to_vec();
    known.extend(rules.iter().map(|r| r.info()));
    let mut findings = suppress::apply(set, findings, &known);

    if let Some(config) = &set.config {
        apply_settings(config, &mut findings);
    }

    scrub_secrets(set, &mut findings);

    findings.sort_by(|a, b| {
        let path = |f: &Finding| set.files.get(f.file).map(|file| file.source.path.clone());
        (path(a), a.span.start, a.span.end, a.rule.code, &a.message).cmp(&(
            path(b),
            b.span.start,
            b.span.end,
            b.rule.code,
            &b.message,
        ))
    });
    findings
}

/// Removes from every finding's words the secret values of the files linted, should a rule
/// have quoted one: reports are pasted into tickets and CI logs.
fn scrub_secrets(set: &FileSet, findings: &mut [Finding]) {
    let secrets = set.secrets();
    if secrets.is_empty() {
        return;
    }
    for finding in findings {
        finding.message = secrets.hide(&finding.message);
        finding.label = secrets.hide(&finding.label);
        finding.help = secrets.hide(&finding.help);
        for related in &mut finding.related {
            related.label = secrets.hide(&related.label);
        }
    }
}

/// zerg.toml's `[lint] ignore` and `[lint.level]`; ZC001 is never touched.
fn apply_settings(config: &crate::config::Config, findings: &mut Vec<Finding>) {
    let named = |wanted: &str, info: &RuleInfo| {
        info.code.eq_ignore_ascii_case(wanted) || info.name.eq_ignore_ascii_case(wanted)
    };

    findings.retain(|f| {
        f.rule.code == UNREADABLE_INPUT.code
            || !config.lint_ignore.iter().any(|name| named(name, f.rule))
    });

    for finding in findings.iter_mut() {
        if finding.rule.code == UNREADABLE_INPUT.code {
            continue;
        }
        let level = config.lint_level.iter().rev().find(|(name, _)| named(name, finding.rule));
        if let Some(severity) = level.and_then(|(_, level)| Severity::parse(level)) {
            finding.severity = severity;
        }
    }
}

/// The exit code a set of findings calls for: 2 when a file could not be read (ZC001), 1 when
/// any finding is an error, else 0.
pub fn exit_code(findings: &[Finding]) -> i32 {
    if findings.iter().any(|f| f.rule.code == UNREADABLE_INPUT.code) {
        2
    } else {
        i32::from(findings.iter().any(|f| f.severity == Severity::Error))
    }
}

#[cfg(test)]
mod tests;
