//! ZC106 `preassigned-names-mismatch`: the restarter's job conf preassigns jobs to handler ids
//! that are not zergling A's mule handler names, or puts them in other pools than A does (its
//! farm puts every mule in `_default_`, its job conf's `<handlers>` may tag some).

use std::collections::{BTreeSet, HashSet};

use crate::jobconf::HandlerName;
use crate::lint::rules::common::{Assignment, MuleHandler, assignment, zergling_handlers};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC106",
    name: "preassigned-names-mismatch",
    severity: Severity::Error,
    summary: "the restarter preassigns jobs to handler ids that are not zergling A's mule names",
    why: "With `db-preassign` the restarter writes a handler id into each job, and only the \
          process of exactly that name runs it. Zergling A's mules are named \
          `<server_name>.job-handlers.<N>` (the Nth mule of its farm `job-handlers`), so every \
          id must be one of those names, in the pools A puts that mule in: `_default_`, where \
          the farm puts every mule, plus the tags a `<handler>` of that name in A's job conf \
          gives it. A wrong id strands the jobs; a wrong pool sends a tool's jobs to mules not \
          meant for them. A mule of A that is never preassigned gets no job created during a \
          restart (a warning). A tool mapped to a handler or tag the restarter's `<handlers>` \
          does not define cannot be preassigned: Galaxy fails its jobs while the restarter \
          serves.",
    bad: "# vassal-zergling.yml\nuwsgi:\n  mule: lib/galaxy/main.py\n  mule: lib/galaxy/main.py\n  \
          farm: job-handlers:1,2\n\n<!-- job_conf-restarter.xml -->\n\
          <handlers assign_with=\"db-preassign\">\n    <handler id=\"main.job-handlers.0\"/>\n    \
          <handler id=\"handler1\"/>\n</handlers>\n",
    good: "# vassal-zergling.yml\nuwsgi:\n  mule: lib/galaxy/main.py\n  \
           mule: lib/galaxy/main.py\n  \
           farm: job-handlers:1,2\n\n<!-- job_conf-restarter.xml -->\n\
           <handlers assign_with=\"db-preassign\">\n    <handler id=\"main.job-handlers.1\"/>\n    \
           <handler id=\"main.job-handlers.2\"/>\n</handlers>\n",
};

/// The rule.
pub struct PreassignedNamesMismatch;

impl Rule for PreassignedNamesMismatch {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let Some((a_index, a_file, mules)) = zergling_handlers(set) else {
            return;
        };
        let a_options = a_file.options().unwrap_or(&[]);
        let farm_span = |mule: &MuleHandler| a_options[mule.farm].value_span.clone();
        let a_names: Vec<&str> = mules.iter().map(|m| m.name.id.as_str()).collect();
        let listed = if a_names.is_empty() {
            "none (zergling A has no `job-handlers` farm)".to_string()
        } else {
            a_names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        };

        for (index, file) in set.all_by_role(Role::RestarterJobConf) {
            let Some(handlers) = file.job_conf().and_then(|c| c.handlers.as_ref()) else {
                continue;
            };
            let Assignment::Preassign { span: method_span } = assignment(handlers) else {
                continue;
            };

            let mut seen = HashSet::new();
            for handler in &handlers.handlers {
                let id = handler.id.value.as_str();
                // An empty id is ZC103's; a repeated id is ignored by Galaxy.
                if id.is_empty() || !seen.insert(id) {
                    continue;
                }

                let Some(mule) = mules.iter().find(|m| m.name.id == id) else {
                    let help = match crate::suggest::closest(id, a_names.iter().copied()) {
                        Some(name) => {
                            format!("did you mean `{name}`? Use zergling A's mule names: {listed}")
                        }
                        None => format!("use zergling A's mule names as ids: {listed}"),
                    };
                    out.push(
                        Finding::new(
                            &RULE,
                            index,
                            handler.id.span.clone(),
                            format!(
                                "the restarter preassigns jobs to `{id}`, which is not a mule of \
                                 zergling A, so those jobs never run"
                            ),
                            "no mule of zergling A has this name",
                            help,
                        )
                        .with_related(
                            index,
                            method_span.clone(),
                            "preassigned here",
                        ),
                    );
                    continue;
                };

                let expected: BTreeSet<&str> = mule.name.tags.iter().map(String::as_str).collect();
                let pools = handler.pools();
                if pools.iter().copied().collect::<BTreeSet<&str>>() == expected {
                    continue;
                }
                let span =
                    handler.tags.as_ref().map_or(handler.id.span.clone(), |t| t.span.clone());
                let expected = mule.name.tags.join(", ");
                out.push(
                    Finding::new(
                        &RULE,
                        index,
                        span,
                        format!(
                            "the restarter puts `{id}` in pool(s) `{}`, but zergling A puts that \
                             mule in `{expected}` (its farm, and the tags zergling A's job conf \
                             gives it)",
                            pools.join(", ")
                        ),
                        format!("should be `{expected}`"),
                        format!("write `{}`", handler_element(&mule.name)),
                    )
                    .with_related(a_index, farm_span(mule), "the mule's farm"),
                );
            }

            // A tool mapped to a handler or tag this conf does not define cannot be preassigned:
            // Galaxy tries the next method of `assign_with`, and with none fails the job.
            let tools = file.job_conf().map_or(&[][..], |c| &c.tools[..]);
            for tool in tools {
                let Some(handler) = &tool.handler else {
                    continue;
                };
                if !handlers.resolve(&handler.value).is_empty() {
                    continue;
                }
                let pools = handlers.handlers.iter().flat_map(|h| h.pools());
                let known: Vec<&str> =
                    handlers.handlers.iter().map(|h| h.id.value.as_str()).chain(pools).collect();
                let help = match crate::suggest::closest(&handler.value, known.iter().copied()) {
                    Some(name) => format!(
                        "did you mean `{name}`? Map the tool to a handler id or tag of this \
                         `<handlers>`, or add a `<handler id=\"...\" tags=\"{}\"/>` for \
                         zergling A's mules of that tag",
                        handler.value
                    ),
                    None => format!(
                        "map the tool to a handler id or tag of this `<handlers>`, or add a \
                         `<handler id=\"...\" tags=\"{}\"/>` for zergling A's mules of that tag",
                        handler.value
                    ),
                };
                out.push(
                    Finding::new(
                        &RULE,
                        index,
                        handler.span.clone(),
                        format!(
                            "{} mapped to `{}`, which no `<handler>` of the restarter's job conf \
                             is or is tagged with: Galaxy cannot preassign those jobs and, with \
                             no other method in `assign_with`, fails them (\"Job handler \
                             assignment failed\") while the restarter serves",
                            tool.describe_is(),
                            handler.value
                        ),
                        "no handler of this conf",
                        help,
                    )
                    .with_related(
                        index,
                        method_span.clone(),
                        "preassigned here",
                    ),
                );
            }

            for mule in mules.iter().filter(|m| !seen.contains(m.name.id.as_str())) {
                let mut finding = Finding::new(
                    &RULE,
                    a_index,
                    farm_span(mule),
                    format!(
                        "zergling A's mule `{}` is never preassigned by the restarter, so it gets \
                         no job created during a restart",
                        mule.name.id
                    ),
                    format!("`{}` is not in the restarter's job conf", mule.name.id),
                    format!(
                        "add `{}` to the restarter's `<handlers>`",
                        handler_element(&mule.name)
                    ),
                )
                .with_related(
                    index,
                    handlers.start_tag.clone(),
                    "the restarter's handlers",
                );
                finding.severity = Severity::Warning;
                out.push(finding);
            }
        }
    }
}

/// The `<handler>` element that preassigns to `name` in exactly its pools, as `build` writes it.
fn handler_element(name: &HandlerName) -> String {
    match name.tags_attribute() {
        Some(tags) => format!("<handler id=\"{}\" tags=\"{tags}\"/>", name.id),
        None => format!("<handler id=\"{}\"/>", name.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set};

    const A: &str =
        "uwsgi:\n  mule: m.py\n  mule: m.py\n  mule: m.py\n  farm: job-handlers:1,2,3\n";

    /// Zergling A's job conf: mule 3 is also in the pool `special`.
    const A_CONF: &str = "<job_conf><plugins/><handlers><handler id=\"main.job-handlers.3\" \
                          tags=\"special\"/></handlers><destinations/></job_conf>";

    #[test]
    fn a_tool_mapped_to_no_handler_of_the_conf_is_flagged() {
        let b = "<job_conf>\n<plugins/>\n<handlers assign_with=\"db-preassign\">\
                 <handler id=\"main.job-handlers.1\"/><handler id=\"main.job-handlers.2\"/>\
                 <handler id=\"main.job-handlers.3\" tags=\"special,_default_\"/></handlers>\n\
                 <destinations/>\n<tools><tool id=\"a\" handler=\"special\"/>\
                 <tool id=\"b\" handler=\"main.job-handlers.2\"/>\
                 <tool id=\"c\" handler=\"specail\"/></tools>\n</job_conf>\n";
        let findings = check(
            &PreassignedNamesMismatch,
            &set(&[(Role::Zergling, A), (Role::JobConf, A_CONF), (Role::RestarterJobConf, b)]),
        );
        let flagged: Vec<&str> = findings.iter().map(|f| &b[f.span.clone()]).collect();
        assert_eq!(flagged, ["specail"], "{findings:?}");
        assert!(findings[0].message.starts_with("tool `c` is mapped to `specail`"));
        assert!(findings[0].help.contains("did you mean `special`?"), "{}", findings[0].help);
    }

    fn conf(handlers: &str) -> String {
        format!(
            "<job_conf>\n<plugins/>\n<handlers assign_with=\"db-preassign\">{handlers}</handlers>\n\
             <destinations/>\n</job_conf>\n"
        )
    }

    fn findings(b: &str) -> Vec<(Severity, String)> {
        let s = set(&[(Role::RestarterJobConf, b), (Role::Zergling, A), (Role::JobConf, A_CONF)]);
        check(&PreassignedNamesMismatch, &s)
            .iter()
            .map(|f| (f.severity, s.files[f.file].source.text[f.span.clone()].to_string()))
            .collect()
    }

    #[test]
    fn exact_names_in_their_pools_pass() {
        let b = conf(
            "<handler id=\"main.job-handlers.1\"/><handler id=\"main.job-handlers.2\" \
             tags=\"_default_\"/><handler id=\"main.job-handlers.3\" tags=\"_default_, special\"/>",
        );
        assert!(findings(&b).is_empty());
    }

    #[test]
    fn flags_unknown_ids_wrong_pools_and_warns_on_unused_mules() {
        let b = conf(
            "<handler id=\"main.job-handler.1\"/><handler id=\"main.job-handlers.2\" \
             tags=\"special\"/><handler id=\"main.job-handlers.3\"/>",
        );
        let found = findings(&b);
        assert_eq!(
            found,
            [
                (Severity::Error, "main.job-handler.1".to_string()),
                (Severity::Error, "special".to_string()),
                (Severity::Error, "main.job-handlers.3".to_string()),
                (Severity::Warning, "job-handlers:1,2,3".to_string()),
            ]
        );
        let s = set(&[(Role::RestarterJobConf, &b), (Role::Zergling, A), (Role::JobConf, A_CONF)]);
        let found = check(&PreassignedNamesMismatch, &s);
        assert!(found[0].help.contains("did you mean `main.job-handlers.1`"), "{}", found[0].help);
        assert_eq!(
            found[2].help,
            "write `<handler id=\"main.job-handlers.3\" tags=\"special,_default_\"/>`"
        );
        assert!(found[2].message.contains("in `special, _default_`"), "{}", found[2].message);

        // Without zergling A's job conf, mule 3 is in the default pool alone.
        let s = set(&[(Role::RestarterJobConf, &b), (Role::Zergling, A)]);
        let found = check(&PreassignedNamesMismatch, &s);
        assert_eq!(found.len(), 3, "{found:?}");
    }

    #[test]
    fn server_name_comes_from_galaxy_yml() {
        let b = conf("<handler id=\"main.job-handlers.1\"/>");
        let galaxy = "uwsgi:\n  processes: 1\ngalaxy:\n  server_name: gx\n";
        let a = "uwsgi:\n  mule: m.py\n  farm: job-handlers:1\n";
        let s =
            set(&[(Role::RestarterJobConf, &b), (Role::Zergling, a), (Role::GalaxyConfig, galaxy)]);
        let found = check(&PreassignedNamesMismatch, &s);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].message.contains("`main.job-handlers.1`"));
        assert!(found[1].message.contains("`gx.job-handlers.1`"));
    }

    #[test]
    fn farms_galaxy_misreads_are_left_to_zc309_and_zc310() {
        let b = conf("<handler id=\"main.job-handlers.1\"/><handler id=\"nope\"/>");
        for a in [
            "uwsgi:\n  mule: m.py\n  mule: m.py\n  farm: job-handlers:1\n  farm: job-handlers.x:2\n",
            "uwsgi:\n  mule: m.py\n  farm: job-handlers.x:1\n",
        ] {
            let s = set(&[(Role::RestarterJobConf, &b), (Role::Zergling, a)]);
            assert!(check(&PreassignedNamesMismatch, &s).is_empty());
        }
    }

    #[test]
    fn needs_both_files_and_preassignment() {
        let b = conf("<handler id=\"nope\"/>");
        assert!(check(&PreassignedNamesMismatch, &set(&[(Role::RestarterJobConf, &b)])).is_empty());
        let b = b.replace("db-preassign", "db-skip-locked");
        let s = set(&[(Role::RestarterJobConf, &b), (Role::Zergling, A)]);
        assert!(check(&PreassignedNamesMismatch, &s).is_empty());
    }
}
