//! ZC206 `unguarded-fatal-hook`: zergling A writes into a FIFO that may not exist yet (the
//! restarter's) from a hook, without an `if-exists` guard. Every `hook-*` is fatal: a missing
//! FIFO makes A destroy itself, on every boot where no restarter ran before. A `spinningfifo`
//! into the restarter's FIFO is reported guarded or not: it waits until the FIFO has a reader,
//! and once a restarter has run and exited its FIFO stays without one, so A's first worker
//! would wait at every later start (seen with uWSGI 2.0.31: the worker answers nothing).

use crate::lint::rules::common::{master_fifos, path_base, resolved, write_fifo_hooks};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::uwsgi::blocks;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC206",
    name: "unguarded-fatal-hook",
    severity: Severity::Error,
    summary: "zergling A writes into the restarter's FIFO from a hook not inside \
              `if-exists: <fifo>` ... `endif`, or with `spinningfifo`",
    why: "uWSGI hooks are fatal: when `writefifo` cannot open its file, the instance destroys \
          itself. The restarter's master FIFO exists only once a restarter has run (FIFOs are \
          never removed), so on a fresh machine zergling A's hand-over hook would kill A at \
          its first accepted request, and the Emperor would respawn it in a loop. Wrapping the \
          hook in `if-exists: <fifo>` ... `endif: if-exists` skips it when the FIFO is absent; \
          a FIFO that exists without a reader counts as success. `spinningfifo` is no way out: \
          it waits until the FIFO exists and has a reader, and the restarter's FIFO stays \
          behind, without a reader, once the restarter has exited, so A's first worker would \
          wait instead of serving at every later start.",
    bad: "uwsgi:\n  master-fifo: /srv/galaxy/var/zergling.fifo\n  \
          hook-accepting1-once: writefifo:/srv/galaxy/var/restarter.fifo q\n",
    good: "uwsgi:\n  master-fifo: /srv/galaxy/var/zergling.fifo\n  \
           if-exists: /srv/galaxy/var/restarter.fifo\n  \
           hook-accepting1-once: writefifo:/srv/galaxy/var/restarter.fifo q\n  \
           endif: if-exists\n",
};

/// The rule.
pub struct UnguardedFatalHook;

impl Rule for UnguardedFatalHook {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        // The FIFOs that may be missing: the restarter's, or, without it, any but A's own.
        let restarter = set.by_role(Role::Restarter).filter(|(_, f)| f.options().is_some());
        let b_base = restarter.and_then(|(_, f)| path_base(f));
        let restarter_fifos: Option<Vec<String>> = restarter.map(|(_, f)| {
            master_fifos(f).iter().map(|o| resolved(&o.value, b_base.as_deref())).collect()
        });

        for (index, file) in set.all_by_role(Role::Zergling) {
            let Some(options) = file.options() else {
                continue;
            };
            let base = path_base(file);
            let own: Vec<String> =
                master_fifos(file).iter().map(|o| resolved(&o.value, base.as_deref())).collect();

            // The block each option is read in, as uWSGI reads them (blocks do not nest).
            let enclosing = blocks::enclosing(options);

            for hook in write_fifo_hooks(file) {
                let fifo = resolved(&hook.fifo, base.as_deref());
                let may_be_missing = match &restarter_fifos {
                    Some(fifos) => fifos.contains(&fifo),
                    None => !own.contains(&fifo),
                };
                let guarded = enclosing[hook.index].map(|open| &options[open]).is_some_and(|o| {
                    blocks::tests_existence(&o.key) && resolved(&o.value, base.as_deref()) == fifo
                });
                let spinning = hook.action == "spinningfifo";
                if !may_be_missing || (guarded && !spinning) {
                    continue;
                }

                let mut finding = if spinning {
                    Finding::new(
                        &RULE,
                        index,
                        hook.fifo_span.clone(),
                        format!(
                            "zergling A's `{}` uses `spinningfifo`, which waits until `{}` \
                             exists and has a reader: once a restarter has run and exited, its \
                             FIFO stays without one, and A's first worker waits instead of \
                             serving at every start",
                            hook.option.key, hook.fifo
                        ),
                        "waits for a reader that may never come",
                        format!(
                            "write with `writefifo` inside `if-exists: {0}` ... `endif: \
                             if-exists`: `{1}: writefifo:{0} q`",
                            hook.fifo, hook.option.key
                        ),
                    )
                } else {
                    Finding::new(
                        &RULE,
                        index,
                        hook.fifo_span.clone(),
                        format!(
                            "zergling A's `{}` writes into `{}` without checking that it exists, \
                             so A destroys itself when no restarter ever ran",
                            hook.option.key, hook.fifo
                        ),
                        "may not exist yet",
                        format!(
                            "wrap the hook: `if-exists: {0}` on the line before, `endif: \
                             if-exists` on the line after",
                            hook.fifo
                        ),
                    )
                };
                if let Some((b_index, b)) = restarter {
                    if let Some(fifo) = master_fifos(b)
                        .into_iter()
                        .find(|o| resolved(&o.value, b_base.as_deref()) == fifo)
                    {
                        finding = finding.with_related(
                            b_index,
                            fifo.value_span.clone(),
                            "the restarter's master FIFO",
                        );
                    }
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

    const B: &str = "uwsgi:\n  master-fifo: /run/b.fifo\n";

    fn spans(a: &str, with_b: bool) -> Vec<String> {
        let mut files = vec![(Role::Zergling, a)];
        if with_b {
            files.push((Role::Restarter, B));
        }
        check(&UnguardedFatalHook, &set(&files))
            .iter()
            .map(|f| a[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn flags_unguarded_and_wrongly_guarded_hooks() {
        let a =
            "uwsgi:\n  master-fifo: /run/a.fifo\n  hook-accepting1-once: writefifo:/run/b.fifo q\n";
        assert_eq!(spans(a, true), ["/run/b.fifo"]);
        assert_eq!(spans(a, false), ["/run/b.fifo"]);
        let a = "uwsgi:\n  if-exists: /run/other\n  \
                 hook-accepting1-once: writefifo:/run/b.fifo q\n  \
                 endif: if-exists\n";
        assert_eq!(spans(a, true), ["/run/b.fifo"]);
        let a = "uwsgi:\n  if-exists: /run/b.fifo\n  endif: if-exists\n  \
                 hook-asap: writefifo:/run/b.fifo q\n";
        assert_eq!(spans(a, true), ["/run/b.fifo"]);
    }

    #[test]
    fn spinningfifo_towards_the_restarter_is_flagged_even_guarded() {
        let a = "uwsgi:\n  master-fifo: /run/a.fifo\n  if-exists: /run/b.fifo\n  \
                 hook-accepting1-once: spinningfifo:/run/b.fifo q\n  endif: if-exists\n";
        assert_eq!(spans(a, true), ["/run/b.fifo"]);
        let a = a.replace("spinningfifo", "writefifo");
        assert!(spans(&a, true).is_empty());
        let a = a.replace("if-exists: /run/b.fifo", "if-exists: /run/./b.fifo");
        assert!(spans(&a, true).is_empty());
    }

    #[test]
    fn every_closer_ends_the_guard_and_the_alias_guards_too() {
        // `end-if` closes the block as `endif` does, so a hook after it is unguarded.
        let a = "uwsgi:\n  if-exists: /run/b.fifo\n  end-if: if-exists\n  \
                 hook-accepting1-once: writefifo:/run/b.fifo q\n";
        assert_eq!(spans(a, true), ["/run/b.fifo"]);
        // `ifexists` is uWSGI's alias of `if-exists`.
        let a = "uwsgi:\n  ifexists: /run/b.fifo\n  \
                 hook-accepting1-once: writefifo:/run/b.fifo q\n  endif: ifexists\n";
        assert!(spans(a, true).is_empty());
        // An opener inside the block opens nothing (ZC301 reports it): the hook is still in
        // the guard.
        let a = "uwsgi:\n  if-exists: /run/b.fifo\n  if-env: X\n  \
                 hook-accepting1-once: writefifo:/run/b.fifo q\n  endif: if-exists\n";
        assert!(spans(a, true).is_empty());
    }

    #[test]
    fn guarded_hooks_and_own_fifos_pass() {
        let a = "uwsgi:\n  master-fifo: /run/a.fifo\n  if-exists: /run/b.fifo\n  \
                 hook-accepting1-once: writefifo:/run/b.fifo q\n  endif: if-exists\n  \
                 hook-as-user: writefifo:/run/a.fifo 1\n";
        assert!(spans(a, true).is_empty());
        assert!(spans(a, false).is_empty());
    }
}
