//! ZC307 malformed-hook: a `hook-*` value uWSGI cannot run.
//!
//! Hook values are `<action>:<arguments>` (`hook-touch` puts a file and a space first). Every
//! hook phase is fatal: a value without `:`, an action uWSGI does not know, or a `writefifo`
//! without the space between the FIFO and the string to write stops the instance.

use super::syntax::{uwsgi_files, value_or_key};
use crate::lint::{FileSet, Finding, Rule, RuleInfo, Severity};
use crate::uwsgi::UwsgiOption;
use crate::uwsgi::hooks::FIFO_ACTIONS;
use crate::uwsgi::option_table::{is_hook_action, lookup};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC307",
    name: "malformed-hook",
    severity: Severity::Error,
    summary: "a `hook-*` value without `:`, with an unknown action, or a `writefifo` without a \
              space between file and string",
    why: "uWSGI runs a hook value as `<action>:<arguments>` and treats any failure as fatal: a \
          value without `:` or an action it does not know (`wait-for-socket` for \
          `wait_for_socket`) stops the instance when the hook's phase comes, which for \
          `hook-accepting1-once` is after the instance already took over the socket. \
          `writefifo` needs the FIFO path, a space, and the string to write (`q` for a graceful \
          shutdown).",
    bad: "uwsgi:\n  hook-asap: wait-for-socket:/srv/galaxy/var/zergpool.sock\n  \
          hook-accepting1-once: writefifo:/srv/galaxy/var/zergling.fifo\n",
    good: "uwsgi:\n  hook-asap: wait_for_socket:/srv/galaxy/var/zergpool.sock\n  \
           hook-accepting1-once: writefifo:/srv/galaxy/var/zergling.fifo q\n",
};

/// The rule.
pub struct MalformedHook;

impl Rule for MalformedHook {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file, options) in uwsgi_files(set) {
            let hooks =
                options.iter().filter(|o| o.key.starts_with("hook-") && lookup(&o.key).is_some());
            for option in hooks {
                check_hook(&file.source.text, index, option, out);
            }
        }
    }
}

fn check_hook(text: &str, index: usize, option: &UwsgiOption, out: &mut Vec<Finding>) {
    let key = option.key.as_str();
    let value = option.value.as_str();

    // `hook-touch: <file> <action>:<arguments>`.
    let start = if key == "hook-touch" {
        let Some(space) = value.find(' ') else {
            out.push(Finding::new(
                &RULE,
                index,
                value_or_key(option),
                format!("`hook-touch: {value}` has no action after the file to watch"),
                "no action",
                "write the file, a space and the action: `hook-touch: /path/to/file \
                 print:touched`",
            ));
            return;
        };
        space + 1
    } else {
        0
    };
    let hook = &value[start..];

    let Some((action, args)) = hook.split_once(':') else {
        out.push(Finding::new(
            &RULE,
            index,
            value_or_key(option),
            format!(
                "`{key}: {value}` has no `:` between the action and its arguments, which is fatal"
            ),
            "no `:`",
            format!("write `{key}: <action>:<arguments>`, for example `{key}: print:{hook}`"),
        ));
        return;
    };

    let action_span = option.value_sub_span(text, start..start + action.len());
    if !is_hook_action(action) {
        let normalized = action.trim().to_ascii_lowercase().replace('-', "_");
        let help = if is_hook_action(&normalized) {
            format!("did you mean `{normalized}`? write `{key}: {normalized}:{args}`")
        } else {
            format!(
                "use one of uWSGI's hook actions (`exec`, `writefifo`, `wait_for_socket`, \
                 `unix_signal`, ...): `{key}: <action>:{args}`"
            )
        };
        out.push(Finding::new(
            &RULE,
            index,
            action_span,
            format!("`{action}` is not a uWSGI hook action, and an unknown action is fatal"),
            "unknown action",
            help,
        ));
        return;
    }

    if FIFO_ACTIONS.contains(&action) {
        let split = args
            .split_once(' ')
            .filter(|(file, string)| !file.is_empty() && !string.trim().is_empty());
        if split.is_none() {
            let args_start = start + action.len() + 1;
            let span = if args.is_empty() {
                value_or_key(option)
            } else {
                option.value_sub_span(text, args_start..args_start + args.len())
            };
            let fifo = args.split(' ').next().filter(|f| !f.is_empty()).unwrap_or("<fifo>");
            out.push(Finding::new(
                &RULE,
                index,
                span,
                format!("`{action}` needs the FIFO path, a space and the string to write"),
                "no string to write",
                format!("write `{key}: {action}:{fifo} q` (`q` shuts the other instance down gracefully)"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, single};

    fn spans(text: &str) -> Vec<String> {
        check(&MalformedHook, &single(text))
            .iter()
            .map(|f| text[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn good_hooks() {
        let text = "uwsgi:\n  hook-asap: wait_for_socket:/srv/galaxy/var/zergpool.sock\n  \
                    hook-accepting1-once: writefifo:/srv/galaxy/var/restarter.fifo q\n  \
                    hook-master-start: unix_signal:15 gracefully_kill_them_all\n  \
                    hook-touch: /srv/galaxy/var/reload print:touched\n";
        assert!(spans(text).is_empty(), "{:?}", spans(text));
    }

    #[test]
    fn bad_hooks() {
        let text = "uwsgi:\n  hook-asap: wait-for-socket:/srv/galaxy/var/zergpool.sock\n  \
                    hook-accepting1-once: writefifo:/srv/galaxy/var/zergling.fifo\n  \
                    hook-pre-app: exit\n  hook-post-app: frobnicate:x\n";
        assert_eq!(
            spans(text),
            vec!["wait-for-socket", "/srv/galaxy/var/zergling.fifo", "exit", "frobnicate"]
        );
        let found = check(&MalformedHook, &single(text));
        assert!(found[0].help.contains("wait_for_socket:/srv"), "{}", found[0].help);
        assert!(found[1].help.contains("zergling.fifo q"), "{}", found[1].help);
    }
}
