//! ZC103 `restarter-strands-jobs`: the restarter's job conf preassigns jobs and defines a
//! handler with an empty id. Jobs preassigned to it get the handler `''`, which no process owns.

use crate::lint::rules::common::{Assignment, assignment};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::source::Span;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC103",
    name: "restarter-strands-jobs",
    severity: Severity::Error,
    summary: "the restarter's job conf preassigns jobs to a `<handler id=\"\">`",
    why: "With `db-preassign`, the restarter writes the id of one handler of the job's pool into \
          the job. A handler with an empty id makes that value `''`: no process is named `''`, \
          so those jobs stay new forever, and nothing re-sends them when zergling A comes back. \
          Without `assign_with`, Galaxy 21.09 grabs by tag instead and the empty id is harmless, \
          but older releases preassign by default whenever handlers are defined, so that case \
          is a warning.",
    bad: "<handlers assign_with=\"db-preassign\">\n    <handler id=\"\"/>\n</handlers>\n",
    good: "<handlers assign_with=\"db-preassign\">\n    <handler id=\"main.job-handlers.1\"/>\n    \
           <handler id=\"main.job-handlers.2\"/>\n</handlers>\n",
};

/// The rule.
pub struct RestarterStrandsJobs;

impl Rule for RestarterStrandsJobs {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, file) in set.all_by_role(Role::RestarterJobConf) {
            let Some(handlers) = file.job_conf().and_then(|c| c.handlers.as_ref()) else {
                continue;
            };
            // The first method decides: later ones are tried only when it fails.
            let methods = handlers.assign_with.as_ref().map_or(&[][..], |a| &a.items[..]);
            let (method_span, explicit) = match (methods.first(), assignment(handlers)) {
                (Some(first), _) if first.value.eq_ignore_ascii_case("db-preassign") => {
                    (first.span.clone(), true)
                }
                (None, Assignment::Tag { span, explicit: false }) => (span, false),
                _ => continue,
            };

            let text = &file.source.text;
            for handler in handlers.handlers.iter().filter(|h| h.id.value.is_empty()) {
                let span = quoted(text, &handler.id.span);
                let mut finding = if explicit {
                    Finding::new(
                        &RULE,
                        index,
                        span,
                        "the restarter preassigns jobs to a handler with an empty id, so they \
                         get the handler '' and never run",
                        "empty handler id",
                        "use zergling A's mule names as ids, one line each: \
                         `<handler id=\"main.job-handlers.1\"/>`",
                    )
                } else {
                    let mut finding = Finding::new(
                        &RULE,
                        index,
                        span,
                        "`<handlers>` has no `assign_with` and a handler with an empty id: a \
                         Galaxy that preassigns by default gives jobs the handler '', and they \
                         never run",
                        "empty handler id",
                        "write `assign_with=\"db-preassign\"` on `<handlers>` and zergling A's \
                         mule names as ids: `<handler id=\"main.job-handlers.1\"/>`",
                    );
                    finding.severity = Severity::Warning;
                    finding
                };
                let label = if explicit { "preassigned here" } else { "no `assign_with`" };
                finding = finding.with_related(index, method_span.clone(), label);
                out.push(finding);
            }
        }
    }
}

/// The value's bytes with their quotes, when they are there (an empty value has no bytes of
/// its own to point at).
fn quoted(text: &str, span: &Span) -> Span {
    let before = span.start.checked_sub(1).and_then(|i| text.get(i..span.start));
    let after = text.get(span.end..span.end + 1);
    match (before, after) {
        (Some(b), Some(a)) if b == a && (b == "\"" || b == "'") => span.start - 1..span.end + 1,
        _ => span.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set};

    fn conf(handlers: &str) -> String {
        format!(
            "<job_conf>\n<plugins/>\n{handlers}\n<destinations><destination id=\"local\" \
             runner=\"local\"/></destinations>\n</job_conf>\n"
        )
    }

    #[test]
    fn flags_an_empty_id_when_preassigning() {
        let text = conf("<handlers assign_with=\"db-preassign\"><handler id=\"\"/></handlers>");
        let findings = check(&RestarterStrandsJobs, &set(&[(Role::RestarterJobConf, &text)]));
        assert_eq!(findings.len(), 1);
        assert_eq!(&text[findings[0].span.clone()], "\"\"");
        assert_eq!(findings[0].severity, Severity::Error);
        assert_eq!(&text[findings[0].related[0].span.clone()], "db-preassign");
    }

    #[test]
    fn an_implicit_method_is_a_warning() {
        let text = conf("<handlers><handler id=\"\"/></handlers>");
        let findings = check(&RestarterStrandsJobs, &set(&[(Role::RestarterJobConf, &text)]));
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].severity, Severity::Warning);
    }

    #[test]
    fn tag_methods_and_named_handlers_pass() {
        for handlers in [
            "<handlers assign_with=\"db-skip-locked\"><handler id=\"\"/></handlers>",
            "<handlers assign_with=\"db-preassign\"><handler \
             id=\"main.job-handlers.1\"/></handlers>",
        ] {
            let text = conf(handlers);
            let set = set(&[(Role::RestarterJobConf, &text)]);
            assert!(check(&RestarterStrandsJobs, &set).is_empty(), "{handlers}");
        }
    }

    #[test]
    fn only_the_restarter_job_conf_is_checked() {
        let text = conf("<handlers assign_with=\"db-preassign\"><handler id=\"\"/></handlers>");
        assert!(check(&RestarterStrandsJobs, &set(&[(Role::JobConf, &text)])).is_empty());
    }
}
