//! `zergcfg build`: compute the plan, compare each file with what is installed, write what
//! differs.

use std::path::{Path, PathBuf};

use crate::access::{self, Account, Unreadable};
use crate::config::Config;
use crate::error::Result;
use crate::plan::{Access, Plan, Role};
use crate::rundirs::RunDirs;
use crate::write::{self, Outcome, Pending};

/// What `build` did (or, with `check`, would do) to each file.
#[derive(Debug, Clone)]
pub struct Report {
    /// The plan that was applied.
    pub plan: Plan,
    /// One entry per planned file, in plan order.
    pub files: Vec<FileReport>,
    /// The directories uWSGI creates its run-time files in (sockets, FIFOs, pid files, logs)
    /// that do not exist yet or that Galaxy's user could not create files in.
    pub run_dirs: RunDirs,
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
    /// Where its bytes went: `path`, or the file a symbolic link at `path` leads to.
    pub destination: PathBuf,
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
    let gid = write::group_id(config, Path::new("/etc/group"))?;

    let pending =
        plan.files.iter().map(|file| Pending::new(file, root, gid)).collect::<Result<Vec<_>>>()?;

    if !check {
        write::apply(&pending)?;
    }

    let files = pending
        .iter()
        .map(|p| FileReport {
            role: p.file.role,
            path: p.file.on_disk.clone(),
            destination: p.destination.clone(),
            outcome: p.outcome,
        })
        .collect();
    let run_dirs = crate::rundirs::inspect(config, root);
    let unreadable = if check { Vec::new() } else { unreadable_secrets(config, &plan) };
    Ok(Report { plan, files, run_dirs, unreadable })
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
