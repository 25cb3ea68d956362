//! Secret values in the files zergcfg reads and writes, found so that no output shows them:
//! `diff` masks them line by line after diffing, and every error that quotes file text masks
//! them in its snippet.
//!
//! The rule, the same for galaxy.yml, the restarter and the job confs:
//!
//! - A **key names a secret** when, lower-cased, it contains `secret`, `password`, `passwd`,
//!   `token` or `credential`, or one of its words (split at anything not a letter or digit) is
//!   `pass`; or when one of its words is `key`, `keys` or `apikey` *and* the value looks like a
//!   credential: one word, not a path (`/`, `.`, `~` first), not a URL, not `true`/`false`/
//!   `yes`/`no`/`on`/`off`/`null`. A key whose last word is `file`, `path`, `dir`,
//!   `directory`, `filename`, `url` or `uri` names where a secret is kept, not the secret, and is
//!   never masked (`id_secret_file`, `ssl_key_path`).
//! - In YAML, the secret is everything after `key: ` on that line; a block scalar (`|`, `>`) or a
//!   nested mapping under such a key is masked whole.
//! - In XML, the text and `value` attribute of an element whose `id` (or `name`) names a secret
//!   (`<param id="db_password">…</param>`), and any attribute whose own name names a secret.
//! - Everywhere, the password of a URL with user information: `scheme://user:PASSWORD@host`
//!   keeps the scheme, user and host and loses the password (`database_connection`,
//!   `amqp_internal_connection`, `<param id="amqp_url">`).

use std::path::Path;

use crate::source::Span;

/// What a masked value is replaced with in `diff` output: the same for every value, so that
/// nothing about the secret (not even its length) shows.
pub const MASK: &str = "********";

/// Values shorter than this are not searched for in messages: a one-letter password would
/// otherwise blank every such letter of every message.
const SCRUB_MIN_LEN: usize = 4;

/// Words that, as the last word of a key, say the value is where a secret lives, not the secret.
const LOCATION_WORDS: &[&str] = &["file", "path", "dir", "directory", "filename", "url", "uri"];

/// Parts of a key's name that mark its value as a secret wherever they appear.
const SECRET_PARTS: &[&str] = &["secret", "password", "passwd", "token", "credential"];

/// How a file's text is structured, which decides where its secrets are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// galaxy.yml, the restarter, the vassals: `key: value` lines.
    Yaml,
    /// `job_conf.xml` and the restarter's job conf.
    Xml,
    /// Anything else (zerg.toml): only URL passwords are looked for.
    Other,
}

impl Kind {
    /// The kind of a file, by its extension.
    pub fn of(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("yml" | "yaml") => Self::Yaml,
            Some("xml") => Self::Xml,
            _ => Self::Other,
        }
    }
}

/// Whether the value of key `name` is a secret; `value` is only looked at for `key` words.
pub fn is_secret_key(name: &str, value: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.last().is_some_and(|w| LOCATION_WORDS.contains(w)) {
        return false;
    }

    if SECRET_PARTS.iter().any(|part| lower.contains(part)) || words.contains(&"pass") {
        return true;
    }
    words.iter().any(|w| matches!(*w, "key" | "keys" | "apikey")) && looks_like_credential(value)
}

/// A value that could be a key rather than a path, a URL or a switch.
fn looks_like_credential(value: &str) -> bool {
    let value = unquote(value.trim());
    if value.is_empty() || value.chars().any(char::is_whitespace) || value.contains("://") {
        return false;
    }
    if value.starts_with(['/', '.', '~']) {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    !matches!(lower.as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none")
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

/// The byte spans of every secret value in `text`, sorted and not overlapping.
pub fn find(kind: Kind, text: &str) -> Vec<Span> {
    let mut spans = match kind {
        Kind::Yaml => yaml_spans(text),
        Kind::Xml => xml_spans(text),
        Kind::Other => Vec::new(),
    };
    spans.extend(url_password_spans(text));
    merge(spans)
}

/// `text` with every byte of every span replaced by `*`: byte offsets, lines and columns stay
/// where they were, so diagnostics that point into the text still point at the right place.
pub fn mask_same_length(text: &str, spans: &[Span]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        // Line ends stay, so that the masked text has the same lines as the clear one.
        out.extend(text[span.clone()].bytes().map(|b| match b {
            b'\n' => '\n',
            b'\r' => '\r',
            _ => '*',
        }));
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// A file's text as an error may show it: secrets masked, offsets unchanged.
pub fn mask_source(path: &Path, text: &str) -> String {
    mask_same_length(text, &find(Kind::of(path), text))
}

/// The clear secret values at `spans`, long enough to be searched for in other text.
pub fn values<'t>(text: &'t str, spans: &[Span]) -> Vec<&'t str> {
    spans.iter().map(|s| &text[s.clone()]).filter(|v| v.len() >= SCRUB_MIN_LEN).collect()
}

/// `text` with every occurrence of any of `secrets` replaced by [`MASK`]: for messages and labels
/// that might quote a value.
pub fn scrub(text: &str, secrets: &[impl AsRef<str>]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        let secret = secret.as_ref();
        if secret.len() >= SCRUB_MIN_LEN && out.contains(secret) {
            out = out.replace(secret, MASK);
        }
    }
    out
}

/// A line of text (without its line end) with its secrets replaced by [`MASK`], and the clear
/// values that were replaced.
pub fn mask_line<'t>(text: &'t str, line: &Span, spans: &[Span]) -> (String, Vec<&'t str>) {
    let mut out = String::new();
    let mut clear = Vec::new();
    let mut at = line.start;
    for span in spans.iter().filter(|s| s.start < line.end && s.end > line.start) {
        let start = span.start.max(line.start);
        let end = span.end.min(line.end);
        out.push_str(&text[at..start]);
        out.push_str(MASK);
        clear.push(&text[start..end]);
        at = end;
    }
    out.push_str(&text[at..line.end]);
    (out, clear)
}

fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|s| !s.is_empty());
    spans.sort_by_key(|s| (s.start, s.end));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// Lines of `text` as byte spans, line ends (`\n`, `\r\n`) left out.
fn lines(text: &str) -> impl Iterator<Item = Span> + '_ {
    let mut start = 0;
    text.split_inclusive('\n').map(move |line| {
        let span = start..start + line.trim_end_matches(['\n', '\r']).len();
        start += line.len();
        span
    })
}

/// Secret values in `key: value` lines, block scalars and mappings under a secret key.
fn yaml_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    // Indentation of a secret key whose more-indented lines are all secret.
    let mut block: Option<usize> = None;

    for line in lines(text) {
        let content = &text[line.clone()];
        let indent = content.len() - content.trim_start().len();
        let body = content.trim();
        if let Some(parent) = block {
            if body.is_empty() || indent > parent {
                if !body.is_empty() && !body.starts_with('#') {
                    spans.push(line.start + indent..line.start + indent + body.len());
                }
                continue;
            }
            block = None;
        }
        if body.starts_with('#') {
            continue;
        }

        let Some((key, value)) = yaml_key_value(content) else {
            continue;
        };
        let raw = content[value.clone()].trim_end();
        if raw.is_empty() || raw.starts_with(['|', '>']) {
            if is_secret_key(key, "") {
                block = Some(indent);
            }
            continue;
        }
        if is_secret_key(key, raw) {
            spans.push(line.start + value.start..line.start + value.start + raw.len());
        }
    }
    spans
}

/// The key and the value's byte range (relative to the line) of a `key: value` line, list
/// markers (`- `) skipped.
fn yaml_key_value(line: &str) -> Option<(&str, Span)> {
    let mut at = line.len() - line.trim_start().len();
    while line[at..].starts_with("- ") {
        at += 2;
        at += line[at..].len() - line[at..].trim_start().len();
    }
    let rest = &line[at..];

    let key_end = if let Some(quote) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) {
        rest[1..].find(quote).map(|i| i + 2)?
    } else {
        rest.find(": ").or_else(|| rest.trim_end().strip_suffix(':').map(str::len))?
    };
    let key = unquote(rest[..key_end].trim());
    let after = rest[key_end..].strip_prefix(':')?;
    let value_start = at + key_end + 1 + (after.len() - after.trim_start().len());
    Some((key, value_start..line.len()))
}

/// Secret values in XML: text and `value` of elements whose `id`/`name` names a secret, and
/// attributes whose own name names a secret.
fn xml_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find('<').map(|i| at + i) {
        let rest = &text[open..];
        let skip_to = |end: &str| rest.find(end).map_or(text.len(), |i| open + i + end.len());
        if rest.starts_with("<!--") {
            at = skip_to("-->");
            continue;
        }
        if rest.starts_with("<?") {
            at = skip_to("?>");
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("</") {
            at = skip_to(">");
            continue;
        }

        let (attributes, tag_end) = xml_attributes(text, open + 1);
        let names_secret = |content: &str| {
            attributes.iter().any(|(name, value)| {
                matches!(name.as_str(), "id" | "name")
                    && is_secret_key(&text[value.clone()], content)
            })
        };

        for (name, value) in &attributes {
            let is_value = name == "value" && names_secret(&text[value.clone()]);
            if is_value || is_secret_key(name, &text[value.clone()]) {
                spans.push(value.clone());
            }
        }

        let self_closing = text[..tag_end].ends_with("/>");
        if !self_closing {
            let content_end = text[tag_end..].find('<').map_or(text.len(), |i| tag_end + i);
            let content = &text[tag_end..content_end];
            let trimmed = content.trim();
            if !trimmed.is_empty() && names_secret(trimmed) {
                let start = tag_end + (content.len() - content.trim_start().len());
                spans.push(start..start + trimmed.len());
            }
        }
        at = tag_end.max(open + 1);
    }
    spans
}

/// The attributes of the tag whose name starts at `from` (names, value spans) and the offset
/// just after its `>`. Tolerant: malformed tags yield what could be read.
fn xml_attributes(text: &str, from: usize) -> (Vec<(String, Span)>, usize) {
    let bytes = text.as_bytes();
    let mut attributes = Vec::new();
    let mut i = from;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'>' | b'/') {
        i += 1;
    }

    loop {
        while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (attributes, bytes.len());
        }
        if bytes[i] == b'>' {
            return (attributes, i + 1);
        }
        let name_start = i;
        while i < bytes.len() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            if bytes[i].is_ascii_whitespace() {
                break;
            }
            i += 1;
        }
        let name = text[name_start..i].to_string();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            if i == name_start {
                i += 1;
            }
            continue;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let Some(&quote) = bytes.get(i).filter(|b| matches!(b, b'"' | b'\'')) else {
            continue;
        };
        let value_start = i + 1;
        let value_end =
            text[value_start..].find(quote as char).map_or(bytes.len(), |j| value_start + j);
        attributes.push((name, value_start..value_end));
        i = (value_end + 1).min(bytes.len());
    }
}

/// Passwords of URLs with user information, anywhere in the text.
fn url_password_spans(text: &str) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut from = 0;
    while let Some(found) = text[from..].find("://") {
        let sep = from + found;
        from = sep + 3;

        let scheme_start = text[..sep]
            .char_indices()
            .rev()
            .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-')))
            .map_or(0, |(i, c)| i + c.len_utf8());
        if !text[scheme_start..sep].starts_with(|c: char| c.is_ascii_alphabetic()) {
            continue;
        }

        let rest = &text[from..];
        let token_len = rest
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
            .unwrap_or(rest.len());
        let token = &rest[..token_len];
        let authority_len = token.find(['/', '?', '#']).unwrap_or(token.len());
        // A password holding a `/` that should have been percent-encoded still ends at the
        // first `@`: masking too much is better than showing the rest of it.
        let userinfo_len = match token[..authority_len].rfind('@') {
            Some(at) => at,
            None => match token.find('@') {
                Some(at) if !token[..at].split(':').next().unwrap_or("").contains('/') => at,
                _ => continue,
            },
        };
        if let Some(colon) = token[..userinfo_len].find(':') {
            if colon + 1 < userinfo_len {
                spans.push(from + colon + 1..from + userinfo_len);
            }
        }
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(kind: Kind, text: &str) -> String {
        mask_same_length(text, &find(kind, text))
    }

    #[test]
    fn secret_key_names() {
        for key in [
            "id_secret",
            "database_password",
            "smtp_passwd",
            "PASSWORD",
            "oidc_token",
            "aws_credentials",
            "db_pass",
            "amqp-pass",
        ] {
            assert!(is_secret_key(key, "x"), "{key}");
        }
        for key in ["brand", "bypass_cache", "admin_users", "database_connection", "compass"] {
            assert!(!is_secret_key(key, "abc123"), "{key}");
        }
    }

    #[test]
    fn key_words_need_a_credential_looking_value() {
        assert!(is_secret_key("api_key", "d41d8cd98f00b204"));
        assert!(is_secret_key("master_api_key", "changeme"));
        assert!(is_secret_key("apiKey", "'changeme'"));
        assert!(!is_secret_key("api_key", "/etc/galaxy/api.key"));
        assert!(!is_secret_key("ssl_key", "./key.pem"));
        assert!(!is_secret_key("require_key", "true"));
        assert!(!is_secret_key("monkey", "banana"));
    }

    #[test]
    fn location_keys_are_never_secret() {
        for key in ["id_secret_file", "ssl_key_path", "password_dir", "token_url", "secret_uri"] {
            assert!(!is_secret_key(key, "abcdefgh"), "{key}");
        }
    }

    #[test]
    fn yaml_values_are_masked_in_place() {
        let text = "galaxy:\n  id_secret: 5c3a9f1e\n  brand: Training\n  api_key: abc\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "galaxy:\n  id_secret: ********\n  brand: Training\n  api_key: ***\n"
        );
    }

    #[test]
    fn yaml_block_scalars_and_nested_mappings_under_a_secret_key() {
        let text =
            "a:\n  secrets:\n    one: x1\n    two: y2\n  b: c\n  token: |\n    abc\n  d: e\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "a:\n  secrets:\n    *******\n    *******\n  b: c\n  token: |\n    ***\n  d: e\n"
        );
    }

    #[test]
    fn yaml_quoted_keys_list_items_and_crlf() {
        let text = "\"smtp_password\": 'pw pw'\r\n- password: hunter2\r\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "\"smtp_password\": *******\r\n- password: *******\r\n"
        );
    }

    #[test]
    fn url_passwords_keep_user_and_host() {
        let text = "database_connection: postgresql://galaxy:Zq8-db@localhost/galaxy\n";
        assert_eq!(
            masked(Kind::Yaml, text),
            "database_connection: postgresql://galaxy:******@localhost/galaxy\n"
        );
        let amqp = "amqp_internal_connection: amqp://guest:gu@st@mq:5672//\n";
        assert_eq!(
            masked(Kind::Other, amqp),
            "amqp_internal_connection: amqp://guest:*****@mq:5672//\n"
        );
        let slash = "x: mysql://u:a/b@h/db\n";
        assert_eq!(masked(Kind::Other, slash), "x: mysql://u:***@h/db\n");
    }

    #[test]
    fn urls_without_passwords_are_left_alone() {
        for text in [
            "a: http://localhost:8080/api\n",
            "a: postgresql://galaxy@localhost/galaxy\n",
            "a: postgresql:///galaxy?host=/var/run/postgresql\n",
            "a: ://nothing\n",
        ] {
            assert_eq!(masked(Kind::Yaml, text), text);
        }
    }

    #[test]
    fn xml_params_attributes_and_urls() {
        let text = concat!(
            "<job_conf><!-- password=\"not-a-value\" -->\n",
            "  <plugin id=\"pbs\" load=\"x\">\n",
            "    <param id=\"db_password\"> s3cret </param>\n",
            "    <param id=\"amqp_url\">amqp://u:pw12@mq//</param>\n",
            "    <param id=\"api_key\">/path/to/key</param>\n",
            "    <env id=\"AWS_SECRET_ACCESS_KEY\" value=\"abcd\"/>\n",
            "    <auth user='u' password='hunter2'/>\n",
            "  </plugin>\n</job_conf>\n",
        );
        let out = masked(Kind::Xml, text);
        assert!(out.contains("<param id=\"db_password\"> ****** </param>"), "{out}");
        assert!(out.contains("amqp://u:****@mq//"), "{out}");
        assert!(out.contains("<param id=\"api_key\">/path/to/key</param>"), "{out}");
        assert!(out.contains("value=\"****\""), "{out}");
        assert!(out.contains("password='*******'"), "{out}");
        assert!(out.contains("password=\"not-a-value\""), "{out}");
        assert_eq!(out.len(), text.len());
    }

    #[test]
    fn masking_keeps_line_ends() {
        let text = "<param id=\"password\">a\nb</param>\n";
        assert_eq!(masked(Kind::Xml, text), "<param id=\"password\">*\n*</param>\n");
    }

    #[test]
    fn masking_keeps_every_offset() {
        let text = "galaxy:\n  id_secret: é-secret-é\n  brand: b\n";
        let out = masked(Kind::Yaml, text);
        assert_eq!(out.len(), text.len());
        assert_eq!(out.find("brand"), text.find("brand"));
    }

    #[test]
    fn lines_are_masked_with_a_fixed_mask() {
        let text = "  id_secret: abcdef\n";
        let spans = find(Kind::Yaml, text);
        let (line, clear) = mask_line(text, &(0..text.len() - 1), &spans);
        assert_eq!(line, "  id_secret: ********");
        assert_eq!(clear, vec!["abcdef"]);
    }

    #[test]
    fn scrub_replaces_long_enough_values() {
        let secrets = ["hunter2", "ab"];
        assert_eq!(scrub("bad value hunter2 at ab", &secrets), "bad value ******** at ab");
    }

    #[test]
    fn malformed_input_does_not_panic() {
        for text in ["<", "<a b", "<a b=", "<a b='x", "a: \"x", "a:", "- - ", "x://", "é://é:é@"]
        {
            let _ = find(Kind::Xml, text);
            let _ = find(Kind::Yaml, text);
        }
    }
}
