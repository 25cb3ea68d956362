//! `zergcfg build` on disk: what it writes, what it leaves alone, modes, and that bad input
//! writes nothing at all.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::support::{fixture, fixture_copy, snapshot, zergcfg};

const OUTPUTS: [&str; 4] = [
    "srv/galaxy/vassals/vassal-zergpool.yml",
    "srv/galaxy/vassals/vassal-zergling.yml",
    "srv/galaxy/config/galaxy-restarter.yml",
    "srv/galaxy/config/job_conf-restarter.xml",
];

fn build(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["build", "--config", "zerg.toml", "--root", "."];
    args.extend_from_slice(extra);
    zergcfg(dir, &args)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn second_build_rewrites_nothing() {
    let dir = fixture_copy("example");
    assert_eq!(build(dir.path(), &[]).status.code(), Some(0));
    let first = snapshot(dir.path());

    let again = build(dir.path(), &[]);
    assert_eq!(again.status.code(), Some(0));
    let stdout = String::from_utf8(again.stdout).unwrap();
    assert_eq!(stdout.matches("unchanged ").count(), 4, "{stdout}");
    assert_eq!(snapshot(dir.path()), first, "a second build touched a file");

    assert_eq!(build(dir.path(), &["--check"]).status.code(), Some(0));
}

#[test]
fn only_the_changed_file_is_rewritten() {
    let dir = fixture_copy("example");
    assert_eq!(build(dir.path(), &[]).status.code(), Some(0));
    let before = snapshot(dir.path());

    let job_conf = dir.path().join("srv/galaxy/config/job_conf.xml");
    let text = fs::read_to_string(&job_conf).unwrap().replace("workers=\"4\"", "workers=\"8\"");
    fs::write(&job_conf, text).unwrap();

    assert_eq!(build(dir.path(), &["--check"]).status.code(), Some(1));
    let out = build(dir.path(), &[]);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("changed   ./srv/galaxy/config/job_conf-restarter.xml"), "{stdout}");
    let after = snapshot(dir.path());
    for name in &OUTPUTS[..3] {
        assert_eq!(before[Path::new(name)], after[Path::new(name)], "{name} was rewritten");
    }
    assert!(!after.keys().any(|p| p.to_string_lossy().contains(".zergcfg-")), "temporary left");
}

#[test]
fn secrets_are_never_world_readable() {
    let dir = fixture_copy("example");
    assert_eq!(build(dir.path(), &[]).status.code(), Some(0));
    let root = dir.path();
    assert_eq!(mode(&root.join(OUTPUTS[0])), 0o644);
    assert_eq!(mode(&root.join(OUTPUTS[1])), 0o644);
    assert_eq!(mode(&root.join(OUTPUTS[2])), 0o600);
    assert_eq!(mode(&root.join(OUTPUTS[3])), 0o600);

    // An installed restarter someone made world-readable loses the world bits; a vassal keeps
    // the mode its administrator chose.
    fs::set_permissions(root.join(OUTPUTS[2]), fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(root.join(OUTPUTS[1]), fs::Permissions::from_mode(0o640)).unwrap();
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(mode(&root.join(OUTPUTS[2])), 0o640);
    assert_eq!(mode(&root.join(OUTPUTS[1])), 0o640);
}

#[test]
fn a_vassal_holding_a_secret_is_never_world_readable() {
    let dir = fixture_copy("example");
    assert_eq!(build(dir.path(), &[]).status.code(), Some(0));
    let root = dir.path();
    assert_eq!(mode(&root.join(OUTPUTS[1])), 0o644);

    // galaxy.yml's `uwsgi:` section gives both zerglings a secret: zergling A's vassal holds it
    // too from now on, and loses its world bits; the pool's vassal does not hold it.
    let galaxy = root.join("srv/galaxy/config/galaxy.yml");
    let text = fs::read_to_string(&galaxy).unwrap();
    let text =
        text.replace("  processes: 2\n", "  processes: 2\n  env: AWS_SECRET_ACCESS_KEY=Aws-Sk-9\n");
    fs::write(&galaxy, text).unwrap();
    assert_eq!(build(root, &[]).status.code(), Some(0));
    assert!(fs::read_to_string(root.join(OUTPUTS[1])).unwrap().contains("Aws-Sk-9"));
    assert_eq!(mode(&root.join(OUTPUTS[1])), 0o640);
    assert_eq!(mode(&root.join(OUTPUTS[0])), 0o644);

    // Written new, it is the owner's alone, like the restarter; Galaxy's user is told when it
    // could not read it, since the Emperor runs as that user.
    fs::remove_file(root.join(OUTPUTS[1])).unwrap();
    set_user(root, "nobody", None);
    let out = build(root, &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(mode(&root.join(OUTPUTS[1])), 0o600);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!("cannot read ./{} (owner uid", OUTPUTS[1]))
            && stderr.contains("the Emperor, run as that user, could not start that vassal"),
        "{stderr}"
    );
}

#[test]
fn a_group_makes_secrets_group_readable() {
    let dir = fixture_copy("example");
    let toml = dir.path().join("zerg.toml");
    let text = fs::read_to_string(&toml).unwrap();
    let gid = std::os::unix::fs::MetadataExt::gid(&fs::metadata(dir.path()).unwrap());
    fs::write(
        &toml,
        text.replace("user = \"galaxy\"", &format!("user = \"galaxy\"\ngroup = \"{gid}\"")),
    )
    .unwrap();

    assert_eq!(build(dir.path(), &[]).status.code(), Some(0));
    let restarter = dir.path().join(OUTPUTS[2]);
    assert_eq!(mode(&restarter), 0o640);
    assert_eq!(std::os::unix::fs::MetadataExt::gid(&fs::metadata(&restarter).unwrap()), gid);
}

/// Sets `layout.user` (and `layout.group` when given) in the copied example's zerg.toml.
fn set_user(dir: &Path, user: &str, group: Option<&str>) {
    let toml = dir.join("zerg.toml");
    let layout = match group {
        Some(group) => format!("user = \"{user}\"\ngroup = \"{group}\""),
        None => format!("user = \"{user}\""),
    };
    let text = fs::read_to_string(&toml).unwrap().replace("user = \"galaxy\"", &layout);
    fs::write(&toml, text).unwrap();
}

#[test]
fn warns_when_galaxys_user_cannot_read_the_restarter() {
    // `nobody` exists on every Debian machine and owns none of the files the test writes.
    let passwd = fs::read_to_string("/etc/passwd").unwrap();
    let nobody = passwd.lines().find(|l| l.starts_with("nobody:")).expect("a user nobody");
    let nobody_gid = nobody.split(':').nth(3).unwrap();

    let dir = fixture_copy("example");
    set_user(dir.path(), "nobody", None);
    let out = build(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8(out.stderr).unwrap();
    for name in &OUTPUTS[2..] {
        assert!(
            stderr.contains(&format!(
                "warning: nobody (layout.user) cannot read ./{name} (owner uid "
            )),
            "{stderr}"
        );
    }
    assert_eq!(stderr.matches("help: set layout.group").count(), 2, "{stderr}");

    // Only root may give a file to another group; as root, the group makes it readable.
    let owner =
        std::os::unix::fs::MetadataExt::uid(&fs::metadata(dir.path().join(OUTPUTS[2])).unwrap());
    if owner == 0 {
        let dir = fixture_copy("example");
        set_user(dir.path(), "nobody", Some(nobody_gid));
        let out = build(dir.path(), &[]);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(String::from_utf8(out.stderr).unwrap(), "");
    }
}

#[test]
fn an_unknown_group_is_an_error_and_writes_nothing() {
    let dir = fixture_copy("example");
    let toml = dir.path().join("zerg.toml");
    let text = fs::read_to_string(&toml).unwrap();
    fs::write(
        &toml,
        text.replace("user = \"galaxy\"", "user = \"galaxy\"\ngroup = \"no-such-group-zc\""),
    )
    .unwrap();
    let before = snapshot(dir.path());

    let out = build(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-group-zc"));
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn bad_input_writes_nothing() {
    let bad = fixture("bad");
    let mut cases: Vec<_> = fs::read_dir(&bad).unwrap().map(|e| e.unwrap().file_name()).collect();
    cases.sort();
    assert!(cases.len() >= 10);

    for case in cases {
        let name = format!("bad/{}", case.to_string_lossy());
        let dir = fixture_copy(&name);
        let before = snapshot(dir.path());
        let out = build(dir.path(), &[]);
        assert_eq!(out.status.code(), Some(2), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stdout.is_empty(), "{name} printed on stdout");
        assert_eq!(snapshot(dir.path()), before, "{name} changed files");
    }
}

#[test]
fn the_example_works_from_any_directory() {
    let dir = fixture_copy("example");
    let elsewhere = tempfile::tempdir().unwrap();
    let config = dir.path().join("zerg.toml");
    let out = zergcfg(
        elsewhere.path(),
        &["build", "--config", config.to_str().unwrap(), "--root", dir.path().to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    for name in OUTPUTS {
        assert!(dir.path().join(name).is_file(), "{name} missing");
    }
}

/// Every bundled layout, once built, lints clean: lint reads galaxy.yml's settings (merge keys
/// included) and finds the main job conf exactly as build does.
#[test]
fn every_built_layout_lints_clean() {
    for name in ["example", "handler-tags", "galaxy-elsewhere", "merge-keys"] {
        let dir = fixture_copy(name);
        let built = build(dir.path(), &[]);
        assert_eq!(
            built.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&built.stderr)
        );

        let linted = zergcfg(dir.path(), &["lint", "--config", "zerg.toml", "--root", "."]);
        let stdout = String::from_utf8_lossy(&linted.stdout);
        assert_eq!(linted.status.code(), Some(0), "{name}: {stdout}");
        assert!(stdout.contains("no findings in 6 files"), "{name}: {stdout}");
    }
}

#[test]
fn a_rewritten_file_keeps_its_owner() {
    let dir = fixture_copy("example");
    assert_eq!(build(dir.path(), &[]).status.code(), Some(0));
    let vassal = dir.path().join(OUTPUTS[1]);

    // Handing a file to another owner needs root; elsewhere there is nothing to check.
    if std::os::unix::fs::chown(&vassal, Some(4321), Some(4321)).is_err() {
        return;
    }
    let galaxy = dir.path().join("srv/galaxy/config/galaxy.yml");
    let text = fs::read_to_string(&galaxy).unwrap().replace("threads: 4", "threads: 8");
    fs::write(&galaxy, text).unwrap();

    let out = build(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(fs::read_to_string(&vassal).unwrap().contains("threads: 8"));
    let metadata = fs::metadata(&vassal).unwrap();
    assert_eq!(
        (
            std::os::unix::fs::MetadataExt::uid(&metadata),
            std::os::unix::fs::MetadataExt::gid(&metadata)
        ),
        (4321, 4321)
    );
}

/// The diff fixtures stand for a deployment built from the bundled example: their installed
/// files must be what `build` writes today, or their transcripts would show template changes
/// instead of the one change each case is about.
#[test]
fn the_diff_fixtures_hold_the_current_build() {
    let expected = crate::support::repo().join("tests/cmd/build/example.out/srv/galaxy");
    for case in ["changed-secret", "changed-value", "handlers-change", "mode-only", "unreadable"] {
        let installed = fixture(&format!("diff/{case}/srv/galaxy"));
        for name in OUTPUTS.map(|p| p.trim_start_matches("srv/galaxy/")) {
            let path = installed.join(name);
            if path.is_file() {
                let want = fs::read(expected.join(name)).unwrap();
                assert!(
                    fs::read(&path).unwrap() == want,
                    "fixtures/diff/{case}/srv/galaxy/{name} \
                    is out of date: copy it from tests/cmd/build/example.out"
                );
            }
        }
    }
}

#[test]
fn a_symlinked_vassal_is_written_through_its_link() {
    let dir = fixture_copy("example");
    assert_eq!(build(dir.path(), &[]).status.code(), Some(0));

    // The administrator keeps zergling A's vassal in a repository of their own.
    let repo = dir.path().join("repo");
    fs::create_dir(&repo).unwrap();
    let vassal = dir.path().join(OUTPUTS[1]);
    fs::rename(&vassal, repo.join("vassal-zergling.yml")).unwrap();
    std::os::unix::fs::symlink("../../../repo/vassal-zergling.yml", &vassal).unwrap();

    let galaxy = dir.path().join("srv/galaxy/config/galaxy.yml");
    let text = fs::read_to_string(&galaxy).unwrap().replace("threads: 4", "threads: 8");
    fs::write(&galaxy, text).unwrap();
    let out = build(dir.path(), &["-v"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("vassal-zergling.yml is a symbolic link: written through it"),
        "{stderr}"
    );

    assert!(fs::symlink_metadata(&vassal).unwrap().file_type().is_symlink(), "link replaced");
    assert!(fs::read_to_string(repo.join("vassal-zergling.yml")).unwrap().contains("threads: 8"));
    let again = String::from_utf8(build(dir.path(), &[]).stdout).unwrap();
    assert!(again.contains("unchanged ./srv/galaxy/vassals/vassal-zergling.yml"), "{again}");
}

#[test]
fn a_dangling_symlink_at_a_target_is_an_error_and_writes_nothing() {
    let dir = fixture_copy("example");
    let vassals = dir.path().join("srv/galaxy/vassals");
    fs::create_dir_all(&vassals).unwrap();
    std::os::unix::fs::symlink(
        "/srv/repo/vassal-zergling.yml",
        vassals.join("vassal-zergling.yml"),
    )
    .unwrap();
    let before = snapshot(dir.path());

    let out = build(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("./srv/repo/vassal-zergling.yml,"), "{stderr}");
    assert!(stderr.contains("which does not exist"), "{stderr}");
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn a_symlink_to_an_input_is_never_written_through() {
    let dir = fixture_copy("example");
    let config = dir.path().join("srv/galaxy/config");
    std::os::unix::fs::symlink("galaxy.yml", config.join("galaxy-restarter.yml")).unwrap();
    let before = snapshot(dir.path());

    let out = build(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("are one file on disk, through a symbolic link"), "{stderr}");
    assert_eq!(snapshot(dir.path()), before);
}
