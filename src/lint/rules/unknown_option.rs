//! ZC304 unknown-option: an option name uWSGI 2.0 does not know.
//!
//! uWSGI does not reject an unknown name: it stores it as a placeholder, so a typo such as
//! `proceses` or `buffer_size` (uWSGI does not read `_` as `-`) silently does nothing. Names
//! the same file declares (`declare-option`, `declare-option2`) or sets as placeholders (`set`,
//! `set-placeholder`, `set-ph`), names it uses as placeholders (`galaxy_root: /srv/galaxy`
//! with `chdir: %(galaxy_root)/server`: defining a placeholder this way is what uWSGI offers),
//! the keys Galaxy itself reads from uWSGI's options, and `end`, which closes a block, are
//! known.

use std::collections::HashSet;

use super::syntax::uwsgi_files;
use crate::lint::{FileSet, Finding, Rule, RuleInfo, Severity};
use crate::uwsgi::{UwsgiOption, blocks, option_table, placeholders};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC304",
    name: "unknown-option",
    severity: Severity::Warning,
    summary: "an option name uWSGI does not know, which it silently ignores",
    why: "uWSGI takes a name it does not know for a placeholder, without a word, unless \
          `strict: true` is set. A misspelt option (`proceses`, `buffer_size` for `buffer-size`: \
          names match exactly) is therefore simply not applied, and the instance runs with the \
          default. Names declared in the same file with `declare-option`, set as placeholders \
          with `set`, `set-placeholder` or `set-ph`, or used as placeholders (`%(name)`) in the \
          same file are not reported.",
    bad: "uwsgi:\n  proceses: 4\n  buffer_size: 16384\n",
    good: "uwsgi:\n  processes: 4\n  buffer-size: 16384\n",
};

/// Keys Galaxy reads from uWSGI's options itself (unknown to uWSGI, known to Galaxy).
const GALAXY_KEYS: &[&str] = &["galaxy_config_file"];

/// Options whose value starts with `name=`, making `name` known in the file.
const DECLARING: &[&str] =
    &["declare-option", "declare-option2", "set", "set-placeholder", "set-ph"];

/// The rule.
pub struct UnknownOption;

impl Rule for UnknownOption {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file, options) in uwsgi_files(set) {
            let mut declared = declared_names(options);
            declared.extend(placeholders::referenced(&file.source.text));

            for option in options {
                let key = option.key.as_str();
                if option_table::lookup(key).is_some()
                    || blocks::closes(key)
                    || declared.contains(key)
                    || GALAXY_KEYS.contains(&key)
                {
                    continue;
                }

                let help = match option_table::suggest(key) {
                    Some(name) => format!(
                        "did you mean `{name}`? write `{name}: {}`",
                        if option.value.is_empty() { "<value>" } else { option.value.as_str() }
                    ),
                    None => format!(
                        "remove the line; if it is a placeholder used as `%({key})`, define it \
                         with `set-placeholder: {key}=<value>`"
                    ),
                };
                out.push(Finding::new(
                    &RULE,
                    index,
                    option.key_span.clone(),
                    format!(
                        "`{key}` is not a uWSGI option: uWSGI silently takes it as a placeholder \
                         and ignores it"
                    ),
                    "unknown option",
                    help,
                ));
            }
        }
    }
}

/// Names the options declare or set as placeholders (`name=...`).
fn declared_names(options: &[UwsgiOption]) -> HashSet<&str> {
    options
        .iter()
        .filter(|o| DECLARING.contains(&o.key.as_str()))
        .filter_map(|o| o.value.split_once('=').map(|(name, _)| name.trim()))
        .filter(|name| !name.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, single};

    #[test]
    fn typos_with_suggestions() {
        let text = "uwsgi:\n  proceses: 4\n  buffer_size: 16384\n  master: true\n";
        let found = check(&UnknownOption, &single(text));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(&text[found[0].span.clone()], "proceses");
        assert!(found[0].help.contains("`processes: 4`"), "{}", found[0].help);
        assert!(found[1].help.contains("`buffer-size: 16384`"), "{}", found[1].help);
    }

    #[test]
    fn declared_and_galaxy_names_are_known() {
        let text = "uwsgi:\n  set-placeholder: galaxy_root=/srv/galaxy/server\n  \
                    galaxy_root: /srv/galaxy/server\n  set: galaxy_config_file=/x.yml\n  \
                    galaxy_config_file: /x.yml\n  declare-option: myopt=master=true\n  myopt: 1\n";
        assert!(check(&UnknownOption, &single(text)).is_empty());
    }

    #[test]
    fn names_used_as_placeholders_are_known() {
        let text = "uwsgi:\n  galaxy_root: /srv/galaxy\n  chdir: /%(galaxy_root)/server\n  \
                    galaxy_rot: /srv/galaxy\n";
        let found = check(&UnknownOption, &single(text));
        let names: Vec<_> = found.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(names, ["galaxy_rot"]);
    }

    #[test]
    fn end_closes_a_block_and_is_no_typo() {
        // uWSGI takes `end` as the end of a block although no option has that name.
        let text = "uwsgi:\n  if-env: X\n  processes: 2\n  end: if-env\n";
        assert!(check(&UnknownOption, &single(text)).is_empty());
    }

    #[test]
    fn unrelated_name_gets_no_guess() {
        let text = "uwsgi:\n  galaxy_flavour: blue\n";
        let found = check(&UnknownOption, &single(text));
        assert_eq!(found.len(), 1);
        assert!(found[0].help.contains("set-placeholder: galaxy_flavour=<value>"));
    }
}
