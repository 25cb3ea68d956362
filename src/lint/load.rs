//! Which files a lint run looks at, and the role each plays: the installed files of the
//! deployment zerg.toml describes, or the paths given on the command line with their roles
//! taken from zerg.toml, from their canonical names, or guessed from what they hold.
//!
//! Loading never fails on one bad file: a file that cannot be read becomes an unreadable
//! [`LintFile`], which the run reports as ZC001. Loading fails only when there is nothing at all
//! to lint.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Error;
use crate::lint::files::{FileSet, LintFile, Role};
use crate::plan::{self, on_disk};
use crate::source::{Source, Span};

const CODE: &str = "zergcfg::lint";

/// A role read from a file's content, with what gave it away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guess {
    /// The role assumed.
    pub role: Role,
    /// Why, in words (for example, that its uwsgi section has `zergpool`).
    pub reason: String,
    /// The bytes that decided it (empty when nothing did).
    pub span: Span,
}

/// The files of the deployment `config` describes, installed under `root` when given: pool and
/// zergling vassals, restarter, galaxy.yml, main job conf, restarter job conf, then every other
/// file in the vassals directory (role [`Role::Other`]). Missing files are left out.
///
/// # Errors
/// None of those files exists.
pub fn deployment(config: Config, root: Option<&Path>) -> Result<FileSet, Error> {
    let targets = targets(&config, root);

    let mut files = Vec::new();
    let mut looked_at = Vec::new();
    for (role, path) in &targets {
        looked_at.push(path.clone());
        if !path.exists() {
            log::debug!("{} does not exist: left out", path.display());
            continue;
        }
        files.push(read(*role, false, path));
    }

    let vassals = on_disk(root, &config.vassals);
    if let Ok(entries) = std::fs::read_dir(&vassals) {
        let mut others: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
            .map(|e| e.path())
            .filter(|p| !targets.iter().any(|(_, t)| same_file(p, t)))
            .collect();
        others.sort();
        for path in others {
            files.push(read_other(&path));
        }
    }

    if files.is_empty() {
        let list: Vec<String> = looked_at.iter().map(|p| format!("  {}", p.display())).collect();
        return Err(Error::new(
            CODE,
            format!("none of the deployment's files exists; looked for:\n{}", list.join("\n")),
        )
        .with_help(
            "run `zergcfg build` first, give --root DIR when the layout is installed under DIR, \
             or name the files to lint",
        ));
    }
    Ok(FileSet { files, config: Some(config) })
}

/// The files at `paths` (a directory stands for the files directly in it, in name order), each
/// with its role from `config`'s paths (under `root`), else from its name, else guessed.
///
/// # Errors
/// No file at all to lint (only empty directories were given).
pub fn paths(
    paths: &[PathBuf],
    config: Option<Config>,
    root: Option<&Path>,
) -> Result<FileSet, Error> {
    let targets = config.as_ref().map(|c| targets(c, root)).unwrap_or_default();

    let mut expanded = Vec::new();
    for path in paths {
        if path.is_dir() {
            match std::fs::read_dir(path) {
                Ok(entries) => {
                    let mut inside: Vec<PathBuf> = entries
                        .filter_map(Result::ok)
                        .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                        .map(|e| e.path())
                        .collect();
                    inside.sort();
                    expanded.extend(inside);
                }
                Err(_) => expanded.push(path.clone()),
            }
        } else {
            expanded.push(path.clone());
        }
    }

    let mut files = Vec::new();
    for path in &expanded {
        let configured = targets.iter().find(|(_, t)| same_file(path, t)).map(|(r, _)| *r);
        let named = || path.file_name().and_then(|n| n.to_str()).and_then(Role::from_file_name);
        match configured.or_else(named) {
            Some(role) => files.push(read(role, false, path)),
            None => match Source::read(path) {
                Ok(source) => {
                    let guess = infer_role(&source);
                    let mut file = LintFile::new(guess.role, true, source);
                    if guess.role == Role::Other && is_yaml_name(path) {
                        // Not recognised, but meant as YAML: a syntax error is still worth
                        // reporting (ZC001), as it may be what hid the file's role.
                        let parsed = crate::yaml::parse(&file.source.text);
                        file.yaml = Some(parsed);
                    }
                    files.push(file);
                }
                Err(e) => files.push(LintFile::unreadable(Role::Other, path, reason(&e))),
            },
        }
    }

    if files.is_empty() {
        return Err(Error::new(CODE, "no files to lint: the directories given are empty")
            .with_help("name the files to lint, or give no path to lint the deployment"));
    }
    Ok(FileSet { files, config })
}

/// Whether a path's extension says YAML.
fn is_yaml_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// Every file of the deployment with its role, as on disk under `root`.
fn targets(config: &Config, root: Option<&Path>) -> Vec<(Role, PathBuf)> {
    let galaxy = on_disk(root, &config.galaxy_config);
    let documents = Source::read(&galaxy).ok().and_then(|s| crate::yaml::parse(&s.text).ok());
    let section = documents.as_ref().and_then(|d| d.first()?.root.get_last("galaxy"));
    let setting = |key| section.and_then(|s| galaxy_setting(&s.value, key));
    let (job_config_file, config_dir) = (setting("job_config_file"), setting("config_dir"));
    let main_job_conf =
        plan::main_job_conf_from(config, job_config_file.as_deref(), config_dir.as_deref(), root);

    vec![
        (Role::Pool, config.vassals.join(plan::POOL_FILE)),
        (Role::Zergling, config.vassals.join(plan::ZERGLING_FILE)),
        (Role::Restarter, config.config_dir.join(plan::RESTARTER_FILE)),
        (Role::GalaxyConfig, config.galaxy_config.clone()),
        (Role::JobConf, main_job_conf),
        (Role::RestarterJobConf, config.restarter_job_conf.clone()),
    ]
    .into_iter()
    .map(|(role, target)| (role, on_disk(root, &target)))
    .collect()
}

/// A scalar setting of galaxy.yml's `galaxy:` section, when it is set.
fn galaxy_setting(section: &crate::yaml::Node, key: &str) -> Option<String> {
    let value = section.get_last(key)?.value.as_scalar()?.value.clone();
    (!value.is_empty()).then_some(value)
}

/// Reads a file of a known role; a failure becomes an unreadable file.
fn read(role: Role, role_assumed: bool, path: &Path) -> LintFile {
    match Source::read(path) {
        Ok(source) => LintFile::new(role, role_assumed, source),
        Err(e) => LintFile::unreadable(role, path, reason(&e)),
    }
}

/// Reads a stray file of the vassals directory, which may be binary (an editor's swap file):
/// its text is taken lossily, as only its name and kind matter.
fn read_other(path: &Path) -> LintFile {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            LintFile::new(Role::Other, false, Source::new(path, text))
        }
        Err(e) => LintFile::unreadable(Role::Other, path, reason(&e)),
    }
}

/// An I/O error in words, without Rust's `(os error N)`.
fn reason(err: &std::io::Error) -> String {
    if err.kind() == std::io::ErrorKind::InvalidData {
        return "it is not UTF-8 text".to_string();
    }
    let text = err.to_string();
    match text.find(" (os error") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Whether two paths name the same file: the same file on disk when both exist, else the same
/// path as written.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// The keys that tell roles apart, found by reading the file line by line (so that a file that
/// is not valid YAML still gets a role, and its parse error gets reported under that role).
#[derive(Default)]
struct Keys {
    galaxy: Option<Span>,
    zergpool: Option<Span>,
    mule: Option<(Span, String)>,
    zerg: Option<Span>,
}

/// Guesses the role of a file from its content.
pub fn infer_role(source: &Source) -> Guess {
    let text: &str = &source.text;
    let name = source.path.file_name().map(|n| n.to_string_lossy().to_lowercase());
    let name = name.unwrap_or_default();

    let is_xml = Path::new(&name).extension().is_some_and(|e| e.eq_ignore_ascii_case("xml"));
    if is_xml || text.trim_start().starts_with('<') {
        return infer_xml(source, &name);
    }

    let keys = scan_keys(text);
    let guess = |role, reason: &str, span: Option<Span>| Guess {
        role,
        reason: reason.to_string(),
        span: span.unwrap_or(0..0),
    };
    if let Some(span) = keys.zergpool {
        return guess(Role::Pool, "its uwsgi section has `zergpool`", Some(span));
    }
    if let (Some((span, key)), None) = (&keys.mule, &keys.galaxy) {
        let reason = format!("its uwsgi section has `{key}` and it has no `galaxy:` section");
        return guess(Role::Zergling, &reason, Some(span.clone()));
    }
    if let (Some(_), Some(span)) = (&keys.galaxy, &keys.zerg) {
        return guess(
            Role::Restarter,
            "it has a `galaxy:` section and its uwsgi section attaches to a zergpool with `zerg`",
            Some(span.clone()),
        );
    }
    if let Some(span) = keys.galaxy {
        return guess(
            Role::GalaxyConfig,
            "it has a `galaxy:` section and no `zerg` option",
            Some(span),
        );
    }
    if let Some(span) = keys.zerg {
        return guess(
            Role::Zergling,
            "its uwsgi section attaches to a zergpool with `zerg` and it has no `galaxy:` section",
            Some(span),
        );
    }
    guess(
        Role::Other,
        "it holds no uwsgi section with zerg options, no `galaxy:` section and no `<job_conf>`",
        None,
    )
}

/// An XML file: a job conf (the restarter's when it preassigns or its name says so) or other.
fn infer_xml(source: &Source, name: &str) -> Guess {
    let text: &str = &source.text;
    let root = text.match_indices("<job_conf").find(|(i, m)| {
        text[i + m.len()..]
            .chars()
            .next()
            .is_some_and(|c| c == '>' || c == '/' || c.is_whitespace())
    });
    let Some((start, m)) = root else {
        return Guess {
            role: Role::Other,
            reason: "it is XML without a `<job_conf>` element".to_string(),
            span: 0..0,
        };
    };
    let span = start..start + m.len();

    let preassigns = match crate::jobconf::read(source) {
        Ok(conf) => conf
            .handlers
            .and_then(|h| h.assign_with)
            .is_some_and(|a| a.values().any(|v| v == "db-preassign")),
        Err(_) => text.contains("db-preassign"),
    };
    let (role, reason) = if preassigns {
        (Role::RestarterJobConf, "it is a job conf whose handlers are assigned with `db-preassign`")
    } else if name.contains("restarter") {
        (Role::RestarterJobConf, "it is a job conf and its name contains `restarter`")
    } else {
        (Role::JobConf, "it is a job conf that does not preassign handlers")
    };
    Guess { role, reason: reason.to_string(), span }
}

/// Finds the top-level `galaxy:` key and the uWSGI options that tell roles apart, line by line.
fn scan_keys(text: &str) -> Keys {
    let mut keys = Keys::default();
    let mut section = String::new();
    let mut offset = 0;

    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end();
        let trimmed = content.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some(colon) = trimmed.find(':') else {
            continue;
        };
        let key = trimmed[..colon].trim().trim_matches(['"', '\'']);
        let key_start = start + (content.len() - trimmed.len());
        let span = key_start..key_start + colon;

        if trimmed.len() == content.len() {
            section = key.to_string();
            if key == "galaxy" && keys.galaxy.is_none() {
                keys.galaxy = Some(span);
            }
            continue;
        }
        if section != "uwsgi" {
            continue;
        }
        match key {
            "zergpool" | "zerg-pool" if keys.zergpool.is_none() => keys.zergpool = Some(span),
            "mule" | "mules" | "farm" if keys.mule.is_none() => {
                keys.mule = Some((span, key.to_string()));
            }
            "zerg" if keys.zerg.is_none() => keys.zerg = Some(span),
            _ => {}
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guess(name: &str, text: &str) -> Guess {
        infer_role(&Source::new(name, text))
    }

    #[test]
    fn pools_are_told_by_zergpool() {
        let text = "uwsgi:\n  master: true\n  zergpool: /s.sock:127.0.0.1:8080\n";
        let g = guess("a.yml", text);
        assert_eq!(g.role, Role::Pool);
        assert_eq!(&text[g.span], "zergpool");
    }

    #[test]
    fn zerglings_have_mules_and_no_galaxy_section() {
        let text = "uwsgi:\n  zerg: /s.sock\n  mule: lib/galaxy/main.py\n";
        assert_eq!(guess("a.yml", text).role, Role::Zergling);
        assert_eq!(guess("a.yml", "uwsgi:\n  zerg: /s.sock\n").role, Role::Zergling);
    }

    #[test]
    fn restarters_have_a_galaxy_section_and_zerg() {
        let text = "uwsgi:\n  zerg: /s.sock\n  mule: x.py\ngalaxy:\n  brand: x\n";
        let g = guess("b.yml", text);
        assert_eq!(g.role, Role::Restarter);
        assert_eq!(&text[g.span], "zerg");
    }

    #[test]
    fn galaxy_configs_have_a_galaxy_section_only() {
        let text = "uwsgi:\n  socket: 127.0.0.1:8080\ngalaxy:\n  brand: x\n";
        assert_eq!(guess("g.yml", text).role, Role::GalaxyConfig);
    }

    #[test]
    fn unparsable_yaml_still_gets_a_role() {
        assert_eq!(guess("p.yml", "uwsgi:\n  zergpool: [x\n").role, Role::Pool);
    }

    #[test]
    fn job_confs_are_told_by_their_handlers_and_name() {
        let plain = "<job_conf><plugins/><destinations/></job_conf>";
        assert_eq!(guess("j.xml", plain).role, Role::JobConf);
        assert_eq!(guess("restarter-jobs.xml", plain).role, Role::RestarterJobConf);
        let preassign = "<job_conf><plugins/><handlers assign_with=\"db-preassign\">\
                         <handler id=\"main.job-handlers.1\"/></handlers><destinations/></job_conf>";
        assert_eq!(guess("j.xml", preassign).role, Role::RestarterJobConf);
        assert_eq!(guess("j.xml", "<jobs/>").role, Role::Other);
    }

    #[test]
    fn anything_else_is_other() {
        assert_eq!(guess("x.yml", "a: b\n").role, Role::Other);
        assert_eq!(guess("x.txt", "").role, Role::Other);
    }
}
