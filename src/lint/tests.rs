//! Tests of the run as a whole: suppression, `[lint]` settings, ordering and every report
//! format, with a test-only rule standing in for the real ones.

use super::*;
use crate::config::Config;
use crate::source::Source;

static TEST_RULE: RuleInfo = RuleInfo {
    code: "ZC901",
    name: "test-mule",
    severity: Severity::Error,
    summary: "a restarter has a mule",
    why: "test",
    bad: "mule: x",
    good: "",
};

/// Flags every `mule` of a restarter, with the pool's `zergpool` as a related place.
struct TestRule;

impl Rule for TestRule {
    fn info(&self) -> &'static RuleInfo {
        &TEST_RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let pool = set.by_role(Role::Pool);
        for (index, file) in set.all_by_role(Role::Restarter) {
            for option in file.options_named("mule") {
                let mut finding = Finding::new(
                    &TEST_RULE,
                    index,
                    option.key_span.clone(),
                    "the restarter has a mule",
                    "this mule",
                    "remove the line",
                );
                if let Some((pool_index, pool)) = pool {
                    if let Some(z) = pool.options_named("zergpool").next() {
                        finding = finding.with_related(pool_index, z.key_span.clone(), "pool");
                    }
                }
                out.push(finding);
            }
        }
    }
}

static RULES: &[&dyn Rule] = &[&TestRule];

fn set(files: &[(Role, &str, &str)], config: Option<&str>) -> FileSet {
    FileSet {
        files: files
            .iter()
            .map(|(role, path, text)| LintFile::new(*role, false, Source::new(*path, *text)))
            .collect(),
        config: config.map(|c| Config::parse(Source::new("zerg.toml", c)).unwrap()),
    }
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.code).collect()
}

const RESTARTER: &str = "uwsgi:\n  zerg: /s.sock\n  mule: x.py\ngalaxy:\n  brand: x\n";

#[test]
fn findings_are_reported_without_suppression() {
    let findings = run_rules(&set(&[(Role::Restarter, "b.yml", RESTARTER)], None), RULES);
    assert_eq!(codes(&findings), ["ZC901"]);
    assert_eq!(exit_code(&findings), 1);
}

#[test]
fn a_trailing_comment_suppresses_its_line() {
    let text = "uwsgi:\n  mule: x.py  # zergcfg: ignore[ZC901] kept on purpose\ngalaxy: {}\n";
    let findings = run_rules(&set(&[(Role::Restarter, "b.yml", text)], None), RULES);
    assert!(findings.is_empty(), "{findings:?}");
    assert_eq!(exit_code(&findings), 0);
}

#[test]
fn a_comment_alone_suppresses_the_next_line_by_name() {
    let text = "uwsgi:\n  # zergcfg: ignore[test-mule] kept\n  mule: x.py\n  mule: y.py\n";
    let findings = run_rules(&set(&[(Role::Restarter, "b.yml", text)], None), RULES);
    assert_eq!(codes(&findings), ["ZC901"]);
    assert_eq!(findings[0].span.start, text.find("mule: y").unwrap());
}

#[test]
fn unused_unknown_and_reasonless_suppressions_are_zc002() {
    let text = "uwsgi:\n  master: true  # zergcfg: ignore[ZC901] stale\n  mule: x.py  # \
                zergcfg: ignore[ZC901, test-mul]\n";
    let findings = run_rules(&set(&[(Role::Restarter, "b.yml", text)], None), RULES);
    let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(codes(&findings), ["ZC002", "ZC002", "ZC002"], "{messages:?}");
    assert!(messages[0].contains("matches no finding on this line"), "{messages:?}");
    assert!(messages[1].contains("gives no reason"));
    assert!(messages[2].contains("`test-mul` is not a rule"));
    assert!(findings[2].help.contains("ZC901"));
    assert_eq!(&text[findings[0].span.clone()], "ZC901");
    assert_eq!(exit_code(&findings), 0);
}

#[test]
fn a_malformed_zergcfg_comment_is_zc002() {
    let text = "uwsgi:\n  mule: x.py  # zergcfg: ignroe[ZC901] x\n";
    let findings = run_rules(&set(&[(Role::Restarter, "b.yml", text)], None), RULES);
    assert_eq!(codes(&findings), ["ZC901", "ZC002"]);
}

#[test]
fn xml_comments_suppress_too() {
    let text = "<job_conf>\n  <!-- zergcfg: ignore[ZC001] no -->\n  <plugins>\n</job_conf>\n";
    let findings = run_rules(&set(&[(Role::JobConf, "j.xml", text)], None), RULES);
    assert_eq!(codes(&findings), ["ZC002", "ZC001"], "ZC001 cannot be suppressed");
    assert_eq!(exit_code(&findings), 2);
}

#[test]
fn lint_settings_ignore_and_relevel() {
    let files = [(Role::Restarter, "b.yml", RESTARTER)];
    let ignored = run_rules(&set(&files, Some("[lint]\nignore = [\"test-mule\"]\n")), RULES);
    assert!(ignored.is_empty());

    let relevelled = run_rules(&set(&files, Some("[lint.level]\nZC901 = \"warning\"\n")), RULES);
    assert_eq!(relevelled[0].severity, Severity::Warning);
    assert_eq!(exit_code(&relevelled), 0);
}

#[test]
fn settings_must_name_rules_and_spare_zc001() {
    let config = |text: &str| Config::parse(Source::new("zerg.toml", text)).unwrap();
    assert!(check_settings(&config("[lint]\nignore = [\"ZC002\", \"assumed-role\"]\n")).is_ok());
    let err = check_settings(&config("[lint]\nignore = [\"ZC00\"]\n")).unwrap_err();
    assert!(err.message().contains("`ZC00`"));
    let err = check_settings(&config("[lint.level]\nunreadable-input = \"info\"\n")).unwrap_err();
    assert!(err.message().contains("cannot be ignored"));
}

#[test]
fn findings_are_sorted_by_file_then_position() {
    let files = [
        (Role::Restarter, "z.yml", RESTARTER),
        (Role::Restarter, "a.yml", "uwsgi:\n  mule: 1\n  mule: 2\n"),
    ];
    let findings = run_rules(&set(&files, None), RULES);
    let places: Vec<(usize, usize)> = findings.iter().map(|f| (f.file, f.span.start)).collect();
    assert_eq!(places, [(1, 9), (1, 19), (0, 25)]);
}

#[test]
fn a_file_only_libyaml_rejects_is_linted_as_pypi_reads_it() {
    // The test rule sees the mule that follows a value libyaml cannot read.
    let text = "uwsgi:\n  processes: @file\n  mule: x.py\n";
    let findings = run_rules(&set(&[(Role::Restarter, "b.yml", text)], None), RULES);
    assert_eq!(codes(&findings), ["ZC901"]);
    assert_eq!(exit_code(&findings), 1);

    let findings = run(&set(&[(Role::Restarter, "b.yml", text)], None));
    assert!(codes(&findings).contains(&"ZC302"), "{:?}", codes(&findings));
    assert!(!codes(&findings).contains(&"ZC001"), "{:?}", codes(&findings));

    // Nothing of uWSGI's or Galaxy's to read at all: the file could not be linted.
    let findings = run_rules(&set(&[(Role::Restarter, "b.yml", "x: [1\n")], None), RULES);
    assert_eq!(codes(&findings), ["ZC001"]);
    assert_eq!(exit_code(&findings), 2);
}

#[test]
fn a_galaxy_section_that_does_not_read_is_one_zc303() {
    let text = "uwsgi:\n  master: true\ngalaxy:\n  brand: Galaxy: Training\n";
    let findings = run(&set(&[(Role::GalaxyConfig, "galaxy.yml", text)], None));
    assert_eq!(codes(&findings), ["ZC303"]);
    assert_eq!(exit_code(&findings), 1);
}

#[test]
fn assumed_roles_are_zc003() {
    let mut s = set(&[], None);
    s.files.push(LintFile::new(
        Role::Pool,
        true,
        Source::new("p.yml", "uwsgi:\n  zergpool: a:b\n"),
    ));
    let findings = run_rules(&s, RULES);
    assert_eq!(codes(&findings), ["ZC003"]);
    assert_eq!(findings[0].severity, Severity::Info);
    assert!(findings[0].message.contains("zergpool"), "{}", findings[0].message);
}

#[test]
fn a_syntax_error_after_tabs_points_at_the_tabs() {
    // Tabs in a uWSGI section: the line-based reader reads on, libyaml stops (ZC302).
    let text = "uwsgi:\n\t\tmule: x.py\n";
    let findings = run_rules(&set(&[(Role::Zergling, "a.yml", text)], None), rules::ALL);
    let zc302: Vec<&Finding> = findings.iter().filter(|f| f.rule.code == "ZC302").collect();
    assert_eq!(zc302.len(), 1, "{findings:?}");
    assert_eq!(&text[zc302[0].span.clone()], "\t\tmule: x.py");
    assert_eq!(framework::onto_tabs("a:\tb", 3..3), 2..3);
    assert_eq!(framework::onto_tabs("a: b", 3..3), 3..3);
    assert_eq!(framework::onto_tabs("a:\tb", 3..4), 3..4);
}

#[test]
fn a_byte_order_mark_before_uwsgi_is_zc302() {
    let text = "\u{feff}uwsgi:\n  zergpool: /s.sock:127.0.0.1:8080\n";
    let findings = run_rules(&set(&[(Role::Pool, "p.yml", text)], None), RULES);
    assert_eq!(codes(&findings), ["ZC302"]);
    assert_eq!(findings[0].span, 0..3);
    for harmless in ["\u{feff}# c\nuwsgi:\n  master: true\n", "\u{feff}---\nuwsgi: {}\n"] {
        let findings = run_rules(&set(&[(Role::Pool, "p.yml", harmless)], None), RULES);
        assert!(findings.is_empty(), "{harmless:?}: {findings:?}");
    }
    let galaxy = "\u{feff}uwsgi:\n  master: true\ngalaxy:\n  brand: x\n";
    let findings = run_rules(&set(&[(Role::GalaxyConfig, "g.yml", galaxy)], None), RULES);
    assert!(findings.is_empty(), "uWSGI does not read galaxy.yml in the dance: {findings:?}");
}

#[test]
fn a_guess_taken_back_says_which_file_has_the_role() {
    let zergling = "uwsgi:\n  zerg: /s.sock\n  mule: x.py\n";
    let mut s = set(&[(Role::Zergling, "vassals/vassal-zergling.yml", zergling)], None);
    s.files.push(LintFile::new(Role::Other, true, Source::new("vassals/old.yml", zergling)));
    let findings = run_rules(&s, RULES);
    assert_eq!(codes(&findings), ["ZC003"]);
    let message = &findings[0].message;
    assert!(message.starts_with("linted as a file outside the dance, though"), "{message}");
    assert!(message.ends_with("`vassals/vassal-zergling.yml` is zergling A's vassal"), "{message}");
}

#[test]
fn directories_judged_by_their_content_are_zc003() {
    let pool = "uwsgi:\n  zergpool: /s.sock:127.0.0.1:8080\n";
    let folder = set(
        &[
            (Role::Pool, "repo/vassal-zergpool.yml", pool),
            (Role::GalaxyConfig, "repo/galaxy.yml", "galaxy:\n  brand: x\n"),
        ],
        None,
    );
    let findings = run_rules(&folder, RULES);
    assert_eq!(codes(&findings), ["ZC003"]);
    assert_eq!(findings[0].file, 1);
    assert!(findings[0].message.starts_with("`repo` is taken for a folder of configuration files"));

    let mut apps = set(&[(Role::Pool, "apps/vassal-zergpool.yml", pool)], None);
    let reports = "uwsgi:\n  socket: :9000\n";
    apps.files.push(LintFile::new(Role::Other, false, Source::new("apps/reports.yml", reports)));
    let findings = run_rules(&apps, RULES);
    assert_eq!(codes(&findings), ["ZC003"]);
    assert_eq!(findings[0].file, 1);
    assert!(findings[0].message.contains("`apps` holds `vassal-zergpool.yml`"));

    let named = set(
        &[
            (Role::Pool, "vassals/vassal-zergpool.yml", pool),
            (Role::GalaxyConfig, "vassals/galaxy.yml", "galaxy:\n  brand: x\n"),
        ],
        None,
    );
    assert!(run_rules(&named, RULES).is_empty(), "a directory named `vassals` is one");
}

#[test]
fn rules_are_found_by_code_or_name() {
    assert_eq!(find_rule("zc002").map(|i| i.name), Some("unused-suppression"));
    assert_eq!(find_rule("assumed-role").map(|i| i.code), Some("ZC003"));
    assert!(find_rule("ZC999").is_none());
    assert_eq!(suggest_rule("asumed-role").map(|i| i.code), Some("ZC003"));
    assert!(suggest_rule("completely-different").is_none());
}

mod reports {
    use super::*;
    use crate::lint::report::{self, Format};

    const POOL: &str = "uwsgi:\n  zergpool: /s.sock:127.0.0.1:8080\n";

    fn sample() -> (FileSet, Vec<Finding>) {
        let s =
            set(&[(Role::Pool, "p.yml", POOL), (Role::Restarter, "dir/b é.yml", RESTARTER)], None);
        let findings = run_rules(&s, RULES);
        (s, findings)
    }

    #[test]
    fn human_shows_code_name_label_help_related_and_summary() {
        let (s, findings) = sample();
        let text = report::render(&s, &findings, Format::Human { color: false, summary: true });
        assert!(text.contains("ZC901 test-mule"), "{text}");
        assert!(text.contains("× the restarter has a mule"), "{text}");
        assert!(text.contains("this mule"), "{text}");
        assert!(text.contains("help: remove the line"), "{text}");
        assert!(text.contains("p.yml: pool"), "{text}");
        assert!(text.contains("[dir/b é.yml:3:3]"), "{text}");
        assert!(text.ends_with("1 error in 2 files\n"), "{text}");
    }

    #[test]
    fn human_summary_counts() {
        let (s, _) = sample();
        assert_eq!(report::summary(&s, &[]), "no findings in 2 files");
    }

    #[test]
    fn json_has_positions_in_characters_and_bytes() {
        let (s, findings) = sample();
        let value: serde_json::Value =
            serde_json::from_str(&report::render(&s, &findings, Format::Json)).unwrap();
        let f = &value[0];
        assert_eq!(f["code"], "ZC901");
        assert_eq!(f["name"], "test-mule");
        assert_eq!(f["severity"], "error");
        assert_eq!(f["file"], "dir/b é.yml");
        assert_eq!(f["start"], serde_json::json!({"line": 3, "column": 3}));
        assert_eq!(f["end"], serde_json::json!({"line": 3, "column": 7}));
        assert_eq!(f["span"], serde_json::json!({"start": 25, "end": 29}));
        assert_eq!(f["help"], "remove the line");
        assert_eq!(f["related"][0]["file"], "p.yml");
        assert_eq!(f["related"][0]["start"]["line"], 2);
    }

    #[test]
    fn sarif_lists_rules_and_regions() {
        let (s, findings) = sample();
        let value: serde_json::Value =
            serde_json::from_str(&report::render(&s, &findings, Format::Sarif)).unwrap();
        assert_eq!(value["version"], "2.1.0");
        let run = &value["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), rule_infos().len());
        assert_eq!(rules[0]["id"], "ZC001");
        let result = &run["results"][0];
        assert_eq!(result["ruleId"], "ZC901");
        assert_eq!(result["level"], "error");
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "dir/b%20%C3%A9.yml");
        assert_eq!(location["region"]["startLine"], 3);
        assert_eq!(location["region"]["endColumn"], 7);
        assert_eq!(result["relatedLocations"][0]["message"]["text"], "pool");
    }

    #[test]
    fn github_lines_are_escaped_workflow_commands() {
        let (s, findings) = sample();
        let text = report::render(&s, &findings, Format::Github);
        assert_eq!(
            text,
            "::error file=dir/b é.yml,line=3,col=3,endLine=3,endColumn=7,title=ZC901 \
             test-mule::the restarter has a mule%0Ahelp: remove the line\n"
        );
    }

    #[test]
    fn unreadable_files_render_without_a_snippet() {
        let s = FileSet {
            files: vec![LintFile::unreadable(Role::Pool, "gone.yml", "it is gone".into())],
            config: None,
        };
        let findings = run_rules(&s, RULES);
        assert_eq!(codes(&findings), ["ZC001"]);
        let text = report::render(&s, &findings, Format::Human { color: false, summary: true });
        assert!(text.contains("cannot read gone.yml: it is gone"), "{text}");
    }
}
