//! ZC207 `shared-instance-resource`: zergling A and the restarter share a stats address, a pid
//! file or a log file. They run side by side during every restart, so each needs its own.

use crate::lint::rules::common::{path_base, resolved};
use crate::lint::{FileSet, Finding, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC207",
    name: "shared-instance-resource",
    severity: Severity::Error,
    summary: "zergling A and the restarter share `stats`, `pidfile`/`safe-pidfile` or `logto`",
    why: "During a restart both zerglings run at once. A shared stats socket cannot be bound by \
          the second instance, which then fails to start; a shared pid file ends up holding \
          the wrong pid (and is removed by whichever exits first), so signals go to the wrong \
          master; a shared log file interleaves two instances and is truncated or reopened by \
          each. Give every per-instance resource a path of its own.",
    bad: "# vassal-zergling.yml\nuwsgi:\n  pidfile: /srv/galaxy/var/galaxy.pid\n\
          # galaxy-restarter.yml\nuwsgi:\n  pidfile: /srv/galaxy/var/galaxy.pid\n",
    good: "# vassal-zergling.yml\nuwsgi:\n  pidfile: /srv/galaxy/var/zergling.pid\n\
           # galaxy-restarter.yml\nuwsgi:\n  pidfile: /srv/galaxy/var/restarter.pid\n",
};

/// Groups of options naming one resource; a value shared across a group is a conflict.
const RESOURCES: &[(&str, &[&str], &str)] = &[
    ("stats address", &["stats", "stats-server"], "/srv/galaxy/var/restarter-stats.sock"),
    (
        "pid file",
        &["pidfile", "pidfile2", "safe-pidfile", "safe-pidfile2"],
        "/srv/galaxy/var/restarter.pid",
    ),
    ("log file", &["logto", "logto2"], "/srv/galaxy/var/restarter.log"),
];

/// The rule.
pub struct SharedInstanceResource;

impl Rule for SharedInstanceResource {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let Some(((a_index, a), (b_index, b))) = set.zergling_and_restarter() else {
            return;
        };
        let (Some(a_options), Some(b_options)) = (a.options(), b.options()) else {
            return;
        };

        let (a_base, b_base) = (path_base(a), path_base(b));
        for (what, names, example) in RESOURCES {
            for b_option in b_options.iter().filter(|o| names.contains(&o.key.as_str())) {
                let value = b_option.value.trim();
                let b_resolved = resolved(value, b_base.as_deref());
                let Some(a_option) = a_options
                    .iter()
                    .filter(|o| names.contains(&o.key.as_str()))
                    .find(|o| resolved(&o.value, a_base.as_deref()) == b_resolved)
                else {
                    continue;
                };
                out.push(
                    Finding::new(
                        &RULE,
                        b_index,
                        b_option.value_span.clone(),
                        format!("the restarter uses zergling A's {what} `{value}`"),
                        format!("also zergling A's {what}"),
                        format!("give the restarter its own: `{}: {example}`", b_option.key),
                    )
                    .with_related(
                        a_index,
                        a_option.value_span.clone(),
                        format!("zergling A's {what}"),
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Role;
    use crate::lint::rules::tests::{check, set};

    #[test]
    fn flags_each_shared_resource() {
        let a = "uwsgi:\n  stats: 127.0.0.1:9191\n  pidfile: /run/g.pid\n  logto: /var/log/g.log\n";
        let b = "uwsgi:\n  stats-server: 127.0.0.1:9191\n  safe-pidfile: /run/g.pid\n  \
                 logto: /var/log/b.log\n";
        let found =
            check(&SharedInstanceResource, &set(&[(Role::Zergling, a), (Role::Restarter, b)]));
        let spans: Vec<_> = found.iter().map(|f| &b[f.span.clone()]).collect();
        assert_eq!(spans, ["127.0.0.1:9191", "/run/g.pid"]);
        assert_eq!(&a[found[1].related[0].span.clone()], "/run/g.pid");
    }

    #[test]
    fn flags_shared_paths_spelt_differently() {
        let a = "uwsgi:\n  pidfile: /srv/galaxy/var/zergling.pid\n";
        for b in ["/srv/galaxy/var//zergling.pid", "/srv/galaxy/var/../var/zergling.pid"] {
            let b = format!("uwsgi:\n  pidfile: {b}\n");
            let s = set(&[(Role::Zergling, a), (Role::Restarter, &b)]);
            assert_eq!(check(&SharedInstanceResource, &s).len(), 1, "{b}");
        }
    }

    #[test]
    fn own_resources_pass() {
        let a = "uwsgi:\n  pidfile: /run/a.pid\n";
        let b = "uwsgi:\n  pidfile: /run/b.pid\n";
        assert!(
            check(&SharedInstanceResource, &set(&[(Role::Zergling, a), (Role::Restarter, b)]))
                .is_empty()
        );
    }
}
