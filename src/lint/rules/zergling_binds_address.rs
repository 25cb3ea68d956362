//! ZC202 `zergling-binds-address`: a zergling binds an address itself (`socket`, `http`,
//! `http-socket`, ...) instead of receiving it from the pool.

use crate::lint::rules::common::{option_span, pool_socket};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::uwsgi::binds::is_bind;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC202",
    name: "zergling-binds-address",
    severity: Severity::Error,
    summary: "a zergling binds an address itself (`socket`, `http`, `http-socket`, ...)",
    why: "The pool holds the public address and hands it to whichever zergling is attached; \
          that is what lets the restarter take over without a refused connection. A zergling \
          that also binds the pool's address fails to start (the address is taken) or, with \
          `reuse-port`, splits requests outside the pool; binding any other address gives a \
          second entry point that goes away during every restart. Galaxy's own `socket:` line \
          belongs to galaxy.yml, not to the zerglings.",
    bad: "uwsgi:\n  zerg: /srv/galaxy/var/zergpool.sock\n  socket: 127.0.0.1:8080\n",
    good: "uwsgi:\n  zerg: /srv/galaxy/var/zergpool.sock\n",
};

/// The rule.
pub struct ZerglingBindsAddress;

impl Rule for ZerglingBindsAddress {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let pool = pool_socket(set);
        for (index, file) in set.zerglings() {
            let who = if file.role == Role::Zergling { "zergling A" } else { "the restarter" };
            for option in file.options().unwrap_or(&[]) {
                if !is_bind(&option.key) {
                    continue;
                }

                let value = option.value.trim();
                let public = pool.as_ref().and_then(|p| {
                    p.addresses.iter().find(|(a, _)| a == value).map(|(_, s)| (p.file, s))
                });
                let message = if public.is_some() {
                    format!(
                        "{who} binds the pool's public address `{value}` itself (`{}`), which \
                         the pool already holds",
                        option.key
                    )
                } else {
                    format!(
                        "{who} binds `{value}` itself (`{}`) instead of using the pool",
                        option.key
                    )
                };
                let mut finding = Finding::new(
                    &RULE,
                    index,
                    option_span(option),
                    message,
                    "a zergling binds nothing",
                    "delete this line: the zergling receives the address through its `zerg` line \
                     (add `protocol: http` when the public address speaks plain HTTP)",
                );
                if let Some((file, span)) = public {
                    finding = finding.with_related(file, span.clone(), "held by the pool");
                }
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set};

    #[test]
    fn flags_binds_and_names_the_public_address() {
        let pool = "uwsgi:\n  zergpool: /run/p.sock:127.0.0.1:8080\n";
        let a = "uwsgi:\n  zerg: /run/p.sock\n  http-socket: 127.0.0.1:8080\n";
        let b = "uwsgi:\n  zerg: /run/p.sock\n  socket: 127.0.0.1:9000\n  http_socket: x\n";
        let s = set(&[(Role::Pool, pool), (Role::Zergling, a), (Role::Restarter, b)]);
        let found = check(&ZerglingBindsAddress, &s);
        assert_eq!(found.len(), 2);
        assert_eq!(&a[found[0].span.clone()], "http-socket: 127.0.0.1:8080");
        assert!(found[0].message.contains("public address"));
        assert_eq!(found[0].related.len(), 1);
        assert_eq!(&b[found[1].span.clone()], "socket: 127.0.0.1:9000");
        assert!(found[1].related.is_empty());
    }

    #[test]
    fn every_bind_option_of_uwsgi_is_flagged() {
        for key in ["https2", "fastcgi-nph-socket", "scgi-nph-socket", "fastrouter", "sslrouter2"] {
            let a = format!("uwsgi:\n  zerg: /run/p.sock\n  {key}: 127.0.0.1:9000\n");
            let found = check(&ZerglingBindsAddress, &set(&[(Role::Zergling, &a)]));
            assert_eq!(found.len(), 1, "{key}");
        }
    }

    #[test]
    fn galaxy_yml_may_bind() {
        let galaxy = "uwsgi:\n  socket: 127.0.0.1:8080\n";
        assert!(check(&ZerglingBindsAddress, &set(&[(Role::GalaxyConfig, galaxy)])).is_empty());
    }
}
