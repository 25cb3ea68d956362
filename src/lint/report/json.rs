//! `--format json`: an array of findings, each with its rule, level, file, one-based lines and
//! character columns, byte span, message, help and related places.

use serde::Serialize;

use super::{Region, file_name, region};
use crate::lint::{FileSet, Finding, Severity};

#[derive(Serialize)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct ByteSpan {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct RelatedOut {
    file: String,
    start: Position,
    end: Position,
    span: ByteSpan,
    label: String,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    file: String,
    start: Position,
    end: Position,
    span: ByteSpan,
    message: &'a str,
    label: &'a str,
    help: &'a str,
    related: Vec<RelatedOut>,
}

fn positions(r: Region) -> (Position, Position) {
    (
        Position { line: r.start_line, column: r.start_column },
        Position { line: r.end_line, column: r.end_column },
    )
}

/// The findings as a pretty-printed JSON array, with a final newline.
pub fn json(set: &FileSet, findings: &[Finding]) -> String {
    let out: Vec<FindingOut> = findings
        .iter()
        .map(|f| {
            let (start, end) = positions(region(set, f.file, &f.span));
            let related = f
                .related
                .iter()
                .map(|r| {
                    let (start, end) = positions(region(set, r.file, &r.span));
                    RelatedOut {
                        file: file_name(set, r.file),
                        start,
                        end,
                        span: ByteSpan { start: r.span.start, end: r.span.end },
                        label: r.label.clone(),
                    }
                })
                .collect();
            FindingOut {
                code: f.rule.code,
                name: f.rule.name,
                severity: f.severity,
                file: file_name(set, f.file),
                start,
                end,
                span: ByteSpan { start: f.span.start, end: f.span.end },
                message: &f.message,
                label: &f.label,
                help: &f.help,
                related,
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "[]".to_string());
    text.push('\n');
    text
}
