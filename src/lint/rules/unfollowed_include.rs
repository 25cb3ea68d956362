//! ZC308 unfollowed-include: an option that reads more uWSGI options from a file or source lint
//! cannot read, so whatever it brings in goes unchecked.
//!
//! lint reads YAML includes (`yaml:`, `yml:`, and `include:`/`inherit:` of a `.yml` or `.yaml`
//! file) into the options the instance runs with. An INI, XML or JSON file, uWSGI's pluggable
//! `config:`, a paste.deploy file, a URL, a relative include of the restarter (uWSGI opens it
//! from wherever the restart command runs) or a file found neither among the linted files nor
//! on this machine stays unread: its mules, binds, FIFOs, hooks and `galaxy_config_file` are
//! checked by no rule.

use super::effective::{Unfollowed, unfollowed};
use crate::lint::rules::common::option_span;
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC308",
    name: "unfollowed-include",
    severity: Severity::Warning,
    summary: "an option reads uWSGI options from a file lint cannot read (INI, XML, JSON, a URL, \
              a relative include of the restarter, a missing file), so they are not checked",
    why: "The rules look at the options each instance really starts with, included files and \
          all. An include lint cannot read leaves a hole in that: an `ini: extra.ini` in the \
          restarter may give it mules (two processes running one handler name), bind the pool's \
          address, or point `galaxy_config_file` at zergling A's galaxy.yml, and lint would \
          report nothing. lint reads YAML includes only; the restarter's relative includes are \
          opened by uWSGI from wherever the restart command runs, which lint cannot know. \
          `zergcfg build` refuses every include in galaxy.yml's uwsgi section for the same \
          reason.",
    bad: "uwsgi:\n  master-fifo: /srv/galaxy/var/restarter.fifo\n  \
          ini: /srv/galaxy/config/extra.ini\n",
    good: "uwsgi:\n  master-fifo: /srv/galaxy/var/restarter.fifo\n  \
           yaml: /srv/galaxy/config/extra.yml\n",
};

/// The rule.
pub struct UnfollowedInclude;

impl Rule for UnfollowedInclude {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file) in set.files.iter().enumerate() {
            if !file.role.is_uwsgi_yaml() {
                continue;
            }
            let who = match file.role {
                Role::Pool => "the pool",
                Role::Zergling => "zergling A",
                Role::Restarter => "the restarter",
                _ => "galaxy.yml",
            };
            for (option, why) in unfollowed(set, file) {
                let line = format!("{}: {}", option.key, option.value.trim());
                let (reason, help) = match &why {
                    Unfollowed::Format(format) => (
                        format!("reads {format}, which lint does not read"),
                        "write those options into a YAML file and include it with `yaml:` \
                         instead, or into this uwsgi section"
                            .to_string(),
                    ),
                    Unfollowed::Url => (
                        "reads options from an address, which lint does not fetch".to_string(),
                        "keep the options in a file beside this one and include it with \
                         `yaml:`"
                            .to_string(),
                    ),
                    Unfollowed::Relative => (
                        "names a relative path, which uWSGI opens from wherever the restart \
                         command runs"
                            .to_string(),
                        format!(
                            "write the included file's absolute path: `{}: /srv/galaxy/config/...`",
                            option.key
                        ),
                    ),
                    Unfollowed::Missing(path) => (
                        format!(
                            "names {}, which is neither among the linted files nor on this \
                             machine",
                            path.display()
                        ),
                        "lint the included file too (name it on the command line, in the same \
                         layout), or correct the path"
                            .to_string(),
                    ),
                    Unfollowed::Unreadable(path) => (
                        format!(
                            "names {}, which lint cannot read (not UTF-8, or over 1 MiB)",
                            path.display()
                        ),
                        "keep included files as UTF-8 YAML of a reasonable size".to_string(),
                    ),
                };
                out.push(Finding::new(
                    &RULE,
                    index,
                    option_span(option),
                    format!(
                        "`{line}` in {who} {reason}: the mules, binds, FIFOs, hooks and \
                         `galaxy_config_file` it may bring in are not checked"
                    ),
                    "not checked",
                    help,
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set_at};

    #[test]
    fn an_ini_include_of_the_restarter_is_reported() {
        let b = "uwsgi:\n  master-fifo: /srv/galaxy/var/restarter.fifo\n  ini: extra.ini\n  \
                 yaml: /srv/galaxy/config/extra.yml\n";
        let set = set_at(&[
            ("/srv/galaxy/config/galaxy-restarter.yml", b),
            ("/srv/galaxy/config/extra.yml", "uwsgi:\n  processes: 2\n"),
        ]);
        let found = check(&UnfollowedInclude, &set);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(&b[found[0].span.clone()], "ini: extra.ini");
        assert!(
            found[0].message.starts_with("`ini: extra.ini` in the restarter reads an INI file")
        );
        assert!(found[0].message.contains("not checked"));
    }

    #[test]
    fn followed_includes_pass() {
        let a = "uwsgi:\n  yaml: handlers.yml\n  include: /srv/galaxy/config/more.yaml\n";
        let set = set_at(&[
            ("/srv/galaxy/vassals/vassal-zergling.yml", a),
            ("/srv/galaxy/vassals/handlers.yml", "uwsgi:\n  mule: a.py\n"),
            ("/srv/galaxy/config/more.yaml", "uwsgi:\n  processes: 2\n"),
        ]);
        assert!(check(&UnfollowedInclude, &set).is_empty());
    }

    #[test]
    fn a_relative_include_of_the_restarter_and_a_missing_file() {
        let b = "uwsgi:\n  yaml: extra.yml\n  inherit: /nowhere-here/base.yml\n";
        let set = set_at(&[("/srv/galaxy/config/galaxy-restarter.yml", b)]);
        let found = check(&UnfollowedInclude, &set);
        let labels: Vec<_> = found.iter().map(|f| &b[f.span.clone()]).collect();
        assert_eq!(labels, ["yaml: extra.yml", "inherit: /nowhere-here/base.yml"]);
        assert!(found[0].message.contains("relative path"), "{}", found[0].message);
        assert!(found[1].message.contains("neither among"), "{}", found[1].message);
    }
}
