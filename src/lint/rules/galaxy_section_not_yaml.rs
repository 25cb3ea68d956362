//! ZC303 galaxy-section-not-yaml: a file holding a `galaxy:` section (galaxy.yml, the
//! restarter) that Galaxy's YAML reader, `PyYAML`'s `safe_load`, cannot read.
//!
//! uWSGI's line-based reader (`PyPI` builds) takes `key: a: b` or a tab in its stride, so the
//! file can look fine until Galaxy itself reads it with `PyYAML` and fails to start. This rule
//! says, for a file with a top-level `galaxy:` line, where the problem is and why uWSGI did not
//! complain; the rest of the file is still linted as uWSGI's line-based reader reads it, so
//! the file gets this finding rather than ZC001. Files that are valid YAML are checked for
//! what `safe_load` refuses all the same, from the model build refuses galaxy.yml with
//! ([`crate::yaml::safe_load`]): a tab outside quotes, a control character, a second document,
//! a tag it cannot construct (`!foo`, `!!int abc`), a merge key `<<` without a mapping, and a
//! plain value it cannot build (`<<`, `2021-02-30`), in the `galaxy:` section and in the
//! `uwsgi:` section alike, since Galaxy loads the whole file.

use super::syntax::line_at;
use crate::lint::{FileSet, Finding, LintFile, Rule, RuleInfo, Severity};
use crate::source::Span;
use crate::yaml::Document;
use crate::yaml::safe_load::{self, Refused};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC303",
    name: "galaxy-section-not-yaml",
    severity: Severity::Error,
    summary: "a file holding `galaxy:` is not valid YAML, although uWSGI's line-based reader may \
              accept it",
    why: "Galaxy reads its configuration with PyYAML's `safe_load`, real YAML, while a PyPI uWSGI \
          reads the same file one line at a time and ignores what it does not understand. A \
          value holding `: `, a tab used for indentation or after a colon, or a stray \
          indentation pass uWSGI's reader and then stop Galaxy at start-up (or stop the \
          restarter halfway through a restart). So do, in a file that is otherwise valid YAML to \
          other readers, a tab outside quotes and comments, a control character, a second \
          document (`---`), a tag PyYAML cannot construct (`!foo`, `!!int abc`), a merge key \
          `<<` whose value is not a mapping, and a plain value PyYAML cannot build, such as \
          `<<` or a date that does not exist (`2021-02-30`), in any section of the file. This finding says where the problem is \
          and how to fix it for both readers; the rest of the file is linted as uWSGI's \
          line-based reader reads it.",
    bad: "galaxy:\n  brand: Galaxy: Training\n  job_config_file: \
          /srv/galaxy/config/job_conf-restarter.xml\n",
    good: "galaxy:\n  brand: 'Galaxy: Training'\n  job_config_file: \
           /srv/galaxy/config/job_conf-restarter.xml\n",
};

/// The rule.
pub struct GalaxySectionNotYaml;

impl Rule for GalaxySectionNotYaml {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file) in set.files.iter().enumerate() {
            let text: &str = &file.source.text;
            let error = match &file.yaml {
                Some(Err(error)) => error,
                Some(Ok(documents)) => {
                    let galaxy = documents.first().and_then(|d| d.root.get_last("galaxy"));
                    if let Some(galaxy) = galaxy {
                        out.extend(refusals(index, file, documents, galaxy.key.span.clone()));
                    }
                    continue;
                }
                None => continue,
            };
            let Some(galaxy) = top_level_key(text, "galaxy") else {
                continue;
            };

            let (span, cause, help) = locate(text, error.span.start);
            let section = section_of(text, span.start);
            let help = match (cause, section.as_deref()) {
                (Cause::ColonSpace, Some("uwsgi")) => {
                    "uWSGI options cannot hold `: ` in a way both YAML readers and Galaxy accept: \
                     set the value without `: ` (for example through a placeholder) or move it \
                     out of the uwsgi section"
                        .to_string()
                }
                _ => help,
            };

            let finding = Finding::new(
                &RULE,
                index,
                span,
                format!(
                    "Galaxy cannot read this file with PyYAML ({}), although uWSGI's line-based \
                     reader may accept it",
                    error.message
                ),
                cause.label(),
                help,
            )
            .with_related(index, galaxy, "Galaxy reads this section with PyYAML");
            out.push(finding);
        }
    }
}

/// What `safe_load` refuses in a file that parses.
fn refusals(index: usize, file: &LintFile, documents: &[Document], galaxy: Span) -> Vec<Finding> {
    let text: &str = &file.source.text;
    let mut out = Vec::new();
    for refusal in safe_load::refusals(text, documents) {
        let in_uwsgi = section_of(text, refusal.span.start).as_deref() == Some("uwsgi");
        let help = match refusal.kind {
            // uWSGI's line-based reader keeps quotes, so quoting is no way out there.
            Refused::Plain | Refused::Tag if in_uwsgi => {
                "uWSGI needs its values unquoted (its line-based reader keeps quotes) and \
                 PyYAML cannot load this one unquoted: change the value, or move the option \
                 into a file Galaxy does not read"
            }
            kind => kind.help(),
        };
        out.push(
            Finding::new(
                &RULE,
                index,
                refusal.span,
                format!("Galaxy cannot read this file: {}", refusal.message),
                refusal.kind.label(),
                help.to_string(),
            )
            .with_related(index, galaxy.clone(), "Galaxy reads this file with PyYAML"),
        );
    }
    out
}

/// What most likely broke the YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cause {
    Tab,
    ColonSpace,
    Other,
}

impl Cause {
    fn label(self) -> &'static str {
        match self {
            Cause::Tab => "tab",
            Cause::ColonSpace => "`: ` inside the value",
            Cause::Other => "not YAML",
        }
    }
}

/// The span of the top-level `key:` line's key, if the file has one.
fn top_level_key(text: &str, key: &str) -> Option<Span> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(key).and_then(|r| r.strip_prefix(':')) {
            let rest = rest.trim();
            if rest.is_empty() || rest.starts_with('#') {
                return Some(offset..offset + key.len());
            }
        }
        offset += line.len();
    }
    None
}

/// The exact place and likely cause of a parse error reported at `offset`: a tab or a second
/// `: ` on that line or the line before (parsers often stop at the start of the next token).
fn locate(text: &str, offset: usize) -> (Span, Cause, String) {
    let here = line_at(text, offset);
    let before = (here.start > 0).then(|| line_at(text, here.start - 1));

    for line in std::iter::once(here.clone()).chain(before) {
        let content = &text[line.clone()];
        if let Some(tab) = content.find('\t') {
            let at = line.start + tab;
            return (at..at + 1, Cause::Tab, "replace the tab with spaces".to_string());
        }
        if let Some(first) = content.find(": ") {
            let value_start = first + 2;
            let value = content[value_start..].trim_end();
            if value.contains(": ") && !value.starts_with(['\'', '"']) {
                let key = content[..first].trim();
                let span = line.start + value_start..line.start + value_start + value.len();
                let escaped = value.replace('\'', "''");
                return (span, Cause::ColonSpace, format!("quote the value: `{key}: '{escaped}'`"));
            }
        }
    }

    let content = &text[here.clone()];
    let trimmed = content.trim_start();
    let start = here.start + (content.len() - trimmed.len());
    let span =
        if trimmed.trim_end().is_empty() { here } else { start..start + trimmed.trim_end().len() };
    (
        span,
        Cause::Other,
        "fix the YAML at this point: Galaxy refuses to start with a configuration PyYAML cannot \
         read"
            .to_string(),
    )
}

/// The top-level section a byte offset lies in.
fn section_of(text: &str, offset: usize) -> Option<String> {
    text[..offset]
        .lines()
        .rev()
        .find(|line| {
            !line.is_empty() && !line.starts_with([' ', '\t', '#', '\r']) && line.contains(':')
        })
        .and_then(|line| line.split(':').next())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set_at};

    fn galaxy(text: &str) -> Vec<(String, String)> {
        let files = set_at(&[("/srv/galaxy/config/galaxy.yml", text)]);
        check(&GalaxySectionNotYaml, &files)
            .into_iter()
            .map(|f| (text[f.span.clone()].to_string(), f.help))
            .collect()
    }

    #[test]
    fn colon_space_in_galaxy_value() {
        let text = "uwsgi:\n  master: true\n\ngalaxy:\n  brand: Galaxy: Training\n";
        let found = galaxy(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "Galaxy: Training");
        assert!(found[0].1.contains("brand: 'Galaxy: Training'"));
    }

    #[test]
    fn colon_space_in_uwsgi_value() {
        let text = "uwsgi:\n  env: GREETING=a: b\n\ngalaxy:\n  brand: Training\n";
        let found = galaxy(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "GREETING=a: b");
        assert!(found[0].1.contains("placeholder"));
    }

    #[test]
    fn tab() {
        let text = "uwsgi:\n  master: true\ngalaxy:\n  brand:\tTraining\n";
        let found = galaxy(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "\t");
    }

    #[test]
    fn valid_yaml_that_safe_load_refuses() {
        let restarter = "uwsgi:\n  master: true\ngalaxy:\n  brand: x\n";
        for (added, at) in [
            ("---\nuwsgi:\n  processes: 3\n", "---"),
            ("  admin_users: !foo bar\n", "!foo bar"),
            ("  admin_users: !!int abc\n", "!!int abc"),
            ("  <<: 1\n", "<<"),
        ] {
            let text = format!("{restarter}{added}");
            let found = galaxy(&text);
            assert_eq!(found.len(), 1, "{added}: {found:?}");
            assert_eq!(found[0].0, at);
        }
        assert!(galaxy(&format!("{restarter}  admin_users: !!str bar\n")).is_empty());
        assert!(galaxy("uwsgi:\n  master: true\n---\nx: 1\n").is_empty());
    }

    #[test]
    fn restarter_values_pyyaml_cannot_build() {
        // yaml.safe_load refuses each (PyYAML 6.0.3, Galaxy 21.09's); uWSGI reads them fine.
        let restarter = "uwsgi:\n  master: true\n";
        for (added, at) in [("  env: <<\n", "<<"), ("  env: 2021-02-30\n", "2021-02-30")] {
            let text = format!("{restarter}{added}galaxy:\n  brand: x\n");
            let found = galaxy(&text);
            assert_eq!(found.len(), 1, "{added}: {found:?}");
            assert_eq!(found[0].0, at);
            assert!(found[0].1.contains("unquoted"), "{}", found[0].1);
        }
        let found = galaxy("uwsgi:\n  master: true\ngalaxy:\n  brand: 2021-02-30\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("quote the value"), "{}", found[0].1);
    }

    #[test]
    fn a_flow_galaxy_section_with_a_tag() {
        let found = galaxy("uwsgi:\n  master: true\ngalaxy: {admin_users: !foo x}\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "!foo x");
    }

    #[test]
    fn tabs_yaml_readers_take_and_pyyaml_refuses() {
        let found = galaxy("uwsgi:\n  master: true\ngalaxy:\n  brand: Galaxy\tTraining\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "\t");
        assert!(galaxy("uwsgi:\n  master: true\ngalaxy:\n  brand: 'a\tb'  # c\td\n").is_empty());
    }

    #[test]
    fn only_files_with_a_galaxy_section() {
        assert!(galaxy("uwsgi:\n  env: a: b\n").is_empty());
        assert!(galaxy("uwsgi:\n  master: true\ngalaxy:\n  brand: Training\n").is_empty());
    }
}
