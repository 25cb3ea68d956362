//! `--format github`: one GitHub Actions workflow command per finding (`::error`, `::warning`
//! or `::notice`), which the Actions runner turns into an annotation on the file and line.

use std::fmt::Write as _;

use super::{file_name, region};
use crate::lint::{FileSet, Finding, Severity};

/// Escapes a command's message: `%`, CR and LF.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: as a message, plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// One line per finding, with a final newline after each.
pub fn github(set: &FileSet, findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let r = region(set, f.file, &f.span);
        let title = format!("{} {}", f.rule.code, f.rule.name);
        let message = format!("{}\nhelp: {}", f.message, f.help);
        let _ = writeln!(
            out,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&file_name(set, f.file)),
            r.start_line,
            r.start_column,
            r.end_line,
            r.end_column,
            escape_property(&title),
            escape_data(&message),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner_rules() {
        assert_eq!(escape_data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
