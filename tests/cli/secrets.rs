//! No command, in any format, prints a secret of the deployment: not `build`, not `build
//! --check`, not `diff` (changed or unchanged secrets, human or JSON), not `lint`, and not the
//! errors that quote galaxy.yml or a job conf next to a secret.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::support::{fixture_copy, zergcfg};

/// Every secret value of `fixtures/diff/secrets` (the example's two plus the ones added there).
const SECRETS: &[&str] = &[
    "Zq8-db-pass-3kT",
    "5c3a9f1e7b2d4a60c8e1f3b5d7a9c2e4",
    "Amqp-Pw-42xQ",
    "Smtp-Pa55-word-91",
    "Mk-0f9e8d7c6b5a4",
    "Oidc-Cl13nt-s3cr3t",
    "Pulsar-Mq-Pw-8k",
    "Pulsar-Mgr-Pw-3z",
];

/// The values the rotated galaxy.yml gives the same keys.
const ROTATED: &[(&str, &str)] = &[
    ("Zq8-db-pass-3kT", "Rotated-Db-Pw-1a"),
    ("5c3a9f1e7b2d4a60c8e1f3b5d7a9c2e4", "0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
    ("Smtp-Pa55-word-91", "Rotated-Smtp-Pw-2b"),
    ("Pulsar-Mgr-Pw-3z", "Rotated-Mgr-Pw-3c"),
];

const GALAXY_YML: &str = "srv/galaxy/config/galaxy.yml";
const JOB_CONF: &str = "srv/galaxy/config/job_conf.xml";

/// Runs zergcfg on the deployment in `dir`, with and without colour.
fn run(dir: &Path, args: &[&str]) -> Vec<(String, Output)> {
    let mut runs = Vec::new();
    for color in ["never", "always"] {
        let mut all = vec!["--color", color];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--config", "zerg.toml", "--root", "."]);
        runs.push((all.join(" "), zergcfg(dir, &all)));
    }
    runs
}

/// Asserts that no secret (nor any rotated one) shows in any run, and returns the runs.
fn assert_clean(dir: &Path, args: &[&str]) -> Vec<(String, Output)> {
    let runs = run(dir, args);
    for (command, output) in &runs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let all = SECRETS.iter().chain(ROTATED.iter().map(|(_, new)| new));
        for secret in all {
            assert!(!stdout.contains(secret), "`{command}` printed {secret} on stdout:\n{stdout}");
            assert!(!stderr.contains(secret), "`{command}` printed {secret} on stderr:\n{stderr}");
        }
    }
    runs
}

fn code(runs: &[(String, Output)]) -> Option<i32> {
    let codes: Vec<Option<i32>> = runs.iter().map(|(_, o)| o.status.code()).collect();
    assert!(codes.windows(2).all(|w| w[0] == w[1]), "exit codes differ with colour: {codes:?}");
    codes[0]
}

fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Every command that reads the deployment, in every format it has.
fn every_command(dir: &Path) -> Vec<Option<i32>> {
    let mut codes = Vec::new();
    for args in
        [&["build", "--check"][..], &["diff"], &["diff", "--format", "json"], &["-v", "diff"]]
    {
        codes.push(code(&assert_clean(dir, args)));
    }
    codes.extend(lint_codes(dir));
    codes
}

/// `lint` in each of its formats, once the command exists.
fn lint_codes(dir: &Path) -> Vec<Option<i32>> {
    let help = String::from_utf8_lossy(&zergcfg(dir, &["--help"]).stdout).into_owned();
    if !help.lines().any(|l| l.trim_start().starts_with("lint ")) {
        return Vec::new();
    }
    let lint_help = String::from_utf8_lossy(&zergcfg(dir, &["lint", "--help"]).stdout).into_owned();
    let mut codes = vec![code(&assert_clean(dir, &["lint"]))];
    for format in ["human", "json", "sarif", "github", "short", "checkstyle", "junit"] {
        if lint_help.contains(format) {
            codes.push(code(&assert_clean(dir, &["lint", "--format", format])));
        }
    }
    codes
}

#[test]
fn the_secrets_fixture_holds_its_secrets_and_show_secrets_prints_them() {
    let dir = fixture_copy("diff/secrets");
    let galaxy = fs::read_to_string(dir.path().join(GALAXY_YML)).unwrap();
    let job_conf = fs::read_to_string(dir.path().join(JOB_CONF)).unwrap();
    for secret in SECRETS {
        assert!(galaxy.contains(secret) || job_conf.contains(secret), "{secret}");
    }

    // The check below would pass vacuously if the secrets never reached the output at all.
    let shown =
        zergcfg(dir.path(), &["diff", "--show-secrets", "--config", "zerg.toml", "--root", "."]);
    let stdout = String::from_utf8_lossy(&shown.stdout);
    for secret in SECRETS {
        assert!(stdout.contains(secret), "--show-secrets did not print {secret}");
    }
    assert!(String::from_utf8_lossy(&shown.stderr).contains("IN CLEAR"));
}

#[test]
fn nothing_installed_yet() {
    let dir = fixture_copy("diff/secrets");
    let codes = every_command(dir.path());
    assert_eq!(codes[..4], [Some(1); 4]);
}

#[test]
fn build_then_unchanged_then_rotated_secrets() {
    let dir = fixture_copy("diff/secrets");
    let build = assert_clean(dir.path(), &["build"]);
    assert_eq!(code(&build), Some(0));

    // Identical after build: every check says so.
    let codes = every_command(dir.path());
    assert_eq!(codes[..4], [Some(0); 4]);
    let diff = zergcfg(dir.path(), &["diff", "--config", "zerg.toml", "--root", "."]);
    assert_eq!(String::from_utf8_lossy(&diff.stdout), "4 unchanged\n");

    // A change next to unchanged secrets: they show only as context, masked.
    edit(dir.path(), GALAXY_YML, "brand: Training", "brand: Production");
    let runs = assert_clean(dir.path(), &["diff"]);
    assert_eq!(code(&runs), Some(1));
    let stdout = String::from_utf8_lossy(&runs[0].1.stdout).into_owned();
    assert!(stdout.contains(" id_secret: ******** (secret)\n"), "{stdout}");
    every_command(dir.path());

    // Rotated secrets: changed lines with their keys, values masked on both sides.
    for (old, new) in ROTATED {
        let file = if *old == "Pulsar-Mgr-Pw-3z" { JOB_CONF } else { GALAXY_YML };
        edit(dir.path(), file, old, new);
    }
    let runs = assert_clean(dir.path(), &["diff"]);
    let stdout = String::from_utf8_lossy(&runs[0].1.stdout).into_owned();
    assert!(stdout.contains("\n-  id_secret: ******** (secret)\n"), "{stdout}");
    assert!(stdout.contains("\n+  id_secret: ******** (secret, changed)\n"), "{stdout}");
    assert!(stdout.contains("\n+  smtp_password: ******** (secret, changed)\n"), "{stdout}");
    assert!(
        stdout.contains("postgresql://galaxy:********@localhost/galaxy (secret, changed)"),
        "{stdout}"
    );
    assert!(stdout.contains("<param id=\"manager_password\">********</param> (secret, changed)"));
    let codes = every_command(dir.path());
    assert_eq!(codes[..4], [Some(1); 4]);

    // And once built, all is current again without a secret ever printed.
    assert_eq!(code(&assert_clean(dir.path(), &["build"])), Some(0));
    assert_eq!(every_command(dir.path())[..4], [Some(0); 4]);
}

#[test]
fn errors_next_to_a_secret_mask_it() {
    let cases: &[(&str, &str, &str)] = &[
        // A YAML error on the line after two secrets: the snippet shows them as context.
        (GALAXY_YML, "  smtp_server: smtp.example.org:587\n", "  smtp_server: [smtp\n"),
        // A YAML error inside a secret's own value.
        (
            GALAXY_YML,
            "  smtp_password: Smtp-Pa55-word-91\n",
            "  smtp_password: \"Smtp-Pa55-word-91\n",
        ),
        // A uWSGI option error in galaxy.yml with the secrets in the same file.
        (GALAXY_YML, "  processes: 2\n", "  processes: 2\n  socket: 127.0.0.1:9090\n"),
        // A job conf error right after the parameters holding passwords.
        (JOB_CONF, "        </plugin>\n", "        </plugn>\n"),
    ];
    for (file, from, to) in cases {
        let dir = fixture_copy("diff/secrets");
        edit(dir.path(), file, from, to);
        for args in
            [&["build"][..], &["build", "--check"], &["diff"], &["diff", "--format", "json"]]
        {
            let runs = assert_clean(dir.path(), args);
            assert_eq!(code(&runs), Some(2), "{args:?} after {to:?}");
            let stderr = String::from_utf8_lossy(&runs[0].1.stderr).into_owned();
            let name = Path::new(file).file_name().unwrap().to_string_lossy().into_owned();
            assert!(stderr.contains(&name), "{stderr}");
        }
        lint_codes(dir.path());
        assert!(!dir.path().join("srv/galaxy/vassals").exists(), "an error wrote files");
    }
}

#[test]
fn the_snippet_of_an_error_next_to_a_secret_still_points_at_the_error() {
    let dir = fixture_copy("diff/secrets");
    edit(dir.path(), GALAXY_YML, "  smtp_server: smtp.example.org:587\n", "  smtp_server: [smtp\n");
    let output = zergcfg(dir.path(), &["diff", "--config", "zerg.toml", "--root", "."]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("galaxy.yml:33:16]"), "{stderr}");
    assert!(stderr.contains(" 33 │   smtp_username: galaxy\n"), "{stderr}");
    assert!(stderr.contains(" 34 │   smtp_password: *****************\n"), "{stderr}");
}
