//! Where Galaxy 21.09 finds the files galaxy.yml names, so that zergcfg reads the main job conf
//! Galaxy itself runs with. Galaxy (`lib/galaxy/config/__init__.py`) resolves a relative
//! `job_config_file` against its `config_dir`: galaxy.yml's own `config_dir` setting (made
//! absolute against Galaxy's root, the server directory both zerglings `chdir` to), else the
//! directory holding galaxy.yml. Before that it strips a leading `config/` (a value written when
//! paths were relative to the server directory), and when the result does not exist it tries
//! the value against the server directory instead.

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
    if let Some(path) = &config.job_conf {
        return (path.clone(), SetBy::ZergToml(["layout", "job_conf"]));
    }
    let config_dir = setting(galaxy, "config_dir");
    let dir = galaxy_config_dir(config, config_dir.as_ref().map(|(v, _)| v.as_str()));
    if let Some((value, span)) = setting(galaxy, "job_config_file") {
        return (resolve(config, &dir, &value, root), SetBy::GalaxyYml(span));
    }
    let set_by = config_dir
        .map_or(SetBy::ZergToml(["layout", "galaxy_config"]), |(_, span)| SetBy::GalaxyYml(span));
    (dir.join(DEFAULT_JOB_CONF), set_by)
}

/// The main job conf from zerg.toml and galaxy.yml's `job_config_file` and `config_dir`
/// values, when galaxy.yml is known only as far as those (lint reads files [`GalaxyYml`]
/// would refuse).
pub fn main_job_conf_from(
    config: &Config,
    job_config_file: Option<&str>,
    config_dir: Option<&str>,
    root: Option<&Path>,
) -> PathBuf {
    if let Some(path) = &config.job_conf {
        return path.clone();
    }
    let dir = galaxy_config_dir(config, config_dir);
    match job_config_file {
        Some(value) => resolve(config, &dir, value, root),
        None => dir.join(DEFAULT_JOB_CONF),
    }
}

/// Galaxy's configuration directory: its `config_dir` setting, else galaxy.yml's directory.
fn galaxy_config_dir(config: &Config, config_dir: Option<&str>) -> PathBuf {
    match config_dir {
        Some(dir) => paths::resolve(&config.server, dir),
        None => config
            .galaxy_config
            .parent()
            .map_or_else(|| config.config_dir.clone(), Path::to_path_buf),
    }
}

/// A `*_config_file` value as Galaxy resolves it against `dir`.
fn resolve(config: &Config, dir: &Path, value: &str, root: Option<&Path>) -> PathBuf {
    let value = value.trim();
    if Path::new(value).is_absolute() {
        return paths::normalize(Path::new(value));
    }
    let value = value.strip_prefix("config/").unwrap_or(value);
    let in_config_dir = paths::resolve(dir, value);
    if !on_disk(root, &in_config_dir).exists() {
        let in_server = paths::resolve(&config.server, value);
        if on_disk(root, &in_server).exists() {
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
    fn zerg_toml_names_it_first() {
        let toml = "[layout]\njob_conf = \"config/./main.xml\"\n";
        assert_eq!(
            resolved(toml, "  job_config_file: x.xml\n", &[]),
            Path::new("/srv/galaxy/config/main.xml")
        );
    }
}
