//! ZC101 `restarter-has-mules`: the restarter (zergling B) starts mules or farms. Its mules would
//! take the same handler names as zergling A's, so two processes would handle the same jobs.

use crate::lint::rules::common::option_span;
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::uwsgi::MULE_OPTIONS;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC101",
    name: "restarter-has-mules",
    severity: Severity::Error,
    summary: "the restarter starts mules or farms (`mule`, `mules`, `farm`)",
    why: "Galaxy names a mule after its farm and position (`main.job-handlers.1`), so a mule of \
          the restarter gets exactly the name of one of zergling A's mules. While both run, two \
          processes handle the jobs of one name; when the restarter exits, the jobs its mules \
          took are left to a name that nobody may pick up again. The restarter must run web \
          workers only and hand every job to A's mules through its own job conf.",
    bad: "uwsgi:\n  zerg: /srv/galaxy/var/zergpool.sock\n  \
          master-fifo: /srv/galaxy/var/restarter.fifo\n  \
          mule: lib/galaxy/main.py\n  farm: job-handlers:1\n",
    good: "uwsgi:\n  zerg: /srv/galaxy/var/zergpool.sock\n  \
           master-fifo: /srv/galaxy/var/restarter.fifo\n",
};

/// The rule.
pub struct RestarterHasMules;

impl Rule for RestarterHasMules {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file) in set.all_by_role(Role::Restarter) {
            for option in file.options().unwrap_or(&[]) {
                if !MULE_OPTIONS.contains(&option.key.as_str()) {
                    continue;
                }

                let what = if option.key == "farm" { "a farm" } else { "mules" };
                out.push(Finding::new(
                    &RULE,
                    index,
                    option_span(option),
                    format!(
                        "the restarter starts {what} (`{}: {}`), so a handler name of zergling A \
                         would run twice",
                        option.key, option.value
                    ),
                    "the restarter must run no mule",
                    "delete this line: the restarter runs web workers only, and its job conf \
                     preassigns every job to zergling A's mules",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set};

    #[test]
    fn flags_each_mule_and_farm_line() {
        let text = "uwsgi:\n  processes: 2\n  mule: lib/galaxy/main.py\n  mules: 2\n  \
                    farm: job-handlers:1\n";
        let set = set(&[(Role::Restarter, text)]);
        let findings = check(&RestarterHasMules, &set);
        let spans: Vec<_> = findings.iter().map(|f| &text[f.span.clone()]).collect();
        assert_eq!(spans, ["mule: lib/galaxy/main.py", "mules: 2", "farm: job-handlers:1"]);
    }

    #[test]
    fn zergling_a_may_have_mules() {
        let text = "uwsgi:\n  mule: lib/galaxy/main.py\n  farm: job-handlers:1\n";
        let set = set(&[(Role::Zergling, text), (Role::Restarter, "uwsgi:\n  processes: 2\n")]);
        assert!(check(&RestarterHasMules, &set).is_empty());
    }
}
