//! The lint documentation stays in step with the rules: README.md has a table row for every rule,
//! and `zergcfg explain` prints each rule's text and lists them all.

use crate::support::{repo, zergcfg};

#[test]
fn readme_has_a_row_for_every_rule() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for info in zergcfg::lint::rule_infos() {
        let row = format!("| {} | {} | {} |", info.code, info.name, info.severity.as_str());
        assert!(readme.contains(&row), "README.md has no row `{row} ... |`");
    }
}

#[test]
fn explain_prints_every_rule() {
    for info in zergcfg::lint::rule_infos() {
        for key in [info.code, info.name] {
            let out = zergcfg(&repo(), &["explain", key]);
            let text = String::from_utf8(out.stdout).unwrap();
            assert!(out.status.success(), "explain {key}");
            assert!(text.starts_with(&format!("{} {} (", info.code, info.name)), "{text}");
            assert!(text.contains("\nWhy:\n") && text.contains("\nBad:\n"), "{text}");
            assert!(text.contains("\nGood:\n") && text.contains("\nSilence it:\n"), "{text}");
            let first_line = info.bad.lines().next().unwrap_or_default();
            assert!(text.contains(first_line), "{text}");
        }
    }
}

#[test]
fn explain_lists_every_rule_in_code_order() {
    let out = zergcfg(&repo(), &["explain", "--list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let codes: Vec<&str> = text.lines().map(|l| l.split_whitespace().next().unwrap()).collect();
    let expected: Vec<&str> = zergcfg::lint::rule_infos().iter().map(|i| i.code).collect();
    assert_eq!(codes, expected);
    for (line, info) in text.lines().zip(zergcfg::lint::rule_infos()) {
        assert!(line.contains(info.name) && line.ends_with(info.summary), "{line}");
    }
}
