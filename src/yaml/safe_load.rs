//! What `PyYAML`'s `safe_load`, with which Galaxy reads its configuration, refuses in a stream
//! that is valid YAML: a second document, a tag it has no constructor for (`!foo`,
//! `!!python/name:...`) or whose value does not convert (`!!int abc`, `!!map x`), and a merge
//! key (`<<`) whose value is not a mapping or a list of mappings (`<<: 1`). Each was checked
//! against `PyYAML` 6's `safe_load`.

use std::collections::HashMap;

use saphyr_parser::{Event, ScalarStyle, Tag};

use super::reader::events;
use crate::source::Span;

/// One thing `safe_load` refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What `PyYAML` refuses, in words.
    pub message: String,
    /// Where.
    pub span: Span,
    /// A few words for the label.
    pub label: &'static str,
}

/// Everything `safe_load` refuses in `text`, which must parse as YAML; a syntax error ends the
/// walk (it is reported as such elsewhere).
pub fn refusals(text: &str) -> Vec<Refusal> {
    let mut walker =
        Walker { events: events(text), text, anchors: HashMap::new(), out: Vec::new() };
    walker.stream();
    walker.out
}

/// What a node is, as far as merge keys care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Scalar,
    Mapping,
    /// A sequence, and whether every item is a mapping.
    Sequence(bool),
    /// An alias whose anchor is not known, or the end of the stream.
    Unknown,
}

struct Walker<'t, I> {
    events: I,
    text: &'t str,
    anchors: HashMap<usize, Shape>,
    out: Vec<Refusal>,
}

impl<'t, I> Walker<'t, I>
where
    I: Iterator<Item = Result<(Event<'t>, Span), super::YamlError>>,
{
    fn next(&mut self) -> Option<(Event<'t>, Span)> {
        self.events.next()?.ok()
    }

    fn stream(&mut self) {
        let mut documents = 0;
        while let Some((event, span)) = self.next() {
            match event {
                Event::DocumentStart(_) => {
                    documents += 1;
                    if documents == 2 {
                        let at = self.text[span.start..]
                            .find("---")
                            .map_or(span.start, |i| span.start + i);
                        let end = if self.text[at..].starts_with("---") {
                            at + 3
                        } else {
                            span.end.max(at)
                        };
                        self.out.push(Refusal {
                            message: "a second YAML document starts here, and PyYAML's \
                                      `safe_load` reads a file of exactly one document"
                                .to_string(),
                            span: at..end,
                            label: "second document",
                        });
                    }
                    let Some((event, span)) = self.next() else { return };
                    self.node(event, span, 0);
                }
                Event::StreamEnd => return,
                _ => {}
            }
        }
    }

    /// Walks the node that starts with `event` and says what it is.
    fn node(&mut self, event: Event<'t>, span: Span, depth: usize) -> Shape {
        if depth > 300 {
            return Shape::Unknown;
        }
        match event {
            Event::Scalar(value, _, anchor, tag) => {
                if let Some(tag) = tag {
                    self.check_tag(&tag, Shape::Scalar, &value, &span);
                }
                self.anchor(anchor, Shape::Scalar)
            }
            Event::Alias(anchor) => self.anchors.get(&anchor).copied().unwrap_or(Shape::Unknown),
            Event::SequenceStart(anchor, tag) => {
                let mut all_mappings = true;
                while let Some((event, span)) = self.next() {
                    if event == Event::SequenceEnd {
                        break;
                    }
                    all_mappings &= self.node(event, span, depth + 1) == Shape::Mapping;
                }
                let shape = Shape::Sequence(all_mappings);
                if let Some(tag) = tag {
                    self.check_tag(&tag, shape, "", &span);
                }
                self.anchor(anchor, shape)
            }
            Event::MappingStart(anchor, tag) => {
                if let Some(tag) = tag {
                    self.check_tag(&tag, Shape::Mapping, "", &span);
                }
                self.mapping(depth);
                self.anchor(anchor, Shape::Mapping)
            }
            _ => Shape::Unknown,
        }
    }

    /// The entries of a mapping, up to its end; checks merge keys.
    fn mapping(&mut self, depth: usize) {
        while let Some((key, key_span)) = self.next() {
            if key == Event::MappingEnd {
                return;
            }
            let merge = matches!(&key, Event::Scalar(v, ScalarStyle::Plain, _, None) if v == "<<");
            self.node(key, key_span.clone(), depth + 1);
            let Some((value, value_span)) = self.next() else { return };
            let written = self.text.get(value_span.clone()).unwrap_or_default().trim().to_string();
            let shape = self.node(value, value_span, depth + 1);
            if merge && !matches!(shape, Shape::Mapping | Shape::Sequence(true) | Shape::Unknown) {
                self.out.push(Refusal {
                    message: format!(
                        "the merge key `<<` needs a mapping or a list of mappings, and PyYAML's \
                         `safe_load` refuses `{}`",
                        first_line(&written)
                    ),
                    span: key_span,
                    label: "merge key",
                });
            }
        }
    }

    fn anchor(&mut self, anchor: usize, shape: Shape) -> Shape {
        if anchor > 0 {
            self.anchors.insert(anchor, shape);
        }
        shape
    }

    /// A tag `safe_load` has no constructor for, or cannot apply to this node.
    fn check_tag(&mut self, tag: &Tag, shape: Shape, value: &str, span: &Span) {
        let full = format!("{}{}", tag.handle, tag.suffix);
        let written = if tag.handle == "tag:yaml.org,2002:" {
            format!("!!{}", tag.suffix)
        } else if tag.handle.is_empty() {
            format!("!<{}>", tag.suffix)
        } else {
            full.clone()
        };
        if full == "!" {
            return;
        }
        let name = full.strip_prefix("tag:yaml.org,2002:").or_else(|| full.strip_prefix("!!"));
        let wants = match name {
            Some("str" | "int" | "float" | "bool" | "null" | "timestamp" | "binary") => {
                Shape::Scalar
            }
            Some("map" | "set") => Shape::Mapping,
            Some("seq" | "omap" | "pairs") => Shape::Sequence(false),
            _ => {
                self.refuse(
                    format!("PyYAML's `safe_load` has no constructor for the tag `{written}`"),
                    span,
                );
                return;
            }
        };
        let same_kind = matches!(
            (wants, shape),
            (Shape::Scalar, Shape::Scalar)
                | (Shape::Mapping, Shape::Mapping)
                | (Shape::Sequence(_), Shape::Sequence(_))
        );
        if !same_kind {
            let kind = |s: Shape| match s {
                Shape::Scalar => "a scalar",
                Shape::Mapping => "a mapping",
                _ => "a sequence",
            };
            self.refuse(
                format!(
                    "`{written}` needs {}, and PyYAML's `safe_load` refuses {} with it",
                    kind(wants),
                    kind(shape)
                ),
                span,
            );
            return;
        }
        let converts = match name {
            Some("int") => converts_int(value),
            Some("float") => converts_float(value),
            Some("bool") => {
                matches!(
                    value.to_lowercase().as_str(),
                    "yes" | "no" | "true" | "false" | "on" | "off"
                )
            }
            Some("timestamp") => converts_timestamp(value),
            Some("binary") => converts_binary(value),
            Some("omap" | "pairs") => shape == Shape::Sequence(true),
            _ => true,
        };
        if !converts {
            self.refuse(
                format!("PyYAML's `safe_load` cannot read `{}` as `{written}`", first_line(value)),
                span,
            );
        }
    }

    fn refuse(&mut self, message: String, span: &Span) {
        let end = self.text[span.clone()].trim_end().len() + span.start;
        self.out.push(Refusal { message, span: span.start..end.max(span.start), label: "tag" });
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// Whether `PyYAML`'s `construct_yaml_int` reads `value`: signs, `0b`, `0x`, octal with a
/// leading `0`, `:`-separated base 60 and underscores, as it accepts them.
fn converts_int(value: &str) -> bool {
    let value = value.replace('_', "");
    let digits = value.strip_prefix(['+', '-']).unwrap_or(&value);
    let all = |s: &str, radix: u32| {
        let s = s.trim();
        !s.is_empty() && s.chars().all(|c| c.is_digit(radix))
    };
    if digits.is_empty() {
        false
    } else if digits == "0" {
        true
    } else if let Some(rest) = digits.strip_prefix("0b") {
        all(rest, 2)
    } else if let Some(rest) = digits.strip_prefix("0x") {
        all(rest, 16)
    } else if digits.starts_with('0') {
        all(digits, 8)
    } else if digits.contains(':') {
        digits.split(':').all(|part| all(part, 10))
    } else {
        all(digits, 10)
    }
}

/// Whether `construct_yaml_float` reads `value` (Python's `float()` after signs and `_`).
fn converts_float(value: &str) -> bool {
    let value = value.replace('_', "").to_lowercase();
    let digits = value.strip_prefix(['+', '-']).unwrap_or(&value);
    let python_float = |s: &str| {
        let s = s.trim();
        !s.starts_with(['+', '-']) && s.parse::<f64>().is_ok()
    };
    match digits {
        "" => false,
        ".inf" | ".nan" => true,
        d if d.contains(':') => d.split(':').all(python_float),
        d => python_float(d),
    }
}

/// Whether `construct_yaml_timestamp` reads `value`: `YYYY-MM-DD`, optionally followed by a
/// time and a zone, with a real date and time.
fn converts_timestamp(value: &str) -> bool {
    let take = |s: &str, min: usize, max: usize| -> Option<(u32, usize)> {
        let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
        (n >= min).then(|| s[..n].parse().ok().map(|v| (v, n))).flatten()
    };
    let Some((year, n)) = take(value, 4, 4) else { return false };
    let Some(rest) = value[n..].strip_prefix('-') else { return false };
    let Some((month, n)) = take(rest, 1, 2) else { return false };
    let Some(rest) = rest[n..].strip_prefix('-') else { return false };
    let Some((day, n)) = take(rest, 1, 2) else { return false };
    let rest = &rest[n..];
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if year == 0 || day == 0 || day > days {
        return false;
    }
    if rest.is_empty() {
        return true;
    }

    let time =
        rest.strip_prefix(['T', 't']).unwrap_or_else(|| rest.trim_start_matches([' ', '\t']));
    if time.len() == rest.len() {
        return false;
    }
    let Some((hour, n)) = take(time, 1, 2) else { return false };
    let Some(rest) = time[n..].strip_prefix(':') else { return false };
    let Some((minute, n)) = take(rest, 2, 2) else { return false };
    let Some(rest) = rest[n..].strip_prefix(':') else { return false };
    let Some((second, n)) = take(rest, 2, 2) else { return false };
    let mut rest = &rest[n..];
    if hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    if let Some(fraction) = rest.strip_prefix('.') {
        rest = fraction.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    let zone = rest.trim_start_matches([' ', '\t']);
    if zone.is_empty() || zone == "Z" {
        return true;
    }
    let Some(zone) = zone.strip_prefix(['+', '-']) else { return false };
    let Some((_, n)) = take(zone, 1, 2) else { return false };
    let zone = &zone[n..];
    zone.is_empty()
        || zone.strip_prefix(':').is_some_and(|m| m.len() == 2 && take(m, 2, 2).is_some())
}

/// Whether `construct_yaml_binary` reads `value`: ASCII base64, padding as Python's lenient
/// decoder wants it.
fn converts_binary(value: &str) -> bool {
    if !value.is_ascii() {
        return false;
    }
    let data =
        value.bytes().filter(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/').count();
    let padding = value.bytes().filter(|b| *b == b'=').count();
    match data % 4 {
        0 => true,
        1 => false,
        rest => padding >= 4 - rest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(text: &str) -> Vec<String> {
        refusals(text).into_iter().map(|r| text[r.span].to_string()).collect()
    }

    #[test]
    fn what_pyyaml_safe_load_refuses() {
        // Each seen with PyYAML 6's `yaml.safe_load`.
        assert_eq!(refused("brand: !foo bar\n"), ["!foo bar"]);
        assert_eq!(refused("brand: !!int abc\n"), ["!!int abc"]);
        assert_eq!(refused("brand: !!float x\n"), ["!!float x"]);
        assert_eq!(refused("brand: !!bool maybe\n"), ["!!bool maybe"]);
        assert_eq!(refused("brand: !!timestamp x\n"), ["!!timestamp x"]);
        assert_eq!(refused("brand: !!python/name:os.system\n").len(), 1);
        assert_eq!(refused("brand: !!map x\n").len(), 1);
        assert_eq!(refused("k: !!str [a]\n").len(), 1);
        assert_eq!(refused("<<: 1\n"), ["<<"]);
        assert_eq!(refused("<<: [1]\n"), ["<<"]);
        assert_eq!(refused("a: &a 1\n<<: *a\n"), ["<<"]);
        assert!(crate::yaml::parse("<<: *nope\n").is_err());
        assert_eq!(refused("a: 1\n---\nb: 2\n"), ["---"]);
        assert_eq!(refused("a: 1\n---\n"), ["---"]);
    }

    #[test]
    fn what_pyyaml_safe_load_reads() {
        for text in [
            "brand: !!str abc\n",
            "brand: !!null x\n",
            "brand: !!int 0x1F\n",
            "brand: !!int 1_000\n",
            "brand: !!float 1e5\n",
            "brand: !!bool YES\n",
            "brand: !!timestamp 2001-12-14t21:59:43.10-05:00\n",
            "brand: !!binary \"R0lG\"\n",
            "brand: !!set {a}\n",
            "brand: ! x\n",
            "<<: {a: 1}\n",
            "a: &a {x: 1}\n<<: *a\n",
            "a: &a {x: 1}\n<<: [*a, {y: 2}]\n",
            "\"<<\": 1\n",
            "---\na: 1\n...\n",
            "%YAML 1.1\n---\nk: v\n",
        ] {
            assert!(refused(text).is_empty(), "{text:?}: {:?}", refused(text));
        }
    }

    #[test]
    fn conversions() {
        assert!(converts_int("0777") && !converts_int("08") && converts_int("1:30"));
        assert!(!converts_int("") && !converts_int("-"));
        assert!(converts_float(".inf") && converts_float("-1.5") && !converts_float("1.2.3"));
        assert!(converts_timestamp("2002-12-14") && !converts_timestamp("2002-02-30"));
        assert!(converts_timestamp("2001-12-14 21:59:43.10 -5"));
        assert!(converts_binary("R0lGODlh") && !converts_binary("R0lGO") && converts_binary("!!"));
    }
}
