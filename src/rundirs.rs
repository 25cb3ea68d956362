//! The directories the pool and the zerglings create their run-time files in (the pool's
//! socket, master FIFOs, pid files, logs, stats sockets). zergcfg writes configuration, not
//! state, so it does not create them: it names those to create, and warns about those Galaxy's
//! user could not create files in. The directories every Linux system has are never named for
//! creation (a staging tree under `--root` lacks them, the target does not) and never to be
//! handed to Galaxy's user.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::access::Account;
use crate::config::Config;
use crate::plan::on_disk;

/// System directories that take files from every user (sticky and world-writable).
const SHARED: &[&str] = &["/tmp", "/var/tmp", "/dev/shm"];

/// System directories that only root may create files in.
const SYSTEM: &[&str] = &[
    "/",
    "/etc",
    "/home",
    "/opt",
    "/run",
    "/srv",
    "/usr",
    "/usr/local",
    "/var",
    "/var/cache",
    "/var/lib",
    "/var/log",
    "/var/run",
    "/var/spool",
];

/// A run-time directory Galaxy's user could not create files in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotWritable {
    /// The directory, as on the target machine.
    pub dir: PathBuf,
    /// The zerg.toml settings whose files would go there (`zergling.fifo`, `pool.socket`).
    pub settings: Vec<String>,
    /// Its owner and mode, when it was looked at on this machine; `None` for a system directory.
    pub owner_mode: Option<(u32, u32)>,
}

/// What the run-time directories need before the Emperor starts.
#[derive(Debug, Clone, Default)]
pub struct RunDirs {
    /// Directories that do not exist yet, as on the target machine.
    pub missing: Vec<PathBuf>,
    /// Directories that exist but that Galaxy's user could not create files in.
    pub not_writable: Vec<NotWritable>,
}

/// Looks at the run-time directories of `config` (under `root` when given). Whether an existing
/// directory is writable is judged for `layout.user` when this machine knows that user.
pub fn inspect(config: &Config, root: Option<&Path>) -> RunDirs {
    let account = Account::lookup(&config.user, Path::new("/etc/passwd"), Path::new("/etc/group"));
    let root_user = config.user == "root" || account.as_ref().is_some_and(|a| a.uid == 0);
    let mut report = RunDirs::default();

    for (dir, settings) in dirs(config) {
        let text = dir.to_str().unwrap_or_default();
        if SHARED.contains(&text) {
            continue;
        }
        if SYSTEM.contains(&text) {
            if !root_user {
                report.not_writable.push(NotWritable { dir, settings, owner_mode: None });
            }
            continue;
        }
        let Ok(metadata) = std::fs::metadata(on_disk(root, &dir)) else {
            report.missing.push(dir);
            continue;
        };
        let mode = metadata.mode() & 0o7777;
        let writable =
            account.as_ref().is_none_or(|a| a.can_write(metadata.uid(), metadata.gid(), mode));
        if !writable {
            let owner_mode = Some((metadata.uid(), mode));
            report.not_writable.push(NotWritable { dir, settings, owner_mode });
        }
    }
    report
}

/// Each run-time directory with the settings whose files go there, in zerg.toml's order.
fn dirs(config: &Config) -> Vec<(PathBuf, Vec<String>)> {
    let mut paths = vec![("pool.socket".to_string(), config.pool_socket.clone())];
    for (table, instance) in [("zergling", &config.zergling), ("restarter", &config.restarter)] {
        paths.extend(instance.paths().into_iter().map(|(key, p)| (format!("{table}.{key}"), p)));
    }

    let mut dirs: Vec<(PathBuf, Vec<String>)> = Vec::new();
    for (setting, path) in paths {
        let Some(dir) = path.parent() else { continue };
        match dirs.iter_mut().find(|(d, _)| d == dir) {
            Some((_, settings)) => settings.push(setting),
            None => dirs.push((dir.to_path_buf(), vec![setting])),
        }
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn inspect_toml(toml: &str, root: &Path) -> RunDirs {
        inspect(&Config::parse(Source::new("zerg.toml", toml)).unwrap(), Some(root))
    }

    #[test]
    fn missing_directories_are_named_once() {
        let root = tempfile::tempdir().unwrap();
        let dirs = inspect_toml("[layout]\nuser = \"no-such-user-zc\"\n", root.path());
        assert_eq!(dirs.missing, vec![PathBuf::from("/srv/galaxy/var")]);
        assert!(dirs.not_writable.is_empty());

        std::fs::create_dir_all(root.path().join("srv/galaxy/var")).unwrap();
        let dirs = inspect_toml("[layout]\nuser = \"no-such-user-zc\"\n", root.path());
        assert!(dirs.missing.is_empty(), "{:?}", dirs.missing);
    }

    #[test]
    fn system_directories_are_never_to_create_and_root_owned_ones_are_told() {
        let root = tempfile::tempdir().unwrap();
        let toml = "[layout]\nuser = \"no-such-user-zc\"\nvar = \"/tmp\"\n\
                    [restarter]\nfifo = \"/run/restarter.fifo\"\n";
        let dirs = inspect_toml(toml, root.path());
        assert!(dirs.missing.is_empty(), "{:?}", dirs.missing);
        assert_eq!(dirs.not_writable.len(), 1);
        assert_eq!(dirs.not_writable[0].dir, PathBuf::from("/run"));
        assert_eq!(dirs.not_writable[0].settings, vec!["restarter.fifo".to_string()]);

        let as_root = toml.replace("no-such-user-zc", "root");
        assert!(inspect_toml(&as_root, root.path()).not_writable.is_empty());
    }
}
