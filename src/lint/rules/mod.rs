//! Every lint rule, one per file, and the registry that lists them in code order.

pub mod common;

pub mod preassigned_names_mismatch;
pub mod restarter_has_mules;
pub mod restarter_is_handler;
pub mod restarter_job_conf;
pub mod restarter_strands_jobs;
pub mod restarter_tag_not_grabbed;

use super::Rule;

/// Every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &restarter_has_mules::RestarterHasMules,
    &restarter_job_conf::RestarterJobConf,
    &restarter_strands_jobs::RestarterStrandsJobs,
    &restarter_is_handler::RestarterIsHandler,
    &restarter_tag_not_grabbed::RestarterTagNotGrabbed,
    &preassigned_names_mismatch::PreassignedNamesMismatch,
];

#[cfg(test)]
pub(crate) mod tests {
    use std::path::{Path, PathBuf};

    use super::*;
    use crate::lint::{FileSet, Finding, LintFile, Role};
    use crate::source::Source;

    /// A set of in-memory files, each named after its role's canonical file name.
    pub fn set(files: &[(Role, &str)]) -> FileSet {
        let files = files
            .iter()
            .map(|(role, text)| {
                let name = match role {
                    Role::Pool => "vassal-zergpool.yml",
                    Role::Zergling => "vassal-zergling.yml",
                    Role::Restarter => "galaxy-restarter.yml",
                    Role::GalaxyConfig => "galaxy.yml",
                    Role::JobConf => "job_conf.xml",
                    Role::RestarterJobConf => "job_conf-restarter.xml",
                    Role::Other => "other.yml",
                };
                let path = Path::new("/srv/galaxy/config").join(name);
                LintFile::new(*role, false, Source::new(path, *text))
            })
            .collect();
        FileSet { files, config: None }
    }

    /// Every finding of one rule.
    pub fn check(rule: &dyn Rule, set: &FileSet) -> Vec<Finding> {
        let mut out = Vec::new();
        rule.check(set, &mut out);
        for finding in &out {
            assert_eq!(finding.rule.code, rule.info().code);
            let text = &set.files[finding.file].source.text;
            assert!(finding.span.end <= text.len(), "{finding:?}");
        }
        out
    }

    /// Every finding of every rule.
    pub fn check_all(set: &FileSet) -> Vec<Finding> {
        ALL.iter().flat_map(|rule| check(*rule, set)).collect()
    }

    /// Reads a fixture directory: every file with a canonical name, in name order.
    pub fn load_dir(dir: &Path) -> FileSet {
        let mut paths: Vec<PathBuf> =
            std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().path()).collect();
        paths.sort();
        let files = paths
            .iter()
            .filter_map(|path| {
                let name = path.file_name()?.to_str()?;
                let role = Role::from_file_name(name)?;
                Some(LintFile::new(role, false, Source::read(path).unwrap()))
            })
            .collect();
        FileSet { files, config: None }
    }

    /// For each fixture of these rules: the code, the file of the main finding and the exact
    /// text its span covers.
    const FIXTURES: &[(&str, &str, &str)] = &[
        ("ZC101-restarter-has-mules", "galaxy-restarter.yml", "mule: lib/galaxy/main.py"),
        ("ZC102-restarter-job-conf", "galaxy-restarter.yml", "/srv/galaxy/config/job_conf.xml"),
        ("ZC103-restarter-strands-jobs", "job_conf-restarter.xml", "\"\""),
        ("ZC104-restarter-is-handler", "job_conf-restarter.xml", "<job_conf>"),
        ("ZC105-restarter-tag-not-grabbed", "job_conf-restarter.xml", "handlers"),
        ("ZC106-preassigned-names-mismatch", "job_conf-restarter.xml", "main.job-handlers.3"),
    ];

    #[test]
    fn every_rule_is_listed_once_in_code_order() {
        let codes: Vec<_> = ALL.iter().map(|r| r.info().code).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(codes, sorted);
        for rule in ALL {
            let info = rule.info();
            assert!(!info.summary.contains('\n'), "{}", info.code);
            assert!(!info.bad.is_empty() && !info.good.is_empty(), "{}", info.code);
        }
    }

    #[test]
    fn fixtures_trigger_their_rule_and_good_ones_none_of_these() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lint");
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("ZC1") || name.starts_with("ZC2")
            })
            .collect();
        dirs.sort();
        let listed: Vec<_> = FIXTURES.iter().map(|(dir, _, _)| *dir).collect();
        let found: Vec<_> =
            dirs.iter().map(|d| d.file_name().unwrap().to_string_lossy().to_string()).collect();
        assert_eq!(found, listed, "every fixture directory is listed in FIXTURES");

        for (dir, file_name, expected) in FIXTURES {
            let code = &dir[..5];
            let rule = ALL.iter().find(|r| r.info().code == code).unwrap();

            let bad = load_dir(&root.join(dir).join("bad"));
            let findings = check(*rule, &bad);
            assert!(!findings.is_empty(), "{dir}/bad triggers no {code}");
            let main = &findings[0];
            let file = &bad.files[main.file];
            assert!(file.source.path.ends_with(file_name), "{dir}: {main:?}");
            assert_eq!(&file.source.text[main.span.clone()], *expected, "{dir}: {main:?}");
            for finding in &findings {
                for related in &finding.related {
                    let text = &bad.files[related.file].source.text;
                    assert!(related.span.end <= text.len(), "{dir}: {finding:?}");
                }
            }

            let good = load_dir(&root.join(dir).join("good"));
            let findings = check_all(&good);
            assert!(findings.is_empty(), "{dir}/good triggers {findings:#?}");
        }
    }
}
