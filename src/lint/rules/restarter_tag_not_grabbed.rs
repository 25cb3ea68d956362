//! ZC105 `restarter-tag-not-grabbed`: the restarter's job conf assigns jobs by tag (pool name)
//! to a pool that zergling A does not serve, so no process of A ever takes those jobs.

use std::collections::BTreeSet;

use crate::jobconf::{DEFAULT_HANDLER_TAG, Handlers, JobConf};
use crate::lint::rules::common::{Assignment, TAG_METHODS, assignment, zergling_handlers};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::source::Span;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC105",
    name: "restarter-tag-not-grabbed",
    severity: Severity::Error,
    summary: "the restarter's job conf assigns jobs by tag to a pool zergling A does not serve",
    why: "With `db-skip-locked` or `db-transaction-isolation` (Galaxy 21.09's choice when \
          `<handlers>` has no `assign_with`), the restarter writes the job's pool name into the \
          job: the tool's `handler`, else the `default` of `<handlers>`, else `_default_`. A \
          handler of zergling A then grabs it only if A serves that pool: a tag its own job \
          conf defines, or the `_default_` pool of its `job-handlers` farm. Any other name is \
          never grabbed and the jobs wait forever.",
    bad: "<handlers assign_with=\"db-skip-locked\" default=\"handlers\">\n    \
          <handler id=\"main.job-handlers.1\" tags=\"handlers\"/>\n</handlers>\n",
    good: "<handlers assign_with=\"db-preassign\">\n    <handler id=\"main.job-handlers.1\"/>\n    \
           <handler id=\"main.job-handlers.2\"/>\n</handlers>\n",
};

/// The rule.
pub struct RestarterTagNotGrabbed;

/// One way a job of the restarter gets its handler value.
struct Route {
    /// What the restarter writes into the job.
    value: String,
    /// Where that comes from.
    span: Span,
    /// Which jobs take it.
    jobs: String,
}

/// What zergling A serves.
struct Served {
    /// Pools its handlers grab by tag (none when A does not grab by tag at all).
    tags: BTreeSet<String>,
    /// Handler names of A's processes, which take jobs holding exactly their name.
    ids: BTreeSet<String>,
    /// Whether A grabs by tag at all.
    grabs: bool,
}

impl Rule for RestarterTagNotGrabbed {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let Some((a_index, a_conf)) =
            set.by_role(Role::JobConf).and_then(|(i, f)| f.job_conf().map(|c| (i, c)))
        else {
            return;
        };
        let served = served(set, a_conf);

        for (index, file) in set.all_by_role(Role::RestarterJobConf) {
            let Some(handlers) = file.job_conf().and_then(|c| c.handlers.as_ref()) else {
                continue;
            };
            let Assignment::Tag { span: method_span, explicit } = assignment(handlers) else {
                continue;
            };
            let conf = file.job_conf().map_or(&[][..], |c| &c.tools[..]);

            let mut routes = vec![default_route(handlers, method_span.clone())];
            for tool in conf {
                let Some(handler) = &tool.handler else {
                    continue;
                };
                routes.push(Route {
                    value: handler.value.clone(),
                    span: handler.span.clone(),
                    jobs: tool.describe(),
                });
            }

            for route in routes {
                let direct = is_direct(handlers, &route.value);
                let grabbed = if direct {
                    served.ids.contains(&route.value)
                } else {
                    served.grabs && served.tags.contains(&route.value)
                };
                if grabbed {
                    continue;
                }

                let method = if explicit {
                    "its `assign_with`".to_string()
                } else {
                    "Galaxy 21.09's default method (no `assign_with`)".to_string()
                };
                let why = if direct {
                    "no process of zergling A has that name".to_string()
                } else if served.grabs {
                    "zergling A serves no pool of that name".to_string()
                } else {
                    "zergling A's job conf does not grab jobs by tag at all".to_string()
                };
                let mut finding = Finding::new(
                    &RULE,
                    index,
                    route.span,
                    format!(
                        "with {method} the restarter writes `{}` into the jobs of {}, but {why}, \
                         so they are never run",
                        route.value, route.jobs
                    ),
                    "no handler of zergling A takes this",
                    format!(
                        "preassign instead: `<handlers assign_with=\"db-preassign\">` with \
                         zergling A's mule names as handler ids (what `zergcfg build` writes), \
                         or serve `{}` in A: tag a mule with it in job_conf.xml's `<handlers>` \
                         (`<handler id=\"main.job-handlers.1\" tags=\"{}\"/>`)",
                        route.value, route.value
                    ),
                );
                finding = finding.with_related(index, method_span.clone(), "assigned by tag");
                let a_span = a_conf
                    .handlers
                    .as_ref()
                    .map_or(a_conf.document.root.start_tag.clone(), |h| h.start_tag.clone());
                out.push(finding.with_related(a_index, a_span, "zergling A's job conf"));
            }
        }
    }
}

/// Jobs of tools without a `handler` mapping.
fn default_route(handlers: &Handlers, method_span: Span) -> Route {
    match &handlers.default {
        Some(default) => Route {
            value: default.value.clone(),
            span: default.span.clone(),
            jobs: "unmapped tools".to_string(),
        },
        None => Route {
            value: DEFAULT_HANDLER_TAG.to_string(),
            span: method_span,
            jobs: "unmapped tools".to_string(),
        },
    }
}

/// Whether Galaxy writes `value` as is because it names one handler and no pool: then the
/// handler of that exact name must take it.
fn is_direct(handlers: &Handlers, value: &str) -> bool {
    handlers.handlers.iter().any(|h| h.id.value == value)
        && !handlers.handlers.iter().any(|h| h.tags.is_some() && h.pools().contains(&value))
}

/// The pools and names zergling A serves: its job conf's tags and handler ids, plus its mule
/// names and their pools when the set holds it and Galaxy reads its farm (else A's mules are
/// assumed to serve `_default_`).
fn served(set: &FileSet, a_conf: &JobConf) -> Served {
    let mut tags = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut grabs = true;
    if let Some(handlers) = &a_conf.handlers {
        for handler in &handlers.handlers {
            ids.insert(handler.id.value.clone());
            tags.extend(handler.pools().into_iter().map(str::to_string));
        }
        // A grabs by tag only with a grabbing method, which is what an absent list picks.
        if let Some(methods) = handlers.assign_with.as_ref().filter(|m| !m.items.is_empty()) {
            grabs = methods.values().any(|m| TAG_METHODS.contains(&m.to_lowercase().as_str()));
        }
    }

    match zergling_handlers(set) {
        Some((_, _, mules)) => {
            for mule in mules {
                tags.extend(mule.name.tags);
                ids.insert(mule.name.id);
            }
        }
        None => {
            tags.insert(DEFAULT_HANDLER_TAG.to_string());
        }
    }
    Served { tags, ids, grabs }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set};

    /// Zergling A's job conf: mule 2 is also in the pool `special`.
    const A_CONF: &str = "<job_conf><plugins/><handlers><handler id=\"main.job-handlers.2\" \
                          tags=\"special\"/></handlers><destinations/></job_conf>";
    const PLAIN_CONF: &str = "<job_conf><plugins/><destinations/></job_conf>";
    const A: &str = "uwsgi:\n  mule: m.py\n  mule: m.py\n  farm: job-handlers:1,2\n";

    fn conf(handlers: &str, tools: &str) -> String {
        format!(
            "<job_conf>\n<plugins/>\n{handlers}\n<destinations/>\n<tools>{tools}</tools>\n\
             </job_conf>\n"
        )
    }

    fn spans(b: &str, a_conf: &str, zergling: Option<&str>) -> Vec<String> {
        let mut files = vec![(Role::RestarterJobConf, b), (Role::JobConf, a_conf)];
        if let Some(a) = zergling {
            files.push((Role::Zergling, a));
        }
        check(&RestarterTagNotGrabbed, &set(&files))
            .iter()
            .map(|f| b[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn flags_a_tag_a_does_not_serve() {
        let b = conf(
            "<handlers assign_with=\"db-skip-locked\" default=\"handlers\"><handler id=\"x\" \
             tags=\"handlers\"/></handlers>",
            "<tool id=\"bwa\" handler=\"special\"/><tool id=\"cat\" handler=\"gpu\"/>",
        );
        assert_eq!(spans(&b, A_CONF, Some(A)), ["handlers", "gpu"]);
        assert_eq!(spans(&b, PLAIN_CONF, Some(A)), ["handlers", "special", "gpu"]);
    }

    #[test]
    fn tags_of_a_job_conf_are_served() {
        let b = conf(
            "<handlers assign_with=\"db-transaction-isolation\" default=\"handlers\"><handler \
             id=\"x\" tags=\"handlers\"/></handlers>",
            "",
        );
        let a = "<job_conf><plugins/><handlers><handler id=\"main.job-handlers.1\" \
                 tags=\"handlers\"/></handlers><destinations/></job_conf>";
        assert!(spans(&b, a, Some(A)).is_empty());
        // A that only preassigns grabs nothing by tag.
        let a = "<job_conf><plugins/><handlers assign_with=\"db-preassign\"><handler \
                 id=\"main.job-handlers.1\" tags=\"handlers\"/></handlers>\
                 <destinations/></job_conf>";
        assert_eq!(spans(&b, a, Some(A)), ["handlers"]);
    }

    #[test]
    fn the_implicit_method_writes_the_default_pool() {
        let b = conf("<handlers><handler id=\"\"/></handlers>", "");
        assert!(spans(&b, A_CONF, Some(A)).is_empty());
        let scheduler_only = "uwsgi:\n  mule: m.py\n  farm: workflow-schedulers:1\n";
        assert_eq!(spans(&b, PLAIN_CONF, Some(scheduler_only)), ["<handlers>"]);
        // Farms Galaxy misreads name no mules to compare with (ZC309, ZC310).
        let tag_only = "uwsgi:\n  mule: m.py\n  farm: job-handlers.special:1\n";
        assert!(spans(&b, PLAIN_CONF, Some(tag_only)).is_empty());
    }

    #[test]
    fn preassigning_is_left_to_other_rules() {
        let b = conf(
            "<handlers assign_with=\"db-preassign\" default=\"nope\">\
             <handler id=\"x\"/></handlers>",
            "",
        );
        assert!(spans(&b, A_CONF, Some(A)).is_empty());
    }
}
