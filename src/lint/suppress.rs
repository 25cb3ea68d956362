//! Suppression comments: `# zergcfg: ignore[ZC101, unknown-option] reason` in YAML and
//! `<!-- zergcfg: ignore[ZC104] reason -->` in XML silence the named rules (by code or name) on
//! the comment's own line, or, when the comment stands alone on its line, on the line below; in
//! XML, when the line below starts an element, on every line of its start tag (`<handler` with
//! its `id="..."` on the next line).
//!
//! Every suppression must say why. One that gives no reason still suppresses (so that the
//! finding is not reported twice) but is itself reported as ZC002, as is each rule it names
//! that matched no finding, each name that is no rule, and a `zergcfg:` comment that does not
//! read as `ignore[...]`. ZC001 (a file that does not read) and ZC002 itself cannot be
//! suppressed.

use crate::lint::files::{FileSet, Role};
use crate::lint::{Finding, RuleInfo, UNREADABLE_INPUT, UNUSED_SUPPRESSION};
use crate::source::{Span, line_col};

/// The marker that starts a suppression, after the comment's opening.
const MARKER: &str = "zergcfg:";

/// One rule named in a suppression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The code or name as written.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// One `zergcfg:` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Bytes of the comment, from `#` or `<!--` on.
    pub span: Span,
    /// Zero-based line the comment starts on.
    pub line: usize,
    /// Zero-based line the comment ends on (XML comments may span lines).
    pub end_line: usize,
    /// Whether nothing but blanks precedes the comment on its line.
    pub own_line: bool,
    /// Zero-based last line a comment alone on its line covers below it: the next line, or the
    /// last line of the XML start tag that begins there.
    pub below_end: usize,
    /// The rules named in `ignore[...]`; `None` when the comment does not read as one.
    pub targets: Option<Vec<Target>>,
    /// The text after `]`, trimmed; `None` when empty.
    pub reason: Option<String>,
}

impl Suppression {
    /// Whether the suppression covers a finding that starts on zero-based `line`.
    pub fn covers(&self, line: usize) -> bool {
        line == self.line || (self.own_line && line > self.end_line && line <= self.below_end)
    }
}

/// Every `zergcfg:` comment of a file, in order; `xml` selects `<!-- -->` comments over `#`.
pub fn find(text: &str, xml: bool) -> Vec<Suppression> {
    let comments = if xml { xml_comments(text) } else { yaml_comments(text) };
    comments
        .into_iter()
        .filter_map(|(span, body)| {
            let inside = &text[body.clone()];
            let trimmed = inside.trim_start();
            let after = trimmed.strip_prefix(MARKER)?;
            let at = body.start + (inside.len() - trimmed.len()) + MARKER.len();
            let mut suppression = parse(text, span, at, after, body.end);
            if xml {
                suppression.below_end = start_tag_end_line(text, suppression.span.end)
                    .filter(|end| *end > suppression.end_line)
                    .unwrap_or(suppression.below_end);
            }
            Some(suppression)
        })
        .collect()
}

/// The zero-based line on which the XML start tag that begins on the line after `from` ends,
/// if the next line that is not blank starts with one and it is that line.
fn start_tag_end_line(text: &str, from: usize) -> Option<usize> {
    let (comment_line, _) = line_col(text, from);
    let rest = &text[from..];
    let start = from + (rest.len() - rest.trim_start().len());
    let (line, _) = line_col(text, start);
    let tag = &text[start..];
    let name_start = tag.strip_prefix('<')?.chars().next()?;
    if line != comment_line + 1 || !(name_start.is_alphabetic() || name_start == '_') {
        return None;
    }

    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return Some(line_col(text, start + i).0 - 1),
            _ => {}
        }
    }
    None
}

/// Reads the part after `zergcfg:` (which starts at byte `at` and ends at `end`).
fn parse(text: &str, span: Span, at: usize, after: &str, end: usize) -> Suppression {
    let (line, _) = line_col(text, span.start);
    let (end_line, _) = line_col(text, span.end.saturating_sub(1).max(span.start));
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let own_line = text[line_start..span.start].trim().is_empty();
    let mut suppression = Suppression {
        span,
        line: line - 1,
        end_line: end_line - 1,
        own_line,
        below_end: end_line,
        targets: None,
        reason: None,
    };

    let skipped = after.len() - after.trim_start().len();
    let Some(list) = after.trim_start().strip_prefix("ignore[") else {
        return suppression;
    };
    let list_start = at + skipped + "ignore[".len();
    let Some(close) = list.find(']') else {
        return suppression;
    };

    let mut targets = Vec::new();
    let mut item_start = list_start;
    for item in list[..close].split(',') {
        let lead = item.len() - item.trim_start().len();
        let name = item.trim();
        if !name.is_empty() {
            let start = item_start + lead;
            targets.push(Target { name: name.to_string(), span: start..start + name.len() });
        }
        item_start += item.len() + 1;
    }
    if targets.is_empty() {
        return suppression;
    }

    let reason = text[list_start + close + 1..end].trim();
    suppression.reason = (!reason.is_empty()).then(|| reason.to_string());
    suppression.targets = Some(targets);
    suppression
}

/// `#` comments: a `#` at the start of a line or after a blank, to the end of the line. Returns
/// the comment's span and the span of its text after `#`.
fn yaml_comments(text: &str) -> Vec<(Span, Span)> {
    let mut comments = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let bytes = content.as_bytes();
        let hash = (0..bytes.len()).find(|&i| {
            bytes[i] == b'#'
                && (i == 0 || bytes[i - 1] == b' ' || bytes[i - 1] == b'\t')
                && content[i + 1..].trim_start().starts_with(MARKER)
        });
        if let Some(i) = hash {
            let end = start + content.len();
            comments.push((start + i..end, start + i + 1..end));
        }
    }
    comments
}

/// `<!-- -->` comments, with the span of the text between the markers.
fn xml_comments(text: &str) -> Vec<(Span, Span)> {
    let mut comments = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find("<!--").map(|i| from + i) {
        let body = open + 4;
        let Some(close) = text[body..].find("-->").map(|i| body + i) else {
            break;
        };
        comments.push((open..close + 3, body..close));
        from = close + 3;
    }
    comments
}

/// Removes the findings that suppressions cover and adds ZC002 for every suppression problem.
/// `known` is every rule of the run, which a suppression may name.
pub fn apply(set: &FileSet, findings: Vec<Finding>, known: &[&'static RuleInfo]) -> Vec<Finding> {
    let mut kept = Vec::with_capacity(findings.len());
    let mut problems = Vec::new();

    let per_file: Vec<Vec<Suppression>> = set
        .files
        .iter()
        .map(|file| {
            let xml = file.role.is_job_conf()
                || (file.role == Role::Other
                    && file.source.path.extension().is_some_and(|e| e == "xml"));
            find(&file.source.text, xml)
        })
        .collect();
    let mut used: Vec<Vec<Vec<bool>>> = per_file
        .iter()
        .map(|s| s.iter().map(|s| vec![false; s.targets.as_ref().map_or(0, Vec::len)]).collect())
        .collect();

    for finding in findings {
        let protected = finding.rule.code == UNREADABLE_INPUT.code
            || finding.rule.code == UNUSED_SUPPRESSION.code;
        let suppressions = per_file.get(finding.file).map_or(&[][..], Vec::as_slice);
        let text = set.files.get(finding.file).map_or("", |f| &*f.source.text);
        let (line, _) = line_col(text, finding.span.start);

        let mut hit = false;
        if !protected {
            for (s_index, suppression) in suppressions.iter().enumerate() {
                let Some(targets) = &suppression.targets else { continue };
                if !suppression.covers(line - 1) {
                    continue;
                }
                for (t_index, target) in targets.iter().enumerate() {
                    if names(&target.name, finding.rule) {
                        used[finding.file][s_index][t_index] = true;
                        hit = true;
                    }
                }
            }
        }
        if !hit {
            kept.push(finding);
        }
    }

    for (file, suppressions) in per_file.iter().enumerate() {
        for (s_index, suppression) in suppressions.iter().enumerate() {
            report(file, suppression, &used[file][s_index], known, &mut problems);
        }
    }
    kept.extend(problems);
    kept
}

/// Whether a name in `ignore[...]` names this rule.
fn names(name: &str, rule: &RuleInfo) -> bool {
    rule.code.eq_ignore_ascii_case(name) || rule.name.eq_ignore_ascii_case(name)
}

/// ZC002 findings for one suppression.
fn report(
    file: usize,
    suppression: &Suppression,
    used: &[bool],
    known: &[&'static RuleInfo],
    out: &mut Vec<Finding>,
) {
    let Some(targets) = &suppression.targets else {
        out.push(Finding::new(
            &UNUSED_SUPPRESSION,
            file,
            suppression.span.clone(),
            "this `zergcfg:` comment does not read as a suppression",
            "not `zergcfg: ignore[CODE] reason`",
            "write `zergcfg: ignore[ZC101] why it is fine here` (codes or names, separated by \
             commas), or remove the comment",
        ));
        return;
    };

    let place = if suppression.own_line { "on this line or the next" } else { "on this line" };
    for (target, used) in targets.iter().zip(used) {
        if *used {
            continue;
        }
        match known.iter().find(|info| names(&target.name, info)) {
            None => out.push(Finding::new(
                &UNUSED_SUPPRESSION,
                file,
                target.span.clone(),
                format!("`{}` is not a rule of zergcfg lint", target.name),
                "no such rule",
                match crate::lint::suggest_among(&target.name, known) {
                    Some(info) => format!("did you mean `{}` ({})?", info.code, info.name),
                    None => "`zergcfg explain --list` lists every rule".to_string(),
                },
            )),
            Some(info) => out.push(Finding::new(
                &UNUSED_SUPPRESSION,
                file,
                target.span.clone(),
                format!(
                    "this suppression of {} {} matches no finding {place}",
                    info.code, info.name
                ),
                "suppresses nothing",
                format!("remove `{}` from the comment (or the whole comment)", target.name),
            )),
        }
    }

    if suppression.reason.is_none() && used.iter().any(|u| *u) {
        out.push(Finding::new(
            &UNUSED_SUPPRESSION,
            file,
            suppression.span.clone(),
            "this suppression gives no reason",
            "no reason after `]`",
            "say why the finding does not apply after the brackets, e.g. \
             `zergcfg: ignore[ZC304] read by our own plugin`",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_trailing_and_own_line_comments() {
        let text = "uwsgi:\n  # zergcfg: ignore[ZC101] B is special\n  mule: x  # zergcfg: \
                    ignore[ZC101, unknown-option] why\n";
        let found = find(text, false);
        assert_eq!(found.len(), 2);
        assert!(found[0].own_line);
        assert_eq!(found[0].line, 1);
        assert!(found[0].covers(2));
        assert!(!found[0].covers(3));
        assert_eq!(found[0].reason.as_deref(), Some("B is special"));
        assert!(!found[1].own_line);
        let targets = found[1].targets.as_ref().unwrap();
        assert_eq!(&text[targets[0].span.clone()], "ZC101");
        assert_eq!(&text[targets[1].span.clone()], "unknown-option");
        assert_eq!(found[1].reason.as_deref(), Some("why"));
    }

    #[test]
    fn a_hash_inside_a_value_is_not_a_comment() {
        assert!(find("a: b#zergcfg: ignore[ZC101] x\n", false).is_empty());
        assert!(find("a: b # zergcfg ignore\n", false).is_empty());
    }

    #[test]
    fn malformed_and_reasonless_comments() {
        let found = find("# zergcfg: ignroe[ZC101] x\n# zergcfg: ignore[ZC101]\n", false);
        assert_eq!(found[0].targets, None);
        assert!(found[1].targets.is_some());
        assert_eq!(found[1].reason, None);
        assert_eq!(find("# zergcfg: ignore[] x\n", false)[0].targets, None);
        assert_eq!(find("# zergcfg: ignore[ZC101 x\n", false)[0].targets, None);
    }

    #[test]
    fn an_xml_comment_above_an_element_covers_its_whole_start_tag() {
        let text = "<handlers>\n  <!-- zergcfg: ignore[ZC103] why -->\n  <handler\n    \
                    id=\"\"\n    tags=\"a>b\"/>\n  <handler id=\"x\"/>\n</handlers>\n";
        let found = find(text, true);
        assert_eq!(found.len(), 1);
        assert!(found[0].covers(2) && found[0].covers(3) && found[0].covers(4));
        assert!(!found[0].covers(5));

        let yaml = "uwsgi:\n  # zergcfg: ignore[ZC304] why\n  a: 1\n  b: 2\n";
        let found = find(yaml, false);
        assert!(found[0].covers(2) && !found[0].covers(3));
    }

    #[test]
    fn xml_comments_span_lines() {
        let text = "<job_conf>\n  <!-- zergcfg: ignore[ZC104]\n  no handlers on purpose -->\n  \
                    <plugins/>\n</job_conf>\n";
        let found = find(text, true);
        assert_eq!(found.len(), 1);
        assert_eq!((found[0].line, found[0].end_line), (1, 2));
        assert!(found[0].covers(3));
        assert_eq!(found[0].reason.as_deref(), Some("no handlers on purpose"));
        assert_eq!(&text[found[0].targets.as_ref().unwrap()[0].span.clone()], "ZC104");
    }
}
