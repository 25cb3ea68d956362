//! Shared helpers: fixture copies in temporary directories, running the binary, and snapshots of
//! a directory tree to prove a command left it as it was.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture directory by its path under `fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    repo().join("fixtures").join(name)
}

/// Copies a directory tree.
pub fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temporary copy of a fixture.
pub fn fixture_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture(name), dir.path());
    dir
}

/// Runs zergcfg with `args` in `cwd`.
pub fn zergcfg(cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zergcfg"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// Every file under `dir` with its content, mode and modification time.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, u32, std::time::SystemTime)> {
    let mut files = BTreeMap::new();
    walk(dir, dir, &mut files);
    files
}

fn walk(
    base: &Path,
    dir: &Path,
    files: &mut BTreeMap<PathBuf, (Vec<u8>, u32, std::time::SystemTime)>,
) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let path = entry.path();
        let metadata = fs::symlink_metadata(&path).unwrap();
        if metadata.is_dir() {
            walk(base, &path, files);
        } else {
            let relative = path.strip_prefix(base).unwrap().to_path_buf();
            let content = fs::read(&path).unwrap_or_default();
            files.insert(
                relative,
                (content, metadata.permissions().mode() & 0o7777, metadata.modified().unwrap()),
            );
        }
    }
}

/// Reports that a tool a test needs is missing, so the test can return early. Outside the test
/// command a developer may lack it; under `scripts/test` (which installs every tool and sets
/// `ZERGCFG_REQUIRE_TOOLS`) or in CI, a missing tool fails the test instead of skipping it.
pub fn missing_tool(what: &str) {
    let required =
        ["ZERGCFG_REQUIRE_TOOLS", "CI"].iter().any(|var| std::env::var_os(var).is_some());
    assert!(!required, "{what} is not installed (scripts/test installs it)");
    eprintln!("skipped: {what} is not installed (scripts/test installs it)");
}

/// Whether Debian's uWSGI is on `PATH`; a missing one is reported through [`missing_tool`].
pub fn uwsgi_available() -> bool {
    let found = Command::new("uwsgi").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        missing_tool("uwsgi (Debian's uwsgi-core and uwsgi-plugin-python3)");
    }
    found
}

/// The PyPI build's binary, from `ZERGCFG_PYPI_UWSGI` (scripts/test installs it).
pub fn pypi_uwsgi() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("ZERGCFG_PYPI_UWSGI").map(std::path::PathBuf::from);
    match path {
        Some(path) if path.is_file() => Some(path),
        _ => {
            missing_tool("uWSGI 2.0.31 from PyPI (named by ZERGCFG_PYPI_UWSGI)");
            None
        }
    }
}
