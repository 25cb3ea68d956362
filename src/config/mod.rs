//! `zerg.toml`: the declarative description of one deployment. Loading checks it against the
//! JSON Schema in `schemas/` (the same one editors use), then resolves every path against the
//! layout root so the rest of the tool only ever sees absolute paths.

mod schema;
mod validate;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::paths;
use crate::source::{ReadError, Source, Span};

/// How the uWSGI in use was built, which decides the `plugins:` lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Packaging {
    /// `pip install uwsgi`: Python and the zergpool are built in.
    #[default]
    Pypi,
    /// Debian's `uwsgi-core`: `plugins: python3` and `plugins: zergpool` are needed.
    Debian,
}

/// What clients speak on the public address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// The uwsgi binary protocol (nginx `uwsgi_pass`).
    Uwsgi,
    /// Plain HTTP.
    Http,
}

/// The per-instance resources that zergling A and the restarter must not share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instance {
    /// Master FIFO the other zergling writes `q` into.
    pub fifo: PathBuf,
    /// Pid file.
    pub pidfile: PathBuf,
    /// Log file.
    pub logto: PathBuf,
    /// Stats server address (unix socket path or host:port).
    pub stats: String,
}

impl Instance {
    /// The files and sockets this instance creates at run time, each with its zerg.toml key in
    /// the instance's table (`fifo`, `pidfile`, `logto`, `stats`); a TCP stats address is no
    /// path and is left out.
    pub fn paths(&self) -> Vec<(&'static str, PathBuf)> {
        let mut paths = vec![
            ("fifo", self.fifo.clone()),
            ("pidfile", self.pidfile.clone()),
            ("logto", self.logto.clone()),
        ];
        if !is_host_port(&self.stats) {
            paths.push(("stats", PathBuf::from(&self.stats)));
        }
        paths
    }
}

/// A loaded `zerg.toml`, every path absolute (as on the target machine, not under `--root`).
#[derive(Debug, Clone)]
pub struct Config {
    /// The file itself, for pointing at its lines.
    pub source: Source,
    /// Layout root.
    pub root: PathBuf,
    /// Galaxy's server directory.
    pub server: PathBuf,
    /// Galaxy's virtualenv.
    pub venv: PathBuf,
    /// Galaxy's configuration directory.
    pub config_dir: PathBuf,
    /// The Emperor's vassals directory.
    pub vassals: PathBuf,
    /// Runtime state directory.
    pub var: PathBuf,
    /// The installed galaxy.yml.
    pub galaxy_config: PathBuf,
    /// The installed main job conf, when set explicitly.
    pub job_conf: Option<PathBuf>,
    /// The user Galaxy runs as.
    pub user: String,
    /// The group allowed to read files holding secrets.
    pub group: Option<String>,
    /// The uwsgi executable.
    pub uwsgi_binary: PathBuf,
    /// How that uWSGI was built.
    pub packaging: Packaging,
    /// Emperor scan interval, when set.
    pub emperor_freq: Option<u32>,
    /// Public address, when set explicitly.
    pub pool_address: Option<String>,
    /// Public protocol, when set explicitly.
    pub pool_protocol: Option<Protocol>,
    /// The pool's unix socket.
    pub pool_socket: PathBuf,
    /// Zergling A's own resources.
    pub zergling: Instance,
    /// Zergling B's own resources.
    pub restarter: Instance,
    /// The restarter's job conf.
    pub restarter_job_conf: PathBuf,
    /// Lint settings: rules ignored.
    pub lint_ignore: Vec<String>,
    /// Lint settings: rules re-levelled, by code or name.
    pub lint_level: Vec<(String, String)>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    layout: RawLayout,
    #[serde(default)]
    uwsgi: RawUwsgi,
    #[serde(default)]
    pool: RawPool,
    #[serde(default)]
    zergling: RawInstance,
    #[serde(default)]
    restarter: RawRestarter,
    #[serde(default)]
    lint: RawLint,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLayout {
    root: Option<String>,
    server: Option<String>,
    venv: Option<String>,
    config: Option<String>,
    vassals: Option<String>,
    var: Option<String>,
    galaxy_config: Option<String>,
    job_conf: Option<String>,
    user: Option<String>,
    group: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawUwsgi {
    binary: Option<String>,
    #[serde(default)]
    packaging: Packaging,
    emperor_freq: Option<u32>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPool {
    address: Option<String>,
    protocol: Option<Protocol>,
    socket: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawInstance {
    fifo: Option<String>,
    pidfile: Option<String>,
    logto: Option<String>,
    stats: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRestarter {
    fifo: Option<String>,
    pidfile: Option<String>,
    logto: Option<String>,
    stats: Option<String>,
    job_conf: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLint {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    level: std::collections::BTreeMap<String, String>,
}

/// The default layout root, the admin training's.
pub const DEFAULT_ROOT: &str = "/srv/galaxy";

/// The file name looked for in the current directory when `--config` is not given.
pub const FILE_NAME: &str = "zerg.toml";

/// The JSON Schema of `zerg.toml`, as shipped in `schemas/`.
pub const SCHEMA: &str = include_str!("../../schemas/zerg.schema.json");

impl Config {
    /// Reads and checks `zerg.toml` at `path`.
    ///
    /// # Errors
    /// Unreadable file, malformed TOML, or anything the schema rejects, with its position.
    pub fn load(path: &Path) -> Result<Self> {
        let source = match Source::read_text(path) {
            Ok(source) => source,
            Err(ReadError::Io(e)) => {
                return Err(Error::io("zergcfg::config", path, "read", &e).with_help(format!(
                    "run zergcfg where its {FILE_NAME} is, or give its path with --config (the \
                     README shows a small one)"
                )));
            }
            Err(ReadError::NotUtf8 { source, offset }) => {
                return Err(Error::not_utf8("zergcfg::config", &source, offset, FILE_NAME));
            }
        };
        Self::parse(source.with_kind(crate::secrets::Kind::Ini))
    }

    /// Checks and resolves a `zerg.toml` already read.
    ///
    /// # Errors
    /// Malformed TOML, or anything the schema rejects, with its position.
    pub fn parse(source: Source) -> Result<Self> {
        schema::check(&source)?;

        let raw: Raw = toml::from_str(&source.text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            Error::at("zergcfg::config", &source, span, e.message().trim(), "here")
                .with_help("see the descriptions in schemas/zerg.schema.json")
        })?;

        Ok(resolve(source, raw))
    }

    /// The byte span of a value, by its path of keys (e.g. `["pool", "address"]`).
    pub fn span_of(&self, keys: &[&str]) -> Option<Span> {
        schema::span_of(&self.source.text, keys)
    }

    /// Where the place that the setting at `keys` names comes from: the setting itself when
    /// zerg.toml writes it, else the nearest written key it defaults from (`restarter.fifo`
    /// defaults into `layout.var`, which defaults into `layout.root`); `None` when all of them
    /// are left at their defaults.
    pub fn origin(&self, keys: &[&str]) -> Option<Origin> {
        if let Some(span) = self.span_of(keys) {
            return Some(Origin { key: keys.join("."), span, own: true });
        }
        defaults_from(keys).iter().find_map(|parent| {
            let span = self.span_of(parent)?;
            Some(Origin { key: parent.join("."), span, own: false })
        })
    }

    /// The span an error about the setting at `keys` points at: its [`origin`](Self::origin),
    /// else the start of the file.
    pub fn origin_span(&self, keys: &[&str]) -> Span {
        self.origin(keys).map_or(0..0, |o| o.span)
    }
}

fn resolve(source: Source, raw: Raw) -> Config {
    let root = paths::normalize(Path::new(raw.layout.root.as_deref().unwrap_or(DEFAULT_ROOT)));
    let under = |base: &Path, value: Option<&String>, default: &str| match value {
        Some(v) => paths::resolve(&root, v),
        None => paths::resolve(base, default),
    };
    let var = under(&root, raw.layout.var.as_ref(), "var");
    let config_dir = under(&root, raw.layout.config.as_ref(), "config");
    let venv = under(&root, raw.layout.venv.as_ref(), "venv");
    let instance = |raw: &RawInstance, name: &str| Instance {
        fifo: under(&var, raw.fifo.as_ref(), &format!("{name}.fifo")),
        pidfile: under(&var, raw.pidfile.as_ref(), &format!("{name}.pid")),
        logto: under(&var, raw.logto.as_ref(), &format!("{name}.log")),
        stats: stats(&root, &var, raw.stats.as_ref(), &format!("{name}-stats.sock")),
    };
    let restarter = RawInstance {
        fifo: raw.restarter.fifo,
        pidfile: raw.restarter.pidfile,
        logto: raw.restarter.logto,
        stats: raw.restarter.stats,
    };

    Config {
        server: under(&root, raw.layout.server.as_ref(), "server"),
        vassals: under(&root, raw.layout.vassals.as_ref(), "vassals"),
        galaxy_config: under(&config_dir, raw.layout.galaxy_config.as_ref(), "galaxy.yml"),
        job_conf: raw.layout.job_conf.as_ref().map(|p| paths::resolve(&root, p)),
        user: raw.layout.user.unwrap_or_else(|| "galaxy".to_string()),
        group: raw.layout.group,
        uwsgi_binary: under(&venv, raw.uwsgi.binary.as_ref(), "bin/uwsgi"),
        packaging: raw.uwsgi.packaging,
        emperor_freq: raw.uwsgi.emperor_freq,
        pool_address: raw.pool.address,
        pool_protocol: raw.pool.protocol,
        pool_socket: under(&var, raw.pool.socket.as_ref(), "zergpool.sock"),
        zergling: instance(&raw.zergling, "zergling"),
        restarter: instance(&restarter, "restarter"),
        restarter_job_conf: under(
            &config_dir,
            raw.restarter.job_conf.as_ref(),
            "job_conf-restarter.xml",
        ),
        lint_ignore: raw.lint.ignore,
        lint_level: raw.lint.level.into_iter().collect(),
        venv,
        config_dir,
        var,
        root,
        source,
    }
}

/// A stats address is a path (resolved like the others) unless it looks like `host:port`.
fn stats(root: &Path, var: &Path, value: Option<&String>, default: &str) -> String {
    match value {
        Some(v) if is_host_port(v) => v.clone(),
        Some(v) => paths::resolve(root, v).display().to_string(),
        None => var.join(default).display().to_string(),
    }
}

/// Whether a stats value is a TCP address (`host:port`, `:port`) rather than a unix socket path.
pub fn is_host_port(value: &str) -> bool {
    value.contains(':') && !value.starts_with('/')
}

/// Where a setting of zerg.toml that names a place comes from: its own key when it is written
/// down, else the key of the directory it defaults to being in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The key, dotted (`restarter.fifo`, `layout.var`).
    pub key: String,
    /// Its bytes in zerg.toml.
    pub span: Span,
    /// Whether it is the setting's own key rather than a directory it defaults from.
    pub own: bool,
}

/// The keys a setting's default derives from, nearest first.
fn defaults_from(keys: &[&str]) -> &'static [[&'static str; 2]] {
    const ROOT: &[[&str; 2]] = &[["layout", "root"]];
    const CONFIG: &[[&str; 2]] = &[["layout", "config"], ["layout", "root"]];
    const VAR: &[[&str; 2]] = &[["layout", "var"], ["layout", "root"]];
    const VENV: &[[&str; 2]] = &[["layout", "venv"], ["layout", "root"]];
    match keys {
        ["layout", "galaxy_config"] | ["restarter", "job_conf"] => CONFIG,
        ["layout", "root"] => &[],
        ["layout", _] => ROOT,
        ["uwsgi", "binary"] => VENV,
        ["pool", "socket"] | ["zergling" | "restarter", "fifo" | "pidfile" | "logto" | "stats"] => {
            VAR
        }
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config> {
        Config::parse(Source::new("zerg.toml", text))
    }

    #[test]
    fn everything_defaults_from_the_root() {
        let config = parse("").unwrap();
        assert_eq!(config.root, PathBuf::from("/srv/galaxy"));
        assert_eq!(config.server, PathBuf::from("/srv/galaxy/server"));
        assert_eq!(config.vassals, PathBuf::from("/srv/galaxy/vassals"));
        assert_eq!(config.zergling.fifo, PathBuf::from("/srv/galaxy/var/zergling.fifo"));
        assert_eq!(config.restarter.stats, "/srv/galaxy/var/restarter-stats.sock");
        assert_eq!(config.uwsgi_binary, PathBuf::from("/srv/galaxy/venv/bin/uwsgi"));
        assert_eq!(
            config.restarter_job_conf,
            PathBuf::from("/srv/galaxy/config/job_conf-restarter.xml")
        );
        assert_eq!(config.user, "galaxy");
        assert_eq!(config.packaging, Packaging::Pypi);
    }

    #[test]
    fn overrides_resolve_against_the_root() {
        let config = parse(
            "[layout]\nroot = \"/opt/g\"\nvar = \"/run/galaxy\"\n[restarter]\nstats = \
             \"127.0.0.1:9192\"\nfifo = \"state/b.fifo\"\n",
        )
        .unwrap();
        assert_eq!(config.var, PathBuf::from("/run/galaxy"));
        assert_eq!(config.zergling.pidfile, PathBuf::from("/run/galaxy/zergling.pid"));
        assert_eq!(config.restarter.fifo, PathBuf::from("/opt/g/state/b.fifo"));
        assert_eq!(config.restarter.stats, "127.0.0.1:9192");
    }

    #[test]
    fn paths_are_normalized_and_default_into_their_directories() {
        let config = parse(
            "[layout]\nroot = \"/opt/g/\"\nconfig = \"etc//galaxy/.\"\nvenv = \"../venv\"\n\
             [zergling]\nfifo = \"var/../run/a.fifo\"\n",
        )
        .unwrap();
        assert_eq!(config.root, PathBuf::from("/opt/g"));
        assert_eq!(config.galaxy_config, PathBuf::from("/opt/g/etc/galaxy/galaxy.yml"));
        assert_eq!(
            config.restarter_job_conf,
            PathBuf::from("/opt/g/etc/galaxy/job_conf-restarter.xml")
        );
        assert_eq!(config.uwsgi_binary, PathBuf::from("/opt/venv/bin/uwsgi"));
        assert_eq!(config.zergling.fifo, PathBuf::from("/opt/g/run/a.fifo"));
    }

    #[test]
    fn a_place_comes_from_its_own_key_else_the_directory_it_defaults_into() {
        let text =
            "[layout]\nroot = \"/opt/g\"\nvar = \"/run/g\"\n[restarter]\nfifo = \"b.fifo\"\n";
        let config = parse(text).unwrap();
        let origin =
            |keys: &[&str]| config.origin(keys).map(|o| (o.key, text[o.span].to_string(), o.own));
        assert_eq!(
            origin(&["restarter", "fifo"]),
            Some(("restarter.fifo".into(), "\"b.fifo\"".into(), true))
        );
        assert_eq!(
            origin(&["zergling", "fifo"]),
            Some(("layout.var".into(), "\"/run/g\"".into(), false))
        );
        assert_eq!(
            origin(&["restarter", "job_conf"]),
            Some(("layout.root".into(), "\"/opt/g\"".into(), false))
        );
        assert_eq!(parse("").unwrap().origin(&["pool", "socket"]), None);
    }

    #[test]
    fn a_file_that_is_not_utf8_is_pointed_at_its_first_bad_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zerg.toml");
        std::fs::write(&path, b"[layout]\nuser = \"g\xe4laxy\"\n").unwrap();
        let error = Config::load(&path).unwrap_err();
        assert!(error.message().contains("not UTF-8"), "{}", error.message());
        assert_eq!(error.span(), Some(18..21));
    }

    #[test]
    fn unknown_keys_point_at_the_key() {
        let err = parse("[layout]\nrot = \"/x\"\n").unwrap_err();
        assert!(err.message().contains("rot"), "{}", err.message());
        assert_eq!(err.span(), Some(9..12));
    }

    #[test]
    fn wrong_types_point_at_the_value() {
        let err = parse("[uwsgi]\npackaging = \"gentoo\"\n").unwrap_err();
        assert_eq!(&"[uwsgi]\npackaging = \"gentoo\"\n"[err.span().unwrap()], "\"gentoo\"");
    }

    #[test]
    fn relative_root_is_rejected() {
        assert!(parse("[layout]\nroot = \"srv\"\n").is_err());
    }

    #[test]
    fn malformed_toml_is_positioned() {
        let err = parse("[layout\nroot = 1\n").unwrap_err();
        assert!(err.span().is_some());
    }
}

#[cfg(test)]
mod schema_agreement {
    use super::*;
    use serde_json::Value;

    /// A TOML value the schema accepts for `property`.
    fn sample(schema: &Value, property: &Value) -> String {
        let property = match property.get("$ref").and_then(Value::as_str) {
            Some(r) => schema.pointer(r.trim_start_matches('#')).unwrap(),
            None => property,
        };
        if let Some(options) = property.get("enum").and_then(Value::as_array) {
            return format!("\"{}\"", options[0].as_str().unwrap());
        }
        match property.get("type").and_then(Value::as_str) {
            Some("integer") => "2".to_string(),
            Some("array") => "[\"ZC101\"]".to_string(),
            Some("object") => "{ ZC101 = \"warning\" }".to_string(),
            _ => "\"/abs/path\"".to_string(),
        }
    }

    #[test]
    fn every_schema_key_is_read_and_nothing_else() {
        let schema: Value = serde_json::from_str(SCHEMA).unwrap();
        let tables = schema["properties"].as_object().unwrap();
        for (table, spec) in tables {
            for (key, property) in spec["properties"].as_object().unwrap() {
                let text = format!("[{table}]\n{key} = {}\n", sample(&schema, property));
                let parsed = Config::parse(Source::new("zerg.toml", text.clone()));
                assert!(parsed.is_ok(), "{text}: {:?}", parsed.err().map(|e| e.to_string()));

                let raw: std::result::Result<Raw, _> = toml::from_str(&text);
                assert!(raw.is_ok(), "serde refuses what the schema allows: {text}");
            }
        }
    }
}
