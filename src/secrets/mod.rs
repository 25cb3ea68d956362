//! Secret values in the files zergcfg reads and writes, found so that no output shows them:
//! `diff` masks them line by line after diffing, and every error and lint finding that quotes
//! file text masks them in its snippet and its words.
//!
//! Two nets, one behind the other:
//!
//! 1. **Where secrets are**, by the structure of the file ([`find`]), the same rule for
//!    galaxy.yml, the restarter, the vassals and the job confs:
//!    - A **key names a secret** when, lower-cased, it contains `secret`, `password`, `passwd`,
//!      `passphrase`, `token` or `credential`, or one of its words (split at anything not a
//!      letter or digit) is `pass`, `pw`, `pwd`, `cred` or `creds`; or when one of its words is
//!      `key`, `keys` or `apikey` *and* the value looks like a credential: one word, not a path
//!      (`/`, `.`, `~` first), not a URL. A key whose last word is `file`, `path`, `dir`,
//!      `directory`, `filename`, `url` or `uri` names where a secret is kept, and one whose last
//!      word is `period`, `length`, `timeout`, `ttl`, `lifetime`, `expiration`, `expiry`, `age`,
//!      `days` or `seconds` something about it; neither is the secret, and neither is masked
//!      (`id_secret_file`, `ssl_key_path`, `password_expiration_period`). A switch (`true`,
//!      `false`, `yes`, `no`, `on`, `off`, `null`, `none`, `~`) is never a secret.
//!    - In YAML (`yaml`), the value of such a key in any shape: plain, quoted, continued on the
//!      next lines, a block scalar, a flow or block mapping or list under it (whole), inside a
//!      flow mapping, and in commented-out lines; read from the parsed tree when the file
//!      parses and from its lines in any case, so that the file an error quotes is covered too.
//!    - In XML (`xml`), the text (CDATA included) and `value` of an element whose `id` or
//!      `name` names a secret, any attribute named like one, and the same inside comments.
//!    - Anywhere (`inline`): the password of a URL with user information
//!      (`scheme://user:PASSWORD@host`), the value of an assignment `NAME=value` or an option
//!      `--NAME value` whose name names a secret (`env: AWS_SECRET_ACCESS_KEY=...`,
//!      `<env exec="export API_TOKEN=...">`), and the credentials of an HTTP authorization
//!      (`Bearer ...`, `Basic ...`).
//! 2. **Every value found**, wherever else it turns up ([`Secrets`]): a password reused in a
//!    comment or another setting, a value an error message quotes (as the program reads it,
//!    quotes and escapes resolved). Values shorter than four characters are masked where they
//!    stand as a word of their own, longer ones wherever they occur; coincidental text is masked
//!    with them, which is the price of never showing one.

mod ini;
mod inline;
mod xml;
mod yaml;

use crate::source::Span;

/// What a masked value is replaced with in `diff` output and in messages: the same for every
/// value, so that nothing about the secret (not even its length) shows.
pub const MASK: &str = "********";

/// Values with fewer characters than this are masked only where they stand as a word.
const SHORT: usize = 4;

/// Words that, as the last word of a key, say the value is where a secret lives, or something
/// about it (`password_expiration_period`), not the secret.
const NOT_THE_SECRET: &[&str] = &[
    "file",
    "path",
    "dir",
    "directory",
    "filename",
    "url",
    "uri",
    "period",
    "length",
    "timeout",
    "ttl",
    "lifetime",
    "expiration",
    "expiry",
    "age",
    "days",
    "seconds",
];

/// Parts of a key's name that mark its value as a secret wherever they appear.
const SECRET_PARTS: &[&str] =
    &["secret", "password", "passwd", "passphrase", "token", "credential"];

/// Words of a key's name that mark its value as a secret.
const SECRET_WORDS: &[&str] = &["pass", "pw", "pwd", "cred", "creds"];

/// How a file's text is structured, which decides where its secrets are. It comes from the
/// file's role (galaxy.yml and the uWSGI files are YAML, job confs XML, zerg.toml `key =
/// value`), never from its name; a file of no known role is read as its content says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// galaxy.yml, the restarter, the vassals: `key: value` lines.
    Yaml,
    /// `job_conf.xml` and the restarter's job conf.
    Xml,
    /// zerg.toml and uWSGI ini files: `key = value` lines under `[section]` headers.
    Ini,
}

impl Kind {
    /// The kind of a file whose role is not known, from its content: XML opens with `<`, an
    /// ini or TOML file with a `[section]` line, anything else is read as YAML.
    pub fn sniff(text: &str) -> Self {
        let text = text.trim_start_matches('\u{feff}');
        if text.trim_start().starts_with('<') {
            return Self::Xml;
        }
        let first =
            text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with(['#', ';']));
        let section = first.is_some_and(|l| {
            l.strip_prefix('[').and_then(|l| l.strip_suffix(']')).is_some_and(|name| {
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
            })
        });
        if section { Self::Ini } else { Self::Yaml }
    }
}

/// What a key's name says about its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    /// Nothing: an ordinary setting.
    Plain,
    /// A key: a secret when the value looks like a credential.
    KeyWord,
    /// A secret, whatever the value.
    Secret,
}

fn class(name: &str) -> Class {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> =
        lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    if words.last().is_some_and(|w| NOT_THE_SECRET.contains(w)) {
        return Class::Plain;
    }
    if SECRET_PARTS.iter().any(|part| lower.contains(part))
        || words.iter().any(|w| SECRET_WORDS.contains(w))
    {
        return Class::Secret;
    }
    if words.iter().any(|w| matches!(*w, "key" | "keys" | "apikey")) {
        return Class::KeyWord;
    }
    Class::Plain
}

/// Whether `value` is a secret under a key of class `class`.
fn holds_secret(class: Class, value: &str) -> bool {
    match class {
        Class::Plain => false,
        Class::KeyWord => looks_like_credential(value),
        Class::Secret => !is_switch(value),
    }
}

/// Whether the value of key `name` is a secret; `value` decides for `key` words and switches.
pub fn is_secret_key(name: &str, value: &str) -> bool {
    holds_secret(class(name), value)
}

/// A value that could be a key rather than a path, a URL or a switch.
fn looks_like_credential(value: &str) -> bool {
    let value = unquote(value.trim());
    if value.is_empty() || value.chars().any(char::is_whitespace) || value.contains("://") {
        return false;
    }
    !value.starts_with(['/', '.', '~']) && !is_switch(value)
}

/// `true`, `off`, `null` and the like (and nothing at all): never a secret.
fn is_switch(value: &str) -> bool {
    let lower = unquote(value.trim()).to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "" | "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "none" | "~"
    )
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value.strip_prefix(quote).and_then(|v| v.strip_suffix(quote)) {
            return inner;
        }
    }
    value
}

/// What the scanners found in one text: where the secrets are, and the values as a program
/// reading the file sees them (quotes removed, escapes and entities resolved), which messages
/// may quote.
#[derive(Debug, Default)]
struct Found {
    spans: Vec<Span>,
    values: Vec<String>,
}

fn scan(kind: Kind, text: &str) -> Found {
    let mut found = Found::default();
    match kind {
        Kind::Yaml => yaml::find(text, &mut found),
        Kind::Xml => xml::find(text, &mut found),
        Kind::Ini => ini::find(text, &mut found),
    }
    inline::find(text, &mut found);
    found.spans = pieces(text, std::mem::take(&mut found.spans));
    found
}

/// The byte spans of every secret value in `text`: one per line at most (blanks around it
/// left out), sorted and not overlapping.
pub fn find(kind: Kind, text: &str) -> Vec<Span> {
    scan(kind, text).spans
}

/// Every secret value of a set of files, to be kept out of every text zergcfg prints, wherever
/// it turns up: a password reused in another setting or quoted by a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    /// Distinct values, longest first.
    values: Vec<String>,
}

impl Secrets {
    /// No value at all.
    pub const EMPTY: Secrets = Secrets { values: Vec::new() };

    /// The secrets of one text.
    pub fn of(kind: Kind, text: &str) -> Self {
        let mut secrets = Self::default();
        secrets.add(kind, text);
        secrets
    }

    /// Adds the secrets of `text`.
    pub fn add(&mut self, kind: Kind, text: &str) {
        let found = scan(kind, text);
        for span in &found.spans {
            let value = &text[span.clone()];
            self.insert(value);
            // The same value as a message quotes it: without its quotes or a flow separator.
            self.insert(value.trim_matches(['"', '\'', ',']));
        }
        for value in &found.values {
            self.insert(value);
        }
    }

    /// Adds every value of `other`.
    pub fn extend(&mut self, other: &Secrets) {
        for value in &other.values {
            self.insert(value);
        }
    }

    fn insert(&mut self, value: &str) {
        let value = value.trim();
        let masked = value.trim_matches(['"', '\'']).chars().all(|c| c == '*');
        if is_switch(value) || masked || self.values.iter().any(|v| v == value) {
            return;
        }
        let at = self.values.partition_point(|v| v.len() >= value.len());
        self.values.insert(at, value.to_string());
    }

    /// Whether no value is known.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Where any of the values occurs in `text`, sorted and not overlapping.
    pub fn occurrences(&self, text: &str) -> Vec<Span> {
        let mut spans = Vec::new();
        for value in &self.values {
            let short = value.chars().count() < SHORT;
            for (at, _) in text.match_indices(value.as_str()) {
                let end = at + value.len();
                if short
                    && !(word_edge(text[..at].chars().next_back())
                        && word_edge(text[end..].chars().next()))
                {
                    continue;
                }
                spans.push(at..end);
            }
        }
        merge(spans)
    }

    /// Everything in `text` a printed copy must not show: the secrets a file of `kind` holds
    /// where they are, and every known value wherever it occurs.
    pub fn spans(&self, kind: Kind, text: &str) -> Vec<Span> {
        let mut spans = find(kind, text);
        spans.extend(self.occurrences(text));
        merge(spans)
    }

    /// `text` (a message, a label, a line) with every known value replaced by [`MASK`].
    pub fn hide(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for span in self.occurrences(text) {
            out.push_str(&text[at..span.start]);
            out.push_str(MASK);
            at = span.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

/// Whether a character next to a short value ends the word it stands in.
fn word_edge(c: Option<char>) -> bool {
    c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
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

/// `spans` cut at line ends, with the blanks at either end of each piece left out, so that a
/// value continued on the next line is masked on each line and its indentation stays.
fn pieces(text: &str, spans: Vec<Span>) -> Vec<Span> {
    let mut out = Vec::with_capacity(spans.len());
    for span in merge(spans) {
        let mut start = span.start;
        for part in text[span.clone()].split('\n') {
            let trimmed = part.trim_start_matches([' ', '\t']);
            let lead = part.len() - trimmed.len();
            let kept = trimmed.trim_end_matches([' ', '\t', '\r']);
            if !kept.is_empty() {
                out.push(start + lead..start + lead + kept.len());
            }
            start += part.len() + 1;
        }
    }
    merge(out)
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

/// `text` masked as the snippets of errors show it, for the tests of every scanner.
#[cfg(test)]
fn masked(kind: Kind, text: &str) -> String {
    mask_same_length(text, &find(kind, text))
}

#[cfg(test)]
mod tests;
