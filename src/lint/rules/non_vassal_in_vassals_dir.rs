//! ZC402 non-vassal-in-vassals-dir: a file the Emperor would start that is no vassal.
//!
//! The Emperor starts every `.yml .yaml .ini .xml .json .js` file in its directory. Other
//! applications' vassals belong there; galaxy.yml (a second Galaxy), the restarter (started at
//! once and again and again), a job conf, a second copy of the pool or zergling A, or a file with
//! no uwsgi section (an instance with nothing to run, started again each time it exits) do not.
//! Which directories are the vassals directory, and which files are vassals, is
//! [`crate::lint::layout`]'s business.

use super::syntax::{first_content_line, in_dirs, vassals_dirs};
use crate::lint::layout::{self, NonVassal, VASSAL_SUFFIXES};
use crate::lint::{FileSet, Finding, Role, Rule, RuleInfo, Severity};

/// The rule's description.
pub static RULE: RuleInfo = RuleInfo {
    code: "ZC402",
    name: "non-vassal-in-vassals-dir",
    severity: Severity::Error,
    summary: "a file the Emperor would start from the vassals directory is no vassal: galaxy.yml, \
              the restarter, a job conf, a copy of the pool or zergling A, a file without a uwsgi \
              section",
    why: "The Emperor starts every file ending in .yml, .yaml, .ini, .xml, .json or .js in its \
          directory, and starts it again each time it exits. Other applications' vassals belong \
          there, and are left alone. galaxy.yml there starts a second Galaxy; the restarter there \
          runs at once and forever, stopping zergling A each time it comes back; a second copy of \
          zergling A (`vassal-zergling.old.yml`) runs its handler names twice; a job conf, notes or \
          any file without a uwsgi section start an instance with nothing to run, which exits and \
          is started again and again. Only vassals belong there.",
    bad: "/srv/galaxy/vassals/vassal-zergpool.yml\n/srv/galaxy/vassals/vassal-zergling.yml\n\
          /srv/galaxy/vassals/galaxy.yml\n",
    good: "/srv/galaxy/vassals/vassal-zergpool.yml\n/srv/galaxy/vassals/vassal-zergling.yml\n\
           /srv/galaxy/vassals/reports.ini\n/srv/galaxy/config/galaxy.yml\n",
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
            let path = &file.source.path;
            if !layout::started_by_emperor(path) || !in_dirs(path, &dirs) {
                continue;
            }
            let Some(why) = layout::non_vassal(set, index) else {
                continue;
            };

            let name =
                path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let move_it =
                format!("move `{name}` to {config_dir} and update the paths that name it");
            let rename_it = format!(
                "move `{name}` out of the vassals directory, or rename it so that its name no \
                 longer ends in {} (`{name}.bak`): the Emperor starts files with those endings only",
                VASSAL_SUFFIXES.join(" ")
            );
            let (what, help) = match why {
                NonVassal::Galaxy { named: true } => {
                    ("so the Emperor starts galaxy.yml as a second Galaxy".to_string(), move_it)
                }
                NonVassal::Galaxy { named: false } => (
                    "and holds a `galaxy:` section: the Emperor starts it as a second Galaxy"
                        .to_string(),
                    move_it,
                ),
                NonVassal::Restarter => (
                    "so the Emperor starts the restarter at once and respawns it each time it \
                     exits, stopping zergling A again and again"
                        .to_string(),
                    move_it,
                ),
                NonVassal::JobConf => (
                    "so the Emperor starts the job conf as an XML vassal, which has nothing to \
                     run, exits and is started again and again"
                        .to_string(),
                    move_it,
                ),
                NonVassal::Copy { of, shown_by } => {
                    let second = if of == Role::Pool {
                        "a second zergpool on the dance's socket"
                    } else {
                        "a second zergling A, running its handler names twice"
                    };
                    (format!("and {shown_by}: the Emperor starts it as {second}"), rename_it)
                }
                NonVassal::NoSection { missing } => (
                    format!(
                        "and has no {missing}: the Emperor starts it all the same, and the \
                         instance, with nothing to run, exits and is started again and again"
                    ),
                    rename_it,
                ),
                NonVassal::NotText => (
                    "and is not text: the Emperor starts it all the same, uWSGI reads no \
                     configuration from it, and the instance exits and is started again and again"
                        .to_string(),
                    rename_it,
                ),
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
    fn other_applications_vassals_are_left_alone() {
        let files = set_at(&[
            ("/srv/galaxy/vassals/vassal-zergpool.yml", POOL),
            ("/srv/galaxy/vassals/reports.yml", "uwsgi:\n  socket: 127.0.0.1:9000\n"),
            ("/srv/galaxy/vassals/other.ini", "[uwsgi]\nsocket = 127.0.0.1:9001\n"),
            ("/srv/galaxy/vassals/notes.yml", "# what runs here\nreports: port 9000\n"),
        ]);
        let found = check(&NonVassalInVassalsDir, &files);
        let hit: Vec<usize> = found.iter().map(|f| f.file).collect();
        assert_eq!(hit, vec![3]);
        assert!(found[0].message.contains("has no `uwsgi:` section"), "{}", found[0].message);
    }

    #[test]
    fn a_folder_of_config_files_is_no_vassals_directory() {
        let files = set_at(&[
            ("repo/vassal-zergpool.yml", POOL),
            ("repo/galaxy.yml", "uwsgi:\n  master: true\ngalaxy:\n  brand: x\n"),
            ("repo/job_conf.xml", "<job_conf/>\n"),
        ]);
        assert!(check(&NonVassalInVassalsDir, &files).is_empty());
    }

    #[test]
    fn no_vassals_dir_known() {
        let files = set_at(&[("/srv/galaxy/config/galaxy.yml", "uwsgi:\n  master: true\n")]);
        assert!(check(&NonVassalInVassalsDir, &files).is_empty());
    }
}
