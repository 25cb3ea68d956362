//! ZC102 `restarter-job-conf`: the job configuration the restarter's Galaxy really uses is not
//! a job conf of its own. Without one, or with zergling A's, the restarter uses A's handler
//! setup and handles jobs itself, or sends them where A's web workers would.
//!
//! The job conf is found as Galaxy 21.09 finds it under uWSGI: the configuration file is the
//! `galaxy_config_file` option when set (`set: galaxy_config_file=...`), else the restarter's
//! own file; in its `galaxy:` section an inline `job_config` wins over `job_config_file`; the
//! environment (`env: GALAXY_CONFIG_OVERRIDE_JOB_CONFIG_FILE=...`) overrides the section, and
//! `GALAXY_CONFIG_JOB_CONFIG_FILE` fills in when the section has none ([`galaxy_opts`]); a
//! relative path is resolved as `build` resolves the main job conf ([`plan::job_conf`]: a
//! leading `config/` dropped, against `config_dir`, by default the configuration file's
//! directory, then against the restarter's `chdir`); and a job conf that does not exist makes
//! Galaxy fall back to its default job configuration, in which the restarter's own web
//! workers handle the jobs they create. Zergling A's job conf is found with `build`'s own code
//! too ([`plan::main_job_conf_from`]).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use crate::lint::rules::common::{
    Found, absolute, exists_at, find_file, galaxy_section, galaxy_value, known_missing,
    option_span, path_base, read_named, same_file, uwsgi_key_span,
};
use crate::lint::{FileSet, Finding, LintFile, Role, Rule, RuleInfo, Severity};
use crate::plan;
use crate::source::Span;
use crate::uwsgi::galaxy_opts::{self, EnvKind};
use crate::uwsgi::{self, UwsgiOption};
use crate::yaml::{Entry, Node, Scalar};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC102",
    name: "restarter-job-conf",
    severity: Severity::Error,
    summary: "the job conf the restarter's Galaxy really uses is not its own: none, zergling A's, \
              a missing file, or an inline `job_config`",
    why: "Zergling A's job conf leaves job handling to A's mules (or to whoever creates a job). \
          The restarter runs no mule, so with A's job conf it either handles the jobs it \
          creates in its own web workers, which exit with it, or writes handler values only A's \
          setup understands. The restarter needs its own job conf, one that preassigns every \
          job to A's mule handler names, and its Galaxy must really use it: Galaxy reads the \
          file named by the `galaxy_config_file` option (else the restarter's own file), \
          prefers an inline `job_config` and an environment override \
          (`GALAXY_CONFIG_OVERRIDE_JOB_CONFIG_FILE`) to `job_config_file`, resolves a relative \
          path against its configuration directory, and falls back to its default job \
          configuration, in which the restarter handles jobs itself, when the file does not \
          exist.",
    bad: "galaxy:\n  admin_users: admin@example.org\n  \
          job_config_file: /srv/galaxy/config/job_conf.xml\n",
    good: "galaxy:\n  admin_users: admin@example.org\n  \
           job_config_file: /srv/galaxy/config/job_conf-restarter.xml\n",
};

/// Galaxy's default job conf name, in the configuration directory.
const DEFAULT_JOB_CONF: &str = "job_conf.xml";

/// The help line every finding ends with.
const OWN_CONF: &str = "name the restarter's own job conf, which `zergcfg build` writes: \
                        `job_config_file: /srv/galaxy/config/job_conf-restarter.xml` in the \
                        restarter's `galaxy:` section";

/// The rule.
pub struct RestarterJobConf;

impl Rule for RestarterJobConf {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        for (index, restarter) in set.all_by_role(Role::Restarter) {
            if let Some(finding) = check_restarter(set, index, restarter) {
                out.push(finding);
            }
        }
    }
}

/// The configuration file the restarter's Galaxy reads.
struct GalaxyConfig<'a> {
    /// Its path on the target machine (its directory is the default `config_dir`).
    target: PathBuf,
    /// Index of the linted file holding it, whose spans the section's scalars are in.
    file: Option<usize>,
    /// The YAML document holding it, when it has a `galaxy:` section.
    document: Option<Cow<'a, Node>>,
    /// The restarter's `galaxy_config_file` option, when that is how Galaxy finds it.
    via: Option<&'a UwsgiOption>,
}

impl GalaxyConfig<'_> {
    /// Its `galaxy:` section.
    fn section(&self) -> Option<&Entry> {
        self.document.as_deref()?.get_last("galaxy")
    }

    /// A setting of its `galaxy:` section as Galaxy reads it, with the bytes of the key and of
    /// the value: [`crate::galaxy::setting_entry`].
    fn entry(&self, key: &str) -> Option<(&Scalar, &Node)> {
        crate::galaxy::setting_entry(self.document.as_deref()?, &self.section()?.value, key)
    }

    /// A scalar setting of its `galaxy:` section as Galaxy reads it: [`crate::galaxy::setting`].
    fn setting(&self, key: &str) -> Option<&Scalar> {
        crate::galaxy::setting(self.document.as_deref()?, &self.section()?.value, key)
    }
}

/// Where the job conf's path comes from.
enum Named<'a> {
    /// An `env:` line of the restarter, and the variable it sets.
    Env(&'a UwsgiOption, &'a str),
    /// `job_config_file` in the `galaxy:` section.
    Section(Span),
    /// Nothing: Galaxy's default.
    Default,
}

fn check_restarter(set: &FileSet, index: usize, restarter: &LintFile) -> Option<Finding> {
    let options = restarter.options()?;
    let config = match galaxy_config(set, index, restarter, options) {
        Ok(config) => config?,
        Err((option, target)) => {
            let mut finding = Finding::new(
                &RULE,
                index,
                option_span(option),
                format!(
                    "the restarter's Galaxy reads its configuration from `{}` \
                     (`galaxy_config_file`), which lint cannot read here, so which job conf it \
                     uses is not checked",
                    target.display()
                ),
                "Galaxy's configuration file",
                format!(
                    "lint `{}` together with the other files, so that its `job_config_file` is \
                     checked",
                    target.display()
                ),
            );
            finding.severity = Severity::Warning;
            return Some(finding);
        }
    };
    let at = |span: Option<Span>| match (config.file, span) {
        (Some(file), Some(span)) if file == index => span,
        _ => config.via.map_or_else(|| uwsgi_key_span(restarter), option_span),
    };
    // The configuration is another file than the restarter: its spans are not the restarter's.
    let elsewhere = config.file != Some(index);
    let reads = format!(
        "the restarter's Galaxy reads `{}` (`galaxy_config_file`)",
        config.target.display()
    );

    let Some(section) = config.section() else {
        let (message, label) = if config.via.is_some() {
            (
                format!(
                    "the restarter's Galaxy reads `{}` (`galaxy_config_file`), which has no \
                     `galaxy:` section, so it uses Galaxy's default job_conf.xml",
                    config.target.display()
                ),
                "its configuration has no `galaxy:` section",
            )
        } else {
            (
                "the restarter has no `galaxy:` section, so it has no job conf of its own"
                    .to_string(),
                "no `galaxy:` section in this file",
            )
        };
        return Some(Finding::new(
            &RULE,
            index,
            at(None),
            message,
            label,
            format!("copy galaxy.yml's `galaxy:` section into the restarter and {OWN_CONF}"),
        ));
    };

    if let Some((inline, _)) = config.entry("job_config") {
        return Some(Finding::new(
            &RULE,
            index,
            at(Some(inline.span.clone())),
            format!(
                "{}, which Galaxy 21.09 prefers to any `job_config_file` and lint cannot check \
                 for stranded jobs",
                if elsewhere {
                    format!("{reads}, which holds an inline `job_config`")
                } else {
                    "the restarter's Galaxy takes its job configuration from the inline \
                     `job_config`"
                        .to_string()
                }
            ),
            "inline job configuration",
            format!(
                "move it into a job conf file that preassigns to zergling A's mules and {OWN_CONF}"
            ),
        ));
    }

    let env = |key, kind| galaxy_opts::env_value(options, key, kind);
    let (value, named) = if let Some(e) = env("job_config_file", EnvKind::Override) {
        from_env(e)
    } else if let Some(file) = config.setting("job_config_file") {
        (file.value.clone(), Named::Section(file.span.clone()))
    } else if let Some(e) = env("job_config_file", EnvKind::Default) {
        from_env(e)
    } else {
        (DEFAULT_JOB_CONF.to_string(), Named::Default)
    };
    let config_dir_value = env("config_dir", EnvKind::Override)
        .map(|e| e.value)
        .or_else(|| config.setting("config_dir").map(|s| s.value.as_str()))
        .or_else(|| env("config_dir", EnvKind::Default).map(|e| e.value));
    // Galaxy's root is the restarter's working directory: its `chdir`, else wherever it is
    // started, which lint cannot know (zerg.toml's server directory, else the file's own).
    let server = path_base(restarter)
        .or_else(|| set.config.as_ref().map(|c| c.server.clone()))
        .unwrap_or_else(|| config.target.parent().map(Path::to_path_buf).unwrap_or_default());
    let config_dir = plan::galaxy_config_dir(&server, &config.target, config_dir_value);
    let b_path = plan::job_conf(
        &server,
        &config_dir,
        (!matches!(named, Named::Default)).then_some(value.as_str()),
        |path| exists_at(set, path),
    );

    let span = match &named {
        Named::Env(option, _) => option_span(option),
        Named::Section(span) => at(Some(span.clone())),
        Named::Default => at(Some(section.key.span.clone())),
    };
    let resolves = if value.starts_with('/') {
        String::new()
    } else {
        format!(
            ": Galaxy resolves `{value}` against its configuration directory `{}`",
            config_dir.display()
        )
    };
    let default = format!(
        "{}, so its Galaxy uses the default `job_conf.xml` in `{}`",
        if elsewhere {
            format!("{reads}, which names no `job_config_file`")
        } else {
            "the restarter's `galaxy:` section has no `job_config_file`".to_string()
        },
        config_dir.display()
    );

    if let Some((a_path, related)) = main_job_conf(set) {
        if same_file(set, &b_path, &a_path) {
            let a = a_path.display();
            let message = match &named {
                Named::Env(_, name) => format!(
                    "the restarter's `env: {name}=...` makes its Galaxy use zergling A's job conf \
                     `{a}`{resolves}"
                ),
                Named::Section(_) if elsewhere => {
                    format!(
                        "{reads}, whose `job_config_file` is zergling A's job conf `{a}`{resolves}"
                    )
                }
                Named::Section(_) => {
                    format!(
                        "the restarter's `job_config_file` is zergling A's job conf `{a}`{resolves}"
                    )
                }
                Named::Default => format!("{default}, zergling A's job conf"),
            };
            let (label, help) = if elsewhere && matches!(named, Named::Section(_) | Named::Default)
            {
                (
                    "Galaxy reads its configuration from here",
                    format!(
                        "point `galaxy_config_file` at the restarter's own file (`set: \
                         galaxy_config_file=/srv/galaxy/config/galaxy-restarter.yml`), whose \
                         `galaxy:` section names `job_config_file: {}`",
                        restarter_job_conf(set, &a_path).display()
                    ),
                )
            } else {
                (
                    "zergling A's job conf",
                    format!(
                        "point it at the restarter's own job conf: `job_config_file: {}`",
                        restarter_job_conf(set, &a_path).display()
                    ),
                )
            };
            let mut finding = Finding::new(&RULE, index, span, message, label, help);
            if let Some((file, span)) = related {
                finding = finding.with_related(file, span, "zergling A's job conf");
            }
            return Some(finding);
        }
    }

    if matches!(named, Named::Default) {
        return Some(Finding::new(
            &RULE,
            index,
            span,
            format!("{default}, not a job conf of its own"),
            "no `job_config_file` in this section",
            OWN_CONF,
        ));
    }

    if known_missing(set, &b_path, |f| f.role.is_job_conf()) {
        return Some(Finding::new(
            &RULE,
            index,
            span,
            format!(
                "the restarter's job conf `{}` does not exist, so Galaxy falls back to its \
                 default job configuration, in which the restarter's web workers handle the \
                 jobs they create and strand them when it exits",
                b_path.display()
            ),
            "no such file",
            format!("create it with `zergcfg build`, or {OWN_CONF}"),
        ));
    }

    let (linted_index, linted) = set.by_role(Role::RestarterJobConf)?;
    let linted_target = set.config.as_ref().map(|c| c.restarter_job_conf.clone());
    let linted_path = linted_target.clone().unwrap_or_else(|| absolute(&linted.source.path));
    if same_file(set, &b_path, &linted_path) || same_file(set, &b_path, &linted.source.path) {
        return None;
    }
    let whose =
        if linted_target.is_some() { "zerg.toml's `restarter.job_conf`" } else { "the one linted" };
    Some(
        Finding::new(
            &RULE,
            index,
            span,
            format!(
                "the restarter's Galaxy uses `{}` as its job conf, not {whose} (`{}`), so the \
                 job conf checked as the restarter's is not the one it uses",
                b_path.display(),
                linted_path.display()
            ),
            "not the restarter job conf linted",
            format!(
                "write `job_config_file: {}`, or lint the job conf the restarter names",
                linted_path.display()
            ),
        )
        .with_related(linted_index, 0..0, "the restarter job conf linted"),
    )
}

/// A `job_config_file` the environment gives, with where.
fn from_env(env: galaxy_opts::EnvValue<'_>) -> (String, Named<'_>) {
    (env.value.trim().to_string(), Named::Env(env.option, env.name))
}

/// The configuration file the restarter's Galaxy reads: `Ok(None)` when it cannot be told (the
/// restarter's own YAML does not read, which ZC303 reports), `Err` with the option and path
/// when `galaxy_config_file` names a file lint cannot read.
fn galaxy_config<'a>(
    set: &'a FileSet,
    index: usize,
    restarter: &'a LintFile,
    options: &'a [UwsgiOption],
) -> Result<Option<GalaxyConfig<'a>>, (&'a UwsgiOption, PathBuf)> {
    let own = || -> Option<GalaxyConfig<'a>> {
        restarter.yaml.as_ref()?.as_ref().ok()?;
        Some(GalaxyConfig {
            target: own_target(set, restarter),
            file: Some(index),
            document: with_galaxy_section(restarter).map(Cow::Borrowed),
            via: None,
        })
    };
    let Some((option, value)) = galaxy_opts::galaxy_config_file(options) else {
        return Ok(own());
    };
    let target = uwsgi::normalize_path(value, path_base(restarter).as_deref());
    if !target.is_absolute() {
        return Err((option, target));
    }

    let found = match find_file(set, &target) {
        Some(Found::InSet(i)) if i == index => {
            return Ok(own().map(|c| GalaxyConfig { target, via: Some(option), ..c }));
        }
        Some(found) => found,
        None => return Err((option, target)),
    };
    let document = match found {
        Found::InSet(i) => {
            let file = &set.files[i];
            if !matches!(file.yaml, Some(Ok(_))) {
                return Ok(None);
            }
            return Ok(Some(GalaxyConfig {
                target,
                file: Some(i),
                document: with_galaxy_section(file).map(Cow::Borrowed),
                via: Some(option),
            }));
        }
        Found::OnDisk(path) => {
            let text = read_named(&path).ok_or_else(|| (option, target.clone()))?;
            let documents = crate::yaml::parse(&text).map_err(|_| (option, target.clone()))?;
            documents.into_iter().next().map(|d| d.root).filter(|r| r.get_last("galaxy").is_some())
        }
    };
    Ok(Some(GalaxyConfig {
        target,
        file: None,
        document: document.map(Cow::Owned),
        via: Some(option),
    }))
}

/// The YAML document of a file, when it has a `galaxy:` section.
fn with_galaxy_section(file: &LintFile) -> Option<&Node> {
    galaxy_section(file)?;
    Some(&file.yaml.as_ref()?.as_ref().ok()?.first()?.root)
}

/// The restarter's own path on the target machine: zerg.toml's when the run has one, else
/// where it was read.
fn own_target(set: &FileSet, restarter: &LintFile) -> PathBuf {
    match &set.config {
        Some(config) => config.config_dir.join(crate::plan::RESTARTER_FILE),
        None => absolute(&restarter.source.path),
    }
}

/// Zergling A's job conf, found as `build` finds it ([`plan::main_job_conf_from`]): zerg.toml's
/// `layout.job_conf`, else galaxy.yml's `job_config_file` as Galaxy resolves it (default
/// `job_conf.xml` in its configuration directory); with where galaxy.yml names it. Without
/// zerg.toml, galaxy.yml is where it was read and Galaxy's root zergling A's working directory
/// (its `chdir`, else galaxy.yml's, else galaxy.yml's own directory).
fn main_job_conf(set: &FileSet) -> Option<(PathBuf, Option<(usize, Span)>)> {
    let galaxy = set.by_role(Role::GalaxyConfig);
    if galaxy.is_some_and(|(_, g)| g.yaml.as_ref().is_none_or(Result::is_err)) {
        return None;
    }
    let value = |key| galaxy.and_then(|(_, g)| galaxy_value(g, key));
    let (job_config_file, config_dir) = (value("job_config_file"), value("config_dir"));
    let exists = |path: &Path| exists_at(set, path);

    let path = match (&set.config, galaxy) {
        (Some(config), _) => plan::main_job_conf_from(
            config,
            job_config_file.map(|s| s.value.as_str()),
            config_dir.map(|s| s.value.as_str()),
            exists,
        ),
        (None, Some((_, galaxy))) => {
            let file = absolute(&galaxy.source.path);
            let server = set
                .by_role(Role::Zergling)
                .and_then(|(_, zergling)| path_base(zergling))
                .or_else(|| path_base(galaxy))
                .unwrap_or_else(|| file.parent().map(Path::to_path_buf).unwrap_or_default());
            let dir = plan::galaxy_config_dir(&server, &file, config_dir.map(|s| s.value.as_str()));
            plan::job_conf(&server, &dir, job_config_file.map(|s| s.value.as_str()), exists)
        }
        (None, None) => return None,
    };
    let named_by_galaxy = set.config.as_ref().is_none_or(|c| c.job_conf.is_none());
    let related = galaxy
        .zip(job_config_file)
        .filter(|_| named_by_galaxy)
        .map(|((index, _), value)| (index, value.span.clone()));
    Some((path, related))
}

/// Where the restarter's job conf belongs: zerg.toml's, else beside A's.
fn restarter_job_conf(set: &FileSet, a_path: &Path) -> PathBuf {
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
    use crate::lint::rules::tests::{check, set, set_at};
    use crate::source::Source;

    const GALAXY: &str = "uwsgi:\n  processes: 2\ngalaxy:\n  job_config_file: job_conf.xml\n";

    /// The texts the findings point at, with their levels.
    fn found(files: &[(&str, &str)]) -> Vec<(Severity, String, String)> {
        found_in(&set_at(files))
    }

    /// The same for a set already made.
    fn found_in(s: &FileSet) -> Vec<(Severity, String, String)> {
        check(&RestarterJobConf, s)
            .into_iter()
            .map(|f| {
                let text = s.files[f.file].source.text[f.span.clone()].to_string();
                (f.severity, text, f.message)
            })
            .collect()
    }

    const A_GALAXY: (&str, &str) = (
        "/tmp/copy/config/galaxy.yml",
        "uwsgi:\n  mule: a.py\ngalaxy:\n  job_config_file: /srv/galaxy/config/job_conf.xml\n",
    );
    const A_CONF: (&str, &str) =
        ("/tmp/copy/config/job_conf.xml", "<job_conf><plugins/><destinations/></job_conf>\n");
    const B_CONF: (&str, &str) = (
        "/tmp/copy/config/job_conf-restarter.xml",
        "<job_conf><plugins/><destinations/></job_conf>\n",
    );
    const B_PATH: &str = "/tmp/copy/config/galaxy-restarter.yml";

    fn restarter(uwsgi: &str, galaxy: &str) -> String {
        format!(
            "uwsgi:\n  chdir: /srv/galaxy/server\n  \
             set: galaxy_config_file=/srv/galaxy/config/galaxy-restarter.yml\n{uwsgi}\
             galaxy:\n  brand: x\n{galaxy}"
        )
    }

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

        let b = restarter("", "  job_config_file: /srv/galaxy/config/job_conf-restarter.xml\n");
        assert!(found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF]).is_empty());
        let b = restarter("", "  job_config_file: job_conf-restarter.xml\n");
        assert!(found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF]).is_empty());
    }

    #[test]
    fn a_relative_path_resolves_against_the_galaxy_config_file_directory() {
        let b = restarter("", "  job_config_file: job_conf.xml\n");
        let found = found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "job_conf.xml");
        assert!(found[0].2.contains("directory `/srv/galaxy/config`"), "{}", found[0].2);
    }

    #[test]
    fn a_job_conf_that_does_not_exist_falls_back_to_galaxy_s_default() {
        let b = restarter("", "  job_config_file: /srv/galaxy/config/job_conf-nope.xml\n");
        let found = found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("does not exist"), "{}", found[0].2);
    }

    #[test]
    fn galaxy_config_file_naming_galaxy_yml_means_a_s_job_conf() {
        let b = "uwsgi:\n  set: galaxy_config_file=/srv/galaxy/config/galaxy.yml\n\
                 galaxy:\n  job_config_file: /srv/galaxy/config/job_conf-restarter.xml\n";
        let found = found(&[(B_PATH, b), A_GALAXY, A_CONF, B_CONF]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "set: galaxy_config_file=/srv/galaxy/config/galaxy.yml");
        assert!(found[0].2.contains("zergling A's job conf"), "{}", found[0].2);
    }

    #[test]
    fn galaxy_config_file_naming_a_separate_file_is_followed() {
        let b = "uwsgi:\n  set: galaxy_config_file=/srv/galaxy/config/galaxy-b.yml\n";
        let own = (
            "/tmp/copy/config/galaxy-b.yml",
            "galaxy:\n  job_config_file: /srv/galaxy/config/job_conf-restarter.xml\n",
        );
        assert!(found(&[(B_PATH, b), own, A_GALAXY, A_CONF, B_CONF]).is_empty());

        let found = found(&[(B_PATH, b), A_GALAXY, A_CONF, B_CONF]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, Severity::Warning);
        assert!(found[0].2.contains("cannot read here"), "{}", found[0].2);
    }

    #[test]
    fn inline_job_config_and_environment_overrides() {
        let b = restarter("", "  job_config:\n    handling:\n      assign: [db-self]\n");
        let found_inline = found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF]);
        assert_eq!(found_inline.len(), 1, "{found_inline:?}");
        assert_eq!(found_inline[0].1, "job_config");

        let b = restarter(
            "  env: GALAXY_CONFIG_OVERRIDE_JOB_CONFIG_FILE=/srv/galaxy/config/job_conf.xml\n",
            "  job_config_file: /srv/galaxy/config/job_conf-restarter.xml\n",
        );
        let found_env = found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF]);
        assert_eq!(found_env.len(), 1, "{found_env:?}");
        assert!(found_env[0].1.starts_with("env: GALAXY_CONFIG_OVERRIDE"), "{found_env:?}");
    }

    #[test]
    fn galaxy_reads_the_last_galaxy_config_file() {
        let to_a = "  set: galaxy_config_file=/srv/galaxy/config/galaxy.yml\n";
        let own = "  job_config_file: /srv/galaxy/config/job_conf-restarter.xml\n";
        let b = restarter(to_a, own);
        let found_last = found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF]);
        assert_eq!(found_last.len(), 1, "{found_last:?}");
        assert_eq!(found_last[0].1, to_a.trim());

        // The other way round, the restarter's own file comes last and wins.
        let b = format!(
            "uwsgi:\n{to_a}  set: galaxy_config_file=/srv/galaxy/config/galaxy-restarter.yml\n\
             galaxy:\n{own}"
        );
        assert!(found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF]).is_empty());
    }

    #[test]
    fn environment_overrides_are_read_as_galaxy_reads_them() {
        let own = "  job_config_file: /srv/galaxy/config/job_conf-restarter.xml\n";
        let lower =
            "  env: GALAXY_CONFIG_OVERRIDE_job_config_file=/srv/galaxy/config/job_conf.xml\n";
        let found_lower = found(&[(B_PATH, &restarter(lower, own)), A_GALAXY, A_CONF, B_CONF]);
        assert_eq!(found_lower.len(), 1, "{found_lower:?}");
        assert_eq!(found_lower[0].1, lower.trim());
        assert!(found_lower[0].2.contains("GALAXY_CONFIG_OVERRIDE_job_config_file"));

        // A later line for the same variable replaces the value.
        let replaced = format!(
            "{lower}  env: GALAXY_CONFIG_OVERRIDE_job_config_file=\
             /srv/galaxy/config/job_conf-restarter.xml\n"
        );
        assert!(
            found(&[(B_PATH, &restarter(&replaced, own)), A_GALAXY, A_CONF, B_CONF]).is_empty()
        );

        // A prefix in another case is no Galaxy setting.
        let other = lower.replace("GALAXY_CONFIG_OVERRIDE_", "galaxy_config_override_");
        assert!(found(&[(B_PATH, &restarter(&other, own)), A_GALAXY, A_CONF, B_CONF]).is_empty());
    }

    /// The findings with the training layout's zerg.toml (plus `toml`), galaxy.yml's `galaxy:`
    /// section holding `galaxy`, the restarter's `restarter` and the files at `more`.
    fn found_in_layout(
        toml: &str,
        galaxy: &str,
        restarter_section: &str,
        more: &[(&str, &str)],
    ) -> Vec<(Severity, String, String)> {
        let galaxy = format!("uwsgi:\n  mule: a.py\ngalaxy:\n{galaxy}");
        let b = restarter("", restarter_section);
        let mut files = vec![(B_PATH, b.as_str()), ("/tmp/copy/config/galaxy.yml", &galaxy)];
        files.extend_from_slice(&[A_CONF, B_CONF]);
        files.extend_from_slice(more);
        let mut s = set_at(&files);
        s.config = Some(Config::parse(Source::new("zerg.toml", toml)).unwrap());
        found_in(&s)
    }

    #[test]
    fn a_leading_config_directory_is_dropped_as_galaxy_drops_it() {
        let a = "  job_config_file: config/job_conf.xml\n";
        let shared = "  job_config_file: /srv/galaxy/config/job_conf.xml\n";
        let found = found_in_layout("", a, shared, &[]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("zergling A's job conf `/srv/galaxy/config/job_conf.xml`"));

        let own = "  job_config_file: config/job_conf-restarter.xml\n";
        assert!(found_in_layout("", a, own, &[]).is_empty());
    }

    #[test]
    fn zerg_tomls_main_job_conf_wins_over_galaxy_yml() {
        let toml = "[layout]\njob_conf = \"/srv/galaxy/config/main.xml\"\n";
        let main = ("/tmp/copy/config/main.xml", A_CONF.1);
        let b = "  job_config_file: /srv/galaxy/config/main.xml\n";
        let found = found_in_layout(toml, "  job_config_file: job_conf.xml\n", b, &[main]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("zergling A's job conf `/srv/galaxy/config/main.xml`"));
    }

    #[test]
    fn config_dir_is_relative_to_the_server_directory() {
        let a = "  config_dir: etc\n  job_config_file: jobs.xml\n";
        let b = "  job_config_file: /srv/galaxy/server/etc/jobs.xml\n";
        let jobs = ("/tmp/copy/server/etc/jobs.xml", A_CONF.1);
        let found = found_in_layout("", a, b, &[jobs]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("zergling A's job conf `/srv/galaxy/server/etc/jobs.xml`"));
    }

    #[test]
    fn a_job_conf_not_in_the_config_directory_is_looked_for_in_the_server_directory() {
        let a = "  job_config_file: jobs.xml\n";
        let b = "  job_config_file: /srv/galaxy/server/jobs.xml\n";
        let jobs = ("/tmp/copy/server/jobs.xml", A_CONF.1);
        let found = found_in_layout("", a, b, &[jobs]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("zergling A's job conf `/srv/galaxy/server/jobs.xml`"));

        // Once the configuration directory has one, that one is Galaxy's.
        let there = ("/tmp/copy/config/jobs.xml", A_CONF.1);
        let found = found_in_layout("", a, b, &[jobs, there]);
        assert!(found.iter().all(|f| !f.2.contains("zergling A's")), "{found:?}");
    }

    #[test]
    fn settings_come_through_merge_keys() {
        let galaxy = format!(
            "{}shared: &s\n  job_config_file: /srv/galaxy/config/job_conf.xml\n",
            "uwsgi:\n  set: galaxy_config_file=/srv/galaxy/config/galaxy-restarter.yml\n"
        );
        let b = format!("{galaxy}galaxy:\n  <<: *s\n");
        let found = found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1, "/srv/galaxy/config/job_conf.xml");
        assert!(found[0].2.contains("zergling A's job conf"), "{}", found[0].2);
    }

    #[test]
    fn a_job_conf_other_than_the_linted_one_is_named() {
        let other = ("/tmp/copy/config/job_conf-old.xml", B_CONF.1);
        let b = restarter("", "  job_config_file: /srv/galaxy/config/job_conf-old.xml\n");
        let found = found(&[(B_PATH, &b), A_GALAXY, A_CONF, B_CONF, other]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].2.contains("not the one linted"), "{}", found[0].2);
    }
}
