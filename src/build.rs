//! `zergcfg build`: compute the plan, compare each file with what is installed, write what
//! differs.

use std::path::{Path, PathBuf};

use crate::access::{self, Account, Unreadable};
use crate::config::Config;
use crate::error::Result;
use crate::plan::{Access, Plan, Role};
use crate::write::{self, Outcome};

/// What `build` did (or, with `check`, would do) to each file.
#[derive(Debug, Clone)]
pub struct Report {
    /// The plan that was applied.
    pub plan: Plan,
    /// One entry per planned file, in plan order.
    pub files: Vec<FileReport>,
    /// Directories uWSGI needs at run time (sockets, FIFOs, pid files, logs) that do not exist
    /// yet, as on the target machine.
    pub missing_dirs: Vec<PathBuf>,
    /// Files holding secrets that Galaxy's user (`layout.user`) cannot read as written, so the
    /// restart (or, for a vassal, the Emperor) would fail; empty when that user is unknown on
    /// this machine.
    pub unreadable: Vec<(PathBuf, Unreadable)>,
}

/// One file's outcome.
#[derive(Debug, Clone)]
pub struct FileReport {
    /// What the file is.
    pub role: Role,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Created, changed or unchanged.
    pub outcome: Outcome,
}

impl Report {
    /// Whether any file was (or would be) created or changed.
    pub fn any_change(&self) -> bool {
        self.files.iter().any(|f| f.outcome != Outcome::Unchanged)
    }
}

/// Builds the deployment `config` describes, under `root` when given. With `check`, nothing is
/// written and the report says what would change.
///
/// # Errors
/// Bad input (nothing is written then) or a write that failed (installed files are left as
/// they were).
pub fn build(config: &Config, root: Option<&Path>, check: bool) -> Result<Report> {
    let plan = Plan::compute(config, root)?;

    let mut staged = Vec::new();
    for file in &plan.files {
        let installed = write::installed(&file.on_disk)?;
        let wanted = write::wanted(file, installed.as_ref(), Path::new("/etc/group"))?;
        let outcome = write::outcome(file, installed.as_ref(), wanted);
        staged.push((file.clone(), installed, wanted, outcome));
    }

    if !check {
        write::apply(&staged)?;
    }

    let files = staged
        .iter()
        .map(|(file, _, _, outcome)| FileReport {
            role: file.role,
            path: file.on_disk.clone(),
            outcome: *outcome,
        })
        .collect();
    let missing_dirs = runtime_dirs(config)
        .into_iter()
        .filter(|dir| !crate::plan::on_disk(root, dir).is_dir())
        .collect();
    let unreadable = if check { Vec::new() } else { unreadable_secrets(config, &plan) };
    Ok(Report { plan, files, missing_dirs, unreadable })
}

/// The written files holding secrets that `layout.user` cannot read.
fn unreadable_secrets(config: &Config, plan: &Plan) -> Vec<(PathBuf, Unreadable)> {
    let Some(account) =
        Account::lookup(&config.user, Path::new("/etc/passwd"), Path::new("/etc/group"))
    else {
        return Vec::new();
    };
    plan.files
        .iter()
        .filter(|file| matches!(file.access, Access::Secret { .. }))
        .filter_map(|file| {
            access::unreadable(&file.on_disk, &account).map(|u| (file.on_disk.clone(), u))
        })
        .collect()
}

/// The directories holding what the zerglings and the pool create at run time: zergcfg writes
/// configuration, not state, so it names them rather than creating them with the wrong owner.
fn runtime_dirs(config: &Config) -> Vec<PathBuf> {
    let mut paths = vec![config.pool_socket.clone()];
    for instance in [&config.zergling, &config.restarter] {
        paths.extend([instance.fifo.clone(), instance.pidfile.clone(), instance.logto.clone()]);
        if instance.stats.starts_with('/') {
            paths.push(PathBuf::from(&instance.stats));
        }
    }

    let mut dirs: Vec<PathBuf> = Vec::new();
    for dir in paths.iter().filter_map(|p| p.parent()) {
        if !dirs.iter().any(|d| d == dir) {
            dirs.push(dir.to_path_buf());
        }
    }
    dirs
}
