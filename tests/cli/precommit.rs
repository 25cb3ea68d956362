//! The repository's pre-commit hooks, run by the real `pre-commit` tool against a scratch git
//! repository: the lint hook fails on a restarter that has a `mule:` line and passes once the
//! line is gone.
//!
//! `.pre-commit-hooks.yaml` declares `language: rust`, which would make pre-commit compile the
//! whole project inside the test. The test therefore copies the hook definitions into a local
//! repository entry with `language: system` and puts the binary under test first on `PATH`;
//! every other field (`id`, `entry`, `files`, `pass_filenames`) is kept exactly as the file has it.
//!
//! pre-commit is found through `ZERGCFG_PRE_COMMIT`, else in the virtualenv scripts/test creates
//! (`target/tools-venv`), else on `PATH`. Without it the test is skipped,
//! except under scripts/test and in CI, where it fails.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{missing_tool, repo};

/// The pre-commit executable, if one is installed.
fn pre_commit() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("ZERGCFG_PRE_COMMIT").map(PathBuf::from),
        Some(repo().join("target/tools-venv/bin/pre-commit")),
        Some(PathBuf::from("pre-commit")),
    ];
    let found = candidates.into_iter().flatten().find(|candidate| {
        Command::new(candidate).arg("--version").output().is_ok_and(|o| o.status.success())
    });
    if found.is_none() {
        missing_tool("pre-commit");
    }
    found
}

/// The repository's hook definitions as a local-repository entry with `language: system`.
fn local_config() -> String {
    let hooks = fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    assert!(hooks.contains("language: rust"), "the published hooks build with cargo");

    let mut config = String::from("repos:\n  - repo: local\n    hooks:\n");
    for line in hooks.lines().filter(|l| !l.starts_with('#')) {
        let line = line.replace("language: rust", "language: system");
        config.push_str("      ");
        config.push_str(&line);
        config.push('\n');
    }
    config
}

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git").args(args).current_dir(dir).status().unwrap();
    assert!(status.success(), "git {args:?}");
}

fn run_hook(pre_commit: &Path, dir: &Path, hook: &str) -> Output {
    let binary = PathBuf::from(env!("CARGO_BIN_EXE_zergcfg"));
    let path = std::env::join_paths(
        std::iter::once(binary.parent().unwrap().to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    git(dir, &["add", "-A"]);
    Command::new(pre_commit)
        .args(["run", hook, "--all-files", "--color", "never"])
        .current_dir(dir)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", dir.join(".pre-commit-home"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

const RESTARTER: &str = "\
uwsgi:
  chdir: /srv/galaxy/server
  zerg: /srv/galaxy/var/zergpool.sock
  master-fifo: /srv/galaxy/var/restarter.fifo
  mule: lib/galaxy/main.py
galaxy:
  job_config_file: /srv/galaxy/config/job_conf-restarter.xml
";

/// A scratch git repository using the hooks, with `config/galaxy-restarter.yml` to fill in.
fn scratch_repository() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    git(root, &["init", "-q"]);
    git(root, &["config", "user.email", "test@example.org"]);
    git(root, &["config", "user.name", "test"]);
    fs::write(root.join(".gitignore"), ".pre-commit-home/\n").unwrap();
    fs::write(root.join(".pre-commit-config.yaml"), local_config()).unwrap();
    fs::create_dir_all(root.join("config")).unwrap();
    let restarter = root.join("config/galaxy-restarter.yml");
    (dir, restarter)
}

#[test]
fn lint_hook_fails_on_a_restarter_mule_and_passes_without_it() {
    let Some(pre_commit) = pre_commit() else { return };
    let (dir, restarter) = scratch_repository();

    fs::write(&restarter, RESTARTER).unwrap();
    let out = run_hook(&pre_commit, dir.path(), "zergcfg-lint");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "the hook passed with a mule:\n{text}");
    assert!(text.contains("ZC101"), "{text}");

    fs::write(&restarter, RESTARTER.replace("  mule: lib/galaxy/main.py\n", "")).unwrap();
    let out = run_hook(&pre_commit, dir.path(), "zergcfg-lint");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("ZC101"), "{text}");
    assert!(out.status.success(), "the hook failed without a mule:\n{text}");
}

#[test]
fn lint_hook_fails_on_a_restarter_that_does_not_read() {
    let Some(pre_commit) = pre_commit() else { return };
    let (dir, restarter) = scratch_repository();

    fs::write(&restarter, RESTARTER.replace("mule: lib/galaxy/main.py", "mule: [x")).unwrap();
    let out = run_hook(&pre_commit, dir.path(), "zergcfg-lint");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "the hook passed:\n{text}");
    // Galaxy's PyYAML refuses the file; uWSGI's line-based reader still takes the mule.
    assert!(text.contains("ZC303 galaxy-section-not-yaml"), "{text}");
    assert!(text.contains("ZC101 restarter-has-mules"), "{text}");
    assert!(text.contains("config/galaxy-restarter.yml:5:"), "{text}");
}

#[test]
fn hook_definitions_name_the_commands() {
    let hooks = fs::read_to_string(repo().join(".pre-commit-hooks.yaml")).unwrap();
    let documents = zergcfg::yaml::parse(&hooks).unwrap();
    let zergcfg::yaml::Node::Sequence { items, .. } = &documents[0].root else {
        panic!("the hooks file is a list");
    };
    let field = |item: &zergcfg::yaml::Node, key: &str| {
        item.get_last(key).and_then(|e| e.value.as_scalar()).map(|s| s.value.clone())
    };
    let ids: Vec<_> = items.iter().map(|i| field(i, "id").unwrap()).collect();
    assert_eq!(ids, ["zergcfg-lint", "zergcfg-build-check"]);
    assert_eq!(field(&items[0], "entry").as_deref(), Some("zergcfg lint"));
    assert_eq!(field(&items[0], "pass_filenames").as_deref(), Some("true"));
    assert_eq!(field(&items[1], "entry").as_deref(), Some("zergcfg build --check"));
    assert_eq!(field(&items[1], "pass_filenames").as_deref(), Some("false"));
}
