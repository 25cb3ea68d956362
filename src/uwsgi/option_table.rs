//! The option names and hook actions that uWSGI 2.0 knows, shipped as data.
//!
//! uWSGI turns a config key it does not know into a placeholder without a word, so a typo such
//! as `proceses` silently does nothing. This module embeds the option table of uWSGI 2.0 (core
//! plus the plugins a Galaxy setup loads) and the list of hook actions, both kept as TSV files
//! under `data/`, parses them once on first use, and answers three questions: is this a known
//! option, is this a known hook action, and which known option did a misspelt name most likely
//! mean.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// The option table: one row per name, aliases included.
const OPTIONS_TSV: &str = include_str!("../../data/uwsgi-options.tsv");

/// The hook actions accepted before the `:` of a `hook-*` value.
const HOOK_ACTIONS_TSV: &str = include_str!("../../data/uwsgi-hook-actions.tsv");

/// How an option takes its value on the command line (its getopt kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Argument {
    /// A value must follow (`socket`, `mule-reload-mercy`).
    Required,
    /// A value may follow (`endif`, `chmod-socket`).
    Optional,
    /// A flag: no value (`master`, `vacuum`).
    None,
}

/// What a second occurrence of the same option does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeatable {
    /// Each occurrence adds an entry (`mule`, `socket`, `hook-*`, `pythonpath`).
    Yes,
    /// A later occurrence replaces the earlier value (`processes`, `chdir`).
    No,
    /// The option's parser does not say.
    Unknown,
}

/// One known uWSGI option name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionInfo {
    /// The name as written in a config file, with dashes.
    pub name: &'static str,
    /// Whether the option takes a value.
    pub argument: Argument,
    /// Whether repeating the option adds rather than replaces.
    pub repeatable: Repeatable,
    /// `core`, or the plugin that must be loaded for the name to exist (`python`, `zergpool`, …).
    pub origin: &'static str,
}

/// The parsed option table, in file order, with an index by name.
struct OptionTable {
    rows: Vec<OptionInfo>,
    by_name: HashMap<&'static str, usize>,
}

static OPTIONS: LazyLock<OptionTable> = LazyLock::new(|| {
    let rows: Vec<OptionInfo> = data_rows(OPTIONS_TSV).filter_map(parse_option_row).collect();

    // The first row of a name wins, so a core option shadows a plugin one of the same name.
    let mut by_name = HashMap::with_capacity(rows.len());
    for (index, row) in rows.iter().enumerate() {
        by_name.entry(row.name).or_insert(index);
    }

    OptionTable { rows, by_name }
});

static HOOK_ACTIONS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    data_rows(HOOK_ACTIONS_TSV)
        .filter_map(|line| line.split('\t').next())
        .filter(|name| !name.is_empty())
        .collect()
});

/// Every option name of the table, aliases included, in the table's order.
pub fn names() -> impl Iterator<Item = &'static str> {
    OPTIONS.rows.iter().map(|row| row.name)
}

/// Returns the table row for an option name, or `None` when uWSGI 2.0 does not know it.
///
/// Names are matched exactly: uWSGI compares them byte for byte, so `buffer_size` is not
/// `buffer-size`.
#[must_use]
pub fn lookup(name: &str) -> Option<&'static OptionInfo> {
    let table: &'static OptionTable = &OPTIONS;
    table.by_name.get(name).map(|&index| &table.rows[index])
}

/// Tells whether `name` is a hook action, the part of a `hook-*` value before the first `:`.
#[must_use]
pub fn is_hook_action(name: &str) -> bool {
    HOOK_ACTIONS.contains(name)
}

/// Returns the known option name closest to an unknown `name`, when it is close enough to be a
/// likely typo; `None` for a known name or for one that resembles nothing.
///
/// A name that only differs by case or by underscores in place of dashes maps straight to its
/// option. Otherwise the nearest name by edit distance (a swap of two neighbouring characters
/// counts as one edit) is offered if the distance fits the length of the name: short names get
/// little slack, so that unrelated words are not mistaken for typos. Ties go to the name that
/// shares the longer prefix, then to the earlier row of the table (core options come first).
#[must_use]
pub fn suggest(name: &str) -> Option<&'static str> {
    if lookup(name).is_some() {
        return None;
    }

    let normalized = name.trim().to_ascii_lowercase().replace('_', "-");
    if let Some(info) = lookup(&normalized) {
        return Some(info.name);
    }

    crate::suggest::closest(&normalized, OPTIONS.rows.iter().map(|row| row.name))
}

/// The non-comment, non-header lines of an embedded TSV file.
fn data_rows(text: &'static str) -> impl Iterator<Item = &'static str> {
    text.lines()
        .map(|line| line.trim_end_matches('\r'))
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .skip(1)
}

/// Parses `name  argument  repeatable  origin`; a malformed row yields `None` (the unit tests
/// make sure the shipped file has none).
fn parse_option_row(line: &'static str) -> Option<OptionInfo> {
    let mut fields = line.split('\t');
    let name = fields.next().filter(|name| !name.is_empty())?;

    let argument = match fields.next()? {
        "required" => Argument::Required,
        "optional" => Argument::Optional,
        "none" => Argument::None,
        _ => return None,
    };

    let repeatable = match fields.next()? {
        "yes" => Repeatable::Yes,
        "no" => Repeatable::No,
        "unknown" => Repeatable::Unknown,
        _ => return None,
    };

    let origin = fields.next().filter(|origin| !origin.is_empty())?;
    if fields.next().is_some() {
        return None;
    }

    Some(OptionInfo { name, argument, repeatable, origin })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_data_row_parses() {
        let expected = data_rows(OPTIONS_TSV).count();
        assert!(expected > 900, "option table looks truncated: {expected} rows");
        assert_eq!(OPTIONS.rows.len(), expected);
        assert_eq!(OPTIONS.by_name.len(), expected, "duplicate option names in the table");
    }

    #[test]
    fn header_names_the_columns() {
        let header = OPTIONS_TSV.lines().find(|line| !line.starts_with('#'));
        assert_eq!(header, Some("name\targument\trepeatable\torigin"));
        let header = HOOK_ACTIONS_TSV.lines().find(|line| !line.starts_with('#'));
        assert_eq!(header, Some("name\torigin"));
    }

    #[test]
    fn looks_up_core_options() {
        let socket = lookup("socket").unwrap();
        assert_eq!(socket.argument, Argument::Required);
        assert_eq!(socket.repeatable, Repeatable::Yes);
        assert_eq!(socket.origin, "core");

        let master = lookup("master").unwrap();
        assert_eq!(master.argument, Argument::None);
        assert_eq!(master.repeatable, Repeatable::No);

        assert_eq!(lookup("endif").unwrap().argument, Argument::Optional);
        assert_eq!(lookup("mule").unwrap().repeatable, Repeatable::Yes);
        assert_eq!(lookup("mule-reload-mercy").unwrap().argument, Argument::Required);
        assert_eq!(lookup("master-fifo").unwrap().repeatable, Repeatable::Yes);
        assert_eq!(lookup("hook-accepting1-once").unwrap().origin, "core");
        assert_eq!(lookup("static-map").unwrap().origin, "core");
    }

    #[test]
    fn looks_up_plugin_options_and_aliases() {
        let pool = lookup("zergpool").unwrap();
        assert_eq!(pool.origin, "zergpool");
        assert_eq!(pool.repeatable, Repeatable::Yes);
        assert_eq!(lookup("zerg-pool").unwrap().origin, "zergpool");

        assert_eq!(lookup("pythonpath").unwrap().origin, "python");
        assert_eq!(lookup("virtualenv").unwrap().origin, "python");
        assert_eq!(lookup("http").unwrap().origin, "http");
        assert_eq!(lookup("cheaper-busyness-max").unwrap().origin, "cheaper_busyness");
    }

    #[test]
    fn lookup_is_exact() {
        assert!(lookup("buffer_size").is_none());
        assert!(lookup("Master").is_none());
        assert!(lookup("").is_none());
        assert!(lookup("proceses").is_none());
    }

    #[test]
    fn knows_hook_actions() {
        for action in ["exec", "call", "writefifo", "spinningfifo", "wait_for_socket"] {
            assert!(is_hook_action(action), "{action}");
        }
        for action in ["wait_for_file", "unix_signal", "mount", "exit", "print"] {
            assert!(is_hook_action(action), "{action}");
        }
        assert!(!is_hook_action("writefifo:/tmp/fifo q"));
        assert!(!is_hook_action("frobnicate"));
        assert!(!is_hook_action(""));
    }

    #[test]
    fn suggests_likely_typos() {
        assert_eq!(suggest("mules-reload-mercy"), Some("mule-reload-mercy"));
        assert_eq!(suggest("proceses"), Some("processes"));
        assert_eq!(suggest("zerg-pol"), Some("zerg-pool"));
        assert_eq!(suggest("hook-accepting1once"), Some("hook-accepting1-once"));
        assert_eq!(suggest("mastre-fifo"), Some("master-fifo"));
        assert_eq!(suggest("vacum"), Some("vacuum"));
    }

    #[test]
    fn maps_underscores_and_case_to_the_dashed_name() {
        assert_eq!(suggest("buffer_size"), Some("buffer-size"));
        assert_eq!(suggest("mule_reload_mercy"), Some("mule-reload-mercy"));
        assert_eq!(suggest("Master"), Some("master"));
    }

    #[test]
    fn suggests_nothing_for_known_or_unrelated_names() {
        assert_eq!(suggest("processes"), None);
        assert_eq!(suggest("galaxy"), None);
        assert_eq!(suggest("job-handlers"), None);
        assert_eq!(suggest("xyzzy-frobnicate"), None);
        assert_eq!(suggest("foo"), None);
        assert_eq!(suggest(""), None);
    }
}
