//! uWSGI's logic blocks, `if-*` ... `endif` and `for` ... `endfor`, as uWSGI 2.0 reads them
//! while it parses a file (`add_exported_option` in `core/uwsgi.c`).
//!
//! An option whose handler is the logic handler (`uwsgi_opt_logic`) opens a block: the lines
//! after it are handed to its condition or loop until a closing option. Every closing name
//! closes whatever block is open, checked before anything else (`endfor` ends an `if-*` too,
//! and `end`, which is no option of its own, ends one as well). Blocks do not nest: an opener
//! inside a block is handed to the open block like any other line, and stops uWSGI with
//! "recursive logic in options is not supported" when the block runs it. A name that merely
//! starts with `if-` and is no option (`if-nonsense`) is a placeholder and opens nothing.

use super::{MULE_OPTIONS, UwsgiOption};

/// What a block does with the lines it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// `if-exists`, `if-env`, ...: the lines are read only if the condition holds.
    If,
    /// `for`, `for-glob`, `for-times`, `for-readline`: the lines are read once per item.
    For,
}

impl BlockKind {
    /// The usual closing option of this kind of block.
    pub fn closer(self) -> &'static str {
        match self {
            Self::If => "endif",
            Self::For => "endfor",
        }
    }
}

/// Every option that opens a block: the `(opt logic)` options of uWSGI 2.0's option table, as
/// `uwsgi --help` lists them for the Debian 2.0.21 and the PyPI 2.0.31 builds.
/// `if-hostname-match` and `if-not-hostname-match` exist only in a build with PCRE (Debian's,
/// not PyPI's without libpcre, where they are placeholders that open nothing).
pub const OPENERS: &[(&str, BlockKind)] = &[
    ("for", BlockKind::For),
    ("for-glob", BlockKind::For),
    ("for-times", BlockKind::For),
    ("for-readline", BlockKind::For),
    ("if-opt", BlockKind::If),
    ("if-not-opt", BlockKind::If),
    ("if-env", BlockKind::If),
    ("if-not-env", BlockKind::If),
    ("ifenv", BlockKind::If),
    ("if-reload", BlockKind::If),
    ("if-not-reload", BlockKind::If),
    ("if-hostname", BlockKind::If),
    ("if-not-hostname", BlockKind::If),
    ("if-hostname-match", BlockKind::If),
    ("if-not-hostname-match", BlockKind::If),
    ("if-exists", BlockKind::If),
    ("if-not-exists", BlockKind::If),
    ("ifexists", BlockKind::If),
    ("if-plugin", BlockKind::If),
    ("if-not-plugin", BlockKind::If),
    ("ifplugin", BlockKind::If),
    ("if-file", BlockKind::If),
    ("if-not-file", BlockKind::If),
    ("if-dir", BlockKind::If),
    ("if-not-dir", BlockKind::If),
    ("ifdir", BlockKind::If),
    ("if-directory", BlockKind::If),
];

/// Every name that closes the open block, whichever kind it is (seen with both builds:
/// `if-exists: /nonexistent`, a line, then any of these, and the lines after it are read).
pub const CLOSERS: &[&str] = &["end", "endif", "end-if", "endfor", "end-for"];

/// The kind of block an option opens, if it opens one.
pub fn opener(key: &str) -> Option<BlockKind> {
    OPENERS.iter().find(|(name, _)| *name == key).map(|(_, kind)| *kind)
}

/// Whether an option closes the open block.
pub fn closes(key: &str) -> bool {
    CLOSERS.contains(&key)
}

/// Whether an opener reads its block only when a path exists (`if-exists` and its alias
/// `ifexists`), the guard a hook writing into a FIFO that may be missing needs.
pub fn tests_existence(key: &str) -> bool {
    matches!(key, "if-exists" | "ifexists")
}

/// For each option, the index of the opener whose block holds it, as uWSGI reads them: a
/// closer closes whatever is open and is read outside it; an opener inside a block belongs to
/// that block and opens nothing.
pub fn enclosing(options: &[UwsgiOption]) -> Vec<Option<usize>> {
    let mut open = None;
    options
        .iter()
        .enumerate()
        .map(|(index, option)| {
            if closes(&option.key) {
                open = None;
                return None;
            }
            let here = open;
            if here.is_none() && opener(&option.key).is_some() {
                open = Some(index);
            }
            here
        })
        .collect()
}

/// A `mule`, `mules` or `farm` line read inside a block: how many mules run, or which farm
/// holds them, is decided by the condition or loop when uWSGI starts, so zergling A's handler
/// names are not known beforehand.
#[derive(Debug, Clone, Copy)]
pub struct MuleInBlock<'o> {
    /// The `mule`, `mules` or `farm` line.
    pub option: &'o UwsgiOption,
    /// The option that opened the block.
    pub opener: &'o UwsgiOption,
}

impl MuleInBlock<'_> {
    /// What is wrong, naming the line and the block.
    pub fn message(&self) -> String {
        format!(
            "a `{}` line inside the `{}: {}` block",
            self.option.key, self.opener.key, self.opener.value
        )
    }

    /// What decides it.
    pub fn label(&self) -> String {
        let kind = match opener(&self.opener.key) {
            Some(BlockKind::For) => "loop",
            _ => "condition",
        };
        format!("decided by the {kind} when uWSGI starts")
    }

    /// What to do.
    pub fn help(&self) -> &'static str {
        "write zergling A's `mule` and `farm` lines outside `if-*` and `for` blocks, one line \
         per mule: the restarter preassigns jobs to A's handler names, so they must be known \
         when zergcfg builds it"
    }
}

/// Every `mule`, `mules` and `farm` line of `options` read inside a block, in order.
pub fn mules_in_blocks(options: &[UwsgiOption]) -> Vec<MuleInBlock<'_>> {
    enclosing(options)
        .into_iter()
        .zip(options)
        .filter(|(_, option)| MULE_OPTIONS.contains(&option.key.as_str()))
        .filter_map(|(open, option)| Some(MuleInBlock { option, opener: &options[open?] }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::uwsgi::option_table;

    fn options(keys: &[&str]) -> Vec<UwsgiOption> {
        keys.iter()
            .map(|key| UwsgiOption {
                key: (*key).to_string(),
                value: "x".to_string(),
                key_span: 0..0,
                value_span: 0..0,
                included: None,
            })
            .collect()
    }

    #[test]
    fn every_logic_option_of_the_table_opens_or_closes_a_block() {
        // The option table lists each `if*`/`for*` name uWSGI 2.0.21 knows; every one of them
        // but these three is a logic option (`uwsgi --help` says "(opt logic)").
        let not_logic = ["force-cwd", "force-gateway", "forkbomb-delay"];
        for name in option_table::names() {
            let logic =
                (name.starts_with("if") || name.starts_with("for")) && !not_logic.contains(&name);
            assert_eq!(opener(name).is_some(), logic, "{name}");
        }
        for (name, _) in OPENERS {
            assert!(option_table::lookup(name).is_some(), "{name}");
        }
        for name in CLOSERS.iter().filter(|n| **n != "end") {
            assert!(option_table::lookup(name).is_some(), "{name}");
        }
    }

    #[test]
    fn openers_are_the_table_s_not_every_if_prefix() {
        assert_eq!(opener("ifexists"), Some(BlockKind::If));
        assert_eq!(opener("ifdir"), Some(BlockKind::If));
        assert_eq!(opener("ifenv"), Some(BlockKind::If));
        assert_eq!(opener("ifplugin"), Some(BlockKind::If));
        assert_eq!(opener("if-directory"), Some(BlockKind::If));
        assert_eq!(opener("for-times"), Some(BlockKind::For));
        assert_eq!(opener("if-nonsense"), None);
        assert_eq!(opener("endif"), None);
        assert!(tests_existence("ifexists") && !tests_existence("if-file"));
    }

    #[test]
    fn any_closer_closes_any_block() {
        // uWSGI 2.0.21 and 2.0.31: `if-exists: /nonexistent`, `processes: 4`, then `end`,
        // `endfor` or `end-for` as well as `endif`: `threads: 2` after it is read.
        for closer in CLOSERS {
            let opts = options(&["if-exists", "processes", closer, "threads"]);
            assert_eq!(enclosing(&opts), [None, Some(0), None, None], "{closer}");
        }
        let opts = options(&["for", "mule", "endif", "mule"]);
        assert_eq!(enclosing(&opts), [None, Some(0), None, None]);
    }

    #[test]
    fn an_opener_inside_a_block_belongs_to_it() {
        let opts = options(&["if-env", "if-exists", "mule", "endif", "mule"]);
        assert_eq!(enclosing(&opts), [None, Some(0), Some(0), None, None]);
        let opts = options(&["if-nonsense", "mule", "endif"]);
        assert_eq!(enclosing(&opts), [None, None, None]);
    }

    #[test]
    fn mule_lines_in_blocks() {
        let opts = options(&["for-times", "mule", "endfor", "mule", "ifexists", "farm", "endif"]);
        let found: Vec<_> =
            mules_in_blocks(&opts).iter().map(|m| (m.option.key.as_str(), m.label())).collect();
        assert_eq!(
            found,
            [
                ("mule", "decided by the loop when uWSGI starts".to_string()),
                ("farm", "decided by the condition when uWSGI starts".to_string()),
            ]
        );
        assert_eq!(
            mules_in_blocks(&opts)[0].message(),
            "a `mule` line inside the `for-times: x` block"
        );
    }
}
