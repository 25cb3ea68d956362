//! `zergcfg explain`: a rule's documentation, or the list of every rule.

use std::fmt::Write as _;

use zergcfg::error::Error;
use zergcfg::lint::{RuleInfo, Severity, UNREADABLE_INPUT, find_rule, rule_infos, suggest_rule};

use super::args::ExplainArgs;
use super::output::Output;
use super::{FAILED, OK};

/// Width the prose is wrapped to.
const WIDTH: usize = 96;

/// Prints the rule's text, or every rule with `--list`; 2 for an unknown rule.
pub fn run(out: &Output, args: &ExplainArgs) -> i32 {
    if args.list {
        Output::report(&list());
        return OK;
    }

    let wanted = args.rule.as_deref().unwrap_or_default();
    if let Some(info) = find_rule(wanted) {
        Output::report(&explain(info));
        return OK;
    }

    let help = match suggest_rule(wanted) {
        Some(info) => format!(
            "did you mean `{}` ({})? `zergcfg explain --list` lists every rule",
            info.code, info.name
        ),
        None => "`zergcfg explain --list` lists every rule".to_string(),
    };
    let error = Error::new("zergcfg::explain", format!("`{wanted}` is no rule of zergcfg lint"))
        .with_help(help);
    out.diagnostic(&error);
    FAILED
}

/// One line per rule: code, name, level, summary.
fn list() -> String {
    let infos = rule_infos();
    let name_width = infos.iter().map(|i| i.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for info in infos {
        let _ = writeln!(
            text,
            "{}  {:name_width$}  {:7}  {}",
            info.code,
            info.name,
            info.severity.as_str(),
            info.summary
        );
    }
    text
}

/// A rule's full text.
fn explain(info: &RuleInfo) -> String {
    let mut text = format!("{} {} ({})\n\n", info.code, info.name, info.severity.as_str());
    text.push_str(&wrap(info.summary, ""));
    text.push_str("\n\nWhy:\n");
    text.push_str(&wrap(info.why, "  "));
    text.push_str("\n\nBad:\n");
    text.push_str(&indent(info.bad));
    text.push_str("\nGood:\n");
    text.push_str(&indent(info.good));

    text.push_str("\nSilence it:\n");
    if info.code == UNREADABLE_INPUT.code {
        text.push_str("  It cannot be silenced: fix the file so that it reads.\n");
        return text;
    }
    let _ = write!(
        text,
        "  on one line, with a comment on that line or alone on the line above it:\n    \
         # zergcfg: ignore[{code}] why it does not apply here\n    \
         <!-- zergcfg: ignore[{code}] why it does not apply here -->\n  \
         everywhere, in zerg.toml:\n    [lint]\n    ignore = [\"{code}\"]\n  \
         or at another level, in zerg.toml:\n    [lint.level]\n    {code} = \"{level}\"\n",
        code = info.code,
        level = if info.severity == Severity::Warning { "info" } else { "warning" },
    );
    text
}

/// Indents every line of an example by four spaces.
fn indent(example: &str) -> String {
    example
        .lines()
        .map(|l| if l.is_empty() { "\n".to_string() } else { format!("    {l}\n") })
        .collect()
}

/// Wraps prose at [`WIDTH`], each line starting with `prefix`.
fn wrap(text: &str, prefix: &str) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && prefix.len() + line.len() + 1 + word.len() > WIDTH {
            lines.push(format!("{prefix}{line}"));
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(format!("{prefix}{line}"));
    }
    lines.join("\n")
}
