//! The restarter job confs that Galaxy 21.09's own code shows to strand jobs
//! (`fixtures/galaxy-compat/bad/`, checked by `compat/galaxy/`) are flagged by `zergcfg lint`.

use std::fs;

use crate::support::{fixture, zergcfg};

fn lint_as_restarter_job_conf(name: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("job_conf-restarter.xml");
    fs::copy(fixture("galaxy-compat/bad").join(name), &target).unwrap();
    let out = zergcfg(dir.path(), &["--color", "never", "lint", "job_conf-restarter.xml"]);
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn an_empty_handler_id_is_flagged() {
    let (code, stdout) = lint_as_restarter_job_conf("empty-handler-id.xml");
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("ZC103 restarter-strands-jobs"), "{stdout}");
}

#[test]
fn a_restarter_job_conf_without_handlers_is_flagged() {
    let (code, stdout) = lint_as_restarter_job_conf("no-handlers.xml");
    assert_eq!(code, Some(1), "{stdout}");
    assert!(stdout.contains("ZC104 restarter-is-handler"), "{stdout}");
}
