//! Where Galaxy 21.09 finds the job conf its `job_config_file` setting names: the main job conf
//! `build` reads and `lint` compares with, and the restarter's job conf `lint` checks, from one
//! rule. Galaxy (`lib/galaxy/config/__init__.py`) takes its root from its working directory
//! (the server directory both zerglings `chdir` to) and its configuration directory from the
//! `config_dir` setting (made absolute against the working directory), else the directory
//! holding the configuration file it read. A relative `job_config_file` loses a leading
//! `config/` (a value written when paths were relative to the server directory; Galaxy logs a
//! warning) and is taken in the configuration directory; when no file is there, the same value
//! in the root is used if a file is there. Unset, it is `job_conf.xml` in the configuration
//! directory, without either step.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::galaxy::GalaxyYml;
use crate::paths;
use crate::source::Span;

use super::layout::SetBy;
use super::on_disk;

/// The main job conf Galaxy runs with when galaxy.yml sets no `job_config_file`.
const DEFAULT_JOB_CONF: &str = "job_conf.xml";

/// A setting of galaxy.yml's `galaxy:` section as Galaxy reads it, with the bytes of its value.
fn setting(galaxy: &GalaxyYml, key: &str) -> Option<(String, Span)> {
    galaxy.setting(key).map(|scalar| (scalar.value.clone(), scalar.span.clone()))
}

/// The main job conf and where its path is set: zerg.toml's `layout.job_conf`, else
/// galaxy.yml's `job_config_file` resolved as Galaxy resolves it, else `job_conf.xml` in
/// Galaxy's configuration directory. Files are looked for under `root` when given.
pub fn main_job_conf(config: &Config, galaxy: &GalaxyYml, root: Option<&Path>) -> (PathBuf, SetBy) {
    let job_config_file = setting(galaxy, "job_config_file");
    let config_dir = setting(galaxy, "config_dir");
    let path = main_job_conf_from(
        config,
        job_config_file.as_ref().map(|(v, _)| v.as_str()),
        config_dir.as_ref().map(|(v, _)| v.as_str()),
        |path| on_disk(root, path).exists(),
    );
    let set_by = if config.job_conf.is_some() {
        SetBy::ZergToml(["layout", "job_conf"])
    } else if let Some((_, span)) = job_config_file.or(config_dir) {
        SetBy::GalaxyYml(span)
    } else {
        SetBy::ZergToml(["layout", "galaxy_config"])
    };
    (path, set_by)
}

/// The main job conf from zerg.toml and galaxy.yml's `job_config_file` and `config_dir`
/// values, when galaxy.yml is known only as far as those (lint reads files [`GalaxyYml`]
/// would refuse). `exists` tells whether a file is at a path of the target machine.
pub fn main_job_conf_from(
    config: &Config,
    job_config_file: Option<&str>,
    config_dir: Option<&str>,
    exists: impl Fn(&Path) -> bool,
) -> PathBuf {
    if let Some(path) = &config.job_conf {
        return path.clone();
    }
    let dir = galaxy_config_dir(&config.server, &config.galaxy_config, config_dir);
    job_conf(&config.server, &dir, job_config_file, exists)
}

/// Galaxy's configuration directory: its `config_dir` setting, made absolute against Galaxy's
/// root `server` (its working directory), else the directory holding `config_file`, the
/// configuration file it read.
pub fn galaxy_config_dir(server: &Path, config_file: &Path, config_dir: Option<&str>) -> PathBuf {
    match config_dir {
        Some(dir) => paths::resolve(server, dir),
        None => paths::normalize(&server.join(config_file.parent().unwrap_or(server))),
    }
}

/// The job conf a Galaxy whose root is `server` and configuration directory `dir` runs with,
/// for its `job_config_file` setting (`None` when unset: `job_conf.xml` in `dir`). A relative
/// value loses a leading `config/` and is taken in `dir`; when nothing `exists` there but the
/// value names a file in `server`, that one.
pub fn job_conf(
    server: &Path,
    dir: &Path,
    job_config_file: Option<&str>,
    exists: impl Fn(&Path) -> bool,
) -> PathBuf {
    let Some(value) = job_config_file.map(str::trim) else {
        return dir.join(DEFAULT_JOB_CONF);
    };
    if Path::new(value).is_absolute() {
        return paths::normalize(Path::new(value));
    }
    let value = value.strip_prefix("config/").unwrap_or(value);
    let in_config_dir = paths::resolve(dir, value);
    if !exists(&in_config_dir) {
        let in_server = paths::resolve(server, value);
        if exists(&in_server) {
            return in_server;
        }
    }
    in_config_dir
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn resolved(toml: &str, galaxy_section: &str, files: &[&str]) -> PathBuf {
        let dir = tempfile::tempdir().unwrap();
        for file in files {
            let path = dir.path().join(file.trim_start_matches('/'));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let config = Config::parse(Source::new("zerg.toml", toml)).unwrap();
        let text = format!("uwsgi:\n  socket: :8080\ngalaxy:\n{galaxy_section}");
        let galaxy = GalaxyYml::parse(Source::new("galaxy.yml", text)).unwrap();
        main_job_conf(&config, &galaxy, Some(dir.path())).0
    }

    const ELSEWHERE: &str = "[layout]\ngalaxy_config = \"/etc/galaxy/galaxy.yml\"\n";

    #[test]
    fn a_relative_job_config_file_is_in_galaxy_ymls_directory() {
        let path = resolved(ELSEWHERE, "  job_config_file: jobs.xml\n", &[]);
        assert_eq!(path, Path::new("/etc/galaxy/jobs.xml"));
        assert_eq!(resolved(ELSEWHERE, "  a: 1\n", &[]), Path::new("/etc/galaxy/job_conf.xml"));
    }

    #[test]
    fn galaxys_config_dir_setting_wins_and_is_relative_to_the_server() {
        let section = "  config_dir: ../etc\n  job_config_file: jobs.xml\n";
        assert_eq!(resolved(ELSEWHERE, section, &[]), Path::new("/srv/galaxy/etc/jobs.xml"));
    }

    #[test]
    fn a_leading_config_directory_is_dropped_and_the_server_directory_tried() {
        let section = "  job_config_file: config/jobs.xml\n";
        assert_eq!(resolved("", section, &[]), Path::new("/srv/galaxy/config/jobs.xml"));
        let found = resolved("", section, &["/srv/galaxy/server/jobs.xml"]);
        assert_eq!(found, Path::new("/srv/galaxy/server/jobs.xml"));
        let both = &["/srv/galaxy/server/jobs.xml", "/srv/galaxy/config/jobs.xml"];
        assert_eq!(resolved("", section, both), Path::new("/srv/galaxy/config/jobs.xml"));
    }

    #[test]
    fn galaxys_default_is_not_looked_for_in_the_server_directory() {
        let found = resolved("", "  brand: x\n", &["/srv/galaxy/server/job_conf.xml"]);
        assert_eq!(found, Path::new("/srv/galaxy/config/job_conf.xml"));
    }

    #[test]
    fn zerg_toml_names_it_first() {
        let toml = "[layout]\njob_conf = \"config/./main.xml\"\n";
        assert_eq!(
            resolved(toml, "  job_config_file: x.xml\n", &[]),
            Path::new("/srv/galaxy/config/main.xml")
        );
    }
}
