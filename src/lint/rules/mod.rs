//! Every lint rule, one per file, and the registry that lists them in code order.

pub mod common;
pub mod effective;
pub mod farm_out_of_range;
pub mod galaxy_section_not_yaml;
pub mod hooks_not_crossed;
pub mod if_block_structure;
pub mod malformed_hook;
pub mod malformed_zergpool;
pub mod missing_wait_for_socket;
pub mod mule_reload_mercy_too_short;
pub mod non_vassal_in_vassals_dir;
pub mod preassigned_names_mismatch;
pub mod relative_path_without_chdir;
pub mod restarter_has_mules;
pub mod restarter_is_handler;
pub mod restarter_job_conf;
pub mod restarter_strands_jobs;
pub mod restarter_tag_not_grabbed;
pub mod several_farms;
pub mod shared_instance_resource;
pub mod shared_master_fifo;
pub mod syntax;
pub mod tag_farm_only;
pub mod unfollowed_include;
pub mod unguarded_fatal_hook;
pub mod unknown_option;
pub mod unportable_yaml;
pub mod zerg_socket_mismatch;
pub mod zergling_binds_address;

use super::Rule;

/// Every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &restarter_has_mules::RestarterHasMules,
    &restarter_job_conf::RestarterJobConf,
    &restarter_strands_jobs::RestarterStrandsJobs,
    &restarter_is_handler::RestarterIsHandler,
    &restarter_tag_not_grabbed::RestarterTagNotGrabbed,
    &preassigned_names_mismatch::PreassignedNamesMismatch,
    &zerg_socket_mismatch::ZergSocketMismatch,
    &zergling_binds_address::ZerglingBindsAddress,
    &missing_wait_for_socket::MissingWaitForSocket,
    &shared_master_fifo::SharedMasterFifo,
    &hooks_not_crossed::HooksNotCrossed,
    &unguarded_fatal_hook::UnguardedFatalHook,
    &shared_instance_resource::SharedInstanceResource,
    &if_block_structure::IfBlockStructure,
    &unportable_yaml::UnportableYaml,
    &galaxy_section_not_yaml::GalaxySectionNotYaml,
    &unknown_option::UnknownOption,
    &farm_out_of_range::FarmOutOfRange,
    &malformed_zergpool::MalformedZergpool,
    &malformed_hook::MalformedHook,
    &unfollowed_include::UnfollowedInclude,
    &several_farms::SeveralFarms,
    &tag_farm_only::TagFarmOnly,
    &relative_path_without_chdir::RelativePathWithoutChdir,
    &non_vassal_in_vassals_dir::NonVassalInVassalsDir,
    &mule_reload_mercy_too_short::MuleReloadMercyTooShort,
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

    /// A set of files, each given by its path and text; roles come from the file names
    /// (`Other` for any other name).
    pub fn set_at(files: &[(&str, &str)]) -> FileSet {
        let files = files
            .iter()
            .map(|(path, text)| {
                let name = Path::new(path).file_name().and_then(|n| n.to_str());
                let role = name.and_then(Role::from_file_name).unwrap_or(Role::Other);
                LintFile::new(role, false, Source::new(*path, *text))
            })
            .collect();
        FileSet { files, config: None }
    }

    /// A set holding one zergling A vassal with this text.
    pub fn single(text: &str) -> FileSet {
        set_at(&[("/srv/galaxy/vassals/vassal-zergling.yml", text)])
    }

    /// Every finding of one rule, run as `lint` runs it: on the options each instance really
    /// starts with.
    pub fn check(rule: &dyn Rule, set: &FileSet) -> Vec<Finding> {
        let set = &effective::effective(set);
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

    /// Reads a fixture directory and its subdirectories; roles from the canonical file names,
    /// any other file is `Other` (a stray file in a vassals directory).
    pub fn load_dir(dir: &Path) -> FileSet {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            let mut entries: Vec<PathBuf> =
                std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
            entries.sort();
            for path in entries {
                if path.is_dir() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut paths = Vec::new();
        walk(dir, &mut paths);

        let files = paths
            .iter()
            .map(|path| {
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                let role = Role::from_file_name(name).unwrap_or(Role::Other);
                LintFile::new(role, false, Source::read_text(path).unwrap())
            })
            .collect();
        FileSet { files, config: None }
    }

    /// For each rule's fixture: its directory, the file of the main finding and the exact text
    /// its span covers.
    const FIXTURES: &[(&str, &str, &str)] = &[
        ("ZC101-restarter-has-mules", "galaxy-restarter.yml", "mule: lib/galaxy/main.py"),
        ("ZC102-restarter-job-conf", "galaxy-restarter.yml", "/srv/galaxy/config/job_conf.xml"),
        ("ZC103-restarter-strands-jobs", "job_conf-restarter.xml", "\"\""),
        ("ZC104-restarter-is-handler", "job_conf-restarter.xml", "<job_conf>"),
        ("ZC105-restarter-tag-not-grabbed", "job_conf-restarter.xml", "handlers"),
        ("ZC106-preassigned-names-mismatch", "job_conf-restarter.xml", "main.job-handlers.3"),
        ("ZC201-zerg-socket-mismatch", "vassal-zergling.yml", "/srv/galaxy/var/zerg.sock"),
        ("ZC202-zergling-binds-address", "galaxy-restarter.yml", "socket: 127.0.0.1:8080"),
        (
            "ZC203-missing-wait-for-socket",
            "vassal-zergling.yml",
            "zerg: /srv/galaxy/var/zergpool.sock",
        ),
        ("ZC204-shared-master-fifo", "galaxy-restarter.yml", "/srv/galaxy/var/zergling.fifo"),
        ("ZC205-hooks-not-crossed", "galaxy-restarter.yml", "Q"),
        ("ZC206-unguarded-fatal-hook", "vassal-zergling.yml", "/srv/galaxy/var/restarter.fifo"),
        ("ZC207-shared-instance-resource", "galaxy-restarter.yml", "/srv/galaxy/var/zergling.log"),
        ("ZC301-if-block-structure", "vassal-zergling.yml", "endif"),
        (
            "ZC302-unportable-yaml",
            "vassal-zergpool.yml",
            "'/srv/galaxy/var/zergpool.sock:127.0.0.1:8080'",
        ),
        ("ZC303-galaxy-section-not-yaml", "galaxy.yml", "Galaxy: Training"),
        ("ZC304-unknown-option", "vassal-zergling.yml", "proceses"),
        ("ZC305-farm-out-of-range", "vassal-zergling.yml", "3"),
        ("ZC306-malformed-zergpool", "vassal-zergpool.yml", "127.0.0.1"),
        ("ZC307-malformed-hook", "vassal-zergling.yml", "wait-for-socket"),
        ("ZC308-unfollowed-include", "galaxy-restarter.yml", "ini: /srv/galaxy/config/tuning.ini"),
        ("ZC309-several-farms", "vassal-zergling.yml", "farm: job-handlers:1,2"),
        ("ZC310-tag-farm-only", "galaxy.yml", "farm: job-handlers.special:1,2"),
        ("ZC401-relative-path-without-chdir", "vassal-zergling.yml", "lib"),
        ("ZC402-non-vassal-in-vassals-dir", "galaxy.yml", "uwsgi:"),
        ("ZC403-mule-reload-mercy-too-short", "vassal-zergling.yml", "60"),
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
    fn every_fixture_triggers_its_rule_and_every_good_one_none() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/lint");
        let mut dirs: Vec<String> = std::fs::read_dir(&root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|name| name.starts_with("ZC"))
            .collect();
        dirs.sort();
        let listed: Vec<_> = FIXTURES.iter().map(|(dir, _, _)| (*dir).to_string()).collect();
        assert_eq!(dirs, listed, "every fixture directory is listed in FIXTURES");
        let codes: Vec<_> = ALL.iter().map(|r| r.info().code).collect();
        let covered: Vec<_> = FIXTURES.iter().map(|(dir, _, _)| &dir[..5]).collect();
        assert_eq!(codes, covered, "every rule has a fixture");

        for (dir, file_name, expected) in FIXTURES {
            let code = &dir[..5];
            let bad = load_dir(&root.join(dir).join("bad"));
            let findings: Vec<Finding> =
                check_all(&bad).into_iter().filter(|f| f.rule.code == code).collect();
            assert!(!findings.is_empty(), "{dir}/bad triggers no {code}");
            let hit = findings.iter().any(|f| {
                let file = &bad.files[f.file];
                file.source.path.file_name().and_then(|n| n.to_str()) == Some(*file_name)
                    && file.source.text.get(f.span.clone()) == Some(*expected)
            });
            assert!(hit, "{dir}: no {code} at `{expected}` in {file_name}: {findings:#?}");
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

    /// The files `build` computes for the layout under `root`, with the galaxy.yml and job conf
    /// it read, as lint sees them after installation.
    fn built(root: &Path) -> FileSet {
        use crate::plan::{self, Plan};

        let config = crate::config::Config::load(&root.join("zerg.toml")).unwrap();
        let plan = Plan::compute(&config, Some(root)).unwrap();
        let mut files: Vec<LintFile> = plan
            .files
            .iter()
            .map(|f| {
                let role = match f.role {
                    plan::Role::Pool => Role::Pool,
                    plan::Role::Zergling => Role::Zergling,
                    plan::Role::Restarter => Role::Restarter,
                    plan::Role::RestarterJobConf => Role::RestarterJobConf,
                };
                LintFile::new(role, false, Source::new(&f.target, f.content.as_str()))
            })
            .collect();
        for (input, role) in plan.inputs.iter().zip([Role::GalaxyConfig, Role::JobConf]) {
            files.push(LintFile::new(role, false, Source::read_text(input).unwrap()));
        }
        FileSet { files, config: Some(config) }
    }

    /// Copies the bundled example into a temporary directory.
    fn example_copy() -> tempfile::TempDir {
        let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/example");
        let to = tempfile::tempdir().unwrap();
        let config = to.path().join("srv/galaxy/config");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::copy(from.join("zerg.toml"), to.path().join("zerg.toml")).unwrap();
        for name in ["galaxy.yml", "job_conf.xml"] {
            std::fs::copy(from.join("srv/galaxy/config").join(name), config.join(name)).unwrap();
        }
        to
    }

    #[test]
    fn the_built_example_triggers_no_rule() {
        let root = example_copy();
        let set = built(root.path());
        assert_eq!(set.files.len(), 6);
        let findings = check_all(&set);
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn a_built_layout_with_a_tagged_mule_triggers_no_rule() {
        let root = example_copy();
        let config = root.path().join("srv/galaxy/config");
        let galaxy = std::fs::read_to_string(config.join("galaxy.yml")).unwrap().replace(
            "  farm: job-handlers:1,2\n",
            "  mule: lib/galaxy/main.py\n  farm: job-handlers:1,2,3\n",
        );
        std::fs::write(config.join("galaxy.yml"), galaxy).unwrap();
        let job_conf = std::fs::read_to_string(config.join("job_conf.xml")).unwrap().replace(
            "    <limits>",
            "    <tools>\n        <tool id=\"bwa\" handler=\"special\"/>\n        \
             <tool id=\"cat\" handler=\"main.job-handlers.2\"/>\n    </tools>\n    <limits>",
        );
        let job_conf = job_conf.replacen(
            "    <destinations",
            "    <handlers>\n        <handler id=\"main.job-handlers.3\" tags=\"special\"/>\n    \
             </handlers>\n    <destinations",
            1,
        );
        std::fs::write(config.join("job_conf.xml"), job_conf).unwrap();

        let set = built(root.path());
        let restarter = set.by_role(Role::RestarterJobConf).unwrap().1;
        let tagged = "<handler id=\"main.job-handlers.3\" tags=\"special,_default_\"/>";
        assert!(restarter.source.text.contains(tagged), "{}", restarter.source.text);
        let findings = check_all(&set);
        assert!(findings.is_empty(), "{findings:#?}");
    }
}
