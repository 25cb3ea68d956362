//! ZC310 `tag-farm-only`: the farm Galaxy sees in galaxy.yml or zergling A (the last `farm`
//! line, see ZC309) is a tag farm, `job-handlers.<tag>`, with no `job-handlers` farm.
//!
//! Galaxy 21.09's workflow scheduling manager then finds a handler pool under `job-handlers`
//! (`has_base_pool`) but no farm of that exact name (`has_pool`), skips its own handler setup,
//! and asks the stack to add the pool's handlers to a configuration that has none of the
//! attributes the stack needs: every web worker and mule raises `AttributeError:
//! 'WorkflowSchedulingManager' object has no attribute 'pool_for_tag'` at start. (With a
//! `workflow_schedulers_config_file` that exists, Galaxy takes another path.)

use super::syntax::handler_files;
use crate::lint::rules::common::{option_span, server_name};
use crate::lint::{FileSet, Finding, Rule, RuleInfo, Severity};
use crate::plan::handlers::{is_tag_farm, seen_farm};
use crate::uwsgi::parse_farm;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC310",
    name: "tag-farm-only",
    severity: Severity::Error,
    summary: "the farm Galaxy sees is a tag farm (`job-handlers.<tag>`) without a \
              `job-handlers` farm: Galaxy 21.09 does not start",
    why: "Galaxy 21.09 makes the mules of a farm `job-handlers.<tag>` handlers of that tag, \
          but with such a farm and no farm named `job-handlers`, its default workflow \
          scheduling fails in every web worker and mule at start (`AttributeError: \
          'WorkflowSchedulingManager' object has no attribute 'pool_for_tag'`). Under Python \
          3 Galaxy sees only the last `farm` line (ZC309), so a tag farm written last is \
          alone too. Name the one farm `job-handlers` and tag its mules in the job conf.",
    bad: "uwsgi:\n  mule: lib/galaxy/main.py\n  farm: job-handlers.special:1\n",
    good: "uwsgi:\n  mule: lib/galaxy/main.py\n  farm: job-handlers:1\n\n<!-- job_conf.xml -->\n\
           <handlers>\n    <handler id=\"main.job-handlers.1\" tags=\"special\"/>\n</handlers>\n",
};

/// The rule.
pub struct TagFarmOnly;

impl Rule for TagFarmOnly {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, options) in handler_files(set) {
            let Some(option) = seen_farm(options) else {
                continue;
            };
            let Ok(farm) = parse_farm(&option.value) else {
                continue;
            };
            if !is_tag_farm(&farm.name) {
                continue;
            }
            let tag = farm.name.strip_prefix("job-handlers.").unwrap_or_default();
            let alone = if options.iter().filter(|o| o.key == "farm").count() > 1 {
                "the only farm Galaxy sees (the last `farm` line)"
            } else {
                "the only farm"
            };
            out.push(Finding::new(
                &RULE,
                index,
                option_span(option),
                format!(
                    "{alone} is the tag farm `{}`: Galaxy 21.09's default workflow scheduling \
                     then fails at start in every web worker and mule (AttributeError: \
                     'WorkflowSchedulingManager' object has no attribute 'pool_for_tag')",
                    farm.name
                ),
                "a tag farm without `job-handlers`",
                format!(
                    "name the farm `job-handlers` and tag its mules in the job conf's \
                     `<handlers>` (`<handler id=\"{}.job-handlers.1\" tags=\"{tag}\"/>`)",
                    server_name(set)
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::Role;
    use crate::lint::rules::tests::{check, set};

    fn spans(role: Role, text: &str) -> Vec<String> {
        check(&TagFarmOnly, &set(&[(role, text)]))
            .iter()
            .map(|f| text[f.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn a_tag_farm_galaxy_sees_alone_is_flagged() {
        let alone = "uwsgi:\n  mule: a.py\n  farm: job-handlers.special:1\n";
        for role in [Role::GalaxyConfig, Role::Zergling] {
            assert_eq!(spans(role, alone), ["farm: job-handlers.special:1"]);
        }
        let last = "uwsgi:\n  mule: a.py\n  mule: a.py\n  farm: job-handlers:1\n  \
                    farm: job-handlers.special:2\n";
        assert_eq!(spans(Role::Zergling, last), ["farm: job-handlers.special:2"]);
        let found = check(&TagFarmOnly, &set(&[(Role::Zergling, last)]));
        assert!(
            found[0].message.starts_with("the only farm Galaxy sees (the last"),
            "{}",
            found[0].message
        );
        assert!(found[0].help.contains("tags=\"special\""), "{}", found[0].help);
    }

    #[test]
    fn a_job_handlers_farm_seen_last_and_other_files_are_clean() {
        let first = "uwsgi:\n  mule: a.py\n  mule: a.py\n  farm: job-handlers.special:2\n  \
                     farm: job-handlers:1\n";
        assert!(spans(Role::Zergling, first).is_empty());
        assert!(spans(Role::Zergling, "uwsgi:\n  mule: a.py\n  farm: other:1\n").is_empty());
        assert!(spans(Role::Other, "uwsgi:\n  mule: a.py\n  farm: job-handlers.x:1\n").is_empty());
    }
}
