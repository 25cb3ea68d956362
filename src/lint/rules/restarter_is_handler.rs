//! ZC104 `restarter-is-handler`: the restarter's job conf makes zergling B a job handler. B's
//! web workers then handle jobs under names (`main.web.1`) that nobody owns once B exits.

use crate::lint::rules::common::{Assignment, assignment};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC104",
    name: "restarter-is-handler",
    severity: Severity::Error,
    summary: "the restarter's job conf has no `<handlers>`, so the restarter handles jobs itself",
    why: "Without handlers (no `<handlers>`, or one with no `<handler>` and no `assign_with`), \
          or with `db-self` or `mem-self`, Galaxy makes every web worker of the restarter a job \
          handler: the jobs it creates are owned by `main.web.1`, `main.web.2`, ... When the \
          restarter exits after zergling A is back, nobody of that name runs and A's web \
          workers never take those jobs (A's own web workers have the same names but are not \
          handlers), so they are lost. The restarter must preassign every job to A's mules.",
    bad: "<job_conf>\n    <plugins workers=\"4\">\n        <plugin id=\"local_plugin\" \
          type=\"runner\" load=\"galaxy.jobs.runners.local:LocalJobRunner\"/>\n    </plugins>\n    \
          <destinations>\n        <destination id=\"local_destination\" \
          runner=\"local_plugin\"/>\n    </destinations>\n</job_conf>\n",
    good: "<job_conf>\n    <plugins workers=\"4\">\n        <plugin id=\"local_plugin\" \
           type=\"runner\" load=\"galaxy.jobs.runners.local:LocalJobRunner\"/>\n    \
           </plugins>\n    \
           <handlers assign_with=\"db-preassign\">\n        \
           <handler id=\"main.job-handlers.1\"/>\n        \
           <handler id=\"main.job-handlers.2\"/>\n    </handlers>\n    <destinations>\n        \
           <destination id=\"local_destination\" runner=\"local_plugin\"/>\n    \
           </destinations>\n</job_conf>\n",
};

/// The fix, the same in every case.
const HELP: &str = "add `<handlers assign_with=\"db-preassign\">` with one \
                    `<handler id=\"main.job-handlers.N\"/>` per mule of zergling A (what \
                    `zergcfg build` writes)";

/// The rule.
pub struct RestarterIsHandler;

impl Rule for RestarterIsHandler {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file) in set.all_by_role(Role::RestarterJobConf) {
            let Some(conf) = file.job_conf() else {
                continue;
            };
            let Some(handlers) = &conf.handlers else {
                out.push(Finding::new(
                    &RULE,
                    index,
                    conf.document.root.start_tag.clone(),
                    "the restarter's job conf has no `<handlers>`, so the restarter's web workers \
                     handle the jobs they create and lose them when it exits",
                    "no `<handlers>` in this job conf",
                    HELP,
                ));
                continue;
            };

            let Assignment::SelfHandler { span } = assignment(handlers) else {
                continue;
            };
            let message = if span == handlers.start_tag {
                "the restarter's `<handlers>` defines no handler and no `assign_with`, so the \
                 restarter's web workers handle the jobs they create and lose them when it exits"
                    .to_string()
            } else {
                format!(
                    "`{}` makes the restarter's web workers handle the jobs they create, and \
                     lose them when it exits",
                    &file.source.text[span.clone()]
                )
            };
            out.push(Finding::new(&RULE, index, span, message, "the restarter handles jobs", HELP));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set};

    fn conf(handlers: &str) -> String {
        format!("<job_conf>\n<plugins/>\n{handlers}\n<destinations/>\n</job_conf>\n")
    }

    fn spans(text: &str) -> Vec<String> {
        check(&RestarterIsHandler, &set(&[(Role::RestarterJobConf, text)]))
            .iter()
            .map(|f| text[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn flags_a_missing_handlers_element() {
        assert_eq!(spans(&conf("")), ["<job_conf>"]);
    }

    #[test]
    fn flags_empty_handlers_and_self_methods() {
        assert_eq!(spans(&conf("<handlers/>")), ["<handlers/>"]);
        let text =
            conf("<handlers assign_with=\"db-preassign, db-self\"><handler id=\"h\"/></handlers>");
        assert_eq!(spans(&text), ["db-self"]);
        assert_eq!(spans(&conf("<handlers assign_with=\"mem-self\"/>")), ["mem-self"]);
    }

    #[test]
    fn preassigning_and_tag_grabbing_pass() {
        assert!(spans(&conf("<handlers><handler id=\"h\"/></handlers>")).is_empty());
        let text = conf("<handlers assign_with=\"db-preassign\"><handler id=\"h\"/></handlers>");
        assert!(spans(&text).is_empty());
        assert!(check(&RestarterIsHandler, &set(&[(Role::JobConf, &conf(""))])).is_empty());
    }
}
