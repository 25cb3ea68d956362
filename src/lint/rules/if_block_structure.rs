//! ZC301 if-block-structure: uWSGI's `if-*` ... `endif` (and `for` ... `endfor`) blocks as
//! uWSGI 2.0 reads them, one line at a time while it parses the file.
//!
//! A block that is never closed crashes uWSGI 2.0.21 while it parses; a block opened inside
//! another is fatal ("recursive logic in options is not supported"); an `endif` with nothing
//! open closes nothing; and `endif:` with an empty value is dropped by libyaml, so the block
//! stays open (uWSGI's line-based reader stops reading the section at it instead).

use super::syntax::uwsgi_files;
use crate::lint::{FileSet, Finding, Rule, RuleInfo, Severity};
use crate::uwsgi::UwsgiOption;
use crate::uwsgi::blocks::{self, BlockKind};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC301",
    name: "if-block-structure",
    severity: Severity::Error,
    summary: "an `if-*` without `endif`, nested blocks, an `endif` without `if`, or `endif:` \
              with no value",
    why: "uWSGI handles `if-*` and `endif` while it reads the file. A block that is never closed \
          crashes uWSGI 2.0.21 while parsing; an `if-*` inside another block is fatal (\"recursive \
          logic in options is not supported\"); an `endif` with no open block is a leftover that \
          usually means the block above was closed too early. `endif:` with nothing after the \
          colon is worse than it looks: libyaml (Debian's uWSGI) drops a key without a value, so \
          the block stays open, and uWSGI's line-based reader (PyPI) silently stops reading the \
          section at that line.",
    bad: "uwsgi:\n  if-exists: /srv/galaxy/var/restarter.fifo\n  hook-accepting1-once: \
          writefifo:/srv/galaxy/var/restarter.fifo q\n  endif:\n",
    good: "uwsgi:\n  if-exists: /srv/galaxy/var/restarter.fifo\n  hook-accepting1-once: \
           writefifo:/srv/galaxy/var/restarter.fifo q\n  endif: if-exists\n",
};

/// The rule.
pub struct IfBlockStructure;

impl Rule for IfBlockStructure {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, _, options) in uwsgi_files(set) {
            check_options(index, options, out);
        }
    }
}

fn check_options(index: usize, options: &[UwsgiOption], out: &mut Vec<Finding>) {
    let mut open: Option<(BlockKind, &UwsgiOption)> = None;

    for option in options {
        if let Some(block) = blocks::opener(&option.key) {
            if let Some((outer_block, outer)) = open {
                out.push(
                    Finding::new(
                        &RULE,
                        index,
                        option.key_span.clone(),
                        format!(
                            "`{}` opens a block inside the `{}` block, and uWSGI does not nest \
                             blocks: it stops with \"recursive logic in options is not supported\"",
                            option.key, outer.key
                        ),
                        "nested block",
                        format!(
                            "close the outer block first (`{}: {}` on the line before this one), \
                             then write this block after it",
                            outer_block.closer(),
                            outer.key
                        ),
                    )
                    .with_related(
                        index,
                        outer.key_span.clone(),
                        "the open block",
                    ),
                );
                continue;
            }
            open = Some((block, option));
            continue;
        }

        if !blocks::closes(&option.key) {
            continue;
        }

        // `endif:` with no value: report it and count it as closing, so one mistake gives one
        // finding.
        if option.value.is_empty() && option.value_span.is_empty() {
            let value = open.map_or("if-exists", |(_, o)| o.key.as_str());
            out.push(Finding::new(
                &RULE,
                index,
                option.key_span.clone(),
                format!(
                    "`{}:` has no value: libyaml drops the key so the block stays open, and \
                     uWSGI's line-based reader stops reading the section here",
                    option.key
                ),
                "no value",
                format!("give it a value, for example `{}: {value}`", option.key),
            ));
            open = None;
            continue;
        }

        if open.is_none() {
            out.push(Finding::new(
                &RULE,
                index,
                option.key_span.clone(),
                format!("`{}` closes a block, but no block is open here", option.key),
                "nothing to close",
                format!(
                    "remove this line, or add the `{}` line it should close above the options it \
                     guards",
                    if option.key.contains("for") { "for: <values>" } else { "if-exists: <path>" }
                ),
            ));
        }
        open = None;
    }

    if let Some((block, opener)) = open {
        let consequence = match block {
            BlockKind::If => "uWSGI 2.0.21 crashes while parsing a file with an unclosed `if-*`",
            BlockKind::For => "every option after it is taken into the loop",
        };
        out.push(Finding::new(
            &RULE,
            index,
            opener.key_span.clone(),
            format!("`{}` opens a block that is never closed: {consequence}", opener.key),
            "never closed",
            format!(
                "add `{}: {}` after the last option the block should hold",
                block.closer(),
                opener.key
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, single};

    const GUARD: &str = "  if-exists: /srv/galaxy/var/restarter.fifo\n  \
                         hook-accepting1-once: writefifo:/srv/galaxy/var/restarter.fifo q\n";

    #[test]
    fn closed_block_is_clean() {
        let text = format!("uwsgi:\n  master: true\n{GUARD}  endif: if-exists\n  processes: 2\n");
        assert!(check(&IfBlockStructure, &single(&text)).is_empty());
    }

    #[test]
    fn unclosed_block() {
        let text = format!("uwsgi:\n{GUARD}  processes: 2\n");
        let found = check(&IfBlockStructure, &single(&text));
        assert_eq!(found.len(), 1);
        assert_eq!(&text[found[0].span.clone()], "if-exists");
        assert!(found[0].message.contains("crashes"));
        assert!(found[0].help.contains("endif: if-exists"));
    }

    #[test]
    fn nested_block() {
        let text = format!("uwsgi:\n{GUARD}  if-env: GALAXY_RESTART\n  endif: x\n  endif: y\n");
        let found = check(&IfBlockStructure, &single(&text));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(&text[found[0].span.clone()], "if-env");
        assert_eq!(found[0].related.len(), 1);
        assert!(found[1].message.contains("no block is open"));
    }

    #[test]
    fn empty_endif() {
        let text = format!("uwsgi:\n{GUARD}  endif:\n  processes: 2\n");
        let found = check(&IfBlockStructure, &single(&text));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&text[found[0].span.clone()], "endif");
        assert!(found[0].help.contains("endif: if-exists"));
    }

    #[test]
    fn the_aliases_open_and_every_closer_closes() {
        // `ifexists`, `ifdir`, `ifenv` and `ifplugin` open blocks as their `if-` forms do, and
        // `end` or `endfor` closes an `if-*` block as `endif` does (uWSGI 2.0.21 and 2.0.31).
        for opener in ["ifexists", "ifdir", "ifenv", "ifplugin", "if-directory"] {
            let text = format!("uwsgi:\n  {opener}: x\n  processes: 2\n");
            let found = check(&IfBlockStructure, &single(&text));
            assert_eq!(found.len(), 1, "{opener}: {found:?}");
            assert!(found[0].message.contains("never closed"), "{opener}");
        }
        for closer in ["end", "endfor", "end-for", "end-if"] {
            let text = format!("uwsgi:\n{GUARD}  {closer}: if-exists\n");
            assert!(check(&IfBlockStructure, &single(&text)).is_empty(), "{closer}");
        }
        // Not an option: a placeholder, which opens nothing.
        let text = "uwsgi:\n  if-nonsense: x\n  processes: 2\n";
        assert!(check(&IfBlockStructure, &single(text)).is_empty());
    }

    #[test]
    fn for_blocks_count_too() {
        let text = "uwsgi:\n  for: a b\n  env: X=%(_)\n  endfor: done\n  end-if: stray\n";
        let found = check(&IfBlockStructure, &single(text));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&text[found[0].span.clone()], "end-if");
    }
}
