//! ZC207 `shared-instance-resource`: zergling A and the restarter share a stats address, a pid
//! file or a log file. They run side by side during every restart, so each needs its own.

use crate::lint::rules::common::{shared_with_zergling, zergling_and_restarter};
use crate::lint::{FileSet, Finding, LintFile, Rule, RuleInfo, Severity};
use crate::uwsgi::{self, Resource, UwsgiOption};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC207",
    name: "shared-instance-resource",
    severity: Severity::Error,
    summary: "zergling A and the restarter share `stats`, `pidfile`/`safe-pidfile` or \
              `logto`/`daemonize`",
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

/// The resources this rule compares (ZC204 compares the master FIFOs), each with a path of the
/// restarter's own for the help.
const RESOURCES: &[(Resource, &str)] = &[
    (Resource::Stats, "/srv/galaxy/var/restarter-stats.sock"),
    (Resource::PidFile, "/srv/galaxy/var/restarter.pid"),
    (Resource::Log, "/srv/galaxy/var/restarter.log"),
];

/// A file's options naming `resource`.
fn naming(file: &LintFile, resource: Resource) -> Vec<&UwsgiOption> {
    let options = file.options().unwrap_or(&[]);
    options.iter().filter(|o| uwsgi::resource(&o.key) == Some(resource)).collect()
}

/// The rule.
pub struct SharedInstanceResource;

impl Rule for SharedInstanceResource {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let Some(((a_index, a), (b_index, b))) = zergling_and_restarter(set) else {
            return;
        };

        for (resource, example) in RESOURCES {
            let what = resource.describe();
            let (a_options, b_options) = (naming(a, *resource), naming(b, *resource));
            for (b_option, a_option) in shared_with_zergling((a, &a_options), (b, &b_options)) {
                let value = b_option.value.trim();
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
    fn a_log_given_to_daemonize_is_a_log_too() {
        // `daemonize: <file>` logs there, as `logto` does: build replaces both.
        let a = "uwsgi:\n  logto: /var/log/g.log\n";
        let b = "uwsgi:\n  daemonize2: /var/log/g.log\n";
        let found =
            check(&SharedInstanceResource, &set(&[(Role::Zergling, a), (Role::Restarter, b)]));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "the restarter uses zergling A's log file `/var/log/g.log`");
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
