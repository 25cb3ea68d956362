//! ZC204 `shared-master-fifo`: zergling A and the restarter share a master FIFO, or one of them
//! has none, so neither can be told to stop on its own.

use crate::lint::rules::common::{
    master_fifos, shared_with_zergling, uwsgi_key_span, zergling_and_restarter,
};
use crate::lint::{FileSet, Finding, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC204",
    name: "shared-master-fifo",
    severity: Severity::Error,
    summary: "zergling A and the restarter share a `master-fifo` path, or one has none",
    why: "Each zergling stops the other by writing `q` into the other's master FIFO. A master \
          unlinks and re-creates its FIFO at start, so with one path for both the restarter \
          takes the FIFO away from A and then writes `q` into its own: it stops itself and A \
          keeps running, or A later stops the wrong instance. A zergling without a master FIFO \
          cannot be stopped this way at all, and the restart never completes.",
    bad: "# vassal-zergling.yml\nuwsgi:\n  master-fifo: /srv/galaxy/var/galaxy.fifo\n\
          # galaxy-restarter.yml\nuwsgi:\n  master-fifo: /srv/galaxy/var/galaxy.fifo\n",
    good: "# vassal-zergling.yml\nuwsgi:\n  master-fifo: /srv/galaxy/var/zergling.fifo\n\
           # galaxy-restarter.yml\nuwsgi:\n  master-fifo: /srv/galaxy/var/restarter.fifo\n",
};

/// The rule.
pub struct SharedMasterFifo;

impl Rule for SharedMasterFifo {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let Some(((a_index, a), (b_index, b))) = zergling_and_restarter(set) else {
            return;
        };
        let a_fifos = master_fifos(a);
        let b_fifos = master_fifos(b);

        for (index, file, fifos, who, fifo) in [
            (a_index, a, &a_fifos, "zergling A", "/srv/galaxy/var/zergling.fifo"),
            (b_index, b, &b_fifos, "the restarter", "/srv/galaxy/var/restarter.fifo"),
        ] {
            if fifos.is_empty() {
                out.push(Finding::new(
                    &RULE,
                    index,
                    uwsgi_key_span(file),
                    format!("{who} has no `master-fifo`, so the other zergling cannot stop it"),
                    "no `master-fifo:` in this section",
                    format!("add `master-fifo: {fifo}` (a path of its own)"),
                ));
            }
        }

        for (b_fifo, a_fifo) in shared_with_zergling((a, &a_fifos), (b, &b_fifos)) {
            out.push(
                Finding::new(
                    &RULE,
                    b_index,
                    b_fifo.value_span.clone(),
                    format!(
                        "the restarter uses zergling A's master FIFO `{}`, so each would stop \
                         itself instead of the other",
                        b_fifo.value
                    ),
                    "also zergling A's master FIFO",
                    "give the restarter its own: `master-fifo: /srv/galaxy/var/restarter.fifo`, \
                     and point zergling A's hook at it",
                )
                .with_related(
                    a_index,
                    a_fifo.value_span.clone(),
                    "zergling A's master FIFO",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Role;
    use crate::lint::rules::tests::{check, set};

    #[test]
    fn flags_a_shared_path_and_a_missing_fifo() {
        let a = "uwsgi:\n  master-fifo: /run/g.fifo\n";
        let s = set(&[(Role::Zergling, a), (Role::Restarter, a)]);
        let found = check(&SharedMasterFifo, &s);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].file, 1);
        assert_eq!(&a[found[0].span.clone()], "/run/g.fifo");

        let b = "uwsgi:\n  processes: 2\n";
        let found = check(&SharedMasterFifo, &set(&[(Role::Zergling, a), (Role::Restarter, b)]));
        assert_eq!(found.len(), 1);
        assert_eq!(&b[found[0].span.clone()], "uwsgi");
    }

    #[test]
    fn flags_a_shared_path_spelt_differently() {
        let a = "uwsgi:\n  master-fifo: /srv/galaxy/var/zergling.fifo\n";
        let b = "uwsgi:\n  master-fifo: /srv/galaxy/var/./zergling.fifo\n";
        let found = check(&SharedMasterFifo, &set(&[(Role::Zergling, a), (Role::Restarter, b)]));
        assert_eq!(found.len(), 1);
        let b = "uwsgi:\n  chdir: /srv/galaxy/server\n  master-fifo: ../var/zergling.fifo\n";
        let found = check(&SharedMasterFifo, &set(&[(Role::Zergling, a), (Role::Restarter, b)]));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn own_fifos_pass_and_one_file_is_not_enough() {
        let a = "uwsgi:\n  master-fifo: /run/a.fifo\n";
        let b = "uwsgi:\n  master-fifo: /run/b.fifo\n";
        assert!(
            check(&SharedMasterFifo, &set(&[(Role::Zergling, a), (Role::Restarter, b)])).is_empty()
        );
        assert!(check(&SharedMasterFifo, &set(&[(Role::Zergling, "uwsgi:\n  x: 1\n")])).is_empty());
    }
}
