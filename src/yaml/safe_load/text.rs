//! What `PyYAML`'s pure-Python reader and scanner refuse in text that other YAML readers
//! (saphyr, libyaml) accept: characters outside its printable set, tabs anywhere but inside
//! quotes, comments and block scalar text, plain scalars in flow collections that it ends or
//! starts otherwise, and directives it cannot read. Also reads the `%TAG` directives, which
//! tags are expanded with.

use std::collections::HashMap;

use super::scalar::{CORE, printable};
use super::{Refusal, Refused};
use crate::source::Span;
use crate::yaml::ScalarStyle;

/// A scalar's place in the text, for telling where a tab or a line break is read.
#[derive(Debug, Clone)]
pub(super) struct Written {
    pub span: Span,
    pub style: ScalarStyle,
    /// Inside a `[...]` or `{...}`.
    pub in_flow: bool,
}

/// The first character on each line that `PyYAML`'s reader refuses (`NON_PRINTABLE`: control
/// characters but tab and line breaks, DEL, C1 controls but NEL, U+FFFE, U+FFFF), and each NEL,
/// U+2028 and U+2029, which `PyYAML` takes for line breaks where saphyr and uWSGI read
/// characters, so that the file does not mean the same to Galaxy.
pub(super) fn characters(text: &str, out: &mut Vec<Refusal>) {
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let at = start;
        start += line.len();
        let Some((i, c)) = line.char_indices().find(|&(_, c)| !printable(c) || breaks(c)) else {
            continue;
        };
        let code = u32::from(c);
        let message = if breaks(c) {
            format!(
                "PyYAML reads the character U+{code:04X} as a line break, where uWSGI and other \
                 YAML readers read a character, so Galaxy does not read this file as they do"
            )
        } else {
            format!("PyYAML refuses the character U+{code:04X} anywhere in the file")
        };
        let span = at + i..at + i + c.len_utf8();
        out.push(Refusal { kind: Refused::Character, message, span });
    }
}

/// The characters `PyYAML` takes for line breaks and saphyr does not.
fn breaks(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Plain scalars inside `[...]` or `{...}` that `PyYAML` reads otherwise than saphyr: in flow
/// context it ends a plain scalar at `?` and starts none with an indicator character.
pub(super) fn flow_plain(text: &str, scalars: &[Written], out: &mut Vec<Refusal>) {
    for s in scalars.iter().filter(|s| s.in_flow && s.style == ScalarStyle::Plain) {
        let written = &text[s.span.clone()];
        let Some(first) = written.chars().next() else { continue };
        let rest = &written[first.len_utf8()..];
        let after = rest.chars().next().or_else(|| text[s.span.end..].chars().next());
        let dash = first == '-' && after.is_none_or(char::is_whitespace);
        let message = if dash || "?:,[]{}#&*!|>'\"%@`".contains(first) {
            format!(
                "PyYAML does not start a plain scalar with `{first}` inside `[...]` or `{{...}}`"
            )
        } else if rest.contains('?') {
            format!(
                "PyYAML ends a plain scalar at `?` inside `[...]` or `{{...}}`, so it cannot read \
                 `{written}`"
            )
        } else {
            continue;
        };
        out.push(Refusal { kind: Refused::Plain, message, span: s.span.clone() });
    }
}

/// The first tab on each line that `PyYAML`'s scanner refuses: it skips only spaces between
/// tokens and ends a plain scalar at a tab, so a tab is read only inside a quoted scalar, in a
/// comment, or in a block scalar's text past its indentation.
pub(super) fn tabs(text: &str, scalars: &[Written], out: &mut Vec<Refusal>) {
    let mut sorted: Vec<&Written> = scalars.iter().collect();
    sorted.sort_by_key(|s| s.span.start);
    // Scalars do not overlap: the one holding a byte is the last to start at or before it.
    let holding = |at: usize| {
        let after = sorted.partition_point(|s| s.span.start <= at);
        after.checked_sub(1).map(|i| sorted[i]).filter(|s| s.span.contains(&at))
    };

    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let line_start = start;
        start += line.len();
        let bytes = line.as_bytes();
        for (i, &b) in bytes.iter().enumerate().filter(|(_, b)| matches!(b, b'\t' | b'#')) {
            let at = line_start + i;
            let style = holding(at).map(|s| (s.style, s.span.clone()));
            let refused = match style {
                Some((ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted, _)) => false,
                Some((ScalarStyle::Literal | ScalarStyle::Folded, span)) => {
                    // Block scalar text: only a tab left of its indentation is refused; the
                    // header line is read as any other.
                    if block_content(text, &span).contains(&at) {
                        b == b'\t' && i < block_indent(text, &span)
                    } else if b == b'#' {
                        break;
                    } else {
                        true
                    }
                }
                Some((ScalarStyle::Plain, _)) => b == b'\t',
                None if b == b'#' => {
                    if i == 0 || matches!(bytes[i - 1], b' ' | b'\t') {
                        break;
                    }
                    false
                }
                None => true,
            };
            if refused {
                push_tab(at, out);
                break;
            }
        }
    }
}

fn push_tab(at: usize, out: &mut Vec<Refusal>) {
    out.push(Refusal {
        kind: Refused::Tab,
        message: "PyYAML refuses a tab here: it reads tabs only inside quotes, in comments and \
                  in the text of a block scalar (`|`, `>`)"
            .to_string(),
        span: at..at + 1,
    });
}

/// The lines of a block scalar after its header line, up to the end of its span.
fn block_content(text: &str, span: &Span) -> Span {
    let header_end = text[span.start..span.end].find('\n').map_or(span.end, |i| span.start + i + 1);
    header_end..span.end
}

/// The indentation of a block scalar's text as `PyYAML` works it out: an explicit indicator
/// (`|2`) counts from the indentation of the header's line, else the deepest indentation of the
/// leading blank lines and the first line of text, at least one past the header's line.
fn block_indent(text: &str, span: &Span) -> usize {
    let line_start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let parent = text[line_start..].bytes().take_while(|&b| b == b' ').count();
    let header = text.as_bytes().get(span.start + 1..span.end).unwrap_or_default();
    let explicit = header.iter().take(2).find(|b| matches!(b, b'1'..=b'9'));
    if let Some(digit) = explicit {
        return parent + usize::from(digit - b'0');
    }

    let content = block_content(text, span);
    let mut deepest = 0;
    for line in text[content].split_inclusive('\n') {
        let spaces = line.bytes().take_while(|&b| b == b' ').count();
        deepest = deepest.max(spaces);
        if !line[spaces..].trim_end_matches(['\n', '\r']).is_empty() {
            break;
        }
    }
    deepest.max(parent + 1)
}

/// The `%TAG` handles of the first document (`!` and `!!` by default), and a refusal for each
/// directive `PyYAML` cannot read: a name of other than letters, digits, `-` and `_`, or a
/// `%YAML` version other than 1.x.
pub(super) fn directives(text: &str, out: &mut Vec<Refusal>) -> HashMap<String, String> {
    let mut handles = default_handles();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let at = start;
        start += line.len();
        let content = line.trim_end();
        let Some(directive) = content.strip_prefix('%') else {
            if content.trim_start().is_empty() || content.trim_start().starts_with('#') {
                continue;
            }
            break;
        };
        let mut words = directive.split([' ', '\t']).filter(|w| !w.is_empty());
        let name = words.next().unwrap_or_default();
        let version = words.next().unwrap_or_default();
        let why = if name.is_empty()
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        {
            Some("PyYAML reads directive names of letters, digits, `-` and `_` only".to_string())
        } else if name == "YAML" {
            let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            match version.split_once('.') {
                Some(("1", minor)) if number(minor) => None,
                Some((major, minor)) if number(major) && number(minor) => {
                    Some(format!("PyYAML reads YAML 1.x only and refuses `%YAML {version}`"))
                }
                _ => Some(format!("PyYAML cannot read `{version}` as a YAML version")),
            }
        } else {
            if name == "TAG"
                && let Some(prefix) = words.next()
            {
                handles.insert(version.to_string(), prefix.to_string());
            }
            None
        };
        if let Some(message) = why {
            out.push(Refusal { kind: Refused::Directive, message, span: at..at + content.len() });
        }
    }
    handles
}

/// The tag handles of a document without `%TAG` directives: `!` and `!!`.
pub(super) fn default_handles() -> HashMap<String, String> {
    HashMap::from([("!".to_string(), "!".to_string()), ("!!".to_string(), CORE.to_string())])
}
