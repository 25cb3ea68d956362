//! One file's unified diff, with secrets masked after diffing: the diff is made on the clear
//! text, so a changed secret still shows as a changed line, and only then is each shown line
//! masked (the file's secrets where they are, every known value wherever it occurs), so no
//! secret, changed or not, is ever printed.

use similar::{ChangeTag, TextDiff};

use crate::plan::PlannedFile;
use crate::secrets::{self, Kind, Secrets};
use crate::source::Span;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// What a line of a unified diff is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// `--- installed`.
    OldHeader,
    /// `+++ new`.
    NewHeader,
    /// `@@ -a,b +c,d @@`.
    Hunk,
    /// ` unchanged line`.
    Context,
    /// `-line only installed`.
    Removed,
    /// `+line only new`.
    Added,
    /// `\ No newline at end of file`.
    NoNewline,
}

/// One line of a unified diff, without its line end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// What it is (for colouring).
    pub kind: LineKind,
    /// The text as printed, marker included.
    pub text: String,
}

/// One text being diffed, with its line spans and its secrets.
struct Side<'t> {
    text: &'t str,
    lines: Vec<Span>,
    secrets: Vec<Span>,
}

impl<'t> Side<'t> {
    fn new(text: &'t str, kind: Kind, hidden: Option<&Secrets>) -> Self {
        let mut start = 0;
        let lines = text
            .split_inclusive('\n')
            .map(|line| {
                let span = start..start + line.trim_end_matches(['\n', '\r']).len();
                start += line.len();
                span
            })
            .collect();
        let secrets = hidden.map_or_else(Vec::new, |s| s.spans(kind, text));
        Self { text, lines, secrets }
    }

    /// Line `index` masked, the clear secrets it held, and the text before its first secret.
    fn line(&self, index: usize) -> (String, Vec<&'t str>, &'t str) {
        let span = self.lines.get(index).cloned().unwrap_or(0..0);
        let (masked, clear) = secrets::mask_line(self.text, &span, &self.secrets);
        let prefix_end = self
            .secrets
            .iter()
            .find(|s| s.start < span.end && s.end > span.start)
            .map_or(span.end, |s| s.start.max(span.start));
        (masked, clear, &self.text[span.start..prefix_end])
    }
}

/// The unified diff of what is installed (`None`: nothing) against what `file` would hold,
/// with `hidden`'s values and each side's own secrets masked (`None`: shown in clear); empty
/// when the content is the same.
pub fn lines(file: &PlannedFile, installed: Option<&str>, hidden: Option<&Secrets>) -> Vec<Line> {
    let new = file.content.as_str();
    if installed == Some(new) {
        return Vec::new();
    }

    let kind = file.role.kind();
    let old_side = Side::new(installed.unwrap_or(""), kind, hidden);
    let new_side = Side::new(new, kind, hidden);
    let shown = file.on_disk.display();
    let old_name =
        if installed.is_some() { format!("{shown} (installed)") } else { "/dev/null".into() };
    let new_name = format!("{shown} (new)");

    let diff = TextDiff::from_lines(old_side.text, new_side.text);
    let mut unified = diff.unified_diff();
    unified.context_radius(CONTEXT).header(&old_name, &new_name);

    let mut out = vec![
        Line { kind: LineKind::OldHeader, text: format!("--- {old_name}") },
        Line { kind: LineKind::NewHeader, text: format!("+++ {new_name}") },
    ];
    for hunk in unified.iter_hunks() {
        out.push(Line { kind: LineKind::Hunk, text: hunk.header().to_string() });

        // The removed lines of this hunk that hold secrets, by the text before their first
        // secret (the key), so that an added line can say whether its secret changed.
        let removed: Vec<(&str, Vec<&str>)> = hunk
            .iter_changes()
            .filter(|c| c.tag() == ChangeTag::Delete)
            .filter_map(|c| c.old_index())
            .map(|i| old_side.line(i))
            .filter(|(_, clear, _)| !clear.is_empty())
            .map(|(_, clear, prefix)| (prefix, clear))
            .collect();

        for change in hunk.iter_changes() {
            let (kind, marker, (masked, clear, prefix)) = match change.tag() {
                ChangeTag::Equal => {
                    (LineKind::Context, ' ', old_side.line(change.old_index().unwrap_or(0)))
                }
                ChangeTag::Delete => {
                    (LineKind::Removed, '-', old_side.line(change.old_index().unwrap_or(0)))
                }
                ChangeTag::Insert => {
                    (LineKind::Added, '+', new_side.line(change.new_index().unwrap_or(0)))
                }
            };
            let note = if clear.is_empty() {
                ""
            } else if kind == LineKind::Added
                && removed.iter().any(|(p, old)| *p == prefix && *old != clear)
            {
                " (secret, changed)"
            } else {
                " (secret)"
            };
            out.push(Line { kind, text: format!("{marker}{masked}{note}") });
            if change.missing_newline() {
                let text = "\\ No newline at end of file".to_string();
                out.push(Line { kind: LineKind::NoNewline, text });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::plan::{Access, Role};

    fn planned(content: &str) -> PlannedFile {
        PlannedFile {
            role: Role::Restarter,
            target: PathBuf::from("/srv/galaxy/config/galaxy-restarter.yml"),
            on_disk: PathBuf::from("./srv/galaxy/config/galaxy-restarter.yml"),
            content: content.to_string(),
            access: Access::Secret { group: None },
        }
    }

    const HIDE: Option<&Secrets> = Some(&Secrets::EMPTY);

    fn texts(lines: &[Line]) -> Vec<&str> {
        lines.iter().map(|l| l.text.as_str()).collect()
    }

    #[test]
    fn same_content_has_no_lines() {
        assert!(lines(&planned("a: b\n"), Some("a: b\n"), HIDE).is_empty());
    }

    #[test]
    fn created_files_diff_from_dev_null() {
        let out = lines(&planned("a: b\nid_secret: xyz123\n"), None, HIDE);
        assert_eq!(
            texts(&out),
            [
                "--- /dev/null",
                "+++ ./srv/galaxy/config/galaxy-restarter.yml (new)",
                "@@ -0,0 +1,2 @@",
                "+a: b",
                "+id_secret: ******** (secret)",
            ]
        );
    }

    #[test]
    fn a_changed_secret_shows_as_changed_and_masked() {
        let old = "a: 1\nid_secret: old-value\nb: 2\n";
        let new = "a: 1\nid_secret: new-value\nb: 2\n";
        let out = lines(&planned(new), Some(old), HIDE);
        assert_eq!(
            texts(&out)[2..],
            [
                "@@ -1,3 +1,3 @@",
                " a: 1",
                "-id_secret: ******** (secret)",
                "+id_secret: ******** (secret, changed)",
                " b: 2",
            ]
        );
        assert!(!format!("{out:?}").contains("value"));
    }

    #[test]
    fn an_unchanged_secret_next_to_a_change_stays_masked() {
        let old = "db: postgresql://g:pw123@h/g\nbrand: A\n";
        let new = "db: postgresql://g:pw123@h/g\nbrand: B\n";
        let out = lines(&planned(new), Some(old), HIDE);
        assert_eq!(
            texts(&out)[2..],
            [
                "@@ -1,2 +1,2 @@",
                " db: postgresql://g:********@h/g (secret)",
                "-brand: A",
                "+brand: B"
            ]
        );
    }

    #[test]
    fn a_url_whose_host_changed_keeps_its_password_masked() {
        let old = "db: postgresql://g:pw123@h1/g\n";
        let new = "db: postgresql://g:pw123@h2/g\n";
        let out = lines(&planned(new), Some(old), HIDE);
        assert_eq!(
            texts(&out)[3..],
            [
                "-db: postgresql://g:********@h1/g (secret)",
                "+db: postgresql://g:********@h2/g (secret)"
            ]
        );
    }

    #[test]
    fn show_secrets_prints_them() {
        let out = lines(&planned("id_secret: xyz123\n"), Some("id_secret: abc\n"), None);
        assert_eq!(texts(&out)[3..], ["-id_secret: abc", "+id_secret: xyz123"]);
    }

    #[test]
    fn a_missing_final_newline_is_marked() {
        let out = lines(&planned("a: b\n"), Some("a: b"), HIDE);
        assert_eq!(
            texts(&out)[2..],
            ["@@ -1 +1 @@", "-a: b", "\\ No newline at end of file", "+a: b"]
        );
    }
}
