//! ZC201 `zerg-socket-mismatch`: a zergling attaches to something other than the pool's unix
//! socket, or to nothing at all. Paths are compared as the instances resolve them (`//`, `.`
//! and `..` folded, relative ones against `chdir`), and a pool with several `zergpool` lines
//! offers each of their sockets.

use crate::lint::rules::common::{path_base, pool_sockets, resolved, uwsgi_key_span};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC201",
    name: "zerg-socket-mismatch",
    severity: Severity::Error,
    summary: "a zergling's `zerg` is not the pool's unix socket, or it has no `zerg`",
    why: "A zergling gets the public address from the pool through the unix socket named before \
          the first `:` of the pool's `zergpool` line. A `zerg` pointing anywhere else fails to \
          attach (the zergling exits, and the Emperor respawns it forever) or attaches to \
          another pool; a zergling without `zerg` serves nothing, so a restart would stop \
          zergling A with nobody to take over.",
    bad: "# vassal-zergpool.yml\nuwsgi:\n  zergpool: /srv/galaxy/var/zergpool.sock:127.0.0.1:8080\n\
          # vassal-zergling.yml\nuwsgi:\n  zerg: /srv/galaxy/var/zerg.sock\n",
    good: "# vassal-zergpool.yml\nuwsgi:\n  \
           zergpool: /srv/galaxy/var/zergpool.sock:127.0.0.1:8080\n\
           # vassal-zergling.yml\nuwsgi:\n  zerg: /srv/galaxy/var/zergpool.sock\n",
};

/// The rule.
pub struct ZergSocketMismatch;

impl Rule for ZergSocketMismatch {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let pools = pool_sockets(set);
        let pool_base = set.by_role(Role::Pool).and_then(|(_, f)| path_base(f));
        let offered: Vec<String> =
            pools.iter().map(|p| resolved(&p.socket, pool_base.as_deref())).collect();
        let pool = pools.first();
        for (index, file) in set.zerglings() {
            if file.options().is_none() {
                continue;
            }
            let who = if file.role == Role::Zergling { "zergling A" } else { "the restarter" };
            let zergs: Vec<_> = file.options_named("zerg").collect();

            let Some(first) = zergs.first() else {
                let line =
                    pool.as_ref().map_or("/srv/galaxy/var/zergpool.sock", |p| p.socket.as_str());
                out.push(Finding::new(
                    &RULE,
                    index,
                    uwsgi_key_span(file),
                    format!("{who} has no `zerg` line, so it never receives the public address"),
                    "no `zerg:` in this section",
                    format!("add `zerg: {line}` (the pool's unix socket)"),
                ));
                continue;
            };

            let Some(pool) = pool else {
                continue;
            };
            let base = path_base(file);
            if zergs.iter().any(|z| offered.contains(&resolved(&z.value, base.as_deref()))) {
                continue;
            }
            out.push(
                Finding::new(
                    &RULE,
                    index,
                    first.value_span.clone(),
                    format!(
                        "{who} attaches to `{}`, but the pool listens on `{}`",
                        first.value, pool.socket
                    ),
                    "not the pool's socket",
                    format!("write `zerg: {}`", pool.socket),
                )
                .with_related(
                    pool.file,
                    pool.socket_span.clone(),
                    "the pool's unix socket",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set};

    const POOL: &str = "uwsgi:\n  zergpool: /run/pool.sock:127.0.0.1:8080\n";

    #[test]
    fn flags_a_wrong_socket_and_a_missing_zerg() {
        let a = "uwsgi:\n  zerg: /run/other.sock\n";
        let b = "uwsgi:\n  processes: 2\n";
        let s = set(&[(Role::Pool, POOL), (Role::Zergling, a), (Role::Restarter, b)]);
        let found = check(&ZergSocketMismatch, &s);
        assert_eq!(found.len(), 2);
        assert_eq!(&a[found[0].span.clone()], "/run/other.sock");
        assert_eq!(&POOL[found[0].related[0].span.clone()], "/run/pool.sock");
        assert_eq!(&b[found[1].span.clone()], "uwsgi");
        assert!(found[1].help.contains("zerg: /run/pool.sock"));
    }

    #[test]
    fn the_pool_socket_passes() {
        let a = "uwsgi:\n  zerg: /run/pool.sock\n";
        let s = set(&[(Role::Pool, POOL), (Role::Zergling, a), (Role::Restarter, a)]);
        assert!(check(&ZergSocketMismatch, &s).is_empty());
        // Spelt differently, or the pool's second socket.
        let a = "uwsgi:\n  zerg: /run//./pool.sock\n";
        let pools = "uwsgi:\n  zergpool: /run/other.sock:127.0.0.1:8081\n  \
                     zergpool: /run/pool.sock:127.0.0.1:8080\n";
        let b = "uwsgi:\n  chdir: /run/sub\n  zerg: ../pool.sock\n";
        let s = set(&[(Role::Pool, pools), (Role::Zergling, a), (Role::Restarter, b)]);
        assert!(check(&ZergSocketMismatch, &s).is_empty());
        // Without the pool only a missing `zerg` can be told.
        let s = set(&[(Role::Zergling, "uwsgi:\n  zerg: /run/x.sock\n")]);
        assert!(check(&ZergSocketMismatch, &s).is_empty());
    }
}
