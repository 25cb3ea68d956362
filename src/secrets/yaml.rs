//! Secrets in YAML, found twice over: in the parsed tree when the file parses (flow mappings,
//! values continued on the next line, quoted keys, lists at their key's indentation, the value
//! as a program reads it), and line by line in any case, so that a file that does not parse
//! (the one an error quotes) and commented-out settings are covered as well.

use super::{Class, Found, class, holds_secret, is_secret_key, lines};
use crate::source::Span;
use crate::yaml::{Node, ScalarStyle};

pub(super) fn find(text: &str, found: &mut Found) {
    let parsed = crate::yaml::parse(text);
    if let Ok(documents) = &parsed {
        for document in documents {
            walk(text, &document.root, Class::Plain, found);
        }
    }
    by_lines(text, parsed.is_err(), found);
}

/// Every scalar under a secret key, the keys of a mapping deciding for their own values.
fn walk(text: &str, node: &Node, under: Class, found: &mut Found) {
    match node {
        Node::Scalar(scalar) => {
            if !holds_secret(under, &scalar.value) {
                return;
            }
            let mut span = scalar.span.clone();
            if matches!(scalar.style, ScalarStyle::Literal | ScalarStyle::Folded) {
                // The indicator (`|`, `>-`) says how to read the lines below; it stays.
                match text[span.clone()].find('\n') {
                    Some(i) => span.start += i + 1,
                    None => return,
                }
            }
            found.spans.push(span);
            found.values.push(scalar.value.clone());
        }
        Node::Mapping { entries, .. } => {
            for entry in entries {
                walk(text, &entry.value, under.max(class(&entry.key.value)), found);
            }
        }
        Node::Sequence { items, .. } => {
            for item in items {
                walk(text, item, under, found);
            }
        }
        Node::Alias { .. } => {}
    }
}

/// A secret key whose following lines belong to its value while they are indented deeper.
struct Block {
    indent: usize,
    /// Also `- item` lines at the key's own indentation (a list under an empty value).
    items: bool,
}

/// What one line said about the lines after it.
enum Next {
    Nothing,
    /// A secret key: what is indented deeper belongs to its value.
    Block(Block),
    /// A quoted value that goes on past this line, masked up to this offset.
    Until(usize),
}

/// The line by line scan: `key: value` lines, the lines continuing a secret value, flow
/// collections and commented-out settings. In a file that does not parse (`broken`), a line
/// that is no `key: value` (a list item, a value's next line, cut from its key by the line at
/// fault) cannot be told from part of a secret, and is masked.
fn by_lines(text: &str, broken: bool, found: &mut Found) {
    let mut block: Option<Block> = None;
    let mut until = 0;
    for line in lines(text) {
        if line.start < until {
            continue;
        }
        let content = &text[line.clone()];
        let body = content.trim_start_matches([' ', '\t']);
        let indent = content.len() - body.len();
        let body = body.trim_end();

        if let Some(open) = &block {
            let item = open.items && indent == open.indent && body.starts_with('-');
            if body.is_empty() || indent > open.indent || item {
                found.spans.push(line.start + indent..line.start + indent + body.len());
                continue;
            }
            block = None;
        }

        if let Some(comment) = body.strip_prefix('#') {
            // A commented-out setting holds a real secret all the same (an old one, often);
            // prose (`# It holds secrets: ...`) is not a setting.
            let from = line.start + indent + 1 + (comment.len() - comment.trim_start().len());
            if commented_setting(&text[from..line.end]) {
                entry(text, from..line.end, found);
            }
            continue;
        }
        if broken && key_value(body).is_none() {
            // Punctuation alone (the stray bracket an error points at) is no secret.
            if body.chars().any(char::is_alphanumeric) {
                found.spans.push(line.start + indent..line.start + indent + body.len());
            }
            continue;
        }
        match entry(text, line, found) {
            Next::Nothing => {}
            Next::Block(b) => block = Some(b),
            Next::Until(end) => until = end,
        }
    }
}

/// Whether the text of a comment reads as a setting: `key: value` (or `- key: value`) with a
/// key of one word.
pub(super) fn commented_setting(text: &str) -> bool {
    key_value(text).is_some_and(|(key, _)| {
        !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
    })
}

/// One `key: value` line (or what follows the `#` of a comment).
fn entry(text: &str, line: Span, found: &mut Found) -> Next {
    let content = &text[line.clone()];
    let Some((key, value)) = key_value(content) else {
        return Next::Nothing;
    };
    // The key's column: in `- password: x`, the lines of the same list item's mapping are its
    // siblings, not its value.
    let indent = key_start(content);
    let start = line.start + value.start;
    let raw = content[value].trim_end();
    let class = class(key);

    if raw.is_empty() || raw.starts_with(['|', '>']) {
        return match class {
            Class::Secret => Next::Block(Block { indent, items: raw.is_empty() }),
            _ => Next::Nothing,
        };
    }
    if holds_secret(class, raw) {
        if let Some(quote) = raw.chars().next().filter(|c| matches!(c, '"' | '\'')) {
            let end = closing_quote(text, start, quote);
            if end > line.end {
                found.spans.push(start..end);
                return Next::Until(end);
            }
        }
        found.spans.push(start..start + raw.len());
        return Next::Block(Block { indent, items: false });
    }

    if raw.starts_with(['{', '[']) {
        flow(text, start, raw.len(), found);
    } else {
        nested(raw, start, found);
    }
    Next::Nothing
}

/// A value that is itself `NAME=value` or `Name: value` (uWSGI's `env`, `set`, `add-header`):
/// the part after the name, when the name names a secret.
fn nested(raw: &str, start: usize, found: &mut Found) {
    let bare = raw.trim_start_matches(['"', '\'']);
    let offset = raw.len() - bare.len();
    let name_end =
        bare.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')));
    if let Some(end) = name_end.filter(|&i| i > 0 && bare[i..].starts_with('=')) {
        let value = &bare[end + 1..];
        if is_secret_key(&bare[..end], value) {
            found.spans.push(start + offset + end + 1..start + raw.len());
        }
        return;
    }
    if let Some((name, value)) = key_value(bare) {
        let rest = bare[value.clone()].trim_end();
        if !rest.is_empty() && is_secret_key(name, rest) {
            found
                .spans
                .push(start + offset + value.start..start + offset + value.start + rest.len());
        }
    }
}

/// The offset just after the quote closing the quoted scalar that opens at `start`, or the end
/// of the text when it is never closed.
fn closing_quote(text: &str, start: usize, quote: char) -> usize {
    let mut chars = text[start + 1..].char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if quote == '"' => {
                chars.next();
            }
            c if c == quote => {
                if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                    chars.next();
                    continue;
                }
                return start + 1 + i + 1;
            }
            _ => {}
        }
    }
    text.len()
}

/// The entries of a flow collection written on one line (`{client_secret: x, id: y}`), read
/// piece by piece between the brackets and commas, so that a line the parser refuses (a stray
/// bracket after it) is read as well. Everything inside a collection under a secret key is
/// secret.
fn flow(text: &str, start: usize, len: usize, found: &mut Found) {
    let raw = &text[start..start + len];
    let mut secret_inside: Vec<bool> = Vec::new();
    let mut piece_start = 0;
    let mut quote: Option<char> = None;
    for (i, c) in raw.char_indices() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => {
                let before = raw[piece_start..i].trim();
                if before.is_empty() || before.ends_with(':') {
                    quote = Some(c);
                }
            }
            '{' | '[' | '}' | ']' | ',' => {
                let inside = secret_inside.last().copied().unwrap_or(false);
                let opens = flow_piece(raw, piece_start..i, start, inside, found);
                match c {
                    '{' | '[' => secret_inside.push(inside || opens),
                    '}' | ']' => {
                        secret_inside.pop();
                    }
                    _ => {}
                }
                piece_start = i + 1;
            }
            _ => {}
        }
    }
    let inside = secret_inside.last().copied().unwrap_or(false);
    flow_piece(raw, piece_start..raw.len(), start, inside, found);
}

/// One piece of a flow collection; whether it is a secret key with the collection to come.
fn flow_piece(raw: &str, piece: Span, base: usize, inside: bool, found: &mut Found) -> bool {
    let text = &raw[piece.clone()];
    let body = text.trim();
    if body.is_empty() {
        return false;
    }
    let lead = text.len() - text.trim_start().len();
    if inside {
        let at = base + piece.start + lead;
        found.spans.push(at..at + body.len());
        return true;
    }
    let Some(colon) = colon(body) else {
        return false;
    };
    let name = super::unquote(body[..colon].trim());
    let value = body[colon + 1..].trim();
    if value.is_empty() {
        return class(name) == Class::Secret;
    }
    if is_secret_key(name, value) {
        let at = base + piece.start + lead + body.len() - value.len();
        found.spans.push(at..at + value.len());
    }
    false
}

/// The key and the value's byte range (relative to the line) of a `key: value` line: list
/// markers (`- `) skipped, a quoted key allowed blanks before its colon, a tab after the colon
/// read as a blank (the error that refuses it quotes the line).
pub(super) fn key_value(line: &str) -> Option<(&str, Span)> {
    let at = key_start(line);
    let rest = &line[at..];
    let colon = colon(rest)?;
    let key = super::unquote(rest[..colon].trim());
    let after = &rest[colon + 1..];
    let value_start = at + colon + 1 + (after.len() - after.trim_start_matches([' ', '\t']).len());
    Some((key, value_start..line.len()))
}

/// Where the key of a `key: value` line starts: after the indentation and any list markers.
fn key_start(line: &str) -> usize {
    let mut at = line.len() - line.trim_start_matches([' ', '\t']).len();
    while line[at..].starts_with("- ") || line[at..].starts_with("-\t") {
        at += 2;
        at += line[at..].len() - line[at..].trim_start_matches([' ', '\t']).len();
    }
    at
}

/// Where the colon ending the key at the start of `text` is: after a quoted key (blanks
/// allowed before it), else the first `:` followed by a blank or the end.
fn colon(text: &str) -> Option<usize> {
    if let Some(quote) = text.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        let close = text[1..].find(quote)? + 2;
        let after = &text[close..];
        let blanks = after.len() - after.trim_start_matches([' ', '\t']).len();
        return after[blanks..].starts_with(':').then_some(close + blanks);
    }
    text.match_indices(':')
        .map(|(i, _)| i)
        .find(|&i| text[i + 1..].chars().next().is_none_or(|n| n == ' ' || n == '\t'))
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, masked};

    #[test]
    fn values_are_masked_in_place() {
        let text = "galaxy:\n  id_secret: 5c3a9f1e\n  brand: Training\n  api_key: abc\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "galaxy:\n  id_secret: ********\n  brand: Training\n  api_key: ***\n"
        );
    }

    #[test]
    fn block_scalars_and_nested_mappings_under_a_secret_key() {
        let text =
            "a:\n  secrets:\n    one: x1\n    two: y2\n  b: c\n  token: |\n    abc\n  d: e\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "a:\n  secrets:\n    *******\n    *******\n  b: c\n  token: |\n    ***\n  d: e\n"
        );
    }

    #[test]
    fn the_siblings_of_a_secret_in_a_list_item_are_not_its_value() {
        let text = "l:\n- password: pw1\n  user: alice\n- token:\n    abc\n  user: bob\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "l:\n- password: ***\n  user: alice\n- token:\n    ***\n  user: bob\n"
        );
    }

    #[test]
    fn quoted_keys_list_items_and_crlf() {
        let text = "\"smtp_password\": 'pw pw'\r\n- password: hunter2\r\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "\"smtp_password\": *******\r\n- password: *******\r\n"
        );
    }

    #[test]
    fn flow_mappings_and_lists() {
        let text = "a:\n  oidc: {client_secret: s3cr3t, client_id: web}\n  \
                    l: {bind_password: LDAPPW}\n  s: [\"https://u:p4ss@h\"]\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "a:\n  oidc: {client_secret: ******, client_id: web}\n  \
             l: {bind_password: ******}\n  s: [\"https://u:****@h\"]\n"
        );
        // A line the parser refuses is read all the same.
        assert_eq!(masked(Kind::Yaml, "a: {password: abc}]\n"), "a: {password: ***}]\n");
        assert_eq!(
            masked(Kind::Yaml, "a: {tokens: {x: one, y: [two]}, b: c}\n"),
            "a: {tokens: {******, ** [***]}, b: c}\n"
        );
    }

    #[test]
    fn values_continued_on_the_next_lines() {
        let text = "g:\n  multi_secret: head\n    tail\n  brand: b\n";
        assert_eq!(masked(Kind::Yaml, text), "g:\n  multi_secret: ****\n    ****\n  brand: b\n");
        let text = "g:\n  smtp_password: \"head\n  tail\"\n  brand: b\n";
        assert_eq!(masked(Kind::Yaml, text), "g:\n  smtp_password: *****\n  *****\n  brand: b\n");
        // Never closed: the rest of the file may be the value.
        let text = "g:\n  smtp_password: \"head\n  brand: b\n";
        assert_eq!(masked(Kind::Yaml, text), "g:\n  smtp_password: *****\n  ********\n");
        // Cut from its key by the line at fault, in a file that does not parse: any line that
        // is no `key: value` is masked then.
        let text = "g:\n  multi_secret: head\n]\n    tail\n  brand: b\n";
        assert_eq!(masked(Kind::Yaml, text), "g:\n  multi_secret: ****\n]\n    ****\n  brand: b\n");
        let text = "g:\n  pw_list_password:\n  x: [\n  - item\n  brand: b\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "g:\n  pw_list_password:\n  x: [\n  ******\n  brand: b\n"
        );
    }

    #[test]
    fn quoted_keys_with_a_blank_before_the_colon_and_tabs_after_it() {
        let text = "g:\n  \"quoted_key_password\" : QK4\n  id_secret:\tTABSEC\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "g:\n  \"quoted_key_password\" : ***\n  id_secret:\t******\n"
        );
    }

    #[test]
    fn a_list_at_the_indentation_of_its_secret_key() {
        let text = "g:\n  pw_list_password:\n  - one1\n  - two2\n  brand: b\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "g:\n  pw_list_password:\n  ******\n  ******\n  brand: b\n"
        );
    }

    #[test]
    fn commented_out_settings() {
        let text = "g:\n  #id_secret: OLD1\n  # - password: OLD2\n  # brand: b\n\
                    # It holds secrets: keep it safe\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "g:\n  #id_secret: ****\n  # - password: ****\n  # brand: b\n\
             # It holds secrets: keep it safe\n"
        );
    }

    #[test]
    fn assignments_and_headers_in_a_value() {
        let text = "uwsgi:\n  env: AWS_SECRET_ACCESS_KEY=abc def\n  set: admin_password=pw1\n  \
                    set: galaxy_config_file=/g.yml\n  add-header: X-Api-Key: k3y\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "uwsgi:\n  env: AWS_SECRET_ACCESS_KEY=*******\n  set: admin_password=***\n  \
             set: galaxy_config_file=/g.yml\n  add-header: X-Api-Key: ***\n"
        );
    }

    #[test]
    fn switches_are_not_secrets() {
        let text = "g:\n  enable_password_reset: true\n  require_key: false\n";
        assert_eq!(masked(Kind::Yaml, text), text);
    }
}
