//! Lint never opens what is not a regular file: opening a FIFO waits for a writer that may never
//! come (a relative `master-fifo` in a vassal without `chdir` creates one in the vassals
//! directory). The Emperor leaves such files alone, so a scan skips them; one named on the
//! command line is reported (ZC001).

use std::os::unix::net::UnixListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::fixture_copy;

/// Runs zergcfg, failing the test when it has not finished within a few seconds.
fn lint_in_time(cwd: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zergcfg"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("zergcfg {args:?} was still running after 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

/// A copy of the linted deployment with a FIFO and a unix socket in its vassals directory, one
/// of each under a name the Emperor would start.
fn deployment_with_special_files() -> (tempfile::TempDir, UnixListener) {
    let root = fixture_copy("lint/framework/deployment");
    let vassals = root.path().join("srv/galaxy/vassals");
    for name in ["zergling.fifo", "fifo.yml"] {
        let made = Command::new("mkfifo").arg(vassals.join(name)).status().unwrap();
        assert!(made.success(), "mkfifo {name}");
    }
    let socket = UnixListener::bind(vassals.join("stats.yml")).unwrap();
    (root, socket)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

#[test]
fn a_deployment_scan_skips_fifos_and_sockets() {
    let (root, _socket) = deployment_with_special_files();
    let out = lint_in_time(root.path(), &["-v", "lint", "--config", "zerg.toml", "--root", "."]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("no findings in 6 files"), "{stdout}");
    for (name, kind) in
        [("fifo.yml", "a FIFO"), ("zergling.fifo", "a FIFO"), ("stats.yml", "a unix socket")]
    {
        let line = format!("skip ./srv/galaxy/vassals/{name}: it is {kind}");
        assert!(stderr.contains(&line), "no `{line}` in:\n{stderr}");
    }
}

#[test]
fn a_directory_scan_skips_fifos_and_sockets() {
    let (root, _socket) = deployment_with_special_files();
    let out = lint_in_time(root.path(), &["-v", "lint", "srv/galaxy/vassals"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("no findings in 2 files"), "{stdout}");
    assert!(stderr.contains("skip srv/galaxy/vassals/fifo.yml: it is a FIFO"), "{stderr}");
    assert!(stderr.contains("skip srv/galaxy/vassals/stats.yml: it is a unix socket"), "{stderr}");
}

#[test]
fn a_fifo_or_socket_named_on_the_command_line_is_unreadable() {
    let (root, _socket) = deployment_with_special_files();
    for (name, kind) in [("fifo.yml", "a FIFO (named pipe)"), ("stats.yml", "a unix socket")] {
        let path = format!("srv/galaxy/vassals/{name}");
        let out = lint_in_time(root.path(), &["lint", &path]);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(2), "{stdout}");
        let message = format!("cannot read {path}: it is {kind}, not a regular file");
        assert!(stdout.contains("ZC001 unreadable-input"), "{stdout}");
        assert!(stdout.contains(&message), "no `{message}` in:\n{stdout}");
    }
}
