//! ZC302 unportable-yaml: anything in a `uwsgi:` section that uWSGI's two YAML readers read
//! differently.
//!
//! A `PyPI` build reads YAML one line at a time: it cuts each line at `#`, takes the value after
//! the first `": "`, strips the spaces at both ends but keeps quotes, keeps a `\r`, counts a tab
//! as eight columns, and silently stops reading the section at a line with no `": "` (an empty
//! value, a continuation line, a block scalar's body) or at a list item. Debian's build reads
//! real YAML with libyaml. Only the portable subset ([`portable::check_value`], which build
//! applies to what it writes) reads the same in both; everything else is reported here, at the
//! key or value concerned, from the parsed tree (styles, spans) and the raw lines of the section
//! (tabs, CRLF).
//!
//! A file libyaml cannot read at all is read here as the line-based reader reads it: each value
//! outside the portable subset is reported (the first of them is usually what stops libyaml),
//! and the rest of the file is linted as a `PyPI` uWSGI would run it. In a file with a
//! `galaxy:` section, the line where real YAML stops is ZC303's, which says what Galaxy makes of
//! it, and so are the section's tabs, which Galaxy's `PyYAML` refuses.

use super::effective::has_top_level_key;
use super::syntax::line_at;
use crate::lint::{FileSet, Finding, LintFile, Rule, RuleInfo, Severity};
use crate::source::Span;
use crate::uwsgi::lines::{self, Stop};
use crate::uwsgi::portable::{self, Unportable};
use crate::yaml::{Node, Scalar, ScalarStyle};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC302",
    name: "unportable-yaml",
    severity: Severity::Error,
    summary: "a uWSGI section uses YAML that PyPI's line-based reader and Debian's libyaml read \
              differently",
    why: "uWSGI from PyPI reads YAML with its own line-based reader, Debian's uWSGI with libyaml, \
          and they agree only on plain `key: value` lines. A quoted value keeps its quotes in the \
          line-based reader; a value is cut at `#`; a key with no value, a list item or a \
          value continued on the next line makes the line-based reader stop reading the section \
          without a word, so every option after it is lost; CRLF leaves `\\r` at the end of each \
          value; a tab counts as indentation; a value starting with `&`, `*`, `!`, `|`, `>`, `%` \
          or `@` means something else to libyaml, and `: ` inside a value or a value starting \
          with `@`, `%` or a backtick stops libyaml altogether, while the line-based reader \
          takes it. The same file then runs differently depending on how uWSGI was installed, \
          or not at all with Debian's.",
    bad: "uwsgi:\n  static-map: '/static=static'\n  pythonpath:\n    - lib\n  logto: \
          /srv/galaxy/var/zergling#1.log\n",
    good: "uwsgi:\n  static-map: /static=static\n  pythonpath: lib\n  logto: \
           /srv/galaxy/var/zergling-1.log\n",
};

/// The rule.
pub struct UnportableYaml;

impl Rule for UnportableYaml {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file) in set.files.iter().enumerate() {
            if file.role.is_uwsgi_yaml() {
                check_file(index, file, out);
            }
        }
    }
}

/// One finding's place, text and fix, before it is tied to a file.
struct Problem {
    span: Span,
    message: String,
    label: &'static str,
    help: String,
}

fn check_file(index: usize, file: &LintFile, out: &mut Vec<Finding>) {
    let documents = match &file.yaml {
        Some(Ok(documents)) => documents,
        Some(Err(error)) => return check_unreadable(index, file, &error.span, &error.message, out),
        None => return,
    };
    let Some(section) = documents.first().and_then(|d| d.root.get_last("uwsgi")) else {
        return;
    };
    let text: &str = &file.source.text;
    let mut problems = Vec::new();

    match &section.value {
        Node::Mapping { entries, flow: false, .. } => {
            for entry in entries {
                check_key(&entry.key, &mut problems);
                check_value(text, &entry.key, &entry.value, &mut problems);
            }
        }
        Node::Mapping { span, flow: true, .. } => problems.push(Problem {
            span: span.clone(),
            message: "the uwsgi section is a flow mapping (`{...}`), which uWSGI's line-based \
                      reader skips entirely"
                .into(),
            label: "flow mapping",
            help: "write one `option: value` line per option, indented under `uwsgi:`".into(),
        }),
        _ => return,
    }

    // Galaxy's PyYAML refuses these tabs outright, which ZC303 reports.
    let tabs = !has_top_level_key(text, "galaxy");
    check_lines(text, section.key.span.end..section.value.span().end, tabs, &mut problems);

    problems.sort_by_key(|p| p.span.start);
    for p in problems {
        out.push(Finding::new(&RULE, index, p.span, p.message, p.label, p.help));
    }
}

fn check_key(key: &Scalar, problems: &mut Vec<Problem>) {
    if key.style != ScalarStyle::Plain {
        problems.push(Problem {
            span: key.span.clone(),
            message: format!(
                "the option name `{}` is quoted, and uWSGI's readers unquote it differently",
                key.value
            ),
            label: "quoted name",
            help: format!("write the name without quotes: `{}:`", key.value),
        });
        return;
    }
    if let Err(why) = portable::check_key(&key.value) {
        problems.push(Problem {
            span: key.span.clone(),
            message: format!("the option name `{}` is not portable: {}", key.value, why.reason()),
            label: "unportable name",
            help: "use the option's exact name, made of letters, digits and dashes".into(),
        });
    }
}

fn check_value(text: &str, key: &Scalar, value: &Node, problems: &mut Vec<Problem>) {
    let name = &key.value;
    let scalar = match value {
        Node::Sequence { span, flow, .. } => {
            problems.push(Problem {
                span: span.clone(),
                message: format!(
                    "`{name}` has a {} as its value: uWSGI's line-based reader stops reading the \
                     section there, libyaml repeats the option for each item",
                    if *flow { "flow list (`[...]`)" } else { "list" }
                ),
                label: "list",
                help: format!(
                    "repeat the key instead, one line per item: `{name}: a` then `{name}: b`"
                ),
            });
            return;
        }
        Node::Mapping { span, .. } => {
            problems.push(Problem {
                span: span.clone(),
                message: format!(
                    "`{name}` has a mapping as its value, which no uWSGI reader takes as options"
                ),
                label: "mapping",
                help: format!("give `{name}` one plain value on its own line"),
            });
            return;
        }
        Node::Alias { span, .. } => {
            problems.push(Problem {
                span: span.clone(),
                message: format!(
                    "`{name}` takes its value from an alias, which uWSGI's line-based reader keeps \
                     as the literal text `{}`",
                    &text[span.clone()]
                ),
                label: "alias",
                help: format!("write the value itself after `{name}: `"),
            });
            return;
        }
        Node::Scalar(scalar) => scalar,
    };

    if scalar.anchor.is_some() || scalar.tag.is_some() {
        let properties = properties_span(text, key.span.end, scalar.span.start);
        problems.push(Problem {
            message: format!(
                "`{name}` has a YAML anchor or tag (`{}`), which uWSGI's line-based reader keeps \
                 as part of the value",
                &text[properties.clone()]
            ),
            span: properties,
            label: "anchor or tag",
            help: "remove it and write the plain value".into(),
        });
    }

    match scalar.style {
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
            let help = match portable::check_value(&scalar.value) {
                Ok(()) => format!("write it without quotes: `{name}: {}`", scalar.value),
                Err(why) => format!(
                    "the value cannot be written plainly ({}); set it another way, for example \
                     through a placeholder (`set-placeholder: name=...`)",
                    why.reason()
                ),
            };
            problems.push(Problem {
                span: scalar.span.clone(),
                message: format!(
                    "the value of `{name}` is quoted: uWSGI's line-based reader keeps the {} in \
                     the value{}",
                    if scalar.style == ScalarStyle::SingleQuoted {
                        "single quotes"
                    } else {
                        "double quotes"
                    },
                    if scalar.style == ScalarStyle::DoubleQuoted {
                        " and resolves no escapes"
                    } else {
                        ""
                    }
                ),
                label: "quoted",
                help,
            });
        }
        ScalarStyle::Literal | ScalarStyle::Folded => problems.push(Problem {
            span: scalar.span.clone(),
            message: format!(
                "the value of `{name}` is a block scalar: uWSGI's line-based reader takes `{}` \
                 as the value and stops reading the section at the next line",
                &text[scalar.span.start..=scalar.span.start]
            ),
            label: "block scalar",
            help: format!("write the value on the same line: `{name}: <value>`"),
        }),
        ScalarStyle::Plain => check_plain(text, name, key, scalar, problems),
    }
}

fn check_plain(text: &str, name: &str, key: &Scalar, scalar: &Scalar, problems: &mut Vec<Problem>) {
    if scalar.value.is_empty() {
        problems.push(Problem {
            span: key.span.clone(),
            message: format!(
                "`{name}` has no value: uWSGI's line-based reader silently stops reading the \
                 section here, libyaml drops the option"
            ),
            label: "no value",
            help: format!("give `{name}` a value (`{name}: true` for a flag), or remove the line"),
        });
        return;
    }

    let written = &text[scalar.span.clone()];
    if written.contains('\n') {
        problems.push(Problem {
            span: scalar.span.clone(),
            message: format!(
                "the value of `{name}` continues on the next line: uWSGI's line-based reader \
                 stops reading the section at the continuation line"
            ),
            label: "continued value",
            help: format!("write the whole value on one line: `{name}: {}`", scalar.value),
        });
        return;
    }

    let problem = match portable::check_value(&scalar.value) {
        Err(Unportable::Hash) => Some((
            format!("uWSGI's line-based reader cuts the value of `{name}` at `#`"),
            "cut here",
            "remove the `#`, or set the value through a placeholder defined on the command \
             line or in the environment"
                .to_string(),
        )),
        Err(why @ Unportable::Indicator(_)) => Some((
            format!("the value of `{name}` is not portable: {}", why.reason()),
            "indicator",
            "start the value with another character (for a placeholder, put a literal prefix \
             before it or set the whole option with `set-placeholder`)"
                .to_string(),
        )),
        Err(why) => Some((
            format!("the value of `{name}` is not portable: {}", why.reason()),
            "unportable",
            format!("write `{name}: <value>` with a plain value on one line"),
        )),
        Ok(()) => None,
    };
    if let Some((message, label, help)) = problem {
        problems.push(Problem { span: scalar.span.clone(), message, label, help });
    }
}

/// A file libyaml cannot read: every value of its uWSGI section, as the line-based reader reads
/// it, that is outside the portable subset, and the place libyaml stops when no such value is
/// on that line.
fn check_unreadable(
    index: usize,
    file: &LintFile,
    error_span: &Span,
    error: &str,
    out: &mut Vec<Finding>,
) {
    let text: &str = &file.source.text;
    let Some(section) = lines::read(text, "uwsgi") else {
        return;
    };
    // A parser stopping at the very end points at the end of the last line.
    let error_line = line_at(text, error_span.start.min(text.trim_end_matches(['\n', '\r']).len()));
    // Galaxy's reading of that line is ZC303's finding.
    let galaxy = has_top_level_key(text, "galaxy");
    let on_error_line =
        |span: &Span| span.start >= error_line.start && span.start <= error_line.end;

    let mut problems = Vec::new();
    for option in &section.options {
        let Err(why) = portable::check_value(&option.value) else {
            continue;
        };
        let span = if option.value_span.is_empty() {
            option.key_span.clone()
        } else {
            option.value_span.clone()
        };
        let fatal = on_error_line(&span);
        if galaxy && fatal {
            continue;
        }
        let libyaml = if fatal {
            format!("libyaml (Debian's uWSGI) cannot read the file here ({error})")
        } else {
            "libyaml (Debian's uWSGI) reads it differently".to_string()
        };
        problems.push(Problem {
            message: format!(
                "the value of `{}` is not portable: {}; {libyaml}, uWSGI's line-based reader \
                 (PyPI) takes `{}`",
                option.key,
                why.reason(),
                option.value
            ),
            span,
            label: "unportable",
            help: match why {
                Unportable::Indicator(_) => "start the value with another character (for a \
                                             placeholder, put a literal prefix before it or set \
                                             the whole option with `set-placeholder`)"
                    .to_string(),
                Unportable::ColonSpace => format!(
                    "write the value without `: `, for example through a placeholder defined \
                     with `set-placeholder: name=...` on a line libyaml can read: `{}: %(name)` \
                     does not start with `%`",
                    option.key
                ),
                _ => format!("write `{}: <value>` with a plain value on one line", option.key),
            },
        });
    }

    if let Some((span, stop)) = &section.stop {
        if !(galaxy && on_error_line(span)) {
            problems.push(Problem {
                span: span.clone(),
                message: match stop {
                    Stop::NoValue => "uWSGI's line-based reader stops reading the uwsgi section \
                                      at this line, which has no `: `"
                        .to_string(),
                    Stop::Collection => "uWSGI's line-based reader stops reading the uwsgi \
                                         section at this list item or flow collection"
                        .to_string(),
                },
                label: "the section ends here for PyPI's uWSGI",
                help: "write one `option: value` line per option (repeat a key instead of \
                       listing values)"
                    .to_string(),
            });
        }
    }

    let covered = problems.iter().any(|p| on_error_line(&p.span));
    if !covered && !galaxy {
        let content = &text[error_line.clone()];
        // A tab in the indentation is often what libyaml refuses: keep it inside the span.
        let lead = content.len() - content.trim_start_matches(' ').len();
        let span = error_line.start + lead..error_line.start + content.trim_end().len();
        problems.push(Problem {
            message: format!(
                "libyaml (Debian's uWSGI) cannot read this file ({error}), while uWSGI's \
                 line-based reader (PyPI) reads past it"
            ),
            span,
            label: "libyaml stops here",
            help: "fix the YAML on this line so that both readers take the same options"
                .to_string(),
        });
    }

    problems.sort_by_key(|p| p.span.start);
    for p in problems {
        out.push(Finding::new(&RULE, index, p.span, p.message, p.label, p.help));
    }
}

/// The anchor and tag text between a key's end and its value's start.
fn properties_span(text: &str, key_end: usize, value_start: usize) -> Span {
    let between = &text[key_end..value_start];
    let skip = between.find(|c: char| c != ':' && !c.is_whitespace()).unwrap_or(0);
    let start = key_end + skip;
    let end = start + text[start..value_start].trim_end().len();
    if end > start { start..end } else { key_end..value_start }
}

/// Tabs (unless `tabs` is false) and CRLF line ends on the lines of the section (after the
/// `uwsgi:` key).
fn check_lines(text: &str, range: Span, tabs: bool, problems: &mut Vec<Problem>) {
    let mut crlf_reported = false;
    let mut offset = range.start;
    while offset < range.end {
        let line = line_at(text, offset);
        let full_end = text[line.end..].find('\n').map_or(text.len(), |i| line.end + i + 1);

        // A tab inside a comment is cut off by both readers.
        let content = &text[line.clone()];
        let code = if content.trim_start().starts_with('#') {
            ""
        } else {
            content.find(" #").map_or(content, |i| &content[..i])
        };
        if let Some(tab) = code.find('\t').filter(|_| tabs) {
            let at = line.start + tab;
            problems.push(Problem {
                span: at..at + 1,
                message: "a tab in the uwsgi section: uWSGI's line-based reader counts a tab \
                          as eight columns of indentation and as a separator after `:`, libyaml \
                          does neither"
                    .into(),
                label: "tab",
                help: "replace the tab with spaces".into(),
            });
        }

        if !crlf_reported && text[line.end..].starts_with('\r') {
            crlf_reported = true;
            let content = &text[line.clone()];
            let span = match content.find(": ") {
                Some(colon) => line.start + colon + 2..line.end,
                None => line.clone(),
            };
            problems.push(Problem {
                span,
                message: "the file has CRLF line ends: uWSGI's line-based reader keeps the `\\r` \
                          at the end of every value, libyaml strips it"
                    .into(),
                label: "ends with \\r",
                help: "convert the file to LF line ends (`dos2unix FILE` or `sed -i 's/\\r$//' \
                       FILE`)"
                    .into(),
            });
        }

        offset = full_end.max(offset + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, single};

    fn spans(text: &str) -> Vec<String> {
        check(&UnportableYaml, &single(text))
            .iter()
            .map(|f| text[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn plain_section_is_clean() {
        let text = "# comment\nuwsgi:\n  master: true  # trailing comment\n  \
                    static-map: /static=static\n  # a comment line\n  processes: 2\n\ngalaxy:\n  \
                    brand: 'Quoted is fine here'\n";
        assert!(spans(text).is_empty(), "{:?}", spans(text));
    }

    #[test]
    fn quotes_hash_and_empty() {
        let text = "uwsgi:\n  static-map: '/static=static'\n  logto: /var/log/a#b.log\n  \
                    \"master\": true\n  thunder-lock:\n  processes: 2\n";
        assert_eq!(
            spans(text),
            vec!["'/static=static'", "/var/log/a#b.log", "\"master\"", "thunder-lock"]
        );
    }

    #[test]
    fn lists_blocks_and_continuations() {
        let text = "uwsgi:\n  pythonpath:\n    - lib\n    - tools\n  mule: [a.py, b.py]\n  \
                    env: |\n    A=1\n  module: galaxy.webapps.galaxy.buildapp:uwsgi_app()\n    \
                    extra\n";
        let found = spans(text);
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found[0].starts_with("- lib"));
        assert_eq!(found[1], "[a.py, b.py]");
        assert!(found[2].starts_with('|'));
        assert!(found[3].starts_with("galaxy.webapps"));
    }

    #[test]
    fn anchors_tabs_and_crlf() {
        let text = "uwsgi:\r\n  processes: &n 2\r\n  threads: *n\r\n  env: A=1\tB=2\r\n";
        let found = check(&UnportableYaml, &single(text));
        let texts: Vec<&str> = found.iter().map(|f| &text[f.span.clone()]).collect();
        assert!(texts.contains(&"&n"), "{texts:?}");
        assert!(texts.contains(&"*n"), "{texts:?}");
        assert!(texts.contains(&"\t"), "{texts:?}");
        assert!(found.iter().any(|f| f.message.contains("CRLF")), "{texts:?}");
    }

    #[test]
    fn values_libyaml_cannot_read_are_found_in_what_pypi_reads() {
        let text = "uwsgi:\n  processes: @file\n  threads: %(x)\n  env: A=a: b\n  \
                    stats: `x`\n  zergpool: @abstract:127.0.0.1:8080\n  master: true\n";
        assert_eq!(spans(text), ["@file", "%(x)", "A=a: b", "`x`", "@abstract:127.0.0.1:8080"]);
        let found = check(&UnportableYaml, &single(text));
        assert!(found[0].message.contains("cannot read the file here"), "{}", found[0].message);
        assert!(found[1].message.contains("reads it differently"), "{}", found[1].message);
    }

    #[test]
    fn a_syntax_error_without_an_unportable_value_is_reported_where_libyaml_stops() {
        let text = "uwsgi:\n  master: true\nother: [1\n";
        assert_eq!(spans(text), ["other: [1"]);
        let text = "uwsgi:\n  master: true\n  thunder-lock:\n  x: [1\n";
        assert_eq!(spans(text), ["thunder-lock:", "x: [1"]);
    }

    #[test]
    fn quotes_inside_a_plain_value_are_portable() {
        // Both uWSGIs (2.0.21 libyaml, 2.0.31 line-based) print each of these as written.
        let text = "uwsgi:\n  env: GREETING=say \"hi\"\n  env: B=x\"\n  env: D=a'\n  \
                    set-placeholder: p=q \"\n";
        assert!(spans(text).is_empty(), "{:?}", spans(text));
    }

    #[test]
    fn tabs_in_a_file_with_galaxy_are_left_to_zc303() {
        let text = "uwsgi:\n  master: true\t\n  processes: 2\t# two\ngalaxy:\n  brand: x\n";
        assert!(spans(text).is_empty(), "{:?}", spans(text));
        assert_eq!(spans("uwsgi:\n  master: true\t\n"), ["\t"]);
    }

    #[test]
    fn in_a_file_with_galaxy_the_fatal_line_is_left_to_zc303() {
        let text = "uwsgi:\n  processes: @file\n  threads: %(x)\ngalaxy:\n  brand: x\n";
        assert_eq!(spans(text), ["%(x)"]);
    }
}
