//! Which files a lint run looks at, and the role each plays: the installed files of the
//! deployment zerg.toml describes, or the paths given on the command line with their roles
//! taken from zerg.toml, from their canonical names, or guessed from what they hold.
//!
//! Loading never fails on one bad file: a file that cannot be read becomes an unreadable
//! [`LintFile`], which the run reports as ZC001. Loading fails only when there is nothing at all
//! to lint.

use std::io::Read as _;
use std::os::unix::fs::FileTypeExt as _;
use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::error::Error;
use crate::lint::files::{FileSet, LintFile, Role};
use crate::lint::layout;
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

/// What a load found: the files to lint, and the files it looked at and left alone.
#[derive(Debug)]
pub struct Loaded {
    /// The files to lint.
    pub set: FileSet,
    /// Files of a directory scan that were not read, each with why (for `-v`).
    pub skipped: Vec<Skipped>,
}

/// A file a directory scan left alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where it is.
    pub path: PathBuf,
    /// Why it was not read, in words.
    pub reason: String,
}

/// The files of the deployment `config` describes, installed under `root` when given: pool and
/// zergling vassals, restarter, galaxy.yml, main job conf, restarter job conf, then every other
/// file of the vassals directory that the Emperor would start (role [`Role::Other`]). Missing
/// files are left out; files the Emperor ignores (FIFOs, sockets, other extensions) are
/// skipped without being opened.
///
/// # Errors
/// None of those files exists.
pub fn deployment(config: Config, root: Option<&Path>) -> Result<Loaded, Error> {
    let targets = targets(&config, root);

    let mut files = Vec::new();
    let mut skipped = Vec::new();
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
    for path in entries(&vassals).unwrap_or_default() {
        if targets.iter().any(|(_, t)| same_file(&path, t)) {
            continue;
        }
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {}
            Ok(meta) if !meta.is_file() => skipped.push(Skipped {
                reason: format!(
                    "it is {}, which the Emperor does not start",
                    not_regular(meta.file_type())
                ),
                path,
            }),
            Ok(_) if !layout::started_by_emperor(&path) => skipped.push(Skipped {
                reason: format!(
                    "the Emperor starts only files ending in {}",
                    layout::VASSAL_SUFFIXES.join(" ")
                ),
                path,
            }),
            Ok(_) => files.push(read_other(&path)),
            Err(e) => skipped.push(Skipped {
                reason: format!("{}, so the Emperor does not start it", unreachable(&path, &e)),
                path,
            }),
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
    Ok(Loaded { set: FileSet { files, config: Some(config) }, skipped })
}

/// The files at `paths`, each with its role from `config`'s paths (under `root`), else from
/// its name, else guessed from its content. A directory stands for the files directly in it
/// (in name order) that the Emperor would start or whose name gives them a role; the others,
/// and anything that is not a regular file, are skipped unopened. A file named on the command
/// line is always read, and one that is not a regular file is reported (ZC001).
///
/// # Errors
/// No file at all to lint (only empty directories were given).
pub fn paths(
    paths: &[PathBuf],
    config: Option<Config>,
    root: Option<&Path>,
) -> Result<Loaded, Error> {
    let targets = config.as_ref().map(|c| targets(c, root)).unwrap_or_default();
    let known_role = |path: &Path| {
        let configured = targets.iter().find(|(_, t)| same_file(path, t)).map(|(r, _)| *r);
        configured
            .or_else(|| path.file_name().and_then(|n| n.to_str()).and_then(Role::from_file_name))
    };

    let mut files = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        if !std::fs::metadata(path).is_ok_and(|m| m.is_dir()) {
            files.push(match known_role(path) {
                Some(role) => read(role, false, path),
                None => match read_source(path) {
                    Ok(source) => guessed(source),
                    Err(reason) => LintFile::unreadable(Role::Other, path, reason),
                },
            });
            continue;
        }
        let inside = match entries(path) {
            Ok(inside) => inside,
            Err(e) => {
                files.push(LintFile::unreadable(Role::Other, path, reason(&e)));
                continue;
            }
        };
        for path in inside {
            let role = known_role(&path);
            match std::fs::metadata(&path) {
                Ok(meta) if meta.is_dir() => {}
                Ok(meta) if !meta.is_file() => skipped.push(Skipped {
                    reason: format!("it is {}, not a regular file", not_regular(meta.file_type())),
                    path,
                }),
                Ok(_) if role.is_none() && !layout::started_by_emperor(&path) => {
                    skipped.push(Skipped {
                        reason: format!(
                            "the Emperor would not start it (it does not end in {}) and its name \
                             gives it no role in the dance",
                            layout::VASSAL_SUFFIXES.join(" ")
                        ),
                        path,
                    });
                }
                Ok(_) => files.push(match role {
                    Some(role) => read(role, false, &path),
                    // Not asked for by name: a file that is not text is no file of the dance,
                    // but the Emperor would start it all the same.
                    None => match read_source(&path) {
                        Ok(source) => guessed(source),
                        Err(_) => read_other(&path),
                    },
                }),
                Err(e) => skipped.push(Skipped { reason: unreachable(&path, &e), path }),
            }
        }
    }

    if files.is_empty() {
        return Err(Error::new(CODE, "no files to lint: the directories given hold none")
            .with_help(
                "name the files to lint, or give no path to lint the deployment; `-v` lists the \
                 files left out and why",
            ));
    }
    demote_duplicate_guesses(&mut files);
    Ok(Loaded { set: FileSet { files, config }, skipped })
}

/// A file whose role is guessed from its content.
fn guessed(source: Source) -> LintFile {
    let guess = infer_role(&source);
    let mut file = LintFile::new(guess.role, true, source);
    if guess.role == Role::Other && is_yaml_name(&file.source.path) {
        // Not one of the dance's, but meant as YAML: a syntax error is still worth reporting
        // (ZC001), as it may be what hid the file's role, and a uwsgi section is checked on
        // its own (option names, portable YAML, hooks).
        file.read_uwsgi_section();
    }
    file
}

/// A guess that gives a file the role of a file whose role was given (by zerg.toml or its
/// canonical name) is taken back: that file is the one the dance uses, and this one another
/// (a copy, or another application's vassal beside it).
fn demote_duplicate_guesses(files: &mut [LintFile]) {
    let given: Vec<Role> = files
        .iter()
        .filter(|f| !f.role_assumed && f.role != Role::Other && f.read_error.is_none())
        .map(|f| f.role)
        .collect();
    for file in files.iter_mut() {
        if file.role_assumed && given.contains(&file.role) {
            let mut other = LintFile::new(Role::Other, true, file.source.clone());
            if is_yaml_name(&other.source.path) {
                other.read_uwsgi_section();
            }
            *file = other;
        }
    }
}

/// The entries directly in `dir`, in name order.
fn entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> =
        std::fs::read_dir(dir)?.filter_map(Result::ok).map(|e| e.path()).collect();
    paths.sort();
    Ok(paths)
}

/// Why an entry of a directory cannot be looked at: a link to nothing, or the I/O error.
fn unreachable(path: &Path, err: &std::io::Error) -> String {
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        "it is a symbolic link to nothing".to_string()
    } else {
        reason(err)
    }
}

/// What a file that is not a regular file is, in words.
fn not_regular(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a FIFO (named pipe)"
    } else if file_type.is_socket() {
        "a unix socket"
    } else if file_type.is_block_device() || file_type.is_char_device() {
        "a device"
    } else {
        "no regular file"
    }
}

/// The bytes of a regular file. Anything else is refused before it is opened: opening a FIFO
/// waits for a writer, a device may never end.
fn read_regular(path: &Path) -> Result<Vec<u8>, String> {
    let meta = std::fs::metadata(path).map_err(|e| reason(&e))?;
    if !meta.is_file() {
        return Err(format!("it is {}, not a regular file", not_regular(meta.file_type())));
    }
    let mut file = std::fs::File::open(path).map_err(|e| reason(&e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(|e| reason(&e))?;
    Ok(bytes)
}

/// A regular file read as UTF-8 text.
fn read_source(path: &Path) -> Result<Source, String> {
    let bytes = read_regular(path)?;
    let text = String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())?;
    Ok(Source::new(path, text))
}

/// Whether a path's extension says YAML.
fn is_yaml_name(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// Every file of the deployment with its role, as on disk under `root`.
fn targets(config: &Config, root: Option<&Path>) -> Vec<(Role, PathBuf)> {
    let galaxy = on_disk(root, &config.galaxy_config);
    let documents = read_source(&galaxy).ok().and_then(|s| crate::yaml::parse(&s.text).ok());
    let document = documents.as_ref().and_then(|d| d.first());
    let setting = |key| {
        let document = document?;
        let section = document.root.get_last("galaxy")?;
        crate::galaxy::setting(&document.root, &section.value, key).map(|s| s.value.clone())
    };
    let (job_config_file, config_dir) = (setting("job_config_file"), setting("config_dir"));
    let main_job_conf =
        plan::main_job_conf_from(config, job_config_file.as_deref(), config_dir.as_deref(), |p| {
            on_disk(root, p).exists()
        });

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

/// Reads a file of a known role; a failure becomes an unreadable file.
fn read(role: Role, role_assumed: bool, path: &Path) -> LintFile {
    match read_source(path) {
        Ok(source) => LintFile::new(role, role_assumed, source),
        Err(reason) => LintFile::unreadable(role, path, reason),
    }
}

/// Reads a file of the vassals directory that is none of the dance's, which may be binary (an
/// editor's swap file): its text is taken lossily, as only its name and kind matter.
fn read_other(path: &Path) -> LintFile {
    match read_regular(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            LintFile::new(Role::Other, false, Source::new(path, text))
        }
        Err(reason) => LintFile::unreadable(Role::Other, path, reason),
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
    uwsgi: Option<Span>,
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

    let other_format = [".ini", ".json", ".js"].iter().find(|ending| name.ends_with(*ending));
    if let Some(ending) = other_format {
        return Guess {
            role: Role::Other,
            reason: format!(
                "the dance's files are YAML and job conf XML, and lint reads a `{ending}` file \
                 only to tell whether it is a vassal"
            ),
            span: 0..0,
        };
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
    if let Some(span) = keys.uwsgi {
        return guess(
            Role::Other,
            "its uwsgi section has no `zergpool`, `zerg`, `mule`, `mules` or `farm`, and it has \
             no `galaxy:` section: it is checked as a uWSGI file on its own",
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
    // A byte-order mark is no part of the first key (uWSGI's PyPI reader disagrees, ZC302).
    let mut offset = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };

    for line in text[offset..].split_inclusive('\n') {
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
            } else if key == "uwsgi" && keys.uwsgi.is_none() {
                keys.uwsgi = Some(span);
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
    fn a_byte_order_mark_hides_no_key() {
        let text = "\u{feff}uwsgi:\n  zergpool: /s.sock:127.0.0.1:8080\n";
        let g = guess("p.yml", text);
        assert_eq!(g.role, Role::Pool);
        assert_eq!(&text[g.span], "zergpool");
        let text = "\u{feff}galaxy:\n  brand: x\n";
        assert_eq!(&text[guess("g.yml", text).span], "galaxy");
    }

    #[test]
    fn a_plain_uwsgi_file_is_other_and_says_so() {
        let text = "# c\nuwsgi:\n  processes: 2\n";
        let g = guess("b.yml", text);
        assert_eq!(g.role, Role::Other);
        assert_eq!(&text[g.span], "uwsgi");
        assert!(g.reason.contains("on its own"), "{}", g.reason);
    }

    #[test]
    fn a_directory_stands_for_the_files_the_emperor_would_start_or_named_ones() {
        let dir = tempfile::tempdir().unwrap();
        let write =
            |name: &str, bytes: &[u8]| std::fs::write(dir.path().join(name), bytes).unwrap();
        write("vassal-zergpool.yml", b"uwsgi:\n  zergpool: /s.sock:127.0.0.1:8080\n");
        write("vassal-zergpool.yml.bak", b"\xff\xfe not text");
        write("junk.yml", b"\xff\xfe not text");
        write("README", b"notes");
        std::fs::create_dir(dir.path().join("old")).unwrap();

        let loaded = paths(&[dir.path().to_path_buf()], None, None).unwrap();
        let names: Vec<String> = loaded.set.files.iter().map(|f| file_name(&f.source)).collect();
        assert_eq!(names, ["junk.yml", "vassal-zergpool.yml"]);
        assert!(loaded.set.files.iter().all(|f| f.read_error.is_none()));
        let skipped: Vec<String> = loaded
            .skipped
            .iter()
            .map(|s| s.path.file_name().unwrap().to_string_lossy().into())
            .collect();
        assert_eq!(skipped, ["README", "vassal-zergpool.yml.bak"]);

        let given = paths(&[dir.path().join("vassal-zergpool.yml.bak")], None, None).unwrap();
        let file = &given.set.files[0];
        assert_eq!(file.read_error.as_deref(), Some("it is not UTF-8 text"));
    }

    fn file_name(source: &Source) -> String {
        source.path.file_name().unwrap().to_string_lossy().into_owned()
    }

    #[test]
    fn a_guessed_role_another_file_has_by_name_is_taken_back() {
        let dir = tempfile::tempdir().unwrap();
        let zergling = "uwsgi:\n  zerg: /s.sock\n  mule: x.py\n";
        std::fs::write(dir.path().join("vassal-zergling.yml"), zergling).unwrap();
        std::fs::write(dir.path().join("copy.yml"), zergling).unwrap();
        let loaded = paths(&[dir.path().to_path_buf()], None, None).unwrap();
        let roles: Vec<(Role, bool)> =
            loaded.set.files.iter().map(|f| (f.role, f.role_assumed)).collect();
        assert_eq!(roles, [(Role::Other, true), (Role::Zergling, false)]);
        assert!(loaded.set.files[0].options().is_some(), "its uwsgi section is still checked");
    }

    #[test]
    fn anything_else_is_other() {
        assert_eq!(guess("x.yml", "a: b\n").role, Role::Other);
        assert_eq!(guess("x.txt", "").role, Role::Other);
        let ini = guess("other.ini", "[uwsgi]\nmule = a.py\nzerg = /s.sock\n");
        assert_eq!(ini.role, Role::Other);
        assert!(ini.reason.contains("`.ini` file"), "{}", ini.reason);
    }
}
