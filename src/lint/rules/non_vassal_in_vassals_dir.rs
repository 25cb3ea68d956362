//! ZC402 non-vassal-in-vassals-dir: a file the Emperor would start that is not a vassal.
//!
//! The Emperor starts every `.yml .yaml .ini .xml .json .js` file in its directory. galaxy.yml
//! there is a second Galaxy, the restarter there is started (and respawned) at once and stops
//! zergling A again and again, a job conf or a backup copy is one more instance. The vassals
//! directory is zerg.toml's `layout.vassals`, or the directory holding the pool and zergling A.

use super::syntax::{first_content_line, in_dirs, vassal_extension, vassals_dirs};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC402",
    name: "non-vassal-in-vassals-dir",
    severity: Severity::Error,
    summary: "galaxy.yml, the restarter, a job conf or a copy sits in the vassals directory, \
              where the Emperor starts it",
    why: "The Emperor starts every file ending in .yml, .yaml, .ini, .xml, .json or .js in its \
          directory, and respawns it when it exits. galaxy.yml there starts a second Galaxy; the \
          restarter there runs at once and forever, stopping zergling A each time it comes back; \
          a job conf or a backup copy of a vassal (`vassal-zergling.old.yml`) is one more \
          instance fighting for the same names. Only the pool and zergling A belong there.",
    bad: "/srv/galaxy/vassals/vassal-zergpool.yml\n/srv/galaxy/vassals/vassal-zergling.yml\n\
          /srv/galaxy/vassals/galaxy.yml\n",
    good: "/srv/galaxy/vassals/vassal-zergpool.yml\n/srv/galaxy/vassals/vassal-zergling.yml\n\
           /srv/galaxy/config/galaxy.yml\n",
};

/// The rule.
pub struct NonVassalInVassalsDir;

impl Rule for NonVassalInVassalsDir {
    fn info(&self) -> &'static RuleInfo {
        &RULE
    }

    fn check(&self, set: &FileSet, out: &mut Vec<Finding>) {
        let dirs = vassals_dirs(set);
        if dirs.is_empty() {
            return;
        }
        let config_dir = set.config.as_ref().map_or_else(
            || "/srv/galaxy/config".to_string(),
            |c| c.config_dir.display().to_string(),
        );

        for (index, file) in set.files.iter().enumerate() {
            if matches!(file.role, Role::Pool | Role::Zergling) {
                continue;
            }
            let path = &file.source.path;
            let Some(ext) = vassal_extension(path) else {
                continue;
            };
            if !in_dirs(path, &dirs) {
                continue;
            }

            let name =
                path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let what = match file.role {
                Role::GalaxyConfig => {
                    "so the Emperor starts galaxy.yml as a second Galaxy".to_string()
                }
                Role::Restarter => "so the Emperor starts the restarter at once and respawns it \
                                    each time it exits, stopping zergling A again and again"
                    .to_string(),
                Role::JobConf | Role::RestarterJobConf => {
                    "so the Emperor tries to start the job conf as an XML vassal".to_string()
                }
                _ => format!("and ends in `.{ext}`, so the Emperor starts it as a vassal too"),
            };
            let help = if file.role == Role::Other {
                format!(
                    "move `{name}` out of the vassals directory, or, if it is a backup copy, \
                     rename it so that it ends in `.bak`"
                )
            } else {
                format!("move `{name}` to {config_dir} and update the paths that name it")
            };
            out.push(Finding::new(
                &RULE,
                index,
                first_content_line(&file.source.text),
                format!("`{name}` is in the vassals directory, {what}"),
                "started by the Emperor",
                help,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::{check, set_at};

    const POOL: &str = "uwsgi:\n  zergpool: /srv/galaxy/var/zergpool.sock:127.0.0.1:8080\n";

    #[test]
    fn files_beside_the_vassals() {
        let files = set_at(&[
            ("/srv/galaxy/vassals/vassal-zergpool.yml", POOL),
            ("/srv/galaxy/vassals/galaxy.yml", "# Galaxy\nuwsgi:\n  master: true\n"),
            ("/srv/galaxy/vassals/job_conf.xml", "<?xml version=\"1.0\"?>\n<job_conf/>\n"),
            ("/srv/galaxy/vassals/vassal-zergling.old.yml", "uwsgi:\n  master: true\n"),
            ("/srv/galaxy/vassals/vassal-zergling.yml.bak", "uwsgi:\n  master: true\n"),
            ("/srv/galaxy/config/galaxy-restarter.yml", "uwsgi:\n  master: true\n"),
        ]);
        let found = check(&NonVassalInVassalsDir, &files);
        let hit: Vec<(usize, &str)> = found
            .iter()
            .map(|f| (f.file, &files.files[f.file].source.text[f.span.clone()]))
            .collect();
        assert_eq!(hit, vec![(1, "uwsgi:"), (2, "<job_conf/>"), (3, "uwsgi:")]);
    }

    #[test]
    fn no_vassals_dir_known() {
        let files = set_at(&[("/srv/galaxy/config/galaxy.yml", "uwsgi:\n  master: true\n")]);
        assert!(check(&NonVassalInVassalsDir, &files).is_empty());
    }
}
