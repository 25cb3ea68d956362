//! What writing each changed file sets off, said before it happens: the Emperor acts on a
//! vassal file as soon as it is written, the restarter's files only at the next restart.

use std::path::PathBuf;

use crate::plan::{Plan, Role};
use crate::write::Outcome;
use crate::yaml::{self, Node};

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

/// The `mule`, `mules` and `farm` lines of a uWSGI YAML file's `uwsgi:` section, in order:
/// what zergling A's handler names are made of. `None` when the text does not read as one.
pub fn handler_lines(text: &str) -> Option<Vec<String>> {
    let documents = yaml::parse(text).ok()?;
    let section = documents.first()?.root.get_last("uwsgi")?;
    let Node::Mapping { entries, .. } = &section.value else { return None };
    Some(
        entries
            .iter()
            .filter(|e| matches!(e.key.value.as_str(), "mule" | "mules" | "farm"))
            .map(|e| {
                let value = e.value.as_scalar().map_or("", |v| v.value.as_str());
                format!("{}: {value}", e.key.value)
            })
            .collect(),
    )
}

/// The note for a zergling A whose handler lines change: jobs are recovered only by exact
/// handler name, so jobs already assigned to a name that goes away never run.
fn handler_change_note(name: &str, old: &[String], new: &[String]) -> String {
    format!(
        "{name} changes zergling A's mule and farm lines (from `{}` to `{}`), so its job \
         handler names change. Galaxy recovers a job only by its exact handler name: a job \
         already assigned to a name that goes away will never run. Stop Galaxy fully, let every \
         queued and running job finish (or reassign it), then write this change.",
        old.join("; "),
        new.join("; "),
    )
}

/// The notes for every file that would be created or changed, in file order. `installed_a` is
/// the installed zergling A vassal's text, when there is one.
pub fn notes(plan: &Plan, files: &[FileDiff], installed_a: Option<&str>) -> Vec<RestartNote> {
    let zergling_changes =
        files.iter().any(|f| f.role == Role::Zergling && f.status == Outcome::Changed);
    let mut notes: Vec<RestartNote> = files
        .iter()
        .filter(|f| f.status != Outcome::Unchanged)
        .map(|f| {
            let name = f
                .target
                .file_name()
                .map_or_else(|| f.target.display().to_string(), |n| n.to_string_lossy().into());
            let created = f.status == Outcome::Created;
            let (when, text, command) = match (f.role, created) {
                (Role::Pool, false) if zergling_changes => (
                    When::Now,
                    format!(
                        "The Emperor reloads the zergpool as soon as {name} changes; zergling \
                         A's vassal changes too, so the Emperor also reloads zergling A, which \
                         then attaches to the new pool."
                    ),
                    None,
                ),
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
        .collect();

    let zergling = files.iter().find(|f| f.role == Role::Zergling && f.status == Outcome::Changed);
    let planned = plan.files.iter().find(|f| f.role == Role::Zergling);
    if let (Some(f), Some(planned), Some(old)) = (zergling, planned, installed_a) {
        let old = handler_lines(old);
        let new = handler_lines(&planned.content);
        if let (Some(old), Some(new)) = (old, new)
            && old != new
        {
            let name =
                f.target.file_name().map_or_else(String::new, |n| n.to_string_lossy().into());
            let at = notes.iter().position(|n| n.role == Role::Zergling).unwrap_or(notes.len());
            notes.insert(
                at,
                RestartNote {
                    role: Role::Zergling,
                    on_disk: f.on_disk.clone(),
                    when: When::Now,
                    text: handler_change_note(&name, &old, &new),
                    command: None,
                },
            );
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_lines_are_the_mule_and_farm_lines_in_order() {
        let text =
            "# A\nuwsgi:\n  master: true\n  mule: a.py\n  farm: job-handlers:1\n  mules: 2\n";
        assert_eq!(
            handler_lines(text),
            Some(vec!["mule: a.py".into(), "farm: job-handlers:1".into(), "mules: 2".into()])
        );
        assert_eq!(handler_lines("uwsgi: [\n"), None);
        assert_eq!(handler_lines("other: 1\n"), None);
    }

    #[test]
    fn the_handler_note_names_both_layouts() {
        let old =
            vec!["mule: m.py".to_string(), "mule: m.py".into(), "farm: job-handlers:1,2".into()];
        let new = vec!["mule: m.py".to_string(), "farm: job-handlers:1".into()];
        let note = handler_change_note("vassal-zergling.yml", &old, &new);
        assert!(note.contains("from `mule: m.py; mule: m.py; farm: job-handlers:1,2` to `mule: m.py; farm: job-handlers:1`"), "{note}");
        assert!(note.contains("will never run"), "{note}");
    }
}
