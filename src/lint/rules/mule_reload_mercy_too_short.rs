//! ZC403 mule-reload-mercy-too-short: zergling A kills its mules before Galaxy's job handlers
//! have shut down.
//!
//! When zergling A stops, each handler mule joins its job runner threads, giving every runner
//! plugin up to Galaxy's `monitor_thread_join_timeout` (30 s by default). uWSGI waits
//! `mule-reload-mercy` seconds (60 by default) and then kills the mule, possibly halfway through
//! preparing or finishing a job. The mercy should be above the timeout times the number of
//! runner plugins in A's job conf.

use super::common::galaxy_value;
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::uwsgi::{atoi, mule_count};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC403",
    name: "mule-reload-mercy-too-short",
    severity: Severity::Warning,
    summary: "zergling A's `mule-reload-mercy` is not above Galaxy's `monitor_thread_join_timeout` \
              times its runner plugins",
    why: "On every restart zergling A stops its handler mules. Each mule gives each job runner \
          plugin up to `monitor_thread_join_timeout` seconds (Galaxy's default: 30) to finish \
          preparing and collecting jobs, while uWSGI kills a mule that is still alive after \
          `mule-reload-mercy` seconds (default 60). With two runner plugins the defaults already \
          meet, and a mule killed mid-shutdown can leave jobs in error. uWSGI reads the value \
          with C's `atoi`: `30s` is 30 seconds and `abc` is 0.",
    bad: "# vassal-zergling.yml, with job_conf.xml loading the local and slurm runners\nuwsgi:\n  \
          mule: lib/galaxy/main.py\n  mule-reload-mercy: 60\n",
    good: "# vassal-zergling.yml, with job_conf.xml loading the local and slurm runners\nuwsgi:\n  \
           mule: lib/galaxy/main.py\n  mule-reload-mercy: 90\n",
};

/// Galaxy's `monitor_thread_join_timeout` when galaxy.yml does not set it, in seconds.
pub const DEFAULT_JOIN_TIMEOUT: u64 = 30;

/// uWSGI's `mule-reload-mercy` when the vassal does not set it, in seconds.
pub const DEFAULT_MERCY: u64 = 60;

/// The rule.
pub struct MuleReloadMercyTooShort;

impl Rule for MuleReloadMercyTooShort {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let Some((zergling_index, zergling)) = set.by_role(Role::Zergling) else {
            return;
        };
        let Some(options) = zergling.options() else {
            return;
        };
        let Some((job_conf_index, job_conf_file)) = set.by_role(Role::JobConf) else {
            return;
        };
        let Some(job_conf) = job_conf_file.job_conf() else {
            return;
        };

        let runners = job_conf
            .plugins
            .plugins
            .iter()
            .filter(|p| p.kind.as_ref().is_some_and(|k| k.value == "runner"))
            .count() as u64;
        let Some(first_mule) = options.iter().find(|o| o.key == "mule" || o.key == "mules") else {
            return;
        };
        if runners == 0 || mule_count(options) == Some(0) {
            return;
        }

        // galaxy.yml is optional here: without it Galaxy's default applies.
        let galaxy = set.by_role(Role::GalaxyConfig);
        let timeout_scalar = galaxy
            .and_then(|(i, f)| galaxy_value(f, "monitor_thread_join_timeout").map(|s| (i, s)));
        let timeout = match timeout_scalar {
            Some((_, scalar)) => match scalar.value.trim().parse::<u64>() {
                Ok(t) => t,
                Err(_) => return,
            },
            None => DEFAULT_JOIN_TIMEOUT,
        };

        // uWSGI reads the mercy with `atoi`: `30s` is 30, `abc` is 0.
        let mercy_option = options.iter().rev().find(|o| o.key == "mule-reload-mercy");
        let mercy = mercy_option
            .map_or(i64::try_from(DEFAULT_MERCY).unwrap_or(i64::MAX), |o| atoi(&o.value));
        let read_as = match mercy_option {
            Some(o) if o.value.trim() != mercy.to_string() => {
                format!(" (uWSGI reads `{}` as {mercy})", o.value.trim())
            }
            _ => String::new(),
        };

        let needed = timeout * runners;
        if timeout == 0 || u64::try_from(mercy).is_ok_and(|m| m > needed) {
            return;
        }

        let (span, label) = match mercy_option {
            Some(o) => (o.value_span.clone(), "too short"),
            None => (first_mule.key_span.clone(), "default mercy of 60 s"),
        };
        let timeout_source =
            if timeout_scalar.is_some() { "galaxy.yml's" } else { "Galaxy's default" };
        let mut finding = Finding::new(
            &RULE,
            zergling_index,
            span,
            format!(
                "zergling A kills its mules after {mercy} s{read_as}, but with {timeout_source} \
                 `monitor_thread_join_timeout` of {timeout} s and {runners} runner plugin{} \
                 Galaxy may need {needed} s to stop its job handlers",
                if runners == 1 { "" } else { "s" }
            ),
            label,
            format!(
                "set `mule-reload-mercy: {}` in zergling A's vassal (above {timeout} s × {runners})",
                needed + 30
            ),
        )
        .with_related(job_conf_index, job_conf.plugins.span.clone(), "the runner plugins");
        if let Some((galaxy_index, scalar)) = timeout_scalar {
            finding = finding.with_related(galaxy_index, scalar.span.clone(), "the join timeout");
        }
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;
    use crate::lint::rules::tests::{check, set_at};

    fn job_conf(runners: usize) -> String {
        let mut plugins = String::new();
        for i in 0..runners {
            let _ = writeln!(
                plugins,
                "    <plugin id=\"r{i}\" type=\"runner\" \
                 load=\"galaxy.jobs.runners.local:LocalJobRunner\"/>"
            );
        }
        format!(
            "<job_conf>\n  <plugins>\n{plugins}  </plugins>\n  <destinations default=\"d\">\n    \
             <destination id=\"d\" runner=\"r0\"/>\n  </destinations>\n</job_conf>\n"
        )
    }

    fn run(zergling: &str, runners: usize, galaxy: Option<&str>) -> Vec<Finding> {
        let conf = job_conf(runners);
        let mut files = vec![
            ("/srv/galaxy/vassals/vassal-zergling.yml", zergling),
            ("/srv/galaxy/config/job_conf.xml", conf.as_str()),
        ];
        if let Some(g) = galaxy {
            files.push(("/srv/galaxy/config/galaxy.yml", g));
        }
        check(&MuleReloadMercyTooShort, &set_at(&files))
    }

    const MULES: &str = "uwsgi:\n  mule: lib/galaxy/main.py\n  mule: lib/galaxy/main.py\n";

    #[test]
    fn defaults_with_one_runner_are_fine() {
        assert!(run(MULES, 1, None).is_empty());
    }

    #[test]
    fn defaults_with_two_runners_meet() {
        let found = run(MULES, 2, None);
        assert_eq!(found.len(), 1);
        assert_eq!(&MULES[found[0].span.clone()], "mule");
        assert!(found[0].help.contains("mule-reload-mercy: 90"), "{}", found[0].help);
    }

    #[test]
    fn explicit_values() {
        let zergling = format!("{MULES}  mule-reload-mercy: 100\n");
        let galaxy = "uwsgi:\n  master: true\ngalaxy:\n  monitor_thread_join_timeout: 50\n";
        let found = run(&zergling, 2, Some(galaxy));
        assert_eq!(found.len(), 1);
        assert_eq!(&zergling[found[0].span.clone()], "100");
        assert_eq!(found[0].related.len(), 2);

        let galaxy = "uwsgi:\n  master: true\ngalaxy:\n  monitor_thread_join_timeout: 0\n";
        assert!(run(&zergling, 5, Some(galaxy)).is_empty());
    }

    #[test]
    fn values_read_as_uwsgi_reads_them() {
        for (value, read) in [("30s", "30"), ("abc", "0")] {
            let zergling = format!("{MULES}  mule-reload-mercy: {value}\n");
            let found = run(&zergling, 1, None);
            assert_eq!(found.len(), 1, "{value}");
            assert!(found[0].message.contains(&format!("reads `{value}` as {read}")), "{found:?}");
        }
        assert!(run(&format!("{MULES}  mule-reload-mercy: 31s\n"), 1, None).is_empty());
    }

    #[test]
    fn needs_the_job_conf() {
        let files = set_at(&[("/srv/galaxy/vassals/vassal-zergling.yml", MULES)]);
        assert!(check(&MuleReloadMercyTooShort, &files).is_empty());
    }
}
