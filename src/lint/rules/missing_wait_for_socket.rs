//! ZC203 `missing-wait-for-socket`: zergling A, which the Emperor starts at the same moment as
//! the pool, does not wait for the pool's socket before attaching to it.

use crate::lint::rules::common::{option_span, path_base, pool_sockets, resolved, uwsgi_key_span};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::uwsgi::UwsgiOption;

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
          by hand while the pool runs, so it does not need it). The `wait-for-socket` option, or \
          the hook in `hook-pre-jail`, `hook-in-jail`, `hook-as-root` or `hook-as-user`, waits \
          early enough too; in `hook-pre-app` it comes after the attach.",
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
        let pools = pool_sockets(set);
        let pool_base = set.by_role(Role::Pool).and_then(|(_, f)| path_base(f));
        for (index, file) in set.all_by_role(Role::Zergling) {
            let Some(options) = file.options() else {
                continue;
            };
            let base = path_base(file);
            let zerg = options.iter().find(|o| o.key == "zerg");

            // Waiting for the socket it attaches to, or for any of the pool's, is enough.
            let mut sockets: Vec<String> =
                zerg.iter().map(|z| resolved(&z.value, base.as_deref())).collect();
            sockets.extend(pools.iter().map(|p| resolved(&p.socket, pool_base.as_deref())));
            let Some(socket) = pools
                .first()
                .map(|p| p.socket.clone())
                .or_else(|| zerg.map(|z| z.value.trim().to_string()))
            else {
                continue;
            };

            let waits: Vec<Wait> = options.iter().filter_map(wait).collect();
            let for_the_pool = |w: &&Wait| sockets.contains(&resolved(w.target, base.as_deref()));
            if waits.iter().filter(for_the_pool).any(|w| w.early) {
                continue;
            }
            let line = format!("hook-asap: {WAIT}{socket}");

            if let Some(late) = waits.iter().find(for_the_pool) {
                out.push(Finding::new(
                    &RULE,
                    index,
                    late.option.key_span.clone(),
                    format!(
                        "zergling A waits for the pool's socket in `{}`, which runs after uWSGI \
                         has already tried to attach to the pool",
                        late.option.key
                    ),
                    "too late",
                    format!("write `{line}` instead: `asap` runs before the attach"),
                ));
                continue;
            }
            if let Some(other) = waits.first() {
                out.push(Finding::new(
                    &RULE,
                    index,
                    other.option.value_span.clone(),
                    format!(
                        "zergling A waits for `{}`, not for the pool's socket `{socket}`",
                        other.target
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

/// Hook phases that run before a zergling attaches to its pool, as seen with uWSGI 2.0.31: a
/// zergling started two seconds before its pool attached with a `wait_for_socket` in each of
/// these and failed with one in `hook-pre-app` or `hook-post-jail`.
const EARLY_HOOKS: &[&str] =
    &["hook-asap", "hook-pre-jail", "hook-in-jail", "hook-as-root", "hook-as-user"];

/// A wait for a socket: the `wait-for-socket` option or a `wait_for_socket` hook.
struct Wait<'a> {
    option: &'a UwsgiOption,
    /// The socket waited for, as written.
    target: &'a str,
    /// Whether it runs before the zergling attaches to the pool.
    early: bool,
}

fn wait(option: &UwsgiOption) -> Option<Wait<'_>> {
    if option.key == "wait-for-socket" {
        return Some(Wait { option, target: option.value.trim(), early: true });
    }
    if !option.key.starts_with("hook-") {
        return None;
    }
    let target = option.value.strip_prefix(WAIT)?.trim();
    Some(Wait { option, target, early: EARLY_HOOKS.contains(&option.key.as_str()) })
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
    fn equivalent_waits_pass_and_late_ones_do_not() {
        for wait in [
            "wait-for-socket: /run/p.sock",
            "hook-as-user: wait_for_socket:/run/p.sock",
            "hook-pre-jail: wait_for_socket:/run/./p.sock",
        ] {
            let a = format!("uwsgi:\n  {wait}\n  zerg: /run/p.sock\n");
            assert!(spans(&a, true).is_empty(), "{wait}");
        }
        let a = "uwsgi:\n  hook-pre-app: wait_for_socket:/run/p.sock\n  zerg: /run/p.sock\n";
        assert_eq!(spans(a, true), ["hook-pre-app"]);
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
