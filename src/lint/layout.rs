//! The Emperor's directory: which directories of a lint run are taken for it, and which of the
//! files in it are vassals.
//!
//! The Emperor starts every regular file whose name ends in `.yml .yaml .ini .xml .json .js` in
//! its directory and starts it again each time it exits; FIFOs, sockets and other names it
//! leaves alone (uWSGI's `core/emperor.c`). Such a directory commonly holds other
//! applications' vassals beside the dance's pool and zergling A. What does not belong there is
//! a file that is no vassal: galaxy.yml, the restarter, a job conf, a second copy of the pool or
//! zergling A, a file without a uwsgi section.
//!
//! A directory is taken for the vassals directory when zerg.toml's `layout.vassals` names it,
//! when it has that directory's name (`vassals` without zerg.toml), or when it holds the pool or
//! zergling A and nothing that is no vassal. A directory holding the pool or zergling A beside
//! galaxy.yml, the restarter or a job conf is a folder of configuration files (a repository
//! checked before it is deployed), not an Emperor's directory.

use std::path::{Path, PathBuf};

use crate::lint::rules::syntax::{in_dirs, options_of};
use crate::lint::{FileSet, LintFile, Role};

/// The vassals directory's name when zerg.toml does not give one.
const DEFAULT_NAME: &str = "vassals";

pub use crate::uwsgi::{VASSAL_SUFFIXES, started_by_emperor};

/// What makes a directory the vassals directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// zerg.toml's `layout.vassals` names it.
    Config,
    /// It has the name of zerg.toml's vassals directory (`vassals` by default).
    Name,
    /// It holds the pool or zergling A, and every other file in it is a vassal too.
    OnlyVassals,
}

/// A directory taken for the Emperor's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VassalsDir {
    /// The directory, as the files' paths name it (`.` for bare file names).
    pub path: PathBuf,
    /// Why it is taken for the vassals directory.
    pub evidence: Evidence,
}

/// A directory holding the pool or zergling A that is not taken for the vassals directory,
/// because other files of the dance sit beside them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFolder {
    /// The directory.
    pub path: PathBuf,
    /// The files in it that would be no vassals, by index in the set.
    pub non_vassals: Vec<usize>,
}

/// How the directories of a run are taken.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directories {
    /// The vassals directories: zerg.toml's first, then those of the files, in file order.
    pub vassals: Vec<VassalsDir>,
    /// The folders of configuration files that hold the pool or zergling A.
    pub config_folders: Vec<ConfigFolder>,
}

/// Why a file the Emperor would start is no vassal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NonVassal {
    /// galaxy.yml (its role or name says so), or a file with a `galaxy:` section.
    Galaxy {
        /// Whether its role or name says it is galaxy.yml (else only its content does).
        named: bool,
    },
    /// The restarter.
    Restarter,
    /// A job conf.
    JobConf,
    /// A second pool or zergling A.
    Copy {
        /// The role it copies.
        of: Role,
        /// What shows it, in words (`is named like zergling A's vassal`).
        shown_by: String,
    },
    /// No section uWSGI would read from it.
    NoSection {
        /// The section missing, in words (`a uwsgi: section`).
        missing: &'static str,
    },
    /// Not text at all.
    NotText,
}

/// How the directories of `set` are taken: zerg.toml's vassals directory, then each directory
/// holding a file of the set, judged by its name and then by what it holds.
pub fn directories(set: &FileSet) -> Directories {
    let mut out = Directories::default();
    let configured: Vec<PathBuf> = set.config.iter().map(|c| c.vassals.clone()).collect();
    for path in &configured {
        out.vassals.push(VassalsDir { path: path.clone(), evidence: Evidence::Config });
    }
    let name = set
        .config
        .as_ref()
        .and_then(|c| c.vassals.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or(DEFAULT_NAME);

    let mut seen: Vec<PathBuf> = Vec::new();
    for file in &set.files {
        let dir = parent(&file.source.path);
        if seen.contains(&dir) {
            continue;
        }
        seen.push(dir.clone());
        if in_dirs(&file.source.path, &configured) {
            continue;
        }
        if dir_name(&dir).as_deref() == Some(name) {
            out.vassals.push(VassalsDir { path: dir, evidence: Evidence::Name });
            continue;
        }

        let members: Vec<usize> =
            (0..set.files.len()).filter(|&i| parent(&set.files[i].source.path) == dir).collect();
        let holds_a_vassal =
            members.iter().any(|&i| matches!(set.files[i].role, Role::Pool | Role::Zergling));
        if !holds_a_vassal {
            continue;
        }
        let non_vassals: Vec<usize> = members
            .into_iter()
            .filter(|&i| started_by_emperor(&set.files[i].source.path))
            .filter(|&i| non_vassal(set, i).is_some())
            .collect();
        if non_vassals.is_empty() {
            out.vassals.push(VassalsDir { path: dir, evidence: Evidence::OnlyVassals });
        } else {
            out.config_folders.push(ConfigFolder { path: dir, non_vassals });
        }
    }
    out
}

/// The vassals directories of `set`.
pub fn vassals_dirs(set: &FileSet) -> Vec<PathBuf> {
    directories(set).vassals.into_iter().map(|d| d.path).collect()
}

/// A file's directory as a path to compare: `.` for a bare file name.
pub fn parent(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// A directory's own name, looked up on disk for `.` and `..`.
fn dir_name(dir: &Path) -> Option<String> {
    let named = dir.file_name().and_then(|n| n.to_str()).map(str::to_string);
    named.or_else(|| {
        let real = dir.canonicalize().ok()?;
        real.file_name().and_then(|n| n.to_str()).map(str::to_string)
    })
}

/// Why file `index` of `set` is no vassal, if it is none (a file that could not be read is
/// given the benefit of the doubt: ZC001 reports it already).
pub fn non_vassal(set: &FileSet, index: usize) -> Option<NonVassal> {
    let file = set.files.get(index)?;
    match file.role {
        Role::Pool | Role::Zergling => return None,
        Role::GalaxyConfig => return Some(NonVassal::Galaxy { named: true }),
        Role::Restarter => return Some(NonVassal::Restarter),
        Role::JobConf | Role::RestarterJobConf => return Some(NonVassal::JobConf),
        Role::Other => {}
    }
    if file.read_error.is_some() {
        return None;
    }

    let name = file.source.path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    match Role::from_file_name(name) {
        Some(Role::GalaxyConfig) => return Some(NonVassal::Galaxy { named: true }),
        Some(Role::Restarter) => return Some(NonVassal::Restarter),
        Some(Role::JobConf | Role::RestarterJobConf) => return Some(NonVassal::JobConf),
        _ => {}
    }
    for (prefix, of) in [("vassal-zergling", Role::Zergling), ("vassal-zergpool", Role::Pool)] {
        if name.starts_with(prefix) {
            let shown_by = format!("is named like {}", of.describe());
            return Some(NonVassal::Copy { of, shown_by });
        }
    }

    let text = file.source.text.strip_prefix('\u{feff}').unwrap_or(&file.source.text);
    if text.contains(['\u{fffd}', '\0']) {
        return Some(NonVassal::NotText);
    }
    // The Emperor picks the reader by the name's ending, case and all.
    match VASSAL_SUFFIXES.iter().find(|suffix| name.ends_with(*suffix)).copied() {
        Some(".ini") => {
            let has = text.lines().any(|l| l.trim() == "[uwsgi]");
            return (!has).then_some(NonVassal::NoSection { missing: "`[uwsgi]` section" });
        }
        Some(".xml") => {
            return match first_element(text) {
                Some("uwsgi") => None,
                Some("job_conf") => Some(NonVassal::JobConf),
                _ => Some(NonVassal::NoSection { missing: "`<uwsgi>` root element" }),
            };
        }
        Some(".json" | ".js") => {
            let value: Option<serde_json::Value> = serde_json::from_str(text).ok();
            let has = value
                .as_ref()
                .and_then(|v| v.get("uwsgi"))
                .is_some_and(serde_json::Value::is_object);
            return (!has).then_some(NonVassal::NoSection { missing: "`uwsgi` object" });
        }
        _ => {}
    }

    let keys = top_level_keys(text);
    if keys.contains(&"galaxy") {
        return Some(NonVassal::Galaxy { named: false });
    }
    if !keys.contains(&"uwsgi") {
        return Some(NonVassal::NoSection { missing: "`uwsgi:` section" });
    }
    copy_by_socket(set, file)
}

/// A YAML vassal that attaches to the dance's pool socket, or serves it: a second zergling A or
/// a second pool.
fn copy_by_socket(set: &FileSet, file: &LintFile) -> Option<NonVassal> {
    let sockets = pool_sockets(set);
    let options = options_of(file)?;
    for option in options.iter() {
        let value = option.value.trim();
        let (of, socket) = match option.key.as_str() {
            "zerg" => (Role::Zergling, value),
            "zergpool" | "zerg-pool" => (Role::Pool, value.split(':').next().unwrap_or_default()),
            _ => continue,
        };
        if sockets.iter().any(|s| s == socket) {
            let verb = if of == Role::Pool { "serves" } else { "attaches to" };
            let shown_by = format!("{verb} the dance's zergpool socket `{socket}`");
            return Some(NonVassal::Copy { of, shown_by });
        }
    }
    None
}

/// The unix sockets of the dance's pool: from the pool's `zergpool` lines, and zerg.toml's.
fn pool_sockets(set: &FileSet) -> Vec<String> {
    let mut sockets: Vec<String> =
        set.config.iter().map(|c| c.pool_socket.display().to_string()).collect();
    for (_, pool) in set.all_by_role(Role::Pool) {
        for option in pool.options().unwrap_or(&[]) {
            if option.key == "zergpool" || option.key == "zerg-pool" {
                if let Some((socket, _)) = option.value.trim().split_once(':') {
                    sockets.push(socket.to_string());
                }
            }
        }
    }
    sockets
}

/// The keys at the start of a line of YAML text (`uwsgi`, `galaxy`), as both of uWSGI's readers
/// find sections.
fn top_level_keys(text: &str) -> Vec<&str> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '\t', '#', '-', '%', '.']))
        .filter_map(|l| l.split_once(':'))
        .map(|(key, _)| key.trim().trim_matches(['"', '\'']))
        .collect()
}

/// The name of the first element of an XML text, after its declaration and comments.
fn first_element(text: &str) -> Option<&str> {
    let mut rest = text.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = after.split_once('>')?.1.trim_start();
        } else {
            let after = rest.strip_prefix('<')?;
            let end = after.find(|c: char| c.is_whitespace() || c == '>' || c == '/')?;
            return Some(&after[..end]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::set_at;

    const POOL: &str = "uwsgi:\n  zergpool: /srv/galaxy/var/zergpool.sock:127.0.0.1:8080\n";
    const ZERGLING: &str = "uwsgi:\n  zerg: /srv/galaxy/var/zergpool.sock\n  chdir: /srv\n";

    fn judged(files: &[(&str, &str)]) -> Directories {
        directories(&set_at(files))
    }

    #[test]
    fn a_directory_named_vassals_is_one_whatever_it_holds() {
        let d = judged(&[
            ("/a/vassals/vassal-zergpool.yml", POOL),
            ("/a/vassals/galaxy.yml", "galaxy:\n  brand: x\n"),
        ]);
        assert_eq!(
            d.vassals,
            vec![VassalsDir { path: "/a/vassals".into(), evidence: Evidence::Name }]
        );
        assert!(d.config_folders.is_empty());
    }

    #[test]
    fn a_folder_with_galaxy_yml_beside_the_vassals_is_a_config_folder() {
        let d = judged(&[
            ("/repo/vassal-zergpool.yml", POOL),
            ("/repo/vassal-zergling.yml", ZERGLING),
            ("/repo/galaxy.yml", "uwsgi:\n  socket: :8080\ngalaxy:\n  brand: x\n"),
            ("/repo/job_conf.xml", "<job_conf/>"),
            ("/repo/README.md", "notes"),
        ]);
        assert!(d.vassals.is_empty());
        assert_eq!(
            d.config_folders,
            vec![ConfigFolder { path: "/repo".into(), non_vassals: vec![2, 3] }]
        );
    }

    #[test]
    fn a_folder_of_vassals_only_is_one() {
        let d = judged(&[
            ("/etc/uwsgi/apps/vassal-zergpool.yml", POOL),
            ("/etc/uwsgi/apps/reports.ini", "[uwsgi]\nsocket = :9000\n"),
        ]);
        assert_eq!(d.vassals[0].evidence, Evidence::OnlyVassals);
        assert_eq!(d.vassals[0].path, Path::new("/etc/uwsgi/apps"));
        let none = judged(&[("/etc/uwsgi/apps/reports.ini", "[uwsgi]\n")]);
        assert!(none.vassals.is_empty(), "no pool or zergling A: no sign of the dance");
    }

    #[test]
    fn bare_names_are_in_the_current_directory() {
        assert_eq!(parent(Path::new("a.yml")), Path::new("."));
        assert_eq!(parent(Path::new("d/a.yml")), Path::new("d"));
    }

    fn why(name: &str, text: &str) -> Option<NonVassal> {
        let set = set_at(&[("/srv/galaxy/vassals/vassal-zergpool.yml", POOL), (name, text)]);
        non_vassal(&set, 1)
    }

    #[test]
    fn other_applications_vassals_are_vassals() {
        let v = "/srv/galaxy/vassals/";
        assert_eq!(why(&format!("{v}reports.yml"), "uwsgi:\n  socket: :9000\n"), None);
        assert_eq!(why(&format!("{v}reports.yml"), "\u{feff}uwsgi:\n  socket: :9000\n"), None);
        assert_eq!(why(&format!("{v}other.ini"), "; x\n[uwsgi]\nsocket = :9000\n"), None);
        assert_eq!(
            why(&format!("{v}o.xml"), "<?xml version=\"1.0\"?>\n<!-- x -->\n<uwsgi/>"),
            None
        );
        assert_eq!(why(&format!("{v}o.json"), "{\"uwsgi\": {\"socket\": \":9000\"}}"), None);
        let own_pool = "uwsgi:\n  zergpool: /run/other.sock:127.0.0.1:9000\n";
        assert_eq!(why(&format!("{v}other-pool.yml"), own_pool), None);
    }

    #[test]
    fn files_that_are_no_vassals() {
        let v = "/srv/galaxy/vassals/";
        let no = |missing| Some(NonVassal::NoSection { missing });
        assert_eq!(why(&format!("{v}galaxy.yml"), ""), Some(NonVassal::Galaxy { named: true }));
        assert_eq!(
            why(&format!("{v}galaxy-old.yml"), "uwsgi:\n  a: b\ngalaxy:\n  b: c\n"),
            Some(NonVassal::Galaxy { named: false })
        );
        assert_eq!(why(&format!("{v}galaxy-restarter.yml"), ""), Some(NonVassal::Restarter));
        assert_eq!(why(&format!("{v}jobs.xml"), "<job_conf/>"), Some(NonVassal::JobConf));
        assert_eq!(why(&format!("{v}notes.yml"), "a: b\n"), no("`uwsgi:` section"));
        assert_eq!(why(&format!("{v}a.ini"), "[app]\n"), no("`[uwsgi]` section"));
        assert_eq!(why(&format!("{v}a.xml"), "<app/>"), no("`<uwsgi>` root element"));
        assert_eq!(why(&format!("{v}a.json"), "[1]"), no("`uwsgi` object"));
        assert_eq!(why(&format!("{v}a.js"), "var x = 1;"), no("`uwsgi` object"));
        assert_eq!(why(&format!("{v}a.yml"), "uwsgi\u{fffd}\0"), Some(NonVassal::NotText));
        assert!(matches!(
            why(&format!("{v}vassal-zergling.old.yml"), "uwsgi:\n  a: b\n"),
            Some(NonVassal::Copy { of: Role::Zergling, .. })
        ));
        assert!(matches!(
            why(&format!("{v}b.yml"), "uwsgi:\n  zerg: /srv/galaxy/var/zergpool.sock\n"),
            Some(NonVassal::Copy { of: Role::Zergling, .. })
        ));
        assert!(matches!(
            why(&format!("{v}p.yml"), "uwsgi:\n  zergpool: /srv/galaxy/var/zergpool.sock:x:1\n"),
            Some(NonVassal::Copy { of: Role::Pool, .. })
        ));
    }
}
