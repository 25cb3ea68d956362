//! The `uwsgi:` section of a YAML file as uWSGI reads it: an ordered list of options, repeated
//! keys kept, plus what the zerg dance needs to know about them (binds, mules, farms, handler
//! names).

pub mod option_table;
pub mod portable;

use crate::config::Protocol;
use crate::source::Span;
use crate::yaml::{Node, Scalar};

/// One `key: value` line of a uWSGI section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UwsgiOption {
    /// Option name as written.
    pub key: String,
    /// Value as a YAML loader sees it.
    pub value: String,
    /// Bytes of the key.
    pub key_span: Span,
    /// Bytes of the value as written (quotes included).
    pub value_span: Span,
}

impl UwsgiOption {
    /// The bytes of `value[range]` in `text` (the file the option was read from) when the value
    /// is written as read (a plain scalar), else the whole value, so that a finding always
    /// points inside the option.
    pub fn value_sub_span(&self, text: &str, range: std::ops::Range<usize>) -> Span {
        let span = self.value_span.clone();
        if text.get(span.clone()) == Some(self.value.as_str()) && range.end <= self.value.len() {
            span.start + range.start..span.start + range.end
        } else {
            span
        }
    }
}

/// Why a YAML node cannot be read as a uWSGI section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
    /// How to fix it.
    pub help: String,
}

/// The options of a section, in order, read from its YAML mapping.
///
/// # Errors
/// A value that is not a scalar (a list or mapping): uWSGI's line-based reader stops reading the
/// section there, silently.
pub fn options(section: &Node) -> Result<Vec<UwsgiOption>, SectionError> {
    let Some(entries) = section.entries() else {
        return Err(SectionError {
            message: "the uwsgi section is not a mapping of options".to_string(),
            span: section.span(),
            help: "write one `option: value` line per option under `uwsgi:`".to_string(),
        });
    };

    entries
        .iter()
        .map(|entry| match &entry.value {
            Node::Scalar(Scalar { value, span, .. }) => Ok(UwsgiOption {
                key: entry.key.value.clone(),
                value: value.clone(),
                key_span: entry.key.span.clone(),
                value_span: span.clone(),
            }),
            other => Err(SectionError {
                message: format!("`{}` has a list or mapping as its value", entry.key.value),
                span: other.span(),
                help: format!(
                    "uWSGI's line-based YAML reader stops reading the section here; repeat the \
                     key instead (`{0}: a` then `{0}: b`)",
                    entry.key.value
                ),
            }),
        })
        .collect()
}

/// Extensions of the files the Emperor starts as vassals.
pub const VASSAL_EXTENSIONS: &[&str] = &["yml", "yaml", "ini", "xml", "json", "js"];

/// Whether the Emperor would start a file of this name found in its directory.
pub fn is_vassal_name(path: &std::path::Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| VASSAL_EXTENSIONS.contains(&e))
}

/// Options that make an instance bind an address itself, with the protocol they speak.
pub const BIND_OPTIONS: &[(&str, Protocol)] = &[
    ("socket", Protocol::Uwsgi),
    ("uwsgi-socket", Protocol::Uwsgi),
    ("shared-socket", Protocol::Uwsgi),
    ("http-socket", Protocol::Http),
    ("http11-socket", Protocol::Http),
    ("http", Protocol::Http),
    ("https", Protocol::Http),
    ("https-socket", Protocol::Http),
    ("fastcgi-socket", Protocol::Uwsgi),
    ("scgi-socket", Protocol::Uwsgi),
    ("suwsgi-socket", Protocol::Uwsgi),
    ("ssl-socket", Protocol::Uwsgi),
    ("raw-socket", Protocol::Uwsgi),
    ("puwsgi-socket", Protocol::Uwsgi),
];

/// The protocol an option binds with, if it is a bind option. Names match exactly: uWSGI
/// takes `http_socket` for a placeholder, not for `http-socket`.
pub fn bind_protocol(key: &str) -> Option<Protocol> {
    BIND_OPTIONS.iter().find(|(name, _)| *name == key).map(|(_, p)| *p)
}

/// A `farm: name:id,id` line, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Farm {
    /// Farm name, e.g. `job-handlers` or `job-handlers.special`.
    pub name: String,
    /// Mule ids, 1-based, in the order written.
    pub mules: Vec<u32>,
}

/// Parses a `farm` value.
///
/// # Errors
/// A value without `:`, an empty name, or an id that is not a positive number.
pub fn parse_farm(value: &str) -> Result<Farm, String> {
    let Some((name, ids)) = value.split_once(':') else {
        return Err(format!("`{value}` has no `:`; a farm is `name:id[,id...]`"));
    };
    if name.is_empty() {
        return Err("the farm has no name before `:`".to_string());
    }

    let mut mules = Vec::new();
    for id in ids.split(',') {
        match id.trim().parse::<u32>() {
            Ok(n) if n > 0 => mules.push(n),
            _ => return Err(format!("`{id}` is not a mule id (a number from 1)")),
        }
    }
    Ok(Farm { name: name.to_string(), mules })
}

/// How many mules the options start: one per `mule` line plus the count of each `mules`.
pub fn mule_count(options: &[UwsgiOption]) -> u32 {
    options
        .iter()
        .map(|o| match o.key.as_str() {
            "mule" => 1,
            "mules" => o.value.trim().parse::<u32>().unwrap_or(0),
            _ => 0,
        })
        .sum()
}

/// The farm name whose mules Galaxy makes job handlers: `job-handlers` (untagged) or
/// `job-handlers.<tag>`.
pub const HANDLER_FARM: &str = "job-handlers";

/// The handler tag of a farm: `None` for the untagged `job-handlers`, `Some(tag)` for
/// `job-handlers.<tag>`, and no result for a farm Galaxy does not use for jobs.
pub fn farm_tag(farm: &str) -> Option<Option<&str>> {
    if farm == HANDLER_FARM {
        Some(None)
    } else {
        farm.strip_prefix("job-handlers.").filter(|t| !t.is_empty()).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn farms_parse() {
        let farm = parse_farm("job-handlers:1,2").unwrap();
        assert_eq!(farm.name, "job-handlers");
        assert_eq!(farm.mules, vec![1, 2]);
        assert!(parse_farm("job-handlers").is_err());
        assert!(parse_farm("job-handlers:0").is_err());
        assert!(parse_farm(":1").is_err());
        assert!(parse_farm("job-handlers:1,x").is_err());
    }

    #[test]
    fn farm_tags() {
        assert_eq!(farm_tag("job-handlers"), Some(None));
        assert_eq!(farm_tag("job-handlers.special"), Some(Some("special")));
        assert_eq!(farm_tag("job-handlers."), None);
        assert_eq!(farm_tag("workflow-schedulers"), None);
    }

    #[test]
    fn binds() {
        assert_eq!(bind_protocol("socket"), Some(Protocol::Uwsgi));
        assert_eq!(bind_protocol("http-socket"), Some(Protocol::Http));
        assert_eq!(bind_protocol("http_socket"), None);
        assert_eq!(bind_protocol("stats"), None);
    }
}
