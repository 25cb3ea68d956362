//! The portable subset of YAML: what uWSGI's line-based reader (`PyPI` builds) and its `libyaml`
//! reader (Debian builds) both read the same way. Everything zergcfg writes stays inside it, and
//! lint's ZC302 reports what lies outside it, both from [`check_value`] and [`check_key`].

/// Why a value is outside the portable subset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unportable {
    /// `key:` with nothing after it: the line-based reader stops reading the section.
    Empty,
    /// Contains `#`: the line-based reader cuts the value there.
    Hash,
    /// Contains `": "`: libyaml fails to parse the file.
    ColonSpace,
    /// Starts with a YAML indicator character: libyaml reads it differently or fails.
    Indicator(char),
    /// Leading or trailing white space: the readers trim it differently.
    Whitespace,
    /// A line break or other control character inside the value (libyaml also breaks lines
    /// at U+2028 and U+2029).
    Control,
}

impl Unportable {
    /// A sentence saying what goes wrong.
    pub fn reason(self) -> String {
        match self {
            Unportable::Empty => {
                "an empty value makes uWSGI's line-based reader stop reading the section".into()
            }
            Unportable::Hash => "uWSGI's line-based reader cuts the value at `#`".into(),
            Unportable::ColonSpace => "`: ` inside a value is a parse error for libyaml".into(),
            Unportable::Indicator(c) => {
                format!("a value starting with `{c}` means something else to libyaml")
            }
            Unportable::Whitespace => "leading or trailing spaces are read differently".into(),
            Unportable::Control => "a line break or control character cannot be written".into(),
        }
    }
}

/// Characters that must not start a portable value.
pub const INDICATORS: &[char] =
    &['%', '@', '&', '*', '!', '|', '>', '[', '{', ']', '}', '"', '\'', '`', ',', '?', '-', ':'];

/// Checks that `value` can be written unquoted and read identically by both readers.
///
/// # Errors
/// The first reason it cannot.
pub fn check_value(value: &str) -> Result<(), Unportable> {
    let Some(first) = value.chars().next() else {
        return Err(Unportable::Empty);
    };
    if value.chars().any(|c| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}')) {
        return Err(Unportable::Control);
    }
    if value.trim() != value {
        return Err(Unportable::Whitespace);
    }
    if value.contains('#') {
        return Err(Unportable::Hash);
    }
    if value.contains(": ") || value.ends_with(':') {
        return Err(Unportable::ColonSpace);
    }
    // `-`, `?` and `:` start a plain scalar when a non-space follows (`:8080`, `-1`).
    let plain_start = matches!(first, '-' | '?' | ':')
        && value[first.len_utf8()..].chars().next().is_some_and(|c| c != ' ');
    if INDICATORS.contains(&first) && !plain_start {
        return Err(Unportable::Indicator(first));
    }
    Ok(())
}

/// Checks an option name the same way (names are never empty and never start with `-`).
///
/// # Errors
/// The first reason it cannot be written as a key.
pub fn check_key(key: &str) -> Result<(), Unportable> {
    check_value(key)?;
    if key.starts_with('-') {
        return Err(Unportable::Indicator('-'));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn portable_values() {
        assert_eq!(check_value("127.0.0.1:8080"), Ok(()));
        assert_eq!(check_value("galaxy.webapps.galaxy.buildapp:uwsgi_app()"), Ok(()));
        assert_eq!(check_value("writefifo:/srv/galaxy/var/a.fifo q"), Ok(()));
        assert_eq!(check_value("/static=static"), Ok(()));
        assert_eq!(check_value("-1"), Ok(()));
        assert_eq!(check_value("%(var)/x"), Err(Unportable::Indicator('%')));
        assert_eq!(check_value("a#b"), Err(Unportable::Hash));
        assert_eq!(check_value("a: b"), Err(Unportable::ColonSpace));
        assert_eq!(check_value(""), Err(Unportable::Empty));
        assert_eq!(check_value("\"q\""), Err(Unportable::Indicator('"')));
        assert_eq!(check_value(" x"), Err(Unportable::Whitespace));
        assert_eq!(check_value("a\rb"), Err(Unportable::Control));
        // libyaml (Debian's uWSGI 2.0.21) fails on it, the line-based reader keeps it.
        assert_eq!(check_value("A=a\u{2028}b"), Err(Unportable::Control));
        // Both readers keep a quote that neither starts nor is the whole value.
        assert_eq!(check_value("GREETING=say \"hi\""), Ok(()));
        assert_eq!(check_value("C=1\""), Ok(()));
        assert_eq!(check_value("- x"), Err(Unportable::Indicator('-')));
        assert_eq!(check_value(":8080"), Ok(()));
        assert_eq!(check_value("?x"), Ok(()));
        assert_eq!(check_value(": x"), Err(Unportable::ColonSpace));
    }
}
