//! The options each uWSGI file of a lint run really starts an instance with, which is what the
//! rules look at.
//!
//! A file's own `uwsgi:` section is only the start:
//! - a file libyaml cannot read (`processes: @file`, `env: A=a: b`) is still read by a `PyPI`
//!   uWSGI, one line at a time; its options are taken as that reader takes them, and ZC302 or
//!   ZC303 says what libyaml and Galaxy make of the file;
//! - a list under a key is read by libyaml as the option repeated;
//! - `yaml:`/`yml: <file>[:<section>]` and `include: <file>` read another file's section in
//!   place, `inherit: <file>` after the file's own options; uWSGI opens a relative path from
//!   its working directory, which for a vassal is the vassals directory (the Emperor starts
//!   vassals there) and for the restarter is unknown, so relative includes of the restarter
//!   are not followed. Includes are followed eight levels deep, each file and section once;
//!   the ones lint cannot read ([`unfollowed`]: INI, XML, JSON, a URL, a file not found) are
//!   reported by ZC308;
//! - magic variables (`%d`) and placeholders (`%(name)`) are substituted.
//!
//! An option that came from an included file carries where it is written there, and its spans
//! cover the include line, so that a finding about it points at the line that brought it in.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::common::{Found, absolute, find_file, option_span, read_named};
use crate::lint::{FileSet, Finding, LintFile, Role};
use crate::source::Span;
use crate::uwsgi::includes::{self, Follow};
use crate::uwsgi::{self, Included, UwsgiOption, lines, placeholders};
use crate::yaml::{self, Node};

/// How many files deep includes are followed.
const MAX_DEPTH: usize = 8;

/// `set` with every uWSGI file's options replaced by the options its instance runs with.
pub fn effective(set: &FileSet) -> FileSet {
    let mut out = set.clone();
    for (index, file) in set.files.iter().enumerate() {
        if !file.role.is_uwsgi_yaml() || file.read_error.is_some() {
            continue;
        }
        let Some(own) = own_options(file) else {
            continue;
        };
        let mut visited = vec![(absolute(&file.source.path), "uwsgi".to_string())];
        let mut options = follow(set, own, vassal_dir(file).as_deref(), 0, &mut visited);
        placeholders::expand(&mut options);
        out.files[index].uwsgi = Some(Ok(options));
    }
    out
}

/// Whether a file that libyaml cannot read still holds something uWSGI's line-based reader or
/// Galaxy reads, so that its syntax problem is a portability finding (ZC302, ZC303) rather
/// than a file lint could not look at (ZC001).
pub fn recoverable(file: &LintFile) -> bool {
    file.role.is_uwsgi_yaml()
        && file.read_error.is_none()
        && (lines::read(&file.source.text, "uwsgi").is_some()
            || has_top_level_key(&file.source.text, "galaxy"))
}

/// Whether a line of `text` starts with `key:` at the first column.
pub fn has_top_level_key(text: &str, key: &str) -> bool {
    text.lines().any(|line| {
        line.strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '#', '\r']))
    })
}

/// Adds to each finding about an option that came from an included file where that option is
/// written, when the included file is one of the linted ones.
pub fn point_into_includes(set: &FileSet, findings: &mut [Finding]) {
    for finding in findings {
        let Some(options) = set.files.get(finding.file).and_then(LintFile::options) else {
            continue;
        };
        let candidates: Vec<&UwsgiOption> =
            options.iter().filter(|o| o.included.is_some() && o.key_span == finding.span).collect();
        let mentioned = |o: &&&UwsgiOption| {
            !o.value.is_empty() && finding.message.contains(&format!("`{}: {}`", o.key, o.value))
        };
        let named = |o: &&&UwsgiOption| finding.message.contains(&format!("`{}`", o.key));
        let best = candidates
            .iter()
            .find(mentioned)
            .or_else(|| candidates.iter().find(named))
            .or_else(|| candidates.first());
        let Some(option) = best else {
            continue;
        };
        let Some(included) = option.included.as_ref() else {
            continue;
        };
        finding.help = format!(
            "{}; `{}` comes from `{}` through this include: change it there, or include a \
             section without it",
            finding.help,
            option.key,
            included.path.display()
        );
        if let Some(file) = included.file {
            finding.related.push(crate::lint::Related {
                file,
                span: included.span.clone(),
                label: "written here, in the included file".to_string(),
            });
        } else {
            finding.label = format!("{} (from {})", finding.label, included.path.display());
        }
    }
}

/// The directory a vassal's relative includes are opened from: the Emperor's working
/// directory, the vassals directory, where the vassal is.
fn vassal_dir(file: &LintFile) -> Option<PathBuf> {
    let vassal = matches!(file.role, Role::Pool | Role::Zergling);
    vassal.then(|| file.source.path.parent().map(absolute)).flatten()
}

/// A file's own `uwsgi:` options with its magic variables substituted: from the YAML tree, or,
/// when libyaml cannot read the file, as the line-based reader reads them. `None` when the
/// file has no such section (or it is not a mapping), which leaves the file as it was read.
fn own_options(file: &LintFile) -> Option<Vec<UwsgiOption>> {
    let text: &str = &file.source.text;
    let mut options = match file.yaml.as_ref()? {
        Ok(documents) => section_options(&documents.first()?.root, "uwsgi")?,
        Err(_) => lines::read(text, "uwsgi")?.options,
    };
    let path = absolute(&file.source.path);
    for option in &mut options {
        option.value = placeholders::substitute_magic(&option.value, &path);
    }
    Some(options)
}

/// The options of a section of a YAML tree as libyaml gives them to uWSGI: scalars as they are,
/// each scalar item of a list as the option repeated; nested mappings are skipped.
fn section_options(root: &Node, section: &str) -> Option<Vec<UwsgiOption>> {
    let entries = root.get_last(section)?.value.entries()?;
    let mut options = Vec::new();
    for entry in entries {
        let scalars: Vec<&yaml::Scalar> = match &entry.value {
            Node::Scalar(scalar) => vec![scalar],
            Node::Sequence { items, .. } => items.iter().filter_map(Node::as_scalar).collect(),
            _ => Vec::new(),
        };
        for scalar in scalars {
            options.push(UwsgiOption {
                key: entry.key.value.clone(),
                value: scalar.value.clone(),
                key_span: entry.key.span.clone(),
                value_span: scalar.span.clone(),
                included: None,
            });
        }
    }
    Some(options)
}

/// `options` with every include that can be read replaced by what it brings in.
fn follow(
    set: &FileSet,
    options: Vec<UwsgiOption>,
    cwd: Option<&Path>,
    depth: usize,
    visited: &mut Vec<(PathBuf, String)>,
) -> Vec<UwsgiOption> {
    let mut out = Vec::with_capacity(options.len());
    let mut inherited = Vec::new();
    for option in options {
        let Some(kind) = includes::include_option(&option.key) else {
            out.push(option);
            continue;
        };
        let brought = include(set, &option, cwd, depth, visited);
        out.push(option);
        if kind.immediate {
            out.extend(brought);
        } else {
            inherited.extend(brought);
        }
    }
    out.extend(inherited);
    out
}

/// Why lint does not read what an include option brings in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unfollowed {
    /// A format lint does not read, in words (`an INI file`).
    Format(&'static str),
    /// An address (`http://...`), which lint does not fetch.
    Url,
    /// A relative path of the restarter, which uWSGI opens from wherever the restart runs.
    Relative,
    /// A file found neither among the linted files nor on this machine.
    Missing(PathBuf),
    /// A file on this machine that lint does not read: not UTF-8, or over 1 MiB.
    Unreadable(PathBuf),
}

/// Every include option of a file (its own or one an included file brings in) whose options
/// lint did not read, with the reason.
pub fn unfollowed<'a>(set: &FileSet, file: &'a LintFile) -> Vec<(&'a UwsgiOption, Unfollowed)> {
    let cwd = vassal_dir(file);
    file.options()
        .unwrap_or(&[])
        .iter()
        .filter(|o| includes::is_include(&o.key) && !o.value.trim().is_empty())
        .filter_map(|o| locate(set, o, cwd.as_deref()).err().map(|why| (o, why)))
        .collect()
}

/// An included file found: where it was read, its name as shown, its index among the linted
/// files, its text, and the section to read.
struct Located {
    read_path: PathBuf,
    shown: PathBuf,
    file: Option<usize>,
    text: Arc<str>,
    section: String,
}

/// The file an include option names, as uWSGI opens it.
fn locate(set: &FileSet, option: &UwsgiOption, cwd: Option<&Path>) -> Result<Located, Unfollowed> {
    let follow = includes::include_option(&option.key).map(|o| o.follow);
    let value = option.value.trim();
    if let Some(Follow::Never(format)) = follow {
        return Err(Unfollowed::Format(format));
    }
    if value.contains("://") {
        return Err(Unfollowed::Url);
    }
    // `yaml:` splits a section off at the last `:`; `include:` and `inherit:` pick the reader
    // by the file's extension.
    let yaml_option = follow == Some(Follow::YamlSection);
    let (name, section) = match value.rsplit_once(':') {
        Some((name, section)) if yaml_option => {
            (name, if section.is_empty() { "uwsgi" } else { section })
        }
        _ => (value, "uwsgi"),
    };
    let extension = Path::new(name).extension().and_then(|e| e.to_str()).unwrap_or_default();
    let is_yaml = extension.eq_ignore_ascii_case("yml") || extension.eq_ignore_ascii_case("yaml");
    if !(is_yaml || yaml_option) {
        return Err(Unfollowed::Format(match extension.to_ascii_lowercase().as_str() {
            "ini" => "an INI file",
            "xml" => "an XML file",
            "json" | "js" => "a JSON file",
            _ => "a file that is not YAML",
        }));
    }
    let target = match cwd {
        _ if name.starts_with('/') => uwsgi::normalize_path(name, None),
        Some(dir) => uwsgi::normalize_path(name, Some(dir)),
        None => return Err(Unfollowed::Relative),
    };

    let section = section.to_string();
    match find_file(set, &target) {
        Some(Found::InSet(index)) => {
            let source = &set.files[index].source;
            let text = Arc::clone(&source.text);
            let (read_path, shown) = (absolute(&source.path), source.path.clone());
            Ok(Located { read_path, shown, file: Some(index), text, section })
        }
        Some(Found::OnDisk(path)) => match read_named(&path) {
            Some(text) => {
                let text = Arc::from(text);
                Ok(Located { read_path: path.clone(), shown: path, file: None, text, section })
            }
            None => Err(Unfollowed::Unreadable(path)),
        },
        None => Err(Unfollowed::Missing(target)),
    }
}

/// The options an include line brings in, with their spans on that line; none when the file
/// cannot be read, was read already, or is not YAML.
fn include(
    set: &FileSet,
    option: &UwsgiOption,
    cwd: Option<&Path>,
    depth: usize,
    visited: &mut Vec<(PathBuf, String)>,
) -> Vec<UwsgiOption> {
    if depth >= MAX_DEPTH {
        return Vec::new();
    }
    let Ok(Located { read_path, shown, file, text, section }) = locate(set, option, cwd) else {
        return Vec::new();
    };
    let key = (read_path.clone(), section.clone());
    if visited.contains(&key) {
        return Vec::new();
    }
    visited.push(key);

    let own = match yaml::parse(&text) {
        Ok(documents) => documents.first().and_then(|d| section_options(&d.root, &section)),
        Err(_) => lines::read(&text, &section).map(|s| s.options),
    };
    let Some(mut own) = own else {
        return Vec::new();
    };
    for included in &mut own {
        included.value = placeholders::substitute_magic(&included.value, &read_path);
        if included.included.is_none() {
            let span: Span = included.key_span.start..included.value_span.end;
            included.included = Some(Arc::new(Included { path: shown.clone(), file, span }));
        }
    }
    let mut brought = follow(set, own, cwd, depth + 1, visited);

    let line = option_span(option);
    for included in &mut brought {
        included.key_span = line.clone();
        included.value_span = line.clone();
    }
    brought
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::rules::tests::set_at;

    fn options(set: &FileSet, index: usize) -> Vec<(String, String)> {
        effective(set).files[index]
            .options()
            .unwrap()
            .iter()
            .map(|o| (o.key.clone(), o.value.clone()))
            .collect()
    }

    #[test]
    fn unreadable_yaml_is_read_line_by_line() {
        let set = set_at(&[(
            "/srv/galaxy/vassals/vassal-zergling.yml",
            "uwsgi:\n  processes: @file\n  threadz: 4\n",
        )]);
        assert!(set.files[0].options().is_none());
        assert_eq!(
            options(&set, 0),
            [("processes".into(), "@file".into()), ("threadz".into(), "4".into())]
        );
        assert!(recoverable(&set.files[0]));
        let broken = set_at(&[("/srv/galaxy/vassals/vassal-zergling.yml", "a: [1\n")]);
        assert!(!recoverable(&broken.files[0]));
    }

    #[test]
    fn lists_repeat_the_option() {
        let set = set_at(&[(
            "/srv/galaxy/config/galaxy-restarter.yml",
            "uwsgi:\n  mule:\n    - a.py\n    - b.py\n  processes: 2\n",
        )]);
        let keys: Vec<_> = options(&set, 0).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        assert_eq!(keys, ["mule=a.py", "mule=b.py", "processes=2"]);
    }

    #[test]
    fn includes_are_read_in_place_with_their_section() {
        let galaxy = "uwsgi:\n  mule: lib/galaxy/main.py\n  farm: job-handlers:1\n\
                      other:\n  mule: x.py\ngalaxy:\n  brand: x\n";
        let restarter = "uwsgi:\n  master: true\n  yaml: /srv/galaxy/config/galaxy.yml:uwsgi\n  \
                         processes: 2\n";
        let set = set_at(&[
            ("/tmp/copy/config/galaxy-restarter.yml", restarter),
            ("/tmp/copy/config/galaxy.yml", galaxy),
        ]);
        let keys: Vec<_> = options(&set, 0).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["master", "yaml", "mule", "farm", "processes"]);

        let effective = effective(&set);
        let mule = &effective.files[0].options().unwrap()[2];
        assert_eq!(&restarter[mule.key_span.clone()], "yaml: /srv/galaxy/config/galaxy.yml:uwsgi");
        let included = mule.included.as_ref().unwrap();
        assert_eq!(included.file, Some(1));
        assert_eq!(&galaxy[included.span.clone()], "mule: lib/galaxy/main.py");
    }

    #[test]
    fn includes_stop_at_cycles_and_relative_restarter_includes() {
        let a = "uwsgi:\n  yaml: b.yml\n  processes: 1\n";
        let b = "uwsgi:\n  yaml: vassal-zergling.yml\n  threads: 2\n  inherit: c.yml\n  \
                 master: true\n";
        let c = "uwsgi:\n  stats: /run/s.sock\n";
        let set = set_at(&[
            ("/srv/galaxy/vassals/vassal-zergling.yml", a),
            ("/srv/galaxy/vassals/b.yml", b),
            ("/srv/galaxy/vassals/c.yml", c),
        ]);
        let keys: Vec<_> = options(&set, 0).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["yaml", "yaml", "threads", "inherit", "master", "stats", "processes"]);

        let restarter = set_at(&[
            ("/srv/galaxy/config/galaxy-restarter.yml", "uwsgi:\n  yaml: b.yml\n"),
            ("/srv/galaxy/config/b.yml", "uwsgi:\n  mule: x.py\n"),
        ]);
        assert_eq!(options(&restarter, 0).len(), 1);
    }

    #[test]
    fn includes_lint_cannot_read_are_named_with_the_reason() {
        let a = "uwsgi:\n  ini: extra.ini\n  yaml: b.yml\n  include: c.xml\n  \
                 yaml: http://example.org/x.yml\n  yaml: gone.yml\n  inherit: b.yml\n";
        let set = set_at(&[
            ("/srv/galaxy/vassals/vassal-zergling.yml", a),
            ("/srv/galaxy/vassals/b.yml", "uwsgi:\n  ini-paste: /x.ini\n"),
        ]);
        let read = effective(&set);
        let found: Vec<(String, Unfollowed)> = unfollowed(&read, &read.files[0])
            .into_iter()
            .map(|(o, why)| (format!("{}: {}", o.key, o.value), why))
            .collect();
        let gone = PathBuf::from("/srv/galaxy/vassals/gone.yml");
        assert_eq!(
            found,
            [
                ("ini: extra.ini".into(), Unfollowed::Format("an INI file")),
                ("ini-paste: /x.ini".into(), Unfollowed::Format("a paste.deploy INI file")),
                ("include: c.xml".into(), Unfollowed::Format("an XML file")),
                ("yaml: http://example.org/x.yml".into(), Unfollowed::Url),
                ("yaml: gone.yml".into(), Unfollowed::Missing(gone)),
            ]
        );

        let restarter =
            set_at(&[("/srv/galaxy/config/galaxy-restarter.yml", "uwsgi:\n  yaml: b.yml\n")]);
        let read = effective(&restarter);
        let found = unfollowed(&read, &read.files[0]);
        assert_eq!(
            found.into_iter().map(|(_, why)| why).collect::<Vec<_>>(),
            [Unfollowed::Relative]
        );
    }

    #[test]
    fn placeholders_and_magic_are_substituted() {
        let set = set_at(&[(
            "/srv/galaxy/vassals/vassal-zergling.yml",
            "uwsgi:\n  set-ph: v=var\n  pidfile: /srv/galaxy/%(v)/a.pid\n  logto: %dzergling.log\n",
        )]);
        let values: Vec<_> = options(&set, 0).into_iter().map(|(_, v)| v).collect();
        assert_eq!(values, ["v=var", "/srv/galaxy/var/a.pid", "/srv/galaxy/vassals/zergling.log"]);
    }
}
