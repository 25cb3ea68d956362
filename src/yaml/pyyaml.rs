//! How `PyYAML`'s `safe_load` (the loader Galaxy reads its config files with) types a plain,
//! unquoted scalar, and which plain scalars it cannot load at all. zergcfg writes uWSGI values
//! unquoted (uWSGI's line-based reader keeps quotes), and the restarter is read by Galaxy too, so
//! a value such as `<<` or `2021-02-30`, fine once quoted in galaxy.yml, must not be written.
//!
//! The rules are `PyYAML`'s implicit resolvers (`yaml/resolver.py`) and the safe constructors
//! of their tags (`yaml/constructor.py`).

/// The tag `PyYAML` resolves a plain scalar to, without the `tag:yaml.org,2002:` prefix.
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
    } else if timestamp(plain).is_some() {
        "timestamp"
    } else if plain == "=" {
        "value"
    } else {
        "str"
    }
}

/// Why `safe_load` fails on `value` written as a plain scalar (as a mapping value), if it does.
pub fn plain_problem(value: &str) -> Option<&'static str> {
    match implicit_tag(value) {
        "merge" => Some("PyYAML reads a plain `<<` as a merge key and cannot load it as a value"),
        "value" => Some("PyYAML reads a plain `=` as a value key and cannot load it"),
        "int" if !int_digits(value) => Some("PyYAML reads it as a number without digits"),
        "timestamp" if timestamp(value) == Some(false) => {
            Some("PyYAML reads it as a date or time that does not exist")
        }
        _ => None,
    }
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
    let b = part.as_bytes();
    match b {
        [d] => d.is_ascii_digit(),
        [a, d] => matches!(a, b'0'..=b'5') && d.is_ascii_digit(),
        _ => false,
    }
}

fn int_digits(s: &str) -> bool {
    let u = unsigned(s);
    let digits = u.strip_prefix("0b").or_else(|| u.strip_prefix("0x")).unwrap_or(u);
    digits.chars().any(|c| c != '_')
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

/// Whether `text` matches `PyYAML`'s timestamp resolver, and if so whether the date and time exist.
fn timestamp(text: &str) -> Option<bool> {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes.get(range.clone()).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let number = |range: std::ops::Range<usize>| -> u32 { text[range].parse().unwrap_or(0) };

    // yyyy-mm-dd, then for the long form yyyy-m(m)-d(d)
    if !(digits(0..4) && bytes.get(4) == Some(&b'-')) {
        return None;
    }
    let (month_end, day_start) = match (digits(5..7), bytes.get(7)) {
        (true, Some(b'-')) => (7, 8),
        _ if digits(5..6) && bytes.get(6) == Some(&b'-') => (6, 7),
        _ => return None,
    };
    let day_end = if digits(day_start..day_start + 2) { day_start + 2 } else { day_start + 1 };
    if !digits(day_start..day_end) {
        return None;
    }
    let (year, month, day) = (number(0..4), number(5..month_end), number(day_start..day_end));

    let rest = &text[day_end..];
    let date_ok = (1..=12).contains(&month) && day >= 1 && day <= days_in(year, month);
    if rest.is_empty() {
        return (month_end == 7 && day_end == day_start + 2).then_some(date_ok && year >= 1);
    }

    let time = rest.strip_prefix(['T', 't']).or_else(|| {
        (rest.starts_with([' ', '\t'])).then(|| rest.trim_start_matches([' ', '\t']))
    })?;
    let clock = time.as_bytes();
    let hour_len = if clock.get(1).is_some_and(u8::is_ascii_digit) { 2 } else { 1 };
    let at = |i: usize| clock.get(i).copied();
    if !clock.get(..hour_len).is_some_and(|h| h.iter().all(u8::is_ascii_digit))
        || at(hour_len) != Some(b':')
    {
        return None;
    }
    let field = |from: usize| {
        clock
            .get(from..from + 2)
            .filter(|d| d.iter().all(u8::is_ascii_digit))
            .map(|_| time[from..from + 2].parse::<u32>().unwrap_or(0))
    };
    let hour: u32 = time[..hour_len].parse().ok()?;
    let minute = field(hour_len + 1)?;
    if at(hour_len + 3) != Some(b':') {
        return None;
    }
    let second = field(hour_len + 4)?;
    let mut tail = &time[hour_len + 6..];
    if let Some(fraction) = tail.strip_prefix('.') {
        tail = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let zone = tail.trim_start_matches([' ', '\t']);
    let zone_ok = match zone {
        "" | "Z" => Some(true),
        _ => {
            let z = zone.strip_prefix(['-', '+'])?;
            let (h, m) = z.split_once(':').unwrap_or((z, "00"));
            let ok = (1..=2).contains(&h.len())
                && h.bytes().all(|d| d.is_ascii_digit())
                && m.len() == 2
                && m.bytes().all(|d| d.is_ascii_digit());
            if !ok {
                return None;
            }
            Some(h.parse::<u32>().unwrap_or(0) < 24)
        }
    }?;
    Some(date_ok && year >= 1 && hour < 24 && minute < 60 && second < 60 && zone_ok)
}

fn days_in(year: u32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_of_plain_scalars() {
        // Checked against PyYAML 6.0.4: yaml.safe_load("k: VALUE")["k"] and its type.
        let cases = [
            ("", "null"),
            ("~", "null"),
            ("yes", "bool"),
            ("Off", "bool"),
            ("0", "int"),
            ("-0x_1F", "int"),
            ("0o17", "str"),
            ("0755", "int"),
            ("08", "str"),
            ("190:20:30", "int"),
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
            ("=", "value"),
            ("2001-12-14", "timestamp"),
            ("2001-1-4 1:02:03", "timestamp"),
            ("2001-12-14t21:59:43.10-05:00", "timestamp"),
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
    fn plain_scalars_pyyaml_cannot_load() {
        for value in [
            "<<",
            "=",
            "0x_",
            "0b__",
            "2021-02-30",
            "2021-13-01",
            "2001-1-4 25:00:00",
            "0000-01-01",
            "2001-01-01 10:00:00 +24",
        ] {
            assert!(plain_problem(value).is_some(), "{value:?}");
        }
        for value in ["2024-02-29", "0x1f", "0_", "1._", "._", "+.5", "2001-1-4 23:59:59 +5", "<<x"]
        {
            assert_eq!(plain_problem(value), None, "{value:?}");
        }
    }
}
