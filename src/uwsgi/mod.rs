//! The `uwsgi:` section of a YAML file as uWSGI reads it: an ordered list of options, repeated
//! keys kept, plus what the zerg dance needs to know about them (binds, mules, farms, handler
//! names).

pub mod binds;
pub mod blocks;
pub mod galaxy_opts;
pub mod hooks;
pub mod includes;
pub mod lines;
pub mod magic;
pub mod option_table;
pub mod placeholders;
pub mod portable;

use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// For an option read from a file that this one includes (`yaml: other.yml`): where it is
    /// written there. Its own spans then cover the whole include line.
    pub included: Option<Arc<Included>>,
}

/// Where an option taken from an included file is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Included {
    /// The included file, as lint names it (the path it was given, for a linted file).
    pub path: PathBuf,
    /// Its index in the lint run's set of files, when it is one of them.
    pub file: Option<usize>,
    /// Bytes of the option, key through value, in that file.
    pub span: Span,
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
                included: None,
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

/// A number as uWSGI reads most numeric options (C's `atoi`): the leading digits after blanks
/// and an optional sign, and 0 when there are none (`30s` is 30, `abc` is 0).
pub fn atoi(value: &str) -> i64 {
    let trimmed = value.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let (sign, digits) = match trimmed.as_bytes().first() {
        Some(b'-') => (-1, &trimmed[1..]),
        Some(b'+') => (1, &trimmed[1..]),
        _ => (1, trimmed),
    };
    let end = digits.bytes().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len());
    digits[..end]
        .bytes()
        .fold(0_i64, |n, d| n.saturating_mul(10).saturating_add(i64::from(d - b'0')))
        * sign
}

/// A path value as the instance uses it: a relative one taken against `base` when one is
/// given, then folded as [`crate::paths::normalize`] folds it (`..` above `/` stays at `/`, a
/// leading `..` of a relative path is kept).
pub fn normalize_path(path: &str, base: Option<&Path>) -> PathBuf {
    match base {
        Some(base) => crate::paths::resolve(base, path),
        None => crate::paths::normalize(Path::new(path)),
    }
}

/// Whether an option value names a file system path rather than an address (`127.0.0.1:9191`)
/// or an abstract socket (`@name`).
pub fn is_path_value(value: &str) -> bool {
    !value.starts_with('@') && (value.contains('/') || !value.contains(':'))
}

/// A resource each instance must have to itself: zergling A and the restarter run at once
/// during every restart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// The master FIFO the other zergling writes `q` into.
    MasterFifo,
    /// The stats server's address (a unix socket or host:port), which only one may bind.
    Stats,
    /// The pid file.
    PidFile,
    /// The log file (`daemonize` takes one too).
    Log,
}

impl Resource {
    /// The resource in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::MasterFifo => "master FIFO",
            Self::Stats => "stats address",
            Self::PidFile => "pid file",
            Self::Log => "log file",
        }
    }
}

/// Every option naming a per-instance resource, with the resource it names.
pub const INSTANCE_RESOURCES: &[(&str, Resource)] = &[
    ("master-fifo", Resource::MasterFifo),
    ("stats", Resource::Stats),
    ("stats-server", Resource::Stats),
    ("pidfile", Resource::PidFile),
    ("pidfile2", Resource::PidFile),
    ("safe-pidfile", Resource::PidFile),
    ("safe-pidfile2", Resource::PidFile),
    ("logto", Resource::Log),
    ("logto2", Resource::Log),
    ("daemonize", Resource::Log),
    ("daemonize2", Resource::Log),
];

/// The per-instance resource an option names, if it names one.
pub fn resource(key: &str) -> Option<Resource> {
    INSTANCE_RESOURCES.iter().find(|(name, _)| *name == key).map(|(_, r)| *r)
}

/// The endings of the file names the Emperor starts as vassals (`uwsgi_emperor_is_valid` in
/// `core/emperor.c`), compared byte for byte, case and all.
pub const VASSAL_SUFFIXES: &[&str] = &[".yml", ".yaml", ".ini", ".xml", ".json", ".js"];

/// Whether the Emperor starts a regular file of this name found in its directory: a name
/// shorter than 255 bytes that ends in one of [`VASSAL_SUFFIXES`]. A hidden file counts, and
/// so does a name that is only the ending (uWSGI 2.0.31 started `.yml` and `.hidden.yml`, not
/// `x.YML`).
pub fn started_by_emperor(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;

    path.file_name().map(OsStrExt::as_bytes).is_some_and(|name| {
        name.len() < 255 && VASSAL_SUFFIXES.iter().any(|suffix| name.ends_with(suffix.as_bytes()))
    })
}

/// A `farm: name:id,id` line, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Farm {
    /// Farm name, e.g. `job-handlers`.
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

/// The options that give an instance mules or group them into farms.
pub const MULE_OPTIONS: &[&str] = &["mule", "mules", "farm"];

/// How many mules the options start: one per `mule` line plus the count of each `mules`;
/// `None` when one of them is read inside an `if-*` or `for` block, where uWSGI decides at
/// start how many run.
pub fn mule_count(options: &[UwsgiOption]) -> Option<u32> {
    let blocks = blocks::enclosing(options);
    let mut count = 0_u32;
    for (option, open) in options.iter().zip(blocks) {
        let mules = match option.key.as_str() {
            "mule" => 1,
            "mules" => option.value.trim().parse::<u32>().unwrap_or(0),
            _ => continue,
        };
        if open.is_some() {
            return None;
        }
        count = count.saturating_add(mules);
    }
    Some(count)
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
    fn numbers_read_as_atoi_reads_them() {
        assert_eq!(atoi("30"), 30);
        assert_eq!(atoi(" 30s"), 30);
        assert_eq!(atoi("abc"), 0);
        assert_eq!(atoi(""), 0);
        assert_eq!(atoi("-5x"), -5);
        assert_eq!(atoi("+7"), 7);
    }

    #[test]
    fn per_instance_resources() {
        assert_eq!(resource("daemonize2"), Some(Resource::Log));
        assert_eq!(resource("safe-pidfile"), Some(Resource::PidFile));
        assert_eq!(resource("stats-server"), Some(Resource::Stats));
        assert_eq!(resource("master-fifo"), Some(Resource::MasterFifo));
        assert_eq!(resource("chdir"), None);
        for (name, _) in INSTANCE_RESOURCES {
            assert!(option_table::lookup(name).is_some(), "{name}");
        }
    }

    #[test]
    fn the_emperor_starts_six_endings() {
        for name in ["a.yml", "a.yaml", "a.ini", "a.xml", "a.json", "a.js", ".yml", ".hidden.ini"] {
            assert!(started_by_emperor(Path::new(name)), "{name}");
        }
        for name in ["a.yml.bak", "a.YML", "a.yml~", "a.fifo", "yml"] {
            assert!(!started_by_emperor(Path::new(name)), "{name}");
        }
        let long = format!("{}.yml", "v".repeat(251));
        assert!(!started_by_emperor(Path::new(&long)) && started_by_emperor(Path::new(&long[1..])));
        // A name that is not UTF-8 is read as bytes, as the Emperor reads it.
        let name = <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(b"caf\xe9.yml");
        assert!(started_by_emperor(Path::new(name)));
    }

    #[test]
    fn paths_fold_dots_and_slashes() {
        let norm = |p: &str| normalize_path(p, None).display().to_string();
        assert_eq!(norm("/srv/galaxy/var//zergling.pid"), "/srv/galaxy/var/zergling.pid");
        assert_eq!(norm("/srv/galaxy/var/../var/zergling.pid"), "/srv/galaxy/var/zergling.pid");
        assert_eq!(norm("/srv/galaxy/var/./zergling.fifo"), "/srv/galaxy/var/zergling.fifo");
        let base = Path::new("/srv/galaxy/server");
        assert_eq!(
            normalize_path("../var/a.sock", Some(base)),
            Path::new("/srv/galaxy/var/a.sock")
        );
        assert_eq!(normalize_path("/abs", Some(base)), Path::new("/abs"));
        // The kernel resolves `..` at the root to the root; a relative path keeps its `..`.
        assert_eq!(norm("/../x"), "/x");
        assert_eq!(norm("/srv/../../x"), "/x");
        assert_eq!(norm("../../x"), "../../x");
        assert_eq!(norm("a/../../x"), "../x");
        assert!(is_path_value("/srv/a.sock") && is_path_value("var/a.sock"));
        assert!(!is_path_value("127.0.0.1:9191") && !is_path_value("@pool"));
    }
}
