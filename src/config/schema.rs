//! Checks `zerg.toml` against its JSON Schema and turns the schema's findings into positioned
//! errors: the key path of a finding leads through TOML's spanned tree to the exact bytes.

use std::sync::LazyLock;

use serde_json::Value;
use toml::de::DeTable;

use super::{SCHEMA, validate};
use crate::error::{Error, Result};
use crate::source::{Source, Span};

static SCHEMA_VALUE: LazyLock<Option<Value>> = LazyLock::new(|| serde_json::from_str(SCHEMA).ok());

/// Validates the TOML text against the schema; the first finding becomes the error.
pub(super) fn check(source: &Source) -> Result<()> {
    let table: toml::Table = toml::from_str(&source.text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        Error::at("zergcfg::config", source, span, e.message().trim(), "here")
            .with_help("zerg.toml must be valid TOML (https://toml.io)")
    })?;
    let instance = serde_json::to_value(&table)
        .map_err(|e| Error::new("zergcfg::config", format!("cannot check zerg.toml: {e}")))?;
    let Some(schema) = SCHEMA_VALUE.as_ref() else {
        return Err(Error::new("zergcfg::schema", "the built-in zerg.toml schema is not JSON"));
    };

    let Some(finding) = validate::first_finding(schema, &instance) else {
        return Ok(());
    };
    let mut keys = finding.path;
    let mut at_key = false;
    let message = match finding.kind {
        validate::Kind::UnknownKey(key) => {
            let table = if keys.is_empty() { "the top level".to_string() } else { keys.join(".") };
            let known = known_keys(schema, &keys);
            let guess = crate::suggest::closest(&key, known.iter().map(String::as_str))
                .map(|k| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            let list = known.join(", ");
            keys.push(key.clone());
            at_key = true;
            format!("unknown key `{key}` in {table}{guess} (known keys: {list})")
        }
        validate::Kind::Value(message) => message,
    };
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let span = if at_key { key_span_of(&source.text, &refs) } else { span_of(&source.text, &refs) };
    let span = span.unwrap_or(0..0);
    let help = description(schema, &refs)
        .unwrap_or_else(|| "see the descriptions in schemas/zerg.schema.json".to_string());
    Err(Error::at("zergcfg::config", source, span, message, "here").with_help(help))
}

/// The byte span of the key (for the last segment naming a table entry) or value at `keys`.
pub(super) fn span_of(text: &str, keys: &[&str]) -> Option<Span> {
    let root = DeTable::parse(text).ok()?;
    let Some((first, rest)) = keys.split_first() else {
        return Some(0..0);
    };
    let (key, mut value) = root.get_ref().get_key_value(*first)?;
    let mut key_span = Some(key.span());

    for key in rest {
        let current = value.get_ref();
        if let Some(table) = current.as_table() {
            let (k, v) = table.get_key_value(*key)?;
            key_span = Some(k.span());
            value = v;
        } else if let Some(array) = current.as_array() {
            value = array.get(key.parse::<usize>().ok()?)?;
            key_span = None;
        } else {
            return None;
        }
    }

    let value_span = value.span();
    Some(if value.get_ref().is_table() { key_span.unwrap_or(value_span) } else { value_span })
}

/// The byte span of the last key of `keys` itself.
fn key_span_of(text: &str, keys: &[&str]) -> Option<Span> {
    let (last, parents) = keys.split_last()?;
    let root = DeTable::parse(text).ok()?;
    let mut table = root.get_ref();
    for key in parents {
        table = table.get(*key)?.get_ref().as_table()?;
    }
    table.get_key_value(*last).map(|(k, _)| k.span())
}

/// The schema's `description` for the property at `keys`, following `$ref`s.
fn description(schema: &Value, keys: &[&str]) -> Option<String> {
    let node = property(schema, keys)?;
    node.get("description").and_then(Value::as_str).map(str::to_string)
}

fn known_keys(schema: &Value, keys: &[String]) -> Vec<String> {
    let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let node = if refs.is_empty() { Some(schema) } else { property(schema, &refs) };
    node.and_then(|n| n.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().cloned().collect())
        .unwrap_or_default()
}

fn property<'a>(schema: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    let mut node = schema;
    for key in keys {
        node = node.get("properties")?.get(*key)?;
        if let Some(reference) = node.get("$ref").and_then(Value::as_str) {
            let pointer = reference.strip_prefix('#')?;
            let target = schema.pointer(pointer)?;
            if node.get("description").is_none() {
                node = target;
            }
        }
    }
    Some(node)
}
