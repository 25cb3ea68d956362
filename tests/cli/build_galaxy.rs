//! `zergcfg build` on galaxy.yml files that must not reach the zerglings as written: what is
//! left out, what is written out, and what stops the build (exit 2, the position, a help line,
//! nothing written).

use std::fs;
use std::path::Path;

use crate::support::{fixture_copy, snapshot, zergcfg};

const GALAXY_YML: &str = "srv/galaxy/config/galaxy.yml";
const RESTARTER: &str = "srv/galaxy/config/galaxy-restarter.yml";
const ZERGLING: &str = "srv/galaxy/vassals/vassal-zergling.yml";

/// The example with its galaxy.yml changed by `edit`.
fn example(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let dir = fixture_copy("example");
    let path = dir.path().join(GALAXY_YML);
    let text = fs::read_to_string(&path).unwrap();
    let edited = edit(&text);
    assert_ne!(edited, text, "the edit changed nothing");
    fs::write(&path, edited).unwrap();
    dir
}

/// Adds `lines` to the example's uwsgi section, before its mule lines.
fn with_uwsgi(lines: &str) -> tempfile::TempDir {
    example(|text| text.replacen("  mule: ", &format!("{lines}  mule: "), 1))
}

fn build(dir: &Path) -> (Option<i32>, String, String) {
    let out =
        zergcfg(dir, &["--color", "never", "build", "-v", "--config", "zerg.toml", "--root", "."]);
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).unwrap();
    (out.status.code(), text(out.stdout), text(out.stderr))
}

/// The build stops with exit code 2, pointing at `line` of galaxy.yml, and writes nothing.
fn refused(dir: &Path, line: usize, message: &str) {
    let before = snapshot(dir);
    let (code, _, stderr) = build(dir);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(message), "{stderr}");
    assert!(stderr.contains(&format!("galaxy.yml:{line}:")), "not at line {line}: {stderr}");
    assert!(stderr.contains("help:"), "{stderr}");
    assert_eq!(snapshot(dir), before, "a refused build wrote something");
}

fn written(dir: &Path, file: &str) -> String {
    fs::read_to_string(dir.join(file)).unwrap()
}

#[test]
fn a_set_galaxy_config_file_is_left_out_and_listed() {
    let dir = with_uwsgi("  set: galaxy_config_file=/srv/galaxy/config/galaxy.yml\n");
    let (code, _, stderr) = build(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "left out of both zerglings: `set: galaxy_config_file=/srv/galaxy/config/galaxy.yml`"
        ),
        "{stderr}"
    );
    let restarter = written(dir.path(), RESTARTER);
    let sets: Vec<&str> = restarter.lines().filter(|l| l.contains("galaxy_config_file")).collect();
    assert_eq!(sets, ["  set: galaxy_config_file=/srv/galaxy/config/galaxy-restarter.yml"]);
}

#[test]
fn galaxy_settings_in_env_lines_are_refused() {
    let dir = with_uwsgi(
        "  env: GALAXY_CONFIG_OVERRIDE_JOB_CONFIG_FILE=/srv/galaxy/config/job_conf.xml\n",
    );
    refused(dir.path(), 21, "sets Galaxy's `job_config_file`");
}

#[test]
fn an_inline_job_config_is_refused() {
    let dir = example(|text| format!("{text}  job_config:\n    runners: {{}}\n"));
    refused(dir.path(), 36, "inline job configuration");
}

#[test]
fn a_second_document_is_refused() {
    let dir = example(|text| format!("{text}---\nother: 1\n"));
    refused(dir.path(), 36, "a second YAML document starts here");
}

#[test]
fn what_galaxy_s_pyyaml_refuses_is_refused() {
    // Each refused by Galaxy 21.09's yaml.safe_load (PyYAML 6.0.3), each read by saphyr.
    for (from, to, line, message) in [
        ("  brand: Training", "  brand: Galaxy\tTraining", 27, "PyYAML refuses a tab here"),
        ("  brand: Training", "  brand: 2021-02-30", 27, "a date that does not exist"),
        ("  brand: Training", "  <<: 1", 27, "the merge key `<<` needs a mapping"),
        ("  brand: Training", "  brand: !!timestamp 2021-01-01 10:00:00 +24", 27, "zone offset"),
        ("  admin_users: admin@example.org", "  admin_users: !!int abc", 28, "as `!!int`"),
        ("  buffer-size: 16384", "  buffer-size: !!python/int 16384", 4, "no constructor"),
        ("  watch_tools: false", "  watch_tools: &x false\n  brand: &x Galaxy", 36, "`&x`"),
    ] {
        let dir = example(|text| text.replace(from, to));
        refused(dir.path(), line, message);
    }
}

#[test]
fn a_tag_in_the_galaxy_section_is_refused_with_each_place_counted() {
    let dir = example(|text| {
        text.replace("  brand: Training", "  brand: !str Training")
            .replace("  watch_tools: false", "  watch_tools: !!bool maybe")
    });
    let (code, _, stderr) = build(dir.path());
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("no constructor for the tag `!str`"), "{stderr}");
    assert!(stderr.contains("(1 more in this file; `zergcfg lint` shows each)"), "{stderr}");
}

#[test]
fn aliases_pyyaml_reads_and_zergcfg_cannot_follow_are_refused_as_such() {
    // yaml.safe_load gives a dictionary that holds itself.
    let dir = example(|text| text.replace("galaxy:\n", "galaxy: &g\n  self: *g\n"));
    refused(dir.path(), 26, "zergcfg cannot follow galaxy.yml's aliases here");
}

#[test]
fn a_second_farm_line_is_refused() {
    // Under Python 3 Galaxy sees only the last `farm` line: mules 1 and 2 would be no handlers.
    let dir = example(|text| {
        text.replace(
            "  farm: job-handlers:1,2\n",
            "  mule: lib/galaxy/main.py\n  farm: job-handlers:1,2\n  farm: job-handlers.special:3\n",
        )
    });
    refused(dir.path(), 25, "a second `farm` line: Galaxy reads only the last `farm` line");
    let (_, _, stderr) = build(dir.path());
    assert!(stderr.contains("keeps one value per option in `uwsgi.opt`"), "{stderr}");
    assert!(stderr.contains("Galaxy never sees this farm"), "{stderr}");
}

#[test]
fn a_tag_farm_alone_is_refused() {
    let dir = example(|text| {
        text.replace("  farm: job-handlers:1,2\n", "  farm: job-handlers.special:1,2\n")
    });
    refused(dir.path(), 23, "the only farm is the tag farm `job-handlers.special`");
}

#[test]
fn mules_in_a_loop_are_refused() {
    let dir = example(|text| {
        text.replace(
            "  mule: lib/galaxy/main.py\n  mule",
            "  for: 1 2 3\n  mule: lib/galaxy/main.py\n  endfor: x\n  mule",
        )
    });
    refused(dir.path(), 22, "a `mule` line inside the `for: 1 2 3` block");
}

#[test]
fn place_dependent_magic_variables_are_written_out() {
    let dir = with_uwsgi("  static-safe: /x%d../server/client\n");
    let (code, _, stderr) = build(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    // Under --root, galaxy.yml's place is its place inside the root.
    for file in [ZERGLING, RESTARTER] {
        let text = written(dir.path(), file);
        assert!(text.contains("  static-safe: /x/srv/galaxy/config/../server/client\n"), "{text}");
    }

    let dir = with_uwsgi("  procname: x%v\n");
    refused(dir.path(), 21, "the directory uWSGI was started in");
}

#[test]
fn a_value_pyyaml_cannot_load_unquoted_is_refused() {
    let dir = with_uwsgi("  route: \"<<\"\n");
    refused(dir.path(), 21, "PyYAML takes a plain `<<` for a merge key");
}

#[test]
fn anchors_the_galaxy_section_uses_come_along() {
    let dir = example(|text| {
        text.replace(
            "galaxy:\n",
            "defaults: &defaults\n  brand: Shared\n\ngalaxy:\n  <<: *defaults\n",
        )
        .replace("  brand: Training\n", "")
    });
    let (code, _, stderr) = build(dir.path());
    assert_eq!(code, Some(0), "{stderr}");
    let restarter = written(dir.path(), RESTARTER);
    assert!(
        restarter.contains("\ndefaults: &defaults\n  brand: Shared\ngalaxy:\n  <<: *defaults\n"),
        "{restarter}"
    );
}

#[test]
fn an_alias_into_the_uwsgi_section_is_refused() {
    let dir = example(|text| {
        text.replace("  virtualenv: /srv/galaxy/venv", "  virtualenv: &venv /srv/galaxy/venv")
            .replace("  watch_tools: false", "  watch_tools: false\n  venv_dir: *venv")
    });
    refused(dir.path(), 36, "refers to `&venv` of the uwsgi section");
}
