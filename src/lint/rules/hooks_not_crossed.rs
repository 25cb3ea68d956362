//! ZC205 `hooks-not-crossed`: the hand-over hooks of zergling A and the restarter do not write
//! `q` into each other's master FIFO when their first worker accepts.

use crate::lint::rules::common::{master_fifos, uwsgi_key_span, write_fifo_hooks};
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
          respawn of a worker).",
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
    let hooks = write_fifo_hooks(from);
    let toward: Vec<_> =
        hooks.iter().filter(|h| targets.iter().any(|t| t.value.trim() == h.fifo)).collect();
    let line = format!("{HOOK}: writefifo:{target_path} q");

    if toward.is_empty() {
        let elsewhere = hooks.iter().find(|h| h.option.key.starts_with("hook-accepting"));
        let finding = if let Some(hook) = elsewhere {
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
    fn flags_wrong_commands_phases_targets_and_missing_hooks() {
        assert_eq!(spans(A, &B.replace(" q\n", " Q\n")), ["Q"]);
        assert_eq!(spans(A, &B.replace(" q\n", "\n")), [""]);
        assert_eq!(spans(A, &B.replace("hook-accepting1-once", "hook-asap")), ["hook-asap"]);
        assert_eq!(spans(A, &B.replace("/run/a.fifo q", "/run/x.fifo q")), ["/run/x.fifo"]);
        let bare_a = "uwsgi:\n  master-fifo: /run/a.fifo\n";
        assert_eq!(spans(bare_a, B), ["uwsgi"]);
    }
}
