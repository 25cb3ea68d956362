//! `zergcfg diff`: everything `build` would write, compared in memory with what is installed,
//! as one unified diff per file with secrets masked, the mode and group changes, and what the
//! Emperor and the restarter will do once the files are written.

mod notes;
mod unified;

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Result;
use crate::plan::{Plan, Role};
use crate::write::{self, Outcome, Pending};

pub use notes::{RestartNote, When};
pub use unified::{Line, LineKind};

/// How the diff is made.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Print secret values in clear instead of masking them.
    pub show_secrets: bool,
}

/// A value before and after; `from` is `None` for a file that does not exist yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    /// What is installed.
    pub from: Option<u32>,
    /// What `build` would leave.
    pub to: u32,
}

/// One planned file compared with what is installed.
#[derive(Debug, Clone)]
pub struct FileDiff {
    /// What the file is.
    pub role: Role,
    /// Where it lives on the target machine.
    pub target: PathBuf,
    /// Where it is read and would be written (under `--root` when given).
    pub on_disk: PathBuf,
    /// Would be created, changed, or left alone.
    pub status: Outcome,
    /// The permission bits, when they would be set or changed.
    pub mode: Option<Change>,
    /// The group id, when it would be set or changed.
    pub group: Option<Change>,
    /// The unified diff, headers included; empty when the content is the same.
    pub lines: Vec<Line>,
}

impl FileDiff {
    /// The unified diff as text, one line per line, each ending in a newline.
    pub fn unified(&self) -> String {
        let mut text = String::new();
        for line in &self.lines {
            text.push_str(&line.text);
            text.push('\n');
        }
        text
    }
}

/// How many files fall in each outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Files that would change.
    pub change: usize,
    /// Files that would be created.
    pub create: usize,
    /// Files already as planned.
    pub unchanged: usize,
}

impl Summary {
    /// `2 to change, 1 to create, 1 unchanged`, counts of zero left out.
    pub fn sentence(&self) -> String {
        let parts =
            [(self.change, "to change"), (self.create, "to create"), (self.unchanged, "unchanged")];
        let words: Vec<String> =
            parts.iter().filter(|(n, _)| *n > 0).map(|(n, w)| format!("{n} {w}")).collect();
        if words.is_empty() { "no files".to_string() } else { words.join(", ") }
    }
}

/// Everything `diff` found.
#[derive(Debug, Clone)]
pub struct Report {
    /// The plan compared.
    pub plan: Plan,
    /// One entry per planned file, in plan order.
    pub files: Vec<FileDiff>,
    /// What writing the changed files would set off, in file order.
    pub notes: Vec<RestartNote>,
    /// Whether secrets were left in clear.
    pub secrets_shown: bool,
}

impl Report {
    /// Whether any file would be created or changed.
    pub fn any_change(&self) -> bool {
        self.files.iter().any(|f| f.status != Outcome::Unchanged)
    }

    /// Counts per outcome.
    pub fn summary(&self) -> Summary {
        let mut summary = Summary::default();
        for file in &self.files {
            match file.status {
                Outcome::Changed => summary.change += 1,
                Outcome::Created => summary.create += 1,
                Outcome::Unchanged => summary.unchanged += 1,
            }
        }
        summary
    }

    /// The machine-readable change list of `--format json`.
    pub fn to_json(&self) -> serde_json::Value {
        let files: Vec<serde_json::Value> = self
            .files
            .iter()
            .map(|f| {
                let change = |c: Option<Change>, octal: bool| {
                    c.map_or(serde_json::Value::Null, |c| {
                        let show = |v: u32| {
                            if octal {
                                serde_json::Value::from(format!("{v:04o}"))
                            } else {
                                serde_json::Value::from(v)
                            }
                        };
                        serde_json::json!({ "from": c.from.map(show), "to": show(c.to) })
                    })
                };
                serde_json::json!({
                    "path": f.on_disk.display().to_string(),
                    "target": f.target.display().to_string(),
                    "role": f.role,
                    "status": status_word(f.status),
                    "mode": change(f.mode, true),
                    "group": change(f.group, false),
                    "diff": f.unified(),
                })
            })
            .collect();
        let notes: Vec<serde_json::Value> = self
            .notes
            .iter()
            .map(|n| {
                serde_json::json!({
                    "path": n.on_disk.display().to_string(),
                    "role": n.role,
                    "when": n.when,
                    "note": n.text,
                    "command": n.command,
                })
            })
            .collect();
        serde_json::json!({
            "files": files,
            "summary": self.summary(),
            "restart": notes,
            "secrets_shown": self.secrets_shown,
        })
    }
}

/// The word `--format json` uses for an outcome.
pub fn status_word(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Created => "create",
        Outcome::Changed => "change",
        Outcome::Unchanged => "unchanged",
    }
}

/// Compares the deployment `config` describes with what is installed (under `root` when given).
/// Nothing is written.
///
/// # Errors
/// Bad input, as for `build`, or an installed file that cannot be read.
pub fn diff(config: &Config, root: Option<&Path>, options: Options) -> Result<Report> {
    let plan = Plan::compute(config, root)?;
    let gid = write::group_id(config, Path::new("/etc/group"))?;

    let mut pending = Vec::with_capacity(plan.files.len());
    for file in &plan.files {
        pending.push(Pending::new(file, root, gid)?);
    }

    // What is installed holds secrets too (the ones about to be replaced): they are masked like
    // the new ones, and every value of either wherever it turns up.
    let mut secrets = plan.secrets.clone();
    let old_texts: Vec<Option<String>> = pending
        .iter()
        .map(|p| p.installed.as_ref().map(|i| String::from_utf8_lossy(&i.content).into_owned()))
        .collect();
    for (file, old) in plan.files.iter().zip(&old_texts) {
        if let Some(old) = old {
            secrets.add(file.role.kind(), old);
        }
    }
    let hidden = (!options.show_secrets).then_some(&secrets);

    let mut files = Vec::with_capacity(plan.files.len());
    for ((file, pending), old) in plan.files.iter().zip(&pending).zip(&old_texts) {
        let Pending { installed, wanted, outcome: status, .. } = pending;
        let (wanted, status) = (*wanted, *status);

        let mode = match installed {
            None => Some(Change { from: None, to: wanted.mode }),
            Some(i) if i.mode != wanted.mode => {
                Some(Change { from: Some(i.mode), to: wanted.mode })
            }
            Some(_) => None,
        };
        let group = wanted.gid.and_then(|gid| match installed {
            None => Some(Change { from: None, to: gid }),
            Some(i) if i.gid != gid => Some(Change { from: Some(i.gid), to: gid }),
            Some(_) => None,
        });

        let lines = unified::lines(file, old.as_deref(), hidden);
        files.push(FileDiff {
            role: file.role,
            target: file.target.clone(),
            on_disk: file.on_disk.clone(),
            status,
            mode,
            group,
            lines,
        });
    }

    let installed_a =
        plan.files.iter().zip(&old_texts).find_map(|(file, old)| {
            (file.role == Role::Zergling).then_some(old.as_deref()).flatten()
        });
    let mut notes = notes::notes(&plan, &files, installed_a);
    if let Some(secrets) = hidden {
        for note in &mut notes {
            note.text = secrets.hide(&note.text);
        }
    }
    Ok(Report { plan, files, notes, secrets_shown: options.show_secrets })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn example() -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let from = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/example");
        for file in ["zerg.toml", "srv/galaxy/config/galaxy.yml", "srv/galaxy/config/job_conf.xml"]
        {
            let to = dir.path().join(file);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(from.join(file), to).unwrap();
        }
        let config = Config::load(&dir.path().join("zerg.toml")).unwrap();
        (dir, config)
    }

    #[test]
    fn nothing_installed_is_all_create() {
        let (dir, config) = example();
        let report = diff(&config, Some(dir.path()), Options::default()).unwrap();
        assert_eq!(report.summary(), Summary { change: 0, create: 4, unchanged: 0 });
        assert_eq!(report.summary().sentence(), "4 to create");
        assert!(report.files.iter().all(|f| f.lines[0].text == "--- /dev/null"));
        assert_eq!(report.notes.len(), 4);
    }

    #[test]
    fn a_symlink_loop_at_a_target_is_an_error_naming_it() {
        let (dir, config) = example();
        let vassals = dir.path().join("srv/galaxy/vassals");
        std::fs::create_dir_all(&vassals).unwrap();
        std::os::unix::fs::symlink("vassal-zergpool.yml", vassals.join("vassal-zergpool.yml"))
            .unwrap();

        let error = diff(&config, Some(dir.path()), Options::default()).unwrap_err();
        assert!(error.message().contains("vassal-zergpool.yml"), "{}", error.message());
    }

    #[test]
    fn json_lists_every_file_with_its_status() {
        let (dir, config) = example();
        let json = diff(&config, Some(dir.path()), Options::default()).unwrap().to_json();
        assert_eq!(json["files"].as_array().map(Vec::len), Some(4));
        assert_eq!(json["files"][2]["status"], "create");
        assert_eq!(json["files"][2]["mode"]["to"], "0600");
        assert_eq!(json["files"][2]["mode"]["from"], serde_json::Value::Null);
        assert_eq!(json["summary"]["create"], 4);
        assert_eq!(json["restart"][2]["when"], "next-restart");
        assert!(!json.to_string().contains("Zq8-db-pass-3kT"));
    }
}
