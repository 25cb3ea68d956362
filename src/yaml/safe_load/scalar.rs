//! How `PyYAML`'s safe loader types a scalar and whether it can build its value: the implicit
//! resolvers that give a plain scalar its tag (`yaml/resolver.py`) and the safe constructor of
//! each tag (`yaml/constructor.py`), including the Python conversions they call (`int()`,
//! `float()`, `datetime`, `base64.decodebytes`). Each rule was checked against `PyYAML` 6.0 on
//! Python 3.9 (Galaxy 21.09's) and 3.11.

/// The prefix of the tags `!!name` stands for.
pub(super) const CORE: &str = "tag:yaml.org,2002:";

/// The tag `PyYAML` resolves a plain scalar to, without the `tag:yaml.org,2002:` prefix:
/// `null`, `bool`, `int`, `float`, `merge` (`<<`), `timestamp`, `value` (`=`) or `str`.
pub fn implicit_tag(plain: &str) -> &'static str {
    if matches!(plain, "" | "~" | "null" | "Null" | "NULL") {
        "null"
    } else if is_bool(plain) {
        "bool"
    } else if is_int(plain) {
        "int"
    } else if is_float(plain) {
        "float"
    } else if plain == "<<" {
        "merge"
    } else if timestamp(plain, Form::Resolver).is_some() {
        "timestamp"
    } else if plain == "=" {
        "value"
    } else {
        "str"
    }
}

/// Why `safe_load` cannot load `value` written as a plain scalar anywhere but as a mapping key
/// (a mapping value, a list item), if it cannot.
pub fn plain_problem(value: &str) -> Option<&'static str> {
    line_break(value).or_else(|| implicit_problem(value, false))
}

/// Why `safe_load` cannot load `key` written as a plain mapping key, if it cannot (`<<` is a
/// merge key, checked with its value; `=` is read as the string `=`).
pub fn plain_key_problem(key: &str) -> Option<&'static str> {
    line_break(key).or_else(|| implicit_problem(key, true))
}

/// Why the value of the tag a plain scalar resolves to cannot be built, if it cannot.
pub(super) fn implicit_problem(plain: &str, key: bool) -> Option<&'static str> {
    match implicit_tag(plain) {
        "merge" if !key => Some("PyYAML takes a plain `<<` for a merge key, not a value"),
        "value" if !key => Some("PyYAML takes a plain `=` for a value key, not a value"),
        tag @ ("int" | "timestamp") => conversion_problem(tag, plain),
        _ => None,
    }
}

/// Why the safe constructor of the core tag `name` (`int`, `timestamp`, ...: the part after
/// `tag:yaml.org,2002:`) fails on the scalar `value`, if it does. Tags that take any scalar
/// (`str`, `null`) and the names of other constructors give `None`.
pub fn conversion_problem(name: &str, value: &str) -> Option<&'static str> {
    let converts = match name {
        "int" => converts_int(value),
        "float" => converts_float(value),
        "bool" => {
            matches!(value.to_lowercase().as_str(), "yes" | "no" | "true" | "false" | "on" | "off")
        }
        "timestamp" => {
            // Python's `$` also matches before a final line break.
            let text = value.strip_suffix('\n').unwrap_or(value);
            return match timestamp(text, Form::Constructor) {
                None => Some("PyYAML reads no date or time in it"),
                Some(stamp) => stamp.problem(),
            };
        }
        "binary" => converts_binary(value),
        _ => true,
    };
    (!converts).then_some(match name {
        "int" => "PyYAML reads it as an integer and cannot convert it",
        "float" => "PyYAML cannot convert it to a floating-point number",
        "bool" => "PyYAML reads only yes, no, true, false, on and off as a boolean",
        _ => "PyYAML cannot decode it as base64 data",
    })
}

/// A character of `value` that `PyYAML` takes for a line break or refuses outright.
fn line_break(value: &str) -> Option<&'static str> {
    value.chars().find_map(|c| match c {
        '\u{85}' | '\u{2028}' | '\u{2029}' => {
            Some("PyYAML reads U+0085, U+2028 and U+2029 as line breaks")
        }
        c if !printable(c) => Some("PyYAML refuses control characters and U+FFFE, U+FFFF"),
        _ => None,
    })
}

/// Whether `PyYAML`'s reader accepts the character anywhere in a stream (its `NON_PRINTABLE`).
pub(super) fn printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}')
        || ('\u{E000}'..='\u{FFFD}').contains(&c)
        || c >= '\u{10000}'
}

fn is_bool(s: &str) -> bool {
    matches!(
        s,
        "yes"
            | "Yes"
            | "YES"
            | "no"
            | "No"
            | "NO"
            | "true"
            | "True"
            | "TRUE"
            | "false"
            | "False"
            | "FALSE"
            | "on"
            | "On"
            | "ON"
            | "off"
            | "Off"
            | "OFF"
    )
}

fn unsigned(s: &str) -> &str {
    s.strip_prefix(['-', '+']).unwrap_or(s)
}

fn all(s: &str, allowed: impl Fn(char) -> bool) -> bool {
    !s.is_empty() && s.chars().all(allowed)
}

/// `[-+]?(0b[01_]+|0[0-7_]+|0|[1-9][0-9_]*|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)`
fn is_int(s: &str) -> bool {
    let u = unsigned(s);
    if let Some(bits) = u.strip_prefix("0b") {
        return all(bits, |c| matches!(c, '0' | '1' | '_'));
    }
    if let Some(hex) = u.strip_prefix("0x") {
        return all(hex, |c| c.is_ascii_hexdigit() || c == '_');
    }
    if u == "0" {
        return true;
    }
    if let Some(octal) = u.strip_prefix('0') {
        return all(octal, |c| matches!(c, '0'..='7' | '_'));
    }
    let (head, sexagesimal) = match u.split_once(':') {
        Some((head, rest)) => (head, Some(rest)),
        None => (u, None),
    };
    let decimal = head.starts_with(|c: char| matches!(c, '1'..='9'))
        && all(head, |c| c.is_ascii_digit() || c == '_');
    decimal && sexagesimal.is_none_or(|rest| rest.split(':').all(base_60_digit))
}

/// `[0-5]?[0-9]`
fn base_60_digit(part: &str) -> bool {
    match part.as_bytes() {
        [d] => d.is_ascii_digit(),
        [a, d] => matches!(a, b'0'..=b'5') && d.is_ascii_digit(),
        _ => false,
    }
}

/// `[-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?`, `\.[0-9][0-9_]*([eE][-+][0-9]+)?`,
/// `[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*`, `[-+]?\.(inf|Inf|INF)`, `\.(nan|NaN|NAN)`
fn is_float(s: &str) -> bool {
    if matches!(s, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let u = unsigned(s);
    if matches!(u, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let digits_ = |t: &str| t.chars().all(|c| c.is_ascii_digit() || c == '_');
    let exponent = |t: &str| {
        t.is_empty()
            || t.strip_prefix(['e', 'E'])
                .and_then(|t| t.strip_prefix(['-', '+']))
                .is_some_and(|d| all(d, |c| c.is_ascii_digit()))
    };

    let Some((whole, fraction)) = u.split_once('.') else {
        return false;
    };
    let fraction_end = fraction.find(['e', 'E']).unwrap_or(fraction.len());
    let (fraction_digits, exp) = fraction.split_at(fraction_end);
    if whole.is_empty() {
        // `\.[0-9][0-9_]*` allows no sign.
        return u.len() == s.len()
            && fraction_digits.starts_with(|c: char| c.is_ascii_digit())
            && digits_(fraction_digits)
            && exponent(exp);
    }

    let (head, sexagesimal) = match whole.split_once(':') {
        Some((head, rest)) => (head, Some(rest)),
        None => (whole, None),
    };
    let head_ok = head.starts_with(|c: char| c.is_ascii_digit()) && digits_(head);
    match sexagesimal {
        None => head_ok && digits_(fraction_digits) && exponent(exp),
        Some(rest) => {
            head_ok && rest.split(':').all(base_60_digit) && digits_(fraction) && exp.is_empty()
        }
    }
}

/// Python's `int(text, base)`: white space around, one sign, the base's own prefix (`0b`, `0o`,
/// `0x`), then at least one digit (underscores are gone by then).
fn python_int(text: &str, base: u32) -> bool {
    let digits = unsigned(text.trim());
    let prefix = match base {
        2 => Some(["0b", "0B"]),
        8 => Some(["0o", "0O"]),
        16 => Some(["0x", "0X"]),
        _ => None,
    };
    let digits = prefix
        .and_then(|p| digits.strip_prefix(p[0]).or_else(|| digits.strip_prefix(p[1])))
        .unwrap_or(digits);
    all(digits, |c| c.is_digit(base))
}

/// `construct_yaml_int`: underscores dropped, one sign, then `0`, `0b...`, `0x...`, octal
/// after a leading `0`, base 60 with `:`, or decimal, each read by Python's `int()`.
fn converts_int(value: &str) -> bool {
    let value = value.replace('_', "");
    if value.is_empty() {
        return false;
    }
    let value = unsigned(&value);
    if value == "0" {
        true
    } else if let Some(bits) = value.strip_prefix("0b") {
        python_int(bits, 2)
    } else if let Some(hex) = value.strip_prefix("0x") {
        python_int(hex, 16)
    } else if value.starts_with('0') {
        python_int(value, 8)
    } else if value.contains(':') {
        value.split(':').all(|part| python_int(part, 10))
    } else {
        python_int(value, 10)
    }
}

/// `construct_yaml_float`: underscores dropped, lower-cased, one sign, then `.inf`, `.nan`,
/// base 60 with `:`, or Python's `float()` (which takes a second sign, `inf` and `nan`).
fn converts_float(value: &str) -> bool {
    let value = value.replace('_', "").to_lowercase();
    if value.is_empty() {
        return false;
    }
    let python_float = |s: &str| {
        let s = s.trim();
        !s.is_empty() && s.parse::<f64>().is_ok()
    };
    match unsigned(&value) {
        ".inf" | ".nan" => true,
        d if d.contains(':') => d.split(':').all(python_float),
        d => python_float(d),
    }
}

/// `construct_yaml_binary`: ASCII only, then `base64.decodebytes`, which skips characters
/// outside the alphabet and honours padding only where it ends a group of four.
fn converts_binary(value: &str) -> bool {
    if !value.is_ascii() {
        return false;
    }
    let bytes = value.as_bytes();
    let data = |b: u8| b.is_ascii_alphanumeric() || b == b'+' || b == b'/';
    let mut quad = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'=' {
            let next = bytes[i + 1..].iter().find(|&&n| data(n) || n == b'=');
            if quad == 3 || (quad == 2 && next == Some(&b'=')) {
                return true;
            }
        } else if data(b) {
            quad = (quad + 1) % 4;
        }
    }
    quad == 0
}

/// Which of `PyYAML`'s two timestamp patterns to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The implicit resolver's: `yyyy-mm-dd` exactly, or a date and a time.
    Resolver,
    /// The constructor's: a date with one- or two-digit month and day, optionally a time.
    Constructor,
}

/// A timestamp's fields as `PyYAML` reads them, before Python checks them.
struct Stamp {
    year: u32,
    month: u32,
    day: u32,
    /// Hour, minute, second, and the zone offset in minutes.
    time: Option<(u32, u32, u32, i32)>,
}

impl Stamp {
    /// Why Python's `datetime` refuses the fields, if it does.
    fn problem(&self) -> Option<&'static str> {
        let leap = self.year % 4 == 0 && (self.year % 100 != 0 || self.year % 400 == 0);
        let days = match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        if self.year == 0 || !(1..=12).contains(&self.month) || self.day == 0 || self.day > days {
            return Some("PyYAML reads it as a date that does not exist");
        }
        let (hour, minute, second, zone) = self.time?;
        if hour > 23 || minute > 59 || second > 59 {
            return Some("PyYAML reads it as a time of day that does not exist");
        }
        (zone.abs() >= 24 * 60)
            .then_some("PyYAML reads it as a time with a zone offset of 24 hours or more")
    }
}

/// `text` read with one of `PyYAML`'s timestamp patterns.
fn timestamp(text: &str, form: Form) -> Option<Stamp> {
    let mut at = Cursor { text, at: 0 };
    let year = at.digits(4, 4)?;
    at.byte(b'-')?;
    let (month, month_len) = at.digits_len(1, 2)?;
    at.byte(b'-')?;
    let (day, day_len) = at.digits_len(1, 2)?;
    if at.done() {
        let two = month_len == 2 && day_len == 2;
        return (form == Form::Constructor || two).then_some(Stamp {
            year,
            month,
            day,
            time: None,
        });
    }

    if at.byte(b'T').or_else(|| at.byte(b't')).is_none() && at.blanks() == 0 {
        return None;
    }
    let hour = at.digits(1, 2)?;
    at.byte(b':')?;
    let minute = at.digits(2, 2)?;
    at.byte(b':')?;
    let second = at.digits(2, 2)?;
    if at.byte(b'.').is_some() {
        while at.digits(1, 1).is_some() {}
    }
    at.blanks();
    let zone = if at.done() || at.byte(b'Z').is_some() {
        0
    } else {
        let sign = if at.byte(b'-').is_some() { -1 } else { at.byte(b'+').map(|()| 1)? };
        let hours = at.digits(1, 2)?;
        let minutes = if at.byte(b':').is_some() { at.digits(2, 2)? } else { 0 };
        sign * i32::try_from(hours * 60 + minutes).ok()?
    };
    at.done().then_some(Stamp { year, month, day, time: Some((hour, minute, second, zone)) })
}

/// A position in a timestamp being matched.
struct Cursor<'t> {
    text: &'t str,
    at: usize,
}

impl Cursor<'_> {
    fn done(&self) -> bool {
        self.at == self.text.len()
    }

    fn byte(&mut self, b: u8) -> Option<()> {
        (self.text.as_bytes().get(self.at) == Some(&b)).then(|| self.at += 1)
    }

    /// Skips spaces and tabs; how many.
    fn blanks(&mut self) -> usize {
        let n = self.text.as_bytes()[self.at..].iter().take_while(|b| matches!(b, b' ' | b'\t'));
        let n = n.count();
        self.at += n;
        n
    }

    fn digits(&mut self, min: usize, max: usize) -> Option<u32> {
        self.digits_len(min, max).map(|(value, _)| value)
    }

    /// `min` to `max` ASCII digits (as many as there are), their value and how many.
    fn digits_len(&mut self, min: usize, max: usize) -> Option<(u32, usize)> {
        let rest = &self.text.as_bytes()[self.at..];
        let n = rest.iter().take(max).take_while(|b| b.is_ascii_digit()).count();
        if n < min {
            return None;
        }
        let value = self.text[self.at..self.at + n].parse().ok()?;
        self.at += n;
        Some((value, n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_of_plain_scalars() {
        // yaml.safe_load("k: VALUE")["k"] and its type, PyYAML 6.0.3 (Python 3.9) and 6.0.4.
        let cases = [
            ("", "null"),
            ("~", "null"),
            ("yes", "bool"),
            ("Off", "bool"),
            ("yEs", "str"),
            ("0", "int"),
            ("-0x_1F", "int"),
            ("0o17", "str"),
            ("0755", "int"),
            ("08", "str"),
            ("190:20:30", "int"),
            ("1:60", "str"),
            ("1_000", "int"),
            ("1.5", "float"),
            ("1.", "float"),
            (".5", "float"),
            ("-.inf", "float"),
            ("1e5", "str"),
            ("._", "str"),
            ("+.5", "str"),
            ("1.0e+5", "float"),
            ("190:20:30.15", "float"),
            ("<<", "merge"),
            ("<<x", "str"),
            ("=", "value"),
            ("2001-12-14", "timestamp"),
            ("2001-1-4 1:02:03", "timestamp"),
            ("2001-12-14t21:59:43.10-05:00", "timestamp"),
            ("2001-01-01T10:00:00+01:0", "str"),
            ("2001-01-01T10:00", "str"),
            ("2001-1-4", "str"),
            ("127.0.0.1:8080", "str"),
            ("job-handlers:1,2", "str"),
            ("/srv/galaxy", "str"),
        ];
        for (value, tag) in cases {
            assert_eq!(implicit_tag(value), tag, "{value:?}");
        }
    }

    #[test]
    fn plain_values_pyyaml_cannot_load() {
        // Each refused by yaml.safe_load("k: VALUE") with PyYAML 6.0.3 (Python 3.9) and 6.0.4.
        for value in [
            "<<",
            "=",
            "0x_",
            "0b__",
            "-0x_",
            "+0b_",
            "2021-02-30",
            "2021-02-29",
            "2021-13-01",
            "0000-01-01",
            "2001-1-4 24:00:00",
            "2001-1-4 23:59:60",
            "2001-01-01 10:00:00 +24",
            "2001-01-01 10:00:00 +25",
            "2001-01-01 10:00:00 -25",
            "2001-01-01 10:00:00 +23:60",
            "2001-01-01T10:00:00-24:00",
            "a\u{2028}b",
            "a\u{85}b",
            "a\u{7f}",
            "a\u{fffe}b",
        ] {
            assert!(plain_problem(value).is_some(), "{value:?}");
        }
        // Each loaded by the same.
        for value in [
            "2024-02-29",
            "9999-12-31",
            "0x1f",
            "0_",
            "0b_1",
            "1__:0",
            "1._",
            "1_:0.",
            "._",
            "+.5",
            "2001-1-4 23:59:59 +5",
            "2001-01-01 10:00:00 +23:59",
            "2001-01-01 10:00:00 +05:99",
            "2001-01-01 10:00:00 +5:30",
            "2001-01-01 10:00:00.1234567Z",
            "2001-01-01 10:00:00.",
            "2001-01-01  10:00:00 Z",
            "<<x",
            "a\u{feff}b",
            "GREETING=say \"hi\"",
        ] {
            assert_eq!(plain_problem(value), None, "{value:?}");
        }
        assert_eq!(plain_key_problem("="), None);
        assert!(plain_key_problem("2021-02-30").is_some());
    }

    #[test]
    fn explicit_tags_convert_as_pyyaml_converts_them() {
        // yaml.safe_load("k: !!TAG VALUE"), PyYAML 6.0.3 (Python 3.9) and 6.0.4 (Python 3.11).
        let cases = [
            ("int", "abc", false),
            ("int", " 12 ", true),
            ("int", "", false),
            ("int", " ", false),
            ("int", "0o17", true),
            ("int", "0o", false),
            ("int", "1:60", true),
            ("int", "1::2", false),
            ("int", "08", false),
            ("int", "-0", true),
            ("int", "+0b", false),
            ("int", "0x", false),
            ("int", "0b2", false),
            ("int", "0\n", true),
            ("float", "--1", true),
            ("float", "-+1", true),
            ("float", "inf", true),
            ("float", "infinity", true),
            ("float", "nan", true),
            ("float", " 1.5 ", true),
            ("float", "1e5", true),
            ("float", "", false),
            ("float", " ", false),
            ("float", "1:30.5", true),
            ("float", "1:x", false),
            ("float", "0x10", false),
            ("float", "1e", false),
            ("float", ".", false),
            ("float", "-.", false),
            ("float", "-.INF", true),
            ("bool", "maybe", false),
            ("bool", "yEs", true),
            ("bool", "", false),
            ("bool", " yes", false),
            ("timestamp", "2001-1-4", true),
            ("timestamp", "x", false),
            ("timestamp", "", false),
            ("timestamp", "2001-02-30", false),
            ("timestamp", "2001-01-01 10:00:00 +24", false),
            ("timestamp", "2001-01-01\n", true),
            ("timestamp", "2001-01-01T10:00", false),
            ("timestamp", " 2001-01-01", false),
            ("timestamp", "01-01-01", false),
            ("timestamp", "2001-1-1 1:00:00", true),
            ("timestamp", "2001-01-01T10:00:00.1234567890", true),
            ("binary", "R0lG", true),
            ("binary", "R0lGO", false),
            ("binary", "!!", true),
            ("binary", "é", false),
            ("binary", "R0l=G", true),
            ("binary", "R0l", false),
            ("binary", "R0l=", true),
            ("binary", "R0==l", true),
            ("binary", "=", true),
            ("binary", "", true),
            ("binary", "R0lG\nR0lG", true),
            ("binary", "R0lG=R0lG", true),
            ("binary", "R0=lG", true),
            ("binary", "R", false),
            ("binary", "R0", false),
            ("binary", "R0=", false),
            ("binary", "R0lGR=", false),
            ("str", "", true),
            ("null", "x", true),
        ];
        for (tag, value, loads) in cases {
            assert_eq!(conversion_problem(tag, value).is_none(), loads, "!!{tag} {value:?}");
        }
    }
}
