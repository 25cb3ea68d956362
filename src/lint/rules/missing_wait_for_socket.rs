//! ZC203 `missing-wait-for-socket`: zergling A, which the Emperor starts at the same moment as
//! the pool, does not wait for the pool's socket before attaching to it.

use crate::lint::rules::common::{option_span, pool_socket, uwsgi_key_span};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC203",
    name: "missing-wait-for-socket",
    severity: Severity::Warning,
    summary: "zergling A lacks `hook-asap: wait_for_socket:<pool socket>`",
    why: "The Emperor starts the pool and zergling A together. If A tries to attach before the \
          pool has created its unix socket, A exits and is respawned only at the Emperor's next \
          scan, a few seconds without Galaxy after every boot. `hook-asap: \
          wait_for_socket:<socket>` makes A wait for the pool instead (the restarter is started \
          by hand while the pool runs, so it does not need it).",
    bad: "uwsgi:\n  zerg: /srv/galaxy/var/zergpool.sock\n  \
          master-fifo: /srv/galaxy/var/zergling.fifo\n",
    good: "uwsgi:\n  zerg: /srv/galaxy/var/zergpool.sock\n  \
           hook-asap: wait_for_socket:/srv/galaxy/var/zergpool.sock\n  \
           master-fifo: /srv/galaxy/var/zergling.fifo\n",
};

/// The hook action that waits for a socket to accept connections.
const WAIT: &str = "wait_for_socket:";

/// The rule.
pub struct MissingWaitForSocket;

impl Rule for MissingWaitForSocket {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let pool = pool_socket(set);
        for (index, file) in set.all_by_role(Role::Zergling) {
            let Some(options) = file.options() else {
                continue;
            };
            let zerg = options.iter().find(|o| o.key == "zerg");
            let Some(socket) = pool
                .as_ref()
                .map(|p| p.socket.clone())
                .or_else(|| zerg.map(|z| z.value.trim().to_string()))
            else {
                continue;
            };

            let waits: Vec<_> = options
                .iter()
                .filter(|o| o.key == "hook-asap")
                .filter_map(|o| o.value.strip_prefix(WAIT).map(|target| (o, target.trim())))
                .collect();
            if waits.iter().any(|(_, target)| *target == socket) {
                continue;
            }
            let line = format!("hook-asap: {WAIT}{socket}");

            if let Some((option, target)) = waits.first() {
                out.push(Finding::new(
                    &RULE,
                    index,
                    option.value_span.clone(),
                    format!(
                        "zergling A waits for `{target}`, not for the pool's socket `{socket}`"
                    ),
                    "not the pool's socket",
                    format!("write `{line}`"),
                ));
                continue;
            }
            let (span, label) = match zerg {
                Some(zerg) => (option_span(zerg), "attaches without waiting for the pool"),
                None => (uwsgi_key_span(file), "no `hook-asap: wait_for_socket:` here"),
            };
            out.push(Finding::new(
                &RULE,
                index,
                span,
                "zergling A does not wait for the pool's socket, so it fails and is respawned \
                 when it starts before the pool",
                label,
                format!("add `{line}` before the `zerg` line"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set};

    const POOL: &str = "uwsgi:\n  zergpool: /run/p.sock:127.0.0.1:8080\n";

    fn spans(a: &str, pool: bool) -> Vec<String> {
        let mut files = vec![(Role::Zergling, a)];
        if pool {
            files.push((Role::Pool, POOL));
        }
        check(&MissingWaitForSocket, &set(&files))
            .iter()
            .map(|f| a[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn flags_a_missing_or_wrong_wait() {
        assert_eq!(spans("uwsgi:\n  zerg: /run/p.sock\n", true), ["zerg: /run/p.sock"]);
        assert_eq!(spans("uwsgi:\n  zerg: /run/p.sock\n", false), ["zerg: /run/p.sock"]);
        let a = "uwsgi:\n  hook-asap: wait_for_socket:/run/q.sock\n  zerg: /run/p.sock\n";
        assert_eq!(spans(a, true), ["wait_for_socket:/run/q.sock"]);
    }

    #[test]
    fn a_wait_for_the_pool_passes_and_the_restarter_is_not_checked() {
        let a = "uwsgi:\n  hook-asap: wait_for_socket:/run/p.sock\n  zerg: /run/p.sock\n";
        assert!(spans(a, true).is_empty());
        let b = "uwsgi:\n  zerg: /run/p.sock\n";
        assert!(
            check(&MissingWaitForSocket, &set(&[(Role::Restarter, b), (Role::Pool, POOL)]))
                .is_empty()
        );
    }
}
