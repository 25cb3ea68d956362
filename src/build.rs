//! `zergcfg build`: compute the plan, compare each file with what is installed, write what
//! differs.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Result;
use crate::plan::{Plan, Role};
use crate::write::{self, Outcome};

/// What `build` did (or, with `check`, would do) to each file.
#[derive(Debug, Clone)]
pub struct Report {
    /// The plan that was applied.
    pub plan: Plan,
    /// One entry per planned file, in plan order.
    pub files: Vec<FileReport>,
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
    Ok(Report { plan, files })
}
