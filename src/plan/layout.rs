//! The layout's own consistency, checked before anything is read past galaxy.yml or written:
//! no file `build` writes may land on a file it reads or on another file it writes, no run-time
//! resource (master FIFO, pid file, log, stats socket, the pool's socket) may be shared by two
//! owners or land on a configuration file, nothing but the two vassals may sit in the Emperor's
//! directory under a name it would start, and every unix socket path must fit the kernel's limit.
//!
//! Places are compared as written after normalizing (`.`, `..`, doubled slashes) and, where
//! they exist on disk (under `--root`), as the kernel finds them, so a symlinked directory or a
//! vassal that links to galaxy.yml is seen through.

use std::path::{Path, PathBuf};

use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::galaxy::GalaxyYml;
use crate::source::Span;
use crate::uwsgi::binds;

use super::{POOL_FILE, RESTARTER_FILE, ZERGLING_FILE, on_disk};

const CODE: &str = "zergcfg::layout";

/// Where the path of a place is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetBy {
    /// A zerg.toml setting (or, left at its default, the directory it defaults into).
    ZergToml([&'static str; 2]),
    /// A line of galaxy.yml (`job_config_file`, `config_dir`), by the bytes of its value.
    GalaxyYml(Span),
}

/// What a place is to the dance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A file `build` reads.
    Input,
    /// A file `build` writes.
    Output,
    /// A file or socket uWSGI creates at run time.
    Runtime,
}

/// One file or socket of the layout.
struct Place {
    what: String,
    target: PathBuf,
    kind: Kind,
    set_by: SetBy,
    /// For run-time resources of a zergling: which one and which resource, so that a resource
    /// A and the restarter share is told as such.
    resource: Option<(&'static str, &'static str)>,
    /// One of the two files that belong in the vassals directory.
    vassal: bool,
}

/// Checks the layout zerg.toml and galaxy.yml describe; `main_job_conf` is the main job conf
/// and where its path is set.
///
/// # Errors
/// The first conflict found, pointing at the setting that causes it.
pub fn check(
    config: &Config,
    galaxy: &GalaxyYml,
    main_job_conf: (&Path, &SetBy),
    root: Option<&Path>,
) -> Result<()> {
    let places = places(config, main_job_conf);
    distinct(config, galaxy, &places, root)?;
    shared_tcp_stats(config)?;
    only_vassals_in_vassals_dir(config, galaxy, &places, root)?;
    sockets_fit(config, galaxy, &places)
}

/// No two places are one file, except two inputs.
fn distinct(
    config: &Config,
    galaxy: &GalaxyYml,
    places: &[Place],
    root: Option<&Path>,
) -> Result<()> {
    let on_machine: Vec<Option<PathBuf>> =
        places.iter().map(|p| on_machine(root, &p.target, p.kind == Kind::Output)).collect();
    for (j, b) in places.iter().enumerate() {
        for (i, a) in places.iter().enumerate().take(j) {
            if a.kind == Kind::Input && b.kind == Kind::Input {
                continue;
            }
            let same = a.target == b.target
                || matches!((&on_machine[i], &on_machine[j]), (Some(x), Some(y)) if x == y);
            if same {
                return Err(conflict(config, galaxy, a, b));
            }
        }
    }
    Ok(())
}

/// Nothing but the two vassals sits in the vassals directory under a name the Emperor starts.
fn only_vassals_in_vassals_dir(
    config: &Config,
    galaxy: &GalaxyYml,
    places: &[Place],
    root: Option<&Path>,
) -> Result<()> {
    let vassals = on_machine_dir(root, &config.vassals);
    for place in places.iter().filter(|p| !p.vassal) {
        let Some(parent) = place.target.parent() else { continue };
        let in_vassals = parent == config.vassals
            || (vassals.is_some() && on_machine_dir(root, parent) == vassals);
        if in_vassals && crate::uwsgi::started_by_emperor(&place.target) {
            return Err(in_vassals_dir(config, galaxy, place));
        }
    }
    Ok(())
}

/// Every unix socket path is short enough for uWSGI to bind.
fn sockets_fit(config: &Config, galaxy: &GalaxyYml, places: &[Place]) -> Result<()> {
    for place in places.iter().filter(|p| p.what.ends_with("socket")) {
        let Some(length) = binds::unix_socket_too_long(&place.target.to_string_lossy()) else {
            continue;
        };
        let key = match &place.set_by {
            SetBy::ZergToml(keys) => config.origin(keys).map_or_else(|| keys.join("."), |o| o.key),
            SetBy::GalaxyYml(_) => "its setting".to_string(),
        };
        let message = format!(
            "{} {} is {length} bytes long; uWSGI binds unix sockets of at most {} bytes",
            place.what,
            place.target.display(),
            binds::MAX_UNIX_SOCKET
        );
        return Err(located(config, galaxy, &place.set_by, message, label(config, place))
            .with_help(format!("choose a shorter {key}, so that {} fits", place.what)));
    }
    Ok(())
}

/// Every place of the layout: inputs first, then outputs, then run-time resources, so that of
/// two places in conflict the later is the likelier mistake.
fn places(config: &Config, main_job_conf: (&Path, &SetBy)) -> Vec<Place> {
    const VASSALS: [&str; 2] = ["layout", "vassals"];
    let place = |what: &str, target: PathBuf, kind, set_by| Place {
        what: what.to_string(),
        target,
        kind,
        set_by,
        resource: None,
        vassal: false,
    };
    let vassal = |what, name| Place {
        vassal: true,
        ..place(what, config.vassals.join(name), Kind::Output, SetBy::ZergToml(VASSALS))
    };
    let mut places = vec![
        place(
            "galaxy.yml",
            config.galaxy_config.clone(),
            Kind::Input,
            SetBy::ZergToml(["layout", "galaxy_config"]),
        ),
        place(
            "the main job conf",
            main_job_conf.0.to_path_buf(),
            Kind::Input,
            main_job_conf.1.clone(),
        ),
        vassal("the pool's vassal", POOL_FILE),
        vassal("zergling A's vassal", ZERGLING_FILE),
        place(
            "the restarter",
            config.config_dir.join(RESTARTER_FILE),
            Kind::Output,
            SetBy::ZergToml(["layout", "config"]),
        ),
        place(
            "the restarter's job conf",
            config.restarter_job_conf.clone(),
            Kind::Output,
            SetBy::ZergToml(["restarter", "job_conf"]),
        ),
        place(
            "the pool's unix socket",
            config.pool_socket.clone(),
            Kind::Runtime,
            SetBy::ZergToml(["pool", "socket"]),
        ),
    ];
    places.extend(resources(&config.zergling, "zergling A", "zergling"));
    places.extend(resources(&config.restarter, "the restarter", "restarter"));
    places
}

/// The run-time resources of one zergling, described by their owner (`zergling A`).
fn resources(instance: &config::Instance, owner: &'static str, table: &'static str) -> Vec<Place> {
    instance
        .paths()
        .into_iter()
        .map(|(key, target)| {
            let resource = match key {
                "fifo" => "master FIFO",
                "pidfile" => "pid file",
                "logto" => "log",
                _ => "stats socket",
            };
            Place {
                what: format!("{owner}'s {resource}"),
                target,
                kind: Kind::Runtime,
                set_by: SetBy::ZergToml([table, key]),
                resource: Some((owner, resource)),
                vassal: false,
            }
        })
        .collect()
}

/// A and the restarter each bind their stats server: one TCP address cannot serve both.
fn shared_tcp_stats(config: &Config) -> Result<()> {
    let (a, b) = (&config.zergling.stats, &config.restarter.stats);
    if a != b || !config::is_host_port(a) {
        return Ok(());
    }
    let keys: &[&str] = &["restarter", "stats"];
    Err(Error::at(
        CODE,
        &config.source,
        config.origin_span(keys),
        format!("zergling A and the restarter would both serve their stats on {a}"),
        "the restarter's stats address",
    )
    .with_label(config.origin_span(&["zergling", "stats"]), "zergling A's stats address")
    .with_help(SHARED_HELP.replace("{resource}", "stats address")))
}

const SHARED_HELP: &str = "zergling A and the restarter run at the same time during a restart: \
                           give each its own {resource}";

/// The error for two places that are one.
fn conflict(config: &Config, galaxy: &GalaxyYml, a: &Place, b: &Place) -> Error {
    if a.target != b.target {
        return linked(config, galaxy, a, b);
    }
    let path = b.target.display();
    let (primary, other) = blame(config, a, b);
    let own_path = format!("give {} a path of its own", primary.what);
    let (message, help) = match (primary.kind, other.kind) {
        (Kind::Output, Kind::Input) => {
            (format!("zergcfg would write {} over {} ({path})", primary.what, other.what), own_path)
        }
        (Kind::Input, Kind::Output) => (
            format!("zergcfg would write {} over {} ({path})", other.what, primary.what),
            format!(
                "{} is read, never written: correct this path, or give {} a path of its own",
                primary.what, other.what
            ),
        ),
        (Kind::Output, Kind::Output) => (
            format!("{} and {} would both be written to {path}", other.what, primary.what),
            own_path,
        ),
        (Kind::Runtime, Kind::Runtime) => {
            let help = match (primary.resource, other.resource) {
                (Some((x, resource)), Some((y, same))) if x != y && resource == same => {
                    SHARED_HELP.replace("{resource}", resource)
                }
                _ => own_path,
            };
            (format!("{} and {} are one file, {path}", other.what, primary.what), help)
        }
        _ => {
            let (file, resource) = if a.kind == Kind::Runtime { (b, a) } else { (a, b) };
            (
                format!(
                    "{} is {} ({path}): uWSGI would replace it at run time",
                    resource.what, file.what
                ),
                format!("give {} a path of its own", resource.what),
            )
        }
    };

    let error = located(config, galaxy, &primary.set_by, message, label(config, primary));
    let error = error.with_help(help);
    match (&primary.set_by, &other.set_by) {
        (SetBy::ZergToml(_), SetBy::ZergToml(keys)) => match config.origin(keys) {
            Some(origin) if origin.own => error.with_label(origin.span, label(config, other)),
            _ => error,
        },
        (SetBy::GalaxyYml(_), SetBy::GalaxyYml(span)) => {
            error.with_label(span.clone(), label(config, other))
        }
        _ => error,
    }
}

/// The error for two places with different paths that are one file on disk, through a
/// symbolic link (of the file, or of a directory on the way): pointed at the one written to.
fn linked(config: &Config, galaxy: &GalaxyYml, a: &Place, b: &Place) -> Error {
    let (written, other) = if b.kind == Kind::Input { (a, b) } else { (b, a) };
    let message = format!(
        "{} ({}) and {} ({}) are one file on disk, through a symbolic link",
        written.what,
        written.target.display(),
        other.what,
        other.target.display()
    );
    located(config, galaxy, &written.set_by, message, label(config, written)).with_help(format!(
        "zergcfg writes through symbolic links: give {} a file of its own",
        written.what
    ))
}

/// Of two places in conflict, the one to point at first: one whose own setting is written
/// down, the later one when both (or neither) are.
fn blame<'a>(config: &Config, a: &'a Place, b: &'a Place) -> (&'a Place, &'a Place) {
    if written_down(config, a) && !written_down(config, b) { (a, b) } else { (b, a) }
}

/// Whether a place's own setting is written down, rather than defaulting from a directory.
fn written_down(config: &Config, place: &Place) -> bool {
    match &place.set_by {
        SetBy::ZergToml(keys) => config.origin(keys).is_some_and(|o| o.own),
        SetBy::GalaxyYml(_) => true,
    }
}

/// The label under the setting a place's path comes from.
fn label(config: &Config, place: &Place) -> String {
    if written_down(config, place) {
        place.what.clone()
    } else {
        format!("{} is under this", place.what)
    }
}

/// The error for a file the Emperor would start as a vassal.
fn in_vassals_dir(config: &Config, galaxy: &GalaxyYml, place: &Place) -> Error {
    const VASSALS: [&str; 2] = ["layout", "vassals"];
    let set_by = if written_down(config, place) || config.span_of(&VASSALS).is_none() {
        place.set_by.clone()
    } else {
        SetBy::ZergToml(VASSALS)
    };
    let parent = place.target.parent().unwrap_or(Path::new("/"));
    let on_disk = if parent == config.vassals {
        String::new()
    } else {
        format!(" ({} is that directory on disk)", parent.display())
    };
    let message = format!(
        "the Emperor would start {} ({}) as a vassal: it starts every .yml, .yaml, .ini, \
         .xml, .json and .js file in {}{on_disk}",
        place.what,
        place.target.display(),
        config.vassals.display()
    );
    let first =
        if set_by == place.set_by { label(config, place) } else { "the vassals directory".into() };
    let error = located(config, galaxy, &set_by, message, first).with_help(format!(
        "keep only the pool's and zergling A's vassals in layout.vassals: give {} a path \
         outside it, or give the Emperor a directory of its own",
        place.what
    ));
    match (&set_by, &place.set_by) {
        (SetBy::ZergToml(_), SetBy::ZergToml(keys)) if set_by != place.set_by => {
            match config.origin(keys) {
                Some(origin) if origin.own => error.with_label(origin.span, label(config, place)),
                _ => error,
            }
        }
        _ => error,
    }
}

/// An error at the place a path is set: a zerg.toml key, or a line of galaxy.yml.
fn located(
    config: &Config,
    galaxy: &GalaxyYml,
    set_by: &SetBy,
    message: String,
    label: impl Into<String>,
) -> Error {
    match set_by {
        SetBy::ZergToml(keys) => {
            Error::at(CODE, &config.source, config.origin_span(keys), message, label)
        }
        SetBy::GalaxyYml(span) => Error::at(CODE, &galaxy.source, span.clone(), message, label),
    }
}

/// Where a place is on this machine, symbolic links followed, when its directory exists; an
/// output is followed the way `build` writes through a link at its place.
fn on_machine(root: Option<&Path>, target: &Path, output: bool) -> Option<PathBuf> {
    let path = on_disk(root, target);
    let path = if output { crate::write::destination(&path, root).ok()? } else { path };
    if let Ok(found) = std::fs::canonicalize(&path) {
        return Some(found);
    }
    let dir = std::fs::canonicalize(path.parent()?).ok()?;
    Some(dir.join(path.file_name()?))
}

fn on_machine_dir(root: Option<&Path>, dir: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(on_disk(root, dir)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    const GALAXY: &str = "uwsgi:\n  socket: :8080\n  mule: a.py\n  farm: job-handlers:1\n\
                          galaxy:\n  job_config_file: job_conf.xml\n";

    /// Checks the layout of `toml`, with the main job conf named by galaxy.yml.
    fn check_toml(toml: &str) -> Result<()> {
        let config = Config::parse(Source::new("zerg.toml", toml)).unwrap();
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", GALAXY)).unwrap();
        let (job_conf, set_by) = super::super::main_job_conf(&config, &galaxy, None);
        check(&config, &galaxy, (&job_conf, &set_by), None)
    }

    /// The zerg.toml text an error points at.
    fn pointed_at(toml: &str) -> String {
        let span = check_toml(toml).unwrap_err().span().unwrap();
        toml[span].to_string()
    }

    /// Asserts that `toml` is refused with a message saying `words`.
    fn refused_saying(toml: &str, words: &str) {
        let error = check_toml(toml).unwrap_err();
        assert!(error.message().contains(words), "{}", error.message());
    }

    #[test]
    fn the_default_layout_is_consistent() {
        check_toml("").unwrap();
        check_toml("[layout]\nroot = \"/opt/galaxy\"\nvar = \"/run/galaxy\"\n").unwrap();
    }

    #[test]
    fn an_output_over_an_input_points_at_the_output() {
        let toml = "[restarter]\njob_conf = \"config/galaxy.yml\"\n";
        assert_eq!(pointed_at(toml), "\"config/galaxy.yml\"");
        refused_saying(
            "[restarter]\njob_conf = \"config/../config//job_conf.xml\"\n",
            "over the main job conf",
        );
        let toml = "[layout]\ngalaxy_config = \"config/galaxy-restarter.yml\"\n";
        assert_eq!(pointed_at(toml), "\"config/galaxy-restarter.yml\"");
    }

    #[test]
    fn two_outputs_on_one_file_are_refused() {
        refused_saying(
            "[restarter]\njob_conf = \"vassals/vassal-zergpool.yml\"\n",
            "would both be written",
        );
    }

    #[test]
    fn shared_resources_point_at_the_one_written_down() {
        let toml = "[restarter]\nlogto = \"var/zergling.log\"\n";
        assert_eq!(pointed_at(toml), "\"var/zergling.log\"");
        let toml = "[pool]\nsocket = \"var/restarter.fifo\"\n";
        assert_eq!(pointed_at(toml), "\"var/restarter.fifo\"");
        let toml = "[zergling]\nstats = \"/srv/galaxy/var/restarter-stats.sock\"\n";
        assert!(check_toml(toml).is_err());
        let toml = "[zergling]\nstats = \":9191\"\n[restarter]\nstats = \":9191\"\n";
        assert_eq!(pointed_at(toml), "\":9191\"");
        check_toml("[zergling]\nstats = \":9191\"\n[restarter]\nstats = \":9192\"\n").unwrap();
    }

    #[test]
    fn a_resource_on_a_configuration_file_is_refused() {
        refused_saying("[zergling]\npidfile = \"config/job_conf.xml\"\n", "uWSGI would replace it");
    }

    #[test]
    fn nothing_but_the_vassals_may_be_in_the_vassals_directory() {
        assert_eq!(pointed_at("[layout]\nvassals = \"config\"\n"), "\"config\"");
        let toml = "[restarter]\njob_conf = \"vassals/./restarter.xml\"\n";
        assert_eq!(pointed_at(toml), "\"vassals/./restarter.xml\"");
        let toml = "[zergling]\nlogto = \"vassals/zergling.json\"\n";
        assert!(check_toml(toml).is_err(), "the Emperor starts .json files too");
        check_toml("[zergling]\nlogto = \"vassals/zergling.log\"\n").unwrap();
        // The Emperor starts a hidden file and one named just `.yml` too.
        for name in [".yml", ".zergling.ini"] {
            let toml = format!("[zergling]\nlogto = \"vassals/{name}\"\n");
            assert!(check_toml(&toml).is_err(), "{name}");
        }
    }

    #[test]
    fn unix_sockets_must_fit_what_uwsgi_binds() {
        // 102 bytes: uWSGI 2.0.21 and 2.0.31 say "invalid socket name" to a longer one.
        let room = binds::MAX_UNIX_SOCKET - "/run/".len() - "/zergpool.sock".len();
        let long = format!("/run/{}", "d".repeat(room));
        let fits = format!(
            "[layout]\nvar = \"{long}\"\n[zergling]\nstats = \":1\"\n[restarter]\nstats = \":2\"\n"
        );
        check_toml(&fits).unwrap();
        let too_long = fits.replace("/run/", "/run/x");
        assert_eq!(pointed_at(&too_long), format!("\"{}\"", long.replace("/run/", "/run/x")));
    }
}
