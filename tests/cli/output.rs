//! What reaches the exit code when stdout misbehaves: a report that could not be written fails
//! the command, and a reader that goes away (`| head`) leaves the command's own code standing.

use std::fs::File;
use std::process::{Command, Stdio};

use crate::support::fixture_copy;

/// `zergcfg ARGS` on a fresh copy of the example, where every file is still to be created.
fn command(args: &[&str]) -> (tempfile::TempDir, Command) {
    let dir = fixture_copy("example");
    let mut command = Command::new(env!("CARGO_BIN_EXE_zergcfg"));
    command.args(args).args(["--config", "zerg.toml", "--root", "."]).current_dir(dir.path());
    (dir, command)
}

#[test]
fn a_report_that_cannot_be_written_fails() {
    for args in [&["diff"][..], &["build", "--check"], &["lint"]] {
        let (_dir, mut command) = command(args);
        let out = command.stdout(File::create("/dev/full").unwrap()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("could not write the output"), "{args:?}: {stderr}");
    }
}

#[test]
fn a_reader_that_goes_away_keeps_the_exit_code() {
    for args in [&["diff"][..], &["build", "--check"]] {
        let (_dir, mut command) = command(args);
        let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
