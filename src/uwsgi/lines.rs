//! uWSGI's own line-based YAML reader, the one a `PyPI` build uses, reproduced with byte spans.
//!
//! It reads one line at a time: a `#` anywhere starts a comment, a space counts one column of
//! indentation and a tab or `\r` eight, and only lines at the indentation of the first line
//! are section keys. Inside the asked section each line is `key: value` split at the first
//! `": "` (or `":\t"`); spaces, tabs and `"` are stripped from both ends of the key and the
//! value (a `\r` at the end stays, one at the start goes). A line without `": "`, or starting
//! with `-`, `[` or `{`, ends the reading, silently, as does the next line that is not indented
//! below the section key. This is what the `PyPI` uWSGI sees in a file that libyaml, and so
//! Debian's uWSGI, cannot read at all.

use super::UwsgiOption;
use crate::source::Span;

/// Why the reader stopped before the section's indentation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A line without `": "`, such as `key:` with no value or a continued value.
    NoValue,
    /// A line starting with `-`, `[` or `{`: a list item or a flow collection.
    Collection,
}

/// The options of one section as the line-based reader takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineSection {
    /// The options, in order.
    pub options: Vec<UwsgiOption>,
    /// Bytes of the section's key (`uwsgi`).
    pub key_span: Span,
    /// Where the reader stopped early and why (the line's content), if it did.
    pub stop: Option<(Span, Stop)>,
}

/// Reads `section` of `text` as uWSGI's line-based reader does; `None` when no line at the top
/// indentation names it.
pub fn read(text: &str, section: &str) -> Option<LineSection> {
    let mut current_depth = 0;
    let mut found: Option<LineSection> = None;
    let mut offset = 0;

    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.strip_suffix('\n').unwrap_or(raw);
        let content = &line[..line.find('#').unwrap_or(line.len())];
        if content.is_empty() {
            continue;
        }

        let depth = depth(content);
        if depth <= current_depth {
            current_depth = depth;
            if found.is_some() {
                break;
            }
        } else if found.is_none() {
            continue;
        }

        let lead = content.len() - content.trim_start_matches([' ', '\t', '\r', '"']).len();
        let key = &content[lead..];
        if key.is_empty() {
            continue;
        }
        let at = start + lead;

        if key.starts_with(['-', '[', '{']) {
            if let Some(section) = &mut found {
                section.stop = Some((at..at + key.trim_end().len(), Stop::Collection));
                break;
            }
            continue;
        }

        let Some(section_found) = &mut found else {
            if key.find(':').is_some_and(|colon| &key[..colon] == section) {
                found = Some(LineSection {
                    options: Vec::new(),
                    key_span: at..at + section.len(),
                    stop: None,
                });
            }
            continue;
        };

        let Some(colon) = key.find(": ").or_else(|| key.find(":\t")) else {
            section_found.stop = Some((at..at + key.trim_end().len(), Stop::NoValue));
            break;
        };
        let name = key[..colon].trim_end_matches([' ', '\t', '"']);
        let after = &key[colon + 2..];
        let value_lead = after.len() - after.trim_start_matches([' ', '\t', '\r', '"']).len();
        let value = after[value_lead..].trim_end_matches([' ', '\t', '"']);
        let value_start = at + colon + 2 + value_lead;

        section_found.options.push(UwsgiOption {
            key: name.to_string(),
            value: value.to_string(),
            key_span: at..at + name.len(),
            value_span: value_start..value_start + value.len(),
            included: None,
        });
    }
    found
}

/// The indentation of a line as the reader counts it: a space is one column, a tab or `\r`
/// eight.
fn depth(line: &str) -> usize {
    line.bytes()
        .map_while(|b| match b {
            b' ' => Some(1),
            b'\t' | b'\r' => Some(8),
            _ => None,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(section: &LineSection) -> Vec<(&str, &str)> {
        section.options.iter().map(|o| (o.key.as_str(), o.value.as_str())).collect()
    }

    #[test]
    fn reads_what_libyaml_cannot() {
        let text = "---\n# A\nuwsgi:\n  processes: @file\n  threads: %(x)\n  env: A=a: b\n  \
                    brand: `x` # note\n  \"quoted\": \"v\"\n  single: 'v'\ngalaxy:\n  a: b\n";
        let section = read(text, "uwsgi").unwrap();
        assert_eq!(
            pairs(&section),
            [
                ("processes", "@file"),
                ("threads", "%(x)"),
                ("env", "A=a: b"),
                ("brand", "`x`"),
                ("quoted", "v"),
                ("single", "'v'"),
            ]
        );
        for option in &section.options {
            assert_eq!(&text[option.key_span.clone()], option.key);
            assert_eq!(&text[option.value_span.clone()], option.value);
        }
        assert_eq!(&text[section.key_span.clone()], "uwsgi");
        assert_eq!(section.stop, None);
        assert_eq!(pairs(&read(text, "galaxy").unwrap()), [("a", "b")]);
        assert!(read(text, "other").is_none());
    }

    #[test]
    fn stops_at_empty_values_lists_and_the_next_section() {
        let text = "uwsgi:\n  master: true\n  thunder-lock:\n  processes: 2\n";
        let section = read(text, "uwsgi").unwrap();
        assert_eq!(pairs(&section), [("master", "true")]);
        let (span, why) = section.stop.clone().unwrap();
        assert_eq!((&text[span], why), ("thunder-lock:", Stop::NoValue));

        let text = "uwsgi:\n  mule:\n  - a.py\n";
        assert_eq!(read(text, "uwsgi").unwrap().stop.unwrap().1, Stop::NoValue);
        let text = "uwsgi:\n  a: 1\n  - a.py\n  b: 2\n";
        let section = read(text, "uwsgi").unwrap();
        assert_eq!(pairs(&section), [("a", "1")]);
        assert_eq!(section.stop.unwrap().1, Stop::Collection);

        let text = "uwsgi:\n  a: 1\nother:\n  b: 2\n---\nuwsgi:\n  c: 3\n";
        assert_eq!(pairs(&read(text, "uwsgi").unwrap()), [("a", "1")]);
    }

    #[test]
    fn comments_tabs_and_crlf() {
        let text = "uwsgi:\r\n  logto: /var/log/a#b.log\r\n\tmaster:\ttrue\r\n  # x\r\n  a: 1";
        let section = read(text, "uwsgi").unwrap();
        assert_eq!(pairs(&section), [("logto", "/var/log/a"), ("master", "true\r"), ("a", "1")]);
    }
}
