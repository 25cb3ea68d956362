//! The part of JSON Schema (draft 7) that `schemas/zerg.schema.json` is written in, checked
//! directly: `type`, `properties`, `additionalProperties`, `$ref` into `definitions`, `enum`,
//! `items`, `minLength`, `minimum`, `maximum`, and `pattern` anchored at the start of a literal
//! prefix (`^/`). Annotations (`description`, `default`, `title`) are ignored.
//!
//! A general validator compiles the schema, and first the draft's meta-schema, on every run:
//! most of the time `zergcfg build` spent on its own. The schema is built in and fixed, so the
//! tests prove instead that it stays inside this subset and that a general validator agrees with
//! this one on every kind of value.

use serde_json::Value;

/// The first place the instance breaks the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The keys from the instance's root to the value at fault.
    pub path: Vec<String>,
    /// What is wrong.
    pub kind: Kind,
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A key the schema does not allow in that table.
    UnknownKey(String),
    /// A value the schema rejects, told in a sentence naming the value.
    Value(String),
}

/// The keywords this module checks or knows to ignore; a schema using another is outside the
/// subset (the tests keep the shipped schema inside it).
#[cfg(test)]
const KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$ref",
    "title",
    "description",
    "default",
    "type",
    "properties",
    "additionalProperties",
    "definitions",
    "enum",
    "items",
    "minLength",
    "minimum",
    "maximum",
    "pattern",
];

/// The first finding of `instance` against `schema` (the root schema, for `$ref`s).
pub fn first_finding(schema: &Value, instance: &Value) -> Option<Finding> {
    let mut path = Vec::new();
    check(schema, schema, instance, &mut path).map(|kind| Finding { path, kind })
}

fn check(root: &Value, node: &Value, instance: &Value, path: &mut Vec<String>) -> Option<Kind> {
    let node = resolve(root, node);

    if let Some(wanted) = node.get("type").and_then(Value::as_str) {
        if !has_type(instance, wanted) {
            return Some(Kind::Value(format!("{instance} is not of type \"{wanted}\"")));
        }
    }
    if let Some(options) = node.get("enum").and_then(Value::as_array) {
        if !options.contains(instance) {
            return Some(Kind::Value(not_one_of(instance, options)));
        }
    }
    if let (Some(limit), Some(text)) =
        (node.get("minLength").and_then(Value::as_u64), instance.as_str())
    {
        if (text.chars().count() as u64) < limit {
            let s = if limit == 1 { "" } else { "s" };
            return Some(Kind::Value(format!("{instance} is shorter than {limit} character{s}")));
        }
    }
    if let (Some(pattern), Some(text)) =
        (node.get("pattern").and_then(Value::as_str), instance.as_str())
    {
        if !matches_prefix(pattern, text) {
            return Some(Kind::Value(format!("{instance} does not match \"{pattern}\"")));
        }
    }
    if let Some(number) = instance.as_f64() {
        if let Some(limit) = node.get("minimum").filter(|l| l.as_f64().is_some_and(|l| number < l))
        {
            return Some(Kind::Value(format!("{instance} is less than the minimum of {limit}")));
        }
        if let Some(limit) = node.get("maximum").filter(|l| l.as_f64().is_some_and(|l| number > l))
        {
            return Some(Kind::Value(format!("{instance} is greater than the maximum of {limit}")));
        }
    }

    if let Some(items) = instance.as_array() {
        if let Some(item_schema) = node.get("items") {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                if let Some(kind) = check(root, item_schema, item, path) {
                    return Some(kind);
                }
                path.pop();
            }
        }
    }

    let table = instance.as_object()?;
    let properties = node.get("properties").and_then(Value::as_object);
    let additional = node.get("additionalProperties");
    if additional == Some(&Value::Bool(false)) {
        let unknown = table.keys().find(|k| properties.is_none_or(|p| !p.contains_key(*k)));
        if let Some(key) = unknown {
            return Some(Kind::UnknownKey(key.clone()));
        }
    }
    for (key, value) in table {
        let schema = properties.and_then(|p| p.get(key)).or(additional.filter(|a| a.is_object()));
        if let Some(schema) = schema {
            path.push(key.clone());
            if let Some(kind) = check(root, schema, value, path) {
                return Some(kind);
            }
            path.pop();
        }
    }
    None
}

/// A node, or the definition its `$ref` names (`#/definitions/...`).
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    node.get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
        .and_then(|pointer| root.pointer(pointer))
        .unwrap_or(node)
}

fn has_type(value: &Value, wanted: &str) -> bool {
    match wanted {
        "object" => value.is_object(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "null" => value.is_null(),
        _ => true,
    }
}

/// `"x" is not one of "a", "b" or "c"`.
fn not_one_of(value: &Value, options: &[Value]) -> String {
    let names: Vec<String> = options.iter().map(Value::to_string).collect();
    let list = match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    format!("{value} is not one of {list}")
}

/// Whether `text` matches a pattern of the form `^literal`; the only form the subset has.
fn matches_prefix(pattern: &str, text: &str) -> bool {
    pattern.strip_prefix('^').is_some_and(|prefix| text.starts_with(prefix))
}

/// Whether a pattern is of the form [`matches_prefix`] checks: `^` and characters that stand
/// for themselves in a regular expression.
#[cfg(test)]
fn is_prefix_pattern(pattern: &str) -> bool {
    pattern
        .strip_prefix('^')
        .is_some_and(|rest| !rest.chars().any(|c| "\\.^$|?*+()[]{}".contains(c)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SCHEMA;

    fn schema() -> Value {
        serde_json::from_str(SCHEMA).unwrap()
    }

    /// Every keyword of every schema object under `node`, with the patterns.
    fn keywords(node: &Value, found: &mut Vec<String>, patterns: &mut Vec<String>) {
        let Some(object) = node.as_object() else { return };
        for (key, value) in object {
            found.push(key.clone());
            match key.as_str() {
                "properties" | "definitions" => {
                    for child in value.as_object().into_iter().flat_map(|o| o.values()) {
                        keywords(child, found, patterns);
                    }
                }
                "items" | "additionalProperties" => keywords(value, found, patterns),
                "pattern" => patterns.push(value.as_str().unwrap_or_default().to_string()),
                _ => {}
            }
        }
    }

    #[test]
    fn the_shipped_schema_stays_inside_the_subset() {
        let (mut found, mut patterns) = (Vec::new(), Vec::new());
        keywords(&schema(), &mut found, &mut patterns);
        for keyword in &found {
            assert!(KEYWORDS.contains(&keyword.as_str()), "`{keyword}` is not checked here");
        }
        assert!(!patterns.is_empty());
        for pattern in &patterns {
            assert!(is_prefix_pattern(pattern), "pattern {pattern} is not a literal prefix");
        }
    }

    /// zerg.toml texts of every kind the schema accepts or rejects.
    const CASES: &[&str] = &[
        "",
        "[layout]\nroot = \"/srv/galaxy\"\nuser = \"galaxy\"\ngroup = \"galaxy\"\n",
        "[layout]\nroot = \"srv\"\n",
        "[layout]\nroot = 1\n",
        "[layout]\nuser = \"\"\n",
        "[layout]\nrot = \"/x\"\n",
        "layout = 1\n",
        "[nope]\nx = 1\n",
        "[uwsgi]\npackaging = \"gentoo\"\n",
        "[uwsgi]\npackaging = \"debian\"\nemperor_freq = 1\n",
        "[uwsgi]\nemperor_freq = 0\n",
        "[uwsgi]\nemperor_freq = 61\n",
        "[uwsgi]\nemperor_freq = 1.5\n",
        "[uwsgi]\nemperor_freq = \"1\"\n",
        "[pool]\nprotocol = \"https\"\naddress = \"\"\n",
        "[pool]\naddress = \"127.0.0.1:8080\"\nprotocol = \"http\"\n",
        "[zergling]\nfifo = 3\n",
        "[restarter]\njob_conf = true\nstats = \":9191\"\n",
        "[restarter]\nfoo = \"x\"\n",
        "[lint]\nignore = [\"ZC101\", 3]\n",
        "[lint]\nignore = \"ZC101\"\n",
        "[lint.level]\nZC101 = \"fatal\"\n",
        "[lint.level]\nZC101 = \"warning\"\nZC203 = \"error\"\n",
    ];

    #[test]
    fn a_general_validator_agrees_on_every_kind_of_value() {
        let schema = schema();
        let general = jsonschema::validator_for(&schema).unwrap();
        for text in CASES {
            let table: toml::Table = toml::from_str(text).unwrap();
            let instance = serde_json::to_value(&table).unwrap();
            let ours = first_finding(&schema, &instance);
            let theirs = general.iter_errors(&instance).next();
            assert_eq!(ours.is_none(), theirs.is_none(), "{text}: {ours:?}");
            let (Some(ours), Some(theirs)) = (ours, theirs) else { continue };

            let path: Vec<String> = theirs
                .instance_path()
                .iter()
                .map(|segment| match segment {
                    jsonschema::paths::LocationSegment::Property(p) => p.to_string(),
                    jsonschema::paths::LocationSegment::Index(i) => i.to_string(),
                })
                .collect();
            assert_eq!(ours.path, path, "{text}");
            match (&ours.kind, theirs.kind()) {
                (
                    Kind::UnknownKey(key),
                    jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected },
                ) => assert_eq!(unexpected.first(), Some(key), "{text}"),
                (Kind::Value(message), _) => assert_eq!(message, &theirs.to_string(), "{text}"),
                (kind, other) => panic!("{text}: {kind:?} against {other:?}"),
            }
        }
    }
}
