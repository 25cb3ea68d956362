//! What writing each changed file sets off, said before it happens: the Emperor acts on a
//! vassal file as soon as it is written, the restarter's files only at the next restart.

use std::path::PathBuf;

use crate::plan::{Plan, Role};
use crate::write::Outcome;

use super::FileDiff;

/// When a written file takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum When {
    /// As soon as it is written (the Emperor watches the vassals directory).
    Now,
    /// When the restarter next starts from it.
    NextRestart,
}

/// One thing the administrator should know before writing a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestartNote {
    /// The file it is about.
    pub role: Role,
    /// Where that file is on disk.
    pub on_disk: PathBuf,
    /// When the file takes effect.
    pub when: When,
    /// What happens then, and what to do.
    pub text: String,
    /// The command to run, if one is needed.
    pub command: Option<String>,
}

/// The notes for every file that would be created or changed, in file order.
pub fn notes(plan: &Plan, files: &[FileDiff]) -> Vec<RestartNote> {
    files
        .iter()
        .filter(|f| f.status != Outcome::Unchanged)
        .map(|f| {
            let name = f
                .target
                .file_name()
                .map_or_else(|| f.target.display().to_string(), |n| n.to_string_lossy().into());
            let created = f.status == Outcome::Created;
            let (when, text, command) = match (f.role, created) {
                (Role::Pool, false) => (
                    When::Now,
                    format!(
                        "The Emperor reloads the zergpool as soon as {name} changes. The \
                         zerglings took their sockets from the old pool when they started: once \
                         it is written, run the restart command so that zergling A attaches to \
                         the new pool."
                    ),
                    Some(plan.restart_command.clone()),
                ),
                (Role::Zergling, false) => (
                    When::Now,
                    format!(
                        "The Emperor reloads zergling A in place as soon as {name} changes, \
                         outside the double zerg dance: Galaxy is down and its job-handler mules \
                         are stopped (jobs pause) until A is back. The restarter cannot cover a \
                         reload the Emperor starts: deploy this change when a short outage is \
                         acceptable."
                    ),
                    None,
                ),
                (Role::Pool | Role::Zergling, true) => (
                    When::Now,
                    format!(
                        "A running Emperor starts {} as soon as {name} appears; otherwise \
                         start the Emperor.",
                        if f.role == Role::Pool { "the zergpool" } else { "zergling A" }
                    ),
                    Some(plan.emperor_command.clone()),
                ),
                (Role::Restarter | Role::RestarterJobConf, _) => (
                    When::NextRestart,
                    format!(
                        "{name} takes effect at the next restart, when the restarter starts \
                         from it; nothing running reads it before then."
                    ),
                    Some(plan.restart_command.clone()),
                ),
            };
            RestartNote { role: f.role, on_disk: f.on_disk.clone(), when, text, command }
        })
        .collect()
}
