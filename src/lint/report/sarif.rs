//! `--format sarif`: one SARIF 2.1.0 run whose driver lists every rule (from its [`RuleInfo`])
//! and whose results point at regions in character columns.
//!
//! [`RuleInfo`]: crate::lint::RuleInfo

use std::fmt::Write as _;

use serde_json::{Value, json};

use super::{file_name, region};
use crate::lint::{FileSet, Finding, Severity, rule_infos};

/// The SARIF level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a relative URI reference: `/` kept, anything outside the unreserved set escaped.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn location(set: &FileSet, file: usize, span: &crate::source::Span) -> Value {
    let r = region(set, file, span);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri(&file_name(set, file)) },
            "region": {
                "startLine": r.start_line,
                "startColumn": r.start_column,
                "endLine": r.end_line,
                "endColumn": r.end_column,
                "byteOffset": span.start,
                "byteLength": span.end.saturating_sub(span.start),
            }
        }
    })
}

/// The SARIF log, pretty-printed, with a final newline.
pub fn sarif(set: &FileSet, findings: &[Finding]) -> String {
    let infos = rule_infos();
    let rules: Vec<Value> = infos
        .iter()
        .map(|info| {
            json!({
                "id": info.code,
                "name": info.name,
                "shortDescription": { "text": info.summary },
                "fullDescription": { "text": info.why },
                "help": {
                    "text": format!(
                        "{}\n\nSilence it on one line with `# zergcfg: ignore[{}] reason`, or \
                         everywhere with `[lint] ignore = [\"{}\"]` in zerg.toml.",
                        info.summary, info.code, info.code
                    )
                },
                "defaultConfiguration": { "level": level(info.severity) },
            })
        })
        .collect();

    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = infos.iter().position(|i| i.code == f.rule.code);
            let related: Vec<Value> = f
                .related
                .iter()
                .enumerate()
                .map(|(id, r)| {
                    let mut l = location(set, r.file, &r.span);
                    l["id"] = json!(id);
                    l["message"] = json!({ "text": r.label });
                    l
                })
                .collect();
            let mut result = json!({
                "ruleId": f.rule.code,
                "level": level(f.severity),
                "message": { "text": format!("{}\nhelp: {}", f.message, f.help) },
                "locations": [location(set, f.file, &f.span)],
            });
            if let Some(index) = index {
                result["ruleIndex"] = json!(index);
            }
            if !related.is_empty() {
                result["relatedLocations"] = Value::Array(related);
            }
            result
        })
        .collect();

    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "zergcfg",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
