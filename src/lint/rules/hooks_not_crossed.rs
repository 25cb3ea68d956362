//! ZC205 `hooks-not-crossed`: the hand-over hooks of zergling A and the restarter do not write
//! `q` into each other's master FIFO when their first worker accepts.
//!
//! The FIFO that counts is the other's first `master-fifo`: a master opens only that slot (0)
//! at start, the others once told to switch to them. `spinningfifo` (which waits for the FIFO)
//! hands over like `writefifo`. Paths are compared as each instance resolves them.

use crate::lint::rules::common::{
    master_fifos, path_base, resolved, uwsgi_key_span, write_fifo_hooks,
};
use crate::lint::{FileSet, Finding, LintFile, Role, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC205",
    name: "hooks-not-crossed",
    severity: Severity::Error,
    summary: "the zerglings' `hook-accepting1-once: writefifo:<fifo> q` hooks do not point at \
              each other's master FIFO",
    why: "The restart is two crossed hooks: once the restarter's first worker accepts, it \
          writes `q` into zergling A's master FIFO (A stops gracefully and the Emperor starts a \
          new A); once the new A accepts, it writes `q` into the restarter's FIFO and the \
          restarter exits. A hook that is missing or points at another FIFO leaves two \
          zerglings running or none; `Q` kills requests in flight, `r` reloads instead of \
          stopping; a hook of another phase fires before the instance serves (or on every \
          respawn of a worker). Only the first `master-fifo` of an instance (slot 0) is open \
          when it starts, so the hook must write into that one.",
    bad: "# vassal-zergling.yml\nuwsgi:\n  master-fifo: /srv/galaxy/var/zergling.fifo\n\
          # galaxy-restarter.yml\nuwsgi:\n  master-fifo: /srv/galaxy/var/restarter.fifo\n  \
          hook-accepting1-once: writefifo:/srv/galaxy/var/zergling.fifo Q\n",
    good: "# vassal-zergling.yml\nuwsgi:\n  master-fifo: /srv/galaxy/var/zergling.fifo\n  \
           if-exists: /srv/galaxy/var/restarter.fifo\n  \
           hook-accepting1-once: writefifo:/srv/galaxy/var/restarter.fifo q\n  \
           endif: if-exists\n# galaxy-restarter.yml\nuwsgi:\n  \
           master-fifo: /srv/galaxy/var/restarter.fifo\n  \
           hook-accepting1-once: writefifo:/srv/galaxy/var/zergling.fifo q\n",
};

/// The hook that runs once, in worker 1, when it first accepts.
const HOOK: &str = "hook-accepting1-once";

/// The rule.
pub struct HooksNotCrossed;

impl Rule for HooksNotCrossed {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let Some((a, b)) = set.zergling_and_restarter() else {
            return;
        };
        if a.1.options().is_none() || b.1.options().is_none() {
            return;
        }
        // With one FIFO for both, no hook can point at "the other's" (ZC204 says so).
        let fifos = |f: &LintFile| -> Vec<String> {
            let base = path_base(f);
            master_fifos(f).iter().map(|o| resolved(&o.value, base.as_deref())).collect()
        };
        let b_fifos = fifos(b.1);
        if fifos(a.1).iter().any(|fifo| b_fifos.contains(fifo)) {
            return;
        }
        check_direction(a, "zergling A", b, "the restarter", out);
        check_direction(b, "the restarter", a, "zergling A", out);
    }
}

/// Checks that `from` tells `to` to stop.
fn check_direction(
    (from_index, from): (usize, &LintFile),
    from_name: &str,
    (to_index, to): (usize, &LintFile),
    to_name: &str,
    out: &mut Vec<Finding>,
) {
    let targets = master_fifos(to);
    let Some(target) = targets.first() else {
        // A missing FIFO is ZC204's.
        return;
    };
    let target_path = target.value.trim();
    let (from_base, to_base) = (path_base(from), path_base(to));
    let slots: Vec<String> =
        targets.iter().map(|t| resolved(&t.value, to_base.as_deref())).collect();
    let hooks = write_fifo_hooks(from);
    let slot_of = |fifo: &str| {
        let fifo = resolved(fifo, from_base.as_deref());
        slots.iter().position(|slot| *slot == fifo)
    };
    let toward: Vec<_> = hooks.iter().filter(|h| slot_of(&h.fifo) == Some(0)).collect();
    let line = format!("{HOOK}: writefifo:{target_path} q");

    if toward.is_empty() {
        let other_slot = hooks.iter().find_map(|h| Some((h, slot_of(&h.fifo).filter(|s| *s > 0)?)));
        let elsewhere = hooks.iter().find(|h| h.option.key.starts_with("hook-accepting"));
        let finding = if let Some((hook, slot)) = other_slot {
            Finding::new(
                &RULE,
                from_index,
                hook.fifo_span.clone(),
                format!(
                    "{from_name}'s hand-over hook writes into `{}`, {to_name}'s master FIFO slot \
                     {slot}, which is not open until {to_name} is told to switch to it, so \
                     {to_name} never stops",
                    hook.fifo
                ),
                format!("slot {slot}, not {to_name}'s first `master-fifo`"),
                format!("write into its first `master-fifo` (slot 0): `{line}`"),
            )
        } else if let Some(hook) = elsewhere {
            Finding::new(
                &RULE,
                from_index,
                hook.fifo_span.clone(),
                format!(
                    "{from_name}'s hand-over hook writes into `{}`, not into {to_name}'s master \
                     FIFO `{target_path}`",
                    hook.fifo
                ),
                format!("not {to_name}'s master FIFO"),
                format!("write `{line}`"),
            )
        } else {
            let guarded = if from.role == Role::Zergling {
                format!("`if-exists: {target_path}`, `{line}`, `endif: if-exists`")
            } else {
                format!("`{line}`")
            };
            Finding::new(
                &RULE,
                from_index,
                uwsgi_key_span(from),
                format!("{from_name} has no hook telling {to_name} to stop"),
                format!("no `writefifo:{target_path}` hook in this section"),
                format!("add {guarded}"),
            )
        };
        out.push(finding.with_related(to_index, target.value_span.clone(), "the master FIFO"));
        return;
    }

    for hook in toward {
        if hook.option.key != HOOK {
            out.push(Finding::new(
                &RULE,
                from_index,
                hook.option.key_span.clone(),
                format!(
                    "{from_name} tells {to_name} to stop from `{}`, not once when its first \
                     worker accepts",
                    hook.option.key
                ),
                "wrong phase",
                format!("write `{line}`"),
            ));
        }
        if hook.command != "q" {
            let what = match hook.command.as_str() {
                "" => "nothing (no space and command after the FIFO path)".to_string(),
                "Q" => "`Q`, which kills the requests in flight".to_string(),
                "r" | "R" => format!("`{}`, which reloads it instead of stopping it", hook.command),
                other => format!("`{other}`"),
            };
            out.push(Finding::new(
                &RULE,
                from_index,
                hook.command_span.clone(),
                format!("{from_name} writes {what} into {to_name}'s master FIFO instead of `q`"),
                "should be `q`",
                format!("write `{line}` (`q` stops it gracefully)"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set};

    const A: &str = "uwsgi:\n  master-fifo: /run/a.fifo\n  if-exists: /run/b.fifo\n  \
                     hook-accepting1-once: writefifo:/run/b.fifo q\n  endif: if-exists\n";
    const B: &str = "uwsgi:\n  master-fifo: /run/b.fifo\n  \
                     hook-accepting1-once: writefifo:/run/a.fifo q\n";

    fn spans(a: &str, b: &str) -> Vec<String> {
        let s = set(&[(Role::Zergling, a), (Role::Restarter, b)]);
        check(&HooksNotCrossed, &s)
            .iter()
            .map(|f| s.files[f.file].source.text[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn crossed_hooks_pass() {
        assert!(spans(A, B).is_empty());
    }

    #[test]
    fn spinningfifo_and_paths_spelt_differently_pass() {
        assert!(spans(A, &B.replace("writefifo:", "spinningfifo:")).is_empty());
        assert!(spans(A, &B.replace("/run/a.fifo q", "/run//a.fifo q")).is_empty());
        let b = "uwsgi:\n  chdir: /run/sub\n  master-fifo: /run/b.fifo\n  \
                 hook-accepting1-once: writefifo:../a.fifo q\n";
        assert!(spans(A, b).is_empty());
    }

    #[test]
    fn a_shared_fifo_is_left_to_zc204() {
        assert!(
            spans(A, &B.replace("master-fifo: /run/b.fifo", "master-fifo: /run/./a.fifo"))
                .is_empty()
        );
    }

    #[test]
    fn only_the_first_master_fifo_is_open() {
        let a = A.replace(
            "  master-fifo: /run/a.fifo\n",
            "  master-fifo: /run/a.fifo\n  master-fifo: /run/a1.fifo\n",
        );
        assert!(spans(&a, B).is_empty());
        let found = spans(&a, &B.replace("/run/a.fifo q", "/run/a1.fifo q"));
        assert_eq!(found, ["/run/a1.fifo"]);
    }

    #[test]
    fn flags_wrong_commands_phases_targets_and_missing_hooks() {
        assert_eq!(spans(A, &B.replace(" q\n", " Q\n")), ["Q"]);
        assert_eq!(spans(A, &B.replace(" q\n", "\n")), [""]);
        assert_eq!(spans(A, &B.replace("hook-accepting1-once", "hook-asap")), ["hook-asap"]);
        assert_eq!(spans(A, &B.replace("/run/a.fifo q", "/run/x.fifo q")), ["/run/x.fifo"]);
        let bare_a = "uwsgi:\n  master-fifo: /run/a.fifo\n";
        assert_eq!(spans(bare_a, B), ["uwsgi"]);
    }
}
