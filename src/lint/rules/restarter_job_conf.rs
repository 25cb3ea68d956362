//! ZC102 `restarter-job-conf`: the restarter's `galaxy:` section names no job conf of its own.
//! Without one, or with zergling A's, the restarter uses A's handler setup and handles jobs
//! itself, or sends them where A's web workers would.

use std::path::PathBuf;

use crate::lint::rules::common::{
    config_dir, galaxy_section, galaxy_value, resolve_path, uwsgi_key_span,
};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};
use crate::source::Span;

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC102",
    name: "restarter-job-conf",
    severity: Severity::Error,
    summary: "the restarter's `galaxy:` section has no `job_config_file`, or names zergling A's",
    why: "Zergling A's job conf leaves job handling to A's mules (or to whoever creates a job). \
          The restarter runs no mule, so with A's job conf it either handles the jobs it \
          creates in its own web workers, which exit with it, or writes handler values only A's \
          setup understands. The restarter needs its own job conf, one that preassigns every \
          job to A's mule handler names, and its `galaxy:` section must name it.",
    bad: "galaxy:\n  admin_users: admin@example.org\n  \
          job_config_file: /srv/galaxy/config/job_conf.xml\n",
    good: "galaxy:\n  admin_users: admin@example.org\n  \
           job_config_file: /srv/galaxy/config/job_conf-restarter.xml\n",
};

/// Galaxy's default job conf name, in the configuration directory.
const DEFAULT_JOB_CONF: &str = "job_conf.xml";

/// The rule.
pub struct RestarterJobConf;

impl Rule for RestarterJobConf {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, restarter) in set.all_by_role(Role::Restarter) {
            if restarter.yaml.as_ref().is_none_or(Result::is_err) {
                continue;
            }
            let help = "add `job_config_file: /srv/galaxy/config/job_conf-restarter.xml` (the \
                        restarter's own job conf, which `zergcfg build` writes) to the \
                        restarter's `galaxy:` section";

            let Some(section) = galaxy_section(restarter) else {
                out.push(Finding::new(
                    &RULE,
                    index,
                    uwsgi_key_span(restarter),
                    "the restarter has no `galaxy:` section, so it has no job conf of its own",
                    "no `galaxy:` section in this file",
                    format!("copy galaxy.yml's `galaxy:` section into this file and {help}"),
                ));
                continue;
            };
            let Some(value) = galaxy_value(restarter, "job_config_file") else {
                out.push(Finding::new(
                    &RULE,
                    index,
                    section.key.span.clone(),
                    "the restarter's `galaxy:` section has no `job_config_file`, so it uses \
                     Galaxy's default job_conf.xml, zergling A's",
                    "no `job_config_file` in this section",
                    help,
                ));
                continue;
            };

            let Some((a_path, related)) = main_job_conf(set) else {
                continue;
            };
            let b_path = resolve_path(&config_dir(set, restarter), value.value.trim());
            if b_path != a_path {
                continue;
            }
            let mut finding = Finding::new(
                &RULE,
                index,
                value.span.clone(),
                format!(
                    "the restarter's `job_config_file` is zergling A's job conf ({})",
                    a_path.display()
                ),
                "zergling A's job conf",
                format!(
                    "point it at the restarter's own job conf: `job_config_file: {}`",
                    restarter_job_conf(set, &a_path).display()
                ),
            );
            if let Some((file, span)) = related {
                finding = finding.with_related(file, span, "zergling A's job conf");
            }
            out.push(finding);
        }
    }
}

/// Zergling A's job conf: galaxy.yml's `job_config_file` (default `job_conf.xml` in the
/// configuration directory), else zerg.toml's; with where galaxy.yml names it.
fn main_job_conf(set: &FileSet) -> Option<(PathBuf, Option<(usize, Span)>)> {
    if let Some((index, galaxy)) = set.by_role(Role::GalaxyConfig) {
        if galaxy.yaml.as_ref().is_none_or(Result::is_err) {
            return None;
        }
        let base = config_dir(set, galaxy);
        return Some(match galaxy_value(galaxy, "job_config_file") {
            Some(value) => {
                (resolve_path(&base, value.value.trim()), Some((index, value.span.clone())))
            }
            None => (base.join(DEFAULT_JOB_CONF), None),
        });
    }

    let config = set.config.as_ref()?;
    let path = config.job_conf.clone().unwrap_or_else(|| config.config_dir.join(DEFAULT_JOB_CONF));
    Some((path, None))
}

/// Where the restarter's job conf belongs: zerg.toml's, else beside A's.
fn restarter_job_conf(set: &FileSet, a_path: &std::path::Path) -> PathBuf {
    match &set.config {
        Some(config) => config.restarter_job_conf.clone(),
        None => a_path.with_file_name("job_conf-restarter.xml"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::lint::LintFile;
    use crate::lint::rules::tests::{check, set};
    use crate::source::Source;

    const GALAXY: &str = "uwsgi:\n  processes: 2\ngalaxy:\n  job_config_file: job_conf.xml\n";

    #[test]
    fn flags_a_missing_job_config_file() {
        let text = "uwsgi:\n  processes: 2\ngalaxy:\n  admin_users: a@example.org\n";
        let findings = check(&RestarterJobConf, &set(&[(Role::Restarter, text)]));
        assert_eq!(findings.len(), 1);
        assert_eq!(&text[findings[0].span.clone()], "galaxy");
    }

    #[test]
    fn flags_a_missing_galaxy_section() {
        let text = "uwsgi:\n  processes: 2\n";
        let findings = check(&RestarterJobConf, &set(&[(Role::Restarter, text)]));
        assert_eq!(&text[findings[0].span.clone()], "uwsgi");
    }

    #[test]
    fn flags_a_job_conf_shared_with_a_even_spelt_differently() {
        let text = "uwsgi:\n  processes: 2\ngalaxy:\n  \
                    job_config_file: /srv/galaxy/config/./job_conf.xml\n";
        let files = [(Role::Restarter, text), (Role::GalaxyConfig, GALAXY)];
        let findings = check(&RestarterJobConf, &set(&files));
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(&text[findings[0].span.clone()], "/srv/galaxy/config/./job_conf.xml");
        assert!(findings[0].help.contains("job_conf-restarter.xml"));
        assert_eq!(findings[0].related.len(), 1);
    }

    #[test]
    fn galaxy_yml_without_job_config_file_means_job_conf_xml() {
        let text = "uwsgi:\n  processes: 2\ngalaxy:\n  job_config_file: job_conf.xml\n";
        let galaxy = "uwsgi:\n  processes: 2\ngalaxy:\n  brand: x\n";
        let files = [(Role::Restarter, text), (Role::GalaxyConfig, galaxy)];
        assert_eq!(check(&RestarterJobConf, &set(&files)).len(), 1);
    }

    #[test]
    fn galaxy_ymls_relative_job_conf_is_in_its_own_directory() {
        // galaxy.yml kept in /etc/galaxy: its `job_conf.xml` is /etc/galaxy/job_conf.xml, as
        // Galaxy reads it, so a restarter naming the one in layout.config shares nothing.
        let text = "uwsgi:\n  processes: 2\ngalaxy:\n  \
                    job_config_file: /srv/galaxy/config/job_conf.xml\n";
        let mut files = set(&[(Role::Restarter, text), (Role::GalaxyConfig, GALAXY)]);
        let toml = "[layout]\ngalaxy_config = \"/etc/galaxy/galaxy.yml\"\n";
        files.config = Some(Config::parse(Source::new("zerg.toml", toml)).unwrap());
        assert!(check(&RestarterJobConf, &files).is_empty());

        let shared = text.replace("/srv/galaxy/config/", "/etc/galaxy/");
        files.files[0] = LintFile::new(Role::Restarter, false, Source::new("b.yml", shared));
        assert_eq!(check(&RestarterJobConf, &files).len(), 1);
    }

    #[test]
    fn an_own_job_conf_passes() {
        let text = "uwsgi:\n  processes: 2\ngalaxy:\n  job_config_file: job_conf-restarter.xml\n";
        let files = [(Role::Restarter, text), (Role::GalaxyConfig, GALAXY)];
        assert!(check(&RestarterJobConf, &set(&files)).is_empty());
    }
}
