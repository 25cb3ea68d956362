//! No command, in any format, prints a secret of the deployment: not `build` (`-v` included),
//! not `build --check`, not `diff` (changed or unchanged secrets, human or JSON, with or
//! without colour), not `lint` (human, JSON, SARIF, GitHub), and not the errors that quote
//! galaxy.yml or a job conf next to a secret. `fixtures/diff/secrets` holds the common secrets,
//! `fixtures/secrets/shapes` one secret in every shape zergcfg must recognise.

use std::fs;
use std::path::Path;
use std::process::Output;

use crate::support::{fixture, fixture_copy, zergcfg};

/// Every secret value of `fixtures/diff/secrets` (the example's two plus the ones added there).
const COMMON: &[&str] = &[
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

/// Every secret value of `fixtures/secrets/shapes`, one per shape (rotated ones start with
/// `Rot-`, which contains the value: one check covers both).
const SHAPES: &[&str] = &[
    // galaxy.yml's `uwsgi:` section, copied into both zerglings.
    "Env-Aws-Secret-111",
    "Env-Url-Pw-112",
    "Set-Admin-Pw-222",
    "Route-Bearer-Tok-44",
    "Uwsgi-Secret-Key-55",
    // Its `galaxy:` section, copied into the restarter.
    "Db-Url-Pw-301",
    "5c3a9f1e7b2d4a60c8e1f3b5d7a9c2e4",
    "Old-Commented-Id-302",
    "Smtp-Quoted-Pw-303",
    "Quoted-Escaped-Tok-304",
    "Flow-Client-Secret-305",
    "Flow-Ldap-Pw-306",
    "Plain-Multi-Head-307",
    "Plain-Multi-Tail-308",
    "Quoted-Key-Pw-309",
    "List-Item-Pw-310",
    "Nested-Secret-Key-311",
    "Flow-Url-Pw-312",
    "Block-Secret-313",
    "Master-Api-Key-314",
    "Q7z",
    // The main job conf, copied into the restarter's.
    "Xml-Amqp-Pw-401",
    "Xml-Commented-Pw-402",
    "Xml-Cdata-Pw-403",
    "Xml-Multiline-Tag-Tok-404",
    "Xml-Multiline-Text-405",
    "Entity-Secret-406",
    "Xml-Env-Tok-407",
    "Xml-Env-Value-408",
    "Xml-Exec-Tok-409",
    "Xml-Docker-Pw-410",
    "Xml-Native-Pw-411",
    "Xml-Spaced-Attr-412",
];

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

/// Asserts that none of `secrets` shows in any run, and returns the runs.
fn assert_clean(dir: &Path, secrets: &[&str], args: &[&str]) -> Vec<(String, Output)> {
    let runs = run(dir, args);
    for (command, output) in &runs {
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        for secret in secrets {
            assert!(!stdout.contains(secret), "`{command}` printed {secret} on stdout:\n{stdout}");
            assert!(!stderr.contains(secret), "`{command}` printed {secret} on stderr:\n{stderr}");
        }
    }
    runs
}

/// The secrets of `fixtures/diff/secrets`, rotated ones included.
fn common() -> Vec<&'static str> {
    COMMON.iter().copied().chain(ROTATED.iter().map(|(_, new)| *new)).collect()
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

/// Every command that reads the deployment, in every format it has: `build --check`, `diff`
/// (human and JSON), `-v diff`, `-v build --check`, then `lint` in each format.
fn every_command(dir: &Path, secrets: &[&str]) -> Vec<Option<i32>> {
    let mut codes = Vec::new();
    for args in [
        &["build", "--check"][..],
        &["diff"],
        &["diff", "--format", "json"],
        &["-v", "diff"],
        &["-v", "build", "--check"],
    ] {
        codes.push(code(&assert_clean(dir, secrets, args)));
    }
    codes.extend(lint_codes(dir, secrets));
    codes
}

/// `lint` in each of its formats.
fn lint_codes(dir: &Path, secrets: &[&str]) -> Vec<Option<i32>> {
    ["human", "json", "sarif", "github"]
        .iter()
        .map(|format| code(&assert_clean(dir, secrets, &["lint", "--format", format])))
        .collect()
}

#[test]
fn the_secrets_fixture_holds_its_secrets_and_show_secrets_prints_them() {
    let dir = fixture_copy("diff/secrets");
    let galaxy = fs::read_to_string(dir.path().join(GALAXY_YML)).unwrap();
    let job_conf = fs::read_to_string(dir.path().join(JOB_CONF)).unwrap();
    for secret in COMMON {
        assert!(galaxy.contains(secret) || job_conf.contains(secret), "{secret}");
    }

    // The check below would pass vacuously if the secrets never reached the output at all.
    let shown =
        zergcfg(dir.path(), &["diff", "--show-secrets", "--config", "zerg.toml", "--root", "."]);
    let stdout = String::from_utf8_lossy(&shown.stdout);
    for secret in COMMON {
        assert!(stdout.contains(secret), "--show-secrets did not print {secret}");
    }
    assert!(String::from_utf8_lossy(&shown.stderr).contains("IN CLEAR"));
}

#[test]
fn nothing_installed_yet() {
    let dir = fixture_copy("diff/secrets");
    let codes = every_command(dir.path(), &common());
    assert_eq!(codes[..5], [Some(1); 5]);
}

#[test]
fn build_then_unchanged_then_rotated_secrets() {
    let dir = fixture_copy("diff/secrets");
    let secrets = common();
    let build = assert_clean(dir.path(), &secrets, &["-v", "build"]);
    assert_eq!(code(&build), Some(0));

    // Identical after build: every check says so.
    let codes = every_command(dir.path(), &secrets);
    assert_eq!(codes[..5], [Some(0); 5]);
    let diff = zergcfg(dir.path(), &["diff", "--config", "zerg.toml", "--root", "."]);
    assert_eq!(String::from_utf8_lossy(&diff.stdout), "4 unchanged\n");

    // A change next to unchanged secrets: they show only as context, masked.
    edit(dir.path(), GALAXY_YML, "brand: Training", "brand: Production");
    let runs = assert_clean(dir.path(), &secrets, &["diff"]);
    assert_eq!(code(&runs), Some(1));
    let stdout = String::from_utf8_lossy(&runs[0].1.stdout).into_owned();
    assert!(stdout.contains(" id_secret: ******** (secret)\n"), "{stdout}");
    every_command(dir.path(), &secrets);

    // Rotated secrets: changed lines with their keys, values masked on both sides.
    for (old, new) in ROTATED {
        let file = if *old == "Pulsar-Mgr-Pw-3z" { JOB_CONF } else { GALAXY_YML };
        edit(dir.path(), file, old, new);
    }
    let runs = assert_clean(dir.path(), &secrets, &["diff"]);
    let stdout = String::from_utf8_lossy(&runs[0].1.stdout).into_owned();
    assert!(stdout.contains("\n-  id_secret: ******** (secret)\n"), "{stdout}");
    assert!(stdout.contains("\n+  id_secret: ******** (secret, changed)\n"), "{stdout}");
    assert!(stdout.contains("\n+  smtp_password: ******** (secret, changed)\n"), "{stdout}");
    assert!(
        stdout.contains("postgresql://galaxy:********@localhost/galaxy (secret, changed)"),
        "{stdout}"
    );
    assert!(stdout.contains("<param id=\"manager_password\">********</param> (secret, changed)"));
    let codes = every_command(dir.path(), &secrets);
    assert_eq!(codes[..5], [Some(1); 5]);

    // And once built, all is current again without a secret ever printed.
    assert_eq!(code(&assert_clean(dir.path(), &secrets, &["-v", "build"])), Some(0));
    assert_eq!(every_command(dir.path(), &secrets)[..5], [Some(0); 5]);
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
        for args in [
            &["build"][..],
            &["-v", "build"],
            &["build", "--check"],
            &["diff"],
            &["diff", "--format", "json"],
        ] {
            let runs = assert_clean(dir.path(), &common(), args);
            assert_eq!(code(&runs), Some(2), "{args:?} after {to:?}");
            let stderr = String::from_utf8_lossy(&runs[0].1.stderr).into_owned();
            let name = Path::new(file).file_name().unwrap().to_string_lossy().into_owned();
            assert!(stderr.contains(&name), "{stderr}");
        }
        lint_codes(dir.path(), &common());
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

const SHAPES_GALAXY_YML: &str = "srv/galaxy/config/galaxy.yml";

/// Copies `fixtures/secrets/shapes`, checking that it holds every value of [`SHAPES`].
fn shapes() -> tempfile::TempDir {
    let dir = fixture_copy("secrets/shapes");
    let galaxy = fs::read_to_string(dir.path().join(SHAPES_GALAXY_YML)).unwrap();
    let job_conf = fs::read_to_string(dir.path().join(JOB_CONF)).unwrap();
    for secret in SHAPES {
        assert!(galaxy.contains(secret) || job_conf.contains(secret), "{secret}");
    }
    dir
}

#[test]
fn every_shape_of_secret_reaches_the_files_and_show_secrets_prints_it() {
    let dir = shapes();
    // The checks below would pass vacuously if a shape never reached the output at all.
    let shown =
        zergcfg(dir.path(), &["diff", "--show-secrets", "--config", "zerg.toml", "--root", "."]);
    let stdout = String::from_utf8_lossy(&shown.stdout);
    for secret in SHAPES {
        assert!(stdout.contains(secret), "--show-secrets did not print {secret}");
    }
}

#[test]
fn no_shape_of_secret_is_printed_by_any_command() {
    let dir = shapes();
    assert_eq!(every_command(dir.path(), SHAPES)[..5], [Some(1); 5]);

    let build = assert_clean(dir.path(), SHAPES, &["-v", "build"]);
    assert_eq!(code(&build), Some(0));
    assert_eq!(every_command(dir.path(), SHAPES)[..5], [Some(0); 5]);

    // A change next to every secret: each shows masked as context or as an unchanged line.
    let galaxy = dir.path().join(SHAPES_GALAXY_YML);
    let text = fs::read_to_string(&galaxy).unwrap();
    fs::write(&galaxy, text.replace("  brand: Training\n", "")).unwrap();
    assert_eq!(every_command(dir.path(), SHAPES)[..5], [Some(1); 5]);

    // Every secret rotated: changed lines, with their keys, masked on both sides.
    for file in [SHAPES_GALAXY_YML, JOB_CONF] {
        let path = dir.path().join(file);
        let mut text = fs::read_to_string(&path).unwrap();
        for secret in SHAPES {
            text = text.replace(secret, &format!("Rot-{secret}"));
        }
        fs::write(&path, text).unwrap();
    }
    let runs = assert_clean(dir.path(), SHAPES, &["diff"]);
    let stdout = String::from_utf8_lossy(&runs[0].1.stdout).into_owned();
    for line in [
        "+  env: AWS_SECRET_ACCESS_KEY=******** (secret, changed)\n",
        "+  oidc_config: {client_secret: ********, client_id: galaxy-web} (secret, changed)\n",
        "+  #id_secret: ******** (secret, changed)\n",
        "+            <param id=\"manager_password\"><![CDATA[********]]></param> (secret, \
         changed)\n",
    ] {
        assert!(stdout.contains(line), "no `{line}` in:\n{stdout}");
    }
    assert_eq!(every_command(dir.path(), SHAPES)[..5], [Some(1); 5]);
    assert_eq!(code(&assert_clean(dir.path(), SHAPES, &["-v", "build"])), Some(0));
}

#[test]
fn secrets_are_found_by_the_role_of_a_file_not_its_name() {
    let dir = shapes();
    let config = dir.path().join("srv/galaxy/config");
    fs::rename(config.join("galaxy.yml"), config.join("galaxy.conf")).unwrap();
    fs::rename(config.join("job_conf.xml"), config.join("job_conf.main")).unwrap();
    let toml = dir.path().join("zerg.toml");
    let text = fs::read_to_string(&toml).unwrap().replace(
        "user = \"galaxy\"\n",
        "user = \"galaxy\"\ngalaxy_config = \"config/galaxy.conf\"\njob_conf = \"config/job_conf.main\"\n",
    );
    fs::write(
        &toml,
        format!("{text}\n[restarter]\njob_conf = \"config/job_conf-restarter.conf\"\n"),
    )
    .unwrap();

    assert_eq!(every_command(dir.path(), SHAPES)[..5], [Some(1); 5]);
    assert_eq!(code(&assert_clean(dir.path(), SHAPES, &["-v", "build"])), Some(0));
    assert!(config.join("job_conf-restarter.conf").is_file());
    assert_eq!(every_command(dir.path(), SHAPES)[..5], [Some(0); 5]);
}

/// Errors whose message or snippet would show a secret of the shapes fixture: each edit, the
/// secrets it adds, and the file the error is about.
const SHAPE_ERRORS: &[(&str, &str, &str, &[&str])] = &[
    // A value the two uWSGI readers read differently, quoted by the message as parsed.
    (
        SHAPES_GALAXY_YML,
        "  processes: 2\n",
        "  processes: 2\n  secret-key: \"Colon-Sec-501: x\"\n",
        &["Colon-Sec-501"],
    ),
    // A quote never closed, over two lines.
    (
        SHAPES_GALAXY_YML,
        "  db_pass: Q7z\n",
        "  db_pass: Q7z\n  bind_password: \"Unclosed-Head-502\n  Unclosed-Tail-503\n",
        &["Unclosed-Head-502", "Unclosed-Tail-503"],
    ),
    // A stray bracket after a flow mapping holding a secret.
    (SHAPES_GALAXY_YML, "Flow-Ldap-Pw-306}", "Flow-Ldap-Pw-306}]", &[]),
    // A tab after the colon, which PyYAML refuses: the error quotes the line.
    (SHAPES_GALAXY_YML, "  id_secret: ", "  id_secret:\tTab-Sec-504 ", &["Tab-Sec-504"]),
    // A secret reused in the line at fault.
    (
        SHAPES_GALAXY_YML,
        "  brand: Training\n",
        "  password: Reused-Pw-505\n  brand: Reused-Pw-505x: y\n",
        &["Reused-Pw-505"],
    ),
    // A commented-out secret and a continued one next to the line at fault.
    (SHAPES_GALAXY_YML, "\"Smtp-Quoted-Pw-303\"\n", "\"Smtp-Quoted-Pw-303\"]\n", &[]),
    (SHAPES_GALAXY_YML, "Quoted-Key-Pw-309\n", "Quoted-Key-Pw-309: x\n", &[]),
    // uWSGI assignments next to a uWSGI error.
    (
        SHAPES_GALAXY_YML,
        "  set: admin_password",
        "  socket: 127.0.0.1:9090\n  set: admin_password",
        &[],
    ),
    // CDATA and a commented-out parameter next to an XML error.
    (JOB_CONF, "]]></param>", "]]></parm>", &[]),
];

#[test]
fn errors_next_to_every_shape_of_secret_mask_it() {
    for (file, from, to, added) in SHAPE_ERRORS {
        let dir = shapes();
        edit(dir.path(), file, from, to);
        let secrets: Vec<&str> = SHAPES.iter().chain(added.iter()).copied().collect();
        for args in [&["build"][..], &["-v", "build"], &["diff"], &["diff", "--format", "json"]] {
            let runs = assert_clean(dir.path(), &secrets, args);
            assert_eq!(code(&runs), Some(2), "{args:?} after {to:?}");
        }
        lint_codes(dir.path(), &secrets);
        assert!(!dir.path().join("srv/galaxy/vassals").exists(), "an error wrote files");
    }
}

#[test]
fn an_error_after_any_line_masks_the_secrets_around_it() {
    // A line that breaks the file wherever it goes, after each line in turn: every snippet of
    // the files, with every secret in it, is shown once.
    for (file, breaker) in [(SHAPES_GALAXY_YML, "]\n"), (JOB_CONF, "</nope>\n")] {
        let text = fs::read_to_string(fixture("secrets/shapes").join(file)).unwrap();
        let mut at = 0;
        while let Some(end) = text[at..].find('\n').map(|i| at + i + 1) {
            let dir = shapes();
            fs::write(dir.path().join(file), format!("{}{breaker}{}", &text[..end], &text[end..]))
                .unwrap();
            for args in [&["diff"][..], &["lint"]] {
                let output = zergcfg(
                    dir.path(),
                    &[args, &["--config", "zerg.toml", "--root", "."]].concat(),
                );
                let all = format!(
                    "{}{}",
                    String::from_utf8_lossy(&output.stdout),
                    String::from_utf8_lossy(&output.stderr)
                );
                for secret in SHAPES {
                    assert!(
                        !all.contains(secret),
                        "{args:?} with {breaker:?} after line ending at {end} of {file} printed {secret}:\n{all}"
                    );
                }
            }
            at = end;
        }
    }
}
